// The P4 data plane benchmark (not a timed test):
//   node dist/bench/p4/p4-bench.js [--runs 5] [--warm 3] [--entries 10000]
//     [--target software|bmv2 | --switch-address HOST:PORT --device-id N]
// 1. entries/s through the sidecar vs raw P4Runtime writes from a minimal
//    client, to the same kind of switch, in the same run;
// 2. time to re-sync 10,000 entries after a switch restart;
// 3. 4,094 zones fit (planned, written and reported Programmed).
// Switch and sidecar are child processes; the numbers are medians with min/max.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { planP4Entries, type SwitchPortMap, type ZoneP4Entries } from '../../src/core/network/p4-entries.js';
import type { ZoneNetworkPlan } from '../../src/core/network/types.js';
import { translateEntry } from '../../src/p4/entry-translator.js';
import { P4InfoIndex, readP4InfoFile } from '../../src/p4/p4info.js';
import { P4RuntimeClient } from '../../src/p4/p4runtime-client.js';
import type { TableEntry } from '../../src/p4/p4runtime-types.js';
import { SidecarClient } from '../../src/sidecar/sidecar-client.js';
import { sidecarNetworkProgrammer } from '../../src/controllers/network/sidecar-network-programmer.js';
import { stats, type Stats } from '../support/stats.js';
import { pollUntil } from '../../tools/harness/poll-until.js';
import {
  REPO,
  setSwitchTarget,
  setBenchTls,
  benchClient,
  startSidecar,
  startSwitch,
  switchTargetName,
  type Proc,
  type SwitchProc,
} from './processes.js';
import { ZONE_SWITCH_JSON } from '../../src/p4/proto-files.js';
import { findP4Toolchain } from '../../tools/harness/p4-toolchain.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    entries: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '128' },
    // SetZones: zones per call and calls in flight.
    'zones-per-call': { type: 'string', default: '64' },
    'calls-in-flight': { type: 'string', default: '4' },
    // Warm rounds per path and run (after the cold one).
    warm: { type: 'string', default: '3' },
    'skip-fit': { type: 'boolean', default: false },
    // Only the re-sync measurement (it is short; repeat it when the machine is quiet).
    'only-resync': { type: 'boolean', default: false },
    // The switch: software (default), bmv2 (started here from the P4 toolchain), or
    // an external switch at --switch-address HOST:PORT (device --device-id); an
    // external switch is not restarted, so the re-sync figure is left out.
    target: { type: 'string', default: 'software' },
    'switch-address': { type: 'string' },
    'device-id': { type: 'string', default: '1' },
    // Mutual TLS on every hop, as deployed (a test CA made for the run); not for an external switch.
    tls: { type: 'boolean', default: false },
  },
});
setBenchTls(values.tls);
if (values['switch-address']) {
  setSwitchTarget({ kind: 'external', address: values['switch-address'], deviceId: values['device-id'] });
} else if (values.target === 'bmv2') {
  const toolchain = findP4Toolchain();
  if (typeof toolchain === 'string') throw new Error(`--target bmv2: ${toolchain}`);
  setSwitchTarget({ kind: 'bmv2', toolchain });
} else if (values.target !== 'software') {
  throw new Error(`--target: ${values.target} is neither software nor bmv2`);
}
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);
const ZONES_PER_CALL = Number(values['zones-per-call']);
const CALLS_IN_FLIGHT = Number(values['calls-in-flight']);
const WARM = Number(values.warm);
const P4INFO = readP4InfoFile(path.join(REPO, 'p4/zone_switch.p4info.txtpb'));
const DEVICE_CONFIG = readFileSync(ZONE_SWITCH_JSON);
const INDEX = new P4InfoIndex(P4INFO);

const PORTS: SwitchPortMap = {
  trunkPort: 0,
  providerPorts: { Fog1: 1, Fog2: 2, Cloud1: 3, Cloud2: 4 },
  routerAddresses: ['fd3f:e79f:d35c::1'],
};

