// The software switch's packet pipeline against BMv2 running the compiled
// zone_switch: both programmed by the sidecar with the paper's zones, the
// same generated frames into the same ports, the same output port and bytes
// (or the same drop) expected. BMv2's ports are veth pairs in a network
// namespace the test makes and removes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { planP4Entries } from '../../../src/core/network/p4-entries.js';
import type { Sidecar } from '../../../src/sidecar/sidecar.js';
import { SoftwareSwitch } from '../../../src/switch/p4runtime-server.js';
import { Bmv2Process } from '../../../tools/harness/bmv2-process.js';
import { netnsUnavailable, TestNetns } from '../../../tools/harness/netns.js';
import { summaryNote, type P4Toolchain } from '../../../tools/harness/p4-toolchain.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { PAPER_PLANS, PORTS } from '../../unit/p4/paper-zone-plans.js';
import { LOG_DIR, readCountersBack, readEntriesWithCounts, startSidecar, toolchainOrSkip } from './bmv2-fixture.js';
import { generateFrames, withIpv4Option, type TestFrame } from './frame-generator.js';
import { buildFrame } from '../../../src/switch/frame.js';
import { instanceMac } from '../../../src/core/network/p4-entries.js';

const SWITCH_PORTS = [PORTS.trunkPort, ...Object.values(PORTS.providerPorts)].sort((a, b) => a - b);
const ZONE_MARK = 0x02000002;
const SEED = Number(process.env['ZONEKEEPER_PACKET_SEED'] ?? 20261207);

type Output = { port: number; hex: string }[];

