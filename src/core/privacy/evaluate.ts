// Privacy rule evaluation (docs/design.md, "Privacy rules"): each list is read top to
// bottom and the first rule that matches a value decides; a value no rule
// matches passes. A provider must pass all four lists; `as` and `equipment`
// are sets on a provider and every member must pass; a provider that
// declares no AS numbers (or equipment) fails a list holding a deny rule.

import {
  type CompiledRule,
  type NormalizedPrivacy,
  type RuleListName,
  describeRule,
  isAllAction,
  isDenyAction,
} from './rules.js';
import type { Region } from './region-catalogue.js';

/** What the rules look at on a provider. */
export interface PrivacySubject {
  /** ISO alpha-2 of the provider's country. */
  country: string;
  /** The MCC the provider declared, for explanations. */
  mcc: number;
  autonomousSystems: readonly number[];
  equipment: readonly number[];
}

export interface PrivacyVerdict {
  pass: boolean;
  /** The list that decided a failure. */
  list?: RuleListName;
  /** 0-based index of the deciding rule (for an unknown value: the deny rule that cannot be checked). */
  ruleIndex?: number;
  /** The provider's fact the deciding rule turned away: "country 242 (NO)", "AS 64500", "no AS numbers". */
  fact?: string;
  reason: string;
}

const PASS: PrivacyVerdict = Object.freeze({ pass: true, reason: 'passes all privacy rules' });

/** First matching rule's index, or -1 when none matches (implicit allow). */
function firstMatch<V>(rules: readonly CompiledRule<V>[], matches: (v: V) => boolean): number {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (isAllAction(r.action) || matches(r.value as V)) return i;
  }
  return -1;
}

function countryVerdict(p: NormalizedPrivacy, s: PrivacySubject): PrivacyVerdict {
  return (
    listDenies('regions', p.regions, (region) => region.countries.has(s.country), s) ??
    listDenies('countries', p.countries, (c) => c === s.country, s) ??
    PASS
  );
}

/** The failure when the first rule matching the provider's country denies it. */
function listDenies<V>(
  list: 'regions' | 'countries',
  rules: readonly CompiledRule<V>[],
  matches: (v: V) => boolean,
  s: PrivacySubject,
): PrivacyVerdict | undefined {
  const i = firstMatch(rules, matches);
  if (i < 0 || !isDenyAction(rules[i].action)) return undefined;
  return {
    pass: false,
    list,
    ruleIndex: i,
    fact: `country ${s.mcc} (${s.country})`,
    reason: `country ${s.mcc} (${s.country}) not allowed by ${describeRule(list, i, rules[i])}`,
  };
}

function setVerdict(
  list: 'as' | 'equipment',
  rules: readonly CompiledRule<number>[],
  values: readonly number[],
): PrivacyVerdict {
  if (rules.length === 0) return PASS;
  const what = list === 'as' ? 'AS' : 'equipment PEN';
  if (values.length === 0) {
    const deny = rules.findIndex((r) => isDenyAction(r.action));
    if (deny < 0) return PASS;
    return {
      pass: false,
      list,
      ruleIndex: deny,
      fact: `no ${list === 'as' ? 'AS numbers' : 'equipment'} declared`,
      reason: `declares no ${list === 'as' ? 'AS numbers' : 'equipment'}, and ${describeRule(list, deny, rules[deny])} cannot be checked (unknown is never compliant)`,
    };
  }
  for (const v of values) {
    const i = firstMatch(rules, (x) => x === v);
    if (i >= 0 && isDenyAction(rules[i].action)) {
      return {
        pass: false,
        list,
        ruleIndex: i,
        fact: `${what} ${v}`,
        reason: `${what} ${v} not allowed by ${describeRule(list, i, rules[i])}`,
      };
    }
  }
  return PASS;
}

/** The reference evaluation: re-reads every rule for every call. */
export function evaluatePrivacy(p: NormalizedPrivacy, s: PrivacySubject): PrivacyVerdict {
  const c = countryVerdict(p, s);
  if (!c.pass) return c;
  const a = setVerdict('as', p.as, s.autonomousSystems);
  if (!a.pass) return a;
  return setVerdict('equipment', p.equipment, s.equipment);
}

