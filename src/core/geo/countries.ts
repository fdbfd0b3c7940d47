// ISO 3166-1 alpha-2 ⇄ ITU-T E.212 mobile country codes (MCC).
//
// Pure data and lookups, no I/O. Countries travel as MCCs on the wire
// (Listing 1 of the paper uses 240 for Sweden); manifests may also name them
// by alpha-2 code, and resolveCountry() converts either form.
//
// Scope: only the geographic MCC series 2xx–7xx. The non-geographic E.212
// codes (001 test networks, 901 international/shared, 902, 991, 995 …) are
// excluded: they name no country.
//
// One MCC, one country. E.212 sometimes assigns one MCC to a group of
// ISO territories. Each such MCC belongs here to ONE principal entry (so the
// reverse index mccToAlpha2 is a function); the other territories are listed
// in SHARED_MCC_TERRITORIES and are not entries of COUNTRIES, because on the
// wire they cannot be told apart from their principal. The decisions:
//
//   MCC        principal   also used by (no MCC of their own)
//   234, 235   GB          GG Guernsey, JE Jersey, IM Isle of Man
//   242        NO          SJ Svalbard and Jan Mayen
//   244        FI          AX Åland Islands
//   310–316    US          GU Guam, MP Northern Mariana Islands (their
//                          operators use US MCCs 310/311)
//   340        GP          MQ Martinique, BL Saint Barthélemy, MF Saint Martin
//                          (E.212 "French Departments and Territories in the
//                          West Indies"; French Guiana has its own 742)
//   362        CW          SX Sint Maarten, BQ Bonaire, Sint Eustatius and Saba
//                          (the former Netherlands Antilles code)
//   425        IL          PS Palestine (its operators use 425)
//   505        AU          NF Norfolk Island, CX Christmas Island,
//                          CC Cocos (Keeling) Islands
//   647        RE          YT Mayotte (E.212 "French Departments and
//                          Territories in the Indian Ocean")
//
// Also left out on purpose:
//   221  Kosovo: assigned by ITU, but Kosovo has no ISO 3166-1 code (XK is a
//        user-assigned code, not part of the standard).
//   289  used in Abkhazia; not an ITU assignment to an ISO 3166 country.
//   995  British Indian Ocean Territory (IO): outside the geographic 2xx–7xx
//        series, so IO is treated as having no country MCC.
// ISO codes with no MCC at all are in ISO_CODES_WITHOUT_MCC.

import { quote } from '../errors.js';

export interface CountryEntry {
  /** ISO 3166-1 alpha-2, upper case. */
  alpha2: string;
  /** English short name. */
  name: string;
  /** Every E.212 MCC assigned to it, ascending; never empty. */
  mccs: readonly number[];
}

/** Smallest and largest geographic MCC (E.212 zones 2–7). */
export const MIN_GEOGRAPHIC_MCC = 200;
export const MAX_GEOGRAPHIC_MCC = 799;

function c(alpha2: string, name: string, ...mccs: number[]): CountryEntry {
  return Object.freeze({ alpha2, name, mccs: Object.freeze(mccs) });
}

