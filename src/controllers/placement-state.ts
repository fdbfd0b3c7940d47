// The operator's in-memory federation (the core's Federation) and the
// rules that keep it equal to what is durable on the hub:
//   - it is built from a fresh LIST of every ExecutionZone's
//     status.allocation, after leadership is won and before anything acts;
//   - every change (placement, release) happens under the placement lock
//     and is written to the zone's status, with a resourceVersion
//     precondition, before the lock is let go;
//   - a write that fails marks the state stale, and the next holder of the
//     lock rebuilds it from a fresh LIST, dropping the change nobody saw.
// So memory is never ahead of the hub in a way anyone can act on.

import type { ExecutionZone, PrivacyRegion } from '../core/api/types.js';
import type { Provider } from '../core/catalogue/provider.js';
import { formatFieldErrors } from '../core/errors.js';
import type { RegionCatalogue } from '../core/privacy/region-catalogue.js';
import type { VlanRange } from '../core/network/vlan-allocator.js';
import type { Federation } from '../core/zones/federation.js';
import { federationFromHub, regionsFromObjects } from '../core/zones/hub-federation.js';
import type { KubeList, Query } from '../runtime/kube-client.js';
import { type Clock, systemClock } from '../runtime/clock.js';
import type { Logger } from '../runtime/logger.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { Mutex } from './mutex.js';
import { EXECUTION_ZONES, PRIVACY_REGIONS, resourcePath } from '../core/api/resources.js';
import { ReleaseRequests } from './release-requests.js';

/** The one read the placement state makes of the hub: a fresh LIST. */
export interface HubLister {
  list<T>(path: string, query?: Query): Promise<KubeList<T>>;
}

export interface PlacementStateOptions {
  hub: HubLister;
  clock?: Clock;
  logger: Logger;
  metrics?: OperatorMetrics;
  globalId?: number;
  vlanRange?: VlanRange;
}

export class PlacementState {
  private readonly lock = new Mutex();
  private fed: Federation | undefined;
  private stale = true;
  private readonly providers = new Map<string, Provider>();
  /** application id -> key of the ExecutionZone that holds it. */
  private readonly owners = new Map<string, string>();
  /** Zones whose durable allocation could not be restored, with why. */
  readonly conflicts = new Map<string, string>();
  /** application id -> VLAN of a vanished zone whose switch entries are not yet confirmed gone. */
  private readonly drainingVlans = new Map<string, number>();
  /** Releases asked of the zone reconciler, and its answers. */
  readonly releases = new ReleaseRequests();
  rebuilds = 0;
  private revisionCount = 0;
  /** Allocation commits on their way to the hub (made outside the lock). */
  private inFlight = 0;
  private settled: (() => void)[] = [];

  private readonly clock: Clock;

