// The per-zone direct counter (zone_traffic on zone_mark): the software
// switch counts every frame that hits a zone's zone_mark entry, packets and
// bytes as received, and answers P4Runtime Reads of DirectCounterEntry.
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { instanceMac, planP4Entries } from '../../../src/core/network/p4-entries.js';
import { translateEntry } from '../../../src/p4/entry-translator.js';
import { P4RuntimeError } from '../../../src/p4/p4runtime-client.js';
import { bytesToBigInt } from '../../../src/p4/bytestrings.js';
import type { DirectCounterEntry, TableEntry, Uint128 } from '../../../src/p4/p4runtime-types.js';
import { buildFrame } from '../../../src/switch/frame.js';
import { PAPER_PLANS, PORTS } from '../p4/paper-zone-plans.js';
import { DEVICE, id, INDEX, pipelineConfig, startProgrammed, type Harness } from './switch-harness.js';

type Programmed = Harness & { election: Uint128 };

const zone = PAPER_PLANS[0];
const other = PAPER_PLANS[1];

function frameOf(plan: NonNullable<typeof zone>, payload = 'zonekeeper'): { frame: Buffer; port: number } {
  const src = plan.instances[0];
  assert.ok(src);
  const frame = buildFrame({
    dstMac: '02:ff:00:00:00:01',
    srcMac: instanceMac(src.address),
    vlanId: plan.vlanId,
    ipv6: { src: src.address, dst: 'fd3f:e79f:d35c::1' },
    payload: Buffer.from(payload),
  });
  return { frame, port: PORTS.providerPorts[src.provider] ?? 0 };
}

async function readCounters(h: Programmed, table_entry: TableEntry): Promise<DirectCounterEntry[]> {
  const read = await h.client.read({
    device_id: DEVICE,
    entities: [{ direct_counter_entry: { table_entry }, entity: 'direct_counter_entry' }],
  });
  return read.map((e) => {
    assert.ok(e.direct_counter_entry, `a DirectCounterEntry, got ${JSON.stringify(e)}`);
    return e.direct_counter_entry;
  });
}

/** VLAN -> [packets, bytes] from a read. */
function byVlan(entries: DirectCounterEntry[]): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const e of entries) {
    assert.equal(e.table_entry?.table_id, id('ZoneIngress.zone_mark'));
    assert.equal(e.table_entry?.action, undefined, 'the entry is named by its key only');
    const vid = Number(bytesToBigInt(e.table_entry?.match?.[0]?.exact?.value ?? Buffer.alloc(1)));
    out.set(vid, [Number(e.data?.packet_count ?? '0'), Number(e.data?.byte_count ?? '0')]);
  }
  return out;
}

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return grpc.status.OK;
  } catch (e) {
    assert.ok(e instanceof P4RuntimeError, String(e));
    return e.updates?.[0]?.code ?? e.code;
  }
}

