// The zone network end to end with real packets: the paper's ExecutionZones
// (Tables II and III) applied to the hub, the operator programming BMv2
// (simple_switch_grpc running the compiled zone_switch) through the
// sidecar, and the test bed's packet stand-in giving every running instance
// a network namespace from the NetworkAttachmentDefinition and pod
// annotation (or VM interface) the operator wrote on its member, over the
// uplink its ProviderCluster names. Then ping6, UDP and hand-made frames between
// those namespaces: a zone's instances on different providers reach each
// other marked with the zone's Table V class, other zones and outside
// destinations do not, the router's address goes up the trunk, a STOP takes
// an instance off the switch and a scale-up's instances join.
//
// Runs when the P4 toolchain is found, the tests run as root and ping,
// ethtool and python3 exist; otherwise the summary says why.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getCondition } from '../../../src/controllers/conditions.js';
import { instanceMac, planP4Entries, type SwitchPortMap } from '../../../src/core/network/p4-entries.js';
import type { InstanceAddress, ZoneNetworkPlan } from '../../../src/core/network/types.js';
import { apply } from '../../../tools/harness/apply.js';
import { Bmv2Process } from '../../../tools/harness/bmv2-process.js';
import { waitReleaseDone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import { netnsUnavailable } from '../../../tools/harness/netns.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { findP4Toolchain, summaryNote } from '../../../tools/harness/p4-toolchain.js';
import { paperScenario } from '../../../tools/harness/paper-scenario.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import {
  neighbourEntry,
  captureWhile,
  ping,
  probesUnavailable,
  sendRawUdp,
  udp,
  udpWhile,
} from '../../../tools/harness/zone-probe.js';
import type { Fabric } from '../../../tools/testbed/packet-fabric.js';
import { packetsDir, type PacketReport, type RealisedInstance } from '../../../tools/testbed/packet-stand-in.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { requireState } from '../../../tools/testbed/state.js';
import { startPacketStandIn, stopPacketStandIn } from '../../../tools/testbed/testbed.js';
import { deleteAllZones, foreignZones, install, type Installed, leadingOperator } from './operator-fixture.js';
import {
  asSwitchEntries,
  type NodeChild,
  readerSecurity,
  readSwitch,
  startSidecar,
  tlsDirOf,
  sortedEntries,
} from './p4-processes.js';
import { networkPlan, operatorAttachments, providerUplinks } from './zone-network-plans.js';

const NS = 'it-packets';
const ROUTER = 'fd00:5a4b::1';
const Z755 = '755b94a1-2847-4bb8-b530-cfca97404f51';
const Z505 = '5050f3c2-7a1e-4d9b-9c4e-8b1f2a6522ca';
const PAPER_ZONES = [
  Z755,
  '9ed1d0da-14f0-4549-87de-6f447df0eb38',
  Z505,
  '830428e1-5b6c-4f2a-a3d7-1c9e0b72aaed',
  'f885e6b4-3d2a-4c81-b7f9-0e5a6d189c29',
  'ded957a3-1f4b-4e6c-8a2d-9b3c5f062d9e',
];

/** The IPv6 Traffic Class of a tagged frame (hex). */
function frameTrafficClass(hex: string): { vlan: number; tclass: number } {
  const b = Buffer.from(hex, 'hex');
  assert.equal(b.readUInt16BE(12), 0x8100, 'the frame is tagged');
  return { vlan: b.readUInt16BE(14) & 0x0fff, tclass: ((b[18] & 0x0f) << 4) | (b[19] >> 4) };
}

