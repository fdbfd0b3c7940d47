// Least-privilege RBAC for the operator, as data. deploy/hub/rbac.yaml,
// deploy/member-rbac.yaml and the Helm chart's rule files are generated
// from here, so the plain manifests and the chart grant exactly the same.
//
// Why each rule exists is said next to it; a rule without a reason is one
// the operator does not need.

import { API_GROUP } from '../../src/core/api/types.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export const OPERATOR_NAMESPACE = 'zonekeeper-system';
export const OPERATOR_SERVICE_ACCOUNT = 'zonekeeper-operator';
export const OPERATOR_CLUSTER_ROLE = 'zonekeeper-operator';
export const OPERATOR_ROLE = 'zonekeeper-operator';
export const MEMBER_SERVICE_ACCOUNT = 'zonekeeper-member';
export const MEMBER_CLUSTER_ROLE = 'zonekeeper-member';
export const MEMBER_TOKEN_ROLE = 'zonekeeper-member-token-request';
export const GATEWAY_SERVICE_ACCOUNT = 'zonekeeper-gateway';
export const GATEWAY_ROLE = 'zonekeeper-gateway';
export const GATEWAY_REGIONS_ROLE = 'zonekeeper-gateway-regions';

const WATCH = ['get', 'list', 'watch'];

/** Cluster-wide on the hub: zones live in tenants' namespaces, providers and regions are cluster-scoped. */
export const OPERATOR_CLUSTER_RULES: readonly PolicyRule[] = [
  // Zones and releases are reconciled; update/patch on the object itself is
  // needed to add and remove the cleanup finalizer (metadata.finalizers).
  { apiGroups: [API_GROUP], resources: ['executionzones', 'zonereleases'], verbs: [...WATCH, 'update', 'patch'] },
  // No delete: a whole-zone ZoneRelease releases the zone's resources and marks it Released; the
  // object itself stays for its owner (or a GitOps tool) to delete.
  {
    apiGroups: [API_GROUP],
    resources: ['executionzones/status', 'zonereleases/status'],
    verbs: ['get', 'update', 'patch'],
  },
  // With OwnerReferencesPermissionEnforcement, setting blockOwnerDeletion needs update on finalizers.
  { apiGroups: [API_GROUP], resources: ['executionzones/finalizers', 'zonereleases/finalizers'], verbs: ['update'] },
  // The catalogue and the regions are read; only their status is written.
  { apiGroups: [API_GROUP], resources: ['providerclusters', 'privacyregions'], verbs: WATCH },
  {
    apiGroups: [API_GROUP],
    resources: ['providerclusters/status', 'privacyregions/status'],
    verbs: ['get', 'update', 'patch'],
  },
  // Events (events.k8s.io/v1, src/runtime/events.ts) on every important transition, in the object's namespace.
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];

/** Only in the operator's namespace. */
export const OPERATOR_NAMESPACE_RULES: readonly PolicyRule[] = [
  // Member kubeconfigs (ProviderCluster spec.kubeconfigSecretRef), read by name on each probe
  // (member-cluster-cache.ts) and patched when the operator renews a member's short-lived token
  // (member-credential-renewal.ts; a merge patch with a resourceVersion precondition, so no
  // update). No list or watch: that would hand over every Secret of the namespace at once.
  // resourceNames cannot narrow get and patch, as the names come from the ProviderClusters; keep
  // other Secrets out of this namespace (docs/security.md).
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'patch'] },
  // Leader election on a coordination.k8s.io Lease.
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: [...WATCH, 'create', 'update', 'patch', 'delete'],
  },
];

/** In every member cluster, for the ServiceAccount whose token the kubeconfig Secret holds. */
export const MEMBER_CLUSTER_RULES: readonly PolicyRule[] = [
  // One namespace per zone, created on placement and deleted by the zone's finalizer. Zone
  // namespaces are made on demand, which is why the rules below cannot be a per-namespace Role.
  { apiGroups: [''], resources: ['namespaces'], verbs: [...WATCH, 'create', 'delete'] },
  // Container instances are pods.
  { apiGroups: [''], resources: ['pods'], verbs: [...WATCH, 'create', 'delete'] },
  // VM instances are KubeVirt VirtualMachines; their instances carry the IP address.
  { apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: [...WATCH, 'create', 'delete'] },
  { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: WATCH },
  // Each zone's Multus NetworkAttachmentDefinition in its namespace: read and written before its
  // instances (get, create; update when the provider's uplink changed), deleted with the zone, and
  // listed by label for cleanup and orphan collection. No watch: nothing waits on them.
  {
    apiGroups: ['k8s.cni.cncf.io'],
    resources: ['network-attachment-definitions'],
    verbs: ['get', 'list', 'create', 'update', 'delete'],
  },
  // Capacity from node allocatable, and pinning instances to matching nodes.
  { apiGroups: [''], resources: ['nodes'], verbs: WATCH },
  // The ZoneRelease triggers usage and stall read a zone's pod metrics (metrics.k8s.io, served by
  // the member's metrics-server through its aggregator); read only, never watched.
  { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['get', 'list'] },
];

