import assert from 'node:assert/strict';
import { parseDuration } from '../../../../src/core/api/duration.js';

describe('core/api/duration', () => {
  it('reads Go-style durations, summing the parts', () => {
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1m30s250ms'), 90_250);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('0s'), 0);
  });

  it('rejects a bare number, an unknown unit, a sign and stray text', () => {
    for (const bad of ['10', '1d', '-5s', '5 s', 's', '', '1h x', '1.s'])
      assert.equal(parseDuration(bad), undefined, bad);
  });
});
