// The six built-in regions of Table IV as PrivacyRegion manifests, made
// from the core's data (src/core/geo/regions.ts) so that the cluster and
// the core (zonectl plan, the REST gateway) agree on what "EEA" means.

import { API_GROUP_VERSION, type PrivacyRegion } from '../../src/core/api/types.js';
import { BUILTIN_REGIONS, type RegionDefinition } from '../../src/core/geo/regions.js';
import { SYNC_WAVE, SYNC_WAVES } from './crds.js';
import { REGION_NAME_ANNOTATION } from './privacy-region-schema.js';
import { regionDisplayName } from '../../src/core/privacy/region-catalogue.js';

export function regionObjectName(regionName: string): string {
  return regionName.toLowerCase();
}

/**
 * The name a region goes by in rules and explanations: the display spelling
 * of the zonekeeper.io/region-name annotation (EEA) when it names the same
 * region case-insensitively, else metadata.name (Kubernetes names are lower
 * case, so without it "eea" would replace the built-in "EEA" in messages).
 */
/** The region's display name (`EEA` for the object `eea`); the core's rule. */
export const regionNameOf = (region: Pick<PrivacyRegion, 'metadata'>): string => regionDisplayName(region.metadata);

export function regionManifest(def: RegionDefinition): PrivacyRegion {
  const region: PrivacyRegion = {
    apiVersion: API_GROUP_VERSION,
    kind: 'PrivacyRegion',
    metadata: {
      name: regionObjectName(def.name),
      labels: { 'app.kubernetes.io/part-of': 'zonekeeper', 'zonekeeper.io/builtin': 'true' },
      annotations: { [REGION_NAME_ANNOTATION]: def.name, [SYNC_WAVE]: String(SYNC_WAVES.regions) },
    },
    // Alpha-2 codes, as the core holds them: readable, and each expands to all of its MCCs.
    spec: { countries: [...def.countries], description: def.description },
  };
  if (def.markingBit !== undefined) region.spec.markingBit = def.markingBit;
  return region;
}

export function builtinRegionManifests(): PrivacyRegion[] {
  return BUILTIN_REGIONS.map(regionManifest);
}

/** deploy/regions/<n>-<name>.yaml: numbered in Table IV order (bit 7 first). */
export function regionFileName(def: RegionDefinition, index: number): string {
  return `${String(index + 1).padStart(2, '0')}-${regionObjectName(def.name)}.yaml`;
}
