// The ExecutionZone status as a function of the durable allocation: the
// Listing 3 fields (the core's listing3Zone, so zonectl and the operator
// print the same), the instances with their member-side phase and the MAC
// of their zone interface, and the allocation itself.

import type { ExecutionZoneStatus, InstanceStatus } from '../core/api/types.js';
import { instanceMac } from '../core/network/p4-entries.js';
import type { PrivacyMarking } from '../core/network/types.js';
import { ZONE_INTERFACE } from '../core/network/zone-attachment.js';
import { listing3Zone } from '../core/render/listing3.js';
import { storeAllocation, type ZoneAllocation } from '../core/zones/allocation.js';
import { movesOf } from '../core/zones/failover.js';

export function allocationFields(
  a: ZoneAllocation,
  marking: PrivacyMarking,
  globalId: number,
  phases: (provider: string, instance: string) => string | undefined,
  catalogueOrder: readonly string[] = [],
): Partial<ExecutionZoneStatus> {
  const l3 = listing3Zone(a, marking, globalId);
  const out: Partial<ExecutionZoneStatus> = {
    allocation: storeAllocation(a),
    releasedInstances: [...a.released].sort(),
    marking: marking.bits,
  };
  const moved = movesOf(a.groups);
  out.movedInstances = moved.length > 0 ? moved : undefined;
  if (!l3)
    return {
      ...out,
      vlanId: undefined,
      networkId: undefined,
      network: undefined,
      vpn: undefined,
      instances: undefined,
      providers: undefined,
    };
  const used = [...new Set(a.instances.map((i) => i.provider))];
  const rank = (p: string) => (catalogueOrder.indexOf(p) < 0 ? Number.MAX_SAFE_INTEGER : catalogueOrder.indexOf(p));
  used.sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : 1));
  out.providers = used.length > 0 ? used.join(',') : undefined;
  const instances: Record<string, Record<string, InstanceStatus>> = {};
  for (const [provider, list] of Object.entries(l3.instances)) {
    instances[provider] = {};
    for (const [name, i] of Object.entries(list)) {
      const alloc = a.instances.find((x) => x.name === name);
      const phase = phases(provider, name);
      instances[provider][name] = {
        group: alloc?.group ?? '',
        cores: i.cores,
        memory: i.memory,
        storage: i.storage,
        address: i.address,
        mac: instanceMac(i.address),
        interface: ZONE_INTERFACE,
        ...(phase ? { phase } : {}),
      };
    }
  }
  return { ...out, vlanId: l3.vlan_id, networkId: l3.network_id, network: l3.network, vpn: l3.vpn, instances };
}

/** A copy the phases can change without touching the cached object. */
export function cloneStatus(s: ExecutionZoneStatus | undefined): ExecutionZoneStatus {
  return s ? (JSON.parse(JSON.stringify(s)) as ExecutionZoneStatus) : {};
}
