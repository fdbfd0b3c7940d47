// What placement is asked (a group's shape, size and compiled rules) and
// with what (catalogue, ledger, strategy), and the one test of whether a
// provider can take a group: shared by the search and by the explanation.

import type { Provider } from '../catalogue/provider.js';
import { type CompiledPrivacy, evaluateAll } from '../privacy/evaluate.js';
import type { CapacityLedger, Demand } from './capacity-ledger.js';
import type { Catalogue, GroupShape } from './catalogue.js';
import type { StrategyName } from './strategies.js';

export interface GroupRequest extends GroupShape {
  /** Group name, for explanations. */
  name: string;
  count: number;
  cores: number;
  memory: number;
  storage: number;
  /** Zone rules first, then the group's own. */
  privacy: readonly CompiledPrivacy[];
}

export interface PlacementContext {
  catalogue: Catalogue;
  ledger: CapacityLedger;
  strategy: StrategyName;
  /** Providers the zone already uses (strategies may prefer them). */
  zoneProviders?: ReadonlySet<string>;
}

/** Why a provider cannot take the whole group now, or undefined when it can. */
export function eligibility(p: Provider, req: GroupRequest, total: Demand, ledger: CapacityLedger): string | undefined {
  if (!p.ready) return `not ready${p.notReadyReason ? `: ${p.notReadyReason}` : ''}`;
  const verdict = evaluateAll(req.privacy, p);
  if (!verdict.pass) return verdict.reason;
  return ledger.shortfall(p.name, p.capacity, total);
}
