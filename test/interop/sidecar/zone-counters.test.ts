// The sidecar reading the zones' traffic counters from two software
// switches: frames run through each switch's pipeline, GetZoneCounters and
// /metrics name the zone of every count and sum them over the switches.
import assert from 'node:assert/strict';
import { instanceMac, planP4Entries } from '../../../src/core/network/p4-entries.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { SidecarClient } from '../../../src/sidecar/sidecar-client.js';
import { serveSidecarApi } from '../../../src/sidecar/sidecar-server.js';
import { Sidecar } from '../../../src/sidecar/sidecar.js';
import { buildFrame } from '../../../src/switch/frame.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';
import { PAPER_PLANS, PORTS } from '../../unit/p4/paper-zone-plans.js';
import { DEVICE_CONFIG, P4INFO } from '../../unit/switch/switch-harness.js';

const [zone, other] = PAPER_PLANS;

function frameOf(plan: NonNullable<typeof zone>): { frame: Buffer; port: number } {
  const src = plan.instances[0];
  assert.ok(src);
  const frame = buildFrame({
    dstMac: '02:ff:00:00:00:01',
    srcMac: instanceMac(src.address),
    vlanId: plan.vlanId,
    ipv6: { src: src.address, dst: 'fd3f:e79f:d35c::1' },
  });
  return { frame, port: PORTS.providerPorts[src.provider] ?? 0 };
}

describe('sidecar: per-zone traffic counters (GetZoneCounters, zonekeeper_sidecar_zone_*_total)', function () {
  this.timeout(30_000);
  const switches = [new SoftwareSwitch({ deviceId: 1n }), new SoftwareSwitch({ deviceId: 1n })];
  let sidecar: Sidecar;
  let client: SidecarClient;
  let stopApi: () => void;

  before(async () => {
    const ports = await Promise.all(switches.map((s) => s.start('127.0.0.1:0')));
    sidecar = new Sidecar({
      switches: ports.map((p) => ({ address: `127.0.0.1:${p}`, deviceId: '1' })),
      p4info: P4INFO,
      deviceConfig: DEVICE_CONFIG,
      election: { term: 1n, ordinal: 0n },
      counterIntervalMs: 0,
      log: () => {},
    });
    sidecar.start();
    const api = await serveSidecarApi(sidecar, '127.0.0.1:0');
    client = new SidecarClient(`127.0.0.1:${api.port}`);
    stopApi = () => {
      client.close();
      api.server.forceShutdown();
    };
    await pollUntil('sidecar ready', () => sidecar.ready() || undefined, { timeoutMs: 10_000, everyMs: 25 });
    assert.ok(zone && other);
    const planned = planP4Entries([zone, other], PORTS).zones;
    for (const s of await client.setZones(planned.map((z) => ({ zone: z.zone, generation: 1, entries: z.entries }))))
      assert.equal(s.programmed, true, s.message);
  });
  after(() => {
    stopApi();
    sidecar.stop();
    for (const s of switches) s.stop();
  });

  it('answers each zone with its packets and bytes summed over the switches, every switch read', async () => {
    assert.ok(zone && other);
    const before = await client.getZoneCounters();
    assert.equal(before.complete, true, before.message);
    assert.deepEqual(
      before.zones.map((z) => [z.zone, z.packets, z.bytes]),
      [
        [zone.applicationId, 0n, 0n],
        [other.applicationId, 0n, 0n],
      ].sort(),
    );
    const a = frameOf(zone);
    const b = frameOf(other);
    const [s1, s2] = switches;
    assert.ok(s1 && s2);
    s1.processFrame(a.frame, a.port);
    s2.processFrame(a.frame, a.port);
    s2.processFrame(a.frame, a.port);
    s1.processFrame(b.frame, b.port);
    const t0 = Date.now();
    const now = await client.getZoneCounters();
    assert.equal(now.complete, true, now.message);
    assert.ok(now.readAtMs >= t0 - 1 && now.readAtMs <= Date.now(), `read at ${now.readAtMs}`);
    const by = new Map(now.zones.map((z) => [z.zone, [z.packets, z.bytes]]));
    assert.deepEqual(by.get(zone.applicationId), [3n, BigInt(3 * a.frame.length)]);
    assert.deepEqual(by.get(other.applicationId), [1n, BigInt(b.frame.length)]);

    const one = await client.getZoneCounters(other.applicationId);
    assert.deepEqual(
      one.zones.map((z) => z.zone),
      [other.applicationId],
    );
  });

  it('exposes the last read as Prometheus counters per zone, and serves it cached on request', async () => {
    assert.ok(zone);
    const a = frameOf(zone);
    switches[0]?.processFrame(a.frame, a.port);
    const cached = await client.getZoneCounters(zone.applicationId, true);
    assert.deepEqual(
      cached.zones.map((z) => z.packets),
      [3n],
      'the cached answer is the last read, without the new frame',
    );
    await sidecar.readZoneCounts();
    const text = await sidecar.metrics.registry.metrics();
    assert.match(text, new RegExp(`zonekeeper_sidecar_zone_packets_total\\{zone="${zone.applicationId}"\\} 4\\b`));
    assert.match(
      text,
      new RegExp(`zonekeeper_sidecar_zone_bytes_total\\{zone="${zone.applicationId}"\\} ${4 * a.frame.length}\\b`),
    );
  });

  it('says the answer is partial, and why, when a switch cannot be read', async () => {
    switches[1]?.stop();
    await pollUntil('switch 2 seen down', () => !sidecar.connections[1]?.connected || undefined, {
      timeoutMs: 10_000,
      everyMs: 25,
    });
    const r = await client.getZoneCounters();
    assert.equal(r.complete, false);
    assert.match(r.message, /switch 127\.0\.0\.1:\d+/);
  });

  it('counts nothing for a zone once it is deleted', async () => {
    assert.ok(other);
    assert.equal((await client.deleteZone(other.applicationId)).removed, false, 'switch 2 is down');
    const r = await client.getZoneCounters(other.applicationId);
    assert.deepEqual(r.zones, [], 'its entries belong to no zone any more');
  });
});
