// The Table IV DSCP privacy mark. Bit R is set when every country of region
// R is explicitly allowed by an ALLOW_SPECIFIC rule of the zone's regions
// list (first match decides). With no deny rule shadowing an allow, this is
// the design's "R is a subset of the union of the allowed regions", and it
// reproduces Table V (EEA -> 111000, EU -> 001000).

import type { NormalizedPrivacy } from '../privacy/rules.js';
import { isAllAction } from '../privacy/rules.js';
import type { RegionCatalogue } from '../privacy/region-catalogue.js';
import type { PrivacyMarking } from './types.js';

function explicitlyAllowed(rules: NormalizedPrivacy, country: string): boolean {
  for (const r of rules.regions) {
    if (isAllAction(r.action)) return false;
    if (r.value?.countries.has(country)) return r.action === 'AllowSpecific';
  }
  return false;
}

export function privacyMarking(rules: NormalizedPrivacy, catalogue: RegionCatalogue): PrivacyMarking {
  let dscp = 0;
  for (const region of catalogue.marked()) {
    const bit = region.markingBit as number;
    if (region.countries.size > 0 && [...region.countries].every((c) => explicitlyAllowed(rules, c)))
      dscp |= 1 << (bit - 2);
  }
  return markingFromDscp(dscp);
}

export function markingFromDscp(dscp: number): PrivacyMarking {
  return { bits: dscp.toString(2).padStart(6, '0'), dscp, tos: dscp << 2 };
}
