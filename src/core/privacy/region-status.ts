// What a PrivacyRegion's status says, as a function of the hub's regions,
// providers and zones. It must describe what placement actually does with
// the region: an invalid object is left out of the catalogue (a built-in of
// the same name then stands in), and two regions with one marking bit both
// set it, so a zone's DSCP mark could no longer say which one it meant.

import { RegionConditionType as T, RegionReason as R } from '../api/conditions.js';
import type { Condition, ExecutionZoneSpec, PrivacyRegion, PrivacyRegionStatus, PrivacyRules } from '../api/types.js';
import { formatFieldErrors } from '../errors.js';
import { alpha2ToMccs, resolveCountry } from '../geo/countries.js';
import { BUILTIN_REGIONS, findRegion } from '../geo/regions.js';
import { type Region, RegionCatalogue, regionFromObject } from './region-catalogue.js';

/** A condition before the controller stamps lastTransitionTime on it. */
export type RegionCondition = Omit<Condition, 'lastTransitionTime'>;

export type RegionStatusFacts = Omit<PrivacyRegionStatus, 'conditions'> & { conditions: RegionCondition[] };

export interface RegionContext {
  /** Every PrivacyRegion on the hub, the one being described included. */
  regions: readonly Pick<PrivacyRegion, 'metadata' | 'spec'>[];
  /** spec.country of every ProviderCluster, as written (MCC or alpha-2). */
  providerCountries: readonly (number | string)[];
  zones: readonly Pick<ExecutionZoneSpec, 'privacy' | 'groups'>[];
}

/** The region names (lower case) a zone's rules mention, its groups' included. */
export function regionsNamedBy(spec: Pick<ExecutionZoneSpec, 'privacy' | 'groups'>): Set<string> {
  const names = new Set<string>();
  const add = (p: PrivacyRules | undefined) => {
    for (const r of p?.regions ?? []) if (typeof r.value === 'string') names.add(r.value.toLowerCase());
  };
  add(spec.privacy);
  for (const g of spec.groups ?? []) add(g.privacy);
  return names;
}

export function regionStatus(obj: Pick<PrivacyRegion, 'metadata' | 'spec'>, ctx: RegionContext): RegionStatusFacts {
  const key = obj.metadata.name.toLowerCase();
  const generation = obj.metadata.generation;
  const cond = (type: T, ok: boolean, reason: R, message: string): RegionCondition => ({
    type,
    status: ok ? 'True' : 'False',
    reason,
    message,
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  });
  const zones = ctx.zones.filter((z) => regionsNamedBy(z).has(key)).length;
  const base = generation !== undefined ? { observedGeneration: generation, zones } : { zones };

  const { region, errors } = regionFromObject(obj);
  if (!region) {
    const builtin = findRegion(BUILTIN_REGIONS, key);
    const effect = builtin
      ? `rules naming ${obj.metadata.name} use the built-in ${builtin.name} instead`
      : `rules naming ${obj.metadata.name} are refused (InvalidSpec)`;
    const message = `${formatFieldErrors(errors)}; the region is ignored: ${effect}`;
    return {
      ...base,
      conditions: [cond(T.Ready, false, R.InvalidSpec, message), cond(T.Valid, false, R.InvalidSpec, message)],
    };
  }

  const mccs = [...new Set([...region.countries].flatMap((c) => [...(alpha2ToMccs(c) ?? [])]))].sort((a, b) => a - b);
  const providers = ctx.providerCountries.filter((c) => {
    const r = resolveCountry(c);
    return r.ok && region.countries.has(r.alpha2);
  }).length;
  const valid = cond(T.Valid, true, R.Resolved, `${region.countries.size} countries, ${mccs.length} MCCs`);
  const facts = { ...base, mccs, providers };

  const clash = region.markingBit === undefined ? [] : markingRivals(region, ctx.regions);
  if (clash.length > 0) {
    const message = `spec.markingBit: bit ${region.markingBit} is also set by ${clash.join(', ')}; a zone's DSCP marking cannot tell these regions apart`;
    return { ...facts, conditions: [cond(T.Ready, false, R.MarkingBitConflict, message), valid] };
  }
  const marks = region.markingBit === undefined ? 'sets no marking bit' : `sets marking bit ${region.markingBit}`;
  return {
    ...facts,
    conditions: [cond(T.Ready, true, R.Ready, `rules may name it ${region.name}; it ${marks}`), valid],
  };
}

/** The other regions of the effective catalogue (built-ins overridden by valid objects) with `region`'s bit. */
function markingRivals(region: Region, objects: RegionContext['regions']): string[] {
  const valid = objects.map((o) => regionFromObject(o).region).filter((r): r is Region => r !== undefined);
  const fromObjects = new Set(valid.map((r) => r.name.toLowerCase()));
  const key = region.name.toLowerCase();
  return RegionCatalogue.builtin()
    .withRegions(valid)
    .all()
    .filter((r) => r.markingBit === region.markingBit && r.name.toLowerCase() !== key)
    .map((r) =>
      fromObjects.has(r.name.toLowerCase()) ? `PrivacyRegion ${r.name.toLowerCase()}` : `the built-in region ${r.name}`,
    )
    .sort();
}