function plan(vlan: number, instances: number): ZoneNetworkPlan {
  const provider = ['Fog1', 'Fog2', 'Cloud1', 'Cloud2'][vlan % 4];
  const prefix = `fd3f:e79f:d35c:${vlan.toString(16)}`;
  return {
    applicationId: `zone-${vlan}`,
    vlanId: vlan,
    globalId: 0x3fe79fd35c,
    networkId: 274468950876,
    network: `${prefix}::/64`,
    prefixBytes: [],
    marking: { bits: '111000', dscp: 56, tos: 224 },
    vpn: [{ provider, from: 'HOME-SWITCH', to: `${provider}-SWITCH` }],
    released: [],
    instances: Array.from({ length: instances }, (_, i) => ({
      name: `C${i + 1}`,
      provider,
      group: 'g',
      address: `${prefix}::${(i + 1).toString(16)}`,
    })),
  };
}

/** Each workload zone's network plan, for the path that plans entries itself (the operator's programmer). */
const planOf = new Map<string, ZoneNetworkPlan>();

/** Zones of seven instances each adding up to `total` entries. */
function workload(total: number, firstVlan = 1): ZoneP4Entries[] {
  // As many zones of seven instances as make `total` entries (23 per zone: nine for the zone, two per instance).
  const perZone = planP4Entries([plan(firstVlan, 7)], PORTS).zones[0]?.entries.length ?? 1;
  const plans = Array.from({ length: Math.ceil(total / perZone) }, (_, i) => plan(firstVlan + i, 7));
  for (const p of plans) planOf.set(p.applicationId, p);
  return planP4Entries(plans, PORTS).zones;
}

const count = (zs: ZoneP4Entries[]): number => zs.reduce((n, z) => n + z.entries.length, 0);

/**
 * CPU milliseconds a process has used (Linux /proc; user + system). The
 * machine is shared, so wall-clock rates swing with other load; CPU time per
 * entry of each process does not, and on dedicated cores a pipeline of
 * processes runs at the pace of its busiest stage.
 */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
const selfCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface PathCpu {
  client: number;
  sidecar: number;
  switch: number;
}
type PathName = 'raw' | 'side' | 'bulk' | 'prog';
const ms = (t0: number): number => performance.now() - t0;

const waitFor = (cond: () => Promise<boolean>, timeoutMs = 120_000, everyMs = 10): Promise<true> =>
  pollUntil('the switch to hold the entries', async () => (await cond()) || undefined, { timeoutMs, everyMs });

