// Releases the zone reconciler makes when a ZoneRelease asks
// (release-requests.ts): the allocation changes under the placement lock
// and is committed to the zone's status before the pass goes on, so the
// rest of the pass (provisionMembers, programNetwork) removes what was
// released from the members and the switch.

import type { ExecutionZone, ExecutionZoneStatus } from '../core/api/types.js';
import { formatFieldErrors } from '../core/errors.js';
import { storeAllocation, type ZoneAllocation } from '../core/zones/allocation.js';
import { type Federation, instanceOrder } from '../core/zones/federation.js';
import type { Logger } from '../runtime/logger.js';
import { zoneConditions } from './execution-zone-conditions.js';
import type { HubObjects } from './object-store.js';
import type { PlacementState } from './placement-state.js';
import type { ReleaseAsk, ReleaseOutcome } from './release-requests.js';
import { allocationFields, cloneStatus } from './zone-status.js';

export interface ReleaseContext {
  state: PlacementState;
  zones: HubObjects<ExecutionZone>;
  logger: Logger;
  /** Switches hold the zone's entries (a sidecar is configured): a released VLAN drains before another zone gets it. */
  switchesHoldEntries: () => boolean;
}

/** What a release reads and changes of the zone reconciler's pass. */
export interface ReleasePass {
  key: string;
  zone: ExecutionZone;
  status: ExecutionZoneStatus;
  now: string;
  released: boolean;
}

const applicationId = (zone: ExecutionZone): string => zone.spec.applicationId.toLowerCase();

/**
 * Writes the zone's allocation `a` (changed in `f` under the placement lock)
 * and the Listing 3 fields derived from it, durably, before anything acts
 * on it; `p` then holds the written zone. A failed write marks the state
 * stale, so the rebuild forgets the change, which nothing has used yet.
 */
export async function commitAllocation(
  c: Pick<ReleaseContext, 'state' | 'zones'>,
  f: Federation,
  p: ReleasePass,
  a: ZoneAllocation,
  what: string,
): Promise<void> {
  const marking = f.marking(a.applicationId);
  const old = p.zone.status;
  const fields = marking
    ? allocationFields(
        structuredClone(a),
        marking,
        f.globalId,
        (provider, n) => old?.instances?.[provider]?.[n]?.phase,
        f.catalogue.providers.map((x) => x.name),
      )
    : { allocation: storeAllocation(a) };
  const status = { ...cloneStatus(old), ...fields };
  const zone = p.zone;
  p.zone = await c.state.commit(() => c.zones.writeStatus(zone, status), `${what} commit for ${p.key} failed`);
  p.status = cloneStatus(p.zone.status);
}

/**
 * The whole zone goes: its allocation is given back (VLAN, addresses,
 * capacity) and the zone is marked Released, durably, in one conditional
 * status write under the placement lock. The object stays (a GitOps tool
 * keeps it in sync; its owner deletes it) and is never placed again;
 * the rest of this pass removes its member objects and switch entries.
 */
export async function releaseWhole(
  c: ReleaseContext,
  p: ReleasePass,
  ask: ReleaseAsk,
): Promise<{ ok: true; released: Record<string, string[]> }> {
  if (p.released) return { ok: true, released: {} };
  const id = applicationId(p.zone);
  await c.state.withLock(async (f) => {
    const a = f.allocation(id);
    const marker: ZoneAllocation = {
      applicationId: id,
      groups: structuredClone(a?.groups ?? {}),
      instances: [],
      released: [...(a?.released ?? []), ...(a?.instances.map((i) => i.name) ?? [])],
    };
    if (f.has(id)) f.releaseZone(id);
    // The switches still admit the zone on its VLAN until this pass's removal is confirmed.
    if (a?.vlanId !== undefined && c.switchesHoldEntries()) c.state.drain(id, a.vlanId);
    // Keep the zone known, placed and empty, so it is not placed again.
    const problems = f.restore(p.zone.spec, marker);
    if (problems.length > 0)
      c.logger.warn('released zone not kept in memory', { zone: p.key, problems: formatFieldErrors(problems) });
    const status: ExecutionZoneStatus = {
      ...cloneStatus(p.zone.status),
      allocation: storeAllocation(marker),
      releasedInstances: [...marker.released].sort(instanceOrder),
      vlanId: undefined,
      networkId: undefined,
      network: undefined,
      vpn: undefined,
      instances: undefined,
      providers: undefined,
    };
    status.conditions = zoneConditions(
      status.conditions,
      { generation: p.zone.metadata.generation, releasedBy: ask.releaseName },
      p.now,
    );
    const zone = p.zone;
    p.zone = await c.state.commit(() => c.zones.writeStatus(zone, status), `whole release of ${p.key} failed`);
    p.status = cloneStatus(p.zone.status);
  });
  p.released = true;
  return { ok: true, released: {} };
}

/**
 * Named instances leave the durable allocation, all or nothing; this
 * pass's provisionMembers then deletes their pods/VMs. Released names
 * stay in the allocation's `released` list, so they are never created
 * again.
 */
export async function releaseNamed(
  c: ReleaseContext,
  p: ReleasePass,
  instances: Record<string, string[]>,
): Promise<ReleaseOutcome> {
  const id = applicationId(p.zone);
  return c.state.withLock(async (f) => {
    const a = f.allocation(id);
    if (!a) return { ok: false, message: `ExecutionZone ${p.key} holds no instances yet; nothing was released` };
    // Asked again after a crash between the zone's commit and the release's status: already done.
    const all = Object.values(instances).flat();
    if (all.every((n) => a.released.includes(n) && !a.instances.some((i) => i.name === n)))
      return { ok: true, released: instances };
    const r = f.releaseInstances(id, instances, 'spec.instances');
    if (!r.ok) return { ok: false, message: `nothing was released: ${formatFieldErrors(r.errors)}` };
    await commitAllocation(c, f, p, a, 'release');
    return { ok: true, released: r.released };
  });
}
