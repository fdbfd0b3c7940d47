// The operator renews a member's short-lived token before it expires. The
// hub Secret of one member is seeded with a 10-minute TokenRequest token of
// zonekeeper-member, and the operator runs with its renew fraction forced
// to 0.98, so a renewal is due 12 s after each token was issued. The
// renewed token must be a working token of the same ServiceAccount with the
// same lifetime, asked for with the token in use (the next renewal is made
// by the renewed one), and the member must stay reachable throughout. When
// the member refuses to issue a token, the Secret keeps the one that works.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { requestToken } from '../../../src/clusters/token-request.js';
import { serviceAccountTokenClaims, type TokenClaims } from '../../../src/clusters/token-schedule.js';
import { staticBearerToken, withBearerToken } from '../../../src/clusters/member-kubeconfig.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { PROVIDER_CLUSTERS } from '../../../src/core/api/resources.js';
import type { ProviderCluster } from '../../../src/core/api/types.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { apply, readManifests } from '../../../tools/harness/apply.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { adminClient, OPERATOR_NAMESPACE } from '../../../tools/harness/testbed-setup.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { findCluster, requireState } from '../../../tools/testbed/state.js';
import { install, type Installed, leadingOperator } from '../operator/operator-fixture.js';

const PROVIDER = 'fog2';
const SECRET = `member-${PROVIDER}-kubeconfig`;
const MEMBER_SA = 'zonekeeper-member';
const TOKEN_ROLE_BINDING = 'zonekeeper-member-token-request';

interface Secret extends KubeObject {
  data?: Record<string, string>;
}
interface Event extends KubeObject {
  reason?: string;
  type?: string;
  note?: string;
  eventTime?: string;
  regarding?: { kind?: string; name?: string };
}

