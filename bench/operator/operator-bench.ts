// The operator benchmark: 200 zones of 4 one-core container instances over
// 8 members (bench/operator/providers.yaml), against the raw limit measured
// in the same run: the same 800 pods created directly through the client
// at the same concurrency. Two client disciplines, each for raw and for
// the operator (docs/benchmarks.md, "Operator", says why both):
//  - closed loop: `concurrency` zones in flight; each client slot creates
//    a zone and waits for it to be Ready before the next. Total time and
//    create-to-Ready per zone.
//  - burst: `concurrency` creates in flight, nobody waits; total time.
// Then 800 more zones (1,000 in all) for the operator's resident memory.
// Each phase also reports the CPU seconds of every test-bed process.
//
//   TESTBED_DIR=.testbed-bench node dist/bench/operator/operator-bench.js \
//     [--zones 200] [--instances 4] [--concurrency 8] [--workers 16] \
//     [--rss-zones 1000] [--modes closed,burst] [--rounds 1] [--cpu-prof DIR] [--keep]
//     [--raw-zone-namespaces]

import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { ExecutionZone } from '../../src/core/api/types.js';
import { LABELS, NAMESPACES } from '../../src/clusters/member-objects.js';
import { getCondition } from '../../src/controllers/conditions.js';
import { EXECUTION_ZONES } from '../../src/core/api/resources.js';
import { apply } from '../../tools/harness/apply.js';
import { listZones } from '../../tools/harness/hub-reads.js';
import { pollUntil } from '../../tools/harness/poll-until.js';
import { metricSum, metricValue, OperatorProcess } from '../../tools/harness/operator-process.js';
import { adminClient, installOnTestbed } from '../../tools/harness/testbed-setup.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../src/runtime/kube-client.js';
import { down, up } from '../../tools/testbed/testbed.js';
import { repoRoot } from '../../tools/testbed/paths.js';
import { memberClusters, readState } from '../../tools/testbed/state.js';
import { cpuSince, sampleCpu, testbedProcesses, type CpuProcess } from './cpu-account.js';
import { FirstSeen, track } from './first-seen.js';
import { numberArg, textArg } from '../support/args.js';
import { benchZone } from '../support/bench-zone.js';
import { percentile } from '../support/stats.js';
import { apiRequests, requestsPerZone } from './hub-requests.js';
import { pool } from './pool.js';
import { rawLimit, type Member, type RawRun } from './raw-limit.js';

const ZONES = numberArg('zones', 200);
const PER = numberArg('instances', 4);
const CONC = numberArg('concurrency', 8);
const WORKERS = numberArg('workers', 16);
const RSS_ZONES = numberArg('rss-zones', 1000);
const MODES = textArg('modes', 'closed,burst').split(',') as ('closed' | 'burst')[];
const ROUNDS = numberArg('rounds', 1);
const CPU_PROF = textArg('cpu-prof', '');
/** Also a raw phase whose zones each get a fresh namespace first (closed loop): what the namespace costs, apart from the operator. */
const RAW_ZONE_NAMESPACES = process.argv.includes('--raw-zone-namespaces');
const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}

const zoneId = (i: number, salt: number) =>
  `bbbbbbbb-0000-4000-8000-${(salt * 100000 + i).toString(16).padStart(12, '0')}`;

const zone = (i: number, salt: number, count: number): ExecutionZone => benchZone(zoneId(i, salt), 'bench', count);

interface Phase {
  seconds: number;
  p50Seconds: number;
  p99Seconds: number;
  maxSeconds: number;
  cpuSeconds: Record<string, number>;
  /** Operator phases: write requests the hub and the members (summed) served per zone, by verb and resource. */
  hubWritesPerZone?: Record<string, number>;
  memberWritesPerZone?: Record<string, number>;
  /** GET, LIST and WATCH requests the members served per zone (the operator's informers, the controllers' reads). */
  memberReadsPerZone?: Record<string, number>;
}

function phase(ms: number, latencies: readonly number[], cpuSeconds: Record<string, number>): Phase {
  return {
    seconds: ms / 1000,
    p50Seconds: percentile(latencies, 50),
    p99Seconds: percentile(latencies, 99),
    maxSeconds: latencies[latencies.length - 1],
    cpuSeconds,
  };
}

async function measured<T>(
  procs: readonly CpuProcess[],
  run: () => Promise<T>,
): Promise<{ result: T; cpu: Record<string, number> }> {
  const before = sampleCpu(procs);
  const result = await run();
  return { result, cpu: cpuSince(before, sampleCpu(procs)) };
}

