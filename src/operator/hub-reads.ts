// Reading the operator's results back from the hub: waits on zone and
// release status, and the Listing 3 state as ExecutionZone statuses hold
// it (not recomputed: this is what the cluster says).

import type { ExecutionZone, ZoneRelease } from '../core/api/types.js';
import type { Listing3Zone } from '../core/render/listing3.js';
import { type KubeClient, isNotFound, resourcePath } from '../runtime/kube-client.js';
import { EXECUTION_ZONES, ZONE_RELEASES } from '../core/api/resources.js';
import { getCondition } from '../controllers/conditions.js';

export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function getZone(hub: KubeClient, namespace: string, name: string): Promise<ExecutionZone> {
  return hub.get<ExecutionZone>(resourcePath(EXECUTION_ZONES, namespace, name));
}

/** The operator has acted on the zone's current generation (placed it or said why not). */
export function waitZoneObserved(hub: KubeClient, namespace: string, name: string, timeoutMs = 60_000): Promise<ExecutionZone> {
  return waitFor(`ExecutionZone ${namespace}/${name} observed`, async () => {
    const z = await getZone(hub, namespace, name);
    const placed = getCondition(z.status?.conditions, 'Placed');
    return z.status?.observedGeneration === z.metadata.generation && placed && placed.observedGeneration === z.metadata.generation ? z : undefined;
  }, timeoutMs);
}

export function waitZoneReady(hub: KubeClient, namespace: string, name: string, timeoutMs = 60_000): Promise<ExecutionZone> {
  return waitFor(`ExecutionZone ${namespace}/${name} Ready`, async () => {
    const z = await getZone(hub, namespace, name);
    return z.status?.observedGeneration === z.metadata.generation && getCondition(z.status?.conditions, 'Ready')?.status === 'True' ? z : undefined;
  }, timeoutMs);
}

export function waitReleaseDone(hub: KubeClient, namespace: string, name: string, timeoutMs = 60_000): Promise<ZoneRelease> {
  return waitFor(`ZoneRelease ${namespace}/${name} done`, async () => {
    const r = await hub.get<ZoneRelease>(resourcePath(ZONE_RELEASES, namespace, name));
    return r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed' ? r : undefined;
  }, timeoutMs);
}

export function waitZoneGone(hub: KubeClient, namespace: string, name: string, timeoutMs = 60_000): Promise<true> {
  return waitFor(`ExecutionZone ${namespace}/${name} gone`, async () => {
    try {
      await getZone(hub, namespace, name);
      return undefined;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }, timeoutMs);
}

export function isReleased(z: ExecutionZone): boolean {
  return getCondition(z.status?.conditions, 'Released')?.status === 'True';
}

export function waitZoneReleased(hub: KubeClient, namespace: string, name: string, timeoutMs = 60_000): Promise<ExecutionZone> {
  return waitFor(`ExecutionZone ${namespace}/${name} Released`, async () => {
    const z = await getZone(hub, namespace, name);
    return isReleased(z) ? z : undefined;
  }, timeoutMs);
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
      for (const [n, i] of Object.entries(list)) instances[p][n] = { cores: i.cores, memory: i.memory, storage: i.storage, address: i.address };
    }
    rows.push([z.spec.applicationId.toLowerCase(), { vlan_id: s.vlanId, vpn: s.vpn ?? {}, network_id: s.networkId, network: s.network, marking: s.marking ?? '', instances }]);
  }
  rows.sort((a, b) => a[1].vlan_id - b[1].vlan_id);
  return Object.fromEntries(rows);
}
