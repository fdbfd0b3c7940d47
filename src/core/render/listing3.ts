// The paper's Listing 3: per application id the VLAN, VPN links, network
// and instances per provider per name. The operator writes the same shape
// into ExecutionZone status; zonectl prints it.

import type { ExecutionZoneStatus } from '../api/types.js';
import type { ZoneAllocation } from '../zones/allocation.js';
import { buildNetworkPlan, instanceOrder } from '../zones/federation.js';
import type { PrivacyMarking } from '../network/types.js';

export interface Listing3Instance {
  cores: number;
  memory: number;
  storage: number;
  address: string;
}

export interface Listing3Zone {
  vlan_id: number;
  vpn: Record<string, { from: string; to: string }>;
  network_id: number;
  network: string;
  marking: string;
  instances: Record<string, Record<string, Listing3Instance>>;
}

export function listing3Zone(a: ZoneAllocation, marking: PrivacyMarking, globalId: number): Listing3Zone | undefined {
  if (a.vlanId === undefined) return undefined;
  const plan = buildNetworkPlan(a, { marking }, globalId);
  const instances: Record<string, Record<string, Listing3Instance>> = {};
  const sorted = [...a.instances].sort((x, y) => instanceOrder(x.name, y.name));
  for (const p of plan.vpn.map((v) => v.provider)) {
    instances[p] = {};
    for (const i of sorted) {
      if (i.provider === p)
        instances[p][i.name] = { cores: i.cores, memory: i.memory, storage: i.storage, address: i.address };
    }
  }
  return {
    vlan_id: plan.vlanId,
    vpn: Object.fromEntries(plan.vpn.map((v) => [v.provider, { from: v.from, to: v.to }])),
    network_id: plan.networkId,
    network: plan.network,
    marking: plan.marking.bits,
    instances,
  };
}

/** All placed zones, ordered by VLAN (creation order in the paper). */
export function listing3(
  zones: Iterable<{ allocation: ZoneAllocation; marking: PrivacyMarking }>,
  globalId: number,
): Record<string, Listing3Zone> {
  const rows = [...zones]
    .map((z) => [z.allocation.applicationId, listing3Zone(z.allocation, z.marking, globalId)] as const)
    .filter((r): r is readonly [string, Listing3Zone] => r[1] !== undefined)
    .sort((x, y) => x[1].vlan_id - y[1].vlan_id);
  return Object.fromEntries(rows);
}

/**
 * A zone's Listing 3 entry as the operator wrote it into status; undefined
 * while the zone holds no VLAN (waiting, or released whole).
 */
export function listing3FromStatus(status: ExecutionZoneStatus | undefined): Listing3Zone | undefined {
  const s = status;
  if (!s || s.vlanId === undefined || s.networkId === undefined || s.network === undefined) return undefined;
  const instances: Listing3Zone['instances'] = {};
  for (const [p, list] of Object.entries(s.instances ?? {})) {
    instances[p] = {};
    const names = Object.keys(list).sort(instanceOrder);
    for (const n of names) {
      const i = list[n];
      instances[p][n] = { cores: i.cores, memory: i.memory, storage: i.storage, address: i.address };
    }
  }
  return {
    vlan_id: s.vlanId,
    vpn: Object.fromEntries(Object.entries(s.vpn ?? {}).map(([p, v]) => [p, { from: v.from, to: v.to }])),
    network_id: s.networkId,
    network: s.network,
    marking: s.marking ?? '',
    instances,
  };
}