async function operatorPhase(
  hub: KubeClient,
  ready: FirstSeen,
  salt: number,
  mode: 'burst' | 'closed',
): Promise<Omit<RawRun, 'cpu'>> {
  const created = new Map<string, number>();
  const latencies: number[] = [];
  const t0 = Date.now();
  await pool(
    Array.from({ length: ZONES }, (_, i) => i),
    CONC,
    async (i) => {
      const z = zone(i, salt, PER);
      const t = Date.now();
      created.set(z.metadata.name, t);
      await hub.create(resourcePath(EXECUTION_ZONES, 'bench'), z);
      if (mode === 'closed') latencies.push(((await ready.wait(z.metadata.name)) - t) / 1000);
    },
  );
  await Promise.all([...created.keys()].map((n) => ready.wait(n)));
  const last = Math.max(...[...created.keys()].map((n) => ready.at.get(n) as number));
  if (mode === 'burst') for (const [n, t] of created) latencies.push(((ready.at.get(n) as number) - t) / 1000);
  return { ms: last - t0, latencies: latencies.sort((a, b) => a - b) };
}

/** Deletes the bench's zones and waits until they and their member namespaces are gone. */
async function clearZones(hub: KubeClient, members: readonly Member[]): Promise<void> {
  await pool(await listZones(hub, 'bench'), CONC, async (z) => {
    await hub.delete(resourcePath(EXECUTION_ZONES, 'bench', z.metadata.name));
  });
  await pollUntil('zones gone', async () => ((await listZones(hub, 'bench')).length === 0 ? true : undefined), {
    timeoutMs: 600_000,
    everyMs: 500,
  });
  await pollUntil(
    'zone namespaces gone',
    async () => {
      for (const m of members)
        if (
          (await m.client.list<KubeObject>(resourcePath(NAMESPACES), { labelSelector: LABELS.applicationId })).items
            .length > 0
        )
          return undefined;
      return true;
    },
    { timeoutMs: 600_000, everyMs: 500 },
  );
}

