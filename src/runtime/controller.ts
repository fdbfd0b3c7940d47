// A controller: a work queue of keys and N workers that call a reconciler
// with one key at a time. The reconciler sees only the key (level
// triggered); what it returns decides whether the key comes back:
// success forgets the key's backoff, `requeueAfter` schedules it, an error
// or `requeue` retries it with backoff.

import { type Logger, errorText } from './logger.js';
import type { OperatorMetrics } from './metrics.js';
import { WorkQueue } from './work-queue.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Clock } from './clock.js';

export interface ReconcileResult {
  /** Retry with the key's backoff (without counting as an error). */
  requeue?: boolean;
  /** Look again after this many ms (polling a condition, a timer). */
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | void>;

/** Errors that retrying cannot fix (a spec the API accepted but the core rejects). */
export class TerminalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerminalError';
  }
}

export interface ControllerOptions {
  name: string;
  reconcile: Reconciler;
  concurrency?: number;
  metrics?: OperatorMetrics;
  logger: Logger;
  rateLimiter?: RateLimiter;
  clock?: Clock;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly concurrency: number;
  private workers: Promise<void>[] = [];
  private active = 0;
  private gaugeTimer?: NodeJS.Timeout;

  constructor(private readonly options: ControllerOptions) {
    this.name = options.name;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.queue = new WorkQueue({
      ...(options.rateLimiter ? { rateLimiter: options.rateLimiter } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.metrics ? { metrics: options.metrics.queueMetrics(options.name) } : {}),
    });
  }

  start(): void {
    if (this.workers.length > 0) return;
    const l = { controller: this.name };
    this.options.metrics?.maxConcurrentReconciles.set(l, this.concurrency);
    this.options.metrics?.activeWorkers.set(l, 0);
    if (this.options.metrics) {
      const m = this.options.metrics;
      this.gaugeTimer = setInterval(() => {
        const u = this.queue.unfinished();
        m.unfinishedWork.set({ name: this.name, controller: this.name }, u.total);
        m.longestRunning.set({ name: this.name, controller: this.name }, u.longest);
      }, 1000);
      this.gaugeTimer.unref();
    }
    for (let i = 0; i < this.concurrency; i++) this.workers.push(this.worker());
    this.options.logger.info('controller started', { controller: this.name, workers: this.concurrency });
  }

  /** Stops taking keys and waits for the reconciles in flight. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    if (this.gaugeTimer) clearInterval(this.gaugeTimer);
    await Promise.all(this.workers);
    this.workers = [];
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.processOne(key);
    }
  }

  private async processOne(key: string): Promise<void> {
    const m = this.options.metrics;
    const l = { controller: this.name };
    this.active++;
    m?.activeWorkers.set(l, this.active);
    const stopTimer = m?.reconcileTime.startTimer(l);
    try {
      const r = (await this.options.reconcile(key)) ?? {};
      if (r.requeueAfterMs !== undefined && r.requeueAfterMs > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, r.requeueAfterMs);
        m?.reconcileTotal.inc({ ...l, result: 'requeue_after' });
      } else if (r.requeue) {
        this.queue.addRateLimited(key);
        m?.reconcileTotal.inc({ ...l, result: 'requeue' });
      } else {
        this.queue.forget(key);
        m?.reconcileTotal.inc({ ...l, result: 'success' });
      }
    } catch (err) {
      m?.reconcileTotal.inc({ ...l, result: 'error' });
      m?.reconcileErrors.inc(l);
      if (err instanceof TerminalError) {
        // Not retried: only a new event (a spec change) brings the key back.
        m?.terminalReconcileErrors.inc(l);
        this.queue.forget(key);
        this.options.logger.error('reconcile failed (terminal)', { controller: this.name, key, error: err.message });
      } else {
        this.queue.addRateLimited(key);
        this.options.logger.warn('reconcile failed; retrying with backoff', {
          controller: this.name,
          key,
          error: errorText(err),
          retries: this.queue.numRequeues(key),
        });
      }
    } finally {
      stopTimer?.();
      this.active--;
      m?.activeWorkers.set(l, this.active);
      this.queue.done(key);
    }
  }
}
