import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planP4Entries } from '../../../src/core/network/p4-entries.js';
import { translateEntry } from '../../../src/p4/entry-translator.js';
import { P4InfoIndex } from '../../../src/p4/p4info.js';
import { loadP4RuntimeProto, TO_OBJECT } from '../../../src/p4/p4runtime-proto.js';
import type { FieldMatch, TableEntry } from '../../../src/p4/p4runtime-types.js';
import { encodeTableEntryDirect } from '../../../src/p4/table-entry-encoding.js';
import { encodeTableEntry } from '../../../src/p4/write-encoding.js';
import { PAPER_PLANS, PORTS } from './paper-zone-plans.js';
import { P4INFO } from '../switch/switch-harness.js';

const T = loadP4RuntimeProto().root.lookupType('p4.v1.TableEntry');
// Defaults filled in, so that a field left out and a field written as zero compare equal.
const decoded = (b: Uint8Array): unknown => T.toObject(T.decode(b), { ...TO_OBJECT, defaults: true });
const reference = (e: TableEntry): unknown => decoded(T.encode(e).finish());

describe('p4/table-entry-encoding: hand-written TableEntry encoder', () => {
  it('decodes to the same message as protobufjs for every translated paper-zone entry', () => {
    const index = new P4InfoIndex(P4INFO);
    let n = 0;
    for (const z of planP4Entries(PAPER_PLANS, PORTS).zones) {
      for (const p of z.entries) {
        const e = translateEntry(index, p, z.zone).entry as TableEntry;
        const bytes = encodeTableEntryDirect(e);
        assert.ok(bytes, 'translated entries take the direct path');
        assert.deepEqual(decoded(bytes), reference(e));
        n++;
      }
    }
    assert.ok(n > 20);
  });

  it('keeps oneof presence: an empty exact match and an action without id or params are still written', () => {
    const e: TableEntry = { table_id: 1, match: [{ field_id: 2, exact: {} }], action: { action: {} } };
    const got = T.decode(encodeTableEntryDirect(e) as Buffer) as unknown as {
      match: { exact?: object }[];
      action?: { action?: object };
    };
    assert.ok(got.match[0]?.exact);
    assert.ok(got.action?.action);
  });

  it('falls back to protobufjs for fields outside its shape', () => {
    const others: TableEntry[] = [
      { table_id: 1, idle_timeout_ns: '5' },
      { table_id: 1, is_default_action: true },
      { table_id: 1, action: { action_profile_member_id: 3 } },
      { table_id: 1, match: [{ field_id: 1, other: { type_url: 'x', value: Buffer.from([1]) } }] },
      { table_id: 1, priority: -1 },
    ];
    for (const e of others) {
      assert.equal(encodeTableEntryDirect(e), undefined);
      assert.deepEqual(decoded(encodeTableEntry(e)), reference(e));
    }
  });

  it('agrees with protobufjs on arbitrary entries of its shape', () => {
    const bytes = fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a));
    const u32 = fc.nat({ max: 0xffffffff });
    const match: fc.Arbitrary<FieldMatch> = fc.oneof(
      fc.record({ field_id: u32, exact: fc.record({ value: bytes }) }),
      fc.record({ field_id: u32, ternary: fc.record({ value: bytes, mask: bytes }) }),
      fc.record({ field_id: u32, lpm: fc.record({ value: bytes, prefix_len: fc.nat({ max: 0x7fffffff }) }) }),
      fc.record({ field_id: u32, range: fc.record({ low: bytes, high: bytes }) }),
      fc.record({ field_id: u32, optional: fc.record({ value: bytes }) }),
    );
    const entry: fc.Arbitrary<TableEntry> = fc.record(
      {
        table_id: u32,
        match: fc.array(match, { maxLength: 4 }),
        action: fc.record({
          action: fc.record({
            action_id: u32,
            params: fc.array(fc.record({ param_id: u32, value: bytes }), { maxLength: 3 }),
          }),
        }),
        priority: fc.nat({ max: 0x7fffffff }),
        metadata: bytes,
      },
      { requiredKeys: ['table_id'] },
    );
    fc.assert(
      fc.property(entry, (e) => {
        const got = encodeTableEntryDirect(e);
        assert.ok(got);
        assert.deepEqual(decoded(got), reference(e));
      }),
      { numRuns: 500 },
    );
  });
});
