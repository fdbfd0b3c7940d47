// The phases of a zone's KubeVirt VirtualMachineInstances in one member.
// A VM object says only that it stopped; its instance says how the guest
// ended (Succeeded or Failed). Read on demand, by the ZoneRelease trigger
// `completed`, rather than watched: nothing else needs them.

import { isNotFound, type KubeObject, resourcePath, type ResourceRef } from '../runtime/kube-client.js';
import type { Member } from './member-cluster-cache.js';
import { LABELS, zoneNamespace } from './member-objects.js';

export const VIRTUAL_MACHINE_INSTANCES: ResourceRef = {
  group: 'kubevirt.io',
  version: 'v1',
  plural: 'virtualmachineinstances',
  namespaced: true,
};

interface VmInstance extends KubeObject {
  status?: { phase?: string };
}

/** Instance name -> its VMI's phase (`Running`, `Succeeded`, `Failed`, …); a VM without a VMI is absent. */
export async function vmInstancePhases(
  m: Pick<Member, 'client' | 'vms'>,
  applicationId: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!m.vms) return out;
  const id = applicationId.toLowerCase();
  let items: VmInstance[];
  try {
    const path = resourcePath(VIRTUAL_MACHINE_INSTANCES, zoneNamespace(id));
    items = (await m.client.list<VmInstance>(path, { labelSelector: `${LABELS.applicationId}=${id}` })).items;
  } catch (err) {
    if (isNotFound(err)) return out;
    throw err;
  }
  for (const v of items) {
    const name = v.metadata?.labels?.[LABELS.instance];
    if (name && !v.metadata?.deletionTimestamp) out.set(name, v.status?.phase ?? 'Pending');
  }
  return out;
}
