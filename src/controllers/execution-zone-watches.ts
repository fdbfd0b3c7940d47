// What brings an ExecutionZone back to its reconciler:
//   For(ExecutionZone), except the echo of this process's own writes;
//   its pods and VMs in the members (folded over a short delay, except the
//   event that makes the zone Ready); a member turning reachable or not,
//   and the catalogue changing (the zones on that provider, or that failed
//   over from it); a
//   PrivacyRegion's meaning changing (the zones whose rules name it: their
//   compliance is checked again); the switch's programmer reporting a
//   change; capacity freed or a region changed (the zones that wait,
//   oldest first). A zone that waits is not polled often (the
//   reconciler's waitingPollMs): these wake it.
// The informer is watched here; the other sources call the returned
// triggers, which the manager hands to them.

import { ZoneConditionType } from '../core/api/conditions.js';
import { keyOf } from '../core/api/resources.js';
import type { ExecutionZone, PrivacyRegion } from '../core/api/types.js';
import { regionsNamedBy } from '../core/privacy/region-status.js';
import type { EventSource } from '../runtime/watches.js';
import { Watches } from '../runtime/watches.js';
import type { WorkQueue } from '../runtime/work-queue.js';
import { isTrue } from './conditions.js';
import type { ExecutionZoneReconciler } from './execution-zone-reconciler.js';
import type { ObjectStore } from './object-store.js';
import type { PlacementState } from './placement-state.js';
import { regionMeaningChanged } from './privacy-region-watches.js';

export interface ExecutionZoneWatchSources {
  zones: EventSource<ExecutionZone>;
  store: ObjectStore<ExecutionZone>;
  /** PrivacyRegions: a change of meaning requeues the zones whose rules name the region. */
  regions?: EventSource<PrivacyRegion>;
  state: PlacementState;
  reconciler: Pick<ExecutionZoneReconciler, 'becameReady' | 'waiting'>;
  /** Delay before a member-side change requeues its zone (folds bursts). */
  memberEventDelayMs?: number;
}

export interface ExecutionZoneTriggers {
  /** One of the zone's pods or VMs changed in a member. */
  zoneObjectChanged(zoneKey: string): void;
  /** The zones with instances on this provider. */
  providerChanged(provider: string): void;
  /** The switch's programmer: these zones' entries (or every zone's) may read differently now. */
  networkChanged(applicationIds: string[] | 'all'): void;
  /** Capacity was freed or the catalogue changed: the zones that wait, oldest first. */
  capacityFreed(): void;
}

export function executionZoneWatches(
  queue: Pick<WorkQueue, 'add' | 'addAfter' | 'addNow'>,
  s: ExecutionZoneWatchSources,
): ExecutionZoneTriggers {
  // Our own writes come back as updates; reconciling them again would only
  // recompute what the writing pass just wrote (GenerationChangedPredicate
  // in controller-runtime terms, but narrower: anyone else's change, even to
  // status, still counts). An update held while a write was in flight that
  // turns out not to be ours comes back through onMissed.
  const ownEcho = (now: ExecutionZone, old: ExecutionZone) =>
    now.metadata.generation === old.metadata.generation &&
    now.metadata.deletionTimestamp === old.metadata.deletionTimestamp &&
    s.store.isEcho(now);
  new Watches(queue).for(s.zones, ownEcho);
  s.store.onMissed = (key) => queue.add(key);
  // The placement state marks itself stale on the same events
  // (placementRegionWatches), so these passes check against the new regions.
  const zonesNaming = (region: PrivacyRegion) => {
    const name = region.metadata.name.toLowerCase();
    for (const z of s.store.list()) if (regionsNamedBy(z.spec).has(name)) queue.add(keyOf(z));
  };
  s.regions?.on({
    add: zonesNaming,
    update: (now, old) => (regionMeaningChanged(old, now) ? zonesNaming(now) : undefined),
    delete: zonesNaming,
  });

  const zonesOnProvider = (provider: string): string[] => {
    const f = s.state.federation;
    if (!f) return [];
    // A zone that failed over from the provider too: when the member answers
    // again, its pass deletes the instances left there (they are no longer live).
    const hosting = f
      .entries()
      .filter(
        (e) =>
          e.allocation.instances.some((i) => i.provider === provider) ||
          Object.values(e.allocation.groups).some((g) => g.moves?.some((m) => m.from === provider)),
      );
    return hosting.map((e) => s.state.ownerOf(e.allocation.applicationId)).filter((k): k is string => k !== undefined);
  };
  return {
    zoneObjectChanged(key) {
      // A zone's pods change in bursts (created, scheduled, running, times
      // N): a short delay folds a burst into one pass and one status write.
      // The pass that only has to report Ready goes at once and ahead of
      // new zones: at most one per zone, so first passes do not starve.
      if (s.reconciler.becameReady(key)) queue.addNow(key, true);
      else queue.addAfter(key, s.memberEventDelayMs ?? 1000);
    },
    providerChanged(provider) {
      for (const k of zonesOnProvider(provider)) queue.add(k);
    },
    networkChanged(ids) {
      if (!s.state.federation) return;
      for (const id of ids === 'all' ? s.state.zonesWithVlan() : ids) {
        const key = s.state.ownerOf(id.toLowerCase());
        if (key) queue.add(key);
      }
    },
    capacityFreed() {
      const waiting = s.store
        .list()
        .filter((z) => !isTrue(z.status?.conditions, ZoneConditionType.Placed) || s.reconciler.waiting.has(keyOf(z)));
      waiting.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
      for (const z of waiting) queue.add(keyOf(z));
    },
  };
}