/** Every ISO 3166-1 country/territory with an E.212 MCC of its own, by MCC. */
export const COUNTRIES: readonly CountryEntry[] = Object.freeze([
  // Zone 2: Europe
  c('GR', 'Greece', 202),
  c('NL', 'Netherlands', 204),
  c('BE', 'Belgium', 206),
  c('FR', 'France', 208),
  c('MC', 'Monaco', 212),
  c('AD', 'Andorra', 213),
  c('ES', 'Spain', 214),
  c('HU', 'Hungary', 216),
  c('BA', 'Bosnia and Herzegovina', 218),
  c('HR', 'Croatia', 219),
  c('RS', 'Serbia', 220),
  c('IT', 'Italy', 222),
  c('VA', 'Holy See (Vatican City State)', 225),
  c('RO', 'Romania', 226),
  c('CH', 'Switzerland', 228),
  c('CZ', 'Czechia', 230),
  c('SK', 'Slovakia', 231),
  c('AT', 'Austria', 232),
  c('GB', 'United Kingdom', 234, 235),
  c('DK', 'Denmark', 238),
  c('SE', 'Sweden', 240),
  c('NO', 'Norway', 242),
  c('FI', 'Finland', 244),
  c('LT', 'Lithuania', 246),
  c('LV', 'Latvia', 247),
  c('EE', 'Estonia', 248),
  c('RU', 'Russian Federation', 250),
  c('UA', 'Ukraine', 255),
  c('BY', 'Belarus', 257),
  c('MD', 'Moldova', 259),
  c('PL', 'Poland', 260),
  c('DE', 'Germany', 262),
  c('GI', 'Gibraltar', 266),
  c('PT', 'Portugal', 268),
  c('LU', 'Luxembourg', 270),
  c('IE', 'Ireland', 272),
  c('IS', 'Iceland', 274),
  c('AL', 'Albania', 276),
  c('MT', 'Malta', 278),
  c('CY', 'Cyprus', 280),
  c('GE', 'Georgia', 282),
  c('AM', 'Armenia', 283),
  c('BG', 'Bulgaria', 284),
  c('TR', 'Türkiye', 286),
  c('FO', 'Faroe Islands', 288),
  c('GL', 'Greenland', 290),
  c('SM', 'San Marino', 292),
  c('SI', 'Slovenia', 293),
  c('MK', 'North Macedonia', 294),
  c('LI', 'Liechtenstein', 295),
  c('ME', 'Montenegro', 297),

  // Zone 3: North America and the Caribbean
  c('CA', 'Canada', 302),
  c('PM', 'Saint Pierre and Miquelon', 308),
  c('US', 'United States of America', 310, 311, 312, 313, 314, 315, 316),
  c('PR', 'Puerto Rico', 330),
  c('VI', 'Virgin Islands (U.S.)', 332),
  c('MX', 'Mexico', 334),
  c('JM', 'Jamaica', 338),
  c('GP', 'Guadeloupe', 340),
  c('BB', 'Barbados', 342),
  c('AG', 'Antigua and Barbuda', 344),
  c('KY', 'Cayman Islands', 346),
  c('VG', 'Virgin Islands (British)', 348),
  c('BM', 'Bermuda', 350),
  c('GD', 'Grenada', 352),
  c('MS', 'Montserrat', 354),
  c('KN', 'Saint Kitts and Nevis', 356),
  c('LC', 'Saint Lucia', 358),
  c('VC', 'Saint Vincent and the Grenadines', 360),
  c('CW', 'Curaçao', 362),
  c('AW', 'Aruba', 363),
  c('BS', 'Bahamas', 364),
  c('AI', 'Anguilla', 365),
  c('DM', 'Dominica', 366),
  c('CU', 'Cuba', 368),
  c('DO', 'Dominican Republic', 370),
  c('HT', 'Haiti', 372),
  c('TT', 'Trinidad and Tobago', 374),
  c('TC', 'Turks and Caicos Islands', 376),

  // Zone 4: Asia and the Middle East
  c('AZ', 'Azerbaijan', 400),
  c('KZ', 'Kazakhstan', 401),
  c('BT', 'Bhutan', 402),
  c('IN', 'India', 404, 405, 406),
  c('PK', 'Pakistan', 410),
  c('AF', 'Afghanistan', 412),
  c('LK', 'Sri Lanka', 413),
  c('MM', 'Myanmar', 414),
  c('LB', 'Lebanon', 415),
  c('JO', 'Jordan', 416),
  c('SY', 'Syrian Arab Republic', 417),
  c('IQ', 'Iraq', 418),
  c('KW', 'Kuwait', 419),
  c('SA', 'Saudi Arabia', 420),
  c('YE', 'Yemen', 421),
  c('OM', 'Oman', 422),
  c('AE', 'United Arab Emirates', 424, 430, 431), // 430 Abu Dhabi, 431 Dubai
  c('IL', 'Israel', 425),
  c('BH', 'Bahrain', 426),
  c('QA', 'Qatar', 427),
  c('MN', 'Mongolia', 428),
  c('NP', 'Nepal', 429),
  c('IR', 'Iran', 432),
  c('UZ', 'Uzbekistan', 434),
  c('TJ', 'Tajikistan', 436),
  c('KG', 'Kyrgyzstan', 437),
  c('TM', 'Turkmenistan', 438),
  c('JP', 'Japan', 440, 441),
  c('KR', 'Korea, Republic of', 450),
  c('VN', 'Viet Nam', 452),
  c('HK', 'Hong Kong', 454),
  c('MO', 'Macao', 455),
  c('KH', 'Cambodia', 456),
  c('LA', "Lao People's Democratic Republic", 457),
  c('CN', 'China', 460, 461),
  c('TW', 'Taiwan', 466),
  c('KP', "Korea, Democratic People's Republic of", 467),
  c('BD', 'Bangladesh', 470),
  c('MV', 'Maldives', 472),

  // Zone 5: Oceania and South-East Asia
  c('MY', 'Malaysia', 502),
  c('AU', 'Australia', 505),
  c('ID', 'Indonesia', 510),
  c('TL', 'Timor-Leste', 514),
  c('PH', 'Philippines', 515),
  c('TH', 'Thailand', 520),
  c('SG', 'Singapore', 525),
  c('BN', 'Brunei Darussalam', 528),
  c('NZ', 'New Zealand', 530),
  c('NR', 'Nauru', 536),
  c('PG', 'Papua New Guinea', 537),
  c('TO', 'Tonga', 539),
  c('SB', 'Solomon Islands', 540),
  c('VU', 'Vanuatu', 541),
  c('FJ', 'Fiji', 542),
  c('WF', 'Wallis and Futuna', 543),
  c('AS', 'American Samoa', 544),
  c('KI', 'Kiribati', 545),
  c('NC', 'New Caledonia', 546),
  c('PF', 'French Polynesia', 547),
  c('CK', 'Cook Islands', 548),
  c('WS', 'Samoa', 549),
  c('FM', 'Micronesia, Federated States of', 550),
  c('MH', 'Marshall Islands', 551),
  c('PW', 'Palau', 552),
  c('TV', 'Tuvalu', 553),
  c('TK', 'Tokelau', 554),
  c('NU', 'Niue', 555),

  // Zone 6: Africa
  c('EG', 'Egypt', 602),
  c('DZ', 'Algeria', 603),
  c('MA', 'Morocco', 604),
  c('TN', 'Tunisia', 605),
  c('LY', 'Libya', 606),
  c('GM', 'Gambia', 607),
  c('SN', 'Senegal', 608),
  c('MR', 'Mauritania', 609),
  c('ML', 'Mali', 610),
  c('GN', 'Guinea', 611),
  c('CI', "Côte d'Ivoire", 612),
  c('BF', 'Burkina Faso', 613),
  c('NE', 'Niger', 614),
  c('TG', 'Togo', 615),
  c('BJ', 'Benin', 616),
  c('MU', 'Mauritius', 617),
  c('LR', 'Liberia', 618),
  c('SL', 'Sierra Leone', 619),
  c('GH', 'Ghana', 620),
  c('NG', 'Nigeria', 621),
  c('TD', 'Chad', 622),
  c('CF', 'Central African Republic', 623),
  c('CM', 'Cameroon', 624),
  c('CV', 'Cabo Verde', 625),
  c('ST', 'Sao Tome and Principe', 626),
  c('GQ', 'Equatorial Guinea', 627),
  c('GA', 'Gabon', 628),
  c('CG', 'Congo', 629),
  c('CD', 'Congo, Democratic Republic of the', 630),
  c('AO', 'Angola', 631),
  c('GW', 'Guinea-Bissau', 632),
  c('SC', 'Seychelles', 633),
  c('SD', 'Sudan', 634),
  c('RW', 'Rwanda', 635),
  c('ET', 'Ethiopia', 636),
  c('SO', 'Somalia', 637),
  c('DJ', 'Djibouti', 638),
  c('KE', 'Kenya', 639),
  c('TZ', 'Tanzania', 640),
  c('UG', 'Uganda', 641),
  c('BI', 'Burundi', 642),
  c('MZ', 'Mozambique', 643),
  c('ZM', 'Zambia', 645),
  c('MG', 'Madagascar', 646),
  c('RE', 'Réunion', 647),
  c('ZW', 'Zimbabwe', 648),
  c('NA', 'Namibia', 649),
  c('MW', 'Malawi', 650),
  c('LS', 'Lesotho', 651),
  c('BW', 'Botswana', 652),
  c('SZ', 'Eswatini', 653),
  c('KM', 'Comoros', 654),
  c('ZA', 'South Africa', 655),
  c('ER', 'Eritrea', 657),
  c('SH', 'Saint Helena, Ascension and Tristan da Cunha', 658),
  c('SS', 'South Sudan', 659),

  // Zone 7: Central and South America
  c('BZ', 'Belize', 702),
  c('GT', 'Guatemala', 704),
  c('SV', 'El Salvador', 706),
  c('HN', 'Honduras', 708),
  c('NI', 'Nicaragua', 710),
  c('CR', 'Costa Rica', 712),
  c('PA', 'Panama', 714),
  c('PE', 'Peru', 716),
  c('AR', 'Argentina', 722),
  c('BR', 'Brazil', 724),
  c('CL', 'Chile', 730),
  c('CO', 'Colombia', 732),
  c('VE', 'Venezuela', 734),
  c('BO', 'Bolivia', 736),
  c('GY', 'Guyana', 738),
  c('EC', 'Ecuador', 740),
  c('GF', 'French Guiana', 742),
  c('PY', 'Paraguay', 744),
  c('SR', 'Suriname', 746),
  c('UY', 'Uruguay', 748),
  c('FK', 'Falkland Islands (Malvinas)', 750),
]);

