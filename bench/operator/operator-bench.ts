// The operator benchmark: 200 zones of 4 one-core container instances over
// 8 members (bench/operator/providers.yaml), time until all are Ready and
// per-zone create-to-Ready, against the raw limit measured in the same
// run: the same 800 pods created directly through the client at the same
// concurrency, timed until all are Ready. Then 800 more zones (1,000 in
// all) for the operator's resident memory.
//
//   TESTBED_DIR=.testbed-bench node dist/bench/operator/operator-bench.js \
//     [--zones 200] [--instances 4] [--concurrency 8] [--rss-zones 1000] [--keep]

import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { ExecutionZone } from '../../src/core/api/types.js';
import { desiredPod, NAMESPACES, PODS, podReady, type MemberPod } from '../../src/clusters/member-objects.js';
import type { InstanceAllocation } from '../../src/core/zones/allocation.js';
import { getCondition } from '../../src/controllers/conditions.js';
import { EXECUTION_ZONES } from '../../src/controllers/resources.js';
import { apply } from '../../src/operator/apply.js';
import { listZones, waitFor } from '../../src/operator/hub-reads.js';
import { metricValue, OperatorProcess } from '../../src/operator/operator-process.js';
import { adminClient, installOnTestbed } from '../../src/operator/testbed-setup.js';
import { type KubeClient, type KubeObject, isNotFound, resourcePath } from '../../src/runtime/kube-client.js';
import { down, up } from '../../src/testbed/testbed.js';
import { repoRoot } from '../../src/testbed/paths.js';
import { memberClusters, readState } from '../../src/testbed/state.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const ZONES = arg('zones', 200);
const PER = arg('instances', 4);
const CONC = arg('concurrency', 8);
const RSS_ZONES = arg('rss-zones', 1000);
const say = (m: string) => process.stderr.write(`[bench] ${m}\n`);

async function pool<T>(items: readonly T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}

const zoneId = (i: number, salt: number) => `bbbbbbbb-0000-4000-8000-${(salt * 100000 + i).toString(16).padStart(12, '0')}`;

function zone(i: number, salt: number, count: number): ExecutionZone {
  const id = zoneId(i, salt);
  return { apiVersion: 'zonekeeper.io/v1alpha1', kind: 'ExecutionZone', metadata: { name: id, namespace: 'bench' }, spec: { applicationId: id, groups: [{ name: 'g1', environment: 'container', platformType: 'cloud+fog', resourceType: 'CPU', count, cores: 1, memory: 256, storage: 1024, image: 'busybox' }] } };
}

