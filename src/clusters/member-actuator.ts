// Creates and deletes a zone's objects in one member. Creation is
// idempotent (deterministic names; 409 AlreadyExists counts as done), so
// a crash between "allocation committed" and "pod created", or two
// attempts at once, can never make a second pod.

import {
  KubeError,
  type KubeObject,
  type ResourceRef,
  isAlreadyExists,
  isNotFound,
  resourcePath,
} from '../runtime/kube-client.js';
import type { RestartPolicy } from '../core/api/types.js';
import type { ZoneNetworkPlan } from '../core/network/types.js';
import { errorText } from '../runtime/logger.js';
import type { InstanceAllocation } from '../core/zones/allocation.js';
import type { Member } from './member-cluster-cache.js';
import {
  LABELS,
  type MemberPod,
  type MemberVm,
  NAMESPACES,
  NETWORK_ATTACHMENTS,
  PODS,
  VIRTUAL_MACHINES,
  type ZoneIdentity,
  desiredAttachment,
  desiredNamespace,
  desiredPod,
  desiredVm,
  instanceObjectName,
  ownsNamespace,
  zoneNamespace,
} from './member-objects.js';

/**
 * Makes the zone's namespace, or finds the one zonekeeper made before. A
 * namespace of that name that zonekeeper did not make for this zone is never
 * adopted: its pods, quotas and policies are someone else's.
 */
export async function ensureNamespace(
  m: Pick<Member, 'client' | 'vms' | 'namespaces'>,
  z: ZoneIdentity,
): Promise<void> {
  const ns = zoneNamespace(z.applicationId);
  if (m.namespaces.has(ns)) return;
  try {
    await m.client.create(resourcePath(NAMESPACES), desiredNamespace(z, m.vms));
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const found = await m.client.get<KubeObject>(resourcePath(NAMESPACES, undefined, ns));
    if (!ownsNamespace(found, z.applicationId)) {
      throw new ForeignNamespaceError(
        `namespace ${ns} exists in the member and was not made by zonekeeper for this zone: refusing to adopt it`,
      );
    }
  }
  m.namespaces.add(ns);
}

/** The zone's namespace name is taken by a namespace zonekeeper does not own. */
export class ForeignNamespaceError extends Error {
  override readonly name = 'ForeignNamespaceError';
}

/**
 * Makes the zone's NetworkAttachmentDefinition in its namespace, or brings
 * the one there to the wanted config (the provider's uplink changed; pods
 * made afterwards use the new one). Called before any instance of the
 * zone is created in the member: a pod asking Multus for a network that is
 * not there would not start. A member without the CRD (no Multus) answers
 * 404 on the create, which the zone reports.
 */
export async function ensureAttachment(
  m: Pick<Member, 'client' | 'attachments' | 'namespaces'>,
  z: ZoneIdentity,
  plan: ZoneNetworkPlan,
  uplink: string,
): Promise<void> {
  const want = desiredAttachment(z, plan, uplink);
  const ns = want.metadata.namespace;
  const key = `${ns}/${want.metadata.name}`;
  if (m.attachments.get(key) === want.spec.config) return;
  const path = resourcePath(NETWORK_ATTACHMENTS, ns, want.metadata.name);
  let found: (KubeObject & { spec?: { config?: string } }) | undefined;
  try {
    found = await m.client.get<KubeObject & { spec?: { config?: string } }>(path);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    if (!found) await m.client.create(resourcePath(NETWORK_ATTACHMENTS, ns), want);
    else if (found.spec?.config !== want.spec.config || !ownsAttachment(found, z.applicationId))
      await m.client.replace(path, {
        ...want,
        metadata: { ...want.metadata, resourceVersion: found.metadata?.resourceVersion },
      });
  } catch (err) {
    if (isNotFound(err)) {
      m.namespaces.delete(ns);
      throw new AttachmentError(
        `NetworkAttachmentDefinition ${key} not written: ${errorText(err)} (is Multus's CRD network-attachment-definitions.k8s.cni.cncf.io installed in the member, and the namespace there?)`,
      );
    }
    // Made at the same moment by another pass: it reads back next time.
    if (!isAlreadyExists(err)) throw err;
    return;
  }
  m.attachments.set(key, want.spec.config);
}

/** The zone's NetworkAttachmentDefinition could not be written in a member. */
export class AttachmentError extends Error {
  override readonly name = 'AttachmentError';
}

const ownsAttachment = (o: KubeObject, applicationId: string): boolean =>
  o.metadata?.labels?.[LABELS.applicationId] === applicationId.toLowerCase();

/**
 * Creates the instance on its zone's network (`plan`) with its group's
 * restart policy; its zone's attachment must exist (ensureAttachment).
 */
export async function createInstance(
  m: Member,
  z: ZoneIdentity,
  i: InstanceAllocation,
  plan: ZoneNetworkPlan,
  restart?: RestartPolicy,
): Promise<void> {
  const ns = zoneNamespace(z.applicationId);
  const vm = i.environment === 'VM';
  const body: KubeObject = vm ? desiredVm(z, i, plan, restart) : desiredPod(z, i, plan, restart);
  await untilServiceAccount(() => createOnce(m, ns, vm, body));
}

