// The paper's messages are checked by the core, not by a schema; their
// limits must be the CRDs' own, so that zonectl and the API server agree.

import { strict as assert } from 'node:assert';
import { crdSchema, type SchemaNode } from '../../../src/cli/crd-schema.js';
import { LIMITS } from '../../../src/core/zones/zone-spec.js';
import { MAX_RELEASE_NAMES, MAX_RELEASE_PROVIDERS, parseMessage } from '../../../src/core/messages/paper-messages.js';
import { MAX_RULES_PER_LIST } from '../../../src/core/privacy/rules.js';
import { RegionCatalogue } from '../../../src/core/privacy/region-catalogue.js';

function at(schema: SchemaNode, path: string[]): SchemaNode {
  return path.reduce(
    (s, k) =>
      k === '[]'
        ? (s.items as SchemaNode)
        : k === '{}'
          ? (s.additionalProperties as SchemaNode)
          : (s.properties?.[k] as SchemaNode),
    schema,
  );
}

describe('message limits agree with the CRDs', () => {
  const zone = crdSchema('ExecutionZone');
  const release = crdSchema('ZoneRelease');

  it('rules per privacy list', () => {
    for (const list of ['regions', 'countries', 'autonomousSystems', 'equipment']) {
      assert.equal(at(zone, ['spec', 'privacy', list]).maxItems, MAX_RULES_PER_LIST, list);
    }
  });

  it('group sizes', () => {
    const g = at(zone, ['spec', 'groups', '[]']);
    for (const k of ['count', 'cores', 'memory', 'storage'] as const)
      assert.equal(g.properties?.[k]?.maximum, LIMITS[k], k);
  });

  it('providers and names of a release', () => {
    const instances = at(release, ['spec', 'instances']);
    assert.equal(instances.maxProperties, MAX_RELEASE_PROVIDERS);
    assert.equal(at(instances, ['{}']).maxItems, MAX_RELEASE_NAMES);
  });

  it('a message beyond them is rejected naming the field', () => {
    const regions = RegionCatalogue.builtin();
    const rules = Array.from({ length: MAX_RULES_PER_LIST + 1 }, () => [0, 240]);
    const init = {
      type: 'INIT',
      application_id: '00000000-0000-4000-8000-000000000001',
      privacy: { countries: rules },
      environment: 'VM',
      platform_type: 'cloud',
      resource_type: 'CPU',
      'instance-count': 1,
      'instance-details': { cores: 1, memory: 1, storage: 1, image: 'x' },
    };
    const r = parseMessage(init, regions, '[0]');
    assert.ok(!r.ok);
    assert.deepEqual(r.errors, [
      {
        path: '[0].privacy.countries',
        reason: `must have at most ${MAX_RULES_PER_LIST} rules, got ${MAX_RULES_PER_LIST + 1}`,
      },
    ]);
    const names = Array.from({ length: MAX_RELEASE_NAMES + 1 }, (_, i) => `V${i + 1}`);
    const stop = parseMessage(
      { type: 'STOP', application_id: '00000000-0000-4000-8000-000000000001', instances: { Fog1: names } },
      regions,
      '[1]',
    );
    assert.ok(!stop.ok);
    assert.match(stop.errors[0].reason, new RegExp(`must list at most ${MAX_RELEASE_NAMES} instance names`));
  });
});
