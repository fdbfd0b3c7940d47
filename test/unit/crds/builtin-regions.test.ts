// The built-in PrivacyRegions shipped in deploy/regions/ (and the chart)
// are the core's Table IV data exactly: the cluster and zonectl must mean
// the same countries by "EEA".

import assert from 'node:assert/strict';
import { REGION_NAME_ANNOTATION } from '../../../tools/codegen/privacy-region-schema.js';
import { regionNameOf } from '../../../tools/codegen/region-manifests.js';
import type { PrivacyRegion } from '../../../src/core/api/types.js';
import { BUILTIN_REGIONS } from '../../../src/core/geo/regions.js';
import { RegionCatalogue, regionFromSpec } from '../../../src/core/privacy/region-catalogue.js';
import { listFiles, readText, readYamlDocs } from './repo-files.js';

function shipped(): PrivacyRegion[] {
  return listFiles('deploy/regions').flatMap((f) => readYamlDocs(f) as PrivacyRegion[]);
}

describe('built-in PrivacyRegions', () => {
  it('ship one manifest per Table IV region, in bit order 7..2', () => {
    const regions = shipped();
    assert.deepEqual(
      regions.map((r) => `${r.metadata.annotations?.[REGION_NAME_ANNOTATION]}:${r.spec.markingBit}`),
      ['Scandinavia:7', 'EEA:6', 'EU:5', 'America:4', 'BRICS:3', 'MENA:2'],
    );
  });

  it("hold the core's countries, marking bits and descriptions", () => {
    const byName = new Map(shipped().map((r) => [r.metadata.annotations?.[REGION_NAME_ANNOTATION], r]));
    for (const def of BUILTIN_REGIONS) {
      const r = byName.get(def.name);
      assert.ok(r, def.name);
      assert.equal(r.metadata.name, def.name.toLowerCase());
      assert.deepEqual(r.spec.countries, [...def.countries]);
      assert.equal(r.spec.markingBit, def.markingBit);
      assert.equal(r.spec.description, def.description);
    }
  });

  it('resolve, through regionFromSpec, to the same catalogue as RegionCatalogue.builtin()', () => {
    const fromManifests = shipped().map((r) => {
      const { region, errors } = regionFromSpec(
        r.metadata.annotations?.[REGION_NAME_ANNOTATION] ?? r.metadata.name,
        r.spec,
      );
      assert.deepEqual(errors, []);
      assert.ok(region);
      return region;
    });
    const flat = (rs: { name: string; countries: ReadonlySet<string>; markingBit?: number }[]) =>
      rs
        .map((r) => ({ name: r.name, bit: r.markingBit, countries: [...r.countries].sort() }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(flat(fromManifests), flat(RegionCatalogue.builtin().all()));
  });

  it('go by their display name (the annotation), and only when it names the same object', () => {
    assert.deepEqual(shipped().map(regionNameOf), ['Scandinavia', 'EEA', 'EU', 'America', 'BRICS', 'MENA']);
    assert.equal(regionNameOf({ metadata: { name: 'eea', annotations: { [REGION_NAME_ANNOTATION]: 'EU' } } }), 'eea');
    assert.equal(regionNameOf({ metadata: { name: 'nordics' } }), 'nordics');
  });

  it('are the same bytes in the Helm chart', () => {
    const deploy = listFiles('deploy/regions');
    const chart = listFiles('charts/zonekeeper/files/regions');
    assert.deepEqual(
      chart.map((f) => f.split('/').pop()),
      deploy.map((f) => f.split('/').pop()),
    );
    for (const f of deploy)
      assert.equal(readText(`charts/zonekeeper/files/regions/${f.split('/').pop()}`), readText(f));
  });
});
