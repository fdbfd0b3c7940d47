import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PlannedEntry, PlannedMatch } from '../../../src/core/network/p4-entries.js';
import { bigIntToBytes, maskOfWidth, prefixMask } from '../../../src/p4/bytestrings.js';
import { actionKey, entryKey } from '../../../src/p4/entry-keys.js';
import { translateEntry } from '../../../src/p4/entry-translator.js';
import { P4InfoIndex } from '../../../src/p4/p4info.js';
import type { P4InfoMessage } from '../../../src/p4/p4runtime-types.js';

/** One table per match kind, each keyed by a field `f` of `width` bits, and a one-parameter action. */
function index(width: number): P4InfoIndex {
  const table = (id: number, kind: 'EXACT' | 'TERNARY' | 'LPM') => ({
    preamble: { id, name: `t_${kind.toLowerCase()}` },
    size: '16',
    match_fields: [
      { id: 1, name: 'f', bitwidth: width, match_type: kind },
      { id: 2, name: 'vid', bitwidth: 12, match_type: 'EXACT' as const },
    ],
    action_refs: [{ id: 7 }],
  });
  const message = {
    tables: [table(1, 'EXACT'), table(2, 'TERNARY'), table(3, 'LPM')],
    actions: [{ preamble: { id: 7, name: 'set' }, params: [{ id: 1, name: 'p', bitwidth: width }] }],
  } as P4InfoMessage;
  return new P4InfoIndex(message);
}

const entry = (
  kind: 'exact' | 'ternary' | 'lpm',
  m: Omit<PlannedMatch, 'field' | 'kind'>,
  param = '1',
): PlannedEntry => ({
  table: `t_${kind}`,
  match: [
    { field: 'vid', kind: 'exact', value: '5' },
    { field: 'f', kind, ...m },
  ],
  priority: kind === 'ternary' ? 10 : 0,
  action: 'set',
  params: [{ name: 'p', value: param }],
});

