// A member credential that stops working (expired, or revoked by its
// admin) is a different fault from a member that does not answer: the
// member answers 401, no retry will change that, and the fix is a fresh
// credential in the hub's Secret, not patience. Here the credential is a
// bound ServiceAccount token from the member's TokenRequest API, revoked by
// deleting the object it is bound to; the ProviderCluster must say
// Reachable=False/CredentialExpired at once, and Reachable again once the
// Secret holds a working credential.
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import type { ProviderCluster } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { PROVIDER_CLUSTERS } from '../../../src/core/api/resources.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { apply } from '../../../tools/harness/apply.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { adminClient, OPERATOR_NAMESPACE } from '../../../tools/harness/testbed-setup.js';
import { findCluster, requireState } from '../../../tools/testbed/state.js';
import { install, type Installed, leadingOperator } from '../operator/operator-fixture.js';

const PROVIDER = 'fog1';
const SECRET = `member-${PROVIDER}-kubeconfig`;
const ANCHOR = 'zk-credential-anchor';

interface Secret extends KubeObject {
  data?: Record<string, string>;
}
interface Kubeconfig {
  users: { name: string; user: Record<string, unknown> }[];
}

describe('security: a member credential that expires or is revoked', function () {
  this.timeout(240_000);
  let env: Installed;
  let op: OperatorProcess;
  let member: KubeClient;
  let original: Secret | undefined;
  const secretPath = resourcePath(
    { group: '', version: 'v1', plural: 'secrets', namespaced: true },
    OPERATOR_NAMESPACE,
    SECRET,
  );
  const anchorPath = resourcePath(
    { group: '', version: 'v1', plural: 'secrets', namespaced: true },
    OPERATOR_NAMESPACE,
    ANCHOR,
  );

  const reachable = (status: 'True' | 'False', reason: string) =>
    pollUntil(
      `${PROVIDER}: Reachable=${status}/${reason}`,
      async () => {
        const pc = await env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, PROVIDER));
        const c = getCondition(pc.status?.conditions, 'Reachable');
        return c?.status === status && c.reason === reason ? { pc, c } : undefined;
      },
      { timeoutMs: 60_000, everyMs: 250 },
    );

  /** The hub's kubeconfig Secret for the member, with `user` as its credential. */
  const writeSecret = async (user: Record<string, unknown>): Promise<void> => {
    const doc = yaml.load(Buffer.from(original?.data?.['kubeconfig'] ?? '', 'base64').toString('utf8')) as Kubeconfig;
    doc.users = doc.users.map((u) => ({ name: u.name, user }));
    await env.hub.mergePatch(secretPath, { data: { kubeconfig: Buffer.from(yaml.dump(doc)).toString('base64') } });
  };

  before(async () => {
    env = await install();
    member = await adminClient(findCluster(requireState(), PROVIDER));
    original = await env.hub.get<Secret>(secretPath);
    op = await leadingOperator(env, 'it-credential', [], { probeInterval: '2s' });
  });

  after(async () => {
    if (original?.data)
      await env.hub.mergePatch(secretPath, { data: original.data }).catch((e: unknown) => console.error(String(e)));
    await member?.delete(anchorPath).catch(() => undefined);
    member?.close();
    await op?.kill('SIGTERM');
  });

  it('says Reachable=False/CredentialExpired naming the Secret when the member refuses the token, and Reachable again with a fresh one', async () => {
    await reachable('True', 'ProbeSucceeded');
    // A token bound to an object in the member: deleting the object revokes it.
    const anchor = await apply<KubeObject>(member, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: ANCHOR, namespace: OPERATOR_NAMESPACE },
    });
    const minted = await member.create<{ status?: { token?: string } } & KubeObject>(
      `${resourcePath({ group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true }, OPERATOR_NAMESPACE, 'zonekeeper-member')}/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          expirationSeconds: 600,
          boundObjectRef: { apiVersion: 'v1', kind: 'Secret', name: ANCHOR, uid: anchor.metadata?.uid },
        },
      } as KubeObject,
    );
    const token = minted.status?.token;
    assert.ok(token, 'the member minted a token');
    const rebuilt = new Promise<void>((resolve) =>
      op.onLog((rec) => {
        if (
          rec['msg'] === 'member kubeconfig changed; rebuilding its client' &&
          String(rec['provider']).toLowerCase() === PROVIDER
        )
          resolve();
      }),
    );
    await writeSecret({ token });
    // The operator reloads the Secret, and the new token works.
    await rebuilt;
    await reachable('True', 'ProbeSucceeded');

    await member.delete(anchorPath);
    const { c } = await reachable('False', 'CredentialExpired');
    assert.match(
      c.message,
      new RegExp(`kubeconfig Secret ${OPERATOR_NAMESPACE}/${SECRET} \\(401 Unauthorized\\): it expired or was revoked`),
    );
    const pc = await env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, PROVIDER));
    assert.equal(getCondition(pc.status?.conditions, 'Ready')?.status, 'False', 'no new placements there');

    // A credential that answers: reachable again without restarting anything.
    if (original?.data) await env.hub.mergePatch(secretPath, { data: original.data });
    await reachable('True', 'ProbeSucceeded');
  });
});