/**
 * In the member's zonekeeper-system only: the member identity asks the TokenRequest API for a
 * fresh token of its own, before the one it holds expires (the operator renews the kubeconfig
 * Secret on the hub). resourceNames keeps it to its own ServiceAccount: no token for anyone else.
 */
export const MEMBER_TOKEN_RULES: readonly PolicyRule[] = [
  {
    apiGroups: [''],
    resources: ['serviceaccounts/token'],
    verbs: ['create'],
    resourceNames: [MEMBER_SERVICE_ACCOUNT],
  },
];

/**
 * The REST gateway (src/gateway, docs/gateway.md) writes nothing as itself:
 * an INIT creates or appends to an ExecutionZone, a STOP creates a
 * ZoneRelease, each as the tenant who sent it (impersonation). Constrained
 * impersonation (Kubernetes 1.36+) asks two things of the gateway: that it
 * may impersonate that kind of user at all (cluster-wide rules below), and
 * that it may do so for this verb on this resource, which these rules grant,
 * bound with a RoleBinding in each tenant namespace the gateway serves. The
 * tenant's own rights are checked by the hub on top.
 */
const IMPERSONATION_MODES = ['user-info', 'serviceaccount'] as const;
const impersonateOn = (...verbs: string[]): string[] =>
  IMPERSONATION_MODES.flatMap((mode) => verbs.map((verb) => `impersonate-on:${mode}:${verb}`));
export const GATEWAY_RULES: readonly PolicyRule[] = [
  { apiGroups: [API_GROUP], resources: ['executionzones'], verbs: impersonateOn('get', 'create', 'update') },
  { apiGroups: [API_GROUP], resources: ['zonereleases'], verbs: impersonateOn('create') },
];
/** Cluster-wide for the gateway. */
export const GATEWAY_CLUSTER_RULES: readonly PolicyRule[] = [
  // User-defined regions are honoured in messages.
  { apiGroups: [API_GROUP], resources: ['privacyregions'], verbs: ['get', 'list'] },
  // The web view watches every zone and the catalogue, read-only; each viewer
  // is shown only the namespaces a SubjectAccessReview says they may list.
  { apiGroups: [API_GROUP], resources: ['executionzones', 'providerclusters'], verbs: WATCH },
  // Who a bearer token belongs to, and what they may do.
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  // Which tenants the gateway may act as: people and ServiceAccounts, never a
  // node, never system:masters (the hub refuses that group in these modes);
  // only for the verbs GATEWAY_RULES grant, in the namespaces it is bound in.
  {
    apiGroups: ['authentication.k8s.io'],
    resources: ['users', 'groups', 'uids', 'userextras'],
    verbs: ['impersonate:user-info'],
  },
  { apiGroups: ['authentication.k8s.io'], resources: ['serviceaccounts'], verbs: ['impersonate:serviceaccount'] },
];

/** For tenants: aggregated into the built-in edit/admin and view roles. */
export const ZONE_EDITOR_RULES: readonly PolicyRule[] = [
  {
    apiGroups: [API_GROUP],
    resources: ['executionzones', 'zonereleases'],
    verbs: [...WATCH, 'create', 'update', 'patch', 'delete'],
  },
  { apiGroups: [API_GROUP], resources: ['executionzones/status', 'zonereleases/status'], verbs: ['get'] },
];
export const ZONE_VIEWER_RULES: readonly PolicyRule[] = [
  {
    apiGroups: [API_GROUP],
    resources: ['executionzones', 'zonereleases', 'executionzones/status', 'zonereleases/status'],
    verbs: WATCH,
  },
];
/**
 * For tenants: the catalogue and the regions, read-only. A tenant writes its
 * privacy rules against the providers' facts (country, autonomous systems,
 * equipment vendors; the paper's Table I) and the regions' names, and
 * `zonectl why` explains a placement from them. Kubeconfig contents stay in
 * Secrets, which this does not open.
 */
