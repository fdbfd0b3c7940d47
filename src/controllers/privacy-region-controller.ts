// Wires the PrivacyRegion status controller to the manager's informers:
// which hub changes can change which region's status. A region's own
// status write comes back as an informer update and must not requeue
// anything, or the controller would chase its own tail.

import type { ExecutionZone, PrivacyRegion, ProviderCluster } from '../core/api/types.js';
import { REGION_NAME_ANNOTATION } from '../core/privacy/region-catalog.js';
import { regionsNamedBy } from '../core/privacy/region-status.js';
import { Controller } from '../runtime/controller.js';
import type { Informer } from '../runtime/informer.js';
import type { KubeClient } from '../runtime/kube-client.js';
import type { Logger } from '../runtime/logger.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { ObjectStore } from './object-store.js';
import { PrivacyRegionReconciler } from './privacy-region-reconciler.js';
import { PRIVACY_REGIONS } from '../core/api/resources.js';
import { jsonEqual } from './merge-patch.js';

export interface PrivacyRegionControllerOptions {
  hub: KubeClient;
  regions: Informer<PrivacyRegion>;
  zones: Informer<ExecutionZone>;
  providers: Informer<ProviderCluster>;
  logger: Logger;
  metrics?: OperatorMetrics;
  /** Zone and provider churn comes in bursts; counts are written once per burst. */
  batchDelayMs?: number;
}

/** Whether what a region means for placement changed (not just its status or bookkeeping). */
export function regionMeaningChanged(old: PrivacyRegion, now: PrivacyRegion): boolean {
  return !jsonEqual(old.spec, now.spec) || old.metadata.annotations?.[REGION_NAME_ANNOTATION] !== now.metadata.annotations?.[REGION_NAME_ANNOTATION];
}

export function privacyRegionController(o: PrivacyRegionControllerOptions): Controller {
  const reconciler = new PrivacyRegionReconciler({ regions: new ObjectStore(o.hub, PRIVACY_REGIONS, o.regions), zones: o.zones, providers: o.providers, logger: o.logger });
  const ctl = new Controller({ name: 'privacyregion', reconcile: (k) => reconciler.reconcile(k), concurrency: 1, ...(o.metrics ? { metrics: o.metrics } : {}), logger: o.logger });
  const delay = o.batchDelayMs ?? 1000;
  const all = (later: boolean) => {
    for (const r of o.regions.list()) later ? ctl.queue.addAfter(r.metadata.name, delay) : ctl.enqueue(r.metadata.name);
  };
  // Marking-bit conflicts and the built-in fallback depend on every other region.
  o.regions.on({ add: () => all(false), update: (now, old) => (regionMeaningChanged(old, now) ? all(false) : undefined), delete: () => all(false) });
  o.providers.on({ add: () => all(true), update: (now, old) => (String(now.spec.country) !== String(old.spec.country) ? all(true) : undefined), delete: () => all(true) });
  const named = (names: Iterable<string>) => {
    for (const n of names) if (o.regions.get(n)) ctl.queue.addAfter(n, delay);
  };
  o.zones.on({
    add: (z) => named(regionsNamedBy(z.spec)),
    update: (now, old) => {
      // Most zone updates are status writes; the spec, and so the regions it names, changed only with the generation.
      if (now.metadata.generation === old.metadata.generation) return;
      const a = regionsNamedBy(old.spec);
      const b = regionsNamedBy(now.spec);
      named([...a].filter((n) => !b.has(n)).concat([...b].filter((n) => !a.has(n))));
    },
    delete: (z) => named(regionsNamedBy(z.spec)),
  });
  return ctl;
}
