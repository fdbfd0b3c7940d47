// Compliance drift: privacy is decided at placement, but the zone's rules,
// its providers' facts and the PrivacyRegions can all change afterwards.
// This re-checks every placed group that still runs instances against the
// rules and facts as they are now, and names, for each group that no longer
// complies, the provider, the rule (list and index, in the placement
// explanation's words) and the fact that fails. Unknown facts are never
// compliant: a provider that left the catalogue fails any rule at all.

import type { ExecutionZoneSpec } from '../api/types.js';
import { type FieldError, joinPath } from '../errors.js';
import type { CompiledPrivacy, PrivacySubject, PrivacyVerdict } from '../privacy/evaluate.js';
import type { RegionCatalogue } from '../privacy/region-catalogue.js';
import {
  describeRule,
  MANIFEST_PATHS,
  type NormalizedPrivacy,
  RULE_LISTS,
  type RuleListName,
} from '../privacy/rules.js';
import type { ZoneAllocation } from './allocation.js';
import { instanceOrder } from './federation.js';
import { compileZone } from './zone-spec.js';

export interface ComplianceViolation {
  group: string;
  provider: string;
  /** The group's live instances on that provider, in name order. */
  instances: string[];
  /** The manifest path of the rule list that decided: `spec.privacy.countries`, `spec.groups[1].privacy.regions`. */
  rules: string;
  list?: RuleListName;
  /** 0-based; absent when the provider's facts are unknown. */
  ruleIndex?: number;
  /** The rule as the placement explanation names it: `countries rule #2 DENY_SPECIFIC NO`. */
  rule?: string;
  /** The provider's fact that fails: `country 242 (NO)`, `AS 64500`, `facts unknown`. */
  fact: string;
  /** The placement explanation's sentence for this provider. */
  reason: string;
}

export type ComplianceReport =
  | { ok: true; violations: ComplianceViolation[]; groupsChecked: number }
  /** The rules themselves no longer compile (say, a region they name is gone). */
  | { ok: false; errors: FieldError[] };

/** The facts of a provider by name; undefined when they are unknown (it left the catalogue). */
export type ProviderFacts = (provider: string) => PrivacySubject | undefined;

const hasRules = (p: NormalizedPrivacy): boolean => RULE_LISTS.some((l) => p[l].length > 0);

/**
 * Re-checks every placed group with live instances. Groups that left the
 * spec are not checked: the next placement pass releases them anyway.
 */
export function checkCompliance(
  spec: ExecutionZoneSpec,
  allocation: ZoneAllocation,
  facts: ProviderFacts,
  regions: RegionCatalogue,
): ComplianceReport {
  const { zone, errors } = compileZone(spec, regions);
  if (!zone) return { ok: false, errors };
  const violations: ComplianceViolation[] = [];
  let groupsChecked = 0;
  zone.groups.forEach((g, index) => {
    const placed = allocation.groups[g.spec.name];
    if (!placed) return;
    const mine = allocation.instances.filter((i) => i.group === g.spec.name);
    if (mine.length === 0) return;
    groupsChecked++;
    // The zone's rules first, then the group's own, as placement reads them.
    const sets = g.request.privacy.map((set, i) => ({
      set,
      path: i === 0 ? 'spec.privacy' : joinPath(joinPath(joinPath('spec', 'groups'), index), 'privacy'),
    }));
    // Per provider: a group being replaced (spec.onViolation Replace) runs
    // on two at once, and only the old one's instances are in violation.
    for (const provider of [...new Set(mine.map((i) => i.provider))].sort()) {
      const live = mine
        .filter((i) => i.provider === provider)
        .map((i) => i.name)
        .sort(instanceOrder);
      const v = checkProvider(sets, facts(provider), provider);
      if (v) violations.push({ group: g.spec.name, provider, instances: live, ...v });
    }
  });
  return { ok: true, violations, groupsChecked };
}

type Found = Omit<ComplianceViolation, 'group' | 'provider' | 'instances'>;

function checkProvider(
  sets: readonly { set: CompiledPrivacy; path: string }[],
  subject: PrivacySubject | undefined,
  provider: string,
): Found | undefined {
  if (!subject) {
    const ruled = sets.find((s) => hasRules(s.set.rules));
    if (!ruled) return undefined;
    return {
      rules: ruled.path,
      fact: 'facts unknown',
      reason: `provider ${provider} is not in the catalogue, so its facts are unknown and ${ruled.path} cannot be checked (unknown is never compliant)`,
    };
  }
  for (const { set, path } of sets) {
    const verdict = set.evaluate(subject);
    if (!verdict.pass) return ruleOf(set.rules, path, verdict);
  }
  return undefined;
}

function ruleOf(
  rules: NormalizedPrivacy,
  path: string,
  v: PrivacyVerdict,
): Omit<ComplianceViolation, 'group' | 'provider' | 'instances'> {
  const out: Omit<ComplianceViolation, 'group' | 'provider' | 'instances'> = {
    rules: path,
    fact: v.fact ?? 'unknown',
    reason: v.reason,
  };
  if (v.list === undefined) return out;
  out.list = v.list;
  out.rules = joinPath(path, MANIFEST_PATHS.list(v.list));
  if (v.ruleIndex !== undefined) {
    out.ruleIndex = v.ruleIndex;
    out.rule = describeRule(v.list, v.ruleIndex, rules[v.list][v.ruleIndex]);
  }
  return out;
}

/** One line per violation: `group web on Fog1 (C1, C2): <reason> (spec.privacy.countries[1])`. */
export function describeViolation(v: ComplianceViolation): string {
  const where = v.ruleIndex === undefined ? v.rules : `${joinPath(v.rules, v.ruleIndex)}`;
  return `group ${v.group} on ${v.provider} (${v.instances.join(', ')}): ${v.reason} (${where})`;
}

/** The instances a release of the violations takes, by provider. */
export function violatingInstances(violations: readonly ComplianceViolation[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of violations) (out[v.provider] ??= []).push(...v.instances);
  for (const names of Object.values(out)) names.sort(instanceOrder);
  return out;
}