describe('software switch: per-zone direct counters (zone_traffic)', () => {
  let h: Programmed;
  beforeEach(async () => {
    h = await startProgrammed();
    assert.ok(zone && other);
    const { zones } = planP4Entries([zone, other], PORTS);
    const updates = zones.flatMap((z) =>
      z.entries.map((e) => ({
        type: 'INSERT' as const,
        entity: { table_entry: translateEntry(INDEX, e, z.zone).entry },
      })),
    );
    await h.client.write({ device_id: DEVICE, election_id: h.election, updates });
  });
  afterEach(() => h.close());

  it('is in the P4Info as a packets_and_bytes counter of zone_mark', () => {
    const t = INDEX.tableByName('ZoneIngress.zone_mark');
    assert.deepEqual(t?.directCounter, {
      id: 0x13000001,
      name: 'ZoneIngress.zone_traffic',
      unit: 'BOTH',
      tableId: 0x02000002,
    });
    assert.equal(INDEX.tableByName('ZoneIngress.zone_admit')?.directCounter, undefined);
  });

  it('counts the packets and bytes of each zone separately, as received, whether forwarded or dropped later', async () => {
    assert.ok(zone && other);
    const a = frameOf(zone, 'first');
    const b = frameOf(zone, 'a longer second payload');
    const c = frameOf(other);
    assert.equal(h.sw.processFrame(a.frame, a.port).verdict, 'forward');
    h.sw.processFrame(b.frame, b.port);
    h.sw.processFrame(c.frame, c.port);
    // A frame of the zone to a destination its ACL refuses still passed zone_mark: it is zone traffic.
    const refused = buildFrame({
      dstMac: '02:ff:00:00:00:01',
      srcMac: instanceMac(zone.instances[0]?.address ?? ''),
      vlanId: zone.vlanId,
      ipv6: { src: zone.instances[0]?.address ?? '', dst: '2001:db8::1' },
    });
    const r = h.sw.processFrame(refused, a.port);
    assert.ok(r.verdict === 'drop' && r.stage === 'ZoneIngress.zone_acl', JSON.stringify(r));

    const counts = byVlan(await readCounters(h, {}));
    assert.deepEqual(counts.get(zone.vlanId), [3, a.frame.length + b.frame.length + refused.length]);
    assert.deepEqual(counts.get(other.vlanId), [1, c.frame.length]);
    assert.equal(counts.size, 2, 'one counter per zone_mark entry, i.e. per zone');
  });

  it('does not count frames the zone never admitted: wrong port, unknown VLAN, untagged, not IP', async () => {
    assert.ok(zone);
    const a = frameOf(zone);
    // Port 6 (PublicCloud3) is not a member of the zone's VLAN.
    assert.equal(h.sw.processFrame(a.frame, 6).verdict, 'drop');
    const unknown = buildFrame({
      dstMac: '02:ff:00:00:00:01',
      srcMac: '02:00:00:00:00:01',
      vlanId: 3000,
      ipv6: { src: '::1', dst: '::2' },
    });
    h.sw.processFrame(unknown, 0);
    const untagged = buildFrame({
      dstMac: '02:ff:00:00:00:01',
      srcMac: '02:00:00:00:00:01',
      ipv6: { src: '::1', dst: '::2' },
    });
    h.sw.processFrame(untagged, a.port);
    const notIp = buildFrame({ dstMac: '02:ff:00:00:00:01', srcMac: '02:00:00:00:00:01', vlanId: zone.vlanId });
    h.sw.processFrame(notIp, a.port);
    assert.deepEqual(byVlan(await readCounters(h, {})).get(zone.vlanId), [0, 0]);
  });

  it('reads one table or one entry by its key, and keeps the count across a MODIFY but not a DELETE and INSERT', async () => {
    assert.ok(zone && other);
    const a = frameOf(zone);
    h.sw.processFrame(a.frame, a.port);
    h.sw.processFrame(a.frame, a.port);
    const markId = id('ZoneIngress.zone_mark');
    const key: TableEntry = { table_id: markId, match: [{ field_id: 1, exact: { value: Buffer.from([0x03, 0xe8]) } }] };
    const one = await readCounters(h, key);
    assert.equal(one.length, 1);
    assert.deepEqual(byVlan(one).get(1000), [2, 2 * a.frame.length]);
    assert.equal((await readCounters(h, { table_id: markId })).length, 2);

    const entry = (dscp: number): TableEntry => ({
      ...key,
      action: {
        action: { action_id: id('ZoneIngress.set_dscp'), params: [{ param_id: 1, value: Buffer.from([dscp]) }] },
      },
    });
    const write = (type: 'INSERT' | 'MODIFY' | 'DELETE', table_entry: TableEntry): Promise<object> =>
      h.client.write({ device_id: DEVICE, election_id: h.election, updates: [{ type, entity: { table_entry } }] });
    await write('MODIFY', entry(9));
    assert.deepEqual(byVlan(await readCounters(h, key)).get(1000), [2, 2 * a.frame.length], 'MODIFY keeps the count');
    await write('DELETE', key);
    assert.deepEqual(await readCounters(h, key), [], 'a deleted entry has no counter');
    await write('INSERT', entry(9));
    assert.deepEqual(byVlan(await readCounters(h, key)).get(1000), [0, 0], 'a new entry starts at zero');
  });

  it('answers a table-entry read that asks for counter_data with the counts, and keeps them across RECONCILE_AND_COMMIT', async () => {
    assert.ok(zone);
    const a = frameOf(zone);
    h.sw.processFrame(a.frame, a.port);
    h.sw.processFrame(a.frame, a.port);
    const markId = id('ZoneIngress.zone_mark');
    const entries = async (counter_data?: object): Promise<TableEntry[]> =>
      (
        await h.client.read({
          device_id: DEVICE,
          entities: [
            { table_entry: { table_id: markId, ...(counter_data ? { counter_data } : {}) }, entity: 'table_entry' },
          ],
        })
      ).flatMap((e) => (e.table_entry ? [e.table_entry] : []));
    const countsOf = (list: TableEntry[]): Map<number, [string, string]> =>
      new Map(
        list.map((e) => [
          Number(bytesToBigInt(e.match?.[0]?.exact?.value ?? Buffer.alloc(1))),
          [e.counter_data?.packet_count ?? '-', e.counter_data?.byte_count ?? '-'],
        ]),
      );
    assert.ok(
      (await entries()).every((e) => e.counter_data === undefined),
      'not asked, not given',
    );
    const before = countsOf(await entries({}));
    assert.deepEqual(before.get(zone.vlanId), ['2', String(2 * a.frame.length)]);

    // The same program again, reconciled: the entries stay, and so do their counts.
    await h.client.setPipeline({
      device_id: DEVICE,
      election_id: h.election,
      action: 'RECONCILE_AND_COMMIT',
      config: pipelineConfig('43'),
    });
    assert.deepEqual(countsOf(await entries({})), before);
    h.sw.processFrame(a.frame, a.port);
    assert.deepEqual(countsOf(await entries({})).get(zone.vlanId), ['3', String(3 * a.frame.length)]);
  });

  it('refuses counters of a table without one, of a default entry, and counter_data on a table without a counter', async () => {
    const admit = id('ZoneIngress.zone_admit');
    assert.equal(await code(readCounters(h, { table_id: admit })), grpc.status.INVALID_ARGUMENT);
    assert.equal(await code(readCounters(h, { table_id: 0x02000099 })), grpc.status.NOT_FOUND);
    assert.equal(
      await code(readCounters(h, { table_id: id('ZoneIngress.zone_mark'), is_default_action: true })),
      grpc.status.UNIMPLEMENTED,
    );
    const withCounter: TableEntry = {
      table_id: admit,
      match: [
        { field_id: 1, exact: { value: Buffer.from([5]) } },
        { field_id: 2, exact: { value: Buffer.from([0x0b, 0xb8]) } },
      ],
      action: { action: { action_id: id('ZoneIngress.admit') } },
      counter_data: { packet_count: '1', byte_count: '1' },
    };
    assert.equal(
      await code(
        h.client.write({
          device_id: DEVICE,
          election_id: h.election,
          updates: [{ type: 'INSERT', entity: { table_entry: withCounter } }],
        }),
      ),
      grpc.status.INVALID_ARGUMENT,
    );
  });
});
