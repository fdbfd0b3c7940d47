// The web view's source of truth: two informers (ExecutionZones in every
// namespace, ProviderClusters) keep the projected views, and every change
// goes to the subscribers in small batches (one per BATCH_MS), so a burst
// of status writes costs one message per open page, not one per write.

import type { ExecutionZone, ProviderCluster } from '../core/api/types.js';
import { API_GROUP, API_VERSION } from '../core/api/types.js';
import { keyOf } from '../core/api/resources.js';
import { Informer } from '../runtime/informer.js';
import type { KubeClient } from '../runtime/kube-client.js';
import type { Logger } from '../runtime/logger.js';
import { type ProviderView, providerView, type ZoneView, zoneView } from './view-model.js';

export interface ViewChange {
  zones: ZoneView[];
  /** namespace/name of zones that are gone. */
  removed: { key: string; namespace: string }[];
  /** The whole catalogue, when any provider changed. */
  providers?: ProviderView[];
}

export type ViewListener = (change: ViewChange) => void;

const BATCH_MS = 20;

export class ViewFeed {
  private readonly zoneInformer: Informer<ExecutionZone & { metadata: { name: string } }>;
  private readonly providerInformer: Informer<ProviderCluster & { metadata: { name: string } }>;
  private readonly zones = new Map<string, ZoneView>();
  private readonly providerViews = new Map<string, ProviderView>();
  private readonly listeners = new Set<ViewListener>();
  private pending: { zones: Map<string, ZoneView>; removed: Map<string, string>; providers: boolean } = {
    zones: new Map(),
    removed: new Map(),
    providers: false,
  };
  private timer: NodeJS.Timeout | undefined;

  constructor(hub: KubeClient, logger: Logger) {
    this.zoneInformer = new Informer({
      client: hub,
      path: `/apis/${API_GROUP}/${API_VERSION}/executionzones`,
      logger: logger.child({ informer: 'executionzones' }),
    });
    this.providerInformer = new Informer({
      client: hub,
      path: `/apis/${API_GROUP}/${API_VERSION}/providerclusters`,
      logger: logger.child({ informer: 'providerclusters' }),
    });
    const putZone = (z: ExecutionZone) => {
      const v = zoneView(z);
      this.zones.set(v.key, v);
      this.pending.removed.delete(v.key);
      this.pending.zones.set(v.key, v);
      this.schedule();
    };
    this.zoneInformer.on({
      add: putZone,
      update: putZone,
      delete: (z) => {
        const key = keyOf(z);
        this.zones.delete(key);
        this.pending.zones.delete(key);
        this.pending.removed.set(key, z.metadata.namespace ?? '');
        this.schedule();
      },
    });
    const putProvider = (p: ProviderCluster) => {
      this.providerViews.set(p.metadata.name, providerView(p));
      this.pending.providers = true;
      this.schedule();
    };
    this.providerInformer.on({
      add: putProvider,
      update: putProvider,
      delete: (p) => {
        this.providerViews.delete(p.metadata.name);
        this.pending.providers = true;
        this.schedule();
      },
    });
  }

  async start(): Promise<void> {
    this.zoneInformer.start();
    this.providerInformer.start();
    await Promise.all([this.zoneInformer.waitForSync(), this.providerInformer.waitForSync()]);
  }

  stop(): void {
    this.zoneInformer.stop();
    this.providerInformer.stop();
    if (this.timer) clearTimeout(this.timer);
  }

  get synced(): boolean {
    return this.zoneInformer.hasSynced && this.providerInformer.hasSynced;
  }

  providers(): ProviderView[] {
    return [...this.providerViews.values()];
  }

  zoneViews(): Iterable<ZoneView> {
    return this.zones.values();
  }

  namespaces(): string[] {
    return [...new Set([...this.zones.values()].map((z) => z.namespace))].sort();
  }

  subscribe(listener: ViewListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const p = this.pending;
    this.pending = { zones: new Map(), removed: new Map(), providers: false };
    const change: ViewChange = {
      zones: [...p.zones.values()],
      removed: [...p.removed].map(([key, namespace]) => ({ key, namespace })),
      ...(p.providers ? { providers: this.providers() } : {}),
    };
    for (const l of this.listeners) l(change);
  }
}
