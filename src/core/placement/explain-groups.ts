// Why a group fits nowhere, grouped by cause: "country 310 (US) not allowed
// by regions rule #2 DENY_ALL" once with the number of providers it rules
// out and a few examples, instead of one line per provider. The size is
// bounded by the number of distinct causes (capped) times the examples,
// whatever the size of the catalogue.

import type { PlacementExplanationEntry } from '../api/types.js';
import { evaluateAll, type PrivacyVerdict } from '../privacy/evaluate.js';
import { type Demand, KEYS, UNITS } from './capacity-ledger.js';
import { ENVIRONMENTS, PROVIDER_TIERS } from '../api/types.js';
import { andBits, andNotBits, type Bits, countBits, lowestBit } from './bitset.js';
import { Catalogue } from './catalogue.js';
import { eligibility, type GroupRequest, type PlacementContext } from './group-request.js';

/** Providers named per cause; the rest of a cause is counted. */
export const EXAMPLES_PER_CAUSE = 3;
/** Causes listed one by one; the rest are summed up in one entry. */
export const MAX_CAUSES = 12;

interface Cause {
  /** Grouping key's text: "country not allowed by regions rule #2 DENY_ALL". */
  text: string;
  count: number;
  examples: PlacementExplanationEntry[];
  /** For capacity causes: the most any of these providers has free. */
  mostFree?: number;
  /** Catalogue position of the first provider with this cause. */
  first: number;
}

const CAPACITY_KEYS = Object.fromEntries(KEYS.map((k) => [k, `capacity ${k}`])) as Record<
  (typeof KEYS)[number],
  string
>;

/**
 * A privacy failure's cause is the rule that decided it, not the value:
 * a DENY_ALL that turns away twenty countries is one cause.
 */
function privacyCause(reason: string): string {
  const m = /^(country|AS|equipment PEN) .+? (not allowed by .+)$/.exec(reason);
  return m ? `${m[1]} ${m[2]}` : reason;
}

export function groupReasons(req: GroupRequest, ctx: PlacementContext, demand: Demand): PlacementExplanationEntry[] {
  const catalogue = ctx.catalogue;
  const providers = catalogue.providers;
  const all: Cause[] = [];
  const example = (c: Cause, i: number) => {
    const p = providers[i];
    const reason = Catalogue.shapeMismatch(p, req) ?? eligibility(p, req, demand, ctx.ledger) ?? c.text;
    c.examples.push({ group: req.name, provider: p.name, verdict: 'Skipped', reason });
  };
  // Shape causes come straight from the attribute sets: counted, not walked.
  const fromBits = (bits: Bits, text: string) => {
    const count = countBits(bits);
    if (count === 0) return;
    const c: Cause = { text, count, examples: [], first: -1 };
    for (let w = 0; w < bits.length && c.examples.length < EXAMPLES_PER_CAUSE; w++) {
      for (let m = bits[w] | 0; m !== 0 && c.examples.length < EXAMPLES_PER_CAUSE; m &= m - 1) {
        const i = (w << 5) | lowestBit(m);
        if (c.first < 0) c.first = i;
        example(c, i);
      }
    }
    all.push(c);
  };
  const sameEnv = catalogue.having(`environment ${req.environment}`);
  for (const other of ENVIRONMENTS)
    if (other !== req.environment)
      fromBits(catalogue.having(`environment ${other}`), `environment ${other}, group needs ${req.environment}`);
  const offers = catalogue.having(`resource ${req.resourceType}`);
  fromBits(andNotBits(sameEnv, offers), `does not offer ${req.resourceType}`);
  let shapeOk = andBits(sameEnv, offers);
  if (req.platformType !== 'cloud+fog') {
    for (const tier of PROVIDER_TIERS)
      if (tier !== req.platformType)
        fromBits(andBits(shapeOk, catalogue.having(`tier ${tier}`)), `tier ${tier}, group needs ${req.platformType}`);
    shapeOk = andBits(shapeOk, catalogue.having(`tier ${req.platformType}`));
  }
  // The providers of the right shape, one by one: readiness, rules, capacity.
  const causes = new Map<string, Cause>();
  // Verdicts are memoised per country, AS and PEN: one look-up per verdict object.
  const sets = req.privacy.map((set) => catalogue.canonical(set));
  const byVerdict = new Map<PrivacyVerdict, Cause>();
  const cause = (key: string): Cause | undefined => causes.get(key);
  const open = (key: string, text: string, i: number): Cause => {
    const c: Cause = { text, count: 0, examples: [], first: i };
    causes.set(key, c);
    all.push(c);
    return c;
  };
  for (let w = 0; w < shapeOk.length; w++) {
    for (let m = shapeOk[w] | 0; m !== 0; m &= m - 1) {
      const i = (w << 5) | lowestBit(m);
      const p = providers[i];
      let c: Cause;
      let free: number | undefined;
      if (!p.ready) {
        const text = `not ready${p.notReadyReason ? `: ${p.notReadyReason}` : ''}`;
        c = cause(text) ?? open(text, text, i);
      } else {
        const verdict = evaluateAll(sets, p);
        if (!verdict.pass) {
          let known = byVerdict.get(verdict);
          if (!known) {
            const text = privacyCause(verdict.reason);
            known = cause(`privacy ${text}`) ?? open(`privacy ${text}`, text, i);
            byVerdict.set(verdict, known);
          }
          c = known;
        } else {
          const used = ctx.ledger.usedBy(p.name);
          const short = KEYS.find((k) => demand[k] > 0 && used[k] + demand[k] > p.capacity[k]);
          if (short) {
            c =
              cause(CAPACITY_KEYS[short]) ??
              open(CAPACITY_KEYS[short], `insufficient capacity: needs ${demand[short]} ${UNITS[short]}`, i);
            free = Math.max(0, p.capacity[short] - used[short]);
          } else c = cause('room now') ?? open('room now', 'has room now (capacity was freed after the decision)', i);
        }
      }
      c.count++;
      if (free !== undefined) c.mostFree = Math.max(c.mostFree ?? 0, free);
      if (c.examples.length < EXAMPLES_PER_CAUSE) example(c, i);
    }
  }
  // In the order the catalogue first meets each cause.
  all.sort((a, b) => a.first - b.first);
  const out: PlacementExplanationEntry[] = [];
  for (const c of all.slice(0, MAX_CAUSES)) {
    out.push(...c.examples);
    if (c.count > c.examples.length) {
      const text = c.mostFree === undefined ? c.text : `${c.text}, at most ${c.mostFree} free`;
      out.push({
        group: req.name,
        provider: `${c.count - c.examples.length} more`,
        verdict: 'Skipped',
        reason: `${text}: ${c.count} providers in all`,
      });
    }
  }
  const rest = all.slice(MAX_CAUSES);
  if (rest.length > 0) {
    const n = rest.reduce((sum, c) => sum + c.count, 0);
    out.push({
      group: req.name,
      provider: `${n} more`,
      verdict: 'Skipped',
      reason: `${rest.length} other causes (the full list: one reason per provider on request)`,
    });
  }
  return out;
}