export const CATALOGUE_READER_RULES: readonly PolicyRule[] = [
  {
    apiGroups: [API_GROUP],
    resources: ['providerclusters', 'privacyregions', 'providerclusters/status', 'privacyregions/status'],
    verbs: WATCH,
  },
];
export const CATALOGUE_READER_ROLE = 'zonekeeper-catalogue-reader';
/** Whom deploy/hub binds the reader role to (the chart: rbac.catalogueReaders). */
export const CATALOGUE_READERS: readonly Manifest[] = [
  { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated' },
];

/** For platform admins: the catalogue and the regions. */
export const CATALOGUE_ADMIN_RULES: readonly PolicyRule[] = [
  {
    apiGroups: [API_GROUP],
    resources: ['providerclusters', 'privacyregions'],
    verbs: [...WATCH, 'create', 'update', 'patch', 'delete'],
  },
  { apiGroups: [API_GROUP], resources: ['providerclusters/status', 'privacyregions/status'], verbs: ['get'] },
];

export type Manifest = Record<string, unknown>;
const LABELS = { 'app.kubernetes.io/name': 'zonekeeper', 'app.kubernetes.io/part-of': 'zonekeeper' };

function clusterRole(name: string, rules: readonly PolicyRule[], labels: Record<string, string> = {}): Manifest {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { ...LABELS, ...labels } },
    rules,
  };
}

function serviceAccount(name: string, namespace: string): Manifest {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: LABELS } };
}

function subject(name: string, namespace: string): Manifest {
  return { kind: 'ServiceAccount', name, namespace };
}

/** Binds the role `name` (a binding of the same name) to a ServiceAccount; cluster-wide unless `bindingNamespace`. */
function binding(
  name: string,
  roleKind: 'ClusterRole' | 'Role',
  account: string,
  accountNamespace: string,
  bindingNamespace?: string,
): Manifest {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: bindingNamespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
    metadata: { name, ...(bindingNamespace === undefined ? {} : { namespace: bindingNamespace }), labels: LABELS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [subject(account, accountNamespace)],
  };
}

/** The hub's RBAC: ServiceAccount, ClusterRole + binding, Role + binding, and the user-facing roles. */
export function hubRbacManifests(namespace = OPERATOR_NAMESPACE): Manifest[] {
  return [
    serviceAccount(OPERATOR_SERVICE_ACCOUNT, namespace),
    clusterRole(OPERATOR_CLUSTER_ROLE, OPERATOR_CLUSTER_RULES),
    binding(OPERATOR_CLUSTER_ROLE, 'ClusterRole', OPERATOR_SERVICE_ACCOUNT, namespace),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: OPERATOR_ROLE, namespace, labels: LABELS },
      rules: OPERATOR_NAMESPACE_RULES,
    },
    binding(OPERATOR_ROLE, 'Role', OPERATOR_SERVICE_ACCOUNT, namespace, namespace),
    clusterRole('zonekeeper-zone-editor', ZONE_EDITOR_RULES, {
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
    }),
    clusterRole('zonekeeper-zone-viewer', ZONE_VIEWER_RULES, { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }),
    clusterRole('zonekeeper-catalogue-admin', CATALOGUE_ADMIN_RULES),
    clusterRole(CATALOGUE_READER_ROLE, CATALOGUE_READER_RULES),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: CATALOGUE_READER_ROLE, labels: LABELS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CATALOGUE_READER_ROLE },
      subjects: CATALOGUE_READERS,
    },
    // The gateway's identity and roles; bind zonekeeper-gateway per tenant namespace (docs/install.md).
    serviceAccount(GATEWAY_SERVICE_ACCOUNT, namespace),
    clusterRole(GATEWAY_ROLE, GATEWAY_RULES),
    clusterRole(GATEWAY_REGIONS_ROLE, GATEWAY_CLUSTER_RULES),
    binding(GATEWAY_REGIONS_ROLE, 'ClusterRole', GATEWAY_SERVICE_ACCOUNT, namespace),
  ];
}

/** The RoleBinding that lets the gateway act for tenants in one tenant namespace. */
export function gatewayRoleBinding(tenantNamespace: string, namespace = OPERATOR_NAMESPACE): Manifest {
  return binding(GATEWAY_ROLE, 'ClusterRole', GATEWAY_SERVICE_ACCOUNT, namespace, tenantNamespace);
}

const MANAGED = `has(%s.metadata.labels) && 'app.kubernetes.io/managed-by' in %s.metadata.labels && %s.metadata.labels['app.kubernetes.io/managed-by'] == 'zonekeeper'`;
const managed = (o: string): string => MANAGED.replaceAll('%s', o);
const notSet = (path: string): string => `!has(${path}) || !${path}`;

