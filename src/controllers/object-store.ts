// Reads through the informer cache, plus what this process wrote last:
// right after a write the cache may still hold the older copy, and a
// precondition built from it would only earn a 409. Writes are merge
// patches carrying metadata.resourceVersion, so the API server rejects
// them if anyone (another replica, a user) changed the object meanwhile.

import type { Informer } from '../runtime/informer.js';
import { keyOf, resourcePath, splitKey, type ResourceRef } from '../core/api/resources.js';
import type { KubeClient } from '../runtime/kube-client.js';
import { mergePatchDiff } from './merge-patch.js';

export interface StoredObject {
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    finalizers?: string[];
    deletionTimestamp?: string;
    generation?: number;
    creationTimestamp?: string;
    uid?: string;
  };
  status?: unknown;
}

/** What a reconciler reads and writes of one kind on the hub. */
export interface HubObjects<T extends StoredObject> {
  /** The newest copy known: the informer's, or this process's last write. */
  current(key: string): T | undefined;
  list(): T[];
  /** Writes the whole desired status (as a diff), conditional on `obj`'s resourceVersion. */
  writeStatus(obj: T, status: NonNullable<T['status']>): Promise<T>;
  setFinalizers(obj: T, finalizers: string[]): Promise<T>;
  /** The object is gone: drop what is remembered of it. */
  forget(key: string): void;
}

export class ObjectStore<T extends StoredObject> implements HubObjects<T> {
  private readonly written = new Map<string, T>();
  /** resourceVersions this process wrote, per key, until the informer delivers them. */
  private readonly own = new Map<string, Set<string>>();
  /** Writes in flight per key, and the updates that arrived meanwhile. */
  private readonly writing = new Map<string, number>();
  private readonly held = new Map<string, string[]>();

  constructor(
    readonly hub: KubeClient,
    readonly resource: ResourceRef,
    readonly informer: Informer<T>,
  ) {}

  current(key: string): T | undefined {
    const cached = this.informer.get(key);
    const mine = this.written.get(key);
    const best = newer(cached, mine);
    if (mine && best === cached) this.written.delete(key);
    return best;
  }

  list(): T[] {
    return this.informer.list().map((o) => this.current(keyOf(o)) ?? o);
  }

  forget(key: string): void {
    this.written.delete(key);
    this.own.delete(key);
  }

  /**
   * True for the informer's copy of a write this process made (once per
   * write): the pass that wrote it already acted on everything in it. An
   * update that arrives while a write of the same key is in flight (the
   * watch can beat the write's own response) is held and judged when the
   * write returns: if it was not ours after all, `onMissed` gets the key.
   */
  isEcho(obj: T): boolean {
    const key = keyOf(obj);
    const rv = obj.metadata.resourceVersion;
    if (!rv) return false;
    if (this.takeOwn(key, rv)) return true;
    if (!this.writing.has(key)) return false;
    const held = this.held.get(key) ?? [];
    held.push(rv);
    this.held.set(key, held);
    return true;
  }

  /** True once for each resourceVersion this process wrote. */
  private takeOwn(key: string, rv: string): boolean {
    const mine = this.own.get(key);
    if (!mine?.delete(rv)) return false;
    if (mine.size === 0) this.own.delete(key);
    return true;
  }

  /** Called with the key of a held update that turned out not to be our write. */
  onMissed?: (key: string) => void;

  private async write(key: string, send: () => Promise<T>): Promise<T> {
    this.writing.set(key, (this.writing.get(key) ?? 0) + 1);
    try {
      return this.remember(await send());
    } finally {
      const n = (this.writing.get(key) ?? 1) - 1;
      if (n > 0) this.writing.set(key, n);
      else {
        this.writing.delete(key);
        const held = this.held.get(key) ?? [];
        this.held.delete(key);
        if (held.filter((rv) => !this.takeOwn(key, rv)).length > 0) this.onMissed?.(key);
      }
    }
  }

  private remember(out: T): T {
    const key = keyOf(out);
    this.written.set(key, out);
    const rv = out.metadata.resourceVersion;
    if (!rv) return out;
    let mine = this.own.get(key);
    if (!mine) this.own.set(key, (mine = new Set()));
    mine.add(rv);
    // An echo that never came (the watch relisted past it) must not pin memory.
    if (mine.size > 8) mine.delete(mine.values().next().value as string);
    return out;
  }

  private path(key: string, sub?: string): string {
    const { namespace, name } = splitKey(key);
    return resourcePath(this.resource, namespace, name, sub);
  }

  /** Writes `status` (the whole desired status) as a diff against `obj`'s, conditional on its resourceVersion. */
  async writeStatus(obj: T, status: NonNullable<T['status']>): Promise<T> {
    const diff = mergePatchDiff(obj.status ?? {}, status);
    if (diff === undefined) return obj;
    const key = keyOf(obj);
    return this.write(key, () =>
      this.hub.mergePatch<T>(this.path(key, 'status'), {
        metadata: { resourceVersion: obj.metadata.resourceVersion },
        status: diff,
      }),
    );
  }

  async setFinalizers(obj: T, finalizers: string[]): Promise<T> {
    const key = keyOf(obj);
    return this.write(key, () =>
      this.hub.mergePatch<T>(this.path(key), {
        metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers },
      }),
    );
  }

  async delete(obj: T): Promise<void> {
    await this.hub.delete(this.path(keyOf(obj)));
  }
}

/** resourceVersions are etcd revisions in practice; the newer of two copies wins. */
function newer<T extends StoredObject>(a: T | undefined, b: T | undefined): T | undefined {
  if (!a) return b;
  if (!b) return a;
  const ra = Number(a.metadata.resourceVersion ?? 0);
  const rb = Number(b.metadata.resourceVersion ?? 0);
  return rb > ra ? b : a;
}
