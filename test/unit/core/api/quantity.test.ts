import assert from 'node:assert/strict';
import { parseQuantity } from '../../../../src/core/api/quantity.js';

const value = (text: string): number => {
  const r = parseQuantity(text);
  assert.ok(r.ok, `${text}: ${r.ok ? '' : r.reason}`);
  return r.value;
};

describe('core/api/quantity', () => {
  it('reads binary suffixes as powers of 1024, up to Ei', () => {
    assert.equal(value('1Ki'), 1024);
    assert.equal(value('16Mi'), 16 * 2 ** 20);
    assert.equal(value('16Gi'), 16 * 2 ** 30);
    assert.equal(value('2Ti'), 2 * 2 ** 40);
    assert.equal(value('1Pi'), 2 ** 50);
    assert.equal(value('1Ei'), 2 ** 60);
  });

  it('reads decimal suffixes as powers of 1000, from n to E', () => {
    assert.equal(value('8'), 8);
    assert.equal(value('500m'), 0.5);
    assert.equal(value('250u'), 250e-6);
    assert.equal(value('3n'), 3e-9);
    assert.equal(value('1k'), 1000);
    assert.equal(value('1M'), 1e6);
    assert.equal(value('1G'), 1e9);
    assert.equal(value('1T'), 1e12);
    assert.equal(value('1P'), 1e15);
    assert.equal(value('1E'), 1e18);
  });

  it('reads decimal exponents in either case and with a sign', () => {
    assert.equal(value('1e3'), 1000);
    assert.equal(value('1E3'), 1000);
    assert.equal(value('12e+2'), 1200);
    assert.equal(value('5e-1'), 0.5);
    assert.equal(value('2E0'), 2);
  });

  it('reads fractional and signed numbers', () => {
    assert.equal(value('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(value('0.5'), 0.5);
    assert.equal(value('.5'), 0.5);
    assert.equal(value('1.'), 1);
    assert.equal(value('+2k'), 2000);
    assert.equal(value('-1Ki'), -1024);
  });

  it('names the problem instead of guessing a value', () => {
    for (const bad of ['', 'Gi', '1KiB', '1kb', '1K', '1e', '1e3.5', '1 Gi', '1.2.3', 'abc', '1i']) {
      const r = parseQuantity(bad);
      assert.equal(r.ok, false, `"${bad}" must be rejected`);
      if (!r.ok) assert.match(r.reason, /quantity|suffix/);
    }
  });
});
