// The PrivacyRegion reconciler: writes the status the core computes
// (src/core/privacy/region-status.ts) from the informers' view of the
// regions, providers and zones. It changes nothing but the status; the
// placement state reads regions on its own, from a fresh LIST.
//
//   fetch -> gone? done : the core's facts -> conditions -> one status write

import type { ExecutionZone, PrivacyRegion, PrivacyRegionStatus, ProviderCluster } from '../core/api/types.js';
import { regionStatus } from '../core/privacy/region-status.js';
import type { Clock } from '../runtime/clock.js';
import type { ReconcileResult } from '../runtime/controller.js';
import { isConflict, isNotFound } from '../runtime/kube-client.js';
import { capMessage, setCondition } from './conditions.js';
import type { HubObjects } from './object-store.js';
import { done, retry, runPhase, toReconcileResult, type PhaseResult } from './phase-result.js';

export interface PrivacyRegionReconcilerDeps {
  regions: HubObjects<PrivacyRegion>;
  zones: { list(): ExecutionZone[] };
  providers: { list(): ProviderCluster[] };
  clock: Clock;
}

export class PrivacyRegionReconciler {
  private readonly regions: HubObjects<PrivacyRegion>;
  private readonly zones: { list(): ExecutionZone[] };
  private readonly providers: { list(): ProviderCluster[] };
  private readonly clock: Clock;

  constructor(deps: PrivacyRegionReconcilerDeps) {
    this.regions = deps.regions;
    this.zones = deps.zones;
    this.providers = deps.providers;
    this.clock = deps.clock;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    return toReconcileResult(await runPhase(() => this.pass(key)));
  }

  private async pass(key: string): Promise<PhaseResult> {
    const region = this.regions.current(key);
    if (!region) return done;
    const facts = regionStatus(region, {
      regions: this.regions.list(),
      providerCountries: this.providers.list().map((p) => p.spec.country),
      zones: this.zones.list().map((z) => z.spec),
    });
    const now = new Date(this.clock.now()).toISOString();
    let conditions = region.status?.conditions ?? [];
    for (const c of facts.conditions)
      conditions = setCondition(conditions, { ...c, message: capMessage(c.message) }, now);
    // Facts of a valid region vanish when it turns invalid, so they are not carried over.
    const status: PrivacyRegionStatus = { ...facts, conditions };
    try {
      await this.regions.writeStatus(region, status);
    } catch (err) {
      if (isNotFound(err)) return done;
      // Someone changed the region meanwhile; computed again from the newer copy.
      if (isConflict(err)) return retry('conflict');
      throw err;
    }
    return done;
  }
}
