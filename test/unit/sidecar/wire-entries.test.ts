import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { planP4Entries, type PlannedEntry } from '../../../src/core/network/p4-entries.js';
import { loadProtobufRoot } from '../../../src/p4/p4runtime-proto.js';
import { SIDECAR_PROTO } from '../../../src/p4/proto-files.js';
import {
  decodeSetZoneEntriesRequest,
  decodeSetZonesRequest,
  type ZoneRequest,
} from '../../../src/sidecar/wire-entries.js';
import { encodeSetZoneEntriesRequest, encodeSetZonesRequest } from '../../../src/sidecar/zone-request-encoding.js';
import { PAPER_PLANS, PORTS } from '../p4/paper-zone-plans.js';

const root = loadProtobufRoot([SIDECAR_PROTO]);
const One = root.lookupType('zonekeeper.sidecar.v1.SetZoneEntriesRequest');
const Many = root.lookupType('zonekeeper.sidecar.v1.SetZonesRequest');

/** The request as the schema's generic (protobufjs) object form. */
const generic = (z: ZoneRequest): object => ({
  zone: z.zone,
  generation: String(z.generation),
  ...(z.vlanId !== undefined ? { vlan_id: z.vlanId } : {}),
  entries: z.entries.map((e) => ({
    table: e.table,
    priority: e.priority,
    action: e.action,
    params: e.params,
    match: e.match.map((m) => ({
      field: m.field,
      kind: m.kind,
      value: m.value,
      mask: m.mask,
      prefix_len: m.prefixLen,
    })),
  })),
});

const odd: PlannedEntry = {
  table: 'T',
  priority: 7,
  action: 'a',
  params: [
    { name: 'p', value: '0x1' },
    { name: 'q', value: '' },
  ],
  match: [
    { field: 'f', kind: 'lpm', value: '0xfd00', prefixLen: 8 },
    { field: 'g', kind: 'ternary', value: '1', mask: '0x3' },
    { field: 'ünï', kind: 'exact', value: '0' },
  ],
};

function zones(): ZoneRequest[] {
  const planned = planP4Entries(PAPER_PLANS, PORTS).zones.map((z, i) => ({
    zone: z.zone,
    generation: i * 1000,
    entries: z.entries,
    vlanId: 1000 + i,
  }));
  return [
    ...planned,
    // Its generation takes the protobufjs path: the VLAN must go with it.
    { zone: 'odd', generation: 2 ** 40, entries: [odd], vlanId: 4094 },
    { zone: 'empty', generation: 0, entries: [] },
  ];
}

