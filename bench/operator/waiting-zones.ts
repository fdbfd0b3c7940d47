// What zones that wait for a provider cost the operator while nothing
// changes, and what waking them costs. On a test bed whose providers are
// all full (one filler zone per provider takes its every core), N zones are
// created that cannot be placed: half find no room, half no compliant
// provider (FPGA containers, which no provider offers). Once the operator
// has seen them all and settled, a fixed window measures its process's CPU
// seconds, the passes it made (controller_runtime_reconcile_total), its
// placement attempts and the requests the hub API server served for
// ExecutionZones and Events (the ones that grow with the zones); then a
// ProviderCluster change that frees nothing (memory + 1 MiB) wakes every
// waiting zone, and a shorter window measures that.
//
// Several operator builds run side by side on the same test bed, one after
// the other, in alternating order per repeat (this machine's speed drifts
// over minutes): `--operator-dist before=DIR,after=dist` names each build's
// output directory (the one holding src/operator/main.js). N = 0 measures
// what the operator costs with no waiting zone at all (lease renewals,
// provider probes, orphan collection); per-zone figures subtract it.
//
//   TESTBED_DIR=... node dist/bench/operator/waiting-zones.js \
//     [--operator-dist after=dist] [--zones 0,50,200,500] [--repeats 3] \
//     [--window 60] [--settle 15] [--wake-window 20] [--out FILE] [--keep]

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ZoneConditionType } from '../../src/core/api/conditions.js';
import { EXECUTION_ZONES, PROVIDER_CLUSTERS } from '../../src/core/api/resources.js';
import type { ExecutionZone, InstanceGroup, ProviderCluster } from '../../src/core/api/types.js';
import { getCondition } from '../../src/controllers/conditions.js';
import { type KubeClient, resourcePath } from '../../src/runtime/kube-client.js';
import { apply, readManifests } from '../../tools/harness/apply.js';
import { listZones } from '../../tools/harness/hub-reads.js';
import { metricSum, OperatorProcess } from '../../tools/harness/operator-process.js';
import { pollUntil } from '../../tools/harness/poll-until.js';
import { installOnTestbed } from '../../tools/harness/testbed-setup.js';
import { repoRoot } from '../../tools/testbed/paths.js';
import { down, up } from '../../tools/testbed/testbed.js';
import { readState, type TestbedState } from '../../tools/testbed/state.js';
import { numberArg, textArg } from '../support/args.js';
import { stats, type Stats } from '../support/stats.js';
import { cpuSince, sampleCpu, testbedProcesses, type CpuProcess } from './cpu-account.js';
import { apiRequests } from './hub-requests.js';
import { pool } from './pool.js';

const ZONE_COUNTS = textArg('zones', '0,50,200,500').split(',').map(Number);
const REPEATS = numberArg('repeats', 3);
const WINDOW_S = numberArg('window', 60);
const SETTLE_S = numberArg('settle', 15);
const WAKE_S = numberArg('wake-window', 20);
/** Also written after every run, so a run cut short leaves its figures. */
const OUT = textArg('out', '');
/** An operator's start on a loaded 2-core machine can take a minute before it leads. */
const LEAD_TIMEOUT_MS = 300_000;
const FILL_NS = 'bench-fill';
const WAIT_NS = 'bench-waiting';
const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Build {
  label: string;
  mainScript: string;
}

function builds(spec: string): Build[] {
  return spec.split(',').map((item) => {
    const eq = item.indexOf('=');
    const label = eq > 0 ? item.slice(0, eq) : item;
    const dir = eq > 0 ? item.slice(eq + 1) : item;
    const mainScript = join(isAbsolute(dir) ? dir : join(repoRoot(), dir), 'src', 'operator', 'main.js');
    if (!existsSync(mainScript)) throw new Error(`--operator-dist ${item}: no ${mainScript} (build it first)`);
    return { label, mainScript };
  });
}

const group = (over: Partial<InstanceGroup>): InstanceGroup => ({
  name: 'g1',
  environment: 'container',
  platformType: 'cloud+fog',
  resourceType: 'CPU',
  count: 1,
  cores: 1,
  memory: 256,
  storage: 1024,
  image: 'busybox',
  ...over,
});

const zoneObject = (namespace: string, name: string, applicationId: string, g: InstanceGroup): ExecutionZone => ({
  apiVersion: 'zonekeeper.io/v1alpha1',
  kind: 'ExecutionZone',
  metadata: { name, namespace },
  spec: { applicationId, groups: [g] },
});

const id = (prefix: string, i: number) => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** Half find no room (every core is taken), half no compliant provider (no provider offers FPGA containers). */
const waitingZone = (i: number): ExecutionZone =>
  zoneObject(WAIT_NS, `wait-${i}`, id('cccccccc', i), group(i % 2 === 0 ? {} : { resourceType: 'FPGA' }));

