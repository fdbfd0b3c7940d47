import assert from 'node:assert/strict';
import fc from 'fast-check';
import { actionKey, entryKey } from '../../../src/p4/entry-keys.js';
import type { FieldMatch, TableEntry } from '../../../src/p4/p4runtime-types.js';

/** Leading zero bytes dropped (one zero byte stays), as the switch's canonical form. */
function canon(b: Uint8Array | undefined): number[] {
  const a = [...(b ?? [])];
  while (a.length > 1 && a[0] === 0) a.shift();
  return a;
}
const pad = (b: Uint8Array | undefined, n: number): Buffer =>
  Buffer.concat([Buffer.alloc(b && b.length > 0 ? n : 0), Buffer.from(b ?? [])]);

function canonicalMatch(m: FieldMatch): unknown {
  if (m.exact) return [m.field_id, 'e', canon(m.exact.value)];
  if (m.ternary) return [m.field_id, 't', canon(m.ternary.value), canon(m.ternary.mask)];
  if (m.lpm) return [m.field_id, 'l', canon(m.lpm.value), m.lpm.prefix_len ?? 0];
  if (m.range) return [m.field_id, 'r', canon(m.range.low), canon(m.range.high)];
  if (m.optional) return [m.field_id, 'o', canon(m.optional.value)];
  return [m.field_id, '?'];
}
const identity = (e: TableEntry): string =>
  JSON.stringify([
    e.table_id ?? 0,
    e.priority ?? 0,
    [...(e.match ?? [])].sort((a, b) => (a.field_id ?? 0) - (b.field_id ?? 0)).map(canonicalMatch),
  ]);
const actionIdentity = (e: TableEntry): string =>
  JSON.stringify([
    e.action?.action?.action_id ?? 0,
    [...(e.action?.action?.params ?? [])]
      .sort((a, b) => (a.param_id ?? 0) - (b.param_id ?? 0))
      .map((p) => [p.param_id, canon(p.value)]),
    canon(e.metadata),
  ]);

const small = fc.uint8Array({ minLength: 0, maxLength: 3 }).map((a) => Buffer.from(a));
const match: fc.Arbitrary<FieldMatch> = fc
  .tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.constantFrom('exact', 'ternary', 'lpm', 'range', 'optional'),
    small,
    small,
    fc.integer({ min: 0, max: 200 }),
  )
  .map(([id, kind, a, b, n]) => {
    if (kind === 'exact') return { field_id: id, exact: { value: a } };
    if (kind === 'ternary') return { field_id: id, ternary: { value: a, mask: b } };
    if (kind === 'lpm') return { field_id: id, lpm: { value: a, prefix_len: n } };
    if (kind === 'range') return { field_id: id, range: { low: a, high: b } };
    return { field_id: id, optional: { value: a } };
  });
const entry: fc.Arbitrary<TableEntry> = fc.record({
  table_id: fc.constantFrom(1, 0x02000001, 2 ** 32 - 1),
  priority: fc.integer({ min: 0, max: 3 }),
  match: fc.uniqueArray(match, { maxLength: 3, selector: (m) => m.field_id }),
  action: fc.record({
    action: fc.record({
      action_id: fc.integer({ min: 0, max: 2 }),
      params: fc.uniqueArray(fc.record({ param_id: fc.integer({ min: 1, max: 3 }), value: small }), {
        maxLength: 2,
        selector: (p) => p.param_id,
      }),
    }),
  }),
  metadata: small,
});

function padded(e: TableEntry, n: number): TableEntry {
  const m = (f: FieldMatch): FieldMatch => {
    if (f.exact) return { field_id: f.field_id, exact: { value: pad(f.exact.value, n) } };
    if (f.ternary)
      return { field_id: f.field_id, ternary: { value: pad(f.ternary.value, n), mask: pad(f.ternary.mask, n) } };
    if (f.lpm) return { field_id: f.field_id, lpm: { value: pad(f.lpm.value, n), prefix_len: f.lpm.prefix_len } };
    if (f.range) return { field_id: f.field_id, range: { low: pad(f.range.low, n), high: pad(f.range.high, n) } };
    return { field_id: f.field_id, optional: { value: pad(f.optional?.value, n) } };
  };
  const params = e.action?.action?.params?.map((p) => ({ param_id: p.param_id, value: pad(p.value, n) })).reverse();
  return {
    ...e,
    match: [...(e.match ?? [])].reverse().map(m),
    action: { action: { action_id: e.action?.action?.action_id, params } },
    metadata: pad(e.metadata, n),
  };
}

describe('p4/entry-keys: the identity of an entry and of its action', () => {
  it('gives two entries the same key exactly when table, priority and canonical match agree', () => {
    fc.assert(
      fc.property(entry, entry, (a, b) => {
        assert.equal(entryKey(a) === entryKey(b), identity(a) === identity(b));
        assert.equal(actionKey(a) === actionKey(b), actionIdentity(a) === actionIdentity(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('does not depend on leading zero bytes or on the order of matches and parameters', () => {
    fc.assert(
      fc.property(entry, fc.integer({ min: 1, max: 20 }), (e, n) => {
        assert.equal(entryKey(padded(e, n)), entryKey(e));
        assert.equal(actionKey(padded(e, n)), actionKey(e));
      }),
      { numRuns: 1000 },
    );
  });

  it('keys values longer than its scratch space, and the key after that one is unharmed', () => {
    const long = (fill: number): TableEntry => ({
      table_id: 9,
      match: [{ field_id: 1, exact: { value: Buffer.alloc(5000, fill) } }],
    });
    assert.notEqual(entryKey(long(1)), entryKey(long(2)));
    assert.equal(entryKey(long(1)), entryKey(long(1)));
    assert.equal(
      entryKey({ table_id: 9, match: [{ field_id: 1, exact: { value: Buffer.from([7]) } }] }),
      entryKey({ table_id: 9, match: [{ field_id: 1, exact: { value: Buffer.from([0, 7]) } }] }),
    );
  });
});
