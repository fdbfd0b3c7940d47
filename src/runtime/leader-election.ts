// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it:
// the leader renews every `retryPeriod`; a candidate takes the lease once
// the record it last observed has not changed for `leaseDuration` of its
// own clock (no cross-host clock comparison); a leader that cannot renew
// within `renewDeadline` steps down. Updates carry the lease's
// resourceVersion, so two candidates can never both win one round.
// `leaseTransitions` counts leader changes: a strictly increasing term,
// which the P4Runtime sidecar uses as its election id. Unlike client-go, a
// candidate whose observed lease runs out before its next retry wakes at
// that moment rather than a retry period later, so a dead leader is
// replaced within leaseDuration + retryPeriod of its last renewal, not
// leaseDuration + 2 × retryPeriod.

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { type Clock, sleep, systemClock } from './clock.js';
import { type KubeClient, isConflict, isNotFound, resourcePath } from './kube-client.js';
import { type Logger, errorText } from './logger.js';

export const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true } as const;

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger: Logger;
  clock?: Clock;
  onStartedLeading: (term: number) => void;
  onStoppedLeading: () => void;
  onNewLeader?: (identity: string) => void;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

export class LeaderElector {
  readonly identity: string;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private readonly clock: Clock;
  private observed: { holder: string; renewTime: string; transitions: number } | undefined;
  private observedAt = 0;
  /** When the lease we last observed, held by another, runs out on our clock (0: none). */
  private observedExpiry = 0;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  /** The lease's leaseTransitions when we took it. */
  term = 0;

  constructor(private readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? defaultIdentity();
    this.leaseMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryMs = options.retryPeriodMs ?? 2_000;
    this.clock = options.clock ?? systemClock;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private get path(): string {
    return resourcePath(LEASES, this.options.namespace, this.options.name);
  }

  /** Runs until stop(); calls the callbacks on transitions. */
  async run(): Promise<void> {
    while (!this.stopped) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (err) {
        this.options.logger.warn('leader election: lease update failed', {
          error: errorText(err),
          lease: `${this.options.namespace}/${this.options.name}`,
        });
      }
      const now = this.clock.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          this.options.logger.info('leader election: became leader', { identity: this.identity, term: this.term });
          this.options.onStartedLeading(this.term);
        }
      } else if (this.leading && now - this.lastRenew > this.renewDeadlineMs) {
        this.leading = false;
        this.options.logger.error('leader election: lost the lease (renew deadline passed)', {
          identity: this.identity,
        });
        this.options.onStoppedLeading();
      }
      const expiresIn = this.observedExpiry - this.clock.now();
      await sleep(
        !this.leading && expiresIn >= 0 && expiresIn < this.retryMs ? expiresIn + 1 : this.retryMs,
        this.clock,
      );
    }
  }

  /** Gives the lease up (clean shutdown): the next candidate need not wait for expiry. */
  async release(): Promise<void> {
    this.stopped = true;
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.options.client.get<Lease>(this.path);
      if (lease.spec.holderIdentity !== this.identity) return;
      lease.spec.holderIdentity = '';
      lease.spec.leaseDurationSeconds = 1;
      lease.spec.renewTime = microTime(this.clock.now());
      await this.options.client.replace(this.path, lease);
    } catch (err) {
      this.options.logger.warn('leader election: release failed', { error: errorText(err) });
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const nowText = microTime(now);
    let lease: Lease;
    try {
      lease = await this.options.client.get<Lease>(this.path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const fresh: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.options.name, namespace: this.options.namespace },
        spec: {
          holderIdentity: this.identity,
          leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
          acquireTime: nowText,
          renewTime: nowText,
          leaseTransitions: 0,
        },
      };
      try {
        await this.options.client.create(resourcePath(LEASES, this.options.namespace), fresh);
      } catch (e) {
        if (isConflict(e)) return false;
        throw e;
      }
      this.term = 0;
      return true;
    }
    const spec = lease.spec;
    const holder = spec.holderIdentity ?? '';
    const record = { holder, renewTime: spec.renewTime ?? '', transitions: spec.leaseTransitions ?? 0 };
    if (!this.observed || this.observed.holder !== record.holder || this.observed.renewTime !== record.renewTime) {
      if (this.observed?.holder !== record.holder && record.holder !== '' && record.holder !== this.identity)
        this.options.onNewLeader?.(record.holder);
      this.observed = record;
      this.observedAt = now;
    }
    const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(this.leaseMs / 1000)) * 1000;
    const mine = holder === this.identity;
    this.observedExpiry = !mine && holder !== '' ? this.observedAt + durationMs : 0;
    if (!mine && holder !== '' && this.observedAt + durationMs > now) return false;
    const next: Lease = {
      ...lease,
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
        acquireTime: mine ? spec.acquireTime : nowText,
        renewTime: nowText,
        leaseTransitions: mine ? record.transitions : record.transitions + 1,
      },
    };
    try {
      // PUT with the resourceVersion read above: a concurrent winner makes this 409.
      await this.options.client.replace(this.path, next);
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
    this.term = next.spec.leaseTransitions ?? 0;
    this.observed = { holder: this.identity, renewTime: nowText, transitions: this.term };
    this.observedAt = now;
    return true;
  }
}
