import { strict as assert } from 'node:assert';
import { COUNTRIES, alpha2ToMccs } from '../../../../src/core/geo/countries.js';
import { BUILTIN_REGIONS, findRegion, regionMccs, type RegionDefinition } from '../../../../src/core/geo/regions.js';

function get(name: string): RegionDefinition {
  const r = findRegion(BUILTIN_REGIONS, name);
  assert.ok(r, `region ${name}`);
  return r;
}

function isSubset(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

describe('core/geo/regions', () => {
  it('has the six Table IV regions in bit order 7..2 with unique bits', () => {
    assert.deepEqual(
      BUILTIN_REGIONS.map((r) => r.name),
      ['Scandinavia', 'EEA', 'EU', 'America', 'BRICS', 'MENA'],
    );
    assert.deepEqual(
      BUILTIN_REGIONS.map((r) => r.markingBit),
      [7, 6, 5, 4, 3, 2],
    );
    assert.equal(new Set(BUILTIN_REGIONS.map((r) => r.markingBit)).size, 6);
  });

  it('lists only countries that exist in COUNTRIES, each once', () => {
    const known = new Set(COUNTRIES.map((e) => e.alpha2));
    for (const r of BUILTIN_REGIONS) {
      assert.ok(r.description.length > 0);
      assert.equal(new Set(r.countries).size, r.countries.length, `${r.name} has duplicates`);
      for (const code of r.countries) assert.ok(known.has(code), `${r.name}: ${code}`);
      assert.ok(regionMccs(r).size >= r.countries.length);
    }
  });

  it('finds regions case-insensitively', () => {
    assert.equal(findRegion(BUILTIN_REGIONS, 'eea')?.name, 'EEA');
    assert.equal(findRegion(BUILTIN_REGIONS, 'SCANDINAVIA')?.name, 'Scandinavia');
    assert.equal(findRegion(BUILTIN_REGIONS, 'america')?.markingBit, 4);
    assert.equal(findRegion(BUILTIN_REGIONS, 'Atlantis'), undefined);
  });

  it('has Scandinavia = DK, NO, SE', () => {
    assert.deepEqual([...get('Scandinavia').countries].sort(), ['DK', 'NO', 'SE']);
    assert.deepEqual([...regionMccs(get('Scandinavia'))].sort(), [238, 240, 242]);
  });

  it('has the 27 EU members and EEA = EU + IS, LI, NO', () => {
    const eu = get('EU').countries;
    const eea = get('EEA').countries;
    assert.equal(eu.length, 27);
    assert.equal(eea.length, 30);
    assert.deepEqual(eea.filter((c) => !eu.includes(c)).sort(), ['IS', 'LI', 'NO']);
    assert.ok(!eu.includes('GB'));
    assert.ok(!eu.includes('CH'));
  });

  it('nests Scandinavia ⊂ EEA and EU ⊂ EEA, but Scandinavia ⊄ EU (Norway)', () => {
    const scan = regionMccs(get('Scandinavia'));
    const eea = regionMccs(get('EEA'));
    const eu = regionMccs(get('EU'));
    assert.ok(isSubset(scan, eea));
    assert.ok(isSubset(eu, eea));
    assert.ok(eu.size < eea.size);
    assert.ok(!isSubset(scan, eu));
    assert.ok(!eu.has(242));
    assert.ok(!isSubset(eea, eu));
  });

  it("has BRICS as exactly the paper's five", () => {
    assert.deepEqual([...get('BRICS').countries].sort(), ['BR', 'CN', 'IN', 'RU', 'ZA']);
    assert.deepEqual([...regionMccs(get('BRICS'))].sort(), [250, 404, 405, 406, 460, 461, 655, 724]);
  });

  it('covers all of E.212 zones 3 and 7 with America, and all US MCCs', () => {
    const america = regionMccs(get('America'));
    for (const e of COUNTRIES) {
      for (const mcc of e.mccs) {
        if (mcc >= 300 && mcc < 400) assert.ok(america.has(mcc), `${e.alpha2} ${mcc}`);
        if (mcc >= 700 && mcc < 800) assert.ok(america.has(mcc), `${e.alpha2} ${mcc}`);
      }
    }
    for (let mcc = 310; mcc <= 316; mcc++) assert.ok(america.has(mcc));
    assert.ok(america.has(290), 'Greenland');
    assert.ok(!america.has(544), 'American Samoa is Oceania');
  });

  it('has MENA with North Africa and the Middle East', () => {
    const mena = regionMccs(get('MENA'));
    for (const code of ['DZ', 'EG', 'LY', 'MA', 'TN', 'SA', 'AE', 'IL', 'IR']) {
      for (const mcc of alpha2ToMccs(code) ?? []) assert.ok(mena.has(mcc), code);
    }
    assert.ok(mena.has(425), 'PS via 425');
    assert.ok(mena.has(430) && mena.has(431), 'all AE MCCs');
    assert.ok(!mena.has(286), 'not Türkiye');
  });

  it('rejects regions naming unknown or MCC-less codes', () => {
    assert.throws(
      () => regionMccs({ name: 'Bad', description: '', countries: ['SE', 'XX'] }),
      /region Bad: "XX" is not an ISO 3166-1/,
    );
    assert.throws(() => regionMccs({ name: 'Antilles', description: '', countries: ['MQ'] }), /shares MCC 340/);
    assert.deepEqual([...regionMccs({ name: 'Lower', description: '', countries: ['se', 'dk'] })].sort(), [238, 240]);
  });
});