async function switchEntryCount(sw: SwitchProc): Promise<number> {
  const c = new P4RuntimeClient(sw.address, { security: benchClient('raw') });
  try {
    return (await c.read({ device_id: sw.deviceId, entities: [{ table_entry: {} }] })).length;
  } catch {
    return -1;
  } finally {
    c.close();
  }
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/**
 * One write path with its processes kept running: `write` times one round
 * of zones (and checks the switch holds every entry), `clear` deletes them
 * again, untimed. The benchmark alternates rounds of all paths on live
 * stacks, so every ratio compares rounds seconds apart: this machine's
 * speed drifts by tens of percent within a minute.
 */
interface Stack {
  name: PathName;
  write(zones: ZoneP4Entries[]): Promise<{ rate: number; cpu: PathCpu }>;
  clear(zones: ZoneP4Entries[]): Promise<void>;
  stop(): Promise<void>;
}

async function rawStack(): Promise<Stack> {
  const sw = await startSwitch();
  const c = new P4RuntimeClient(sw.address, { security: benchClient('raw') });
  const election = { high: '1', low: '0' };
  const stream = c.openStream(sw.deviceId, election);
  await stream.next();
  await c.setPipeline({
    device_id: sw.deviceId,
    election_id: election,
    action: 'VERIFY_AND_COMMIT',
    config: { p4info: P4INFO, p4_device_config: DEVICE_CONFIG, cookie: { cookie: '1' } },
  });
  const send = async (entries: TableEntry[], type: 'INSERT' | 'DELETE'): Promise<void> => {
    for (let i = 0; i < entries.length; i += 1000) {
      await c.write({
        device_id: '1',
        election_id: election,
        updates: entries.slice(i, i + 1000).map((table_entry) => ({ type, entity: { table_entry } })),
      });
    }
  };
  const translate = (zones: ZoneP4Entries[]): TableEntry[] =>
    zones.flatMap((z) => z.entries.map((e) => translateEntry(INDEX, e, z.zone).entry as TableEntry));
  return {
    name: 'raw',
    async write(zones) {
      const t0 = performance.now();
      const c0 = { client: selfCpuMs(), switch: cpuMs(sw.pid) };
      // The minimal client translates names to IDs too, so both paths do the same work.
      const entries = translate(zones);
      await send(entries, 'INSERT');
      const t = ms(t0);
      const cpu = { client: selfCpuMs() - c0.client, sidecar: 0, switch: cpuMs(sw.pid) - c0.switch };
      if ((await switchEntryCount(sw)) !== entries.length) throw new Error('raw: switch does not hold every entry');
      return { rate: entries.length / (t / 1000), cpu };
    },
    async clear(zones) {
      await send(translate(zones), 'DELETE');
    },
    async stop() {
      stream.end();
      c.close();
      await sw.stop();
    },
  };
}

async function sidecarReady(sc: SidecarClient): Promise<void> {
  await waitFor(async () => {
    const s = (await sc.getSwitchStatus())[0];
    return s?.primary === true && s.last_sync_unix_ms !== '0';
  });
}

/**
 * Times one round through a sidecar: `run` writes the zones and answers how
 * many were not programmed; then the switch must hold every entry.
 */
async function sidecarRound(
  what: string,
  procs: { side: Proc; sw: SwitchProc },
  zones: ZoneP4Entries[],
  run: () => Promise<number>,
): Promise<{ rate: number; cpu: PathCpu }> {
  const t0 = performance.now();
  const c0 = { client: selfCpuMs(), sidecar: cpuMs(procs.side.child.pid), switch: cpuMs(procs.sw.pid) };
  const notProgrammed = await run();
  const t = ms(t0);
  const cpu = {
    client: selfCpuMs() - c0.client,
    sidecar: cpuMs(procs.side.child.pid) - c0.sidecar,
    switch: cpuMs(procs.sw.pid) - c0.switch,
  };
  if (notProgrammed > 0) throw new Error(`${what}: ${notProgrammed} zones not programmed`);
  if ((await switchEntryCount(procs.sw)) !== count(zones)) throw new Error(`${what}: switch does not hold every entry`);
  return { rate: count(zones) / (t / 1000), cpu };
}

/** Through the sidecar: `perCall` 1 uses SetZoneEntries, more uses SetZones with that many zones per call. */
async function sidecarStack(perCall: number): Promise<Stack> {
  const sw = await startSwitch();
  const side = await startSidecar(sw);
  const sc = new SidecarClient(`127.0.0.1:${side.port}`, undefined, benchClient('operator'));
  await sidecarReady(sc);
  return {
    name: perCall === 1 ? 'side' : 'bulk',
    write: (zones) =>
      sidecarRound('sidecar', { side, sw }, zones, async () => {
        let notProgrammed = 0;
        if (perCall === 1) {
          await pool(zones, CONCURRENCY, async (z) => {
            const st = await sc.setZoneEntries(z.zone, 1, z.entries);
            if (!st.programmed) notProgrammed++;
          });
        } else {
          const groups: ZoneP4Entries[][] = [];
          for (let i = 0; i < zones.length; i += perCall) groups.push(zones.slice(i, i + perCall));
          await pool(groups, CALLS_IN_FLIGHT, async (g) => {
            const st = await sc.setZones(g.map((z) => ({ zone: z.zone, generation: 1, entries: z.entries })));
            notProgrammed += st.filter((x) => !x.programmed).length;
          });
        }
        return notProgrammed;
      }),
    async clear(zones) {
      await pool(zones, CONCURRENCY, async (z) => {
        const r = await sc.deleteZone(z.zone);
        if (!r.removed) throw new Error(`sidecar: ${z.zone} not removed: ${r.message}`);
      });
      if ((await switchEntryCount(sw)) !== 0) throw new Error('sidecar: entries left after deleting every zone');
    },
    async stop() {
      sc.close();
      await side.stop();
      await sw.stop();
    },
  };
}

/**
 * The operator's path: its NetworkProgrammer (src/controllers/network/sidecar-network-programmer.ts),
 * one program(plan) per zone, CONCURRENCY at once, as concurrent reconciles
 * call it; it plans each zone's entries and hands concurrent zones over together.
 */
async function programmerStack(): Promise<Stack> {
  const sw = await startSwitch();
  const side = await startSidecar(sw);
  const sc = new SidecarClient(`127.0.0.1:${side.port}`, undefined, benchClient('operator'));
  const np = sidecarNetworkProgrammer(`127.0.0.1:${side.port}`, PORTS, {
    resyncIntervalMs: 0,
    security: benchClient('operator'),
  });
  await sidecarReady(sc);
  return {
    name: 'prog',
    write: (zones) =>
      sidecarRound('programmer', { side, sw }, zones, async () => {
        let notProgrammed = 0;
        await pool(zones, CONCURRENCY, async (z) => {
          const r = await np.program(planOf.get(z.zone) as ZoneNetworkPlan);
          if (!r.ok) notProgrammed++;
        });
        return notProgrammed;
      }),
    async clear(zones) {
      await pool(zones, CONCURRENCY, (z) => np.remove(z.zone));
      if ((await switchEntryCount(sw)) !== 0) throw new Error('programmer: entries left after removing every zone');
    },
    async stop() {
      np.close();
      sc.close();
      await side.stop();
      await sw.stop();
    },
  };
}

/** The share of the machine's CPU time the hypervisor gave to other guests (/proc/stat "steal"). */
function cpuTimes(): { steal: number; total: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return { steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0) };
}

