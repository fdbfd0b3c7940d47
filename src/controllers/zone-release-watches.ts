// What brings a ZoneRelease back to its reconciler: For(ZoneRelease); a
// zone appearing (a release that named it may be due now); the zone
// reconciler answering the release (the manager wires
// ExecutionZoneReconciler's onReleaseSettled to the queue); for a release
// waiting for its application to complete, a change of its zone's pods or
// VMs in a member (the member cache's zone-object events). The echo of
// the reconciler's own status write is skipped: a monitored trigger writes
// its observation at every pass, and reconciling that echo at once would
// read the members or the switches in a tight loop instead of at its poll.

import { keyOf } from '../core/api/resources.js';
import type { ExecutionZone, ZoneRelease } from '../core/api/types.js';
import type { ObjectStore } from './object-store.js';
import type { EventSource } from '../runtime/watches.js';
import { Watches } from '../runtime/watches.js';
import type { WorkQueue } from '../runtime/work-queue.js';

export interface ZoneReleaseWatchSources {
  releases: EventSource<ZoneRelease> & { list(): ZoneRelease[] };
  zones: EventSource<ExecutionZone>;
  /** The store the reconciler writes through: what it wrote comes back as an echo. */
  store?: Pick<ObjectStore<ZoneRelease>, 'isEcho' | 'onMissed'>;
}

export interface ZoneReleaseTriggers {
  /** A pod or VM of the zone (`namespace/name`) changed in a member. */
  zoneObjectChanged(zoneKey: string): void;
}

export function zoneReleaseWatches(
  queue: Pick<WorkQueue, 'add' | 'addAfter'>,
  s: ZoneReleaseWatchSources,
): ZoneReleaseTriggers {
  const naming = (z: ExecutionZone) =>
    s.releases
      .list()
      .filter((r) => r.metadata.namespace === z.metadata.namespace && r.spec.zoneRef.name === z.metadata.name)
      .map(keyOf);
  const store = s.store;
  const ownEcho = store
    ? (now: ZoneRelease, old: ZoneRelease) =>
        now.metadata.generation === old.metadata.generation &&
        now.metadata.deletionTimestamp === old.metadata.deletionTimestamp &&
        store.isEcho(now)
    : undefined;
  if (store) store.onMissed = (key) => queue.add(key);
  new Watches(queue).for(s.releases, ownEcho).watches(s.zones, { add: naming });
  return {
    zoneObjectChanged(zoneKey) {
      for (const r of s.releases.list()) {
        if (r.spec.trigger?.completed === undefined || r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed')
          continue;
        const zone = keyOf({ metadata: { namespace: r.metadata.namespace, name: r.spec.zoneRef.name } });
        if (zone === zoneKey) queue.add(keyOf(r));
      }
    },
  };
}
