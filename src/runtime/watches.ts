// What a controller watches, declared next to its reconciler the way
// controller-runtime's builder does it: `For` its own kind (every change
// of an object enqueues that object's key), and `Watches` of other kinds
// (a change maps to the keys of the objects it concerns). Handlers only
// map and enqueue; the reconciler reads the objects itself.

import { keyOf, type Named } from '../core/api/resources.js';
import type { InformerHandlers } from './informer.js';
import type { WorkQueue } from './work-queue.js';

/** Anything that tells handlers about adds, updates and deletes (an informer). */
export interface EventSource<T> {
  on(handlers: InformerHandlers<T>): unknown;
}

/** Maps an event to the keys it concerns; undefined or empty enqueues nothing. */
export interface KeyMap<T> {
  add?(obj: T): Iterable<string> | undefined;
  update?(now: T, old: T): Iterable<string> | undefined;
  delete?(obj: T): Iterable<string> | undefined;
}

export interface WatchOptions {
  /** Enqueue after this delay (folds bursts into one pass); default at once. */
  delayMs?: number;
}

export class Watches {
  constructor(private readonly queue: Pick<WorkQueue, 'add' | 'addAfter'>) {}

  /** The controller's own kind: each add, update and delete enqueues the object, unless `skipUpdate` says the update needs no pass. */
  for<T extends Named>(source: EventSource<T>, skipUpdate?: (now: T, old: T) => boolean): this {
    source.on({
      add: (o) => this.queue.add(keyOf(o)),
      update: (now, old) => (skipUpdate?.(now, old) ? undefined : this.queue.add(keyOf(now))),
      delete: (o) => this.queue.add(keyOf(o)),
    });
    return this;
  }

  /** Another kind, whose changes concern objects of this controller's kind. */
  watches<T>(source: EventSource<T>, map: KeyMap<T>, options: WatchOptions = {}): this {
    const enqueue = (keys: Iterable<string> | undefined) => {
      for (const k of keys ?? []) {
        if (options.delayMs) this.queue.addAfter(k, options.delayMs);
        else this.queue.add(k);
      }
    };
    source.on({
      ...(map.add ? { add: (o: T) => enqueue(map.add?.(o)) } : {}),
      ...(map.update ? { update: (now: T, old: T) => enqueue(map.update?.(now, old)) } : {}),
      ...(map.delete ? { delete: (o: T) => enqueue(map.delete?.(o)) } : {}),
    });
    return this;
  }
}
