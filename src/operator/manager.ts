// The operator's manager: wires informers, controllers, the member-cluster
// cache, leader election, health and metrics. Only the leader runs
// controllers. On winning the lease it starts the informers, rebuilds the
// placement state from a fresh LIST, collects orphans, and only then lets
// the workers go. On losing the lease it exits (controller-runtime does the
// same): a process that might still hold stale state must not act.

import type { ExecutionZone, PrivacyRegion, ProviderCluster, ZoneRelease } from '../core/api/types.js';
import { MemberClusterCache } from '../clusters/member-cluster-cache.js';
import { CredentialRenewal } from '../clusters/member-credential-renewal.js';
import { ExecutionZoneReconciler } from '../controllers/execution-zone-reconciler.js';
import { planOnlyNetwork, type NetworkProgrammer } from '../controllers/network/network-programmer.js';
import { ObjectStore } from '../controllers/object-store.js';
import { collectOrphans } from '../controllers/orphan-collector.js';
import { PlacementState } from '../controllers/placement-state.js';
import { executionZoneWatches, type ExecutionZoneTriggers } from '../controllers/execution-zone-watches.js';
import { memberAccess } from '../controllers/member-access.js';
import { PrivacyRegionReconciler } from '../controllers/privacy-region-reconciler.js';
import { placementRegionWatches, privacyRegionWatches } from '../controllers/privacy-region-watches.js';
import { ProviderClusterReconciler } from '../controllers/provider-cluster-reconciler.js';
import { providerClusterWatches } from '../controllers/provider-cluster-watches.js';
import { EXECUTION_ZONES, keyOf, PRIVACY_REGIONS, PROVIDER_CLUSTERS, ZONE_RELEASES } from '../core/api/resources.js';
import { ZoneReleaseReconciler } from '../controllers/zone-release-reconciler.js';
import { zoneReleaseWatches, type ZoneReleaseTriggers } from '../controllers/zone-release-watches.js';
import { type Clock, sleep, systemClock } from '../runtime/clock.js';
import { Controller } from '../runtime/controller.js';
import { EventRecorder } from '../runtime/events.js';
import { HealthServer } from '../runtime/health-server.js';
import { Informer } from '../runtime/informer.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { resourcePath } from '../runtime/kube-client.js';
import { defaultIdentity, LeaderElector } from '../runtime/leader-election.js';
import { errorText, type Logger } from '../runtime/logger.js';
import { OperatorMetrics } from '../runtime/metrics.js';
import type { VlanRange } from '../core/network/vlan-allocator.js';

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
  /** Listen address of the metrics and health server: default loopback, "" every address. */
  metricsAddress?: string;
  identity?: string;
  network?: NetworkProgrammer;
  probeIntervalMs?: number;
  /** The VLAN IDs zones get (default 1000–4094). */
  vlanRange?: VlanRange;
  /** Renew a member's short-lived token when this part of its lifetime is left (default 1/3). */
  credentialRenewFraction?: number;
  orphanIntervalMs?: number;
  /** Delay before a member-side change requeues its zone (batches bursts). */
  memberEventDelayMs?: number;
  clock?: Clock;
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

  constructor(private readonly options: ManagerOptions) {
    this.identity = options.identity ?? defaultIdentity();
    this.health = new HealthServer(this.metrics.registry);
    this.metrics.observeClient(options.hub);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    const log = this.options.logger;
    this.health.addLiveCheck('ping', () => undefined);
    this.health.addReadyCheck('hub', async () => {
      try {
        await this.options.hub.request('GET', '/readyz', { timeoutMs: 2000 });
        return undefined;
      } catch (e) {
        return errorText(e);
      }
    });
    this.health.addReadyCheck('informers', () => (this.leading && !this.started ? 'leader, still syncing' : undefined));
    if (this.options.metricsPort !== undefined)
      this.metricsPort = await this.health.listen(this.options.metricsPort, this.options.metricsAddress);
    const leaseName = this.options.leaseName ?? 'zonekeeper-operator';
    this.metrics.leaderStatus.set({ name: leaseName }, 0);
    if (this.options.leaderElection === false) {
      await this.lead(0);
      return;
    }
    this.elector = new LeaderElector({
      client: this.options.hub,
      namespace: this.options.namespace,
      name: leaseName,
      identity: this.identity,
      logger: log,
      ...(this.options.leaseDurationMs ? { leaseDurationMs: this.options.leaseDurationMs } : {}),
      ...(this.options.renewDeadlineMs ? { renewDeadlineMs: this.options.renewDeadlineMs } : {}),
      ...(this.options.retryPeriodMs ? { retryPeriodMs: this.options.retryPeriodMs } : {}),
      onStartedLeading: (term) => {
        this.metrics.leaderStatus.set({ name: leaseName }, 1);
        this.lead(term).catch((err: unknown) => {
          log.error('could not start leading', { error: errorText(err) });
          (this.options.onLostLeadership ?? (() => process.exit(1)))();
        });
      },
      onStoppedLeading: () => {
        this.metrics.leaderStatus.set({ name: leaseName }, 0);
        this.leading = false;
        log.error('lost leadership; stopping');
        (this.options.onLostLeadership ?? (() => process.exit(1)))();
      },
      onNewLeader: (id) => log.info('observed leader', { leader: id }),
    });
    void this.elector.run();
  }

  private async lead(term: number): Promise<void> {
    this.leading = true;
    this.term = term;
    const options = this.options;
    const log = options.logger.child({ identity: this.identity, term });
    const hub = options.hub;
    const clock = options.clock ?? systemClock;
    const health = (resource: string) => (e: string) => {
      if (e !== 'connect' && e !== 'relist') this.metrics.watchRestarts.inc({ resource, cause: e });
    };
    const zoneInf = new Informer<ExecutionZone>({
      client: hub,
      path: resourcePath(EXECUTION_ZONES),
      logger: log,
      clock,
      onHealth: health('executionzones'),
    });
    const relInf = new Informer<ZoneRelease>({
      client: hub,
      path: resourcePath(ZONE_RELEASES),
      logger: log,
      clock,
      onHealth: health('zonereleases'),
    });
    const pcInf = new Informer<ProviderCluster>({
      client: hub,
      path: resourcePath(PROVIDER_CLUSTERS),
      logger: log,
      clock,
      onHealth: health('providerclusters'),
    });
    const regionInf = new Informer<PrivacyRegion>({
      client: hub,
      path: resourcePath(PRIVACY_REGIONS),
      logger: log,
      clock,
      onHealth: health('privacyregions'),
    });
    this.informers = [zoneInf, relInf, pcInf, regionInf] as unknown as Informer<never>[];
    const zones = new ObjectStore(hub, EXECUTION_ZONES, zoneInf);
    const releases = new ObjectStore(hub, ZONE_RELEASES, relInf);
    const providers = new ObjectStore(hub, PROVIDER_CLUSTERS, pcInf);
    const state = new PlacementState({
      hub,
      logger: log,
      clock,
      metrics: this.metrics,
      ...(options.vlanRange ? { vlanRange: options.vlanRange } : {}),
    });
    const events = new EventRecorder(hub, {
      controller: 'zonekeeper.io/operator',
      instance: this.identity,
      logger: log,
      clock,
    });
    const concurrency = options.concurrency ?? 4;

    const memberEventDelayMs = options.memberEventDelayMs ?? 1000;
    // The member cache, the reconcilers and the watches need each other;
    // the triggers and the release controller are bound once they exist.
    const late: { zoneTriggers?: ExecutionZoneTriggers; relCtl?: Controller; releaseTriggers?: ZoneReleaseTriggers } =
      {};
    const members = new MemberClusterCache({
      hub,
      namespace: options.namespace,
      logger: log,
      metrics: this.metrics,
      onZoneObjectChanged: (key) => {
        late.zoneTriggers?.zoneObjectChanged(key);
        late.releaseTriggers?.zoneObjectChanged(key);
      },
      onHealthChanged: (provider) => late.zoneTriggers?.providerChanged(provider),
      renewal: new CredentialRenewal({
        hub,
        namespace: options.namespace,
        logger: log,
        clock,
        metrics: this.metrics,
        ...(options.credentialRenewFraction !== undefined ? { renewFraction: options.credentialRenewFraction } : {}),
      }),
    });
    this.members = members;
    const memberPort = memberAccess(members);
    const capacityFreed = () => late.zoneTriggers?.capacityFreed();
    /** Set once the state is rebuilt and the zone informer synced: the switch orphan collector may then act. */
    let zonesKnown = false;
    // Before any zone is programmed: the switches must take this leader's
    // writes. The zones that should have entries are known once the state
    // is rebuilt from the statuses and the controllers run.
    options.network?.lead?.(term, () => (this.started && state.federation ? state.zonesWithVlan() : undefined), {
      zones: () =>
        zonesKnown
          ? {
              live: new Set(zones.list().flatMap((z) => z.spec?.applicationId?.toLowerCase() ?? [])),
              draining: state.draining,
            }
          : undefined,
      orphaned: (id, vlan) => {
        if (vlan > 0) state.drain(id, vlan);
      },
      removed: (id, orphan) => {
        if (orphan) this.metrics.switchOrphansRemoved.inc();
        if (state.drained(id)) capacityFreed();
      },
    });
    const zoneReconciler = new ExecutionZoneReconciler({
      zones,
      state,
      members: memberPort,
      network: options.network ?? planOnlyNetwork,
      events,
      logger: log,
      clock,
      metrics: this.metrics,
      onCapacityFreed: capacityFreed,
      onReleaseSettled: (key) => late.relCtl?.enqueue(key),
    });
    const zoneCtl = new Controller({
      name: 'executionzone',
      reconcile: (k) => zoneReconciler.reconcile(k),
      concurrency,
      metrics: this.metrics,
      logger: log,
      clock,
    });
    late.zoneTriggers = executionZoneWatches(zoneCtl.queue, {
      zones: zoneInf,
      store: zones,
      regions: regionInf,
      state,
      reconciler: zoneReconciler,
      memberEventDelayMs,
    });
    options.network?.onChange?.((ids) => late.zoneTriggers?.networkChanged(ids));

    const releaseReconciler = new ZoneReleaseReconciler({
      releases,
      zones,
      requests: state.releases,
      events,
      logger: log,
      clock,
      enqueueZone: (k) => zoneCtl.enqueue(k),
      members: memberPort,
      ...(options.network?.traffic ? { traffic: options.network.traffic.bind(options.network) } : {}),
      usage: (provider, applicationId) => memberPort.zoneUsage(provider, applicationId),
    });
    const relCtl = new Controller({
      name: 'zonerelease',
      reconcile: (k) => releaseReconciler.reconcile(k),
      concurrency: Math.max(1, Math.ceil(concurrency / 2)),
      metrics: this.metrics,
      logger: log,
      clock,
    });
    late.relCtl = relCtl;
    late.releaseTriggers = zoneReleaseWatches(relCtl.queue, { releases: relInf, zones: zoneInf, store: releases });

    const providerReconciler = new ProviderClusterReconciler({
      providers,
      state,
      members: memberPort,
      events,
      logger: log,
      clock,
      probeIntervalMs: options.probeIntervalMs ?? 5000,
      onCatalogueChanged: (provider) => {
        late.zoneTriggers?.providerChanged(provider);
        capacityFreed();
      },
    });
    // One worker per member: a slow or unreachable member's probe does not hold up the others.
    const pcCtl = new Controller({
      name: 'providercluster',
      reconcile: (k) => providerReconciler.reconcile(k),
      concurrency: 8,
      metrics: this.metrics,
      logger: log,
      clock,
    });
    providerClusterWatches(pcCtl.queue, pcInf);

    const regionReconciler = new PrivacyRegionReconciler({
      regions: new ObjectStore(hub, PRIVACY_REGIONS, regionInf),
      zones: zoneInf,
      providers: pcInf,
      clock,
    });
    const regionCtl = new Controller({
      name: 'privacyregion',
      reconcile: (k) => regionReconciler.reconcile(k),
      concurrency: 1,
      metrics: this.metrics,
      logger: log,
      clock,
    });
    privacyRegionWatches(regionCtl.queue, { regions: regionInf, zones: zoneInf, providers: pcInf });
    placementRegionWatches(regionInf, state, capacityFreed);
    this.controllers = [zoneCtl, relCtl, pcCtl, regionCtl];

    for (const i of this.informers) i.start();
    await Promise.all(this.informers.map((i) => i.waitForSync()));
    // Providers first: the rebuild needs the catalogue, and zones need member clients.
    pcCtl.start();
    regionCtl.start();
    await waitUntil(clock, () => pcInf.list().every((p) => providerReconciler.reconciled.has(keyOf(p))), 15_000);
    await state.withLock(() => undefined);
    await waitUntil(
      clock,
      () => members.providers().every((p) => !members.isReachable(p) || members.synced(p)),
      15_000,
    );
    const report = await collectOrphans(
      members,
      state,
      () => new Set(zones.list().map((z) => z.spec.applicationId.toLowerCase())),
      log,
    );
    zonesKnown = true;
    // Before any zone is placed: the VLANs the switches still carry for
    // vanished zones are learned (and those zones removed) first. A sidecar
    // that does not answer in time is checked again every few seconds.
    const switchCheck = await within(options.network?.resync?.(), 10_000).catch((err: unknown) => errorText(err));
    log.info('leading: state rebuilt, orphans collected; starting controllers', {
      switchOrphanCheck: switchCheck,
      vlansDraining: state.draining.size,
      zones: zoneInf.list().length,
      providers: members.providers().length,
      orphans: report,
    });
    relCtl.start();
    zoneCtl.start();
    this.started = true;
    this.timers.push(
      setInterval(() => {
        collectOrphans(
          members,
          state,
          () => new Set(zones.list().map((z) => z.spec.applicationId.toLowerCase())),
          log,
        ).catch((err: unknown) => log.warn('orphan collection failed', { error: errorText(err) }));
      }, options.orphanIntervalMs ?? 60_000),
      setInterval(() => {
        const counts = new Map<string, number>();
        for (const z of zones.list())
          for (const c of z.status?.conditions ?? [])
            counts.set(`${c.type}|${c.status}`, (counts.get(`${c.type}|${c.status}`) ?? 0) + 1);
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

/** 'done', 'timed out' (the work goes on), or 'none' when there is no work; rejects as the work does. */
async function within(work: Promise<unknown> | undefined, ms: number): Promise<'done' | 'timed out' | 'none'> {
  if (!work) return 'none';
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  const done = work.then(() => 'done' as const);
  // Failing after the time-out is not news: the periodic check reports it.
  done.catch(() => undefined);
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntil(clock: Clock, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = clock.now() + timeoutMs;
  while (!cond() && clock.now() < end) await sleep(50, clock);
}
