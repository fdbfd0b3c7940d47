// Which live instances a ZoneRelease names: the whole zone's, or those of
// `spec.instances`. A monitored trigger (idle, completed, usage, stall)
// judges exactly these, and a fired release gives exactly these back.

import type { ExecutionZone, ZoneReleaseSpec } from '../core/api/types.js';
import { loadAllocation, type InstanceAllocation } from '../core/zones/allocation.js';
import { instanceOrder } from '../core/zones/federation.js';

export interface ScopedInstance {
  name: string;
  provider: string;
  group: string;
  resourceType: InstanceAllocation['resourceType'];
}

/**
 * The named instances that are live in the zone's durable allocation, in
 * instance order, and the names the release gives that are not (released
 * already, or never the zone's).
 */
export function releaseScope(
  spec: ZoneReleaseSpec,
  zone: ExecutionZone,
): { instances: ScopedInstance[]; missing: string[] } {
  const stored = zone.status?.allocation ? loadAllocation(zone.status.allocation).allocation : undefined;
  const live = (stored?.instances ?? []).map((i) => ({
    name: i.name,
    provider: i.provider,
    group: i.group,
    resourceType: i.resourceType,
  }));
  live.sort((a, b) => instanceOrder(a.name, b.name));
  if (!spec.instances) return { instances: live, missing: [] };
  const byKey = new Map(live.map((i) => [`${i.provider}/${i.name}`, i]));
  const instances: ScopedInstance[] = [];
  const missing: string[] = [];
  for (const [provider, names] of Object.entries(spec.instances))
    for (const name of names) {
      const hit = byKey.get(`${provider}/${name}`);
      if (hit) instances.push(hit);
      else missing.push(`${provider}/${name}`);
    }
  instances.sort((a, b) => instanceOrder(a.name, b.name));
  return { instances, missing };
}

/** The scope as the release's `released` field shows it: provider -> names. */
export function byProvider(instances: readonly ScopedInstance[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of instances) (out[i.provider] ??= []).push(i.name);
  return out;
}
