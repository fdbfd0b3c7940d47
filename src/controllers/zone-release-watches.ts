// What brings a ZoneRelease back to its reconciler: For(ZoneRelease); a
// zone appearing (a release that named it may be due now); and the zone
// reconciler answering the release (the manager wires
// ExecutionZoneReconciler's onReleaseSettled to the queue).

import { keyOf } from '../core/api/resources.js';
import type { ExecutionZone, ZoneRelease } from '../core/api/types.js';
import type { EventSource } from '../runtime/watches.js';
import { Watches } from '../runtime/watches.js';
import type { WorkQueue } from '../runtime/work-queue.js';

export interface ZoneReleaseWatchSources {
  releases: EventSource<ZoneRelease> & { list(): ZoneRelease[] };
  zones: EventSource<ExecutionZone>;
}

export function zoneReleaseWatches(queue: Pick<WorkQueue, 'add' | 'addAfter'>, s: ZoneReleaseWatchSources): void {
  const naming = (z: ExecutionZone) =>
    s.releases
      .list()
      .filter((r) => r.metadata.namespace === z.metadata.namespace && r.spec.zoneRef.name === z.metadata.name)
      .map(keyOf);
  new Watches(queue).for(s.releases).watches(s.zones, { add: naming });
}