/**
 * What RBAC cannot say about the member identity: its namespaces are only
 * zonekeeper's own (zk-*, labelled, with a Pod Security level), its pods,
 * VMs and network attachments live only in those, and its pods never ask for privilege. Bound
 * to the member ServiceAccount alone, so nothing else in the member is
 * affected. A ValidatingAdmissionPolicy (GA in Kubernetes 1.30) is the
 * member's own API server enforcing it: no webhook to run or trust.
 */
export function memberScopePolicy(namespace = OPERATOR_NAMESPACE): Manifest[] {
  const name = 'zonekeeper-member-scope';
  const username = `system:serviceaccount:${namespace}:${MEMBER_SERVICE_ACCOUNT}`;
  const ops = ['CREATE', 'UPDATE', 'DELETE'];
  const container = (c: string): string =>
    `has(${c}.securityContext) && has(${c}.securityContext.allowPrivilegeEscalation) && ${c}.securityContext.allowPrivilegeEscalation == false && (${notSet(`${c}.securityContext.privileged`)})`;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels: LABELS },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ops, resources: ['namespaces', 'pods'] },
            { apiGroups: ['kubevirt.io'], apiVersions: ['*'], operations: ops, resources: ['virtualmachines'] },
            {
              apiGroups: ['k8s.cni.cncf.io'],
              apiVersions: ['*'],
              operations: ops,
              resources: ['network-attachment-definitions'],
            },
          ],
        },
        matchConditions: [{ name: 'member-identity', expression: `request.userInfo.username == '${username}'` }],
        variables: [{ name: 'target', expression: "request.operation == 'DELETE' ? oldObject : object" }],
        validations: [
          {
            expression: `request.resource.resource != 'namespaces' || (variables.target.metadata.name.startsWith('zk-') && ${managed('variables.target')})`,
            message:
              "zonekeeper's member identity may only create or delete namespaces it owns (zk-*, app.kubernetes.io/managed-by=zonekeeper)",
            reason: 'Forbidden',
          },
          {
            expression:
              "request.resource.resource != 'namespaces' || request.operation == 'DELETE' || (has(object.metadata.labels) && 'pod-security.kubernetes.io/enforce' in object.metadata.labels && object.metadata.labels['pod-security.kubernetes.io/enforce'] in ['restricted', 'privileged'])",
            message: 'a zone namespace must carry a Pod Security level (pod-security.kubernetes.io/enforce)',
            reason: 'Forbidden',
          },
          {
            expression: `request.resource.resource == 'namespaces' || (namespaceObject != null && ${managed('namespaceObject')})`,
            message:
              "zonekeeper's member identity may only touch pods, VirtualMachines and NetworkAttachmentDefinitions in namespaces zonekeeper owns",
            reason: 'Forbidden',
          },
          {
            expression: [
              `request.resource.resource != 'pods' || request.operation == 'DELETE' || (`,
              `(${notSet('object.spec.hostNetwork')}) && (${notSet('object.spec.hostPID')}) && (${notSet('object.spec.hostIPC')})`,
              ` && (!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath)))`,
              ` && !has(object.spec.initContainers) && !has(object.spec.ephemeralContainers)`,
              ` && object.spec.containers.all(c, ${container('c')}))`,
            ].join(''),
            message:
              "zonekeeper's member identity may only create unprivileged pods (no host namespaces or paths, no privilege escalation)",
            reason: 'Forbidden',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels: LABELS },
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}

/**
 * What an admin applies to each member cluster. No token Secret: the kubeconfig on the hub holds
 * a bound token from the TokenRequest API (`zonectl onboard`), which the operator renews.
 */
export function memberRbacManifests(namespace = OPERATOR_NAMESPACE): Manifest[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: LABELS } },
    serviceAccount(MEMBER_SERVICE_ACCOUNT, namespace),
    clusterRole(MEMBER_CLUSTER_ROLE, MEMBER_CLUSTER_RULES),
    binding(MEMBER_CLUSTER_ROLE, 'ClusterRole', MEMBER_SERVICE_ACCOUNT, namespace),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: MEMBER_TOKEN_ROLE, namespace, labels: LABELS },
      rules: MEMBER_TOKEN_RULES,
    },
    binding(MEMBER_TOKEN_ROLE, 'Role', MEMBER_SERVICE_ACCOUNT, namespace, namespace),
    ...memberScopePolicy(namespace),
  ];
}
