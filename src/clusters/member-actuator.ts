// Creates and deletes a zone's objects in one member. Creation is
// idempotent (deterministic names; 409 AlreadyExists counts as done), so
// a crash between "allocation committed" and "pod created", or two
// attempts at once, can never make a second pod.

import { type KubeObject, isAlreadyExists, isNotFound, resourcePath } from '../runtime/kube-client.js';
import type { InstanceAllocation } from '../core/zones/allocation.js';
import type { Member } from './member-cluster-cache.js';
import { LABELS, type MemberPod, type MemberVm, NAMESPACES, PODS, VIRTUAL_MACHINES, type ZoneIdentity, desiredNamespace, desiredPod, desiredVm, instanceObjectName, zoneNamespace } from './member-objects.js';

export async function ensureNamespace(m: Member, z: ZoneIdentity): Promise<void> {
  const ns = zoneNamespace(z.applicationId);
  if (m.namespaces.has(ns)) return;
  try {
    await m.client.create(resourcePath(NAMESPACES), desiredNamespace(z));
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  m.namespaces.add(ns);
}

export async function createInstance(m: Member, z: ZoneIdentity, i: InstanceAllocation): Promise<void> {
  const ns = zoneNamespace(z.applicationId);
  const vm = i.environment === 'VM';
  const body: KubeObject = vm ? desiredVm(z, i) : desiredPod(z, i);
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
    await m.client.delete(resourcePath(vm ? VIRTUAL_MACHINES : PODS, zoneNamespace(applicationId), objectName), { gracePeriodSeconds: 0 });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Deletes the zone's namespace (and so everything in it). True once it is gone. */
export async function deleteZoneNamespace(m: Member, applicationId: string): Promise<boolean> {
  const ns = zoneNamespace(applicationId);
  m.namespaces.delete(ns);
  try {
    const got = await m.client.get<KubeObject>(resourcePath(NAMESPACES, undefined, ns));
    if (!got.metadata?.deletionTimestamp) await m.client.delete(resourcePath(NAMESPACES, undefined, ns), { propagationPolicy: 'Background' });
    return false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

/** The zone's instance objects this member holds, from the informer cache, by instance name. */
export function zoneObjects(m: Member, applicationId: string): Map<string, { obj: MemberPod | MemberVm; vm: boolean }> {
  const out = new Map<string, { obj: MemberPod | MemberVm; vm: boolean }>();
  const id = applicationId.toLowerCase();
  const ns = zoneNamespace(id);
  for (const p of m.pods.list()) {
    if (p.metadata?.namespace === ns && p.metadata.labels?.[LABELS.applicationId] === id) out.set(p.metadata.labels?.[LABELS.instance] ?? instanceObjectName(p.metadata.name ?? ''), { obj: p, vm: false });
  }
  for (const v of m.virtualMachines?.list() ?? []) {
    if (v.metadata?.namespace === ns && v.metadata.labels?.[LABELS.applicationId] === id) out.set(v.metadata.labels?.[LABELS.instance] ?? instanceObjectName(v.metadata.name ?? ''), { obj: v, vm: true });
  }
  return out;
}

export { instanceObjectName };
