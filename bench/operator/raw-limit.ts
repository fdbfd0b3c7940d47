// The raw limit: the pods the operator would make for the benchmark's
// zones (first-fit fills the members in catalogue order, 100 one-core pods
// each), created directly through the client. Two client disciplines, the
// same two the operator phases use:
//  - burst: `concurrency` creates in flight, not waiting for Ready;
//  - closed loop: `concurrency` zones in flight, each slot creates one
//    zone's pods at once and waits for all of them to be Ready.

import type { InstanceAllocation } from '../../src/core/zones/allocation.js';
import { desiredPod, NAMESPACES, PODS, podReady, type MemberPod } from '../../src/clusters/member-objects.js';
import { apply } from '../../src/operator/apply.js';
import { waitFor } from '../../src/operator/hub-reads.js';
import { type KubeClient, type KubeObject, isNotFound, resourcePath } from '../../src/runtime/kube-client.js';
import { cpuSince, sampleCpu, type CpuProcess } from './cpu-account.js';
import { FirstSeen, track } from './first-seen.js';
import { pool } from './pool.js';

export interface Member {
  name: string;
  client: KubeClient;
}

export interface RawRun {
  ms: number;
  /** Seconds from create to Ready: per pod (burst) or per zone's pods (closed loop). */
  latencies: number[];
  /** CPU seconds by process group from the first create to the last Ready (clean-up excluded). */
  cpu: Record<string, number>;
}

const NS = 'bench-raw';

function rawPods(members: readonly Member[], zones: number, per: number): { m: Member; pod: MemberPod }[][] {
  const perMember = Math.ceil((zones * per) / members.length);
  return Array.from({ length: zones }, (_, z) =>
    Array.from({ length: per }, (_, j) => {
      const k = z * per + j;
      const m = members[Math.floor(k / perMember)] as Member;
      const inst: InstanceAllocation = { name: `C${k}`, provider: m.name, group: 'g1', environment: 'container', resourceType: 'CPU', cores: 1, memory: 256, storage: 1024, image: 'busybox', address: '::1' };
      const pod = desiredPod({ applicationId: 'raw', namespace: 'bench', name: 'raw' }, inst);
      // The same pod without zonekeeper's labels: the operator, which runs
      // through the whole benchmark, neither watches nor collects these.
      pod.metadata = { ...pod.metadata, namespace: NS, name: `raw-${k}`, labels: { app: 'bench-raw' } };
      return { m, pod };
    }),
  );
}

export async function rawLimit(members: readonly Member[], zones: number, per: number, concurrency: number, mode: 'burst' | 'closed', procs: readonly CpuProcess[]): Promise<RawRun> {
  const byZone = rawPods(members, zones, per);
  for (const m of members) await apply(m.client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } as KubeObject);
  // The namespace's ServiceAccount, so no create is refused for want of it.
  await new Promise((r) => setTimeout(r, 2000));
  const ready = new FirstSeen();
  const informers = await Promise.all(members.map((m) => track<MemberPod>(m.client, resourcePath(PODS, NS), ready, podReady)));
  const createdAt = new Map<string, number>();
  const cpu0 = sampleCpu(procs);
  const t0 = Date.now();
  const latencies: number[] = [];
  if (mode === 'burst') {
    await pool(byZone.flat(), concurrency, async ({ m, pod }) => {
      createdAt.set(pod.metadata?.name ?? '', Date.now());
      await m.client.create(resourcePath(PODS, NS), pod);
    });
    await waitFor('raw pods Ready', async () => (ready.at.size >= zones * per ? true : undefined), 600_000, 50);
    for (const [name, t] of createdAt) latencies.push(((ready.at.get(name) as number) - t) / 1000);
  } else {
    await pool(byZone, concurrency, async (pods) => {
      const t = Date.now();
      await Promise.all(pods.map(({ m, pod }) => m.client.create(resourcePath(PODS, NS), pod)));
      const last = Math.max(...(await Promise.all(pods.map(({ pod }) => ready.wait(pod.metadata?.name ?? '')))));
      latencies.push((last - t) / 1000);
    });
  }
  const ms = Math.max(...ready.at.values()) - t0;
  const cpu = cpuSince(cpu0, sampleCpu(procs));
  for (const i of informers) i.stop();
  for (const m of members) await m.client.delete(resourcePath(NAMESPACES, undefined, NS));
  await waitFor('raw namespaces gone', async () => {
    for (const m of members) {
      try {
        await m.client.get(resourcePath(NAMESPACES, undefined, NS));
        return undefined;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return true;
  }, 300_000, 500);
  return { ms, latencies: latencies.sort((a, b) => a - b), cpu };
}
