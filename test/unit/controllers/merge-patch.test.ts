import assert from 'node:assert/strict';
import { jsonEqual, mergePatchDiff } from '../../../src/controllers/merge-patch.js';

describe('controllers/merge-patch', () => {
  it('nulls keys that went away and keeps unchanged ones out', () => {
    const from = {
      vlanId: 1000,
      instances: { PrivateCloud2: { V1: { a: 1 }, V2: { a: 1 }, V3: { a: 1 } } },
      x: [1, 2],
    };
    const to = { vlanId: 1000, instances: { PrivateCloud2: { V1: { a: 1 }, V3: { a: 1 } } }, x: [1, 2, 3] };
    assert.deepEqual(mergePatchDiff(from, to), { instances: { PrivateCloud2: { V2: null } }, x: [1, 2, 3] });
    assert.equal(mergePatchDiff(to, to), undefined);
    assert.deepEqual(mergePatchDiff({ a: 1 }, { a: undefined }), { a: null });
  });

  it('sees no change in a list whose objects only have their keys in another order', () => {
    // As the API server returns them (keys sorted) against as the operator builds them.
    const stored = {
      conditions: [
        {
          lastTransitionTime: 't',
          message: 'm',
          observedGeneration: 1,
          reason: 'Ready',
          status: 'True',
          type: 'Ready',
        },
      ],
    };
    const built = {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Ready',
          message: 'm',
          observedGeneration: 1,
          lastTransitionTime: 't',
        },
      ],
    };
    assert.equal(mergePatchDiff(stored, built), undefined);
    assert.deepEqual(mergePatchDiff(stored, { conditions: [{ ...built.conditions[0], status: 'False' }] }), {
      conditions: [{ ...built.conditions[0], status: 'False' }],
    });
  });

  it('compares JSON values by content: order of list items counts, order of keys and undefined members do not', () => {
    assert.equal(jsonEqual({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 }), true);
    assert.equal(jsonEqual([1, 2], [2, 1]), false);
    assert.equal(jsonEqual({ a: 1, b: undefined }, { a: 1 }), true);
    assert.equal(jsonEqual({ a: 1 }, { a: 1, b: 2 }), false);
    assert.equal(jsonEqual({ a: null }, { a: 0 }), false);
    assert.equal(jsonEqual([], {}), false);
  });
});
