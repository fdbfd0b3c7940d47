// The durable part of a zone: what was allocated to it. The operator keeps
// this in the ExecutionZone's status (written before anything is created in
// a member), so the federation can be rebuilt from it after a crash.

import type { Environment, ResourceType } from '../api/types.js';

/** What every instance of a group is: the fields a placed group fixes. */
export interface InstanceShape {
  environment: Environment;
  resourceType: ResourceType;
  cores: number;
  memory: number;
  storage: number;
  image: string;
}

export const SHAPE_FIELDS = ['environment', 'resourceType', 'cores', 'memory', 'storage', 'image'] as const satisfies readonly (keyof InstanceShape)[];

export function shapeOf(g: InstanceShape): InstanceShape {
  return { environment: g.environment, resourceType: g.resourceType, cores: g.cores, memory: g.memory, storage: g.storage, image: g.image };
}

export interface InstanceAllocation extends InstanceShape {
  /** `C<n>` or `V<n>`, numbered per zone and never reused. */
  name: string;
  provider: string;
  group: string;
  address: string;
}

/** A placed group: fixed once placed (scale up adds a group). */
export interface GroupAllocation extends InstanceShape {
  provider: string;
  /** Every name the group was given, released ones included. */
  instances: string[];
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
    for (const n of g.instances) if (n[0] === letter) max = Math.max(max, instanceNumber(n));
  }
  for (const n of a.released) if (n[0] === letter) max = Math.max(max, instanceNumber(n));
  return max + 1;
}
