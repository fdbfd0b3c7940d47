// The PrivacyRegion reconciler: writes the status the core computes
// (src/core/privacy/region-status.ts) from the informers' view of the
// regions, providers and zones. It changes nothing but the status; the
// placement state reads regions on its own, from a fresh LIST.

import type { ExecutionZone, PrivacyRegion, PrivacyRegionStatus, ProviderCluster } from '../core/api/types.js';
import { regionStatus } from '../core/privacy/region-status.js';
import type { ReconcileResult } from '../runtime/controller.js';
import { isConflict, isNotFound } from '../runtime/kube-client.js';
import type { Logger } from '../runtime/logger.js';
import { capMessage, setCondition } from './conditions.js';
import type { ObjectStore } from './object-store.js';

export interface PrivacyRegionReconcilerDeps {
  regions: ObjectStore<PrivacyRegion>;
  zones: { list(): ExecutionZone[] };
  providers: { list(): ProviderCluster[] };
  logger: Logger;
}

export class PrivacyRegionReconciler {
  constructor(private readonly d: PrivacyRegionReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const region = this.d.regions.current(key);
    if (!region) return {};
    const facts = regionStatus(region, {
      regions: this.d.regions.list(),
      providerCountries: this.d.providers.list().map((p) => p.spec.country),
      zones: this.d.zones.list().map((z) => z.spec),
    });
    const now = new Date().toISOString();
    let conditions = region.status?.conditions ?? [];
    for (const c of facts.conditions) conditions = setCondition(conditions, { ...c, message: capMessage(c.message) }, now);
    // Facts of a valid region vanish when it turns invalid, so they are not carried over.
    const status: PrivacyRegionStatus = { ...facts, conditions };
    try {
      await this.d.regions.writeStatus(region, status);
    } catch (err) {
      if (isNotFound(err)) return {};
      // Someone changed the region meanwhile; computed again from the newer copy.
      if (isConflict(err)) return { requeue: true };
      throw err;
    }
    return {};
  }
}
