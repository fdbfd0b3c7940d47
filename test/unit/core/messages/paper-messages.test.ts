import { strict as assert } from 'node:assert';
import { formatFieldError } from '../../../../src/core/errors.js';
import {
  initToZoneSpec,
  parseMessage,
  type ParsedInit,
  releaseSpecToStop,
  stopToReleaseSpec,
  zoneSpecToInits,
} from '../../../../src/core/messages/paper-messages.js';
import { REGIONS } from '../../../support/core-fixtures.js';

const ID = 'a94e7c1d-0000-4000-8000-00000f482491';

/** Listing 1, with the paper's constants as numbers. */
function listing1(): Record<string, unknown> {
  return {
    type: 'INIT',
    application_id: ID,
    privacy: { regions: [[2, 'EEA'], [1]], countries: [[0, 240]], as: [[0, 3320]], equipment: [[0, 9]] },
    performance: 'latency',
    environment: 'container',
    platform_type: 'cloud+fog',
    resource_type: 'CPU',
    'instance-count': 2,
    'instance-details': { cores: 2, memory: 2048, storage: 16384, image: 'Ubuntu-22.04' },
  };
}

const listing2 = () => ({ type: 'STOP', application_id: ID, instances: { Fog2: ['C3'] } });

/** Sets a value at a dotted path in a fresh Listing 1 (undefined deletes). */
function initWith(path: string, value: unknown): Record<string, unknown> {
  const m = listing1();
  const keys = path.split('.');
  let o = m;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
  return m;
}

function errorsOf(json: unknown): string[] {
  const r = parseMessage(json, REGIONS);
  assert.equal(r.ok, false, `expected a rejection of ${JSON.stringify(json)}`);
  return r.ok ? [] : r.errors.map(formatFieldError);
}

