import { strict as assert } from 'node:assert';
import type { ExecutionZoneSpec, InstanceGroup, PrivacyRegion } from '../../../../src/core/api/types.js';
import { type RegionContext, regionStatus, regionsNamedBy } from '../../../../src/core/privacy/region-status.js';
import { builtinRegionManifests } from '../../../../tools/codegen/region-manifests.js';

const region = (
  name: string,
  spec: PrivacyRegion['spec'],
  generation = 1,
  annotations?: Record<string, string>,
): PrivacyRegion => ({
  apiVersion: 'zonekeeper.io/v1alpha1',
  kind: 'PrivacyRegion',
  metadata: { name, generation, ...(annotations ? { annotations } : {}) },
  spec,
});

const group = (name: string, privacy?: InstanceGroup['privacy']): InstanceGroup => ({
  name,
  environment: 'container',
  platformType: 'cloud',
  resourceType: 'CPU',
  count: 1,
  cores: 1,
  memory: 1,
  storage: 1,
  image: 'x',
  ...(privacy ? { privacy } : {}),
});
const zone = (regions: string[], groupRegions: string[] = []): Pick<ExecutionZoneSpec, 'privacy' | 'groups'> => ({
  privacy: {
    regions: [...regions.map((value) => ({ action: 'AllowSpecific' as const, value })), { action: 'DenyAll' as const }],
  },
  groups: [
    group(
      'g1',
      groupRegions.length
        ? { regions: groupRegions.map((value) => ({ action: 'DenySpecific' as const, value })) }
        : undefined,
    ),
  ],
});

const builtins = (): PrivacyRegion[] => builtinRegionManifests();
const ctx = (over: Partial<RegionContext> = {}): RegionContext => ({
  regions: builtins(),
  providerCountries: [],
  zones: [],
  ...over,
});
const cond = (s: ReturnType<typeof regionStatus>, type: string) => s.conditions.find((c) => c.type === type);

describe('PrivacyRegion status (src/core/privacy/region-status.ts)', () => {
  it('resolves a built-in region to its MCCs and counts the providers located in it', () => {
    const eea = builtins().find((r) => r.metadata.name === 'eea');
    assert.ok(eea);
    // Norway (242, and as NO), Sweden, the US (outside), an unknown MCC (ignored).
    const s = regionStatus(
      { ...eea, metadata: { ...eea.metadata, generation: 3 } },
      ctx({ providerCountries: [242, 'NO', '240', 310, 999] }),
    );
    assert.equal(s.observedGeneration, 3);
    assert.equal(s.providers, 3);
    assert.ok(s.mccs?.includes(242) && s.mccs.includes(240) && !s.mccs.includes(310));
    assert.deepEqual(
      s.mccs,
      [...(s.mccs ?? [])].sort((a, b) => a - b),
      'ascending',
    );
    assert.equal(cond(s, 'Valid')?.status, 'True');
    assert.equal(cond(s, 'Ready')?.status, 'True');
    assert.match(cond(s, 'Ready')?.message ?? '', /name it EEA; it sets marking bit 6/);
    assert.equal(cond(s, 'Ready')?.observedGeneration, 3);
  });

  it('lists every MCC of a country that has several (US 310–316)', () => {
    const s = regionStatus(region('usa', { countries: ['US'] }), ctx());
    assert.deepEqual(s.mccs, [310, 311, 312, 313, 314, 315, 316]);
  });

  it('names the field of an unknown country and says the region is ignored', () => {
    const s = regionStatus(region('nordics', { countries: ['DK', 'XX', 299] }, 2), ctx({ providerCountries: [238] }));
    const valid = cond(s, 'Valid');
    assert.equal(valid?.status, 'False');
    assert.equal(valid?.reason, 'InvalidSpec');
    assert.match(valid?.message ?? '', /spec\.countries\[1\]: "XX" is not an ISO 3166-1 alpha-2 country code/);
    assert.match(valid?.message ?? '', /spec\.countries\[2\]: MCC 299 is not an ITU-T E\.212 country code/);
    assert.match(valid?.message ?? '', /rules naming nordics are refused/);
    assert.equal(cond(s, 'Ready')?.status, 'False');
    assert.equal(s.mccs, undefined, 'no wire meaning for an invalid region');
    assert.equal(s.providers, undefined);
  });

  it('says that an invalid object shadowing a built-in leaves the built-in in force', () => {
    const s = regionStatus(region('eea', { countries: ['ZZ'] }, 5, { 'zonekeeper.io/region-name': 'EEA' }), ctx());
    assert.match(cond(s, 'Valid')?.message ?? '', /rules naming eea use the built-in EEA instead/);
  });

  it('reports a marking bit another region sets, on both regions, and clears once it is gone', () => {
    const nordics = region('nordics', { countries: ['DK', 'FI', 'IS', 'NO', 'SE'], markingBit: 7 });
    const all = [...builtins(), nordics];
    const mine = regionStatus(nordics, ctx({ regions: all }));
    const ready = cond(mine, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'MarkingBitConflict');
    assert.match(ready?.message ?? '', /^spec\.markingBit: bit 7 is also set by PrivacyRegion scandinavia;/);
    assert.equal(cond(mine, 'Valid')?.status, 'True', 'the content itself is fine');
    const scandinavia = all.find((r) => r.metadata.name === 'scandinavia') as PrivacyRegion;
    assert.match(
      cond(regionStatus(scandinavia, ctx({ regions: all })), 'Ready')?.message ?? '',
      /bit 7 is also set by PrivacyRegion nordics/,
    );
    assert.equal(cond(regionStatus(scandinavia, ctx()), 'Ready')?.status, 'True');
  });

  it('counts a built-in without an object as a rival for its bit', () => {
    const s = regionStatus(region('gulf', { countries: ['AE', 'QA'], markingBit: 2 }), ctx({ regions: [] }));
    assert.match(cond(s, 'Ready')?.message ?? '', /bit 2 is also set by the built-in region MENA/);
  });

  it('does not count an invalid region as a rival', () => {
    const broken = region('broken', { countries: ['XX'], markingBit: 7 });
    const s = regionStatus(
      builtins().find((r) => r.metadata.name === 'scandinavia') as PrivacyRegion,
      ctx({ regions: [...builtins(), broken] }),
    );
    assert.equal(cond(s, 'Ready')?.status, 'True');
  });

  it('counts the zones whose rules name the region, case-insensitively, in the zone or a group', () => {
    const zones = [zone(['EEA']), zone(['eu'], ['eea']), zone(['America']), zone([], ['Eea'])];
    const eea = builtins().find((r) => r.metadata.name === 'eea') as PrivacyRegion;
    assert.equal(regionStatus(eea, ctx({ zones })).zones, 3);
    assert.equal(
      regionStatus(region('nordics', { countries: ['XX'] }), ctx({ zones })).zones,
      0,
      'counted for invalid regions too',
    );
    assert.deepEqual([...regionsNamedBy(zones[1] as ExecutionZoneSpec)].sort(), ['eea', 'eu']);
  });
});
