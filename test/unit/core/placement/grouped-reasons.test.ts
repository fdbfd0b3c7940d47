// A group that fits nowhere is explained by cause, with a few examples and
// a count, however large the catalogue; every provider stays available on
// request.

import { strict as assert } from 'node:assert';
import { Federation } from '../../../../src/core/zones/federation.js';
import { formatExplanation } from '../../../../src/core/placement/place-group.js';
import { group, provider, zone } from '../../../support/core-fixtures.js';

const EEA_ONLY = { regions: [{ action: 'AllowSpecific' as const, value: 'EEA' }, { action: 'DenyAll' as const }] };

function catalogue(us: number) {
  return [
    ...Array.from({ length: us }, (_, i) => provider(`Us${i}`, { country: 310, catalogueOrder: i })),
    provider('Small', { country: 242, catalogueOrder: us, capacity: { cores: 2, memory: 8192, storage: 65536 } }),
    provider('Box', { country: 242, catalogueOrder: us + 1, environment: 'container' }),
  ];
}

describe('grouped reasons of a waiting group', () => {
  it('names each cause once with its count and three examples', () => {
    const f = new Federation({ providers: catalogue(4211) });
    const out = f.reconcile(zone({ privacy: EEA_ONLY, groups: [group({ cores: 4 })] }));
    assert.equal(out.waiting, true);
    assert.deepEqual(formatExplanation(out.groups[0].explanation ?? []), [
      'Us0: country 310 (US) not allowed by regions rule #2 DENY_ALL',
      'Us1: country 310 (US) not allowed by regions rule #2 DENY_ALL',
      'Us2: country 310 (US) not allowed by regions rule #2 DENY_ALL',
      '4208 more: country not allowed by regions rule #2 DENY_ALL: 4211 providers in all',
      'Small: insufficient capacity: needs 4 cores, 2 free',
      'Box: environment container, group needs VM',
    ]);
  });

  it('keeps the per-provider list on request, in catalogue order', () => {
    const f = new Federation({ providers: catalogue(40) });
    const out = f.reconcile(zone({ privacy: EEA_ONLY, groups: [group({ cores: 4 })] }));
    const every = out.groups[0].everyProvider?.() ?? [];
    assert.equal(every.length, 42);
    assert.deepEqual(
      every.slice(-2).map((e) => e.provider),
      ['Small', 'Box'],
    );
  });

  it('gives a placed group one Selected entry, not a walk over the catalogue', () => {
    const f = new Federation({ providers: catalogue(100) });
    const out = f.reconcile(zone({ privacy: EEA_ONLY }));
    assert.deepEqual(
      out.groups[0].explanation?.map((e) => `${e.provider} ${e.verdict}`),
      ['Small Selected'],
    );
  });
});