  constructor(private readonly options: PlacementStateOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Runs `fn` holding the placement lock, on a fresh federation. */
  withLock<T>(fn: (f: Federation) => T | Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      if (this.stale || !this.fed) await this.rebuild();
      return fn(this.fed as Federation);
    });
  }

  /** The federation for reads outside the lock (status rendering); may be mid-change. */
  get federation(): Federation | undefined {
    return this.fed;
  }

  /**
   * Brackets a durable commit made after the lock was let go. A rebuild
   * waits until none is in flight, so its LIST sees every commit that will
   * ever succeed: memory can then only be behind the hub for changes that
   * failed, and those marked the state stale.
   */
  async commit<T>(write: () => Promise<T>, what: string): Promise<T> {
    this.inFlight++;
    try {
      return await write();
    } catch (err) {
      this.markStale(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const f of this.settled.splice(0)) f();
    }
  }

  private commitsSettled(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((r) => this.settled.push(r));
  }

  /**
   * Moves whenever a zone that found no provider might find one now: any
   * change of the capacity ledger (a release, but also a reservation), a
   * VLAN or capacity freed (`touch`), a provider that joined, left, changed
   * or flipped readiness, a region change, a rebuild. While it holds still,
   * a waiting zone's next attempt would fail the same way and say the same.
   */
  get revision(): number {
    return this.revisionCount;
  }

  /** Something a waiting zone may now fit into was freed. */
  touch(): void {
    this.revisionCount++;
  }

  markStale(why: string): void {
    this.revisionCount++;
    if (!this.stale)
      this.options.logger.info('placement state marked stale; rebuilding from the hub on next use', { why });
    this.stale = true;
  }

  ownerOf(applicationId: string): string | undefined {
    return this.owners.get(applicationId.toLowerCase());
  }

  claim(applicationId: string, key: string): void {
    this.owners.set(applicationId.toLowerCase(), key);
  }

  disown(applicationId: string): void {
    this.owners.delete(applicationId.toLowerCase());
  }

  /**
   * The zone is gone but the switches may still carry its entries on this
   * VLAN: no other zone gets the VLAN until `drained`, or the next zone on it
   * would be refused (its keys are still the old zone's) or collide on the
   * switch. A VLAN a live zone holds is left to that zone. Synchronous, so
   * it needs no lock: a rebuild under way applies it when it ends.
   */
  drain(applicationId: string, vlan: number): void {
    const id = applicationId.toLowerCase();
    if (this.drainingVlans.has(id)) return;
    this.drainingVlans.set(id, vlan);
    const quarantined = this.fed?.vlans.quarantine(vlan) ?? false;
    this.options.logger.info('VLAN draining: held back until the switches confirm the zone is gone from them', {
      applicationId: id,
      vlan,
      ...(quarantined || !this.fed ? {} : { heldBy: 'a live zone, which keeps it' }),
    });
    this.options.metrics?.vlansDraining.set(this.drainingVlans.size);
  }

  /** The switches confirmed the zone's entries are gone: its draining VLAN is free. False when it was not draining. */
  drained(applicationId: string): boolean {
    const id = applicationId.toLowerCase();
    const vlan = this.drainingVlans.get(id);
    if (vlan === undefined) return false;
    this.drainingVlans.delete(id);
    const stillDraining = [...this.drainingVlans.values()].includes(vlan);
    if (!stillDraining && this.fed?.vlans.isQuarantined(vlan)) this.fed.vlans.release(vlan);
    this.options.metrics?.vlansDraining.set(this.drainingVlans.size);
    this.options.logger.info('VLAN drained: the switches no longer carry the vanished zone', {
      applicationId: id,
      vlan,
    });
    this.touch();
    return true;
  }

  /** Vanished zones whose switch entries are not yet confirmed gone: application id -> VLAN. */
  get draining(): ReadonlyMap<string, number> {
    return this.drainingVlans;
  }

  /**
   * Adds or refreshes a provider. A readiness flip is applied in place
   * (placement reads the flag); any other change rebuilds the federation.
   */
  setProvider(p: Provider): 'new' | 'changed' | 'ready' | 'same' {
    const old = this.providers.get(p.name);
    this.providers.set(p.name, p);
    if (!old) {
      this.markStale(`provider ${p.name} joined`);
      return 'new';
    }
    if (!sameShape(old, p)) {
      this.markStale(`provider ${p.name} changed`);
      return 'changed';
    }
    // Keep the object the catalogue holds; only the flag moves.
    this.providers.set(p.name, old);
    const live = this.fed?.catalogue.get(p.name);
    const target = live ?? old;
    if (
      target.ready === p.ready &&
      target.notReadyReason === p.notReadyReason &&
      target.unreachableSince === p.unreachableSince
    )
      return 'same';
    this.revisionCount++;
    for (const t of live && live !== old ? [target, old] : [target]) {
      t.ready = p.ready;
      t.notReadyReason = p.notReadyReason;
      t.unreachableSince = p.unreachableSince;
    }
    return 'ready';
  }

  removeProvider(name: string): void {
    if (this.providers.delete(name)) this.markStale(`provider ${name} left`);
  }

  provider(name: string): Provider | undefined {
    return this.fed?.catalogue.get(name) ?? this.providers.get(name);
  }

  /** Whether a ProviderCluster defines the provider now; a retired one only books capacity, its facts are unknown. */
  hasProvider(name: string): boolean {
    return this.providers.has(name);
  }

  providerNames(): string[] {
    return [...this.providers.keys()];
  }

  /** Rebuild from a fresh LIST: never from an informer cache that may lag. */
  private async rebuild(): Promise<void> {
    await this.commitsSettled();
    const t0 = this.clock.now();
    const [zones, regions] = await Promise.all([
      this.options.hub.list<ExecutionZone>(resourcePath(EXECUTION_ZONES)),
      this.options.hub
        .list<PrivacyRegion>(resourcePath(PRIVACY_REGIONS))
        .catch(() => ({ items: [] as PrivacyRegion[] })),
    ]);
    const rebuilt = federationFromHub({
      providers: [...this.providers.values()],
      zones: zones.items,
      regions: regionCatalogue(regions.items, this.options.logger),
      ...(this.options.globalId !== undefined ? { globalId: this.options.globalId } : {}),
      ...(this.options.vlanRange ? { vlanRange: this.options.vlanRange } : {}),
    });
    const fed = rebuilt.federation;
    this.owners.clear();
    this.conflicts.clear();
    for (const [id, key] of rebuilt.owners) this.owners.set(id, key);
    for (const [key, problems] of rebuilt.conflicts) {
      this.conflicts.set(key, problems);
      this.options.logger.error('durable allocation not restored', { zone: key, problems });
    }
    // After the zones: a VLAN a surviving status holds stays that zone's.
    for (const vlan of this.drainingVlans.values()) fed.vlans.quarantine(vlan);
    fed.ledger.watch(() => this.revisionCount++);
    this.fed = fed;
    this.stale = false;
    this.revisionCount++;
    this.rebuilds++;
    this.options.metrics?.vlansInUse.set(fed.entries().filter((e) => e.allocation.vlanId !== undefined).length);
    this.options.logger.info('placement state rebuilt from the hub', {
      zones: zones.items.length,
      restored: rebuilt.restored,
      conflicts: this.conflicts.size,
      providers: rebuilt.providerCount,
      ms: this.clock.now() - t0,
    });
  }

  /** Application ids of the zones that hold a VLAN, i.e. should have switch entries. */
  zonesWithVlan(): string[] {
    return (this.fed?.entries() ?? [])
      .filter((e) => e.allocation.vlanId !== undefined)
      .map((e) => e.allocation.applicationId);
  }

  get ready(): boolean {
    return this.fed !== undefined && !this.stale;
  }
}

function sameShape(a: Provider, b: Provider): boolean {
  const cap = (p: Provider) => JSON.stringify(p.capacity);
  return (
    a.objectName === b.objectName &&
    a.order === b.order &&
    a.country === b.country &&
    a.mcc === b.mcc &&
    a.tier === b.tier &&
    a.environment === b.environment &&
    [...a.resourceTypes].sort().join() === [...b.resourceTypes].sort().join() &&
    a.equipment.join() === b.equipment.join() &&
    a.autonomousSystems.join() === b.autonomousSystems.join() &&
    a.uplink === b.uplink &&
    cap(a) === cap(b)
  );
}

export function regionCatalogue(items: readonly PrivacyRegion[], logger: Logger): RegionCatalogue {
  const { catalogue, ignored } = regionsFromObjects(items);
  for (const r of ignored)
    logger.warn('PrivacyRegion ignored', { region: r.name, problems: formatFieldErrors(r.problems) });
  return catalogue;
}