describe('the paper messages (Listings 1 and 2)', () => {
  it('parses Listing 1 into a zone spec with the numeric actions mapped', () => {
    const r = parseMessage(listing1(), REGIONS);
    assert.ok(r.ok);
    const init = r.value as ParsedInit;
    assert.deepEqual(init.privacy, {
      regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }],
      countries: [{ action: 'DenySpecific', value: 240 }],
      autonomousSystems: [{ action: 'DenySpecific', value: 3320 }],
      equipment: [{ action: 'DenySpecific', value: 9 }],
    });
    assert.deepEqual(init.group, {
      environment: 'container',
      platformType: 'cloud+fog',
      resourceType: 'CPU',
      count: 2,
      cores: 2,
      memory: 2048,
      storage: 16384,
      image: 'Ubuntu-22.04',
    });
    assert.equal(init.performance, 'latency');
  });

  it('reads VM / container and the other enums case-insensitively', () => {
    const m = { ...listing1(), environment: 'vm', platform_type: 'CLOUD', resource_type: 'gpu' };
    const r = parseMessage(m, REGIONS);
    assert.ok(r.ok && r.value.type === 'INIT');
    assert.equal(r.value.group.environment, 'VM');
    assert.equal(r.value.group.platformType, 'cloud');
    assert.equal(r.value.group.resourceType, 'GPU');
  });

  it('parses Listing 2 and converts it to a ZoneRelease and back', () => {
    const r = parseMessage(listing2(), REGIONS);
    assert.ok(r.ok && r.value.type === 'STOP');
    const spec = stopToReleaseSpec(r.value);
    assert.deepEqual(spec, { zoneRef: { name: ID }, instances: { Fog2: ['C3'] }, trigger: { immediate: true } });
    assert.deepEqual(releaseSpecToStop(ID, spec), listing2());
    const whole = parseMessage({ type: 'STOP', application_id: ID }, REGIONS);
    assert.ok(whole.ok);
    assert.equal(stopToReleaseSpec(whole.value as never).instances, undefined);
  });

  it('turns a second INIT for the same application id into a new group with its own rules', () => {
    const first = parseMessage(listing1(), REGIONS);
    const second = parseMessage({ ...listing1(), resource_type: 'GPU', privacy: { equipment: [[0, 2011]] } }, REGIONS);
    assert.ok(first.ok && second.ok);
    const spec = initToZoneSpec(second.value as ParsedInit, initToZoneSpec(first.value as ParsedInit));
    assert.deepEqual(
      spec.groups.map((g) => g.name),
      ['init-1', 'init-2'],
    );
    assert.equal(spec.groups[0].privacy, undefined, 'the first INIT sets the zone rules');
    assert.deepEqual(spec.groups[1].privacy, { equipment: [{ action: 'DenySpecific', value: 2011 }] });
    assert.equal(spec.groups[1].resourceType, 'GPU');
  });

  it('round-trips a zone spec through INIT messages', () => {
    const first = parseMessage(listing1(), REGIONS);
    const second = parseMessage({ ...listing1(), 'instance-count': 5, privacy: { countries: [[0, 262]] } }, REGIONS);
    assert.ok(first.ok && second.ok);
    const spec = initToZoneSpec(second.value as ParsedInit, initToZoneSpec(first.value as ParsedInit));
    const inits = zoneSpecToInits(spec);
    let again = undefined;
    for (const m of inits) {
      const p = parseMessage(m, REGIONS);
      assert.ok(p.ok);
      again = initToZoneSpec(p.value as ParsedInit, again);
    }
    assert.deepEqual(again, spec);
  });

  describe('rejects malformed messages, naming the field', () => {
    const cases: [string, unknown, RegExp][] = [
      ['not an object', 42, /^must be a JSON object/],
      ['an array', [listing1()], /^must be a JSON object/],
      ['null', null, /^must be a JSON object/],
      ['missing type', initWith('type', undefined), /^type: is required$/],
      ['lower-case type', initWith('type', 'init'), /^type: must be "INIT" or "STOP", got "init"/],
      ['unknown type', initWith('type', 'START'), /^type: must be "INIT" or "STOP"/],
      ['missing application_id', initWith('application_id', undefined), /^application_id: is required/],
      ['application_id not a UUID', initWith('application_id', 'a94e7...82491'), /^application_id: must be a UUID/],
      ['application_id a number', initWith('application_id', 7), /^application_id: must be a UUID/],
      ['unknown top-level field', { ...listing1(), extra: 1 }, /^extra: unknown field/],
      [
        'misspelt instance-count',
        { ...initWith('instance-count', undefined), instance_count: 2 },
        /^instance_count: unknown field \(did you mean "instance-count"\?\)/,
      ],
      [
        'misspelt platform_type',
        { ...initWith('platform_type', undefined), 'platform-type': 'cloud' },
        /platform-type: unknown field \(did you mean "platform_type"\?\)/,
      ],
      ['privacy not an object', initWith('privacy', []), /^privacy: must be an object/],
      ['unknown privacy list', initWith('privacy.asn', [[0, 1]]), /^privacy\.asn: unknown field/],
      ['rule list not an array', initWith('privacy.regions', 'EEA'), /^privacy\.regions: must be a list/],
      [
        'rule not a tuple',
        initWith('privacy.regions', ['EEA']),
        /^privacy\.regions\[0\]: must be \[action\] or \[action, value\]/,
      ],
      ['empty rule', initWith('privacy.regions', [[]]), /^privacy\.regions\[0\]: must be \[action\]/],
      [
        'rule with three elements',
        initWith('privacy.regions', [[2, 'EEA', 1]]),
        /^privacy\.regions\[0\]: must be \[action\]/,
      ],
      [
        'action out of range',
        initWith('privacy.regions', [[4, 'EEA']]),
        /^privacy\.regions\[0\]\[0\]: action must be 0 \(DENY_SPECIFIC\)/,
      ],
      ['negative action', initWith('privacy.countries', [[-1, 240]]), /^privacy\.countries\[0\]\[0\]: action must be/],
      [
        'action as a name',
        initWith('privacy.regions', [['ALLOW_SPECIFIC', 'EEA']]),
        /^privacy\.regions\[0\]\[0\]: action must be/,
      ],
      ['fractional action', initWith('privacy.regions', [[2.5, 'EEA']]), /^privacy\.regions\[0\]\[0\]: action must be/],
      [
        'DENY_SPECIFIC without value',
        initWith('privacy.countries', [[0]]),
        /^privacy\.countries\[0\]\[1\]: DENY_SPECIFIC needs a value/,
      ],
      [
        'ALLOW_SPECIFIC without value',
        initWith('privacy.regions', [[2]]),
        /^privacy\.regions\[0\]\[1\]: ALLOW_SPECIFIC needs a value/,
      ],
      [
        'DENY_ALL with value',
        initWith('privacy.regions', [[1, 'EEA']]),
        /^privacy\.regions\[0\]\[1\]: DENY_ALL takes no value/,
      ],
      ['ALLOW_ALL with value', initWith('privacy.as', [[3, 3320]]), /^privacy\.as\[0\]\[1\]: ALLOW_ALL takes no value/],
      [
        'unknown region',
        initWith('privacy.regions', [[2, 'Atlantis']]),
        /^privacy\.regions\[0\]\[1\]: unknown region "Atlantis"/,
      ],
      [
        'region as a number',
        initWith('privacy.regions', [[2, 7]]),
        /^privacy\.regions\[0\]\[1\]: must be a region name/,
      ],
      [
        'country not an E.212 code',
        initWith('privacy.countries', [
          [0, 240],
          [0, 999],
        ]),
        /^privacy\.countries\[1\]\[1\]: MCC 999 is not an ITU-T E\.212 country code/,
      ],
      [
        'country as alpha-2 on the wire',
        initWith('privacy.countries', [[0, 'SE']]),
        /^privacy\.countries\[0\]\[1\]: must be an MCC number/,
      ],
      [
        'country fractional',
        initWith('privacy.countries', [[0, 240.5]]),
        /^privacy\.countries\[0\]\[1\]: MCC must be an integer/,
      ],
      ['AS zero', initWith('privacy.as', [[0, 0]]), /^privacy\.as\[0\]\[1\]: AS number must be from 1 to 4294967295/],
      ['AS too large', initWith('privacy.as', [[0, 2 ** 32]]), /^privacy\.as\[0\]\[1\]: AS number must be from 1/],
      ['AS as a string', initWith('privacy.as', [[0, 'AS3320']]), /^privacy\.as\[0\]\[1\]: must be an AS number/],
      ['PEN zero', initWith('privacy.equipment', [[0, 0]]), /^privacy\.equipment\[0\]\[1\]: PEN 0 is reserved/],
      ['PEN negative', initWith('privacy.equipment', [[0, -9]]), /^privacy\.equipment\[0\]\[1\]: PEN must be from 1/],
      [
        'PEN as a vendor name',
        initWith('privacy.equipment', [[0, 'Cisco']]),
        /^privacy\.equipment\[0\]\[1\]: must be a PEN number/,
      ],
      ['unknown performance', initWith('performance', 'fast'), /^performance: must be one of latency, tolerant/],
      ['missing environment', initWith('environment', undefined), /^environment: is required/],
      ['environment both', initWith('environment', 'both'), /^environment: must be one of VM, container, got "both"/],
      ['environment a number', initWith('environment', 1), /^environment: must be one of VM, container/],
      [
        'unknown platform_type',
        initWith('platform_type', 'edge'),
        /^platform_type: must be one of cloud, fog, cloud\+fog/,
      ],
      ['missing platform_type', initWith('platform_type', undefined), /^platform_type: is required/],
      ['unknown resource_type', initWith('resource_type', 'TPU'), /^resource_type: must be one of CPU, GPU, FPGA/],
      ['missing instance-count', initWith('instance-count', undefined), /^instance-count: is required/],
      ['zero instances', initWith('instance-count', 0), /^instance-count: must be a positive integer, got 0/],
      ['fractional instances', initWith('instance-count', 1.5), /^instance-count: must be a positive integer/],
      [
        'instance-count as string',
        initWith('instance-count', '2'),
        /^instance-count: must be a positive integer, got "2"/,
      ],
      ['too many instances', initWith('instance-count', 100000), /^instance-count: must be at most 1000/],
      ['missing instance-details', initWith('instance-details', undefined), /^instance-details: is required/],
      [
        'instance-details not an object',
        initWith('instance-details', [2, 2048]),
        /^instance-details: must be an object/,
      ],
      ['unknown detail', initWith('instance-details.gpus', 1), /^instance-details\.gpus: unknown field/],
      ['zero cores', initWith('instance-details.cores', 0), /^instance-details\.cores: must be a positive integer/],
      [
        'negative memory',
        initWith('instance-details.memory', -1),
        /^instance-details\.memory: must be a positive integer/,
      ],
      [
        'memory with unit',
        initWith('instance-details.memory', '2Gi'),
        /^instance-details\.memory: must be a positive integer, got "2Gi"/,
      ],
      ['missing storage', initWith('instance-details.storage', undefined), /^instance-details\.storage: is required$/],
      ['empty image', initWith('instance-details.image', ' '), /^instance-details\.image: must name an image/],
      ['STOP without application_id', { type: 'STOP' }, /^application_id: is required/],
      ['STOP with unknown field', { type: 'STOP', application_id: ID, instance: {} }, /^instance: unknown field/],
      [
        'STOP with empty instances',
        { type: 'STOP', application_id: ID, instances: {} },
        /^instances: must map at least one provider/,
      ],
      [
        'STOP with instances as a list',
        { type: 'STOP', application_id: ID, instances: ['C3'] },
        /^instances: must map at least one provider/,
      ],
      [
        'STOP with an empty provider list',
        { type: 'STOP', application_id: ID, instances: { Fog2: [] } },
        /^instances\.Fog2: must be a non-empty list/,
      ],
      [
        'STOP with a bad instance name',
        { type: 'STOP', application_id: ID, instances: { Fog2: ['X3'] } },
        /^instances\.Fog2\[0\]: must be an instance name like C3 or V2/,
      ],
      [
        'STOP with C0',
        { type: 'STOP', application_id: ID, instances: { Fog2: ['C0'] } },
        /^instances\.Fog2\[0\]: must be an instance name/,
      ],
      [
        'STOP naming an instance twice',
        { type: 'STOP', application_id: ID, instances: { Fog2: ['C3', 'C3'] } },
        /^instances\.Fog2\[1\]: instance C3 is named twice/,
      ],
    ];
    for (const [what, json, expected] of cases) {
      it(what, () => {
        const errors = errorsOf(json);
        assert.ok(
          errors.some((e) => expected.test(e)),
          `got: ${errors.join(' | ')}`,
        );
      });
    }

    it(`covers at least 50 kinds of mistakes (has ${cases.length})`, () => {
      assert.ok(cases.length >= 50);
    });

    it('reports every problem of one message, not just the first', () => {
      const errors = errorsOf({
        ...listing1(),
        environment: 'both',
        'instance-count': 0,
        privacy: { countries: [[0, 999]] },
      });
      assert.ok(errors.some((e) => e.startsWith('environment:')));
      assert.ok(errors.some((e) => e.startsWith('privacy.countries[0][1]:')));
    });

    it('prefixes paths with the position in a message file', () => {
      const r = parseMessage(initWith('privacy.countries', [[0, 999]]), REGIONS, '[3]');
      assert.ok(!r.ok);
      assert.equal(
        formatFieldError(r.errors[0]),
        '[3].privacy.countries[0][1]: MCC 999 is not an ITU-T E.212 country code',
      );
    });
  });
});
