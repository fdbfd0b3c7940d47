// The attack: a tenant who may edit its ExecutionZone takes the operator's
// cleanup finalizer off, so that deleting the zone skips the release (member
// objects left to orphan collection, switch entries on a VLAN the operator
// may hand to another zone). deploy/hub/21-zone-finalizer-guard.yaml, a
// ValidatingAdmissionPolicy the hub's own API server evaluates, refuses it;
// every other edit, the operator itself and cluster admins go through.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { FINALIZER } from '../../../src/core/api/resources.js';
import type { ExecutionZone } from '../../../src/core/api/types.js';
import { KubeClient, KubeError, type KubeObject } from '../../../src/runtime/kube-client.js';
import { apply, readManifests } from '../../../tools/harness/apply.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { serviceAccountToken } from '../../../tools/harness/view-gateway.js';
import { findCluster } from '../../../tools/testbed/state.js';
import { HubApi } from '../admission/hub-api.js';
import { installCrds } from '../admission/install-crds.js';
import { testbed } from '../support/global-fixture.js';
import { group } from '../../support/core-fixtures.js';

const NS = `zk-fg-${randomBytes(3).toString('hex')}`;
const OPERATOR = 'system:serviceaccount:zonekeeper-system:zonekeeper-operator';
const MERGE = 'application/merge-patch+json';

function zone(name: string, id: string): ExecutionZone {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name, namespace: NS, finalizers: [FINALIZER] },
    spec: {
      applicationId: id,
      groups: [group({ environment: 'container', platformType: 'fog', memory: 128, storage: 256, image: 'busybox' })],
    },
  };
}

describe('security: only the operator removes an ExecutionZone cleanup finalizer', function () {
  this.timeout(120_000);
  let admin: KubeClient;
  let tenant: KubeClient;
  const path = (name: string) => `/apis/zonekeeper.io/v1alpha1/namespaces/${NS}/executionzones/${name}`;
  const patch = (c: KubeClient, name: string, body: unknown, headers: Record<string, string> = {}) =>
    c.request<ExecutionZone>('PATCH', path(name), { body, contentType: MERGE, headers });
  const refusal = async (p: Promise<unknown>): Promise<KubeError | undefined> => {
    try {
      await p;
      return undefined;
    } catch (e) {
      if (e instanceof KubeError) return e;
      throw e;
    }
  };

  before(async () => {
    const state = testbed();
    await installCrds(await HubApi.connect());
    const kubeconfig = readFileSync(findCluster(state, 'hub').kubeconfig, 'utf8');
    admin = await KubeClient.fromKubeconfigText(kubeconfig);
    for (const file of ['00-namespace', '10-rbac', '21-zone-finalizer-guard'])
      for (const m of readManifests(`deploy/hub/${file}.yaml`)) await apply(admin, m);
    await apply(admin, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await apply(admin, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'dave', namespace: NS } });
    await apply(admin, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'dave-editor', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'zonekeeper-zone-editor' },
      subjects: [{ kind: 'ServiceAccount', name: 'dave', namespace: NS }],
    } as KubeObject);
    // The tenant's kubeconfig: the hub's address and CA, the ServiceAccount's token.
    const doc = yaml.load(kubeconfig) as { users: { name: string; user: Record<string, unknown> }[] };
    const token = await serviceAccountToken(admin, NS, 'dave');
    doc.users = doc.users.map((u) => ({ name: u.name, user: { token } }));
    tenant = await KubeClient.fromKubeconfigText(yaml.dump(doc));
  });

  after(async () => {
    for (const name of ['held', 'admins'])
      await patch(admin, name, { metadata: { finalizers: null } }).catch(() => undefined);
    await admin?.delete(`/api/v1/namespaces/${NS}`).catch(() => undefined);
    admin?.close();
    tenant?.close();
  });

  it("refuses the tenant's removal with a message that says who removes it and why, and keeps the zone's other edits open", async () => {
    await admin.create(
      `/apis/zonekeeper.io/v1alpha1/namespaces/${NS}/executionzones`,
      zone('held', '6060f0a5-0000-4000-8000-000000000001'),
    );
    // A new policy takes a moment to reach the API server's admission chain.
    const denied = await pollUntil(
      'the tenant is refused',
      async () => {
        const e = await refusal(patch(tenant, 'held', { metadata: { finalizers: null } }));
        if (!e) {
          // Got through before the policy was active: put it back and try again.
          await patch(admin, 'held', { metadata: { finalizers: [FINALIZER] } });
          return undefined;
        }
        return e;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    assert.equal(denied.code, 403, denied.message);
    assert.match(denied.message, /only the zonekeeper operator removes the zonekeeper\.io\/cleanup finalizer/);
    // The same through a finalizer list that drops ours and keeps one of the tenant's own.
    const swap = await refusal(patch(tenant, 'held', { metadata: { finalizers: ['example.com/mine'] } }));
    assert.equal(swap?.code, 403);

    const labelled = await patch(tenant, 'held', {
      metadata: { labels: { team: 'blue' }, finalizers: [FINALIZER, 'example.com/mine'] },
    });
    assert.equal(labelled.metadata.labels?.['team'], 'blue', 'other edits go through');
    assert.deepEqual(labelled.metadata.finalizers, [FINALIZER, 'example.com/mine']);
    const own = await patch(tenant, 'held', { metadata: { finalizers: [FINALIZER] } });
    assert.deepEqual(own.metadata.finalizers, [FINALIZER], "the tenant's own finalizer is the tenant's to remove");

    // Deleting is the tenant's right; the zone waits for the operator.
    await tenant.delete(path('held'));
    const waiting = await admin.get<ExecutionZone>(path('held'));
    assert.ok(waiting.metadata.deletionTimestamp, 'marked for deletion');
    assert.deepEqual(waiting.metadata.finalizers, [FINALIZER]);
    const late = await refusal(patch(tenant, 'held', { metadata: { finalizers: null } }));
    assert.equal(late?.code, 403, 'also while the zone is being deleted');

    // The operator removes it once it has released the zone.
    await patch(admin, 'held', { metadata: { finalizers: null } }, { 'Impersonate-User': OPERATOR });
    await pollUntil(
      'the zone gone',
      async () => ((await refusal(admin.get(path('held'))))?.code === 404 ? true : undefined),
      {
        timeoutMs: 30_000,
        everyMs: 250,
      },
    );
  });

  it('lets a cluster admin (system:masters) remove it, for a hub whose operator is gone', async () => {
    await admin.create(
      `/apis/zonekeeper.io/v1alpha1/namespaces/${NS}/executionzones`,
      zone('admins', '6060f0a5-0000-4000-8000-000000000002'),
    );
    const z = await patch(admin, 'admins', { metadata: { finalizers: null } });
    assert.equal(z.metadata.finalizers, undefined);
  });
});