/**
 * ISO 3166-1 territories that use another entry's MCC and have none of
 * their own: alpha-2 → principal alpha-2 (see the table at the top).
 */
export const SHARED_MCC_TERRITORIES: Readonly<Record<string, string>> = Object.freeze({
  GG: 'GB',
  JE: 'GB',
  IM: 'GB',
  SJ: 'NO',
  AX: 'FI',
  GU: 'US',
  MP: 'US',
  MQ: 'GP',
  BL: 'GP',
  MF: 'GP',
  SX: 'CW',
  BQ: 'CW',
  PS: 'IL',
  NF: 'AU',
  CX: 'AU',
  CC: 'AU',
  YT: 'RE',
});

/**
 * ISO 3166-1 codes with no geographic E.212 MCC at all (uninhabited, or
 * served only by non-geographic/foreign codes). Together with COUNTRIES and
 * SHARED_MCC_TERRITORIES this covers all 249 ISO 3166-1 alpha-2 codes.
 */
export const ISO_CODES_WITHOUT_MCC: readonly string[] = Object.freeze([
  'AQ', // Antarctica (served via 901)
  'BV', // Bouvet Island
  'EH', // Western Sahara
  'GS', // South Georgia and the South Sandwich Islands
  'HM', // Heard Island and McDonald Islands
  'IO', // British Indian Ocean Territory (995, non-geographic series)
  'PN', // Pitcairn
  'TF', // French Southern Territories
  'UM', // United States Minor Outlying Islands
]);