/**
 * The same verdicts, memoised per country and per AS / PEN value. A rule set
 * is compiled once (per zone or group) and then answers each provider with
 * a few map look-ups; this is what makes placement over large catalogues fast.
 */
export class CompiledPrivacy {
  /** Keyed by MCC: it determines the country and the explanation's text. */
  private readonly byMcc = new Map<number, PrivacyVerdict>();
  private readonly byAs = new Map<number, PrivacyVerdict>();
  private readonly byPen = new Map<number, PrivacyVerdict>();
  private readonly emptyAs: PrivacyVerdict;
  private readonly emptyPen: PrivacyVerdict;

  private contentKey: string | undefined;
  /** The last catalogue's compliant set (a zone is placed against one catalogue at a time). */
  private bitsOwner: object | undefined;
  private bits: Uint32Array | undefined;

  constructor(readonly rules: NormalizedPrivacy) {
    this.emptyAs = setVerdict('as', rules.as, []);
    this.emptyPen = setVerdict('equipment', rules.equipment, []);
  }

  /**
   * The rules as text: two rule sets with the same key pass the same
   * providers, with the same reasons. Zones are compiled afresh on every pass, and
   * many zones share a few rule lists, so placement caches by this key.
   */
  get key(): string {
    this.contentKey ??= privacyKey(this.rules);
    return this.contentKey;
  }

  bitsFor(owner: object): Uint32Array | undefined {
    return owner === this.bitsOwner ? this.bits : undefined;
  }

  rememberBits(owner: object, bits: Uint32Array): void {
    this.bitsOwner = owner;
    this.bits = bits;
  }

  evaluate(s: PrivacySubject): PrivacyVerdict {
    let c = this.byMcc.get(s.mcc);
    if (c === undefined) {
      c = countryVerdict(this.rules, s);
      this.byMcc.set(s.mcc, c);
    }
    if (!c.pass) return c;
    const a = this.members('as', this.rules.as, s.autonomousSystems, this.byAs, this.emptyAs);
    if (!a.pass) return a;
    return this.members('equipment', this.rules.equipment, s.equipment, this.byPen, this.emptyPen);
  }

  private members(
    list: 'as' | 'equipment',
    rules: readonly CompiledRule<number>[],
    values: readonly number[],
    memo: Map<number, PrivacyVerdict>,
    empty: PrivacyVerdict,
  ): PrivacyVerdict {
    if (rules.length === 0) return PASS;
    if (values.length === 0) return empty;
    for (const v of values) {
      let verdict = memo.get(v);
      if (verdict === undefined) {
        verdict = setVerdict(list, rules, [v]);
        memo.set(v, verdict);
      }
      if (!verdict.pass) return verdict;
    }
    return PASS;
  }
}

const regionKeys = new WeakMap<Region, string>();

function regionKey(r: Region): string {
  let k = regionKeys.get(r);
  if (k === undefined) {
    k = `${r.name}=${[...r.countries].sort().join(',')}`;
    regionKeys.set(r, k);
  }
  return k;
}

function privacyKey(p: NormalizedPrivacy): string {
  const list = <V>(rules: readonly CompiledRule<V>[], value: (v: V) => string) =>
    rules.map((r) => (isAllAction(r.action) ? r.action : `${r.action}:${value(r.value as V)}`)).join(';');
  // Countries keep the spelling of the rule (240 or SE): explanations quote it.
  const countries = p.countries
    .map((r) => (isAllAction(r.action) ? r.action : `${r.action}:${r.value}/${r.label}`))
    .join(';');
  return [list(p.regions, regionKey), countries, list(p.as, String), list(p.equipment, String)].join('|');
}

/** All rule sets that apply to one group: the zone's, then the group's own. */
export function evaluateAll(sets: readonly CompiledPrivacy[], s: PrivacySubject): PrivacyVerdict {
  for (const set of sets) {
    const v = set.evaluate(s);
    if (!v.pass) return v;
  }
  return PASS;
}
