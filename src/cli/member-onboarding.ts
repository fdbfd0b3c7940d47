// Onboarding a member cluster with the least-privilege identity: the member
// manifest (deploy/member-rbac.yaml: the zonekeeper-member ServiceAccount,
// its ClusterRole, the Role that lets it ask tokens for itself, and the
// admission policy) applied to the member, a token for that ServiceAccount
// from the member's TokenRequest API, and the hub's kubeconfig Secret for
// the member written with it. The operator renews the token from then on.
// Objects are written by server-side apply (field manager zonectl), so a
// second run updates what the first made.

import { requestToken } from '../clusters/token-request.js';
import { memberKubeconfig, type MemberEndpoint } from '../clusters/member-kubeconfig.js';
import { serviceAccountTokenClaims } from '../clusters/token-schedule.js';
import { type KubeClient, type KubeObject, type ResourceRef, resourcePath } from '../runtime/kube-client.js';

export const MEMBER_SERVICE_ACCOUNT = 'zonekeeper-member';
const APPLY_PATCH = 'application/apply-patch+yaml';
const FIELD_MANAGER = 'zonectl';

const RBAC = 'rbac.authorization.k8s.io';
const ADMISSION = 'admissionregistration.k8s.io';
/** The kinds deploy/member-rbac.yaml holds. */
const KINDS: Readonly<Record<string, ResourceRef>> = {
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  ServiceAccount: { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true },
  ClusterRole: { group: RBAC, version: 'v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { group: RBAC, version: 'v1', plural: 'clusterrolebindings', namespaced: false },
  Role: { group: RBAC, version: 'v1', plural: 'roles', namespaced: true },
  RoleBinding: { group: RBAC, version: 'v1', plural: 'rolebindings', namespaced: true },
  ValidatingAdmissionPolicy: {
    group: ADMISSION,
    version: 'v1',
    plural: 'validatingadmissionpolicies',
    namespaced: false,
  },
  ValidatingAdmissionPolicyBinding: {
    group: ADMISSION,
    version: 'v1',
    plural: 'validatingadmissionpolicybindings',
    namespaced: false,
  },
};

export interface OnboardInput {
  provider: string;
  member: KubeClient;
  /** The member's API server as the hub's operator reaches it. */
  endpoint: MemberEndpoint;
  hub: KubeClient;
  /** The member manifest's objects. */
  manifests: readonly KubeObject[];
  /** The operator's namespace on the hub, where the kubeconfig Secret goes. */
  namespace: string;
  secretName: string;
  tokenSeconds: number;
}

export interface OnboardResult {
  /** `Kind/name` of each object applied to the member. */
  applied: string[];
  secret: string;
  serviceAccount: string;
  expires: string;
}

/** A step that failed, with what it was doing. */
export class OnboardError extends Error {}

/** The member manifest's objects, checked: known kinds, named, and the member ServiceAccount among them. */
export function checkManifests(manifests: readonly KubeObject[], source: string): { serviceAccountNamespace: string } {
  manifests.forEach((m, i) => {
    if (!m.kind || !KINDS[m.kind])
      throw new OnboardError(
        `${source}: document ${i + 1}: kind ${m.kind ?? '(none)'} is not one a member manifest holds (${Object.keys(KINDS).join(', ')})`,
      );
    if (!m.metadata?.name) throw new OnboardError(`${source}: document ${i + 1} (${m.kind}): metadata.name is missing`);
  });
  const sa = manifests.find((m) => m.kind === 'ServiceAccount' && m.metadata?.name === MEMBER_SERVICE_ACCOUNT);
  const ns = sa?.metadata?.namespace;
  if (!ns) throw new OnboardError(`${source}: no ServiceAccount ${MEMBER_SERVICE_ACCOUNT} with a metadata.namespace`);
  return { serviceAccountNamespace: ns };
}

async function serverSideApply(client: KubeClient, obj: KubeObject, ref: ResourceRef): Promise<void> {
  const path = resourcePath(ref, ref.namespaced ? obj.metadata?.namespace : undefined, obj.metadata?.name);
  await client.request('PATCH', path, {
    body: obj,
    contentType: APPLY_PATCH,
    query: { fieldManager: FIELD_MANAGER, force: true },
  });
}

const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (e) {
    throw new OnboardError(`${what}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`, { cause: e });
  }
};

export async function onboardMember(i: OnboardInput): Promise<OnboardResult> {
  const { serviceAccountNamespace } = checkManifests(i.manifests, 'member manifest');
  const applied: string[] = [];
  for (const obj of i.manifests) {
    const ref = KINDS[obj.kind ?? ''];
    const name = `${obj.kind}/${obj.metadata?.name}`;
    await step(`applying ${name} to the member`, () => serverSideApply(i.member, obj, ref));
    applied.push(name);
  }
  const issued = await step(
    `asking the member for a token of ${serviceAccountNamespace}/${MEMBER_SERVICE_ACCOUNT}`,
    () =>
      requestToken(i.member, {
        namespace: serviceAccountNamespace,
        serviceAccount: MEMBER_SERVICE_ACCOUNT,
        expirationSeconds: i.tokenSeconds,
      }),
  );
  // The operator renews only what it can schedule; say so now rather than when it expires.
  if (!serviceAccountTokenClaims(issued.token))
    throw new OnboardError('the member answered a token that is not a ServiceAccount JWT with an expiry');
  const secret: KubeObject & { type: string; data: Record<string, string> } = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: i.secretName, namespace: i.namespace, labels: { 'zonekeeper.io/member': i.provider } },
    type: 'Opaque',
    data: { kubeconfig: Buffer.from(memberKubeconfig(i.provider, i.endpoint, issued.token)).toString('base64') },
  };
  await step(`writing the kubeconfig Secret ${i.namespace}/${i.secretName} on the hub`, () =>
    serverSideApply(i.hub, secret, { group: '', version: 'v1', plural: 'secrets', namespaced: true }),
  );
  return {
    applied,
    secret: `${i.namespace}/${i.secretName}`,
    serviceAccount: `${serviceAccountNamespace}/${MEMBER_SERVICE_ACCOUNT}`,
    expires: issued.expirationTimestamp,
  };
}
