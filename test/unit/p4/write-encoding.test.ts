import assert from 'node:assert/strict';
import { loadP4RuntimeProto, TO_OBJECT } from '../../../src/p4/p4runtime-proto.js';
import { encodeTableEntry, encodeWriteRequest, withoutAction } from '../../../src/p4/write-encoding.js';
import { planP4Entries } from '../../../src/core/network/p4-entries.js';
import { translateEntry } from '../../../src/p4/entry-translator.js';
import { P4InfoIndex } from '../../../src/p4/p4info.js';
import { PAPER_PLANS, PORTS } from './paper-zone-plans.js';
import { P4INFO } from '../switch/switch-harness.js';
import type { TableEntry, WriteRequest } from '../../../src/p4/p4runtime-types.js';

describe('p4/write-encoding: hand-framed WriteRequest', () => {
  it('decodes with the p4.v1 schema to the request it stands for', () => {
    const entry: TableEntry = {
      table_id: 0x02000002,
      match: [{ field_id: 1, exact: { value: Buffer.from([0x03, 0xe8]) } }],
      action: { action: { action_id: 0x01000003, params: [{ param_id: 1, value: Buffer.from([56]) }] } },
    };
    const bytes = encodeWriteRequest('1', 'sdn', { high: '18446744073709551615', low: '7' }, [
      { type: 'INSERT', entry: encodeTableEntry(entry) },
      { type: 'DELETE', entry: encodeTableEntry({ table_id: 5 }) },
    ]);
    const W = loadP4RuntimeProto().root.lookupType('p4.v1.WriteRequest');
    const got = W.toObject(W.decode(bytes), TO_OBJECT) as WriteRequest;
    assert.equal(got.device_id, '1');
    assert.equal(got.role, 'sdn');
    assert.deepEqual(got.election_id, { high: '18446744073709551615', low: '7' });
    assert.deepEqual(
      got.updates?.map((u) => u.type),
      ['INSERT', 'DELETE'],
    );
    const te = got.updates?.[0]?.entity?.table_entry;
    assert.equal(te?.table_id, 0x02000002);
    assert.deepEqual(te?.match?.[0]?.exact?.value, Buffer.from([0x03, 0xe8]));
    assert.deepEqual(te?.action?.action?.params?.[0]?.value, Buffer.from([56]));
  });

  it('keeps an election_id of {0,0} present', () => {
    const W = loadP4RuntimeProto().root.lookupType('p4.v1.WriteRequest');
    const got = W.toObject(
      W.decode(encodeWriteRequest('1', '', { high: '0', low: '0' }, [])),
      TO_OBJECT,
    ) as WriteRequest;
    assert.ok(got.election_id, 'present');
  });

  it('leaves out exactly the action of an encoded entry, as encoding the entry without one would', () => {
    const index = new P4InfoIndex(P4INFO);
    const entries: TableEntry[] = planP4Entries(PAPER_PLANS, PORTS).zones.flatMap((z) =>
      z.entries.map((e) => translateEntry(index, e, z.zone).entry as TableEntry),
    );
    // Fields on both sides of the action, and an entry with none.
    entries.push(
      {
        table_id: 7,
        match: [{ field_id: 1, lpm: { value: Buffer.from([0xfd]), prefix_len: 8 } }],
        action: { action: { action_id: 2 } },
        priority: 9,
        metadata: Buffer.from('m'),
        idle_timeout_ns: '5',
      },
      { table_id: 3 },
    );
    for (const e of entries) {
      assert.deepEqual(withoutAction(encodeTableEntry(e)), encodeTableEntry({ ...e, action: undefined }));
    }
  });
});
