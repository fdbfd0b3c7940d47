// The raw limit: the pods the operator would make for the benchmark's
// zones (first-fit fills the members in catalogue order, 100 one-core pods
// each), created directly through the client. Two client disciplines, the
// same two the operator phases use:
//  - burst: `concurrency` creates in flight, not waiting for Ready;
//  - closed loop: `concurrency` zones in flight, each slot creates one
//    zone's pods at once and waits for all of them to be Ready.
// With `namespacePerZone` (closed loop only) each zone's pods go into a
// namespace of their own, created just before them, as the operator's do:
// it prices what a fresh namespace costs a pod create, apart from the
// operator.

import type { InstanceAllocation } from '../../src/core/zones/allocation.js';
import { desiredPod, NAMESPACES, PODS, podReady, type MemberPod } from '../../src/clusters/member-objects.js';
import { apply } from '../../tools/harness/apply.js';
import { pollUntil } from '../../tools/harness/poll-until.js';
import { standalonePlan } from '../../tools/harness/zone-plan.js';
import { untilServiceAccount } from '../../src/clusters/member-actuator.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../src/runtime/kube-client.js';
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
const RAW_LABELS = { app: 'bench-raw' };

const zoneNs = (z: number): string => `${NS}-z${z}`;
/** The members one zone's pods go to. */
const hostsOf = (pods: readonly { m: Member }[]): Member[] => [...new Set(pods.map((p) => p.m))];

function rawPods(
  members: readonly Member[],
  zones: number,
  per: number,
  namespacePerZone: boolean,
): { m: Member; pod: MemberPod }[][] {
  const perMember = Math.ceil((zones * per) / members.length);
  return Array.from({ length: zones }, (_, z) =>
    Array.from({ length: per }, (_, j) => {
      const k = z * per + j;
      const m = members[Math.floor(k / perMember)];
      const inst: InstanceAllocation = {
        name: `C${k}`,
        provider: m.name,
        group: 'g1',
        environment: 'container',
        resourceType: 'CPU',
        cores: 1,
        memory: 256,
        storage: 1024,
        image: 'busybox',
        address: '::1',
      };
      const pod = desiredPod({ applicationId: 'raw', namespace: 'bench', name: 'raw' }, inst, standalonePlan('raw'));
      // The same pod without zonekeeper's labels: the operator, which runs
      // through the whole benchmark, neither watches nor collects these.
      pod.metadata = {
        ...pod.metadata,
        namespace: namespacePerZone ? zoneNs(z) : NS,
        name: `raw-${k}`,
        labels: RAW_LABELS,
      };
      return { m, pod };
    }),
  );
}

export async function rawLimit(
  members: readonly Member[],
  zones: number,
  per: number,
  concurrency: number,
  mode: 'burst' | 'closed',
  procs: readonly CpuProcess[],
  o: { namespacePerZone?: boolean } = {},
): Promise<RawRun> {
  const perZone = o.namespacePerZone === true;
  if (perZone && mode !== 'closed') throw new Error('namespacePerZone: closed loop only');
  const byZone = rawPods(members, zones, per, perZone);
  if (!perZone) {
    for (const m of members)
      await apply(m.client, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: NS, labels: RAW_LABELS },
      });
    // The namespace's ServiceAccount, so no create is refused for want of it.
    await new Promise((r) => setTimeout(r, 2000));
  }
  const ready = new FirstSeen();
  const informers = await Promise.all(
    members.map((m) =>
      track<MemberPod>(
        m.client,
        resourcePath(PODS, perZone ? undefined : NS),
        ready,
        podReady,
        `app=${RAW_LABELS.app}`,
      ),
    ),
  );
  const createdAt = new Map<string, number>();
  const cpu0 = sampleCpu(procs);
  const t0 = Date.now();
  const latencies: number[] = [];
  if (mode === 'burst') {
    await pool(byZone.flat(), concurrency, async ({ m, pod }) => {
      createdAt.set(pod.metadata?.name ?? '', Date.now());
      await m.client.create(resourcePath(PODS, NS), pod);
    });
    await pollUntil('raw pods Ready', () => (ready.at.size >= zones * per ? true : undefined), {
      timeoutMs: 600_000,
      everyMs: 50,
    });
    for (const [name, t] of createdAt) latencies.push(((ready.at.get(name) as number) - t) / 1000);
  } else {
    await pool(
      byZone.map((pods, z) => ({ pods, z })),
      concurrency,
      async ({ pods, z }) => {
        const t = Date.now();
        if (perZone) {
          await Promise.all(
            hostsOf(pods).map((m) =>
              m.client.create(resourcePath(NAMESPACES), {
                apiVersion: 'v1',
                kind: 'Namespace',
                metadata: { name: zoneNs(z), labels: RAW_LABELS },
              }),
            ),
          );
        }
        // Into a namespace made a moment ago: retried while its ServiceAccount is missing, as the operator's are.
        await Promise.all(
          pods.map(({ m, pod }) =>
            untilServiceAccount(async () => {
              await m.client.create(resourcePath(PODS, pod.metadata?.namespace), pod);
            }),
          ),
        );
        const last = Math.max(...(await Promise.all(pods.map(({ pod }) => ready.wait(pod.metadata?.name ?? '')))));
        latencies.push((last - t) / 1000);
      },
    );
  }
  const ms = Math.max(...ready.at.values()) - t0;
  const cpu = cpuSince(cpu0, sampleCpu(procs));
  for (const i of informers) i.stop();
  const doomed = perZone
    ? byZone.flatMap((pods, z) => hostsOf(pods).map((m) => ({ m, name: zoneNs(z) })))
    : members.map((m) => ({ m, name: NS }));
  await pool(doomed, concurrency, async ({ m, name }) => {
    await m.client.delete(resourcePath(NAMESPACES, undefined, name));
  });
  await pollUntil(
    'raw namespaces gone',
    async () => {
      for (const m of members)
        if (
          (await m.client.list<KubeObject>(resourcePath(NAMESPACES), { labelSelector: `app=${RAW_LABELS.app}` })).items
            .length > 0
        )
          return undefined;
      return true;
    },
    { timeoutMs: 600_000, everyMs: 500 },
  );
  return { ms, latencies: latencies.sort((a, b) => a - b), cpu };
}
