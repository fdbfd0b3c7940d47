// The RBAC that deploy/ ships is least privilege: on a real API server,
// SubjectAccessReviews for the operator's ServiceAccount (hub) and the
// member ServiceAccount allow exactly what the operator does and deny the
// neighbouring verbs, namespaces and kinds. (That it is also ENOUGH is
// proved by the operator's own tests, which run it as this ServiceAccount.)

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { gatewayRoleBinding } from '../../../tools/codegen/rbac.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { memberClusters } from '../../../tools/testbed/state.js';
import { testbed } from '../support/global-fixture.js';
import { HubApi } from './hub-api.js';

const NS = 'zonekeeper-system';
const OPERATOR = `system:serviceaccount:${NS}:zonekeeper-operator`;
const MEMBER = `system:serviceaccount:${NS}:zonekeeper-member`;
const GATEWAY = `system:serviceaccount:${NS}:zonekeeper-gateway`;
/**
 * The tenant namespace the gateway serves in this test (its RoleBinding is
 * made there). Fresh per run: without a namespace controller (a lone API
 * server) a deleted namespace stays Terminating for ever.
 */
const TENANT = `zk-rbac-tenant-${randomBytes(3).toString('hex')}`;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const PATHS: Record<string, (m: Manifest) => string> = {
  Namespace: () => '/api/v1/namespaces',
  ServiceAccount: (m) => `/api/v1/namespaces/${m.metadata.namespace}/serviceaccounts`,
  Secret: (m) => `/api/v1/namespaces/${m.metadata.namespace}/secrets`,
  ClusterRole: () => '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: () => '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  Role: (m) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${m.metadata.namespace}/roles`,
  RoleBinding: (m) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${m.metadata.namespace}/rolebindings`,
  ValidatingAdmissionPolicy: () => '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies',
  ValidatingAdmissionPolicyBinding: () => '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
};

function manifests(rel: string): Manifest[] {
  return yaml
    .loadAll(readFileSync(join(repoRoot(), rel), 'utf8'))
    .filter((d): d is Manifest => typeof d === 'object' && d !== null);
}

/** Create, or replace when it exists (the operator's test setup applies the same files). */
async function apply(api: HubApi, m: Manifest): Promise<void> {
  const pathOf = PATHS[m.kind];
  assert.ok(pathOf, `no path for ${m.kind}`);
  const created = await api.request('POST', pathOf(m), m);
  if (created.status === 201) return;
  assert.equal(created.status, 409, `${m.kind} ${m.metadata.name}: ${created.status} ${created.message}`);
  // Secrets and namespaces stay as they are (a token Secret is filled in by the token controller).
  if (m.kind === 'Secret' || m.kind === 'Namespace') return;
  const cur = await api.request<{ metadata: { resourceVersion: string } }>('GET', `${pathOf(m)}/${m.metadata.name}`);
  const put = await api.request('PUT', `${pathOf(m)}/${m.metadata.name}`, {
    ...m,
    metadata: { ...m.metadata, resourceVersion: cur.body.metadata.resourceVersion },
  });
  assert.equal(put.status, 200, `${m.kind} ${m.metadata.name}: ${put.status} ${put.message}`);
}

