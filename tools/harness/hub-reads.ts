// Reading the operator's results back from the hub: waits on zone and
// release status, and the Listing 3 state as ExecutionZone statuses hold
// it (not recomputed: this is what the cluster says).

import { pollUntil } from './poll-until.js';
import type { ExecutionZone, ZoneRelease } from '../../src/core/api/types.js';
import type { Listing3Zone } from '../../src/core/render/listing3.js';
import { type KubeClient, isNotFound, resourcePath } from '../../src/runtime/kube-client.js';
import { EXECUTION_ZONES, ZONE_RELEASES } from '../../src/core/api/resources.js';
import { getCondition } from '../../src/controllers/conditions.js';

export function getZone(hub: KubeClient, namespace: string, name: string): Promise<ExecutionZone> {
  return hub.get<ExecutionZone>(resourcePath(EXECUTION_ZONES, namespace, name));
}

/** The operator has acted on the zone's current generation (placed it or said why not). */
export function waitZoneObserved(
  hub: KubeClient,
  namespace: string,
  name: string,
  timeoutMs = 60_000,
): Promise<ExecutionZone> {
  return pollUntil(
    `ExecutionZone ${namespace}/${name} observed`,
    async () => {
      const z = await getZone(hub, namespace, name);
      const placed = getCondition(z.status?.conditions, 'Placed');
      return z.status?.observedGeneration === z.metadata.generation &&
        placed &&
        placed.observedGeneration === z.metadata.generation
        ? z
        : undefined;
    },
    timeoutMs,
  );
}

export function waitZoneReady(
  hub: KubeClient,
  namespace: string,
  name: string,
  timeoutMs = 60_000,
): Promise<ExecutionZone> {
  let last: ExecutionZone | undefined;
  return pollUntil(
    `ExecutionZone ${namespace}/${name} Ready`,
    async () => {
      const z = await getZone(hub, namespace, name);
      last = z;
      return z.status?.observedGeneration === z.metadata.generation &&
        getCondition(z.status?.conditions, 'Ready')?.status === 'True'
        ? z
        : undefined;
    },
    {
      timeoutMs,
      // A time-out says what the zone last said of itself, not only that it was not Ready.
      detail: () =>
        last
          ? `generation ${last.metadata.generation}, observed ${last.status?.observedGeneration}; ${(
              last.status?.conditions ?? []
            )
              .map((c) => `${c.type}=${c.status}/${c.reason}: ${c.message}`)
              .join(' | ')}`
          : 'never read',
    },
  );
}

export function waitReleaseDone(
  hub: KubeClient,
  namespace: string,
  name: string,
  timeoutMs = 60_000,
): Promise<ZoneRelease> {
  return pollUntil(
    `ZoneRelease ${namespace}/${name} done`,
    async () => {
      const r = await hub.get<ZoneRelease>(resourcePath(ZONE_RELEASES, namespace, name));
      return r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed' ? r : undefined;
    },
    timeoutMs,
  );
}

export function waitZoneGone(hub: KubeClient, namespace: string, name: string, timeoutMs = 60_000): Promise<true> {
  return pollUntil(
    `ExecutionZone ${namespace}/${name} gone`,
    async () => {
      try {
        await getZone(hub, namespace, name);
        return undefined;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    },
    timeoutMs,
  );
}

export function isReleased(z: ExecutionZone): boolean {
  return getCondition(z.status?.conditions, 'Released')?.status === 'True';
}

export function waitZoneReleased(
  hub: KubeClient,
  namespace: string,
  name: string,
  timeoutMs = 60_000,
): Promise<ExecutionZone> {
  return pollUntil(
    `ExecutionZone ${namespace}/${name} Released`,
    async () => {
      const z = await getZone(hub, namespace, name);
      return isReleased(z) ? z : undefined;
    },
    timeoutMs,
  );
}

export async function listZones(hub: KubeClient, namespace?: string): Promise<ExecutionZone[]> {
  return (await hub.list<ExecutionZone>(resourcePath(EXECUTION_ZONES, namespace))).items;
}

/** Listing 3, from the statuses: application id -> the zone's fields, by VLAN. */
export function listing3FromStatus(zones: readonly ExecutionZone[]): Record<string, Listing3Zone> {
  const rows: [string, Listing3Zone][] = [];
  for (const z of zones) {
    const s = z.status;
    if (!s || s.vlanId === undefined || s.networkId === undefined || s.network === undefined) continue;
    const instances: Listing3Zone['instances'] = {};
    for (const [p, list] of Object.entries(s.instances ?? {})) {
      instances[p] = {};
      for (const [n, i] of Object.entries(list))
        instances[p][n] = { cores: i.cores, memory: i.memory, storage: i.storage, address: i.address };
    }
    rows.push([
      z.spec.applicationId.toLowerCase(),
      {
        vlan_id: s.vlanId,
        vpn: s.vpn ?? {},
        network_id: s.networkId,
        network: s.network,
        marking: s.marking ?? '',
        instances,
      },
    ]);
  }
  rows.sort((a, b) => a[1].vlan_id - b[1].vlan_id);
  return Object.fromEntries(rows);
}
