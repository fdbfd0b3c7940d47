import { strict as assert } from 'node:assert';
import { providerFromManifest } from '../../../../src/core/catalogue/provider.js';
import { formatFieldError } from '../../../../src/core/errors.js';
import {
  RegionCatalogue,
  regionFromObject,
  regionFromSpec,
  REGION_NAME_ANNOTATION,
} from '../../../../src/core/privacy/region-catalogue.js';
import { providerManifest } from '../../../support/core-fixtures.js';

type Spec = Record<string, unknown>;

function withSpec(over: Spec): unknown {
  const m = providerManifest('PublicCloud1', {
    country: 310,
    resourceTypes: ['CPU', 'GPU'],
    capacity: { cores: 8, memory: 8192, storage: 8192, gpus: 2 },
  });
  return { ...m, spec: { ...m.spec, ...over } };
}

describe('ProviderCluster manifests', () => {
  it('reads a Table I row, with the alpha-2 or MCC country', () => {
    const p = providerFromManifest(withSpec({ country: 'US' })).provider;
    assert.equal(p?.name, 'PublicCloud1');
    assert.equal(p?.objectName, 'publiccloud1');
    assert.equal(p?.country, 'US');
    assert.equal(p?.mcc, 310);
    assert.equal(providerFromManifest(withSpec({ country: 311 })).provider?.mcc, 311);
  });

  it('reads the uplink, and leaves it unset when spec.network is absent (never a guessed default)', () => {
    assert.equal(providerFromManifest(withSpec({ network: { uplink: 'bond0.10' } })).provider?.uplink, 'bond0.10');
    assert.equal(providerFromManifest(withSpec({ network: { uplink: 'a'.repeat(15) } })).provider?.uplink?.length, 15);
    const p = providerFromManifest(withSpec({})).provider;
    assert.ok(p);
    assert.equal('uplink' in p, false);
  });

  const cases: [string, unknown, RegExp][] = [
    ['not an object', 'ProviderCluster', /^must be a ProviderCluster object/],
    ['wrong kind', { ...(withSpec({}) as object), kind: 'Provider' }, /^kind: must be ProviderCluster/],
    [
      'upper-case object name',
      { ...(withSpec({}) as object), metadata: { name: 'Fog1' } },
      /^metadata\.name: must be a DNS label/,
    ],
    ['bad provider name', withSpec({ providerName: 'Fog 1' }), /^spec\.providerName: must be 1–63 letters/],
    ['no spec', { ...(withSpec({}) as object), spec: undefined }, /^spec: is required/],
    [
      'unknown country code',
      withSpec({ country: 'XX' }),
      /^spec\.country: "XX" is not an ISO 3166-1 alpha-2 country code/,
    ],
    ['unknown MCC', withSpec({ country: 999 }), /^spec\.country: MCC 999 is not an ITU-T E\.212 country code/],
    ['unknown tier', withSpec({ tier: 'edge' }), /^spec\.tier: must be one of cloud, fog/],
    [
      'unknown environment',
      withSpec({ environment: 'bare-metal' }),
      /^spec\.environment: must be one of VM, container/,
    ],
    ['no resource types', withSpec({ resourceTypes: [] }), /^spec\.resourceTypes: must list at least one/],
    [
      'unknown resource type',
      withSpec({ resourceTypes: ['CPU', 'TPU'] }),
      /^spec\.resourceTypes\[1\]: must be one of CPU, GPU, FPGA/,
    ],
    ['equipment PEN zero', withSpec({ equipment: [674, 0] }), /^spec\.equipment\[1\]: PEN 0 is reserved/],
    ['equipment not a list', withSpec({ equipment: 674 }), /^spec\.equipment: must be a list/],
    [
      'AS not a number',
      withSpec({ autonomousSystems: ['AS3320'] }),
      /^spec\.autonomousSystems\[0\]: AS number must be an integer/,
    ],
    ['no capacity', withSpec({ capacity: undefined }), /^spec\.capacity: is required/],
    [
      'uplink with a colon (the kernel refuses it)',
      withSpec({ network: { uplink: 'eth0:1' } }),
      /^spec\.network\.uplink: must be a Linux network interface name: 1-15 letters.*got "eth0:1"/,
    ],
    [
      'uplink longer than IFNAMSIZ allows',
      withSpec({ network: { uplink: 'a'.repeat(16) } }),
      /^spec\.network\.uplink: must be a Linux network interface name/,
    ],
    ['uplink "."', withSpec({ network: { uplink: '.' } }), /^spec\.network\.uplink: must be a Linux network/],
    ['network without uplink', withSpec({ network: {} }), /^spec\.network\.uplink: is required when network/],
    ['network not an object', withSpec({ network: 'eth1' }), /^spec\.network: must be an object with uplink/],
    [
      'zero cores',
      withSpec({ capacity: { cores: 0, memory: 1, storage: 1, gpus: 1 } }),
      /^spec\.capacity\.cores: must be a positive integer/,
    ],
    [
      'memory as a quantity',
      withSpec({ capacity: { cores: 1, memory: '8Gi', storage: 1, gpus: 1 } }),
      /^spec\.capacity\.memory: must be a positive integer, got "8Gi"/,
    ],
    [
      'GPU offered without a count',
      withSpec({ capacity: { cores: 1, memory: 1, storage: 1 } }),
      /^spec\.capacity\.gpus: is required when resourceTypes contains GPU/,
    ],
    [
      'FPGA offered without a count',
      withSpec({ resourceTypes: ['FPGA'], capacity: { cores: 1, memory: 1, storage: 1 } }),
      /^spec\.capacity\.fpgas: is required when resourceTypes contains FPGA/,
    ],
    [
      'negative GPUs',
      withSpec({ capacity: { cores: 1, memory: 1, storage: 1, gpus: -1 } }),
      /^spec\.capacity\.gpus: must be a non-negative integer/,
    ],
    [
      'fractional catalogue order',
      withSpec({ catalogueOrder: 1.5 }),
      /^spec\.catalogueOrder: must be a non-negative integer/,
    ],
  ];
  for (const [what, manifest, expected] of cases) {
    it(`rejects ${what}, naming the field`, () => {
      const r = providerFromManifest(manifest);
      assert.equal(r.provider, undefined);
      const errors = r.errors.map(formatFieldError);
      assert.ok(
        errors.some((e) => expected.test(e)),
        errors.join(' | '),
      );
    });
  }

  describe('PrivacyRegion', () => {
    it('accepts countries by MCC or alpha-2', () => {
      const r = regionFromSpec('Nordics', { countries: [238, 'no', 'SE', 244, 'IS'], markingBit: 7 });
      assert.deepEqual([...(r.region?.countries ?? [])], ['DK', 'NO', 'SE', 'FI', 'IS']);
    });

    it('keeps the display spelling of a lower-case object name, so explanations say EEA', () => {
      const obj = {
        metadata: { name: 'eea', annotations: { [REGION_NAME_ANNOTATION]: 'EEA' } },
        spec: { countries: ['NO', 'IS'], markingBit: 6 },
      };
      const r = regionFromObject(obj);
      assert.equal(r.region?.name, 'EEA');
      assert.equal(RegionCatalogue.builtin().withRegions([r.region]).find('eea')?.name, 'EEA');
      assert.equal(
        regionFromObject({ ...obj, metadata: { name: 'eea', annotations: { [REGION_NAME_ANNOTATION]: 'EU' } } }).region
          ?.name,
        'eea',
        'an annotation naming another region is ignored',
      );
      assert.equal(
        regionFromObject({ metadata: { name: 'nordics' }, spec: { countries: ['NO'] } }).region?.name,
        'nordics',
      );
    });

    const bad: [string, Parameters<typeof regionFromSpec>, RegExp][] = [
      ['a name with spaces', ['North Sea', { countries: ['NO'] }], /^metadata\.name: region name/],
      ['no countries', ['Empty', { countries: [] }], /^spec\.countries: must list at least one country/],
      ['an unknown country', ['Odd', { countries: ['NO', 'QQ'] }], /^spec\.countries\[1\]: "QQ" is not an ISO 3166-1/],
      [
        'a marking bit outside 2–7',
        ['High', { countries: ['NO'], markingBit: 9 }],
        /^spec\.markingBit: must be an integer from 2 to 7/,
      ],
    ];
    for (const [what, args, expected] of bad) {
      it(`rejects ${what}`, () => {
        const r = regionFromSpec(...args);
        assert.equal(r.region, undefined);
        assert.ok(
          r.errors.map(formatFieldError).some((e) => expected.test(e)),
          r.errors.map(formatFieldError).join(' | '),
        );
      });
    }
  });
});