interface Access {
  verb: string;
  group?: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

async function allowed(api: HubApi, user: string, a: Access): Promise<boolean> {
  const sa = user.split(':');
  const res = await api.request<{ status: { allowed: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${sa[2]}`, 'system:authenticated'],
        resourceAttributes: { group: a.group ?? '', ...a },
      },
    },
  );
  assert.equal(res.status, 201, res.message);
  return res.body.status.allowed;
}

const ZK = 'zonekeeper.io';
const show = (a: Access): string =>
  `${a.verb} ${a.group ? a.group + '/' : ''}${a.resource}${a.subresource ? '/' + a.subresource : ''}${a.namespace ? ' in ' + a.namespace : ' cluster-wide'}`;

const OPERATOR_ALLOWED: Access[] = [
  { verb: 'list', group: ZK, resource: 'executionzones' },
  { verb: 'watch', group: ZK, resource: 'zonereleases' },
  { verb: 'patch', group: ZK, resource: 'executionzones', namespace: 'tenant-a' },
  { verb: 'patch', group: ZK, resource: 'executionzones', subresource: 'status', namespace: 'tenant-a' },
  { verb: 'update', group: ZK, resource: 'zonereleases', subresource: 'status', namespace: 'tenant-a' },
  { verb: 'watch', group: ZK, resource: 'providerclusters' },
  { verb: 'patch', group: ZK, resource: 'providerclusters', subresource: 'status' },
  { verb: 'list', group: ZK, resource: 'privacyregions' },
  { verb: 'watch', group: ZK, resource: 'privacyregions' },
  { verb: 'patch', group: ZK, resource: 'privacyregions', subresource: 'status' },
  { verb: 'get', resource: 'secrets', namespace: NS },
  // Renewing a member's token rewrites its kubeconfig Secret (a merge patch).
  { verb: 'patch', resource: 'secrets', namespace: NS },
  { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: NS },
  { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: NS },
  { verb: 'create', group: 'events.k8s.io', resource: 'events', namespace: 'tenant-a' },
];

const OPERATOR_DENIED: Access[] = [
  { verb: 'create', group: ZK, resource: 'executionzones', namespace: 'tenant-a' },
  { verb: 'delete', group: ZK, resource: 'executionzones', namespace: 'tenant-a' },
  { verb: 'create', group: ZK, resource: 'zonereleases', namespace: 'tenant-a' },
  { verb: 'delete', group: ZK, resource: 'zonereleases', namespace: 'tenant-a' },
  { verb: 'update', group: ZK, resource: 'providerclusters' },
  { verb: 'delete', group: ZK, resource: 'providerclusters' },
  { verb: 'create', group: ZK, resource: 'privacyregions' },
  { verb: 'update', group: ZK, resource: 'privacyregions' },
  { verb: 'delete', group: ZK, resource: 'privacyregions' },
  { verb: 'get', resource: 'secrets', namespace: 'kube-system' },
  { verb: 'get', resource: 'secrets', namespace: 'tenant-a' },
  { verb: 'list', resource: 'secrets' },
  { verb: 'create', resource: 'secrets', namespace: NS },
  { verb: 'patch', resource: 'secrets', namespace: 'kube-system' },
  { verb: 'update', resource: 'secrets', namespace: NS },
  { verb: 'delete', resource: 'secrets', namespace: NS },
  // Read by name only: a list or watch would return every Secret of the namespace.
  { verb: 'list', resource: 'secrets', namespace: NS },
  { verb: 'watch', resource: 'secrets', namespace: NS },
  { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: 'tenant-a' },
  { verb: 'create', resource: 'pods', namespace: 'tenant-a' },
  { verb: 'get', resource: 'configmaps', namespace: NS },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  { verb: 'create', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
];

const MEMBER_ALLOWED: Access[] = [
  { verb: 'create', resource: 'namespaces' },
  { verb: 'delete', resource: 'namespaces' },
  { verb: 'create', resource: 'pods', namespace: 'zone-755b94a1' },
  { verb: 'delete', resource: 'pods', namespace: 'zone-755b94a1' },
  { verb: 'watch', resource: 'pods' },
  { verb: 'create', group: 'kubevirt.io', resource: 'virtualmachines', namespace: 'zone-9ed1d0da' },
  { verb: 'list', group: 'kubevirt.io', resource: 'virtualmachineinstances' },
  { verb: 'list', resource: 'nodes' },
  { verb: 'list', group: 'metrics.k8s.io', resource: 'pods', namespace: 'zone-755b94a1' },
  { verb: 'get', group: 'metrics.k8s.io', resource: 'pods', namespace: 'zone-755b94a1' },
];

const MEMBER_DENIED: Access[] = [
  { verb: 'update', resource: 'pods', namespace: 'zone-755b94a1' },
  { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'zone-755b94a1' },
  { verb: 'create', group: 'kubevirt.io', resource: 'virtualmachineinstances', namespace: 'zone-9ed1d0da' },
  { verb: 'get', resource: 'secrets', namespace: 'kube-system' },
  { verb: 'update', resource: 'nodes' },
  { verb: 'watch', group: 'metrics.k8s.io', resource: 'pods' },
  { verb: 'list', group: 'metrics.k8s.io', resource: 'nodes' },
  { verb: 'create', group: 'apps', resource: 'deployments', namespace: 'zone-755b94a1' },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'zone-755b94a1' },
];

const GATEWAY_ALLOWED: Access[] = [
  // As a tenant (impersonation), only what a message needs, only in a namespace it serves.
  { verb: 'impersonate-on:serviceaccount:create', group: ZK, resource: 'executionzones', namespace: TENANT },
  { verb: 'impersonate-on:user-info:update', group: ZK, resource: 'executionzones', namespace: TENANT },
  { verb: 'impersonate-on:user-info:get', group: ZK, resource: 'executionzones', namespace: TENANT },
  { verb: 'impersonate-on:serviceaccount:create', group: ZK, resource: 'zonereleases', namespace: TENANT },
  { verb: 'impersonate:user-info', group: 'authentication.k8s.io', resource: 'users', name: 'alice' },
  { verb: 'impersonate:user-info', group: 'authentication.k8s.io', resource: 'groups', name: 'tenants' },
  {
    verb: 'impersonate:serviceaccount',
    group: 'authentication.k8s.io',
    resource: 'serviceaccounts',
    namespace: TENANT,
    name: 'ci',
  },
  { verb: 'list', group: ZK, resource: 'privacyregions' },
  // The web view: read-only watch of zones and the catalogue, filtered per viewer by SubjectAccessReview.
  { verb: 'watch', group: ZK, resource: 'executionzones' },
  { verb: 'watch', group: ZK, resource: 'providerclusters' },
  { verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' },
  { verb: 'create', group: 'authorization.k8s.io', resource: 'subjectaccessreviews' },
];

const GATEWAY_DENIED: Access[] = [
  // It writes nothing as itself.
  { verb: 'create', group: ZK, resource: 'executionzones', namespace: TENANT },
  { verb: 'update', group: ZK, resource: 'executionzones', namespace: TENANT },
  { verb: 'create', group: ZK, resource: 'zonereleases', namespace: TENANT },
  { verb: 'impersonate-on:user-info:create', group: ZK, resource: 'executionzones', namespace: 'tenant-other' },
  { verb: 'impersonate-on:user-info:delete', group: ZK, resource: 'executionzones', namespace: TENANT },
  { verb: 'impersonate-on:user-info:patch', group: ZK, resource: 'providerclusters' },
  { verb: 'impersonate-on:user-info:get', resource: 'secrets', namespace: TENANT },
  // The unconstrained verb would make it anyone, everywhere.
  { verb: 'impersonate', resource: 'users', name: 'alice' },
  { verb: 'impersonate', resource: 'groups', name: 'system:masters' },
  { verb: 'impersonate:arbitrary-node', group: 'authentication.k8s.io', resource: 'nodes' },
  { verb: 'delete', group: ZK, resource: 'executionzones', namespace: TENANT },
  { verb: 'patch', group: ZK, resource: 'executionzones', subresource: 'status', namespace: TENANT },
  { verb: 'delete', group: ZK, resource: 'zonereleases', namespace: TENANT },
  { verb: 'create', group: ZK, resource: 'providerclusters' },
  { verb: 'create', group: ZK, resource: 'privacyregions' },
  { verb: 'patch', group: ZK, resource: 'privacyregions', subresource: 'status' },
  { verb: 'update', group: ZK, resource: 'providerclusters' },
  { verb: 'list', resource: 'secrets' },
  { verb: 'get', resource: 'secrets', namespace: NS },
];

/** Any authenticated user, here a ServiceAccount with no binding of its own. */
const ANYONE = 'system:serviceaccount:tenant-unbound:dana';
/** zonekeeper-catalogue-reader, bound to system:authenticated: tenants write rules against the providers' facts. */
const ANYONE_ALLOWED: Access[] = [
  { verb: 'list', group: ZK, resource: 'providerclusters' },
  { verb: 'watch', group: ZK, resource: 'providerclusters' },
  { verb: 'get', group: ZK, resource: 'providerclusters', subresource: 'status' },
  { verb: 'get', group: ZK, resource: 'privacyregions' },
  { verb: 'list', group: ZK, resource: 'privacyregions' },
];
const ANYONE_DENIED: Access[] = [
  { verb: 'create', group: ZK, resource: 'providerclusters' },
  { verb: 'update', group: ZK, resource: 'providerclusters' },
  { verb: 'patch', group: ZK, resource: 'providerclusters', subresource: 'status' },
  { verb: 'delete', group: ZK, resource: 'privacyregions' },
  // The catalogue names the member kubeconfig Secrets; reading it opens none of them.
  { verb: 'get', resource: 'secrets', namespace: NS },
  { verb: 'list', group: ZK, resource: 'executionzones' },
  { verb: 'create', group: ZK, resource: 'executionzones', namespace: 'tenant-a' },
];

describe('RBAC shipped in deploy/ is least privilege', function () {
  this.timeout(60_000);
  let hub: HubApi;
  let member: HubApi;

  before(async () => {
    hub = await HubApi.connect();
    for (const m of manifests('deploy/hub/00-namespace.yaml')) await apply(hub, m);
    for (const m of manifests('deploy/hub/10-rbac.yaml')) await apply(hub, m);
    // In the test bed the member role goes where it belongs, a member; on a lone API server, beside the hub's.
    const first = process.env['ZONEKEEPER_ADMISSION_KUBECONFIG'] ? undefined : memberClusters(testbed())[0];
    member = first ? await HubApi.connect(first.name) : hub;
    for (const m of manifests('deploy/member-rbac.yaml')) await apply(member, m);
    // What docs/install.md tells an admin to do for each tenant namespace the gateway serves.
    await apply(hub, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: TENANT } });
    await apply(hub, gatewayRoleBinding(TENANT) as unknown as Manifest);
  });

  after(async () => {
    await hub.deleteNamespace(TENANT);
  });

  for (const a of OPERATOR_ALLOWED)
    it(`lets the operator ${show(a)}`, async () => assert.equal(await allowed(hub, OPERATOR, a), true));
  for (const a of OPERATOR_DENIED)
    it(`does not let the operator ${show(a)}`, async () => assert.equal(await allowed(hub, OPERATOR, a), false));
  for (const a of MEMBER_ALLOWED)
    it(`lets the member ServiceAccount ${show(a)}`, async () => assert.equal(await allowed(member, MEMBER, a), true));
  for (const a of GATEWAY_ALLOWED)
    it(`lets the gateway ${show(a)}`, async () => assert.equal(await allowed(hub, GATEWAY, a), true));
  for (const a of GATEWAY_DENIED)
    it(`does not let the gateway ${show(a)}`, async () => assert.equal(await allowed(hub, GATEWAY, a), false));
  for (const a of MEMBER_DENIED)
    it(`does not let the member ServiceAccount ${show(a)}`, async () =>
      assert.equal(await allowed(member, MEMBER, a), false));
  for (const a of ANYONE_ALLOWED)
    it(`lets any authenticated user ${show(a)}`, async () => assert.equal(await allowed(hub, ANYONE, a), true));
  for (const a of ANYONE_DENIED)
    it(`does not let any authenticated user ${show(a)}`, async () =>
      assert.equal(await allowed(hub, ANYONE, a), false));
});
