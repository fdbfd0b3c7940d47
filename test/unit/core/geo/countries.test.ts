import { strict as assert } from 'node:assert';
import {
  COUNTRIES,
  ISO_CODES_WITHOUT_MCC,
  SHARED_MCC_TERRITORIES,
  alpha2ToMccs,
  countryName,
  isKnownMcc,
  mccToAlpha2,
  resolveCountry,
} from '../../../../src/core/geo/countries.js';

// All 249 ISO 3166-1 alpha-2 codes, to check the table's coverage.
const ISO_3166_1 = `
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
`
  .trim()
  .split(/\s+/);

describe('core/geo/countries', () => {
  it('has a reverse index that is a function: no MCC belongs to two countries', () => {
    const seen = new Map<number, string>();
    for (const entry of COUNTRIES) {
      for (const mcc of entry.mccs) {
        assert.equal(seen.get(mcc), undefined, `MCC ${mcc} in ${seen.get(mcc)} and ${entry.alpha2}`);
        seen.set(mcc, entry.alpha2);
        assert.equal(mccToAlpha2(mcc), entry.alpha2);
        assert.ok(isKnownMcc(mcc));
      }
    }
    assert.ok(seen.size >= 230, `only ${seen.size} MCCs`);
  });

  it('has unique, upper-case alpha-2 codes and non-empty, geographic MCC lists', () => {
    const codes = COUNTRIES.map((e) => e.alpha2);
    assert.equal(new Set(codes).size, codes.length);
    for (const entry of COUNTRIES) {
      assert.match(entry.alpha2, /^[A-Z]{2}$/);
      assert.ok(entry.name.length > 0);
      assert.ok(entry.mccs.length > 0);
      for (const mcc of entry.mccs)
        assert.ok(Number.isInteger(mcc) && mcc >= 200 && mcc <= 799, `${entry.alpha2} ${mcc}`);
    }
  });

  it('accounts for every ISO 3166-1 code exactly once', () => {
    assert.equal(ISO_3166_1.length, 249);
    const own = new Set(COUNTRIES.map((e) => e.alpha2));
    const shared = new Set(Object.keys(SHARED_MCC_TERRITORIES));
    const none = new Set(ISO_CODES_WITHOUT_MCC);
    for (const code of ISO_3166_1) {
      const n = Number(own.has(code)) + Number(shared.has(code)) + Number(none.has(code));
      assert.equal(n, 1, `${code} is in ${n} of the lists`);
    }
    assert.equal(own.size + shared.size + none.size, 249);
    for (const principal of Object.values(SHARED_MCC_TERRITORIES)) assert.ok(own.has(principal), principal);
  });

  it('excludes non-geographic MCCs', () => {
    for (const mcc of [1, 901, 902, 991, 995, 221, 289]) assert.equal(isKnownMcc(mcc), false, String(mcc));
  });

  it('knows the well-known values', () => {
    const expected: Record<string, number[]> = {
      SE: [240],
      NO: [242],
      DK: [238],
      DE: [262],
      RU: [250],
      ZA: [655],
      BR: [724],
      CA: [302],
      FR: [208],
      IT: [222],
      ES: [214],
      NL: [204],
      FI: [244],
      IS: [274],
      LI: [295],
      CH: [228],
      AT: [232],
      BE: [206],
      PL: [260],
      CZ: [230],
      IE: [272],
      PT: [268],
      GR: [202],
      US: [310, 311, 312, 313, 314, 315, 316],
      IN: [404, 405, 406],
      CN: [460, 461],
      JP: [440, 441],
      GB: [234, 235],
      MX: [334],
      AR: [722],
      AU: [505],
      EG: [602],
      IL: [425],
    };
    for (const [code, mccs] of Object.entries(expected)) {
      assert.deepEqual([...(alpha2ToMccs(code) ?? [])], mccs, code);
      for (const mcc of mccs) assert.equal(mccToAlpha2(mcc), code, String(mcc));
    }
    for (let mcc = 310; mcc <= 316; mcc++) assert.equal(mccToAlpha2(mcc), 'US');
    assert.equal(mccToAlpha2(234), 'GB');
    assert.equal(mccToAlpha2(235), 'GB');
    assert.equal(mccToAlpha2(340), 'GP');
    assert.equal(mccToAlpha2(362), 'CW');
    assert.equal(mccToAlpha2(999), undefined);
  });

  it('looks up alpha-2 codes case-insensitively', () => {
    assert.deepEqual(alpha2ToMccs('se'), [240]);
    assert.deepEqual(alpha2ToMccs('Gb'), [234, 235]);
    assert.equal(alpha2ToMccs('XX'), undefined);
    assert.equal(countryName('se'), 'Sweden');
    assert.equal(countryName('DE'), 'Germany');
    assert.equal(countryName('XX'), undefined);
  });

  describe('resolveCountry', () => {
    it('accepts an MCC number, a 3-digit string and an alpha-2 code in any case', () => {
      for (const value of [240, '240', 'se', 'SE', ' se ']) {
        assert.deepEqual(resolveCountry(value), { ok: true, alpha2: 'SE', mccs: [240] }, JSON.stringify(value));
      }
      assert.deepEqual(resolveCountry(313), { ok: true, alpha2: 'US', mccs: [310, 311, 312, 313, 314, 315, 316] });
      assert.deepEqual(resolveCountry('us'), { ok: true, alpha2: 'US', mccs: [310, 311, 312, 313, 314, 315, 316] });
    });

    it('rejects unknown MCCs', () => {
      assert.deepEqual(resolveCountry(999), { ok: false, reason: 'MCC 999 is not an ITU-T E.212 country code' });
      assert.deepEqual(resolveCountry('999'), { ok: false, reason: 'MCC 999 is not an ITU-T E.212 country code' });
      assert.deepEqual(resolveCountry(901), { ok: false, reason: 'MCC 901 is not an ITU-T E.212 country code' });
      assert.deepEqual(resolveCountry(201), { ok: false, reason: 'MCC 201 is not an ITU-T E.212 country code' });
    });

    it('rejects unknown alpha-2 codes', () => {
      assert.deepEqual(resolveCountry('XX'), { ok: false, reason: '"XX" is not an ISO 3166-1 alpha-2 country code' });
      assert.deepEqual(resolveCountry('Sweden'), {
        ok: false,
        reason: '"Sweden" is not an ISO 3166-1 alpha-2 country code',
      });
      assert.deepEqual(resolveCountry(''), { ok: false, reason: '"" is not an ISO 3166-1 alpha-2 country code' });
    });

    it('rejects malformed MCCs', () => {
      assert.deepEqual(resolveCountry(12.5), { ok: false, reason: 'MCC must be an integer from 200 to 799, got 12.5' });
      assert.deepEqual(resolveCountry(100), { ok: false, reason: 'MCC must be an integer from 200 to 799, got 100' });
      assert.deepEqual(resolveCountry(-240), { ok: false, reason: 'MCC must be an integer from 200 to 799, got -240' });
      assert.deepEqual(resolveCountry(2400), { ok: false, reason: 'MCC must be an integer from 200 to 799, got 2400' });
      assert.deepEqual(resolveCountry(Number.NaN), {
        ok: false,
        reason: 'MCC must be an integer from 200 to 799, got NaN',
      });
      assert.deepEqual(resolveCountry('24'), { ok: false, reason: 'MCC must be an integer from 200 to 799, got "24"' });
    });

    it("explains territories that share a principal country's MCC", () => {
      const r = resolveCountry('mq');
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.reason.includes('MCC 340') && r.reason.includes('"GP"'), JSON.stringify(r));
      const gg = resolveCountry('GG');
      assert.ok(!gg.ok && gg.reason.includes('234/235'), JSON.stringify(gg));
      assert.deepEqual(resolveCountry('AQ'), { ok: false, reason: '"AQ" has no ITU-T E.212 country code' });
    });
  });
});
