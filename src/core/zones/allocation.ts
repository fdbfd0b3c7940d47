// The durable part of a zone: what was allocated to it. The operator keeps
// this in the ExecutionZone's status (written before anything is created in
// a member), so the federation can be rebuilt from it after a crash.

import type { GroupAllocation, InstanceShape, StoredAllocation } from '../api/types.js';

export const SHAPE_FIELDS = [
  'environment',
  'resourceType',
  'cores',
  'memory',
  'storage',
  'image',
] as const satisfies readonly (keyof InstanceShape)[];

export function shapeOf(g: InstanceShape): InstanceShape {
  return {
    environment: g.environment,
    resourceType: g.resourceType,
    cores: g.cores,
    memory: g.memory,
    storage: g.storage,
    image: g.image,
  };
}

export interface InstanceAllocation extends InstanceShape {
  /** `C<n>` or `V<n>`, numbered per zone and never reused. */
  name: string;
  provider: string;
  group: string;
  address: string;
}

export interface ZoneAllocation {
  applicationId: string;
  /** Absent while no group is placed. */
  vlanId?: number;
  groups: Record<string, GroupAllocation>;
  /** Live instances. */
  instances: InstanceAllocation[];
  /** Names given back by releases; never handed out again. */
  released: string[];
}

export function instanceNumber(name: string): number {
  return Number(name.slice(1));
}

/** One past the highest number the zone ever used for that letter. */
export function nextInstanceNumber(a: ZoneAllocation, letter: 'C' | 'V'): number {
  let max = 0;
  for (const g of Object.values(a.groups)) {
    const names = [...g.instances, ...Object.values(g.replacing?.instances ?? {})];
    for (const n of names) if (n[0] === letter) max = Math.max(max, instanceNumber(n));
  }
  for (const n of a.released) if (n[0] === letter) max = Math.max(max, instanceNumber(n));
  return max + 1;
}

/** A deep copy: no array, move or replacement mapping is shared by two allocations. */
export function cloneGroup(g: GroupAllocation): GroupAllocation {
  const out: GroupAllocation = { ...g, instances: [...g.instances] };
  if (g.moves) out.moves = g.moves.map((m) => ({ ...m }));
  if (g.replacing) out.replacing = { provider: g.replacing.provider, instances: { ...g.replacing.instances } };
  return out;
}

export function storeAllocation(a: ZoneAllocation): StoredAllocation {
  const out: StoredAllocation = {
    applicationId: a.applicationId,
    groups: Object.fromEntries(Object.entries(a.groups).map(([k, g]) => [k, cloneGroup(g)])),
    instances: a.instances.map((i) => ({ name: i.name, group: i.group, address: i.address })),
    released: [...a.released],
  };
  if (a.vlanId !== undefined) out.vlanId = a.vlanId;
  return out;
}

/**
 * The allocation back from status. An instance whose group is missing, or
 * that its group does not list, is a problem (named by its path), and then
 * no allocation is returned: a half-read allocation would book the wrong
 * capacity.
 */
export function loadAllocation(
  s: StoredAllocation,
  base = 'status.allocation',
): { allocation?: ZoneAllocation; problems: { path: string; reason: string }[] } {
  const problems: { path: string; reason: string }[] = [];
  const instances: InstanceAllocation[] = [];
  const seen = new Set<string>();
  (s.instances ?? []).forEach((i, n) => {
    const path = `${base}.instances[${n}]`;
    const g = s.groups?.[i.group];
    if (!g) {
      problems.push({ path: `${path}.group`, reason: `group ${i.group} is not in ${base}.groups` });
      return;
    }
    // A new instance of a group being replaced runs on the replacing provider.
    const moving = g.replacing && Object.values(g.replacing.instances).includes(i.name);
    if (!g.instances.includes(i.name) && !moving) {
      problems.push({ path: `${path}.name`, reason: `${i.name} is not an instance of group ${i.group}` });
      return;
    }
    if (seen.has(i.name)) {
      problems.push({ path: `${path}.name`, reason: `${i.name} is listed twice` });
      return;
    }
    seen.add(i.name);
    const provider = moving && g.replacing ? g.replacing.provider : g.provider;
    instances.push({ name: i.name, provider, group: i.group, ...shapeOf(g), address: i.address });
  });
  if (problems.length > 0) return { problems };
  const allocation: ZoneAllocation = {
    applicationId: s.applicationId,
    groups: Object.fromEntries(Object.entries(s.groups ?? {}).map(([k, g]) => [k, cloneGroup(g)])),
    instances,
    released: [...(s.released ?? [])],
  };
  if (s.vlanId !== undefined) allocation.vlanId = s.vlanId;
  return { allocation, problems };
}