function buildIndexes(): {
  byAlpha2: ReadonlyMap<string, CountryEntry>;
  byMcc: ReadonlyMap<number, CountryEntry>;
} {
  const byAlpha2 = new Map<string, CountryEntry>();
  const byMcc = new Map<number, CountryEntry>();
  for (const entry of COUNTRIES) {
    if (!/^[A-Z]{2}$/.test(entry.alpha2)) throw new Error(`geo: bad alpha-2 code "${entry.alpha2}"`);
    if (byAlpha2.has(entry.alpha2)) throw new Error(`geo: duplicate alpha-2 code ${entry.alpha2}`);
    if (entry.mccs.length === 0) throw new Error(`geo: ${entry.alpha2} has no MCC`);
    byAlpha2.set(entry.alpha2, entry);
    for (const mcc of entry.mccs) {
      if (!Number.isInteger(mcc) || mcc < MIN_GEOGRAPHIC_MCC || mcc > MAX_GEOGRAPHIC_MCC) {
        throw new Error(`geo: ${entry.alpha2} has non-geographic MCC ${mcc}`);
      }
      const other = byMcc.get(mcc);
      if (other) throw new Error(`geo: MCC ${mcc} assigned to both ${other.alpha2} and ${entry.alpha2}`);
      byMcc.set(mcc, entry);
    }
  }
  return { byAlpha2, byMcc };
}