/** What translation must give, computed with BigInt arithmetic. */
function expected(
  width: number,
  kind: 'exact' | 'ternary' | 'lpm',
  m: Omit<PlannedMatch, 'field' | 'kind'>,
): { bytes?: Buffer[]; reason?: string } {
  const read = (text: string, what: string): bigint => {
    let v: bigint;
    try {
      v = BigInt(text);
    } catch {
      throw new Error(`${what}: '${text}' is not an integer`);
    }
    if (v < 0n) throw new Error(`${what}: ${text} is negative`);
    if (v > maskOfWidth(width)) throw new Error(`${what}: ${text} does not fit in ${width} bits`);
    return v;
  };
  try {
    const v = read(m.value, 'f');
    if (kind === 'exact') return { bytes: [bigIntToBytes(v)] };
    if (kind === 'ternary') {
      const mask = read(m.mask ?? '', 'f mask');
      if (mask === 0n) return { reason: "f: a zero mask means don't-care; leave the field out" };
      if ((v & ~mask) !== 0n) return { reason: 'f: value has bits outside the mask' };
      return { bytes: [bigIntToBytes(v), bigIntToBytes(mask)] };
    }
    const len = m.prefixLen ?? 0;
    if (len < 1 || len > width) return { reason: `f: prefix length ${len} outside 1–${width}` };
    if ((v & ~prefixMask(len, width)) !== 0n) return { reason: 'f: value has bits past the prefix' };
    return { bytes: [bigIntToBytes(v)] };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

describe('p4/entry-translator: names to IDs, text to canonical bytes', () => {
  it('reads decimal and hex text of any case and leading zeros into canonical bytes', () => {
    const ix = index(48);
    const bytesOf = (value: string): Buffer | undefined =>
      translateEntry(ix, entry('exact', { value }), 'e').entry?.match?.find((m) => m.field_id === 1)?.exact?.value;
    assert.deepEqual(bytesOf('0'), Buffer.from([0]));
    assert.deepEqual(bytesOf('0x0000'), Buffer.from([0]));
    assert.deepEqual(bytesOf('0X00aB'), Buffer.from([0xab]));
    assert.deepEqual(bytesOf('0x1ab'), Buffer.from([0x01, 0xab]));
    assert.deepEqual(bytesOf('4096'), Buffer.from([0x10, 0x00]));
    assert.deepEqual(bytesOf('281474976710655'), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    assert.deepEqual(bytesOf(' 7 '), Buffer.from([7]), 'other text BigInt reads still works');
    assert.deepEqual(bytesOf('0b101'), Buffer.from([5]));
  });

  it('names the entry path and the reason for values that do not fit, are negative or are no integer', () => {
    const ix = index(8);
    const problem = (value: string, param = '1') =>
      translateEntry(ix, entry('exact', { value }, param), 'entries[3]').problem;
    assert.deepEqual(problem('256'), { path: 'entries[3].match[1]', reason: 'f: 256 does not fit in 8 bits' });
    assert.deepEqual(problem('0x100'), { path: 'entries[3].match[1]', reason: 'f: 0x100 does not fit in 8 bits' });
    assert.deepEqual(problem('-1'), { path: 'entries[3].match[1]', reason: 'f: -1 is negative' });
    assert.deepEqual(problem('0xg'), { path: 'entries[3].match[1]', reason: "f: '0xg' is not an integer" });
    assert.deepEqual(problem('1', '1000'), {
      path: 'entries[3].params[0]',
      reason: 'set.p: 1000 does not fit in 8 bits',
    });
  });

  it('checks fields, kinds and parameters in the order it always did', () => {
    const ix = index(8);
    const base = entry('exact', { value: '1' });
    const problem = (e: PlannedEntry) => translateEntry(ix, e, 'e').problem?.reason;
    assert.equal(
      problem({ ...base, match: [...base.match, { field: 'vid', kind: 'exact', value: '1' }] }),
      'field vid given twice',
    );
    assert.equal(
      problem({
        ...base,
        match: [{ field: 'f', kind: 'ternary', value: '1', mask: '1' }, base.match[0]],
      }),
      'f is EXACT, not ternary',
    );
    assert.equal(problem({ ...base, match: [base.match[1]] }), 'exact field vid is missing');
    assert.equal(problem({ ...base, params: [] }), 'set: parameter p is missing');
    assert.equal(
      problem({
        ...base,
        params: [
          { name: 'p', value: '1' },
          { name: 'p', value: '2' },
        ],
      }),
      'a parameter is given twice',
    );
    assert.equal(problem({ ...base, params: [{ name: 'q', value: '1' }] }), 'set has no parameter q');
    assert.equal(
      problem({
        ...base,
        match: [{ ...base.match[1], kind: 'EXACT' as 'exact' }, base.match[0]],
      }),
      undefined,
      'kinds in capitals',
    );
  });

  it('agrees with BigInt arithmetic on every kind, width, value, mask and prefix length', () => {
    const text = (v: bigint, form: number): string =>
      form === 0 ? v.toString() : form === 1 ? `0x${v.toString(16)}` : `0X00${v.toString(16).toUpperCase()}`;
    const arb = fc.record({
      width: fc.integer({ min: 1, max: 130 }),
      kind: fc.constantFrom('exact' as const, 'ternary' as const, 'lpm' as const),
      value: fc.bigInt({ min: 0n, max: 1n << 132n }),
      mask: fc.bigInt({ min: 0n, max: 1n << 132n }),
      shift: fc.integer({ min: 0, max: 132 }),
      prefixLen: fc.integer({ min: 0, max: 131 }),
      form: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(arb, (a) => {
        // Often a value inside the mask or prefix, so the accepting paths are exercised as well.
        const value = a.shift % 2 === 0 ? a.value : (a.value & a.mask) >> BigInt(a.shift);
        const m = { value: text(value, a.form), mask: text(a.mask >> BigInt(a.shift), a.form), prefixLen: a.prefixLen };
        const want = expected(a.width, a.kind, m);
        const got = translateEntry(index(a.width), entry(a.kind, m), 'e');
        if (want.reason !== undefined) {
          assert.equal(got.problem?.reason, want.reason);
          return;
        }
        assert.equal(got.problem, undefined);
        const f = got.entry?.match?.find((x) => x.field_id === 1);
        const bytes = f?.exact ? [f.exact.value] : f?.ternary ? [f.ternary.value, f.ternary.mask] : [f?.lpm?.value];
        assert.deepEqual(bytes, want.bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts matches by field id, so keys do not depend on the order given', () => {
    const ix = index(8);
    const e = entry('exact', { value: '1' });
    const reversed = { ...e, match: [...e.match].reverse() };
    const a = translateEntry(ix, e, 'e').entry;
    const b = translateEntry(ix, reversed, 'e').entry;
    assert.ok(a && b);
    assert.deepEqual(
      a.match?.map((m) => m.field_id),
      [1, 2],
    );
    assert.equal(entryKey(a), entryKey(b));
    assert.equal(actionKey(a), actionKey(b));
  });
});
