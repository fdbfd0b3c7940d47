// Placement strategies, selectable by name. Each gets the candidates in the
// order placement tries them and a predicate for "can take the whole group";
// all share the explanation format of place-group.ts.

import type { Provider } from '../catalogue/provider.js';
import type { CapacityLedger, Demand } from './capacity-ledger.js';

export interface StrategyInput {
  demand: Demand;
  ledger: CapacityLedger;
  zoneProviders: ReadonlySet<string>;
}

export interface PlacementStrategy {
  description: string;
  choose(
    candidates: readonly Provider[],
    eligible: (p: Provider) => boolean,
    input: StrategyInput,
  ): Provider | undefined;
}

/** The paper's strategy: the first eligible candidate. Stops at the first hit. */
const firstFit: PlacementStrategy = {
  description: 'first fit in catalogue order',
  choose(candidates, eligible) {
    for (const p of candidates) if (eligible(p)) return p;
    return undefined;
  },
};

/**
 * Best fit: the eligible candidate left with the least free cores (then
 * memory) after placement, which keeps large providers free for large groups.
 */
const bestFit: PlacementStrategy = {
  description: 'best fit by free capacity',
  choose(candidates, eligible, { demand, ledger }) {
    let best: Provider | undefined;
    let bestCores = Infinity;
    let bestMemory = Infinity;
    for (const p of candidates) {
      if (!eligible(p)) continue;
      const free = ledger.free(p.name, p.capacity);
      const cores = free.cores - demand.cores;
      const memory = free.memory - demand.memory;
      if (cores < bestCores || (cores === bestCores && memory < bestMemory)) {
        best = p;
        bestCores = cores;
        bestMemory = memory;
      }
    }
    return best;
  },
};

/**
 * Fewest VPN links: prefer a provider the zone already uses (no new link,
 * no new switch entries), first fit among those, then first fit overall.
 */
const fewestLinks: PlacementStrategy = {
  description: 'fewest providers per zone (reuses a VPN link when it can)',
  choose(candidates, eligible, { zoneProviders }) {
    let first: Provider | undefined;
    for (const p of candidates) {
      if (!eligible(p)) continue;
      if (zoneProviders.has(p.name)) return p;
      first ??= p;
    }
    return first;
  },
};

export const STRATEGIES = {
  'first-fit': firstFit,
  'best-fit': bestFit,
  'fewest-links': fewestLinks,
} as const satisfies Record<string, PlacementStrategy>;

export type StrategyName = keyof typeof STRATEGIES;

export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

export function isStrategyName(s: string): s is StrategyName {
  return Object.hasOwn(STRATEGIES, s);
}