describe('sidecar/wire-entries: the hot requests straight to and from PlannedEntry', () => {
  it('reads what the schema writes', () => {
    for (const z of zones()) {
      const bytes = One.encode(One.fromObject(generic(z))).finish();
      assert.deepEqual(decodeSetZoneEntriesRequest(bytes), z);
    }
    const all = zones();
    assert.deepEqual(decodeSetZonesRequest(Many.encode(Many.fromObject({ zones: all.map(generic) })).finish()), {
      zones: all,
    });
  });

  it('writes what the schema reads', () => {
    const options = { longs: String, defaults: true, arrays: true };
    for (const z of zones()) {
      const got = One.toObject(One.decode(encodeSetZoneEntriesRequest(z)), options);
      assert.deepEqual(got, One.toObject(One.fromObject(generic(z)), options));
    }
    const all = zones();
    assert.deepEqual(
      Many.toObject(Many.decode(encodeSetZonesRequest({ zones: all })), options),
      Many.toObject(Many.fromObject({ zones: all.map(generic) }), options),
    );
  });

  it('writes byte for byte what protobufjs writes for the same fields, in one buffer or through protobufjs for numbers outside int32', () => {
    // protobufjs writes every field the object holds, so the fields left at their defaults are left out here too.
    const present = (o: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '' && v !== 0 && v !== undefined));
    const sparse = (z: ZoneRequest): object =>
      present({
        zone: z.zone,
        generation: z.generation === 0 ? undefined : String(z.generation),
        vlan_id: z.vlanId,
        entries: z.entries.map((e) =>
          present({
            table: e.table,
            priority: e.priority,
            action: e.action,
            params: e.params.map((p) => present({ ...p })),
            match: e.match.map((m) =>
              present({ field: m.field, kind: m.kind, value: m.value, mask: m.mask, prefix_len: m.prefixLen ?? 0 }),
            ),
          }),
        ),
      });
    const negative: ZoneRequest = { zone: 'negative', generation: 3, entries: [{ ...odd, priority: -3 }] };
    for (const z of [...zones(), negative]) {
      assert.deepEqual(
        encodeSetZoneEntriesRequest(z),
        Buffer.from(One.encode(One.fromObject(sparse(z))).finish()),
        z.zone,
      );
    }
    const all = [...zones(), negative];
    assert.deepEqual(
      encodeSetZonesRequest({ zones: all }),
      Buffer.from(Many.encode(Many.fromObject({ zones: all.map(sparse) })).finish()),
    );
    assert.deepEqual(
      encodeSetZonesRequest({ zones: zones() }),
      Buffer.from(Many.encode(Many.fromObject({ zones: zones().map(sparse) })).finish()),
    );
  });

  it('reads every name as sent: names it has seen, names one byte apart, non-ASCII names and more names than it keeps', () => {
    const entry = (table: string, field: string): PlannedEntry => ({
      table,
      priority: 0,
      action: `${table}.act`,
      params: [{ name: field, value: '1' }],
      match: [{ field, kind: 'exact', value: '2' }],
    });
    const names = [
      'T',
      'T',
      'U',
      'TT',
      'ab',
      'ba',
      'aé',
      'a\u00e9',
      'ünï',
      ...Array.from({ length: 5000 }, (_, i) => `t${i}`),
      'T',
      't42',
    ];
    const z: ZoneRequest = {
      zone: 'names',
      generation: 1,
      entries: names.map((n, i) => entry(n, names[names.length - 1 - i])),
    };
    assert.deepEqual(decodeSetZoneEntriesRequest(encodeSetZoneEntriesRequest(z)), z);
    // Read twice: the second time every kept name comes from the table.
    assert.deepEqual(decodeSetZoneEntriesRequest(encodeSetZoneEntriesRequest(z)), z);
  });

  it('skips fields it does not know, as protobuf readers must', () => {
    const w = protobuf.Writer.create();
    w.uint32((9 << 3) | 0).uint32(5);
    w.uint32((1 << 3) | 2).string('z');
    w.uint32((10 << 3) | 2).bytes(Buffer.from([1, 2, 3]));
    w.uint32((3 << 3) | 2)
      .fork()
      .uint32((4 << 3) | 2)
      .string('act')
      .uint32((12 << 3) | 5)
      .fixed32(1)
      .ldelim();
    assert.deepEqual(decodeSetZoneEntriesRequest(w.finish()), {
      zone: 'z',
      generation: 0,
      entries: [{ table: '', match: [], priority: 0, action: 'act', params: [] }],
    });
  });

  it('refuses a truncated request, and a field that runs past the end of its message, instead of reading a shorter one', () => {
    const whole = encodeSetZoneEntriesRequest(zones()[0]);
    for (const cut of [3, 20, whole.length - 1]) {
      assert.throws(
        () => decodeSetZoneEntriesRequest(whole.subarray(0, cut)),
        /runs past the end|index out of range/,
        `cut at ${cut}`,
      );
    }
    // A zone name claiming 100 bytes with 2 present (protobufjs' own string reader would return the 2).
    assert.throws(
      () => decodeSetZoneEntriesRequest(Buffer.from([0x0a, 100, 1, 2])),
      /length 100 at offset 2 runs past the end of its message/,
    );
    // An entry whose table name claims more bytes than the entry holds, though the buffer has them.
    const w = protobuf.Writer.create();
    w.uint32((3 << 3) | 2)
      .uint32(3)
      .uint32((1 << 3) | 2)
      .uint32(10);
    w.uint32((1 << 3) | 2).string('zone-name-after');
    assert.throws(() => decodeSetZoneEntriesRequest(w.finish()), /runs past the end of its message \(offset 5\)/);
    assert.throws(() => decodeSetZonesRequest(whole.subarray(0, 10)), /runs past the end|index out of range/);
  });
});
