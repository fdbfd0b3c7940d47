// The operator's manager: wires informers, controllers, the member-cluster
// cache, leader election, health and metrics. Only the leader runs
// controllers. On winning the lease it starts the informers, rebuilds the
// placement state from a fresh LIST, collects orphans, and only then lets
// the workers go. On losing the lease it exits (controller-runtime does the
// same): a process that might still hold stale state must not act.

import type { ExecutionZone, PrivacyRegion, ProviderCluster, ZoneRelease } from '../core/api/types.js';
import { MemberClusterCache } from '../clusters/member-cluster-cache.js';
import { ExecutionZoneReconciler } from '../controllers/execution-zone-reconciler.js';
import { planOnlyNetwork, type NetworkProgrammer } from '../controllers/network/network-programmer.js';
import { ObjectStore } from '../controllers/object-store.js';
import { collectOrphans } from '../controllers/orphan-collector.js';
import { PlacementState } from '../controllers/placement-state.js';
import { privacyRegionController, regionMeaningChanged } from '../controllers/privacy-region-controller.js';
import { ProviderClusterReconciler } from '../controllers/provider-cluster-reconciler.js';
import { EXECUTION_ZONES, keyOf, PRIVACY_REGIONS, PROVIDER_CLUSTERS, ZONE_RELEASES } from '../core/api/resources.js';
import { ZoneReleaseReconciler } from '../controllers/zone-release-reconciler.js';
import { Controller } from '../runtime/controller.js';
import { EventRecorder } from '../runtime/events.js';
import { HealthServer } from '../runtime/health-server.js';
import { Informer } from '../runtime/informer.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { resourcePath } from '../runtime/kube-client.js';
import { defaultIdentity, LeaderElector } from '../runtime/leader-election.js';
import { errorText, type Logger } from '../runtime/logger.js';
import { OperatorMetrics } from '../runtime/metrics.js';
import { isTrue } from '../controllers/conditions.js';

export interface ManagerOptions {
  hub: KubeClient;
  /** Operator namespace: kubeconfig Secrets, the Lease, events of cluster-scoped objects. */
  namespace: string;
  logger: Logger;
  concurrency?: number;
  leaderElection?: boolean;
  leaseName?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  metricsPort?: number;
  identity?: string;
  network?: NetworkProgrammer;
  probeIntervalMs?: number;
  orphanIntervalMs?: number;
  /** Delay before a member-side change requeues its zone (batches bursts). */
  memberEventDelayMs?: number;
  /** Called when the lease is lost; default exits the process. */
  onLostLeadership?: () => void;
}

export class Manager {
  readonly metrics = new OperatorMetrics();
  readonly identity: string;
  readonly health: HealthServer;
  private elector: LeaderElector | undefined;
  private members: MemberClusterCache | undefined;
  private informers: Informer<never>[] = [];
  private controllers: Controller[] = [];
  private timers: NodeJS.Timeout[] = [];
  private leading = false;
  private started = false;
  term = 0;
  metricsPort = 0;

  constructor(private readonly o: ManagerOptions) {
    this.identity = o.identity ?? defaultIdentity();
    this.health = new HealthServer(this.metrics.registry);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    const log = this.o.logger;
    this.health.addLiveCheck('ping', () => undefined);
    this.health.addReadyCheck('hub', async () => {
      try {
        await this.o.hub.request('GET', '/readyz', { timeoutMs: 2000 });
        return undefined;
      } catch (e) {
        return errorText(e);
      }
    });
    this.health.addReadyCheck('informers', () => (this.leading && !this.started ? 'leader, still syncing' : undefined));
    if (this.o.metricsPort !== undefined) this.metricsPort = await this.health.listen(this.o.metricsPort);
    const leaseName = this.o.leaseName ?? 'zonekeeper-operator';
    this.metrics.leaderStatus.set({ name: leaseName }, 0);
    if (this.o.leaderElection === false) {
      await this.lead(0);
      return;
    }
    this.elector = new LeaderElector({
      client: this.o.hub,
      namespace: this.o.namespace,
      name: leaseName,
      identity: this.identity,
      logger: log,
      ...(this.o.leaseDurationMs ? { leaseDurationMs: this.o.leaseDurationMs } : {}),
      ...(this.o.renewDeadlineMs ? { renewDeadlineMs: this.o.renewDeadlineMs } : {}),
      ...(this.o.retryPeriodMs ? { retryPeriodMs: this.o.retryPeriodMs } : {}),
      onStartedLeading: (term) => {
        this.metrics.leaderStatus.set({ name: leaseName }, 1);
        this.lead(term).catch((err: unknown) => {
          log.error('could not start leading', { error: errorText(err) });
          (this.o.onLostLeadership ?? (() => process.exit(1)))();
        });
      },
      onStoppedLeading: () => {
        this.metrics.leaderStatus.set({ name: leaseName }, 0);
        this.leading = false;
        log.error('lost leadership; stopping');
        (this.o.onLostLeadership ?? (() => process.exit(1)))();
      },
      onNewLeader: (id) => log.info('observed leader', { leader: id }),
    });
    void this.elector.run();
  }

