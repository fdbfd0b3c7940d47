// Capacity used per provider. The ledger only counts; which instance holds
// what is in the zone allocations, from which the ledger can be rebuilt.

import type { Capacity, ResourceType } from '../api/types.js';

export type Demand = Required<Capacity>;

export const ZERO: Readonly<Demand> = Object.freeze({ cores: 0, memory: 0, storage: 0, gpus: 0, fpgas: 0 });

export const KEYS = ['cores', 'memory', 'storage', 'gpus', 'fpgas'] as const;

/** What one instance of a group takes: its sizes plus one device for GPU / FPGA. */
export function instanceDemand(g: {
  cores: number;
  memory: number;
  storage: number;
  resourceType: ResourceType;
}): Demand {
  return {
    cores: g.cores,
    memory: g.memory,
    storage: g.storage,
    gpus: g.resourceType === 'GPU' ? 1 : 0,
    fpgas: g.resourceType === 'FPGA' ? 1 : 0,
  };
}

export function scale(d: Demand, n: number): Demand {
  return { cores: d.cores * n, memory: d.memory * n, storage: d.storage * n, gpus: d.gpus * n, fpgas: d.fpgas * n };
}

export const UNITS: Record<(typeof KEYS)[number], string> = {
  cores: 'cores',
  memory: 'MiB memory',
  storage: 'MiB storage',
  gpus: 'GPUs',
  fpgas: 'FPGAs',
};

export class CapacityLedger {
  private readonly used = new Map<string, Demand>();
  /** Indexes of free capacity (capacity-index.ts) hear of every change. */
  private readonly watchers: ((provider: string) => void)[] = [];

  watch(onChange: (provider: string) => void): void {
    this.watchers.push(onChange);
  }

  private changed(provider: string): void {
    for (const w of this.watchers) w(provider);
  }

  usedBy(provider: string): Readonly<Demand> {
    return this.used.get(provider) ?? ZERO;
  }

  free(provider: string, capacity: Readonly<Demand>): Demand {
    const u = this.usedBy(provider);
    return {
      cores: capacity.cores - u.cores,
      memory: capacity.memory - u.memory,
      storage: capacity.storage - u.storage,
      gpus: capacity.gpus - u.gpus,
      fpgas: capacity.fpgas - u.fpgas,
    };
  }

  /** Why `demand` does not fit, or undefined when it does. */
  shortfall(provider: string, capacity: Readonly<Demand>, demand: Readonly<Demand>): string | undefined {
    const u = this.usedBy(provider);
    for (const k of KEYS) {
      if (demand[k] > 0 && u[k] + demand[k] > capacity[k]) {
        return `insufficient capacity: needs ${demand[k]} ${UNITS[k]}, ${Math.max(0, capacity[k] - u[k])} free`;
      }
    }
    return undefined;
  }

  reserve(provider: string, demand: Readonly<Demand>): void {
    const u = { ...this.usedBy(provider) };
    for (const k of KEYS) u[k] += demand[k];
    this.used.set(provider, u);
    this.changed(provider);
  }

  release(provider: string, demand: Readonly<Demand>): void {
    const u = { ...this.usedBy(provider) };
    for (const k of KEYS) {
      u[k] -= demand[k];
      // A release of more than is held is a bug in the caller, not a state to keep.
      if (u[k] < 0)
        throw new Error(`ledger: releasing ${demand[k]} ${k} on ${provider} that holds ${u[k] + demand[k]}`);
    }
    if (KEYS.every((k) => u[k] === 0)) this.used.delete(provider);
    else this.used.set(provider, u);
    this.changed(provider);
  }

  providers(): string[] {
    return [...this.used.keys()];
  }
}