const condition = (z: ExecutionZone, type: string) => getCondition(z.status?.conditions, type)?.status;

/**
 * One zone per provider, in catalogue order, each taking all the cores of
 * the first provider of its environment that has them all free: first-fit
 * then fills every provider. Kept across runs (it is the test bed's state).
 */
async function fill(hub: KubeClient, providers: readonly ProviderCluster[]): Promise<void> {
  const existing = await listZones(hub, FILL_NS);
  if (existing.length === providers.length && existing.every((z) => condition(z, ZoneConditionType.Placed) === 'True'))
    return;
  const sorted = [...providers].sort((a, b) => (a.spec.catalogueOrder ?? 0) - (b.spec.catalogueOrder ?? 0));
  for (const [i, p] of sorted.entries()) {
    const name = `fill-${p.metadata.name}`;
    if (existing.some((z) => z.metadata.name === name)) continue;
    const env = p.spec.environment === 'VM' ? 'VM' : 'container';
    await hub.create(
      resourcePath(EXECUTION_ZONES, FILL_NS),
      zoneObject(FILL_NS, name, id('ffffffff', i), group({ environment: env, cores: p.spec.capacity.cores })),
    );
    const placed = await pollUntil(
      `${name} placed`,
      async () => {
        const z = await hub.get<ExecutionZone>(resourcePath(EXECUTION_ZONES, FILL_NS, name));
        return condition(z, ZoneConditionType.Placed) === 'True' ? z : undefined;
      },
      { timeoutMs: 60_000, everyMs: 250 },
    );
    say(`${name}: ${p.spec.capacity.cores} cores on ${placed.status?.providers ?? '?'}`);
  }
}

async function fillersPlaced(hub: KubeClient, count: number): Promise<void> {
  const zs = await listZones(hub, FILL_NS);
  const placed = zs.filter((z) => condition(z, ZoneConditionType.Placed) === 'True').length;
  if (placed !== count) throw new Error(`only ${placed} of ${count} filler zones are Placed`);
}

async function deleteWaiting(hub: KubeClient): Promise<void> {
  const zs = await listZones(hub, WAIT_NS);
  await pool(zs, 16, async (z) => {
    // A waiting zone holds nothing, so it has no finalizer; should one be there, it goes too.
    if ((z.metadata.finalizers ?? []).length > 0)
      await hub.mergePatch(resourcePath(EXECUTION_ZONES, WAIT_NS, z.metadata.name), { metadata: { finalizers: null } });
    await hub.delete(resourcePath(EXECUTION_ZONES, WAIT_NS, z.metadata.name));
  });
  await pollUntil('waiting zones gone', async () => ((await listZones(hub, WAIT_NS)).length === 0 ? true : undefined), {
    timeoutMs: 120_000,
    everyMs: 500,
  });
}

interface Sample {
  cpu: ReturnType<typeof sampleCpu>;
  passes: number;
  attempts: number;
  hubWrites: Map<string, number>;
  hubReads: Map<string, number>;
}

async function sample(procs: readonly CpuProcess[], op: OperatorProcess, hub: KubeClient): Promise<Sample> {
  const [metrics, hubWrites, hubReads] = await Promise.all([
    op.metrics(),
    apiRequests([hub]),
    apiRequests([hub], true),
  ]);
  return {
    cpu: sampleCpu(procs),
    passes: metricSum(metrics, 'controller_runtime_reconcile_total', { controller: 'executionzone' }),
    attempts: metricSum(metrics, 'zonekeeper_placement_duration_seconds_count'),
    hubWrites,
    hubReads,
  };
}

interface Window {
  seconds: number;
  operatorCpuSeconds: number;
  hubApiserverCpuSeconds: number;
  passes: number;
  attempts: number;
  hubWrites: Record<string, number>;
  hubReads: Record<string, number>;
}

function difference(a: Map<string, number>, b: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of b) if (v - (a.get(k) ?? 0) > 0) out[k] = v - (a.get(k) ?? 0);
  return out;
}

/**
 * The hub requests a zone's passes make: reads and writes of ExecutionZones
 * and Events. The rest (the operator's lease and member Secrets, the hub's
 * own controllers) does not grow with the zones.
 */
function zoneRequests(w: Window | undefined): number {
  if (!w) return 0;
  let n = 0;
  for (const [k, v] of [...Object.entries(w.hubWrites), ...Object.entries(w.hubReads)]) {
    const resource = k.split(' ')[1] ?? '';
    if (resource.startsWith('executionzones') || resource === 'events') n += v;
  }
  return n;
}

