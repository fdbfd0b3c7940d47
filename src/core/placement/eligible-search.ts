// The placement search over the catalogue index: candidate shape AND rule
// compliance as bitset words, blocks without room skipped by the capacity
// index, and only the providers left are looked at one by one (readiness,
// exact capacity). It visits the same providers, in the same order, as a
// walk over Catalogue.candidates() with eligibility() would.

import type { Provider } from '../catalogue/provider.js';
import type { CompiledPrivacy } from '../privacy/evaluate.js';
import { lowestBit } from './bitset.js';
import { BLOCKS_PER_SUPER } from './capacity-index.js';
import type { CapacityLedger, Demand } from './capacity-ledger.js';
import type { Catalogue, GroupShape } from './catalogue.js';

export interface SearchRequest extends GroupShape {
  privacy: readonly CompiledPrivacy[];
}

/**
 * The first provider that can take `demand` now in the order placement
 * tries them or, given `all`, every such provider in that order.
 */
function scan(
  catalogue: Catalogue,
  req: SearchRequest,
  demand: Readonly<Demand>,
  ledger: CapacityLedger,
  all: Provider[] | undefined,
): Provider | undefined {
  const index = catalogue.capacity(ledger);
  const compliant = catalogue.compliantBits(req.privacy);
  const providers = catalogue.providers;
  const words = index.words;
  for (const candidates of catalogue.candidateBits(req)) {
    for (let s = 0; s * BLOCKS_PER_SUPER < words; s++) {
      if (!index.superMayFit(s, demand)) continue;
      const end = Math.min(words, (s + 1) * BLOCKS_PER_SUPER);
      for (let w = s * BLOCKS_PER_SUPER; w < end; w++) {
        let m = compliant ? candidates[w] & compliant[w] : candidates[w] | 0;
        if (m === 0 || !index.blockMayFit(w, demand)) continue;
        while (m !== 0) {
          const i = (w << 5) | lowestBit(m);
          m &= m - 1;
          const p = providers[i];
          if (!p.ready || !index.fits(i, demand)) continue;
          if (!all) return p;
          all.push(p);
        }
      }
    }
  }
  return undefined;
}

export function firstEligible(
  catalogue: Catalogue,
  req: SearchRequest,
  demand: Readonly<Demand>,
  ledger: CapacityLedger,
): Provider | undefined {
  return scan(catalogue, req, demand, ledger, undefined);
}

/** Every provider that can take `demand` now, in the order placement tries them. */
export function allEligible(
  catalogue: Catalogue,
  req: SearchRequest,
  demand: Readonly<Demand>,
  ledger: CapacityLedger,
): Provider[] {
  const out: Provider[] = [];
  scan(catalogue, req, demand, ledger, out);
  return out;
}
