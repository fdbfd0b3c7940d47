// When each object was first seen in a wanted state, fed by an informer
// (which relists after a broken watch, so no transition is lost), and a
// promise per name for the closed-loop clients that wait on it.

import type { KubeClient, KubeObject } from '../../src/runtime/kube-client.js';
import { Informer } from '../../src/runtime/informer.js';
import { silentLogger } from '../../src/runtime/logger.js';

export class FirstSeen {
  readonly at = new Map<string, number>();
  private readonly waiters = new Map<string, (t: number) => void>();

  mark(name: string): void {
    if (this.at.has(name)) return;
    const t = Date.now();
    this.at.set(name, t);
    this.waiters.get(name)?.(t);
    this.waiters.delete(name);
  }

  wait(name: string): Promise<number> {
    const t = this.at.get(name);
    if (t !== undefined) return Promise.resolve(t);
    return new Promise((resolve) => this.waiters.set(name, resolve));
  }
}

/** Marks `seen` for each object of `path` on `client` once `wanted(obj)` holds. */
export async function track<T extends KubeObject>(
  client: KubeClient,
  path: string,
  seen: FirstSeen,
  wanted: (o: T) => boolean,
  labelSelector?: string,
): Promise<Informer<T>> {
  const inf = new Informer<T>({ client, path, logger: silentLogger, ...(labelSelector ? { labelSelector } : {}) });
  const look = (o: T) => {
    if (o.metadata?.name && wanted(o)) seen.mark(o.metadata.name);
  };
  inf.on({ add: look, update: look });
  inf.start();
  await inf.waitForSync();
  return inf;
}
