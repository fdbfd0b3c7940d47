// Attributing the switches' direct counters to zones: pure, by entry key.
import assert from 'node:assert/strict';
import { entryKey } from '../../../src/p4/entry-keys.js';
import type { DirectCounterEntry, TableEntry } from '../../../src/p4/p4runtime-types.js';
import { countedTables, countsByZone } from '../../../src/sidecar/zone-counters.js';
import { INDEX } from '../switch/switch-harness.js';

const mark = (vid: number, padded = false): TableEntry => ({
  table_id: 0x02000002,
  match: [
    {
      field_id: 1,
      exact: {
        value: padded
          ? Buffer.from([vid >> 8, vid & 0xff])
          : Buffer.from([vid >> 8, vid & 0xff].filter((b, i) => i === 1 || b !== 0)),
      },
    },
  ],
});
const counter = (vid: number, packets: number, bytes: number, padded = false): DirectCounterEntry => ({
  table_entry: mark(vid, padded),
  data: { packet_count: String(packets), byte_count: String(bytes) },
});

describe('sidecar: zone counters by owner', () => {
  const owners = new Map([
    [entryKey(mark(1000)), 'zone-a'],
    [entryKey(mark(1001)), 'zone-b'],
  ]);
  const ownerOf = (k: string): string | undefined => owners.get(k);

  it('sums each zone over the switches and sorts by zone', () => {
    const got = countsByZone([[counter(1001, 1, 100), counter(1000, 2, 200)], [counter(1000, 3, 300)]], ownerOf);
    assert.deepEqual(got, [
      { zone: 'zone-a', packets: 5n, bytes: 500n },
      { zone: 'zone-b', packets: 1n, bytes: 100n },
    ]);
  });

  it('names the same entry whether the switch sent its key padded or canonical', () => {
    assert.deepEqual(
      countsByZone([[counter(200, 7, 70, true)]], (k) => (k === entryKey(mark(200)) ? 'z' : undefined)),
      [{ zone: 'z', packets: 7n, bytes: 70n }],
    );
  });

  it('counts entries no zone owns for nobody, and counts beyond 2^53 exactly', () => {
    const big: DirectCounterEntry = {
      table_entry: mark(1000),
      data: { packet_count: '9007199254740993', byte_count: '1' },
    };
    assert.deepEqual(countsByZone([[counter(3000, 9, 9), big]], ownerOf), [
      { zone: 'zone-a', packets: 9007199254740993n, bytes: 1n },
    ]);
  });

  it('reads the counted tables from the P4Info: zone_mark only', () => {
    assert.deepEqual(countedTables(INDEX), [0x02000002]);
  });
});
