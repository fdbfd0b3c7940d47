// Placing one instance group: the whole group goes onto one provider that
// passes the privacy rules and has free capacity for all its instances.
// Placement never throws for "no match": it returns a decision that can
// say why each provider was skipped. Reasons cost a walk over the whole
// catalogue, so they are built only when read, and by default grouped by
// cause with a few examples each (explain-groups.ts).

import type { PlacementExplanationEntry } from '../api/types.js';
import type { Provider } from '../catalogue/provider.js';
import type { Demand } from './capacity-ledger.js';
import { Catalogue } from './catalogue.js';
import { allEligible, firstEligible } from './eligible-search.js';
import { groupReasons } from './explain-groups.js';
import { eligibility, type GroupRequest, type PlacementContext } from './group-request.js';
import { type PlacementStrategy, STRATEGIES } from './strategies.js';

interface Reasons {
  /**
   * Without `explain`: for a placed group the chosen provider only; for a
   * group that did not fit the reasons grouped by cause, built when first
   * read (against the ledger as it is then). With `explain`: one entry per
   * provider of the catalogue.
   */
  explanation: PlacementExplanationEntry[];
  /** One entry per provider, built on each call. */
  everyProvider(): PlacementExplanationEntry[];
}

export type PlacementDecision = (
  { placed: true; provider: Provider; demand: Demand } | { placed: false; demand: Demand }
) &
  Reasons;

/** The provider the strategy picks, found through the catalogue index. */
export function chooseProvider(req: GroupRequest, ctx: PlacementContext, demand: Demand): Provider | undefined {
  if (ctx.strategy === 'first-fit') return firstEligible(ctx.catalogue, req, demand, ctx.ledger);
  const eligible = allEligible(ctx.catalogue, req, demand, ctx.ledger);
  const strategy: PlacementStrategy = STRATEGIES[ctx.strategy];
  return strategy.choose(eligible, () => true, {
    demand,
    ledger: ctx.ledger,
    zoneProviders: ctx.zoneProviders ?? new Set(),
  });
}

/** Decides where a group goes; see Reasons for what `explain` changes. */
export function placeGroup(req: GroupRequest, ctx: PlacementContext, explain = false): PlacementDecision {
  // scale(instanceDemand(req), req.count) in one object: this runs per decision.
  const n = req.count;
  const demand: Demand = {
    cores: req.cores * n,
    memory: req.memory * n,
    storage: req.storage * n,
    gpus: req.resourceType === 'GPU' ? n : 0,
    fpgas: req.resourceType === 'FPGA' ? n : 0,
  };
  const chosen = chooseProvider(req, ctx, demand);
  return decision(req, ctx, demand, chosen, explain ? explainAll(req, ctx, demand, chosen) : undefined);
}

/** A decision whose reasons are built on first read, at most once. */
class Decision implements Reasons {
  private built: PlacementExplanationEntry[] | undefined;

  constructor(
    readonly placed: boolean,
    readonly provider: Provider | undefined,
    readonly demand: Demand,
    private readonly req: GroupRequest,
    private readonly ctx: PlacementContext,
    eager?: PlacementExplanationEntry[],
  ) {
    this.built = eager;
  }

  get explanation(): PlacementExplanationEntry[] {
    this.built ??= this.provider
      ? [selected(this.req, this.ctx, this.provider)]
      : groupReasons(this.req, this.ctx, this.demand);
    return this.built;
  }

  everyProvider(): PlacementExplanationEntry[] {
    return explainAll(this.req, this.ctx, this.demand, this.provider);
  }
}

function decision(
  req: GroupRequest,
  ctx: PlacementContext,
  demand: Demand,
  chosen: Provider | undefined,
  eager?: PlacementExplanationEntry[],
): PlacementDecision {
  return new Decision(chosen !== undefined, chosen, demand, req, ctx, eager) as PlacementDecision;
}

function selected(req: GroupRequest, ctx: PlacementContext, p: Provider): PlacementExplanationEntry {
  return {
    group: req.name,
    provider: p.name,
    verdict: 'Selected',
    reason: `${STRATEGIES[ctx.strategy].description}; passes all privacy rules and has capacity`,
  };
}

function explainAll(
  req: GroupRequest,
  ctx: PlacementContext,
  demand: Demand,
  chosen: Provider | undefined,
): PlacementExplanationEntry[] {
  return ctx.catalogue.providers.map((p) => {
    if (chosen && p.name === chosen.name) return selected(req, ctx, p);
    const why = Catalogue.shapeMismatch(p, req) ?? eligibility(p, req, demand, ctx.ledger);
    return {
      group: req.name,
      provider: p.name,
      verdict: 'Skipped',
      reason: why ?? `eligible, but ${ctx.strategy} chose ${chosen?.name ?? 'another provider'}`,
    };
  });
}

/** One line per entry: `PublicCloud1: country 310 (US) not allowed by regions rule #2 DENY_ALL`. */
export function formatExplanation(entries: readonly PlacementExplanationEntry[]): string[] {
  return entries.map((e) => `${e.provider}: ${e.verdict === 'Selected' ? 'selected, ' : ''}${e.reason}`);
}
