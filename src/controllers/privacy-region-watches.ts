// What brings a PrivacyRegion back to its reconciler: which hub changes
// can change which region's status. A region's own status write comes
// back as an informer update and must not requeue anything, or the
// controller would chase its own tail.

import type { ExecutionZone, PrivacyRegion, ProviderCluster } from '../core/api/types.js';
import { REGION_NAME_ANNOTATION } from '../core/privacy/region-catalogue.js';
import { regionsNamedBy } from '../core/privacy/region-status.js';
import type { EventSource } from '../runtime/watches.js';
import { Watches } from '../runtime/watches.js';
import type { WorkQueue } from '../runtime/work-queue.js';
import { jsonEqual } from './merge-patch.js';
import type { PlacementState } from './placement-state.js';

export interface PrivacyRegionWatchSources {
  regions: EventSource<PrivacyRegion> & { list(): PrivacyRegion[]; get(key: string): PrivacyRegion | undefined };
  zones: EventSource<ExecutionZone>;
  providers: EventSource<ProviderCluster>;
  /** Zone and provider churn comes in bursts; counts are written once per burst. */
  batchDelayMs?: number;
}

/** Whether what a region means for placement changed (not just its status or bookkeeping). */
export function regionMeaningChanged(old: PrivacyRegion, now: PrivacyRegion): boolean {
  return (
    !jsonEqual(old.spec, now.spec) ||
    old.metadata.annotations?.[REGION_NAME_ANNOTATION] !== now.metadata.annotations?.[REGION_NAME_ANNOTATION]
  );
}

export function privacyRegionWatches(queue: Pick<WorkQueue, 'add' | 'addAfter'>, s: PrivacyRegionWatchSources): void {
  const delayMs = s.batchDelayMs ?? 1000;
  // Marking-bit conflicts and the built-in fallback depend on every other region.
  const all = () => s.regions.list().map((r) => r.metadata.name);
  const named = (names: Iterable<string>) => [...names].filter((n) => s.regions.get(n) !== undefined);
  const symmetricDifference = (a: Set<string>, b: Set<string>) =>
    [...a].filter((n) => !b.has(n)).concat([...b].filter((n) => !a.has(n)));
  new Watches(queue)
    .watches(s.regions, {
      add: all,
      update: (now, old) => (regionMeaningChanged(old, now) ? all() : undefined),
      delete: all,
    })
    .watches(
      s.providers,
      {
        add: all,
        update: (now, old) => (String(now.spec.country) !== String(old.spec.country) ? all() : undefined),
        delete: all,
      },
      { delayMs },
    )
    .watches(
      s.zones,
      {
        add: (z) => named(regionsNamedBy(z.spec)),
        // Most zone updates are status writes; the spec, and so the regions it names, changed only with the generation.
        update: (now, old) =>
          now.metadata.generation === old.metadata.generation
            ? undefined
            : named(symmetricDifference(regionsNamedBy(old.spec), regionsNamedBy(now.spec))),
        delete: (z) => named(regionsNamedBy(z.spec)),
      },
      { delayMs },
    );
}

/** The placement state reads regions on its own: a change of meaning makes it rebuild. */
export function placementRegionWatches(
  regions: EventSource<PrivacyRegion>,
  state: Pick<PlacementState, 'markStale'>,
  wakeWaiting: () => void = () => undefined,
): void {
  // A zone waiting for a provider may be allowed one now: it is woken, not polled.
  const changed = (why: string) => {
    state.markStale(why);
    wakeWaiting();
  };
  regions.on({
    add: () => changed('PrivacyRegion added'),
    update: (now, old) => (regionMeaningChanged(old, now) ? changed('PrivacyRegion changed') : undefined),
    delete: () => changed('PrivacyRegion deleted'),
  });
}
