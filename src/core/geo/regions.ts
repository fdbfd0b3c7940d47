// Regions: named groups of countries (regions are data, not
// code). The six of the paper's Table IV are built in, each with the DSCP
// (Traffic Class/TOS) bit that marks it; the platform admin may add more,
// with or without a marking bit. On the wire a region is its MCC set.
//
// Membership decisions (Table IV names the regions, not all members):
//  - Scandinavia: DK, NO, SE exactly as in Table IV (not FI, IS).
//  - EU: the 27 member states as of 2025, by member-state code. Outermost
//    regions with their own MCC (GP, GF, RE) are not listed, nor are
//    overseas countries/territories or the Faroe Islands, Greenland and
//    Gibraltar; an admin can define a wider region if needed.
//  - EEA: the EU 27 plus IS, LI, NO.
//  - America: every sovereign state of North, Central and South America and
//    the Caribbean, plus the territories there that have an MCC of their
//    own: US territories PR, VI; UK territories AI, BM, FK, KY, MS, TC, VG;
//    French GF, PM and GP (MCC 340 also covers MQ, BL, MF); Dutch AW and CW
//    (MCC 362 also covers SX, BQ); and Greenland (GL), which lies in North
//    America even though it belongs to the Kingdom of Denmark. This covers
//    every MCC of E.212 zones 3 and 7. US Pacific territories are Oceania:
//    AS (544) is not included; GU/MP use US MCCs and so cannot be excluded.
//  - BRICS: the paper's five founding members BR, RU, IN, CN, ZA (not the
//    2024/2025 enlargement).
//  - MENA: North Africa as UN M49 "Northern Africa" (DZ, EG, LY, MA, SD, TN;
//    EH has no MCC) and the Middle East: BH, IR, IQ, IL, JO, KW, LB, OM,
//    QA, SA, SY, AE, YE. PS uses Israel's MCC 425, so it is covered by IL.
//    Not included: TR and CY (usually counted as Europe), MR, DJ, SO
//    (Arab League members outside the usual MENA definition).

import { alpha2ToMccs, resolveCountry } from './countries.js';

export interface RegionDefinition {
  name: string;
  description: string;
  /** ISO 3166-1 alpha-2 codes. */
  countries: readonly string[];
  /** DSCP/TOS bit (7..2 for the built-ins), when the region has one. */
  markingBit?: number;
}

function region(name: string, description: string, countries: string[], markingBit: number): RegionDefinition {
  return Object.freeze({ name, description, countries: Object.freeze(countries), markingBit });
}

const EU_MEMBERS = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
];

const AMERICA = [
  // North America
  'CA',
  'US',
  'MX',
  'GL',
  'BM',
  'PM',
  // Central America
  'BZ',
  'CR',
  'SV',
  'GT',
  'HN',
  'NI',
  'PA',
  // Caribbean
  'AG',
  'AI',
  'AW',
  'BB',
  'BS',
  'CU',
  'CW',
  'DM',
  'DO',
  'GD',
  'GP',
  'HT',
  'JM',
  'KN',
  'KY',
  'LC',
  'MS',
  'PR',
  'TC',
  'TT',
  'VC',
  'VG',
  'VI',
  // South America
  'AR',
  'BO',
  'BR',
  'CL',
  'CO',
  'EC',
  'FK',
  'GF',
  'GY',
  'PE',
  'PY',
  'SR',
  'UY',
  'VE',
];

const MENA = [
  // North Africa
  'DZ',
  'EG',
  'LY',
  'MA',
  'SD',
  'TN',
  // Middle East
  'AE',
  'BH',
  'IL',
  'IQ',
  'IR',
  'JO',
  'KW',
  'LB',
  'OM',
  'QA',
  'SA',
  'SY',
  'YE',
];

/** The six regions of Table IV, in bit order 7..2. */
export const BUILTIN_REGIONS: readonly RegionDefinition[] = Object.freeze([
  region('Scandinavia', 'Denmark, Norway and Sweden', ['DK', 'NO', 'SE'], 7),
  region(
    'EEA',
    'European Economic Area: the EU 27 plus Iceland, Liechtenstein and Norway (GDPR)',
    [...EU_MEMBERS, 'IS', 'LI', 'NO'],
    6,
  ),
  region('EU', 'European Union: the 27 member states as of 2025 (GDPR)', EU_MEMBERS, 5),
  region('America', 'North, Central and South America and the Caribbean, with their territories', AMERICA, 4),
  region(
    'BRICS',
    'The five BRICS countries: Brazil, Russia, India, China, South Africa',
    ['BR', 'RU', 'IN', 'CN', 'ZA'],
    3,
  ),
  region('MENA', 'North Africa and the Middle East', MENA, 2),
]);

/** Case-insensitive lookup of a region by name. */
export function findRegion(regions: readonly RegionDefinition[], name: string): RegionDefinition | undefined {
  const wanted = name.trim().toLowerCase();
  return regions.find((r) => r.name.toLowerCase() === wanted);
}

/**
 * All MCCs of all the region's countries. Throws if the region names a code
 * that does not resolve to a country with its own MCC (a data error that
 * must not silently shrink a rule).
 */
export function regionMccs(def: RegionDefinition): ReadonlySet<number> {
  const mccs = new Set<number>();
  for (const code of def.countries) {
    const own = alpha2ToMccs(code);
    if (own === undefined) {
      const resolved = resolveCountry(code);
      const reason = resolved.ok ? `"${code}" is not an alpha-2 code` : resolved.reason;
      throw new Error(`region ${def.name}: ${reason}`);
    }
    for (const mcc of own) mccs.add(mcc);
  }
  return mccs;
}
