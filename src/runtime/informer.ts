// An informer: LIST, then WATCH from the list's resourceVersion, keeping a
// cache of the objects and telling handlers what changed. Written here
// rather than taken from client-node because its ListWatch stops for good
// on any error that is not a 410 (#2385) and 1.4.0's watch loses its
// timeout (silent stalls, #596). Here:
//   - every watch end (server timeout, network error, 5xx) restarts it,
//     from the last resourceVersion seen, with backoff 0.5 s -> 30 s;
//   - 410 Gone (history compacted) relists and sends deletes for objects
//     that vanished meanwhile;
//   - a watchdog restarts a watch that has been silent (no event, no
//     bookmark) for `stallMs`; bookmarks make an idle watch speak.
// Handlers are synchronous: they map objects to keys for a work queue.

import { keyOf } from '../core/api/resources.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { type KubeClient, type KubeObject, isGone, type Query } from './kube-client.js';
import { type Logger, errorText } from './logger.js';

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(obj: T, old: T): void;
  delete?(obj: T): void;
}

export type WatchHealthEvent = 'connect' | 'relist' | 'restart' | 'stall' | 'gone' | 'error';

export interface InformerOptions {
  client: KubeClient;
  /** Collection path, e.g. /apis/zonekeeper.io/v1alpha1/executionzones */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  logger: Logger;
  clock?: Clock;
  /** Restart a watch silent for this long (default 90 s; the API server bookmarks about every minute). */
  stallMs?: number;
  /** Ask the server to end each watch after this many seconds (default 300), so connections turn over. */
  watchTimeoutSeconds?: number;
  /** Called on watch-health transitions (metrics, logs). */
  onHealth?: (e: WatchHealthEvent, detail?: string) => void;
}

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  /** The cache by namespace (client-go's namespace index): per-zone reads need not scan every object. */
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly clock: Clock;
  private resourceVersion = '';
  private watch: { abort(): void } | undefined;
  private lastActivity = 0;
  private running = false;
  private synced = false;
  private backoffMs = 0;
  private watchdog: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private syncWaiters: (() => void)[] = [];
  /** Increments on each watch start: a stale watch's callbacks are ignored. */
  private generation = 0;

  constructor(private readonly options: InformerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  on(h: InformerHandlers<T>): this {
    this.handlers.push(h);
    return this;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  /** The cached objects of one namespace. */
  listNamespace(namespace: string): T[] {
    return [...(this.byNamespace.get(namespace)?.values() ?? [])];
  }

  private put(key: string, obj: T): void {
    this.cache.set(key, obj);
    const ns = obj.metadata?.namespace ?? '';
    let m = this.byNamespace.get(ns);
    if (!m) this.byNamespace.set(ns, (m = new Map<string, T>()));
    m.set(key, obj);
  }

  private drop(key: string, obj: T): void {
    this.cache.delete(key);
    const ns = obj.metadata?.namespace ?? '';
    const m = this.byNamespace.get(ns);
    m?.delete(key);
    if (m?.size === 0) this.byNamespace.delete(ns);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.relist();
    this.armWatchdog();
  }

  stop(): void {
    this.running = false;
    this.generation++;
    this.watch?.abort();
    this.watch = undefined;
    this.watchdog?.cancel();
    this.retryTimer?.cancel();
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  private query(extra: Query): Query {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector, ...extra };
  }

  private async relist(): Promise<void> {
    const gen = ++this.generation;
    this.watch?.abort();
    this.watch = undefined;
    try {
      const list = await this.options.client.list<T>(this.options.path, this.query({}));
      if (gen !== this.generation || !this.running) return;
      const seen = new Set<string>();
      for (const obj of list.items) {
        const key = keyOf(obj);
        seen.add(key);
        this.upsert(key, obj);
      }
      // Deletes missed while disconnected: in the cache, not in the list.
      for (const [key, old] of [...this.cache]) {
        if (!seen.has(key)) {
          this.drop(key, old);
          for (const h of this.handlers) h.delete?.(old);
        }
      }
      this.resourceVersion = list.metadata?.resourceVersion ?? '';
      this.options.onHealth?.('relist');
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
      this.startWatch(gen);
    } catch (err) {
      if (gen !== this.generation) return;
      this.options.onHealth?.('error', errorText(err));
      this.retry(() => void this.relist(), `list failed: ${errorText(err)}`);
    }
  }

  private upsert(key: string, obj: T): void {
    const old = this.cache.get(key);
    this.put(key, obj);
    if (!old) for (const h of this.handlers) h.add?.(obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
      for (const h of this.handlers) h.update?.(obj, old);
  }

  private startWatch(gen: number): void {
    this.lastActivity = this.clock.now();
    this.watch = this.options.client.watch<T>(
      this.options.path,
      this.query({
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
      }),
      (ev) => {
        if (gen !== this.generation) return;
        this.lastActivity = this.clock.now();
        this.backoffMs = 0;
        const rv = ev.object?.metadata?.resourceVersion;
        switch (ev.type) {
          case 'ADDED':
          case 'MODIFIED':
            this.upsert(keyOf(ev.object), ev.object);
            break;
          case 'DELETED': {
            const key = keyOf(ev.object);
            const old = this.cache.get(key);
            if (old) this.drop(key, old);
            for (const h of this.handlers) h.delete?.(ev.object);
            break;
          }
          case 'BOOKMARK':
            break;
          case 'ERROR': {
            const status = ev.object as unknown as { code?: number; message?: string };
            if (status.code === 410) {
              this.options.onHealth?.('gone', status.message);
              this.generation++;
              void this.relist();
            } else {
              this.options.onHealth?.('error', status.message);
              this.generation++;
              this.retry(() => void this.relist(), `watch error: ${status.message ?? 'unknown'}`);
            }
            return;
          }
        }
        if (rv) this.resourceVersion = rv;
      },
      (err) => {
        if (gen !== this.generation || !this.running) return;
        if (isGone(err)) {
          this.options.onHealth?.('gone');
          void this.relist();
          return;
        }
        if (err) this.options.onHealth?.('error', errorText(err));
        else this.options.onHealth?.('restart', 'server closed the watch');
        this.generation++;
        // A clean close restarts at once from the last resourceVersion; an error backs off.
        if (!err) {
          const g = ++this.generation;
          this.startWatch(g);
        } else this.retry(() => this.restartWatch(), `watch ended: ${errorText(err)}`);
      },
    );
    this.options.onHealth?.('connect');
  }

  private restartWatch(): void {
    const g = ++this.generation;
    if (this.resourceVersion === '') void this.relist();
    else this.startWatch(g);
  }

  private retry(fn: () => void, why: string): void {
    if (!this.running) return;
    this.backoffMs = Math.min(30_000, this.backoffMs === 0 ? 500 : this.backoffMs * 2);
    this.options.logger.warn('informer retrying', { path: this.options.path, inMs: this.backoffMs, why });
    this.retryTimer?.cancel();
    this.retryTimer = this.clock.after(this.backoffMs, () => {
      if (this.running) fn();
    });
  }

  private armWatchdog(): void {
    const stallMs = this.options.stallMs ?? 90_000;
    const tick = () => {
      if (!this.running) return;
      if (this.watch && this.clock.now() - this.lastActivity > stallMs) {
        this.options.logger.warn('watch stalled; restarting it', {
          path: this.options.path,
          silentMs: this.clock.now() - this.lastActivity,
        });
        this.options.onHealth?.('stall');
        this.watch.abort();
        this.watch = undefined;
        this.restartWatch();
      }
      this.watchdog = this.clock.after(Math.max(1000, stallMs / 3), tick);
    };
    this.watchdog = this.clock.after(Math.max(1000, stallMs / 3), tick);
  }

  /** Forces a relist (tests; after a member cluster came back). */
  resync(): void {
    if (this.running) void this.relist();
  }
}
