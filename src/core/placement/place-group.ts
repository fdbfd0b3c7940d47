// Placing one instance group: the whole group goes onto one provider that
// passes the privacy rules and has free capacity for all its instances.
// Placement never throws for "no match": it returns a decision that says,
// for every provider, why it was taken or skipped.

import type { PlacementExplanationEntry } from '../api/types.js';
import type { Provider } from '../catalogue/provider.js';
import { type CompiledPrivacy, evaluateAll } from '../privacy/evaluate.js';
import { type CapacityLedger, type Demand, instanceDemand, scale } from './capacity-ledger.js';
import { Catalogue, type GroupShape } from './catalogue.js';
import { type PlacementStrategy, STRATEGIES, type StrategyName } from './strategies.js';

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

export type PlacementDecision =
  | { placed: true; provider: Provider; demand: Demand; explanation?: PlacementExplanationEntry[] }
  | { placed: false; demand: Demand; explanation: PlacementExplanationEntry[] };

/** Why a provider cannot take the whole group now, or undefined when it can. */
export function eligibility(p: Provider, req: GroupRequest, total: Demand, ledger: CapacityLedger): string | undefined {
  if (!p.ready) return `not ready${p.notReadyReason ? `: ${p.notReadyReason}` : ''}`;
  const verdict = evaluateAll(req.privacy, p);
  if (!verdict.pass) return verdict.reason;
  return ledger.shortfall(p.name, p.capacity, total);
}

/**
 * Decides where a group goes. With `explain` the decision carries a reason
 * for every provider of the catalogue; a no-match decision always does.
 */
export function placeGroup(req: GroupRequest, ctx: PlacementContext, explain = false): PlacementDecision {
  const demand = scale(instanceDemand(req), req.count);
  const strategy: PlacementStrategy = STRATEGIES[ctx.strategy];
  const chosen = strategy.choose(ctx.catalogue.candidates(req), (p) => eligibility(p, req, demand, ctx.ledger) === undefined, {
    demand,
    ledger: ctx.ledger,
    zoneProviders: ctx.zoneProviders ?? new Set(),
  });
  if (chosen && !explain) return { placed: true, provider: chosen, demand };
  const explanation = explainAll(req, ctx, demand, chosen);
  return chosen ? { placed: true, provider: chosen, demand, explanation } : { placed: false, demand, explanation };
}

function explainAll(req: GroupRequest, ctx: PlacementContext, demand: Demand, chosen: Provider | undefined): PlacementExplanationEntry[] {
  return ctx.catalogue.providers.map((p) => {
    if (chosen && p.name === chosen.name) {
      return { group: req.name, provider: p.name, verdict: 'Selected', reason: `${STRATEGIES[ctx.strategy].description}; passes all privacy rules and has capacity` };
    }
    const why = Catalogue.shapeMismatch(p, req) ?? eligibility(p, req, demand, ctx.ledger);
    return {
      group: req.name,
      provider: p.name,
      verdict: 'Skipped',
      reason: why ?? `eligible, but ${ctx.strategy} chose ${chosen?.name ?? 'another provider'}`,
    };
  });
}

/** One line per provider: `PublicCloud1: country 310 (US) not allowed by regions rule #2 DENY_ALL`. */
export function formatExplanation(entries: readonly PlacementExplanationEntry[]): string[] {
  return entries.map((e) => `${e.provider}: ${e.verdict === 'Selected' ? 'selected, ' : ''}${e.reason}`);
}
