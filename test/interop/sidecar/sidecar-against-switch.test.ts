// The sidecar driven through its own gRPC API, programming a real software
// switch over loopback P4Runtime.
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { planP4Entries, type PlannedEntry, type ZoneP4Entries } from '../../../src/core/network/p4-entries.js';
import { actionKey, entryKey } from '../../../src/p4/entry-keys.js';
import { P4RuntimeClient } from '../../../src/p4/p4runtime-client.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { serveHealth } from '../../../src/sidecar/health-server.js';
import { SidecarClient } from '../../../src/sidecar/sidecar-client.js';
import { serveSidecarApi } from '../../../src/sidecar/sidecar-server.js';
import { Sidecar } from '../../../src/sidecar/sidecar.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';
import { PAPER_PLANS, PORTS, syntheticPlan, zonePlan } from '../../unit/p4/paper-zone-plans.js';
import { DEVICE_CONFIG, P4INFO } from '../../unit/switch/switch-harness.js';

const plan = (): ZoneP4Entries[] => planP4Entries(PAPER_PLANS, PORTS).zones;

const waitFor = (what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<true> =>
  pollUntil(what, async () => (await cond()) || undefined, { timeoutMs, everyMs: 25 });

interface Running {
  sidecar: Sidecar;
  client: SidecarClient;
  stop(): void;
}

async function startSidecar(address: string, term: bigint, ordinal = 0n, resyncIntervalMs = 60_000): Promise<Running> {
  const sidecar = new Sidecar({
    switches: [{ address, deviceId: '1' }],
    p4info: P4INFO,
    deviceConfig: DEVICE_CONFIG,
    election: { term, ordinal },
    batchSize: 100,
    resyncIntervalMs,
    log: () => {},
  });
  sidecar.start();
  const api = await serveSidecarApi(sidecar, '127.0.0.1:0');
  const client = new SidecarClient(`127.0.0.1:${api.port}`);
  return {
    sidecar,
    client,
    stop: () => {
      client.close();
      api.server.forceShutdown();
      sidecar.stop();
    },
  };
}

/** What the switch holds, as key -> action, read with a plain P4Runtime client. */
async function switchState(address: string): Promise<Map<string, string>> {
  const c = new P4RuntimeClient(address);
  try {
    const ents = await c.read({ device_id: '1', entities: [{ table_entry: {} }] });
    return new Map(ents.map((e) => [entryKey(e.table_entry ?? {}), actionKey(e.table_entry ?? {})]));
  } finally {
    c.close();
  }
}

function desiredState(s: Sidecar): Map<string, string> {
  return new Map([...s.desired.all()].map(([k, e]) => [k, e.action]));
}

describe('sidecar against the software switch', function () {
  this.timeout(30_000);
  let sw: SoftwareSwitch;
  let address: string;
  let port: number;
  const running: Running[] = [];
  const start = async (term: bigint, ordinal = 0n, resync = 60_000): Promise<Running> => {
    const r = await startSidecar(address, term, ordinal, resync);
    running.push(r);
    return r;
  };

  beforeEach(async () => {
    sw = new SoftwareSwitch({ deviceId: 1n });
    port = await sw.start('127.0.0.1:0');
    address = `127.0.0.1:${port}`;
  });
  afterEach(() => {
    for (const r of running.splice(0)) r.stop();
    sw.stop();
  });

  it('programs the paper zones on first contact: pipeline with cookie, then exactly the desired entries', async () => {
    const s = await start(1n);
    for (const z of plan()) {
      const st = await s.client.setZoneEntries(z.zone, 1, z.entries);
      assert.equal(st.programmed, true, `${z.zone}: ${st.reason} ${st.message}`);
    }
    assert.equal(sw.pipeline?.config.cookie?.cookie, s.sidecar.pipeline.cookie?.cookie);
    assert.deepEqual(await switchState(address), desiredState(s.sidecar));
    const all = await s.client.getZoneStatus();
    assert.equal(all.zones?.length, 6);
    assert.ok(all.zones?.every((z) => z.programmed && z.reason === 'Programmed'));
    assert.equal(all.switches?.[0]?.primary, true);
  });

  it('applies an incremental change with only the updates it needs', async () => {
    const s = await start(1n);
    const [z] = plan();
    assert.ok(z);
    await s.client.setZoneEntries(z.zone, 1, z.entries);
    const before = sw.stats.updates;
    // Zone 1000 loses C4 (its forwarding entry and its solicited-node entry: two DELETEs) and changes its mark (one MODIFY).
    const p = zonePlan({
      id: z.zone,
      vlan: 1000,
      bits: '001000',
      groups: [
        ['Fog1', ['C1', 'C2']],
        ['Fog2', ['C3']],
      ],
    });
    const next = planP4Entries([p], PORTS).zones[0];
    assert.ok(next);
    const st = await s.client.setZoneEntries(z.zone, 2, next.entries);
    assert.equal(st.programmed, true);
    assert.equal(st.generation, '2');
    assert.equal(sw.stats.updates - before, 3);
    assert.deepEqual(await switchState(address), desiredState(s.sidecar));
  });

  it('writes nothing for a re-sent zone, and exactly the change after a modify and a drop, also across a re-sync', async () => {
    const s = await start(1n);
    const [z] = plan();
    assert.ok(z);
    await s.client.setZoneEntries(z.zone, 1, z.entries);
    const before = sw.stats.updates;
    assert.equal((await s.client.setZoneEntries(z.zone, 2, z.entries)).programmed, true);
    assert.equal(sw.stats.updates - before, 0, 'an identical update writes nothing');
    // The mark changes (MODIFY) and the last forwarding entry goes (DELETE); the rest is taken over unchanged.
    const next = structuredClone(z.entries);
    const mark = next.find((e) => e.params.some((p) => p.name === 'dscp'));
    (mark?.params[0] as { value: string }).value = '8';
    next.splice(
      next.findLastIndex((e) => e.table.endsWith('mac_forward')),
      1,
    );
    assert.equal((await s.client.setZoneEntries(z.zone, 3, next)).programmed, true);
    assert.equal(sw.stats.updates - before, 2);
    assert.deepEqual(await switchState(address), desiredState(s.sidecar));
    sw.stop();
    sw = new SoftwareSwitch({ deviceId: 1n });
    await sw.start(`127.0.0.1:${port}`);
    await waitFor('re-sync', async () => (await switchState(address).catch(() => new Map())).size === next.length);
    assert.deepEqual(await switchState(address), desiredState(s.sidecar));
    assert.equal((await s.client.setZoneEntries(z.zone, 4, structuredClone(next))).programmed, true);
    assert.deepEqual(await switchState(address), desiredState(s.sidecar));
  });

  it('removes every entry of a deleted zone', async () => {
    const s = await start(1n);
    const [a, b] = plan();
    assert.ok(a && b);
    await s.client.setZoneEntries(a.zone, 1, a.entries);
    await s.client.setZoneEntries(b.zone, 1, b.entries);
    const r = await s.client.deleteZone(a.zone);
    assert.equal(r.removed, true, r.message);
    assert.equal((await switchState(address)).size, b.entries.length);
    assert.equal((await s.client.getZoneStatus(a.zone)).zones?.[0]?.reason, 'NotFound');
  });

  it('deletes the entries of many zones deleted at once exactly once, with no re-sync', async () => {
    const s = await start(1n);
    const zs = planP4Entries(
      Array.from({ length: 60 }, (_, i) => syntheticPlan(100 + i, 'Fog1', 3)),
      PORTS,
    ).zones;
    const total = zs.reduce((n, z) => n + z.entries.length, 0);
    assert.ok(
      (await s.client.setZones(zs.map((z) => ({ zone: z.zone, generation: 1, entries: z.entries })))).every(
        (x) => x.programmed,
      ),
    );
    const before = sw.stats.updates;
    const removed = await Promise.all(zs.map((z) => s.client.deleteZone(z.zone)));
    assert.ok(
      removed.every((r) => r.removed),
      JSON.stringify(removed.find((r) => !r.removed)),
    );
    assert.equal((await switchState(address)).size, 0);
    // Each entry once: a second DELETE of a key (NOT_FOUND) would mark the mirror stale and start a full re-sync.
    assert.equal(sw.stats.updates - before, total);
    const metrics = await s.sidecar.metrics.registry.getMetricsAsJSON();
    const reconciles = metrics.find((m) => m.name === 'zonekeeper_sidecar_reconciles_total')?.values ?? [];
    assert.deepEqual(
      reconciles.filter((v) => v.labels.trigger !== 'became').map((v) => v.labels.trigger),
      [],
    );
  });

  it('does not report a retried delete as removed while the switch still holds the zone', async () => {
    const low = await start(1n);
    const [a, b] = plan();
    assert.ok(a && b);
    await low.client.setZoneEntries(a.zone, 1, a.entries);
    await low.client.setZoneEntries(b.zone, 1, b.entries);
    // A later term takes the switch over, so this sidecar cannot write.
    const high = await start(2n);
    await waitFor(
      'demoted',
      () => low.sidecar.connections[0]?.primary === false && high.sidecar.connections[0]?.primary === true,
    );
    for (const attempt of [1, 2]) {
      const r = await low.client.deleteZone(a.zone);
      assert.equal(r.removed, false, `attempt ${attempt}: ${r.message}`);
    }
    assert.equal(
      (await switchState(address)).size,
      a.entries.length + b.entries.length,
      'the switch still holds zone a',
    );
    high.stop();
    running.splice(running.indexOf(high), 1);
    // The switch promotes nobody when a primary leaves: a later term must outbid the last one.
    await low.client.setElection(3n, 0n);
    await waitFor('primary again', () => low.sidecar.connections[0]?.synced === true);
    const r = await low.client.deleteZone(a.zone);
    assert.equal(r.removed, true, r.message);
    assert.deepEqual(await switchState(address), desiredState(low.sidecar));
    assert.equal(low.sidecar.desired.size(), b.entries.length);
  });

  it('re-syncs to exactly the desired state after the switch restarts empty', async () => {
    const s = await start(1n);
    for (const z of plan()) await s.client.setZoneEntries(z.zone, 1, z.entries);
    sw.stop();
    sw = new SoftwareSwitch({ deviceId: 1n });
    await sw.start(`127.0.0.1:${port}`);
    await waitFor(
      're-sync',
      async () => (await switchState(address).catch(() => new Map())).size === s.sidecar.desired.size(),
    );
    assert.deepEqual(await switchState(address), desiredState(s.sidecar));
    assert.equal(sw.pipeline?.config.cookie?.cookie, s.sidecar.pipeline.cookie?.cookie);
    await waitFor(
      'programmed',
      async () => (await s.client.getZoneStatus()).zones?.every((z) => z.programmed) ?? false,
    );
  });

  it('skips the pipeline push when the switch already runs it, and writes nothing when nothing differs', async () => {
    const first = await start(1n);
    for (const z of plan()) await first.client.setZoneEntries(z.zone, 1, z.entries);
    first.stop();
    running.splice(running.indexOf(first), 1);
    const writesBefore = sw.stats.writes;
    const second = await start(2n);
    for (const z of plan()) await second.client.setZoneEntries(z.zone, 1, z.entries);
    await second.sidecar.idle();
    const pushes = await second.sidecar.metrics.pipelinePushes.get();
    assert.equal(
      pushes.values.reduce((n, v) => n + v.value, 0),
      0,
      'no SetForwardingPipelineConfig',
    );
    assert.equal(sw.stats.writes, writesBefore, 'no Write');
    assert.equal((await switchState(address)).size, second.sidecar.desired.size());
  });

  it('never deletes entries no zone owns before the operator declares its desired state complete', async () => {
    const first = await start(1n);
    const [a, b] = plan();
    assert.ok(a && b);
    await first.client.setZoneEntries(a.zone, 1, a.entries);
    await first.client.setZoneEntries(b.zone, 1, b.entries);
    first.stop();
    running.splice(running.indexOf(first), 1);
    const second = await start(2n);
    await waitFor('primary', () => second.sidecar.connections[0]?.synced === true);
    await second.client.setZoneEntries(a.zone, 1, a.entries);
    assert.equal((await switchState(address)).size, a.entries.length + b.entries.length, 'zone b survives the restart');
    await second.client.setDesiredComplete();
    assert.equal((await switchState(address)).size, a.entries.length, 'pruned once complete');
  });

  it('lets only the primary write: a sidecar with a lower election id stays backup', async () => {
    const high = await start(2n);
    const low = await start(1n, 5n);
    const [a, b] = plan();
    assert.ok(a && b);
    await waitFor(
      'arbitration',
      () => high.sidecar.connections[0]?.primary === true && low.sidecar.connections[0]?.connected === true,
    );
    const stLow = await low.client.setZoneEntries(b.zone, 1, b.entries);
    assert.equal(stLow.programmed, false);
    assert.equal(stLow.reason, 'NotPrimary');
    const stHigh = await high.client.setZoneEntries(a.zone, 1, a.entries);
    assert.equal(stHigh.programmed, true);
    assert.deepEqual(await switchState(address), desiredState(high.sidecar));
  });

  it('makes a sidecar primary when its operator wins a later leader term, and re-syncs to its state', async () => {
    const old = await start(1n);
    const next = await start(1n, 1n);
    await waitFor('next primary', () => next.sidecar.connections[0]?.primary === true);
    const [a, b] = plan();
    assert.ok(a && b);
    await next.client.setZoneEntries(a.zone, 1, a.entries);
    await old.client.setZoneEntries(b.zone, 1, b.entries);
    await old.client.setDesiredComplete();
    await old.client.setElection(2n, 0n);
    await waitFor(
      'old primary',
      () => old.sidecar.connections[0]?.primary === true && old.sidecar.connections[0]?.synced === true,
    );
    await old.sidecar.idle();
    assert.deepEqual(await switchState(address), desiredState(old.sidecar));
    assert.equal(next.sidecar.connections[0]?.primary, false);
  });

  it('rejects a bad desired state with a clear error and writes nothing', async () => {
    const s = await start(1n);
    const [a] = plan();
    assert.ok(a);
    await s.client.setZoneEntries(a.zone, 1, a.entries);
    const before = await switchState(address);
    const writes = sw.stats.updates;
    const bad: PlannedEntry[] = [
      ...a.entries.slice(0, 3),
      { ...a.entries[3], params: [{ name: 'dscp', value: '64' }] },
      ...a.entries.slice(4),
    ];
    bad.push({ table: 'ZoneIngress.no_such_table', match: [], priority: 0, action: 'x', params: [] });
    await assert.rejects(s.client.setZoneEntries(a.zone, 2, bad), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
      assert.match(e.details, /nothing written/);
      assert.match(e.details, /entries\[3\]\.params\[0\]: ZoneIngress\.set_dscp\.dscp: 64 does not fit in 6 bits/);
      assert.match(e.details, /unknown table ZoneIngress\.no_such_table/);
      return true;
    });
    assert.equal(sw.stats.updates, writes);
    assert.deepEqual(await switchState(address), before);
    const st = (await s.client.getZoneStatus(a.zone)).zones?.[0];
    assert.equal(st?.generation, '1', 'the accepted state is unchanged');
    assert.equal(st?.programmed, true);
  });

  it('answers a SetZones request that is not valid protobuf with INVALID_ARGUMENT and changes nothing', async () => {
    const s = await start(1n);
    const [a] = plan();
    assert.ok(a);
    await s.client.setZoneEntries(a.zone, 1, a.entries);
    const before = await switchState(address);
    const raw = new grpc.Client(
      `127.0.0.1:${(s.client as unknown as { raw: grpc.Client }).raw.getChannel().getTarget().split(':').pop()}`,
      grpc.credentials.createInsecure(),
    );
    try {
      // Field 1 (zones), length-delimited, claiming 100 bytes of which 2 follow.
      const garbage = Buffer.from([0x0a, 100, 1, 2]);
      for (const method of ['SetZones', 'SetZoneEntries']) {
        const err = await new Promise<grpc.ServiceError | null>((resolve) =>
          raw.makeUnaryRequest(
            `/zonekeeper.sidecar.v1.ZoneProgrammer/${method}`,
            (b: Buffer) => b,
            (b: Buffer) => b,
            garbage,
            new grpc.Metadata(),
            {},
            (e) => resolve(e),
          ),
        );
        assert.equal(err?.code, grpc.status.INVALID_ARGUMENT, `${method}: ${err?.message}`);
        assert.match(err?.details ?? '', /not a valid protobuf message/);
      }
    } finally {
      raw.close();
    }
    assert.deepEqual(await switchState(address), before);
    assert.equal((await s.client.getZoneStatus(a.zone)).zones?.[0]?.generation, '1');
  });

  it('rejects a desired state that would overflow a table with RESOURCE_EXHAUSTED, before writing', async () => {
    // A P4Info whose zone_acl holds 5 entries: two paper zones need 3 each (no router entry).
    const small = structuredClone(P4INFO);
    const acl = small.tables?.find((t) => t.preamble?.name === 'ZoneIngress.zone_acl');
    assert.ok(acl);
    acl.size = '5';
    const sidecar = new Sidecar({
      switches: [{ address, deviceId: '1' }],
      p4info: small,
      deviceConfig: DEVICE_CONFIG,
      election: { term: 1n, ordinal: 0n },
      log: () => {},
    });
    sidecar.start();
    try {
      await waitFor(
        'primary',
        () => sidecar.connections[0]?.primary === true && sidecar.connections[0]?.synced === true,
      );
      const [a, b] = planP4Entries(PAPER_PLANS.slice(0, 2), { ...PORTS, routerAddresses: [] }).zones;
      assert.ok(a && b);
      await sidecar.setZoneEntries(a.zone, 1, a.entries);
      const held = (await switchState(address)).size;
      await assert.rejects(
        sidecar.setZoneEntries(b.zone, 1, b.entries),
        /ZoneIngress\.zone_acl: 6 entries would exceed the table size 5/,
      );
      assert.equal((await switchState(address)).size, held);
      assert.equal(sidecar.zoneStatus(b.zone).reason, 'NotFound');
    } finally {
      sidecar.stop();
    }
  });

  it('takes many zones in one SetZones call, or none of them when one is bad', async () => {
    const s = await start(1n);
    const zs = plan();
    const st = await s.client.setZones(zs.map((z) => ({ zone: z.zone, generation: 1, entries: z.entries })));
    assert.ok(
      st.every((x) => x.programmed),
      JSON.stringify(st),
    );
    assert.deepEqual(await switchState(address), desiredState(s.sidecar));
    const before = await switchState(address);
    const changed = zs.map((z, i) => ({
      zone: z.zone,
      generation: 2,
      entries:
        i === 3
          ? [
              ...z.entries,
              { table: 'ZoneIngress.zone_mark', match: [], priority: 0, action: 'ZoneIngress.set_dscp', params: [] },
            ]
          : z.entries.slice(1),
    }));
    await assert.rejects(
      s.client.setZones(changed),
      (e: grpc.ServiceError) =>
        e.code === grpc.status.INVALID_ARGUMENT && /exact field hdr\.vlan\.vid is missing/.test(e.details),
    );
    assert.deepEqual(await switchState(address), before);
    assert.ok((await s.client.getZoneStatus()).zones?.every((z) => z.generation === '1'));
  });

  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    const s = await start(1n);
    const h = await serveHealth(s.sidecar, '127.0.0.1', 0);
    try {
      const [z] = plan();
      assert.ok(z);
      await s.client.setZoneEntries(z.zone, 1, z.entries);
      const get = async (p: string): Promise<{ status: number; body: string }> => {
        const r = await fetch(`http://127.0.0.1:${h.port}${p}`);
        return { status: r.status, body: await r.text() };
      };
      assert.equal((await get('/healthz')).status, 200);
      assert.equal((await get('/readyz')).status, 200);
      const m = await get('/metrics');
      assert.match(
        m.body,
        /zonekeeper_sidecar_p4rt_updates_total\{switch="127\.0\.0\.1:\d+#1",type="INSERT",code="OK"\} \d+/,
      );
      assert.match(m.body, /zonekeeper_sidecar_switch_primary\{switch="[^"]+"\} 1/);
      sw.stop();
      await waitFor('not ready', async () => (await get('/readyz')).status === 503);
    } finally {
      await h.server.close();
    }
  });
});