async function rawLimit(members: { name: string; client: KubeClient }[]): Promise<{ ms: number; lat: number[] }> {
  // The same pods the operator would make: first-fit puts 100 one-core pods on each member.
  const perMember = Math.ceil((ZONES * PER) / members.length);
  const pods: { m: { name: string; client: KubeClient }; pod: MemberPod }[] = [];
  for (let k = 0; k < ZONES * PER; k++) {
    const m = members[Math.floor(k / perMember)] as { name: string; client: KubeClient };
    const inst: InstanceAllocation = { name: `C${k}`, provider: m.name, group: 'g1', environment: 'container', resourceType: 'CPU', cores: 1, memory: 256, storage: 1024, image: 'busybox', address: '::1' };
    const pod = desiredPod({ applicationId: 'raw', namespace: 'bench', name: 'raw' }, inst);
    pod.metadata = { ...pod.metadata, namespace: 'bench-raw', name: `raw-${k}` };
    pods.push({ m, pod });
  }
  for (const m of members) await apply(m.client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-raw' } } as KubeObject);
  await new Promise((r) => setTimeout(r, 2000));
  const t0 = Date.now();
  const createdAt = new Map<string, number>();
  const readyAt = new Map<string, number>();
  // Watches, as the operator's informers see the pods: first Ready time per pod.
  const watches = members.map((m) => m.client.watch<MemberPod>(resourcePath(PODS, 'bench-raw'), {}, (ev) => {
    const name = ev.object?.metadata?.name;
    if (name && !readyAt.has(name) && podReady(ev.object)) readyAt.set(name, Date.now());
  }, () => undefined));
  await pool(pods, CONC, async ({ m, pod }) => {
    createdAt.set(pod.metadata?.name ?? '', Date.now());
    await m.client.create(resourcePath(PODS, 'bench-raw'), pod);
  });
  // The watches give the precise times; a LIST every half second covers a watch that broke.
  await waitFor('raw pods Ready', async () => {
    if (readyAt.size < pods.length) {
      for (const m of members) {
        for (const p of (await m.client.list<MemberPod>(resourcePath(PODS, 'bench-raw'))).items) {
          const name = p.metadata?.name ?? '';
          if (podReady(p) && !readyAt.has(name)) readyAt.set(name, Date.now());
        }
      }
    }
    return readyAt.size >= pods.length ? true : undefined;
  }, 600_000, 500);
  const ms = Math.max(...readyAt.values()) - t0;
  for (const w of watches) w.abort();
  const lat = [...createdAt].map(([k, t]) => ((readyAt.get(k) as number) - t) / 1000).sort((a, b) => a - b);
  for (const m of members) await m.client.delete(resourcePath(NAMESPACES, undefined, 'bench-raw'));
  await waitFor('raw namespaces gone', async () => {
    for (const m of members) {
      try {
        await m.client.get(resourcePath(NAMESPACES, undefined, 'bench-raw'));
        return undefined;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return true;
  }, 300_000, 500);
  return { ms, lat };
}

async function main(): Promise<void> {
  const startedHere = readState() === undefined;
  const state = await up({ catalogue: join(repoRoot(), 'bench', 'operator', 'providers.yaml'), log: (m) => say(`testbed: ${m}`) });
  try {
    const { hub, operatorKubeconfig } = await installOnTestbed(state, { log: say, catalogue: join(repoRoot(), 'bench', 'operator', 'providers.yaml') });
    const members = await Promise.all(memberClusters(state).map(async (m) => ({ name: m.name, client: await adminClient(m) })));
    say(`raw limit: ${ZONES * PER} pods, ${CONC} at a time ...`);
    const raw = await rawLimit(members);
    const rawMs = raw.ms;
    say(`raw: ${(rawMs / 1000).toFixed(2)} s; per pod p50 ${percentile(raw.lat, 50).toFixed(3)} s, p99 ${percentile(raw.lat, 99).toFixed(3)} s`);

    const op = new OperatorProcess({ kubeconfig: operatorKubeconfig, identity: 'bench', concurrency: CONC, logFile: join(state.dir, 'logs', 'operator-bench.log') });
    const leading = op.waitLeading();
    await op.start();
    await leading;
    await apply(hub, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } } as KubeObject);
    const created = new Map<string, number>();
    const ready = new Map<string, number>();
    const placed = new Map<string, number>();
    const watch = hub.watch<ExecutionZone>(resourcePath(EXECUTION_ZONES, 'bench'), {}, (ev) => {
      const z = ev.object;
      if (z?.metadata?.name && !ready.has(z.metadata.name) && getCondition(z.status?.conditions, 'Ready')?.status === 'True') ready.set(z.metadata.name, Date.now());
      if (z?.metadata?.name && !placed.has(z.metadata.name) && getCondition(z.status?.conditions, 'Placed')?.status === 'True') placed.set(z.metadata.name, Date.now());
    }, () => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    const t0 = Date.now();
    const items = Array.from({ length: ZONES }, (_, i) => i);
    await pool(items, CONC, async (i) => {
      const z = zone(i, 1, PER);
      created.set(z.metadata.name, Date.now());
      await hub.create(resourcePath(EXECUTION_ZONES, 'bench'), z);
    });
    const createMs = Date.now() - t0;
    await waitFor('all zones Ready', async () => (ready.size >= ZONES ? true : undefined), 900_000, 100);
    const totalMs = Math.max(...ready.values()) - t0;
    const lat = [...created].map(([k, t]) => ((ready.get(k) as number) - t) / 1000).sort((a, b) => a - b);
    const rss200 = rssMiB(op.pid as number);
    const metrics = await op.metrics();
    say(`operator: ${(totalMs / 1000).toFixed(2)} s for ${ZONES} zones; p50 ${percentile(lat, 50).toFixed(3)} s, p99 ${percentile(lat, 99).toFixed(3)} s; RSS ${rss200} MiB`);

    // 1,000 zones for memory: the extra ones find no capacity and wait (explanations kept).
    const extra = Array.from({ length: RSS_ZONES - ZONES }, (_, i) => i);
    await pool(extra, CONC, async (i) => {
      await hub.create(resourcePath(EXECUTION_ZONES, 'bench'), zone(i, 2, 1));
    });
    await waitFor('all zones observed', async () => {
      const zs = await listZones(hub, 'bench');
      return zs.length >= RSS_ZONES && zs.every((z) => getCondition(z.status?.conditions, 'Placed') !== undefined) ? true : undefined;
    }, 600_000, 500);
    await new Promise((r) => setTimeout(r, 3000));
    const rss1000 = rssMiB(op.pid as number);
    watch.abort();
    const result = {
      zones: ZONES,
      instancesPerZone: PER,
      concurrency: CONC,
      rawSeconds: rawMs / 1000,
      rawPodP50Seconds: percentile(raw.lat, 50),
      rawPodP99Seconds: percentile(raw.lat, 99),
      zonesCreatedSeconds: createMs / 1000,
      allPlacedSeconds: (Math.max(...placed.values()) - t0) / 1000,
      placeP50Seconds: percentile([...created].map(([k, t]) => ((placed.get(k) as number) - t) / 1000).sort((a, b) => a - b), 50),
      operatorSeconds: totalMs / 1000,
      ratio: totalMs / rawMs,
      p50Seconds: percentile(lat, 50),
      p99Seconds: percentile(lat, 99),
      maxSeconds: lat[lat.length - 1],
      rssMiB200: rss200,
      rssMiB1000: rss1000,
      rssZones: RSS_ZONES,
      placements: metricValue(metrics, 'zonekeeper_placement_duration_seconds_count'),
      placementSecondsSum: metricValue(metrics, 'zonekeeper_placement_duration_seconds_sum'),
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    await op.kill('SIGTERM');
    for (const m of members) m.client.close();
    hub.close();
  } finally {
    if (startedHere && !process.argv.includes('--keep')) await down({ log: (m) => say(`testbed: ${m}`) });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
