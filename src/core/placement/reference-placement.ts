// The placement rule written as plainly as possible: every rule of every
// provider is re-read on every request, nothing is indexed or memoised.
// Property tests check the fast path against it, and the benchmark uses it
// as the naive baseline.

import type { Provider } from '../catalogue/provider.js';
import { evaluatePrivacy } from '../privacy/evaluate.js';
import type { NormalizedPrivacy } from '../privacy/rules.js';
import { type Demand, instanceDemand, scale } from './capacity-ledger.js';
import { Catalogue, type GroupShape } from './catalogue.js';

export interface ReferenceRequest extends GroupShape {
  count: number;
  cores: number;
  memory: number;
  storage: number;
  rules: readonly NormalizedPrivacy[];
}

/** Candidates in the order first-fit tries them, without the catalogue index. */
export function referenceOrder(providers: readonly Provider[], g: GroupShape): Provider[] {
  const sorted = [...providers].sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const fits = sorted.filter((p) => Catalogue.shapeMismatch(p, g) === undefined);
  if (g.platformType === 'cloud+fog' && g.performance === 'latency')
    return [...fits.filter((p) => p.tier === 'fog'), ...fits.filter((p) => p.tier === 'cloud')];
  return fits;
}

export function referenceFirstFit(
  providers: readonly Provider[],
  used: (name: string) => Readonly<Demand>,
  req: ReferenceRequest,
): Provider | undefined {
  const need = scale(instanceDemand(req), req.count);
  for (const p of referenceOrder(providers, req)) {
    if (!p.ready) continue;
    if (!req.rules.every((r) => evaluatePrivacy(r, p).pass)) continue;
    const u = used(p.name);
    const c = p.capacity;
    // A resource the group does not use is not checked, even on a provider
    // that is over-booked on it (restored instances may exceed capacity).
    const short = (k: keyof Demand) => need[k] > 0 && u[k] + need[k] > c[k];
    if (short('cores') || short('memory') || short('storage') || short('gpus') || short('fpgas')) continue;
    return p;
  }
  return undefined;
}
