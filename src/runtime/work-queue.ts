// A de-duplicating, rate-limited work queue with client-go's semantics:
// a key is in the queue at most once ("dirty"), a key being worked on
// ("processing") is never handed to a second worker, and a key added while
// it is processed is queued again once, when the worker calls done().
// Delayed adds keep only the earliest deadline per key.

import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

/** Hooks for metrics; the queue knows nothing of prom-client. */
export interface QueueMetrics {
  add(): void;
  depth(n: number): void;
  /** Seconds the key waited between add and get. */
  queued(seconds: number): void;
  /** Seconds from get to done. */
  worked(seconds: number): void;
  retry(): void;
}

const noMetrics: QueueMetrics = { add() {}, depth() {}, queued() {}, worked() {}, retry() {} };

export interface WorkQueueOptions {
  clock?: Clock;
  rateLimiter?: RateLimiter;
  metrics?: QueueMetrics;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: TimerHandle }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly clock: Clock;
  readonly rateLimiter: RateLimiter;
  private readonly metrics: QueueMetrics;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter({ clock: this.clock });
    this.metrics = opts.metrics ?? noMetrics;
  }

  /**
   * `front` puts the key ahead of the others: for follow-up work on
   * something already started (its pods turned Ready), so finishing it does
   * not wait behind every new key added meanwhile.
   */
  add(key: string, front = false): void {
    if (this.shuttingDown) return;
    if (this.dirty.has(key)) {
      if (front) {
        const i = this.queue.indexOf(key);
        if (i > 0) {
          this.queue.splice(i, 1);
          this.queue.unshift(key);
        }
      }
      return;
    }
    this.metrics.add();
    this.dirty.add(key);
    if (!this.addedAt.has(key)) this.addedAt.set(key, this.clock.now());
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.take(key);
      waiter(key);
      return;
    }
    if (front) this.queue.unshift(key);
    else this.queue.push(key);
    this.metrics.depth(this.queue.length);
  }

  /**
   * Adds the key now and drops a delayed add pending for it: the pass that
   * runs now covers what the delay was waiting to batch, and the pass sets
   * its own requeue, so the delayed one would only repeat it.
   */
  addNow(key: string, front = false): void {
    this.delayed.get(key)?.timer.cancel();
    this.delayed.delete(key);
    this.add(key, front);
  }

  /** Adds the key after `ms`; an earlier pending deadline wins. */
  addAfter(key: string, ms: number, front = false): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key, front);
      return;
    }
    const at = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = this.clock.after(ms, () => {
      this.delayed.delete(key);
      this.add(key, front);
    });
    this.delayed.set(key, { at, timer });
  }

  /** Retry with backoff: the larger of the key's exponential delay and the bucket's. */
  addRateLimited(key: string): void {
    this.metrics.retry();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.retries(key);
  }

  /** The next key, waiting for one; undefined once shut down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.metrics.depth(this.queue.length);
      this.take(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private take(key: string): void {
    const now = this.clock.now();
    const added = this.addedAt.get(key) ?? now;
    this.addedAt.delete(key);
    this.metrics.queued((now - added) / 1000);
    this.dirty.delete(key);
    this.processing.set(key, now);
  }

  done(key: string): void {
    const started = this.processing.get(key);
    if (started === undefined) return;
    this.processing.delete(key);
    this.metrics.worked((this.clock.now() - started) / 1000);
    if (this.dirty.has(key)) {
      const waiter = this.waiters.shift();
      if (waiter) {
        this.take(key);
        waiter(key);
      } else {
        this.queue.push(key);
        this.metrics.depth(this.queue.length);
      }
    }
  }

  len(): number {
    return this.queue.length;
  }

  isProcessing(key: string): boolean {
    return this.processing.has(key);
  }

  /** Seconds of work in flight, and the longest single one (for the unfinished-work gauges). */
  unfinished(): { total: number; longest: number } {
    const now = this.clock.now();
    let total = 0;
    let longest = 0;
    for (const t of this.processing.values()) {
      const s = (now - t) / 1000;
      total += s;
      longest = Math.max(longest, s);
    }
    return { total, longest };
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) d.timer.cancel();
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