describe('security: the operator renews short-lived member tokens', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess | undefined;
  let member: KubeClient;
  let original: Secret | undefined;
  const secretPath = resourcePath(
    { group: '', version: 'v1', plural: 'secrets', namespaced: true },
    OPERATOR_NAMESPACE,
    SECRET,
  );
  const bindingPath = resourcePath(
    { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', namespaced: true },
    OPERATOR_NAMESPACE,
    TOKEN_ROLE_BINDING,
  );

  const secretToken = async (): Promise<string> => {
    const s = await env.hub.get<Secret>(secretPath);
    const token = staticBearerToken(Buffer.from(s.data?.['kubeconfig'] ?? '', 'base64').toString('utf8'));
    assert.ok(token, 'the Secret holds a bearer token');
    return token;
  };

  const claimsOf = (token: string): TokenClaims => {
    const c = serviceAccountTokenClaims(token);
    assert.ok(c, 'a ServiceAccount JWT with an expiry');
    return c;
  };

  const nextToken = (after: string, what: string) =>
    pollUntil(
      what,
      async () => {
        const t = await secretToken();
        return t !== after ? t : undefined;
      },
      { timeoutMs: 90_000, everyMs: 500 },
    );

  const reachable = () =>
    pollUntil(
      `${PROVIDER}: Reachable=True`,
      async () => {
        const pc = await env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, PROVIDER));
        const c = getCondition(pc.status?.conditions, 'Reachable');
        return c?.status === 'True' ? c : undefined;
      },
      { timeoutMs: 60_000, everyMs: 250 },
    );

  /** This run's Events of `reason` on the ProviderCluster (a kept test bed holds earlier runs' too). */
  const started = Date.now();
  const events = async (reason: string): Promise<Event[]> => {
    const list = await env.hub.list<Event>('/apis/events.k8s.io/v1/namespaces/default/events');
    return list.items.filter(
      (e) =>
        e.reason === reason &&
        e.regarding?.kind === 'ProviderCluster' &&
        e.regarding.name === PROVIDER &&
        Date.parse(e.eventTime ?? '') >= started - 1000,
    );
  };

  /** What the member says the token is (TokenReview, asked as the member's admin). */
  const review = (token: string) =>
    member.request<{ status?: { authenticated?: boolean; user?: { username?: string } } }>(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } },
    );

  before(async () => {
    env = await install();
    member = await adminClient(findCluster(requireState(), PROVIDER));
    original = await env.hub.get<Secret>(secretPath);
  });

  after(async () => {
    await op?.kill('SIGTERM');
    for (const obj of readManifests(join(repoRoot(), 'deploy', 'member-rbac.yaml')))
      if (obj.kind === 'RoleBinding') await apply(member, obj).catch((e: unknown) => console.error(String(e)));
    if (original?.data)
      await env.hub.mergePatch(secretPath, { data: original.data }).catch((e: unknown) => console.error(String(e)));
    member?.close();
  });

  it('writes a fresh token of zonekeeper-member into the Secret before the old one expires, again and again, and the member stays reachable', async () => {
    // A 10-minute token (the TokenRequest minimum), as onboarding would make with --token-duration 10m.
    const seeded = (
      await requestToken(member, { namespace: OPERATOR_NAMESPACE, serviceAccount: MEMBER_SA, expirationSeconds: 600 })
    ).token;
    const text = Buffer.from(original?.data?.['kubeconfig'] ?? '', 'base64').toString('utf8');
    await env.hub.mergePatch(secretPath, {
      data: { kubeconfig: Buffer.from(withBearerToken(text, seeded)).toString('base64') },
    });
    op = await leadingOperator(env, 'it-renewal', [], {
      probeInterval: '2s',
      extraEnv: { ZONEKEEPER_CREDENTIAL_RENEW_FRACTION: '0.98' },
    });

    const first = await nextToken(seeded, 'the operator renews the seeded token');
    const was = claimsOf(seeded);
    const now = claimsOf(first);
    assert.deepEqual([now.namespace, now.serviceAccount], [OPERATOR_NAMESPACE, MEMBER_SA]);
    assert.equal(now.expiresAt - now.issuedAt, 600, 'the same lifetime as the token it replaces');
    assert.ok(
      now.issuedAt >= was.issuedAt + 11,
      `renewed at the forced point, not before (iat ${was.issuedAt} -> ${now.issuedAt})`,
    );
    const r = await review(first);
    assert.equal(r.status?.authenticated, true, 'the member accepts the renewed token');
    assert.equal(r.status?.user?.username, `system:serviceaccount:${OPERATOR_NAMESPACE}:${MEMBER_SA}`);
    await reachable();

    // The renewed token asks for its own successor.
    const second = await nextToken(first, 'the operator renews the renewed token');
    assert.equal((await review(second)).status?.authenticated, true);
    await reachable();
    assert.ok((await events('CredentialRenewed')).length > 0, 'a CredentialRenewed Event on the ProviderCluster');
  });

  it('keeps the working token in the Secret when the member refuses a new one, says so in an Event, and renews once it may again', async () => {
    assert.ok(op, 'the operator of the first test runs');
    await member.delete(bindingPath);
    const failed = await pollUntil(
      'a CredentialRenewalFailed Event',
      async () => {
        const e = await events('CredentialRenewalFailed');
        return e.length > 0 ? e : undefined;
      },
      { timeoutMs: 90_000, everyMs: 500 },
    );
    assert.match(failed[0]?.note ?? '', /could not renew the token in kubeconfig Secret .*the current one works until/);
    const kept = await secretToken();
    assert.equal((await review(kept)).status?.authenticated, true, 'the Secret still holds a working token');
    await reachable();

    for (const obj of readManifests(join(repoRoot(), 'deploy', 'member-rbac.yaml')))
      if (obj.kind === 'RoleBinding') await apply(member, obj);
    const renewed = await nextToken(kept, 'a renewal once the member issues tokens again');
    assert.equal((await review(renewed)).status?.authenticated, true);
    await reachable();
  });
});