interface ResyncResult {
  totalMs: number;
  reconcileMs: number;
  entries: number;
}

/** Sum of the sidecar's reconcile durations so far, from its /metrics. */
async function reconcileSecondsSum(httpPort: number): Promise<number> {
  const body = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const m = /zonekeeper_sidecar_reconcile_duration_seconds_sum\{[^}]*\} ([\d.e+-]+)/.exec(body);
  return Number(m?.[1] ?? 0);
}

async function resyncRuns(zones: ZoneP4Entries[], runs: number): Promise<ResyncResult[]> {
  let sw = await startSwitch();
  const address = sw.address;
  const side = await startSidecar(sw);
  const httpPort = Number(/http [\d.]+:(\d+)/.exec(side.line)?.[1]);
  const sc = new SidecarClient(`127.0.0.1:${side.port}`, undefined, benchClient('operator'));
  const out: ResyncResult[] = [];
  try {
    await sidecarReady(sc);
    await pool(zones, CONCURRENCY, async (z) => {
      await sc.setZoneEntries(z.zone, 1, z.entries);
    });
    for (let r = 0; r < runs; r++) {
      await sw.stop();
      // The sidecar sees the stream break; give it time to back off as it would in a real outage.
      await waitFor(async () => (await sc.getSwitchStatus())[0]?.connected === false);
      const r0 = await reconcileSecondsSum(httpPort);
      sw = await startSwitch(address);
      const t0 = performance.now();
      await waitFor(
        async () => {
          const s = (await sc.getSwitchStatus())[0];
          return (
            s?.primary === true &&
            s.entries === count(zones) &&
            Number(s.last_sync_unix_ms) > Date.now() - (performance.now() - t0) - 5
          );
        },
        120_000,
        5,
      );
      const totalMs = ms(t0);
      const held = await switchEntryCount(sw);
      if (held !== count(zones)) throw new Error(`resync: switch holds ${held}, want ${count(zones)}`);
      out.push({ totalMs, reconcileMs: ((await reconcileSecondsSum(httpPort)) - r0) * 1000, entries: held });
    }
  } finally {
    sc.close();
    await side.stop();
    await sw.stop();
  }
  return out;
}

