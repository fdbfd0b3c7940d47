// A seeded churn of zones for the crash-safety and handover tests:
// create, scale up (add a group), release named instances, release whole
// zones, in a random but reproducible order.

import type { ExecutionZone, InstanceGroup, PrivacyRules } from '../../../src/core/api/types.js';
import type { KubeClient } from '../../../src/runtime/kube-client.js';
import { apply } from '../../../tools/harness/apply.js';
import { getZone } from '../../../tools/harness/hub-reads.js';
import { loadAllocation } from '../../../src/core/zones/allocation.js';
import { mulberry32 } from '../../support/seeded-random.js';

/** Seeded, so a failing churn can be replayed. */
export const rng = mulberry32;

const RULES: (PrivacyRules | undefined)[] = [
  undefined,
  { regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }] },
  { countries: [{ action: 'DenySpecific', value: 310 }] },
  { regions: [{ action: 'AllowSpecific', value: 'Scandinavia' }, { action: 'DenyAll' }] },
];

export function appId(n: number, salt: number): string {
  const hex = (n + salt * 1000).toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

export function smallGroup(name: string, pick: () => number): InstanceGroup {
  const vm = pick() < 0.4;
  return {
    name,
    environment: vm ? 'VM' : 'container',
    platformType: vm ? 'cloud' : 'cloud+fog',
    resourceType: 'CPU',
    count: 1 + Math.floor(pick() * 2),
    cores: 1,
    memory: 256,
    storage: 1024,
    image: 'busybox',
  };
}

export function zoneManifest(namespace: string, id: string, pick: () => number): ExecutionZone {
  const privacy = RULES[Math.floor(pick() * RULES.length)];
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name: id, namespace },
    spec: { applicationId: id, ...(privacy ? { privacy } : {}), groups: [smallGroup('g1', pick)] },
  };
}

export interface ChurnCounts {
  created: number;
  scaledUp: number;
  partial: number;
  whole: number;
}

/** Runs `zones` creations interleaved with scale-ups and releases; returns what it did. */
export async function churn(
  hub: KubeClient,
  namespace: string,
  o: { zones: number; seed: number; salt: number; pauseMs: () => number },
): Promise<ChurnCounts> {
  const pick = rng(o.seed);
  const counts: ChurnCounts = { created: 0, scaledUp: 0, partial: 0, whole: 0 };
  const alive: string[] = [];
  let releases = 0;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  while (counts.created < o.zones) {
    const r = pick();
    if (r < 0.55 || alive.length < 3) {
      const id = appId(counts.created, o.salt);
      await apply(hub, zoneManifest(namespace, id, pick));
      alive.push(id);
      counts.created++;
    } else {
      const id = alive[Math.floor(pick() * alive.length)];
      let z: ExecutionZone;
      try {
        z = await getZone(hub, namespace, id);
      } catch {
        continue;
      }
      if (r < 0.72) {
        const groups = [...z.spec.groups, smallGroup(`g${z.spec.groups.length + 1}`, pick)];
        await apply(hub, { ...z, metadata: { name: z.metadata.name, namespace }, spec: { ...z.spec, groups } });
        counts.scaledUp++;
      } else if (r < 0.87) {
        const live =
          (z.status?.allocation ? loadAllocation(z.status.allocation).allocation?.instances : undefined) ?? [];
        if (live.length < 1) continue;
        const victim = live[Math.floor(pick() * live.length)];
        if (!victim) continue;
        await apply(hub, {
          apiVersion: 'zonekeeper.io/v1alpha1',
          kind: 'ZoneRelease',
          metadata: { name: `rel-${o.salt}-${releases++}`, namespace },
          spec: {
            zoneRef: { name: id },
            instances: { [victim.provider]: [victim.name] },
            trigger: { immediate: true },
          },
        });
        counts.partial++;
      } else {
        await apply(hub, {
          apiVersion: 'zonekeeper.io/v1alpha1',
          kind: 'ZoneRelease',
          metadata: { name: `rel-${o.salt}-${releases++}`, namespace },
          spec: { zoneRef: { name: id } },
        });
        alive.splice(alive.indexOf(id), 1);
        counts.whole++;
      }
    }
    await sleep(o.pauseMs());
  }
  return counts;
}