const { byAlpha2: BY_ALPHA2, byMcc: BY_MCC } = buildIndexes();

function lookupAlpha2(code: string): CountryEntry | undefined {
  return BY_ALPHA2.get(code.trim().toUpperCase());
}

/** The alpha-2 code owning an MCC (one per MCC; see the shared-MCC table). */
export function mccToAlpha2(mcc: number): string | undefined {
  return BY_MCC.get(mcc)?.alpha2;
}

/** All MCCs of a country, by alpha-2 code (case-insensitive). */
export function alpha2ToMccs(code: string): readonly number[] | undefined {
  return lookupAlpha2(code)?.mccs;
}

/** True when `mcc` is a geographic E.212 MCC in COUNTRIES. */
export function isKnownMcc(mcc: number): boolean {
  return BY_MCC.has(mcc);
}

/** English short name of a country, by alpha-2 code (case-insensitive). */
export function countryName(alpha2: string): string | undefined {
  return lookupAlpha2(alpha2)?.name;
}

export type ResolvedCountry = { ok: true; alpha2: string; mccs: readonly number[] } | { ok: false; reason: string };

function rangeError(got: string): ResolvedCountry {
  return {
    ok: false,
    reason: `MCC must be an integer from ${MIN_GEOGRAPHIC_MCC} to ${MAX_GEOGRAPHIC_MCC}, got ${got}`,
  };
}

function resolveMcc(mcc: number): ResolvedCountry {
  // 800–999 are well-formed E.212 codes (9xx: international/shared) but not
  // country codes, so they get the "not a country code" reason; anything
  // that is not a 3-digit MCC at all is reported as out of range.
  if (!Number.isInteger(mcc) || mcc < MIN_GEOGRAPHIC_MCC || mcc > 999) return rangeError(String(mcc));
  const entry = BY_MCC.get(mcc);
  if (!entry) return { ok: false, reason: `MCC ${mcc} is not an ITU-T E.212 country code` };
  return { ok: true, alpha2: entry.alpha2, mccs: entry.mccs };
}

/**
 * Accepts an MCC (number or 3-digit numeric string) or an ISO 3166-1
 * alpha-2 code (case-insensitive) and returns the country with all its MCCs.
 */
export function resolveCountry(value: number | string): ResolvedCountry {
  if (typeof value === 'number') return resolveMcc(value);
  if (typeof value !== 'string') {
    return { ok: false, reason: `expected an MCC or an ISO 3166-1 alpha-2 country code, got ${typeof value}` };
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    if (text.length !== 3) return rangeError(quote(value));
    return resolveMcc(Number(text));
  }
  if (/^[A-Za-z]{2}$/.test(text)) {
    const code = text.toUpperCase();
    const entry = BY_ALPHA2.get(code);
    if (entry) return { ok: true, alpha2: entry.alpha2, mccs: entry.mccs };
    const principal = SHARED_MCC_TERRITORIES[code];
    if (principal !== undefined) {
      const mccs = BY_ALPHA2.get(principal)?.mccs ?? [];
      return {
        ok: false,
        reason:
          `"${text}" has no ITU-T E.212 country code of its own; it shares MCC ${mccs.join('/')} ` +
          `with ${principal}, use "${principal}" instead`,
      };
    }
    if (ISO_CODES_WITHOUT_MCC.includes(code)) {
      return { ok: false, reason: `"${text}" has no ITU-T E.212 country code` };
    }
  }
  return { ok: false, reason: `${quote(value)} is not an ISO 3166-1 alpha-2 country code` };
}
