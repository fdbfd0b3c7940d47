// The restart benchmark: 5,000 zones of mixed sizes (1 to 3 one-core
// instances) over eight container members, then the operator is SIGKILLed
// and started again with the same identity (a container restart in its
// pod). A restart that finds nothing changed must not write anything: this
// measures the time to steady state (every zone reconciled once, every
// queue empty), the operator's resident memory, and every request it made
// to the hub and the members after the restart, by method and answer
// (its own rest_client_requests_total, which starts at 0 in the new
// process), beside what each API server counted by resource.
//
// One switch separates zones by 802.1Q VLAN, one each, so at most 4,094
// zones can be placed at once: the operator gets the whole range
// (--vlan-range 1-4094) and the zones past it wait, Placed=False with
// NoFreeVlan, which a restart must leave as untouched as the live ones.
//
//   TESTBED_DIR=$(mktemp -d) node dist/bench/operator/restart-bench.js \
//     [--zones 5000] [--cores-per-member 1200] [--workers 16] [--concurrency 16] [--restarts 3] [--keep]

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { ExecutionZone } from '../../src/core/api/types.js';
import { LABELS, PODS } from '../../src/clusters/member-objects.js';
import { getCondition } from '../../src/controllers/conditions.js';
import { EXECUTION_ZONES } from '../../src/core/api/resources.js';
import { apply } from '../../tools/harness/apply.js';
import { listZones } from '../../tools/harness/hub-reads.js';
import { metricSamples, metricSum, OperatorProcess } from '../../tools/harness/operator-process.js';
import { pollUntil } from '../../tools/harness/poll-until.js';
import { adminClient, installOnTestbed } from '../../tools/harness/testbed-setup.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../src/runtime/kube-client.js';
import { down, up } from '../../tools/testbed/testbed.js';
import { repoRoot } from '../../tools/testbed/paths.js';
import { memberClusters, readState } from '../../tools/testbed/state.js';
import { numberArg, textArg } from '../support/args.js';
import { benchZone } from '../support/bench-zone.js';
import { stats } from '../support/stats.js';
import { FirstSeen, track } from './first-seen.js';
import { apiRequests } from './hub-requests.js';
import { pool } from './pool.js';

const ZONES = numberArg('zones', 5000);
const CORES = numberArg('cores-per-member', 1200);
const WORKERS = numberArg('workers', 16);
const CONC = numberArg('concurrency', 16);
const RESTARTS = numberArg('restarts', 3);
const VLANS = textArg('vlan-range', '1-4094');
/** Instances per zone, in turn: a mean of 1.75, so 5,000 zones hold 8,750 instances. */
const SIZES = [1, 2, 1, 3];
const say = (m: string) => process.stderr.write(`[restart-bench] ${m}\n`);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The operator bench's eight members, each with CORES cores (and room for the pods on two fake nodes). */
function catalogue(): string {
  const docs = yaml.loadAll(readFileSync(join(repoRoot(), 'bench', 'operator', 'providers.yaml'), 'utf8')) as {
    spec: { capacity: { cores: number; memory: number } };
  }[];
  for (const d of docs) d.spec.capacity = { ...d.spec.capacity, cores: CORES, memory: CORES * 1024 };
  const file = join(mkdtempSync(join(tmpdir(), 'zk-restart-')), 'providers.yaml');
  writeFileSync(file, docs.map((d) => yaml.dump(d)).join('---\n'));
  return file;
}