async function main(): Promise<void> {
  const startedHere = readState() === undefined;
  const catalogue = join(repoRoot(), 'bench', 'operator', 'providers.yaml');
  const state = await up({ catalogue, log: (m) => say(`testbed: ${m}`) });
  try {
    const { hub, operatorKubeconfig } = await installOnTestbed(state, { log: say, catalogue });
    const members = await Promise.all(
      memberClusters(state).map(async (m) => ({ name: m.name, client: await adminClient(m) })),
    );
    const bed = testbedProcesses(state);
    const results: Record<string, Phase> = {};
    const op = new OperatorProcess({
      kubeconfig: operatorKubeconfig,
      identity: 'bench',
      concurrency: WORKERS,
      logFile: join(state.dir, 'logs', 'operator-bench.log'),
      ...(CPU_PROF ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] } : {}),
    });
    const leading = op.waitLeading();
    await op.start();
    await leading;
    const procs = [...bed, { group: 'operator', pid: op.pid as number }];
    await apply(hub, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    const ready = new FirstSeen();
    const zoneInf = await track<ExecutionZone>(
      hub,
      resourcePath(EXECUTION_ZONES, 'bench'),
      ready,
      (z) => getCondition(z.status?.conditions, 'Ready')?.status === 'True',
    );
    let rss200 = NaN;
    const memberClients = members.map((m) => m.client);
    // Raw and operator phases of one mode run back to back, round after
    // round: this machine's speed drifts over minutes, so only adjacent
    // phases compare. The operator runs throughout; raw pods carry no
    // zonekeeper labels, so it neither watches nor collects them.
    let salt = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        const tag = ROUNDS > 1 ? ` #${round}` : '';
        say(
          `raw limit, ${mode}${tag}: ${ZONES * PER} pods, ${CONC} ${mode === 'closed' ? 'zones' : 'creates'} in flight ...`,
        );
        const raw = await rawLimit(members, ZONES, PER, CONC, mode, procs);
        results[`raw ${mode}${tag}`] = phase(raw.ms, raw.latencies, raw.cpu);
        say(`raw ${mode}${tag}: ${JSON.stringify(results[`raw ${mode}${tag}`])}`);
        if (RAW_ZONE_NAMESPACES && mode === 'closed') {
          say(`raw limit with a namespace per zone, ${mode}${tag} ...`);
          const rawNs = await rawLimit(members, ZONES, PER, CONC, mode, procs, { namespacePerZone: true });
          results[`raw-ns ${mode}${tag}`] = phase(rawNs.ms, rawNs.latencies, rawNs.cpu);
          say(`raw-ns ${mode}${tag}: ${JSON.stringify(results[`raw-ns ${mode}${tag}`])}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
        say(`operator, ${mode}${tag}: ${ZONES} zones, ${CONC} in flight, ${WORKERS} workers ...`);
        const [hub0, members0, memberReads0] = await Promise.all([
          apiRequests([hub]),
          apiRequests(memberClients),
          apiRequests(memberClients, true),
        ]);
        const r = await measured(procs, () => operatorPhase(hub, ready, ++salt, mode));
        const [hub1, members1, memberReads1] = await Promise.all([
          apiRequests([hub]),
          apiRequests(memberClients),
          apiRequests(memberClients, true),
        ]);
        results[`operator ${mode}${tag}`] = {
          ...phase(r.result.ms, r.result.latencies, r.cpu),
          hubWritesPerZone: requestsPerZone(hub0, hub1, ZONES),
          memberWritesPerZone: requestsPerZone(members0, members1, ZONES),
          memberReadsPerZone: requestsPerZone(memberReads0, memberReads1, ZONES),
        };
        say(`operator ${mode}${tag}: ${JSON.stringify(results[`operator ${mode}${tag}`])}`);
        rss200 = rssMiB(op.pid as number);
        // The last phase's zones stay: the memory measurement adds to them.
        if (round < ROUNDS || mode !== MODES[MODES.length - 1]) await clearZones(hub, members);
      }
    }
    const metrics = await op.metrics();

    // 1,000 zones for memory: the extra ones find no capacity and wait (explanations kept).
    await pool(
      Array.from({ length: RSS_ZONES - ZONES }, (_, i) => i),
      CONC,
      async (i) => {
        await hub.create(resourcePath(EXECUTION_ZONES, 'bench'), zone(i, 900, 1));
      },
    );
    await pollUntil(
      'all zones observed',
      async () => {
        const zs = await listZones(hub, 'bench');
        return zs.length >= RSS_ZONES && zs.every((z) => getCondition(z.status?.conditions, 'Placed') !== undefined)
          ? true
          : undefined;
      },
      { timeoutMs: 600_000, everyMs: 500 },
    );
    await new Promise((r) => setTimeout(r, 3000));
    const rss1000 = rssMiB(op.pid as number);
    zoneInf.stop();
    const tags = Array.from({ length: ROUNDS }, (_, i) => (ROUNDS > 1 ? ` #${i + 1}` : ''));
    const ratios = (mode: string, raw = 'raw', of: (p: Phase) => number = (p) => p.seconds): number[] =>
      tags.flatMap((t) => {
        const a = results[`operator ${mode}${t}`];
        const b = results[`${raw} ${mode}${t}`];
        return a && b ? [Math.round((of(a) / of(b)) * 100) / 100] : [];
      });
    const cpu = (p: Phase): number => p.cpuSeconds['total'] ?? NaN;
    const out = {
      zones: ZONES,
      instancesPerZone: PER,
      concurrency: CONC,
      workers: WORKERS,
      rounds: ROUNDS,
      phases: results,
      /** Operator total over raw total, per round (adjacent phases). */
      ratiosClosed: ratios('closed'),
      ratiosBurst: ratios('burst'),
      /** With --raw-zone-namespaces: operator total over the raw phase that made a namespace per zone. */
      ratiosClosedToZoneNamespaces: ratios('closed', 'raw-ns'),
      /** The same rounds' CPU seconds of every process, operator phase over raw: on a machine whose cores are all busy, the time ratio follows this one. */
      cpuRatiosClosed: ratios('closed', 'raw', cpu),
      cpuRatiosBurst: ratios('burst', 'raw', cpu),
      p99Closed: tags.flatMap((t) =>
        results[`operator closed${t}`] ? [results[`operator closed${t}`]?.p99Seconds] : [],
      ),
      rssMiB200: rss200,
      rssMiB1000: rss1000,
      rssZones: RSS_ZONES,
      placements: metricValue(metrics, 'zonekeeper_placement_duration_seconds_count'),
      placementSecondsSum: metricValue(metrics, 'zonekeeper_placement_duration_seconds_sum'),
      /** Member writes that failed (a new namespace without its ServiceAccount yet, mostly), over the whole run. */
      memberRequestErrors: metricSum(metrics, 'zonekeeper_member_requests_total', { outcome: 'error' }),
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    await op.kill('SIGTERM');
    for (const m of members) m.client.close();
    hub.close();
  } finally {
    if (startedHere && !process.argv.includes('--keep')) await down({ log: (m) => say(`testbed: ${m}`) });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
