// Which live instances a ZoneRelease names: the whole zone's, those of
// `spec.instances`, or every live instance of the groups `spec.groups`
// names. A monitored trigger (idle, completed, usage, stall) judges exactly
// these, and a fired release gives exactly these back.

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
 * already, or never the zone's). For `spec.groups`, a missing name is a
 * group the zone's spec does not have (`group <name>`); a group of the
 * spec whose instances were all released already names none.
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
  if (spec.groups) {
    const known = new Set(zone.spec.groups.map((g) => g.name));
    const wanted = new Set(spec.groups);
    return {
      instances: live.filter((i) => wanted.has(i.group)),
      missing: spec.groups.filter((g) => !known.has(g)).map((g) => `group ${g}`),
    };
  }
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

/**
 * A group or instance the release names that the zone does not have
 * live: nothing is released then. (A release of named instances learns of
 * an unknown name from the zone reconciler, which checks it under the
 * placement lock; this is for what must be known before: a `completed`
 * trigger judges the scope, and groups are turned into instance names.)
 */
export function unknownInScope(
  spec: ZoneReleaseSpec,
  scope: { missing: string[] },
): { unknown: 'group' | 'instance'; message: string } | undefined {
  if (scope.missing.length === 0) return undefined;
  const what = spec.groups ? "not in the zone's spec.groups" : 'not live instances of the zone';
  return {
    unknown: spec.groups ? 'group' : 'instance',
    message: `nothing was released: ${scope.missing.join(', ')} ${what}`,
  };
}

/** What the release gives back, in words, for Events and conditions. */
export function scopeText(spec: ZoneReleaseSpec): string {
  if (spec.groups) return `every instance of group(s) ${spec.groups.join(', ')}`;
  return spec.instances ? 'the named instances' : 'the whole zone';
}