async function fitRun(): Promise<{ zones: number; entries: number; ms: number; programmed: number }> {
  const plans = Array.from({ length: 4094 }, (_, i) => plan(i + 1, 2));
  const { zones, problems } = planP4Entries(plans, PORTS);
  if (problems.length > 0) throw new Error(problems[0]?.reason);
  const sw = await startSwitch();
  const side = await startSidecar(sw);
  const sc = new SidecarClient(`127.0.0.1:${side.port}`, undefined, benchClient('operator'));
  try {
    await sidecarReady(sc);
    const t0 = performance.now();
    await pool(zones, CONCURRENCY, async (z) => {
      await sc.setZoneEntries(z.zone, 1, z.entries);
    });
    const t = ms(t0);
    const st = await sc.getZoneStatus();
    return {
      zones: zones.length,
      entries: await switchEntryCount(sw),
      ms: t,
      programmed: (st.zones ?? []).filter((z) => z.programmed).length,
    };
  } finally {
    sc.close();
    await side.stop();
    await sw.stop();
  }
}

const fmt = (s: Stats, digits = 0): string =>
  `${s.median.toFixed(digits)} (min ${s.min.toFixed(digits)}, max ${s.max.toFixed(digits)})`;

const zones = workload(Number(values.entries));
// Warm rounds alternate between these two workloads (other zones, VLANs above the first's).
const rounds: [ZoneP4Entries[], ZoneP4Entries[]] = [zones, workload(Number(values.entries), zones.length + 1)];
if (zones.length * 2 > 4094) throw new Error('--entries: two rounds of zones must fit 4,094 VLANs');
/** Per path, per round kind (0 cold, 1 warm): rates and CPU, one per round. */
const rates: Record<PathName, [number[], number[]]> = { raw: [[], []], side: [[], []], bulk: [[], []], prog: [[], []] };
const cpu: Record<PathName, [PathCpu[], PathCpu[]]> = { raw: [[], []], side: [[], []], bulk: [[], []], prog: [[], []] };
const t0Steal = cpuTimes();
for (let r = 0; r < (values['only-resync'] ? 0 : RUNS); r++) {
  const stacks = [await rawStack(), await sidecarStack(1), await sidecarStack(ZONES_PER_CALL), await programmerStack()];
  try {
    // Round 0 is cold (fresh processes); then WARM rounds per path. Each
    // round visits every path once, in an order rotated from round to round,
    // so drift in machine speed hits every path alike.
    for (let round = 0; round <= WARM; round++) {
      const order = [...stacks];
      for (let i = 0; i < (r + round) % order.length; i++) order.push(order.shift() as Stack);
      const work = rounds[round % 2];
      for (const st of order) {
        const got = await st.write(work);
        rates[st.name][round === 0 ? 0 : 1].push(got.rate);
        cpu[st.name][round === 0 ? 0 : 1].push(got.cpu);
        await st.clear(work);
      }
      const last = (k: PathName): string => (rates[k][round === 0 ? 0 : 1].at(-1) as number).toFixed(0);
      process.stderr.write(
        `run ${r + 1} ${round === 0 ? 'cold' : `warm ${round}`}: raw ${last('raw')}, SetZoneEntries ${last('side')}, SetZones ${last('bulk')}, programmer ${last('prog')} entries/s\n`,
      );
    }
  } finally {
    for (const st of stacks) await st.stop();
  }
}
const t1Steal = cpuTimes();
const stealPct = (100 * (t1Steal.steal - t0Steal.steal)) / Math.max(1, t1Steal.total - t0Steal.total);
// An external switch is not ours to restart.
const resync = values['switch-address'] ? [] : await resyncRuns(zones, RUNS);
const fit =
  values['skip-fit'] || values['only-resync'] ? { zones: 0, entries: 0, ms: 0, programmed: 0 } : await fitRun();
