// Why a group fits nowhere, grouped by cause: "country 310 (US) not allowed
// by regions rule #2 DENY_ALL" once with the number of providers it rules
// out and a few examples, instead of one line per provider. The size is
// bounded by the number of distinct causes (capped) times the examples,
// whatever the size of the catalogue.

import type { PlacementExplanationEntry } from '../api/types.js';
import type { Provider } from '../catalogue/provider.js';
import { evaluateAll } from '../privacy/evaluate.js';
import { type Demand, KEYS, UNITS } from './capacity-ledger.js';
import { Catalogue } from './catalogue.js';
import { eligibility, type GroupRequest, type PlacementContext } from './place-group.js';

/** Providers named per cause; the rest of a cause is counted. */
export const EXAMPLES_PER_CAUSE = 3;
/** Causes listed one by one; the rest are summed up in one entry. */
export const MAX_CAUSES = 12;

interface Cause {
  text: string;
  count: number;
  examples: PlacementExplanationEntry[];
  /** For capacity causes: the most any of these providers has free. */
  mostFree?: number;
}

/** The cause of a provider's rejection (a grouping key and its text). */
function causeOf(p: Provider, req: GroupRequest, demand: Demand, ctx: PlacementContext): { key: string; text: string; free?: number } {
  if (p.environment !== req.environment) return { key: `e${p.environment}`, text: `environment ${p.environment}, group needs ${req.environment}` };
  if (!p.resourceTypes.has(req.resourceType)) return { key: 'r', text: `does not offer ${req.resourceType}` };
  if (req.platformType !== 'cloud+fog' && p.tier !== req.platformType) return { key: `t${p.tier}`, text: `tier ${p.tier}, group needs ${req.platformType}` };
  if (!p.ready) {
    const text = `not ready${p.notReadyReason ? `: ${p.notReadyReason}` : ''}`;
    return { key: `n${text}`, text };
  }
  const verdict = evaluateAll(req.privacy, p);
  if (!verdict.pass) return { key: `p${verdict.reason}`, text: verdict.reason };
  const used = ctx.ledger.usedBy(p.name);
  for (const k of KEYS) {
    if (demand[k] > 0 && used[k] + demand[k] > p.capacity[k]) {
      return { key: `c${k}`, text: `insufficient capacity: needs ${demand[k]} ${UNITS[k]}`, free: Math.max(0, p.capacity[k] - used[k]) };
    }
  }
  return { key: 'ok', text: 'has room now (capacity was freed after the decision)' };
}

export function groupReasons(req: GroupRequest, ctx: PlacementContext, demand: Demand): PlacementExplanationEntry[] {
  const causes = new Map<string, Cause>();
  for (const p of ctx.catalogue.providers) {
    const c = causeOf(p, req, demand, ctx);
    let group = causes.get(c.key);
    if (!group) causes.set(c.key, (group = { text: c.text, count: 0, examples: [] }));
    group.count++;
    if (c.free !== undefined) group.mostFree = Math.max(group.mostFree ?? 0, c.free);
    if (group.examples.length < EXAMPLES_PER_CAUSE) {
      const reason = Catalogue.shapeMismatch(p, req) ?? eligibility(p, req, demand, ctx.ledger) ?? c.text;
      group.examples.push({ group: req.name, provider: p.name, verdict: 'Skipped', reason });
    }
  }
  const out: PlacementExplanationEntry[] = [];
  const all = [...causes.values()];
  for (const c of all.slice(0, MAX_CAUSES)) {
    out.push(...c.examples);
    if (c.count > c.examples.length) {
      const text = c.mostFree === undefined ? c.text : `${c.text}, at most ${c.mostFree} free`;
      out.push({ group: req.name, provider: `${c.count - c.examples.length} more`, verdict: 'Skipped', reason: `${text}: ${c.count} providers in all` });
    }
  }
  const rest = all.slice(MAX_CAUSES);
  if (rest.length > 0) {
    const n = rest.reduce((sum, c) => sum + c.count, 0);
    out.push({ group: req.name, provider: `${n} more`, verdict: 'Skipped', reason: `${rest.length} other causes (the full list: one reason per provider on request)` });
  }
  return out;
}