const zone = (i: number): ExecutionZone =>
  benchZone(`cccccccc-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, 'bench', SIZES[i % SIZES.length], {
    memory: 64,
    storage: 64,
  });

interface RestartRun {
  startSeconds: number;
  leadingSeconds: number;
  steadySeconds: number;
  rssMiB: number;
  peakMiB: number;
  operatorRequests: { hub: Record<string, number>; members: Record<string, number> };
  operatorWrites: { hub: number; members: number };
  /** What the API servers counted meanwhile, from every client (lease renewals, KWOK, controllers), by resource. */
  hubServedWrites: Record<string, number>;
  memberServedWrites: Record<string, number>;
  podsBefore: number;
  podsAfter: number;
}

/** A zone the fill phase is done with: Ready, or waiting because every VLAN is taken. */
function settled(z: ExecutionZone): 'live' | 'waiting' | undefined {
  if (getCondition(z.status?.conditions, 'Ready')?.status === 'True') return 'live';
  const placed = getCondition(z.status?.conditions, 'Placed');
  return placed?.status === 'False' && placed.reason === 'NoFreeVlan' ? 'waiting' : undefined;
}

function memory(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssMiB: Math.round(kb('VmRSS') / 102.4) / 10, peakMiB: Math.round(kb('VmHWM') / 102.4) / 10 };
}

/**
 * Steady: every zone reconciled at least once by this process, and every
 * queue empty with no worker busy, twice in a row 250 ms apart.
 */
async function steady(op: OperatorProcess, zones: number): Promise<void> {
  let calm = 0;
  await pollUntil(
    'steady state',
    async () => {
      const text = await op.metrics();
      const reconciled = metricSum(text, 'controller_runtime_reconcile_total', { controller: 'executionzone' });
      const busy = metricSum(text, 'workqueue_depth') + metricSum(text, 'controller_runtime_active_workers');
      calm = reconciled >= zones && busy === 0 ? calm + 1 : 0;
      return calm >= 2 ? true : undefined;
    },
    { timeoutMs: 600_000, everyMs: 250 },
  );
}

/** The operator's own requests since it started, `method code` → count, split hub / members by host. */
function ownRequests(text: string, hubHost: string): { hub: Record<string, number>; members: Record<string, number> } {
  const out = { hub: {} as Record<string, number>, members: {} as Record<string, number> };
  for (const { labels, value } of metricSamples(text, 'rest_client_requests_total')) {
    const side = labels['host'] === hubHost ? out.hub : out.members;
    const key = `${labels['method']} ${labels['code']}`;
    side[key] = (side[key] ?? 0) + value;
  }
  return out;
}

const writes = (r: Record<string, number>): number =>
  Object.entries(r).reduce((n, [k, v]) => n + (WRITE_METHODS.has(k.split(' ')[0] ?? '') ? v : 0), 0);

function diff(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) out[k] = v - (before.get(k) ?? 0);
  return out;
}

async function countPods(members: readonly KubeClient[]): Promise<number> {
  let n = 0;
  for (const m of members)
    n += (await m.list<KubeObject>(resourcePath(PODS), { labelSelector: LABELS.applicationId })).items.length;
  return n;
}

async function main(): Promise<void> {
  const startedHere = readState() === undefined;
  process.env['TESTBED_PODS_PER_NODE'] ??= String(CORES);
  const state = await up({ catalogue: catalogue(), log: (m) => say(`testbed: ${m}`) });
  try {
    const { hub, operatorKubeconfig } = await installOnTestbed(state, { log: say });
    const members = await Promise.all(memberClusters(state).map((m) => adminClient(m)));
    const options = {
      kubeconfig: operatorKubeconfig,
      identity: 'restart-bench',
      concurrency: WORKERS,
      logFile: join(state.dir, 'logs', 'operator-restart-bench.log'),
      extraEnv: { ZONEKEEPER_VLAN_RANGE: VLANS },
    };
    let op = new OperatorProcess(options);
    let leading = op.waitLeading();
    await op.start();
    await leading;
    await apply(hub, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    const ready = new FirstSeen();
    const zoneInf = await track<ExecutionZone>(
      hub,
      resourcePath(EXECUTION_ZONES, 'bench'),
      ready,
      (z) => settled(z) !== undefined,
    );
    say(`creating ${ZONES} zones (${CONC} creates in flight, ${WORKERS} workers) ...`);
    const t0 = Date.now();
    const progress = setInterval(() => say(`${ready.at.size}/${ZONES} Ready or waiting for a VLAN`), 30_000);
    await pool(
      Array.from({ length: ZONES }, (_, i) => i),
      CONC,
      async (i) => {
        await hub.create(resourcePath(EXECUTION_ZONES, 'bench'), zone(i));
      },
    );
    await pollUntil(
      'every zone Ready or waiting for a VLAN',
      () => Promise.resolve(ready.at.size >= ZONES ? true : undefined),
      {
        timeoutMs: 3_600_000,
        everyMs: 1000,
      },
    );
    clearInterval(progress);
    const fillSeconds = (Date.now() - t0) / 1000;
    zoneInf.stop();
    await steady(op, ZONES);
    const pods = await countPods(members);
    const kinds = (await listZones(hub, 'bench')).map(settled);
    const live = kinds.filter((k) => k === 'live').length;
    const waiting = kinds.filter((k) => k === 'waiting').length;
    say(
      `${live} zones Ready with ${pods} pods and ${waiting} waiting for a VLAN in ${fillSeconds.toFixed(0)} s; operator ${JSON.stringify(memory(op.pid as number))}`,
    );

    const hubHost = hub.server.host;
    const runs: RestartRun[] = [];
    for (let r = 1; r <= RESTARTS; r++) {
      const [hub0, mem0] = await Promise.all([apiRequests([hub]), apiRequests(members)]);
      await op.kill('SIGKILL');
      op = new OperatorProcess(options);
      leading = op.waitLeading();
      const start = Date.now();
      await op.start();
      const started = Date.now();
      await leading;
      const led = Date.now();
      await steady(op, ZONES);
      const steadyAt = Date.now();
      const mem = memory(op.pid as number);
      // Writes that trail the steady state (a status written late) count too.
      await new Promise((res) => setTimeout(res, 10_000));
      const own = ownRequests(await op.metrics(), hubHost);
      const [hub1, mem1] = await Promise.all([apiRequests([hub]), apiRequests(members)]);
      const podsAfter = await countPods(members);
      const run: RestartRun = {
        startSeconds: (started - start) / 1000,
        leadingSeconds: (led - start) / 1000,
        steadySeconds: (steadyAt - start) / 1000,
        ...mem,
        operatorRequests: own,
        operatorWrites: { hub: writes(own.hub), members: writes(own.members) },
        hubServedWrites: diff(hub0, hub1),
        memberServedWrites: diff(mem0, mem1),
        podsBefore: pods,
        podsAfter,
      };
      say(`restart ${r}: ${JSON.stringify(run)}`);
      runs.push(run);
    }
    const pick = (f: (r: RestartRun) => number) => stats(runs.map(f));
    const out = {
      zones: ZONES,
      live,
      waitingForVlan: waiting,
      vlanRange: VLANS,
      instances: pods,
      fillSeconds,
      workers: WORKERS,
      restarts: runs,
      steadySeconds: pick((r) => r.steadySeconds),
      rssMiB: pick((r) => r.rssMiB),
      peakMiB: pick((r) => r.peakMiB),
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    await op.kill('SIGTERM');
    for (const m of members) m.close();
    hub.close();
  } finally {
    if (startedHere && !process.argv.includes('--keep')) await down({ log: (m) => say(`testbed: ${m}`) });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[restart-bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
