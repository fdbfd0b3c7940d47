// client-go's default controller rate limiter, in TypeScript: the larger
// of a per-key exponential backoff (5 ms doubling to 1000 s) and an
// overall token bucket (10 qps, burst 100). The bucket stops a storm of
// failing keys from hammering the API server; the backoff stops one bad
// key from spinning.

import { type Clock, systemClock } from './clock.js';

export interface RateLimiter {
  /** Delay in ms before `key` may be retried; counts as one retry. */
  when(key: string): number;
  /** The key succeeded: its backoff starts over. */
  forget(key: string): void;
  retries(key: string): number;
}

export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1_000_000,
  ) {}

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity long after maxMs, so the min is enough.
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }
  forget(key: string): void {
    this.failures.delete(key);
  }
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** golang.org/x/time/rate's Reserve(): each call takes a token, waiting if none is left. */
export class TokenBucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    readonly qps = 10,
    readonly burst = 100,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  when(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
  forget(): void {}
  retries(): number {
    return 0;
  }
}

export class MaxOfRateLimiter implements RateLimiter {
  constructor(private readonly limiters: readonly RateLimiter[]) {}
  when(key: string): number {
    return Math.max(...this.limiters.map((l) => l.when(key)));
  }
  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }
  retries(key: string): number {
    return Math.max(...this.limiters.map((l) => l.retries(key)));
  }
}

export interface RateLimiterOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  qps?: number;
  burst?: number;
  clock?: Clock;
}

export function defaultControllerRateLimiter(o: RateLimiterOptions = {}): RateLimiter {
  return new MaxOfRateLimiter([
    new ItemExponentialRateLimiter(o.baseDelayMs ?? 5, o.maxDelayMs ?? 1_000_000),
    new TokenBucketRateLimiter(o.qps ?? 10, o.burst ?? 100, o.clock ?? systemClock),
  ]);
}