function window(a: Sample, b: Sample, seconds: number): Window {
  const cpu = cpuSince(a.cpu, b.cpu);
  return {
    seconds,
    operatorCpuSeconds: cpu['operator'] ?? NaN,
    hubApiserverCpuSeconds: cpu['apiserver (hub)'] ?? NaN,
    passes: b.passes - a.passes,
    attempts: b.attempts - a.attempts,
    hubWrites: difference(a.hubWrites, b.hubWrites),
    hubReads: difference(a.hubReads, b.hubReads),
  };
}

interface Run {
  build: string;
  zones: number;
  repeat: number;
  loadAverage: string;
  steady: Window;
  wake?: Window;
}

async function wakeChange(hub: KubeClient, provider: ProviderCluster, n: number): Promise<void> {
  await hub.mergePatch(resourcePath(PROVIDER_CLUSTERS, undefined, provider.metadata.name), {
    spec: { capacity: { memory: provider.spec.capacity.memory + (n % 2) } },
  });
}

async function oneRun(
  ctx: { state: TestbedState; hub: KubeClient; kubeconfig: string; providers: ProviderCluster[] },
  build: Build,
  zones: number,
  repeat: number,
  wakeCount: { n: number },
): Promise<Run> {
  const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const op = new OperatorProcess({
    kubeconfig: ctx.kubeconfig,
    // One identity for every build: each takes the lease its predecessor held without waiting it out.
    identity: 'bench-waiting',
    mainScript: build.mainScript,
    logFile: join(ctx.state.dir, 'logs', `operator-waiting-${build.label}.log`),
  });
  let notRestored = 0;
  op.onLog((rec) => {
    if (rec['msg'] === 'durable allocation not restored') notRestored++;
  });
  const leading = op.waitLeading(LEAD_TIMEOUT_MS);
  await op.start();
  try {
    await leading;
    const procs: CpuProcess[] = [
      ...testbedProcesses(ctx.state).filter((p) => p.group === 'apiserver (hub)'),
      { group: 'operator', pid: op.pid as number },
    ];
    await pool(
      Array.from({ length: zones }, (_, i) => i),
      8,
      async (i) => {
        await ctx.hub.create(resourcePath(EXECUTION_ZONES, WAIT_NS), waitingZone(i));
      },
    );
    await pollUntil(
      `${zones} zones waiting`,
      async () => {
        const zs = await listZones(ctx.hub, WAIT_NS);
        return zs.length === zones && zs.every((z) => condition(z, ZoneConditionType.Placed) === 'False')
          ? true
          : undefined;
      },
      { timeoutMs: 300_000, everyMs: 1000 },
    );
    await fillersPlaced(ctx.hub, ctx.providers.length);
    if (notRestored > 0) throw new Error(`${build.label}: ${notRestored} durable allocation(s) not restored`);
    await sleep(SETTLE_S * 1000);
    const s0 = await sample(procs, op, ctx.hub);
    await sleep(WINDOW_S * 1000);
    const s1 = await sample(procs, op, ctx.hub);
    const run: Run = { build: build.label, zones, repeat, loadAverage, steady: window(s0, s1, WINDOW_S) };
    if (WAKE_S > 0) {
      const p = ctx.providers[0];
      await wakeChange(ctx.hub, p, ++wakeCount.n);
      await sleep(WAKE_S * 1000);
      const s2 = await sample(procs, op, ctx.hub);
      run.wake = window(s1, s2, WAKE_S);
    }
    say(JSON.stringify(run));
    return run;
  } finally {
    await op.kill('SIGTERM');
    await deleteWaiting(ctx.hub);
  }
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const roundStats = (s: Stats, digits = 2): Stats => ({
  median: round(s.median, digits),
  min: round(s.min, digits),
  max: round(s.max, digits),
  n: s.n,
});

/** Medians with min and max over the repeats, per build and zone count. */
function summary(runs: readonly Run[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const labels = [...new Set(runs.map((r) => r.build))];
  for (const zones of ZONE_COUNTS) {
    for (const label of labels) {
      const mine = runs.filter((r) => r.build === label && r.zones === zones);
      if (mine.length === 0) continue;
      const idle = runs.filter((r) => r.build === label && r.zones === 0);
      const idleCpu = idle.length > 0 ? stats(idle.map((r) => r.steady.operatorCpuSeconds)).median : 0;
      const idleRequests = idle.length > 0 ? stats(idle.map((r) => zoneRequests(r.steady))).median : 0;
      const perMinute = (r: Run, v: number) => (v * 60) / r.steady.seconds;
      const row: Record<string, unknown> = {
        build: label,
        zones,
        operatorCpuSecondsPerMinute: roundStats(stats(mine.map((r) => perMinute(r, r.steady.operatorCpuSeconds)))),
        passesPerMinute: roundStats(stats(mine.map((r) => perMinute(r, r.steady.passes)))),
        attemptsPerMinute: roundStats(stats(mine.map((r) => perMinute(r, r.steady.attempts)))),
        zoneHubRequestsPerMinute: roundStats(stats(mine.map((r) => perMinute(r, zoneRequests(r.steady))))),
        hubApiserverCpuSecondsPerMinute: roundStats(
          stats(mine.map((r) => perMinute(r, r.steady.hubApiserverCpuSeconds))),
        ),
      };
      if (zones > 0) {
        row['operatorCpuMsPerZonePerMinute'] = roundStats(
          stats(mine.map((r) => (perMinute(r, r.steady.operatorCpuSeconds - idleCpu) * 1000) / zones)),
        );
        row['zoneHubRequestsPerZonePerMinute'] = roundStats(
          stats(mine.map((r) => perMinute(r, zoneRequests(r.steady) - idleRequests) / zones)),
        );
        const withPasses = mine.filter((r) => r.steady.passes > 0);
        if (withPasses.length > 0)
          row['operatorCpuMsPerPass'] = roundStats(
            stats(withPasses.map((r) => ((r.steady.operatorCpuSeconds - idleCpu) * 1000) / r.steady.passes)),
          );
        const woken = mine.filter((r) => r.wake && r.wake.passes > 0);
        if (woken.length > 0)
          row['wake'] = {
            passesPerZone: roundStats(stats(woken.map((r) => (r.wake?.passes ?? 0) / zones))),
            operatorCpuMsPerZone: roundStats(
              stats(
                woken.map(
                  (r) =>
                    (((r.wake?.operatorCpuSeconds ?? 0) - (idleCpu * (r.wake?.seconds ?? 0)) / r.steady.seconds) *
                      1000) /
                    zones,
                ),
              ),
            ),
            hubRequestsPerZone: roundStats(stats(woken.map((r) => zoneRequests(r.wake) / zones))),
          };
      }
      out.push(row);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const variants = builds(textArg('operator-dist', 'after=dist'));
  const startedHere = readState() === undefined;
  const state = await up({ log: (m) => say(`testbed: ${m}`) });
  try {
    const { hub: hubClient, operatorKubeconfig } = await installOnTestbed(state, { log: say });
    const providers = readManifests(state.catalogue).filter(
      (o) => o.kind === 'ProviderCluster',
    ) as unknown as ProviderCluster[];
    const ctx = { state, hub: hubClient, kubeconfig: operatorKubeconfig, providers };
    for (const ns of [FILL_NS, WAIT_NS])
      await apply(hubClient, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await deleteWaiting(hubClient);
    // The first build places the fillers; every build then restores them from status.
    const filler = new OperatorProcess({
      kubeconfig: operatorKubeconfig,
      identity: 'bench-waiting',
      mainScript: variants[variants.length - 1].mainScript,
      logFile: join(state.dir, 'logs', 'operator-waiting-fill.log'),
    });
    const leading = filler.waitLeading(LEAD_TIMEOUT_MS);
    await filler.start();
    await leading;
    await fill(hubClient, providers);
    await filler.kill('SIGTERM');
    say(
      `${providers.length} providers full; builds: ${variants.map((v) => `${v.label} (${v.mainScript})`).join(', ')}`,
    );

    const runs: Run[] = [];
    const wakes = { n: 0 };
    const result = () => ({
      windowSeconds: WINDOW_S,
      settleSeconds: SETTLE_S,
      wakeWindowSeconds: WAKE_S,
      repeats: REPEATS,
      providers: providers.length,
      builds: variants,
      summary: summary(runs),
      runs,
    });
    // Every zone count in each repeat, so a run cut short still compares them all.
    for (let repeat = 1; repeat <= REPEATS; repeat++)
      for (const zones of ZONE_COUNTS) {
        const order = repeat % 2 === 1 ? variants : [...variants].reverse();
        for (const b of order) {
          say(`${b.label}: ${zones} waiting zones, repeat ${repeat}/${REPEATS}`);
          runs.push(await oneRun(ctx, b, zones, repeat, wakes));
          if (OUT) writeFileSync(OUT, JSON.stringify(result(), null, 2) + '\n');
        }
      }
    // The catalogue as it was: an odd number of wake changes left memory + 1.
    if (wakes.n % 2 === 1) await wakeChange(hubClient, providers[0], 0);
    process.stdout.write(JSON.stringify(result(), null, 2) + '\n');
    hubClient.close();
  } finally {
    if (startedHere && !process.argv.includes('--keep')) await down({ log: (m) => say(`testbed: ${m}`) });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