function throughBmv2(ns: TestNetns, frames: TestFrame[]): Output[] {
  const helper = join(repoRoot(), 'tools', 'harness', 'packet-io.py');
  const input = JSON.stringify({
    ports: SWITCH_PORTS,
    wait_ms: 150,
    frames: frames.map((f) => ({ port: f.port, hex: f.frame.toString('hex') })),
  });
  const r = spawnSync('ip', ['netns', 'exec', ns.name, 'python3', helper], {
    input,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`packet helper failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout) as Output[];
}

async function programmed(s: Sidecar): Promise<void> {
  await pollUntil('sidecar ready', () => s.ready(), { timeoutMs: 20_000, everyMs: 50 });
  const zones = planP4Entries(PAPER_PLANS, PORTS).zones;
  for (const st of await s.setZones(zones.map((z) => ({ zone: z.zone, generation: 1, entries: z.entries })))) {
    assert.equal(st.programmed, true, `${st.zone}: ${st.message}`);
  }
}

describe('packets: the software pipeline against BMv2 (differential)', function () {
  this.timeout(180_000);
  let toolchain: P4Toolchain;
  let ns: TestNetns | undefined;
  let bmv2: Bmv2Process | undefined;
  let sw: SoftwareSwitch | undefined;
  let swAddress = '';
  const sidecars: Sidecar[] = [];

  before(async function () {
    toolchain = toolchainOrSkip(this, 'BMv2 packet tests');
    const why =
      netnsUnavailable() ??
      (spawnSync('python3', ['--version']).status === 0 ? undefined : 'no python3 for the packet helper');
    if (why) {
      summaryNote(`BMv2 packet tests not run: ${why}`);
      this.skip();
    }
    ns = TestNetns.create(SWITCH_PORTS);
    bmv2 = await Bmv2Process.start({
      toolchain,
      logFile: join(LOG_DIR, 'bmv2-packets.log'),
      interfaces: Object.fromEntries(SWITCH_PORTS.map((p) => [p, `s${p}`])),
      netns: { name: ns.name, socket: join(LOG_DIR, 'p4rt.sock') },
    });
    sw = new SoftwareSwitch({ deviceId: 1n });
    const port = await sw.start('127.0.0.1:0');
    swAddress = `127.0.0.1:${port}`;
    for (const address of [bmv2.address, swAddress]) sidecars.push(startSidecar(address));
    for (const s of sidecars) await programmed(s);
  });

  after(async () => {
    for (const s of sidecars.splice(0)) s.stop();
    sw?.stop();
    await bmv2?.kill();
    ns?.remove();
  });

  it(`sends every generated frame (seed ${SEED}) out of the same port with the same bytes, or drops it on both`, () => {
    const frames = generateFrames(
      PAPER_PLANS,
      SWITCH_PORTS,
      (p) => PORTS.providerPorts[p] ?? PORTS.trunkPort,
      (PORTS.routerAddresses ?? [])[0] ?? '',
      SEED,
      // Six kinds, each forwarded or dropped: enough frames that every
      // verdict checked below comes up.
      200,
    );
    const outputs = throughBmv2(ns as TestNetns, frames);
    const mismatches: string[] = [];
    const seen = new Map<string, number>();
    for (const [i, f] of frames.entries()) {
      const r = (sw as SoftwareSwitch).processFrame(f.frame, f.port);
      const want: Output = r.verdict === 'forward' ? [{ port: r.egressPort, hex: r.frame.toString('hex') }] : [];
      const got = outputs[i] ?? [];
      const key = `${f.kind}/${r.verdict}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches.push(
          `${f.what}: software ${r.verdict === 'forward' ? `port ${r.egressPort}` : `drop at ${r.stage}`}, BMv2 ${got.length === 0 ? 'drop' : got.map((g) => `port ${g.port}${g.hex === want[0]?.hex ? '' : ` (bytes ${g.hex}, software ${want[0]?.hex ?? ''})`}`).join(', ')}`,
        );
      }
    }
    assert.deepEqual(mismatches, []);
    // The generator must have reached both verdicts for the kinds that have them.
    for (const k of [
      'in-zone/forward',
      'router/forward',
      'cross-zone/drop',
      'spoofed-vlan/drop',
      'unknown-destination/drop',
      'neighbour-solicitation/forward',
    ]) {
      assert.ok((seen.get(k) ?? 0) > 0, `no ${k} frame among ${JSON.stringify([...seen])}`);
    }
  });

  it('forwards an IPv4 packet without options with the same bytes (DSCP and checksum rewritten) and drops one with options, on both', async () => {
    // Let VLAN 1001 reach the IPv4-mapped 10.0.0.0/8 on both switches.
    const permit = {
      table: 'ZoneIngress.zone_acl',
      priority: 10,
      action: 'ZoneIngress.acl_permit',
      params: [],
      match: [
        { field: 'hdr.vlan.vid', kind: 'exact' as const, value: '1001' },
        {
          field: 'meta.dst_addr',
          kind: 'ternary' as const,
          value: '0xffff0a000000',
          mask: '0xffffffffffffffffffffffffff000000',
        },
      ],
    };
    for (const s of sidecars) assert.equal((await s.setZoneEntries('ipv4-test', 1, [permit])).programmed, true);
    const zone = PAPER_PLANS[1];
    const src = zone?.instances[0];
    assert.ok(zone && src);
    const port = PORTS.providerPorts[src.provider] ?? 0;
    // Each frame ends with its own 8-byte tag (the packet helper matches on it).
    const frame = (tag: string): Buffer =>
      buildFrame({
        dstMac: '02:ff:00:00:00:01',
        srcMac: instanceMac(src.address),
        vlanId: zone.vlanId,
        ipv4: { src: '10.0.0.5', dst: '10.1.2.3' },
        payload: Buffer.from(`zonekeeper ipv4 ${tag}`),
      });
    const plain = frame('v4-ihl-5');
    const options = withIpv4Option(frame('v4-ihl-6'), 18);
    const frames: TestFrame[] = [
      { kind: 'router', tagged: true, family: 4, port, frame: plain, what: 'IPv4 IHL 5' },
      { kind: 'router', tagged: true, family: 4, port, frame: options, what: 'IPv4 IHL 6' },
    ];
    const [out5, out6] = throughBmv2(ns as TestNetns, frames);
    const r5 = (sw as SoftwareSwitch).processFrame(plain, port);
    assert.ok(r5.verdict === 'forward', JSON.stringify(r5));
    assert.deepEqual(out5, [{ port: r5.egressPort, hex: r5.frame.toString('hex') }]);
    assert.deepEqual(out6, []);
    assert.equal((sw as SoftwareSwitch).processFrame(options, port).verdict, 'drop');
  });

  it('counts the same packets and bytes per zone (zone_traffic on zone_mark) as BMv2, read over P4Runtime', async () => {
    // Both switches saw the same frames above (and only those): the counters must agree entry by entry.
    const frames = generateFrames(
      PAPER_PLANS,
      SWITCH_PORTS,
      (p) => PORTS.providerPorts[p] ?? PORTS.trunkPort,
      (PORTS.routerAddresses ?? [])[0] ?? '',
      SEED + 1,
      40,
    );
    throughBmv2(ns as TestNetns, frames);
    for (const f of frames) (sw as SoftwareSwitch).processFrame(f.frame, f.port);
    const software = await readCountersBack(swAddress, ZONE_MARK);
    const reference = await readCountersBack((bmv2 as Bmv2Process).address, ZONE_MARK);
    assert.equal(software.length, PAPER_PLANS.length, software.join('\n'));
    assert.ok(
      software.some((s) => !s.endsWith(' 0/0')),
      `no zone counted anything: ${software.join('\n')}`,
    );
    assert.deepEqual(software, reference);
    // The same counts inside table entries, when a table-entry read asks for counter_data.
    const softwareEntries = await readEntriesWithCounts(swAddress, ZONE_MARK);
    assert.ok(
      softwareEntries.every((e) => e.includes('counter_data')),
      softwareEntries.join('\n'),
    );
    assert.deepEqual(softwareEntries, await readEntriesWithCounts((bmv2 as Bmv2Process).address, ZONE_MARK));
  });
});
