// Privacy rule lists, checked and normalised once so that evaluation never
// has to deal with malformed input. Regions are resolved against the region
// catalogue and countries to ISO alpha-2 (matching a country by any MCC).

import type { PrivacyRule, PrivacyRules, RuleAction } from '../api/types.js';
import { RULE_ACTIONS } from '../api/types.js';
import { type FieldError, joinPath, quote } from '../errors.js';
import { resolveCountry } from '../geo/countries.js';
import type { Region, RegionCatalogue } from './region-catalogue.js';

export type RuleListName = 'regions' | 'countries' | 'as' | 'equipment';
/** Rules per list at most: the CRDs' maxItems (test/unit/cli/limits-agreement.test.ts checks they agree). */
export const MAX_RULES_PER_LIST = 64;
export const RULE_LISTS: readonly RuleListName[] = ['regions', 'countries', 'as', 'equipment'];

/** The paper's constant names, used in explanations. */
export const WIRE_ACTION_NAMES: Record<RuleAction, string> = {
  DenySpecific: 'DENY_SPECIFIC',
  DenyAll: 'DENY_ALL',
  AllowSpecific: 'ALLOW_SPECIFIC',
  AllowAll: 'ALLOW_ALL',
};

export interface CompiledRule<V> {
  action: RuleAction;
  /** Absent for `*All` rules. */
  value?: V;
  /** Text of the value as the user wrote it, for explanations. */
  label?: string;
}

export interface NormalizedPrivacy {
  regions: CompiledRule<Region>[];
  /** Countries as ISO alpha-2. */
  countries: CompiledRule<string>[];
  as: CompiledRule<number>[];
  equipment: CompiledRule<number>[];
}

export const NO_RULES: NormalizedPrivacy = Object.freeze({
  regions: [],
  countries: [],
  as: [],
  equipment: [],
});

export function isAllAction(a: RuleAction): boolean {
  return a === 'DenyAll' || a === 'AllowAll';
}

export function isDenyAction(a: RuleAction): boolean {
  return a === 'DenyAll' || a === 'DenySpecific';
}

/**
 * How paths of one rule are spelled: manifests use objects
 * (`countries[0].value`), the paper's messages use tuples (`countries[0][1]`).
 */
export interface RulePathStyle {
  list(name: RuleListName): string;
  action(listPath: string, i: number): string;
  value(listPath: string, i: number): string;
}

export const MANIFEST_PATHS: RulePathStyle = {
  list: (name) => (name === 'as' ? 'autonomousSystems' : name),
  action: (p, i) => joinPath(joinPath(p, i), 'action'),
  value: (p, i) => joinPath(joinPath(p, i), 'value'),
};

export const MESSAGE_PATHS: RulePathStyle = {
  list: (name) => name,
  action: (p, i) => `${joinPath(p, i)}[0]`,
  value: (p, i) => `${joinPath(p, i)}[1]`,
};

export function validateAsn(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v)) return `AS number must be an integer, got ${quote(v)}`;
  if (v < 1 || v > 4294967295) return `AS number must be from 1 to 4294967295, got ${v}`;
  return undefined;
}

export function validatePen(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v)) return `PEN must be an integer, got ${quote(v)}`;
  if (v === 0) return 'PEN 0 is reserved by IANA and names no vendor';
  if (v < 0 || v > 4294967295) return `PEN must be from 1 to 4294967295, got ${v}`;
  return undefined;
}

/** Validates and normalises one privacy block; every problem is reported. */
export function normalizePrivacy(
  rules: PrivacyRules | undefined,
  base: string,
  catalogue: RegionCatalogue,
  style: RulePathStyle = MANIFEST_PATHS,
): { privacy: NormalizedPrivacy; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (rules === undefined) return { privacy: NO_RULES, errors };
  const privacy: NormalizedPrivacy = { regions: [], countries: [], as: [], equipment: [] };

  const each = <V, R>(
    name: RuleListName,
    list: PrivacyRule<V>[] | undefined,
    resolve: (v: V) => { value: R; label: string } | { reason: string },
    out: CompiledRule<R>[],
  ): void => {
    if (list === undefined) return;
    const listPath = joinPath(base, style.list(name));
    if (!Array.isArray(list)) {
      errors.push({ path: listPath, reason: 'must be a list of rules' });
      return;
    }
    list.forEach((rule, i) => {
      if (!RULE_ACTIONS.includes(rule.action)) {
        errors.push({
          path: style.action(listPath, i),
          reason: `unknown action ${quote(rule.action)}; use ${RULE_ACTIONS.join(', ')}`,
        });
        return;
      }
      if (isAllAction(rule.action)) {
        if (rule.value !== undefined) {
          errors.push({ path: style.value(listPath, i), reason: `${WIRE_ACTION_NAMES[rule.action]} takes no value` });
          return;
        }
        out.push({ action: rule.action });
        return;
      }
      if (rule.value === undefined || rule.value === null) {
        errors.push({ path: style.value(listPath, i), reason: `${WIRE_ACTION_NAMES[rule.action]} needs a value` });
        return;
      }
      const r = resolve(rule.value);
      if ('reason' in r) errors.push({ path: style.value(listPath, i), reason: r.reason });
      else out.push({ action: rule.action, value: r.value, label: r.label });
    });
  };

  each<string, Region>(
    'regions',
    rules.regions,
    (v) => {
      if (typeof v !== 'string' || v === '') return { reason: `region must be a name, got ${quote(v)}` };
      const region = catalogue.find(v);
      if (!region)
        return {
          reason: `unknown region "${v}"; known: ${catalogue
            .all()
            .map((r) => r.name)
            .join(', ')}`,
        };
      return { value: region, label: region.name };
    },
    privacy.regions,
  );
  each<number | string, string>(
    'countries',
    rules.countries,
    (v) => {
      const r = resolveCountry(v);
      return r.ok ? { value: r.alpha2, label: String(v) } : { reason: r.reason };
    },
    privacy.countries,
  );
  const numeric = (check: (v: unknown) => string | undefined) => (v: number) => {
    const reason = check(v);
    return reason ? { reason } : { value: v, label: String(v) };
  };
  each<number, number>('as', rules.autonomousSystems, numeric(validateAsn), privacy.as);
  each<number, number>('equipment', rules.equipment, numeric(validatePen), privacy.equipment);
  return { privacy, errors };
}

export function describeRule(list: RuleListName, index: number, rule: CompiledRule<unknown>): string {
  const action = WIRE_ACTION_NAMES[rule.action];
  return `${list} rule #${index + 1} ${action}${rule.label !== undefined ? ` ${rule.label}` : ''}`;
}