  private async lead(term: number): Promise<void> {
    this.leading = true;
    this.term = term;
    const o = this.o;
    const log = o.logger.child({ identity: this.identity, term });
    const hub = o.hub;
    const health = (resource: string) => (e: string) => {
      if (e !== 'connect' && e !== 'relist') this.metrics.watchRestarts.inc({ resource, cause: e });
    };
    const zoneInf = new Informer<ExecutionZone>({ client: hub, path: resourcePath(EXECUTION_ZONES), logger: log, onHealth: health('executionzones') });
    const relInf = new Informer<ZoneRelease>({ client: hub, path: resourcePath(ZONE_RELEASES), logger: log, onHealth: health('zonereleases') });
    const pcInf = new Informer<ProviderCluster>({ client: hub, path: resourcePath(PROVIDER_CLUSTERS), logger: log, onHealth: health('providerclusters') });
    const regionInf = new Informer<PrivacyRegion>({ client: hub, path: resourcePath(PRIVACY_REGIONS), logger: log, onHealth: health('privacyregions') });
    this.informers = [zoneInf, relInf, pcInf, regionInf] as unknown as Informer<never>[];
    const zones = new ObjectStore(hub, EXECUTION_ZONES, zoneInf);
    const releases = new ObjectStore(hub, ZONE_RELEASES, relInf);
    const providers = new ObjectStore(hub, PROVIDER_CLUSTERS, pcInf);
    const state = new PlacementState({ hub, logger: log, metrics: this.metrics });
    // Before any zone is programmed: the switches must take this leader's
    // writes. The zones that should have entries are known once the state
    // is rebuilt from the statuses and the controllers run.
    /** Application ids of the zones that hold a VLAN, i.e. should have switch entries. */
    const zonesWithVlan = (f: NonNullable<typeof state.federation>): string[] =>
      f.entries().filter((e) => e.allocation.vlanId !== undefined).map((e) => e.allocation.applicationId);
    o.network?.lead?.(term, () => (this.started && state.federation ? zonesWithVlan(state.federation) : undefined));
    const events = new EventRecorder(hub, { controller: 'zonekeeper.io/operator', instance: this.identity, logger: log });
    const concurrency = o.concurrency ?? 4;

    let zoneCtl: Controller | undefined;
    const enqueueZone = (key: string) => zoneCtl?.enqueue(key);
    const zoneKeysOnProvider = (provider: string): string[] => {
      const f = state.federation;
      if (!f) return [];
      return f.entries().filter((e) => e.allocation.instances.some((i) => i.provider === provider)).map((e) => state.ownerOf(e.allocation.applicationId)).filter((k): k is string => k !== undefined);
    };
    const members = new MemberClusterCache({
      hub,
      namespace: o.namespace,
      logger: log,
      metrics: this.metrics,
      // A zone's pods change in bursts (created, scheduled, running, times N):
      // a short delay folds a burst into one reconcile and one status write.
      // (Putting every member event ahead of new zones measured slower under
      // load in the bench: first passes then starve.)
      onZoneObjectChanged: (key) => {
        // The pass that only has to report Ready goes ahead of new zones:
        // at most one per zone, so first passes do not starve.
        if (zoneReconciler.becameReady(key)) zoneCtl?.queue.addNow(key, true);
        else zoneCtl?.queue.addAfter(key, o.memberEventDelayMs ?? 1000);
      },
      onHealthChanged: (provider) => {
        for (const k of zoneKeysOnProvider(provider)) enqueueZone(k);
      },
    });
    this.members = members;
    // Waiting zones go in creation order, so the oldest request gets freed capacity first.
    const retryWaiting = () => {
      const list = zones.list().filter((z) => !isTrue(z.status?.conditions, 'Placed') || zoneReconciler.waiting.has(keyOf(z)));
      list.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
      for (const z of list) enqueueZone(keyOf(z));
    };
    const zoneReconciler = new ExecutionZoneReconciler({ zones, state, members, network: o.network ?? planOnlyNetwork, events, logger: log, metrics: this.metrics, onCapacityFreed: retryWaiting });
    // The sidecar went away, came back, or a zone's entries stopped (or
    // started) being programmed: those zones' NetworkReady is due again.
    o.network?.onChange?.((ids) => {
      const f = state.federation;
      if (!f) return;
      const wanted = ids === 'all' ? zonesWithVlan(f) : ids;
      for (const id of wanted) {
        const key = state.ownerOf(id.toLowerCase());
        if (key) enqueueZone(key);
      }
    });
    const releaseReconciler = new ZoneReleaseReconciler({ releases, zones, state, events, logger: log, enqueueZone, onCapacityFreed: retryWaiting });
    const providerReconciler = new ProviderClusterReconciler({
      providers,
      state,
      members,
      events,
      logger: log,
      probeIntervalMs: o.probeIntervalMs ?? 5000,
      onCatalogueChanged: (provider) => {
        for (const k of zoneKeysOnProvider(provider)) enqueueZone(k);
        retryWaiting();
      },
    });
    zoneCtl = new Controller({ name: 'executionzone', reconcile: (k) => zoneReconciler.reconcile(k), concurrency, metrics: this.metrics, logger: log });
    const relCtl = new Controller({ name: 'zonerelease', reconcile: (k) => releaseReconciler.reconcile(k), concurrency: Math.max(1, Math.ceil(concurrency / 2)), metrics: this.metrics, logger: log });
    // One worker per member: a slow or unreachable member's probe does not hold up the others.
    const pcCtl = new Controller({ name: 'providercluster', reconcile: (k) => providerReconciler.reconcile(k), concurrency: 8, metrics: this.metrics, logger: log });
    const regionCtl = privacyRegionController({ hub, regions: regionInf, zones: zoneInf, providers: pcInf, logger: log, metrics: this.metrics });
    this.controllers = [zoneCtl, relCtl, pcCtl, regionCtl];
    const zc = zoneCtl;
    const toKey = (ctl: Controller) => ({ add: (x: { metadata: { name: string; namespace?: string } }) => ctl.enqueue(keyOf(x)), update: (x: { metadata: { name: string; namespace?: string } }) => ctl.enqueue(keyOf(x)), delete: (x: { metadata: { name: string; namespace?: string } }) => ctl.enqueue(keyOf(x)) });
    // Our own writes come back as updates; reconciling them again would only
    // recompute what the writing pass just wrote (GenerationChangedPredicate
    // in controller-runtime terms, but narrower: anyone else's change, even to
    // status, still counts). Releases enqueue the zone they mark themselves.
    zones.onMissed = (key) => zc.enqueue(key);
    zoneInf.on({
      add: (z) => zc.enqueue(keyOf(z)),
      update: (z, old) => {
        if (z.metadata.generation === old.metadata.generation && z.metadata.deletionTimestamp === old.metadata.deletionTimestamp && zones.isEcho(z)) return;
        zc.enqueue(keyOf(z));
      },
      delete: (z) => zc.enqueue(keyOf(z)),
    });
    relInf.on(toKey(relCtl));
    // A zone changing may make a waiting release due (zone appears), so map zones to their releases too.
    zoneInf.on({ add: (z) => relInf.list().filter((r) => r.metadata.namespace === z.metadata.namespace && r.spec.zoneRef.name === z.metadata.name).forEach((r) => relCtl.enqueue(keyOf(r))) });
    pcInf.on(toKey(pcCtl));
    regionInf.on({ add: () => state.markStale('PrivacyRegion added'), update: (r, old) => (regionMeaningChanged(old, r) ? state.markStale('PrivacyRegion changed') : undefined), delete: () => state.markStale('PrivacyRegion deleted') });

    for (const i of this.informers) i.start();
    await Promise.all(this.informers.map((i) => i.waitForSync()));
    // Providers first: the rebuild needs the catalogue, and zones need member clients.
    pcCtl.start();
    regionCtl.start();
    await waitUntil(() => pcInf.list().every((p) => providerReconciler.reconciled.has(keyOf(p))), 15_000);
    await state.withLock(async () => undefined);
    await waitUntil(() => members.providers().every((p) => !members.isReachable(p) || members.synced(p)), 15_000);
    const report = await collectOrphans(members, state, () => new Set(zones.list().map((z) => z.spec.applicationId.toLowerCase())), log);
    log.info('leading: state rebuilt, orphans collected; starting controllers', { zones: zoneInf.list().length, providers: members.providers().length, orphans: report });
    relCtl.start();
    zc.start();
    this.started = true;
    this.timers.push(
      setInterval(() => {
        collectOrphans(members, state, () => new Set(zones.list().map((z) => z.spec.applicationId.toLowerCase())), log).catch((err: unknown) => log.warn('orphan collection failed', { error: errorText(err) }));
      }, o.orphanIntervalMs ?? 60_000),
      setInterval(() => {
        const counts = new Map<string, number>();
        for (const z of zones.list()) for (const c of z.status?.conditions ?? []) counts.set(`${c.type}|${c.status}`, (counts.get(`${c.type}|${c.status}`) ?? 0) + 1);
        this.metrics.zonesByCondition.reset();
        for (const [k, n] of counts) {
          const [condition, status] = k.split('|');
          this.metrics.zonesByCondition.set({ condition, status }, n);
        }
      }, 5000),
    );
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.controllers.map((c) => c.stop()));
    for (const i of this.informers) i.stop();
    this.members?.close();
    await this.elector?.release();
    await this.health.close();
  }
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}
