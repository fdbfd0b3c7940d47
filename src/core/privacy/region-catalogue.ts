// Regions are data: the six built-in regions of Table IV plus any that the
// platform admin adds as PrivacyRegion objects. A region is a set of
// countries; countries are compared by ISO alpha-2 so that a country with
// several MCCs matches by any of them.

import type { ObjectMeta, PrivacyRegion, PrivacyRegionSpec } from '../api/types.js';
import { type FieldError, joinPath } from '../errors.js';
import { resolveCountry } from '../geo/countries.js';
import { BUILTIN_REGIONS, type RegionDefinition } from '../geo/regions.js';

export interface Region {
  name: string;
  description: string;
  /** ISO 3166-1 alpha-2 codes. */
  countries: ReadonlySet<string>;
  markingBit?: number;
}

export class RegionCatalogue {
  private readonly byKey = new Map<string, Region>();

  constructor(regions: Iterable<Region>) {
    for (const r of regions) this.byKey.set(r.name.toLowerCase(), r);
  }

  static builtin(): RegionCatalogue {
    return new RegionCatalogue(BUILTIN_REGIONS.map(fromDefinition));
  }

  /** A catalogue with the built-ins, overridden or extended by user regions. */
  withRegions(extra: Iterable<Region>): RegionCatalogue {
    return new RegionCatalogue([...this.byKey.values(), ...extra]);
  }

  find(name: string): Region | undefined {
    return this.byKey.get(name.toLowerCase());
  }

  all(): Region[] {
    return [...this.byKey.values()];
  }

  /** Regions with a DSCP bit, highest bit first (Table IV order). */
  marked(): Region[] {
    return this.all()
      .filter((r) => r.markingBit !== undefined)
      .sort((a, b) => (b.markingBit ?? 0) - (a.markingBit ?? 0));
  }
}

function fromDefinition(d: RegionDefinition): Region {
  const region: Region = { name: d.name, description: d.description, countries: new Set(d.countries) };
  if (d.markingBit !== undefined) region.markingBit = d.markingBit;
  return region;
}

export const MARKING_BITS = [7, 6, 5, 4, 3, 2] as const;

/** Turns a PrivacyRegion object into a Region, naming every bad field. */
export function regionFromSpec(
  name: string,
  spec: PrivacyRegionSpec,
  path = 'spec',
): { region?: Region; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!/^[A-Za-z][A-Za-z0-9_.+-]{0,62}$/.test(name)) {
    errors.push({
      path: 'metadata.name',
      reason: `region name "${name}" must start with a letter and use letters, digits, "_", ".", "+" or "-" (at most 63)`,
    });
  }
  const countries = new Set<string>();
  if (!Array.isArray(spec.countries) || spec.countries.length === 0) {
    errors.push({ path: joinPath(path, 'countries'), reason: 'must list at least one country' });
  } else {
    spec.countries.forEach((c, i) => {
      const r = resolveCountry(c);
      if (r.ok) countries.add(r.alpha2);
      else errors.push({ path: joinPath(joinPath(path, 'countries'), i), reason: r.reason });
    });
  }
  if (
    spec.markingBit !== undefined &&
    !(Number.isInteger(spec.markingBit) && spec.markingBit >= 2 && spec.markingBit <= 7)
  ) {
    errors.push({
      path: joinPath(path, 'markingBit'),
      reason: `must be an integer from 2 to 7 (DSCP bits of the TOS byte), got ${String(spec.markingBit)}`,
    });
  }
  if (errors.length > 0) return { errors };
  const region: Region = { name, description: spec.description ?? '', countries };
  if (spec.markingBit !== undefined) region.markingBit = spec.markingBit;
  return { region, errors };
}

/**
 * Kubernetes names are lower case (`eea`); this annotation keeps the
 * spelling rules and explanations use (`EEA`).
 */
export const REGION_NAME_ANNOTATION = 'zonekeeper.io/region-name';

/** The annotation's spelling when it names the same region, else metadata.name. */
export function regionDisplayName(meta: Pick<ObjectMeta, 'name' | 'annotations'>): string {
  const display = meta.annotations?.[REGION_NAME_ANNOTATION];
  return display !== undefined && display.toLowerCase() === meta.name.toLowerCase() ? display : meta.name;
}

/** A PrivacyRegion object as a Region, under its display name. */
export function regionFromObject(obj: Pick<PrivacyRegion, 'metadata' | 'spec'>): {
  region?: Region;
  errors: FieldError[];
} {
  return regionFromSpec(regionDisplayName(obj.metadata), obj.spec);
}