const n = count(zones);
const cpuLine = (name: string, runs: PathCpu[]): string => {
  const med = (k: keyof PathCpu): number => stats(runs.map((r) => r[k])).median;
  const busiest = Math.max(med('client'), med('sidecar'), med('switch'));
  return `CPU per ${n} entries, ${name}: client ${med('client').toFixed(0)} ms, sidecar ${med('sidecar').toFixed(0)} ms, switch ${med('switch').toFixed(0)} ms (medians); busiest stage ${busiest.toFixed(0)} ms, so ${(n / (busiest / 1000)).toFixed(0)} entries/s on dedicated cores`;
};
const bound = (runs: PathCpu[]): number =>
  n / (Math.max(...(['client', 'sidecar', 'switch'] as const).map((k) => stats(runs.map((r) => r[k])).median)) / 1000);
/** Ratios per round (each path's rate over the raw rate of the same round, seconds apart). */
const ratios = (k: PathName, round: 0 | 1): number[] => rates[k][round].map((x, i) => x / rates.raw[round][i]);
const roundLines = (round: 0 | 1): string[] => {
  const label =
    round === 0
      ? `cold (the first round into fresh processes, ${RUNS} rounds)`
      : `warm (rounds after the first, on the same processes, ${RUNS * WARM} rounds)`;
  return [
    `- ${label}:`,
    `  - raw P4Runtime writes: ${fmt(stats(rates.raw[round]))} entries/s`,
    `  - one SetZoneEntries per zone (${CONCURRENCY} in flight): ${fmt(stats(rates.side[round]))} entries/s; ratio to raw per round ${fmt(stats(ratios('side', round)), 2)} (goal ≥ 0.8)`,
    `  - SetZones with ${ZONES_PER_CALL} zones per call (${CALLS_IN_FLIGHT} in flight): ${fmt(stats(rates.bulk[round]))} entries/s; ratio to raw per round ${fmt(stats(ratios('bulk', round)), 2)} (goal ≥ 0.8)`,
    `  - the operator's NetworkProgrammer, program() per zone (${CONCURRENCY} at once; it plans the entries and hands concurrent zones over in SetZones calls): ${fmt(stats(rates.prog[round]))} entries/s; ratio to raw per round ${fmt(stats(ratios('prog', round)), 2)}`,
    `  - ${cpuLine('raw writes', cpu.raw[round])}`,
    `  - ${cpuLine('SetZoneEntries', cpu.side[round])}`,
    `  - ${cpuLine('SetZones', cpu.bulk[round])}`,
    `  - ${cpuLine('NetworkProgrammer', cpu.prog[round])}`,
    `  - CPU-bound ratio to raw (busiest stage): SetZoneEntries ${(bound(cpu.side[round]) / bound(cpu.raw[round])).toFixed(2)}, SetZones ${(bound(cpu.bulk[round]) / bound(cpu.raw[round])).toFixed(2)}`,
  ];
};
const resyncLine =
  resync.length === 0
    ? '- re-sync: not measured (external switch)'
    : `- re-sync of ${count(zones)} entries after a switch restart (switch listening → every entry back): ${fmt(stats(resync.map((x) => x.totalMs)))} ms (goal ≤ 2,000 ms), of which the sidecar's reconcile (cookie check, pipeline push, wildcard read, writes) ${fmt(stats(resync.map((x) => x.reconcileMs)))} ms; the rest is reconnecting`;
if (values['only-resync']) {
  process.stdout.write(`${resyncLine}\n`);
  process.exit(0);
}
const lines = [
  `- switch: ${switchTargetName()}`,
  `- workload: ${zones.length} zones, ${count(zones)} entries per round; raw client batches of 1,000; sidecar --batch-size 1000; ${RUNS} runs of fresh processes, each 1 cold and ${WARM} warm rounds per path, paths interleaved; the hypervisor took ${stealPct.toFixed(0)} % of the machine's CPU time (steal) meanwhile`,
  ...roundLines(0),
  ...roundLines(1),
  resyncLine,
  `- 4,094 zones: ${fit.zones} zones, ${fit.entries} entries on the switch, ${fit.programmed} zones Programmed, written in ${fit.ms.toFixed(0)} ms`,
];
process.stdout.write(`${lines.join('\n')}\n`);
