import assert from 'node:assert/strict';
import { mergePatchDiff } from '../../../src/controllers/merge-patch.js';

describe('controllers/merge-patch', () => {
  it('nulls keys that went away and keeps unchanged ones out', () => {
    const from = { vlanId: 1000, instances: { PrivateCloud2: { V1: { a: 1 }, V2: { a: 1 }, V3: { a: 1 } } }, x: [1, 2] };
    const to = { vlanId: 1000, instances: { PrivateCloud2: { V1: { a: 1 }, V3: { a: 1 } } }, x: [1, 2, 3] };
    assert.deepEqual(mergePatchDiff(from, to), { instances: { PrivateCloud2: { V2: null } }, x: [1, 2, 3] });
    assert.equal(mergePatchDiff(to, to), undefined);
    assert.deepEqual(mergePatchDiff({ a: 1 }, { a: undefined }), { a: null });
  });
});