describe('operator: real packets between zone instances over BMv2', function () {
  this.timeout(600_000);
  let env: Installed;
  let op: OperatorProcess | undefined;
  let bmv2: Bmv2Process | undefined;
  let sidecar: NodeChild | undefined;
  let fabric: Fabric;
  let ports: SwitchPortMap;
  let standIn = false;
  /** Provider name -> its ProviderCluster's spec.network.uplink. */
  let uplinks: Map<string, string>;
  const plans = new Map<string, ZoneNetworkPlan>();
  const stateDir = (): string => requireState().dir;

  const report = (): PacketReport => {
    const file = join(packetsDir(stateDir()), 'instances.json');
    return existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8')) as PacketReport)
      : { instances: [], problems: [] };
  };
  const realised = (inst: InstanceAddress): RealisedInstance | undefined =>
    report().instances.find((r) => r.cidrs.some((c) => c.split('/')[0] === inst.address));
  const waitRealised = (insts: readonly InstanceAddress[], what: string): Promise<RealisedInstance[]> =>
    pollUntil(
      what,
      async () => {
        const got = insts.map(realised);
        return got.every((r) => r !== undefined) ? got : undefined;
      },
      { timeoutMs: 300_000, everyMs: 1000, detail: () => JSON.stringify(report().problems) },
    );
  const refreshPlans = async (): Promise<void> => {
    for (const id of PAPER_ZONES) plans.set(id, await networkPlan(env.hub, NS, id));
  };
  const plan = (id: string): ZoneNetworkPlan => plans.get(id) as ZoneNetworkPlan;
  const instance = (id: string, provider: string, nth = 0): InstanceAddress => {
    const x = plan(id).instances.filter((i) => i.provider === provider)[nth];
    assert.ok(x, `zone ${id} has an instance #${nth} on ${provider}`);
    return x;
  };
  const plannedSwitch = (ids: readonly string[]): Map<string, string> => {
    const p = planP4Entries(
      ids.map((id) => plan(id)),
      ports,
    );
    assert.deepEqual(p.problems, [], 'the core plans these zones without problems');
    return asSwitchEntries(p.zones.flatMap((z) => z.entries));
  };
  /**
   * Each learned the other's MAC by neighbour discovery through the switch
   * (no entry set by hand): the solicitation went to the target's port.
   */
  const learnedEachOther = (a: RealisedInstance, b: RealisedInstance): void => {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const)
      for (const c of y.cidrs) {
        const n = neighbourEntry(x.netns, x.interfaceName, c.split('/')[0] ?? '');
        assert.equal(n?.mac, y.mac, `${x.netns} resolved ${c} to ${y.mac}`);
        assert.notEqual(n?.state, 'PERMANENT', `${x.netns} learned ${c}, not set by hand`);
      }
  };

  before(async function () {
    const toolchain = findP4Toolchain();
    const why = typeof toolchain === 'string' ? toolchain : (netnsUnavailable() ?? probesUnavailable());
    if (why !== undefined || typeof toolchain === 'string') {
      summaryNote(`end-to-end zone packet tests (BMv2) not run: ${why}`);
      this.skip();
    }
    env = await install();
    const foreign = await foreignZones(env.hub, [NS]);
    assert.deepEqual(
      foreign.map((z) => `${z.metadata.namespace}/${z.metadata.name}`),
      [],
      'zones of other namespaces would be programmed on this switch too',
    );
    uplinks = await providerUplinks(env.hub);
    // Every member of the test bed behind its own port, the trunk on 0.
    ports = {
      trunkPort: 0,
      providerPorts: Object.fromEntries(
        env.memberRecords
          .map((m) => m.name)
          .sort()
          .map((name, i) => [name, i + 1]),
      ),
      routerAddresses: [ROUTER],
    };
    const portsFile = join(stateDir(), 'it-packets-switch-ports.json');
    writeFileSync(portsFile, JSON.stringify(ports));
    rmSync(join(packetsDir(stateDir()), 'fabric.json'), { force: true });
    await startPacketStandIn(portsFile, { log: (m) => console.error(`[packets-it] ${m}`) });
    standIn = true;
    const fabricFile = join(packetsDir(stateDir()), 'fabric.json');
    fabric = await pollUntil(
      'the packet stand-in built its fabric',
      () => (existsSync(fabricFile) ? (JSON.parse(readFileSync(fabricFile, 'utf8')) as Fabric) : undefined),
      { timeoutMs: 90_000, everyMs: 200 },
    );
    // A socket file an earlier run left would make BMv2's server fail to bind.
    rmSync(join(packetsDir(stateDir()), 'p4rt.sock'), { force: true });
    bmv2 = await Bmv2Process.start({
      toolchain,
      logFile: join(stateDir(), 'logs', 'it-packets-bmv2.log'),
      interfaces: fabric.switchInterfaces,
      netns: { name: fabric.switchNetns, socket: join(packetsDir(stateDir()), 'p4rt.sock') },
      // As the software switch does in the other suites: only controllers with a certificate of the test CA.
      tls: { dir: tlsDirOf('bmv2'), probe: readerSecurity() },
    });
    const sc = await startSidecar(join(stateDir(), 'logs'), bmv2.address);
    sidecar = sc.proc;
    const sidecarAddress = sc.address;
    op = await leadingOperator(env, 'it-packets', [NS], {
      sidecar: sidecarAddress,
      sidecarTlsDir: tlsDirOf('operator'),
      switchPorts: portsFile,
    });
  });

  after(async () => {
    if (env && op?.running)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[packets-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
    await sidecar?.kill('SIGTERM');
    await bmv2?.kill();
    if (standIn) await stopPacketStandIn({ log: (m) => console.error(`[packets-it] ${m}`) });
  });

  it("programs the paper's zones (Tables II and III) on BMv2: it holds exactly the entries the core plans", async () => {
    const steps = paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NS).filter(
      (s) => s.kind === 'zone' && s.index < 7,
    );
    for (const step of steps) if (step.kind === 'zone') await apply(env.hub, step.zone);
    for (const id of PAPER_ZONES) {
      // Ready needs NetworkAttached=True: every pod and VM made with its zone interface.
      const z = await waitZoneReady(env.hub, NS, id, 180_000);
      assert.equal(getCondition(z.status?.conditions, 'NetworkReady')?.reason, 'Programmed');
      assert.equal(getCondition(z.status?.conditions, 'NetworkAttached')?.reason, 'Attached');
    }
    await refreshPlans();
    for (const id of PAPER_ZONES) assert.equal(await operatorAttachments(env, plan(id), uplinks), true);
    assert.equal(plan(Z755).vlanId, 1000);
    assert.equal(plan(Z755).marking.tos, 0xe0, "755b9's Table V mark is 111000");
    assert.deepEqual(
      sortedEntries(await readSwitch((bmv2 as Bmv2Process).address)),
      sortedEntries(plannedSwitch(PAPER_ZONES)),
    );
  });

  it('gives each running instance a namespace with its zone interface exactly as the NAD and annotation say', async () => {
    const wanted = [...plan(Z755).instances, ...plan(Z505).instances.filter((i) => i.provider === 'PublicCloud2')];
    const got = await waitRealised(wanted, 'the container instances of 755b9 and 5050f realised');
    for (const [i, r] of got.entries()) {
      const inst = wanted[i];
      const zoneOf = inst.address.startsWith(plan(Z755).network.split('::')[0] ?? '-') ? plan(Z755) : plan(Z505);
      const out = spawnSync('ip', ['-d', '-j', '-n', r.netns, 'addr', 'show', 'dev', r.interfaceName], {
        encoding: 'utf8',
      });
      const [link] = JSON.parse(out.stdout) as {
        address: string;
        link: string;
        linkinfo: { info_kind: string; info_data: { id: number } };
        addr_info: { family: string; local: string; prefixlen: number }[];
      }[];
      assert.ok(link, `${r.netns} has ${r.interfaceName}: ${out.stderr}`);
      assert.equal(r.interfaceName, 'zone0');
      assert.equal(r.provider, inst.provider);
      assert.equal(r.master, uplinks.get(inst.provider), `${r.key} over its ProviderCluster's uplink`);
      assert.equal(r.vlanId, zoneOf.vlanId);
      if (r.device === 'vlan') {
        assert.equal(link.linkinfo.info_kind, 'vlan');
        assert.equal(link.linkinfo.info_data.id, zoneOf.vlanId);
        assert.equal(link.link, 'veth0');
      } else {
        // A kernel without VLAN devices: a TAP device, tagged in user space.
        assert.equal(link.linkinfo.info_kind, 'tun');
      }
      assert.equal(link.address, instanceMac(inst.address));
      assert.deepEqual(
        link.addr_info
          .filter((a) => a.family === 'inet6' && !a.local.startsWith('fe80'))
          .map((a) => `${a.local}/${a.prefixlen}`),
        [`${inst.address}/64`],
      );
    }
  });

  it("after a scale-up (the paper's second INIT of 755b9), the new instances reach the old ones", async () => {
    const before = new Set(plan(Z755).instances.map((i) => i.address));
    const step = paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NS).find(
      (s) => s.kind === 'zone' && s.scaleUp && s.zone.metadata.name === Z755,
    );
    assert.ok(step && step.kind === 'zone');
    await apply(env.hub, step.zone);
    await pollUntil(
      '755b9 scaled up and Ready',
      async () => {
        const z = await waitZoneReady(env.hub, NS, Z755, 120_000);
        const p = await networkPlan(env.hub, NS, Z755);
        return z && p.instances.length > before.size ? p : undefined;
      },
      { timeoutMs: 180_000, everyMs: 1000 },
    );
    await refreshPlans();
    // Ready after the scale-up means the new instances were made attached.
    assert.equal(await operatorAttachments(env, plan(Z755), uplinks), true);
    const fresh = plan(Z755).instances.filter((i) => !before.has(i.address));
    assert.ok(fresh.length > 0);
    const olds = plan(Z755).instances.filter((i) => before.has(i.address));
    const realisedFresh = await waitRealised(fresh, 'the new instances realised');
    assert.deepEqual(
      sortedEntries(await readSwitch((bmv2 as Bmv2Process).address)),
      sortedEntries(plannedSwitch(PAPER_ZONES)),
    );
    for (const [i, n] of fresh.entries()) {
      // An old instance behind another port, so the packets cross the switch.
      const old = olds.find((o) => o.provider !== n.provider) ?? olds[0];
      assert.ok(old);
      const [rOld] = await waitRealised([old], 'an old instance realised');
      const rNew = realisedFresh[i];
      assert.ok(rOld && rNew);
      assert.ok(ping(rNew.netns, old.address), `ping6 ${n.name}@${n.provider} -> ${old.name}@${old.provider}`);
      learnedEachOther(rNew, rOld);
      const got = await udp(rNew.netns, rOld.netns, old.address, 7400 + i, `new-${n.name}`);
      assert.deepEqual(got, { from: n.address, payload: `new-${n.name}`, tclass: 0xe0 });
    }
  });
  it("lets 755b9's C1 on Fog1 and C3 on Fog2 reach each other (ping6, UDP), marked 0xe0 on arrival", async () => {
    const c1 = instance(Z755, 'Fog1');
    const c3 = instance(Z755, 'Fog2');
    const [r1, r3] = await waitRealised([c1, c3], 'C1 and C3 realised');
    assert.ok(r1 && r3);
    assert.ok(ping(r1.netns, c3.address), `ping6 ${c1.name} -> ${c3.name}`);
    assert.ok(ping(r3.netns, c1.address), `ping6 ${c3.name} -> ${c1.name}`);
    learnedEachOther(r1, r3);
    const there = await udp(r1.netns, r3.netns, c3.address, 7000, 'c1-to-c3');
    assert.deepEqual(there, { from: c1.address, payload: 'c1-to-c3', tclass: 0xe0 });
    const back = await udp(r3.netns, r1.netns, c1.address, 7001, 'c3-to-c1');
    assert.deepEqual(back, { from: c3.address, payload: 'c3-to-c1', tclass: plan(Z755).marking.tos });
  });

  it('lets a VM and a container of 5050f reach each other (V1 on PublicCloud3, C1 on PublicCloud2), marked on arrival', async () => {
    // The VM's interface comes from its VMI: the bridge interface with its
    // macAddress, the Multus network, and the address in cloud-init network data.
    const vm = instance(Z505, 'PublicCloud3');
    const c = instance(Z505, 'PublicCloud2');
    assert.match(vm.name, /^V\d+$/, 'PublicCloud3 runs the zone as VMs');
    const [rv, rc] = await waitRealised([vm, c], "5050f's VM and a container realised");
    assert.ok(rv && rc);
    assert.equal(rv.mac, instanceMac(vm.address));
    assert.ok(ping(rv.netns, c.address), `ping6 ${vm.name} -> ${c.name}`);
    assert.ok(ping(rc.netns, vm.address), `ping6 ${c.name} -> ${vm.name}`);
    learnedEachOther(rv, rc);
    const tos = plan(Z505).marking.tos;
    assert.deepEqual(await udp(rv.netns, rc.netns, c.address, 7010, 'vm-to-c'), {
      from: vm.address,
      payload: 'vm-to-c',
      tclass: tos,
    });
    assert.deepEqual(await udp(rc.netns, rv.netns, vm.address, 7011, 'c-to-vm'), {
      from: c.address,
      payload: 'c-to-vm',
      tclass: tos,
    });
  });

  it("keeps another zone's instance out of reach, also when C1 sends on that zone's VLAN from its port", async () => {
    const c1 = instance(Z755, 'Fog1');
    const c3 = instance(Z755, 'Fog2');
    const other = instance(Z505, 'PublicCloud2');
    const [r1, r3, ro] = await waitRealised([c1, c3, other], 'C1, C3 and a 5050f instance realised');
    assert.ok(r1 && r3 && ro);
    const frame = (vlan: number, to: InstanceAddress, payload: string) => (): void =>
      sendRawUdp(r1.netns, {
        iface: 'veth0',
        vlan,
        srcMac: r1.mac,
        dstMac: instanceMac(to.address),
        src: c1.address,
        dst: to.address,
        port: 7100,
        payload,
      });
    // The same hand-made frame on C1's own VLAN to C3 arrives: the path is sound.
    const control = await udpWhile(r3.netns, 7100, frame(plan(Z755).vlanId, c3, 'raw-own-zone'));
    assert.deepEqual(control, { from: c1.address, payload: 'raw-own-zone', tclass: 0xe0 });
    for (const [vlan, what] of [
      [plan(Z755).vlanId, "on its own VLAN (the ACL drops the other zone's network)"],
      [plan(Z505).vlanId, "on 5050f's VLAN (Fog1's port is no member of it)"],
    ] as const) {
      const tag = `raw-cross-${vlan}`;
      let got: unknown = 'not sent';
      const trunk = await captureWhile(
        fabric.routerNetns,
        fabric.trunkInterface,
        tag,
        async () => {
          got = await udpWhile(ro.netns, 7100, frame(vlan, other, tag), 1500);
        },
        500,
      );
      assert.equal(got, undefined, `C1 -> ${other.name} of 5050f ${what}`);
      assert.deepEqual(trunk, [], `nothing of it goes up the trunk either (${what})`);
    }
  });

  it('drops a destination outside the zone network that is no router or VPN peer, and sends the router address up the trunk', async () => {
    const c1 = instance(Z755, 'Fog1');
    const [r1] = await waitRealised([c1], 'C1 realised');
    assert.ok(r1);
    const toward = (dst: string, payload: string) => (): void =>
      sendRawUdp(r1.netns, {
        iface: 'veth0',
        vlan: plan(Z755).vlanId,
        srcMac: r1.mac,
        dstMac: '02:00:5e:00:00:01',
        src: c1.address,
        dst,
        port: 7200,
        payload,
      });
    const outside = await captureWhile(
      fabric.routerNetns,
      fabric.trunkInterface,
      'to-outside',
      toward('fd99::5', 'to-outside'),
    );
    assert.deepEqual(outside, [], 'fd99::5 is dropped');
    const router = await captureWhile(
      fabric.routerNetns,
      fabric.trunkInterface,
      'to-router',
      toward(ROUTER, 'to-router'),
    );
    assert.equal(router.length, 1, 'one frame up the trunk');
    assert.deepEqual(frameTrafficClass(router[0] ?? ''), { vlan: 1000, tclass: 0xe0 });
  });

  it('after a STOP of an instance, its namespace and forwarding entries are gone and frames to it are dropped, at its provider and on the trunk', async () => {
    const c1 = instance(Z755, 'Fog1');
    const gone = instance(Z755, 'Fog2', 1);
    const [r1, rg] = await waitRealised([c1, gone], 'C1 and the instance to stop realised');
    assert.ok(r1 && rg);
    assert.ok(ping(r1.netns, gone.address), `ping6 ${c1.name} -> ${gone.name} before the stop`);
    learnedEachOther(r1, rg);
    assert.ok((await udp(r1.netns, rg.netns, gone.address, 7300, 'before-stop')) !== undefined, 'reachable before');
    const release = {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name: 'stop-one', namespace: NS },
      spec: { zoneRef: { name: Z755 }, instances: { Fog2: [gone.name] }, trigger: { immediate: true } },
    };
    await apply(env.hub, release);
    assert.equal((await waitReleaseDone(env.hub, NS, 'stop-one')).status?.phase, 'Succeeded');
    await pollUntil('the stopped instance loses its namespace', () => (realised(gone) ? undefined : true), {
      timeoutMs: 60_000,
      everyMs: 500,
    });
    await refreshPlans();
    assert.equal(
      plan(Z755).instances.some((i) => i.address === gone.address),
      false,
      'the plan no longer has the instance',
    );
    assert.deepEqual(
      plan(Z755).released.map((r) => r.address),
      [gone.address],
      "the plan lists the stopped instance's address as released",
    );
    await pollUntil(
      "the stopped instance's entries gone from BMv2",
      async () => {
        const have = sortedEntries(await readSwitch((bmv2 as Bmv2Process).address));
        return JSON.stringify(have) === JSON.stringify(sortedEntries(plannedSwitch(PAPER_ZONES))) ? true : undefined;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    );
    const fog2 = fabric.providers['Fog2'];
    assert.ok(fog2);
    // Its MAC is no longer in mac_forward, and its address has a drop above
    // the zone's network in zone_acl: the frame goes nowhere.
    let trunk: string[] = [];
    const atProvider = await captureWhile(fog2.netns, 'switch', 'after-stop', async () => {
      trunk = await captureWhile(
        fabric.routerNetns,
        fabric.trunkInterface,
        'after-stop',
        () => {
          spawnSync(
            'ip',
            [
              'netns',
              'exec',
              r1.netns,
              'python3',
              join(repoRoot(), 'tools', 'harness', 'zone-probe.py'),
              'udp-send',
              gone.address,
              '7300',
              'after-stop',
            ],
            { timeout: 120_000 },
          );
        },
        1500,
      );
    });
    assert.deepEqual(trunk, [], 'the frame to the stopped instance does not go up the trunk');
    assert.deepEqual(atProvider, [], "nothing reaches Fog2's port for the stopped instance");
  });
});