/**
 * Runs `create` again while the member refuses it because the namespace,
 * made a moment ago, has no default ServiceAccount yet: the admission
 * plugin refuses pods until it has, and waiting here briefly beats sending
 * the zone to the back of the queue. Backing off (25 ms doubling to 400 ms,
 * about 6 s in all) keeps a slow ServiceAccount controller from being
 * answered with a storm of refused creates, each of which costs the member
 * API server.
 */
export async function untilServiceAccount(create: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await create();
      return;
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 403 && /serviceaccount/i.test(err.message) && attempt < 20))
        throw err;
      await new Promise((r) => setTimeout(r, Math.min(25 * 2 ** attempt, 400)));
    }
  }
}

async function createOnce(m: Member, ns: string, vm: boolean, body: KubeObject): Promise<void> {
  try {
    await m.client.create(resourcePath(vm ? VIRTUAL_MACHINES : PODS, ns), body);
  } catch (err) {
    if (isAlreadyExists(err)) return;
    // The namespace went away under us (a cleanup raced, or the member was reset).
    if (isNotFound(err)) m.namespaces.delete(ns);
    throw err;
  }
}

export async function deleteInstance(m: Member, applicationId: string, objectName: string, vm: boolean): Promise<void> {
  try {
    await m.client.delete(resourcePath(vm ? VIRTUAL_MACHINES : PODS, zoneNamespace(applicationId), objectName), {
      gracePeriodSeconds: 0,
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * Removes a zone from a member: its pods and VMs, its
 * NetworkAttachmentDefinitions (in the same pass: a zone's next pass sees
 * no object there and does not come back; Multus tears a pod's interfaces
 * down from its own cache, not from the definition), then its namespace.
 * True once no instance object of the zone is left. The namespace itself
 * is not waited for: its finalization belongs to the member's namespace
 * controller and can take long (or stall) without holding anything of
 * the zone; orphan collection deletes it again if it ever comes back.
 */
export async function deleteZoneObjects(m: Member, applicationId: string): Promise<boolean> {
  const id = applicationId.toLowerCase();
  const ns = zoneNamespace(id);
  m.namespaces.delete(ns);
  for (const key of [...m.attachments.keys()]) if (key.startsWith(`${ns}/`)) m.attachments.delete(key);
  const selector = `${LABELS.applicationId}=${id}`;
  const kinds: [ResourceRef, boolean][] = [[PODS, false]];
  if (m.vms) kinds.push([VIRTUAL_MACHINES, true]);
  let left = 0;
  for (const [ref, vm] of kinds) {
    let items: KubeObject[];
    try {
      items = (await m.client.list<KubeObject>(resourcePath(ref, ns), { labelSelector: selector })).items;
    } catch (err) {
      if (isNotFound(err)) continue;
      throw err;
    }
    for (const o of items) {
      left++;
      if (!o.metadata?.deletionTimestamp) await deleteInstance(m, id, o.metadata?.name ?? '', vm);
    }
  }
  await deleteAttachments(m, ns, selector);
  try {
    const got = await m.client.get<KubeObject>(resourcePath(NAMESPACES, undefined, ns));
    if (!got.metadata?.deletionTimestamp)
      await m.client.delete(resourcePath(NAMESPACES, undefined, ns), { propagationPolicy: 'Background' });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return left === 0;
}

/** The zone's NetworkAttachmentDefinitions in `ns` (by label); a member without the CRD has none. */
export async function deleteAttachments(m: Pick<Member, 'client'>, ns: string, selector: string): Promise<number> {
  let items: KubeObject[];
  try {
    items = (await m.client.list<KubeObject>(resourcePath(NETWORK_ATTACHMENTS, ns), { labelSelector: selector })).items;
  } catch (err) {
    if (isNotFound(err)) return 0;
    throw err;
  }
  for (const o of items) {
    try {
      await m.client.delete(resourcePath(NETWORK_ATTACHMENTS, ns, o.metadata?.name ?? ''));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return items.length;
}

/** The zone's instance objects this member holds, from the informer cache, by instance name. */
export function zoneObjects(m: Member, applicationId: string): Map<string, { obj: MemberPod | MemberVm; vm: boolean }> {
  const out = new Map<string, { obj: MemberPod | MemberVm; vm: boolean }>();
  const id = applicationId.toLowerCase();
  const ns = zoneNamespace(id);
  for (const p of m.pods.listNamespace(ns)) {
    if (p.metadata?.labels?.[LABELS.applicationId] === id)
      out.set(p.metadata.labels?.[LABELS.instance] ?? instanceObjectName(p.metadata.name ?? ''), { obj: p, vm: false });
  }
  for (const v of m.virtualMachines?.listNamespace(ns) ?? []) {
    if (v.metadata?.labels?.[LABELS.applicationId] === id)
      out.set(v.metadata.labels?.[LABELS.instance] ?? instanceObjectName(v.metadata.name ?? ''), { obj: v, vm: true });
  }
  return out;
}

export { instanceObjectName };
