// One P4Runtime switch as the sidecar sees it: a StreamChannel kept open
// (reconnecting with backoff), primary or backup by election id, the
// pipeline pushed only when the switch's cookie differs, and a mirror of the
// entries the switch holds. Every change goes through one queue, so writes
// never interleave: zone changes are diffed against the mirror; a full
// reconcile (wildcard read, then DELETE, MODIFY, INSERT) runs on becoming
// primary, after every reconnect, when a write shows the mirror was stale,
// and on a slow timer (the ONOS model: mirror, diff, bounded batches, re-sync).
import * as grpc from '@grpc/grpc-js';
import { P4RuntimeClient, P4RuntimeError, type ArbitrationStream } from '../p4/p4runtime-client.js';
import type {
  DirectCounterEntry,
  ForwardingPipelineConfig,
  MasterArbitrationUpdate,
  Uint128,
} from '../p4/p4runtime-types.js';
import type { DesiredState } from './desired-state.js';
import {
  batches,
  heldEntry,
  planReconcile,
  toUpdates,
  updateBytes,
  type HeldEntry,
  type PlannedUpdate,
} from './reconcile-plan.js';
import type { SidecarMetrics } from './metrics.js';
import type { GrpcSecurity } from '../runtime/grpc-tls.js';
import { encodeWriteRequest } from '../p4/write-encoding.js';

export interface SwitchTarget {
  address: string;
  deviceId: string;
}

export interface SwitchConnectionOptions {
  target: SwitchTarget;
  role: string;
  pipeline: ForwardingPipelineConfig;
  batchSize: number;
  /** Write batches of one phase in flight at once. */
  maxInFlight: number;
  resyncIntervalMs: number;
  metrics: SidecarMetrics;
  log: (msg: string) => void;
  /** The channel's credentials (default plaintext). */
  security?: GrpcSecurity;
}

const SYNC_RETRY_MIN_MS = 100;
const SYNC_RETRY_MAX_MS = 10_000;

/**
 * The arbitration answer's code. Proto3 leaves a zero out of the encoding, so
 * a primary's status often arrives as `{message: "Is primary"}` with no code
 * (BMv2 does this): an absent code is OK. An absent status says nothing.
 */
export function arbitrationCode(m: MasterArbitrationUpdate): grpc.status {
  if (!m.status) return grpc.status.UNKNOWN;
  return m.status.code ?? grpc.status.OK;
}

/**
 * Whether a GetForwardingPipelineConfig error means "this device has no
 * pipeline yet" (push one) rather than a failure. BMv2 answers a switch
 * started without a program with FAILED_PRECONDITION "No forwarding
 * pipeline config set"; the specification's NOT_FOUND is read the same way.
 */
export function meansNoPipeline(e: unknown): boolean {
  return (
    e instanceof P4RuntimeError &&
    (e.code === grpc.status.FAILED_PRECONDITION || e.code === grpc.status.NOT_FOUND) &&
    /pipeline|config/i.test(e.details)
  );
}

export class SwitchConnection {
  readonly target: SwitchTarget;
  connected = false;
  primary = false;
  /** Whether the mirror was confirmed by a full reconcile since (re)connecting. */
  synced = false;
  /** A backup because another controller is primary (ALREADY_EXISTS), not because there is none. */
  behindPrimary = false;
  lastSyncMs = 0;
  message = 'connecting';
  /** key -> entry, what the switch holds as far as the sidecar knows */
  readonly mirror = new Map<string, HeldEntry>();
  /** key -> error of the last write of that entry */
  readonly failed = new Map<string, string>();

  private client: P4RuntimeClient;
  private stream: ArbitrationStream | undefined;
  private election: Uint128;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private backoffMs = 100;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** A failed full reconcile is retried after this long, doubling up to SYNC_RETRY_MAX_MS. */
  private syncRetryMs = SYNC_RETRY_MIN_MS;
  private syncRetryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  /** zone -> callers waiting for its change to be attempted */
  private readonly dirty = new Map<string, (() => void)[]>();
  /** Zones whose updates are on the wire; a zone is never in two writes at once. */
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private drainedWaiters: (() => void)[] = [];
  /** A full reconcile is running: zone writes wait for it. */
  private syncing = false;
  private needFullSync = true;
  /** Keys a zone gave up (zone deleted or entry dropped): delete them even before pruning is allowed. */
  private readonly released = new Set<string>();
  /** Released keys a write in flight is deleting: no other write may send them too (it would meet NOT_FOUND). */
  private readonly releasing = new Set<string>();
  /**
   * Whether entries no zone owns may be deleted. Off until the operator says
   * its desired state is complete, so a restarted sidecar (empty desired
   * state) never wipes a switch that is forwarding traffic.
   */
  pruneUnowned = false;

  constructor(
    private readonly opts: SwitchConnectionOptions,
    election: Uint128,
    private readonly desired: DesiredState,
  ) {
    this.target = opts.target;
    this.election = election;
    this.client = new P4RuntimeClient(opts.target.address, {
      timeoutMs: 30_000,
      ...(opts.security ? { security: opts.security } : {}),
    });
  }

  private get label(): string {
    return `${this.target.address}#${this.target.deviceId}`;
  }

  start(): void {
    this.connect();
    this.resyncTimer = setInterval(() => {
      if (this.primary) void this.requestFullSync('periodic');
    }, this.opts.resyncIntervalMs);
    this.resyncTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.syncRetryTimer);
    clearInterval(this.resyncTimer);
    this.stream?.end();
    this.client.close();
  }

  /** A new election id (a new leader term): re-arbitrate on the live stream. */
  setElection(election: Uint128): void {
    if ((election.high ?? '0') === (this.election.high ?? '0') && (election.low ?? '0') === (this.election.low ?? '0'))
      return;
    this.election = election;
    if (this.stream && !this.stream.closed) this.stream.arbitrate(election);
  }

  private connect(): void {
    if (this.stopped) return;
    const stream = this.client.openStream(this.target.deviceId, this.election, this.opts.role);
    this.stream = stream;
    stream.on('arbitration', (m: MasterArbitrationUpdate) => {
      this.connected = true;
      this.backoffMs = 100;
      const code = arbitrationCode(m);
      const nowPrimary = code === grpc.status.OK;
      const was = this.primary;
      this.primary = nowPrimary;
      this.behindPrimary = code === grpc.status.ALREADY_EXISTS;
      this.opts.metrics.primary.set({ switch: this.label }, nowPrimary ? 1 : 0);
      this.opts.metrics.connected.set({ switch: this.label }, 1);
      if (!nowPrimary) {
        if (was && code === grpc.status.ALREADY_EXISTS) {
          // Outbid: the next leader's sidecar does this on purpose; anyone else is taking the switch.
          this.opts.metrics.primaryLost.inc({ switch: this.label });
          const e = m.election_id;
          this.opts.log(
            `${this.label}: another controller took the switch (its election ${e?.high ?? '0'}:${e?.low ?? '0'}, ours ${this.election.high ?? '0'}:${this.election.low ?? '0'})`,
          );
        }
        this.synced = false;
        this.message =
          code === grpc.status.ALREADY_EXISTS
            ? 'backup: another controller is primary'
            : code === grpc.status.NOT_FOUND
              ? 'backup: no primary'
              : `not primary: ${grpc.status[code] ?? code} ${m.status?.message ?? ''}`.trim();
      } else if (!was) {
        this.opts.log(`${this.label}: primary (election ${this.election.high ?? '0'}:${this.election.low ?? '0'})`);
        this.message = 'primary';
        void this.requestFullSync('became primary');
      }
    });
    stream.on('closed', (c: { code: grpc.status; details: string }) => {
      if (this.stream !== stream) return;
      const wasConnected = this.connected;
      this.connected = false;
      this.primary = false;
      this.behindPrimary = false;
      this.synced = false;
      this.needFullSync = true;
      this.message = `disconnected: ${grpc.status[c.code] ?? c.code} ${c.details}`;
      this.opts.metrics.connected.set({ switch: this.label }, 0);
      this.opts.metrics.primary.set({ switch: this.label }, 0);
      if (wasConnected) this.opts.log(`${this.label}: stream closed (${this.message}); reconnecting`);
      if (this.stopped) return;
      this.reconnectTimer = setTimeout(() => this.connect(), this.backoffMs);
      // Capped low: a restarted switch should be re-synced within about a second.
      this.backoffMs = Math.min(this.backoffMs * 2, 500);
    });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task, task);
    this.queue = run.catch((e: unknown) => {
      this.opts.log(`${this.label}: ${(e as Error).message}`);
    });
    return this.queue;
  }

  requestFullSync(why: string): Promise<void> {
    this.needFullSync = true;
    // A retry is already scheduled after a failure: it carries this request too.
    if (this.syncRetryTimer) return this.queue;
    return this.enqueue(async () => {
      if (!this.primary || !this.needFullSync || this.stopped) return;
      this.syncing = true;
      let failed = false;
      try {
        await this.drained();
        await this.fullSync(why);
        this.syncRetryMs = SYNC_RETRY_MIN_MS;
      } catch (e) {
        failed = true;
        throw e;
      } finally {
        this.syncing = false;
        // Never straight back into another attempt (pump would start one at
        // once): a failed reconcile is retried after a growing pause.
        if (failed) this.scheduleSyncRetry(why);
        this.pump();
      }
    });
  }

  private scheduleSyncRetry(why: string): void {
    if (this.stopped || this.syncRetryTimer) return;
    const wait = this.syncRetryMs;
    this.syncRetryMs = Math.min(this.syncRetryMs * 2, SYNC_RETRY_MAX_MS);
    this.syncRetryTimer = setTimeout(() => {
      this.syncRetryTimer = undefined;
      void this.requestFullSync(`retry after ${wait} ms (${why})`);
    }, wait);
    this.syncRetryTimer.unref();
  }

  /**
   * Apply the desired state of these zones (diffed against the mirror);
   * resolves once the change was attempted, or at once when this sidecar is
   * not primary (the next full reconcile will carry it).
   */
  applyZones(zones: string[], released: Iterable<string> = []): Promise<void> {
    for (const k of released) this.released.add(k);
    const done = Promise.all(
      zones.map(
        (z) =>
          new Promise<void>((resolve) => {
            const w = this.dirty.get(z);
            if (w) w.push(resolve);
            else this.dirty.set(z, [resolve]);
          }),
      ),
    );
    this.pump();
    return done.then(() => undefined);
  }

  private drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  /**
   * Send dirty zones while there is room: up to maxInFlight writes at once.
   * A group takes whole zones up to one batch, so a write is never cut into
   * a full batch and a small remainder. A group that is not full goes out
   * only while at most one write is on the wire: the switch then always has
   * the next write queued behind the one it applies, and zone changes that
   * arrive meanwhile gather into full batches. (Holding partial groups until
   * nothing was in flight left the switch idle between writes whenever the
   * callers waited for their zones before sending more.)
   */
  private pump(): void {
    if (this.syncing) return;
    if (!this.primary) {
      for (const [z, waiters] of this.dirty) {
        this.dirty.delete(z);
        for (const w of waiters) w();
      }
      return;
    }
    if (this.needFullSync) {
      // Zone changes wait for the reconcile; while a retry is scheduled, the
      // retry runs it (no reconcile per zone change).
      if (!this.syncRetryTimer) {
        void this.requestFullSync('pending re-sync');
        return;
      }
      // The last reconcile failed: callers get their (not programmed) status
      // now rather than waiting for the switch to recover; the retry's full
      // reconcile carries their changes.
      for (const [z, waiters] of this.dirty) {
        this.dirty.delete(z);
        for (const w of waiters) w();
      }
      return;
    }
    while (this.inFlight < this.opts.maxInFlight) {
      const group: string[] = [];
      let size = 0;
      let full = false;
      for (const z of this.dirty.keys()) {
        if (this.busy.has(z)) continue;
        const n = this.desired.zones.get(z)?.entries.size ?? 1;
        if (group.length > 0 && size + n > this.opts.batchSize) {
          full = true;
          break;
        }
        group.push(z);
        size += n;
        if (size >= this.opts.batchSize) {
          full = true;
          break;
        }
      }
      const releasedWaiting = this.released.size > 0 && this.inFlight === 0;
      if (group.length === 0 && !releasedWaiting) return;
      if (!full && this.inFlight > 1) return;
      const waiters: (() => void)[] = [];
      for (const z of group) {
        waiters.push(...(this.dirty.get(z) ?? []));
        this.dirty.delete(z);
        this.busy.add(z);
      }
      this.inFlight++;
      void this.flushZones(new Set(group)).finally(() => {
        this.inFlight--;
        for (const z of group) this.busy.delete(z);
        for (const w of waiters) w();
        if (this.inFlight === 0) {
          const d = this.drainedWaiters;
          this.drainedWaiters = [];
          for (const r of d) r();
        }
        this.pump();
      });
    }
  }

  private async ensurePipeline(): Promise<void> {
    const want = this.opts.pipeline.cookie?.cookie ?? '0';
    let have: string | undefined;
    try {
      const got = await this.client.getPipeline({ device_id: this.target.deviceId, response_type: 'COOKIE_ONLY' });
      have = got.config?.cookie?.cookie;
    } catch (e) {
      if (!meansNoPipeline(e)) throw e;
    }
    if (have === want) return;
    this.opts.log(`${this.label}: pushing pipeline (cookie ${want}, switch has ${have ?? 'none'})`);
    await this.client.setPipeline({
      device_id: this.target.deviceId,
      role: this.opts.role,
      election_id: this.election,
      action: 'VERIFY_AND_COMMIT',
      config: this.opts.pipeline,
    });
    this.opts.metrics.pipelinePushes.inc({ switch: this.label });
    this.mirror.clear();
  }

  /**
   * The direct counters of one table (a wildcard read of that table: BMv2
   * refuses table_id 0 for counters). Reads need no arbitration, so a
   * backup sidecar reads them too; it does not go through the write queue.
   */
  async readDirectCounters(tableId: number): Promise<DirectCounterEntry[]> {
    const read = await this.client.read({
      device_id: this.target.deviceId,
      role: this.opts.role,
      entities: [{ direct_counter_entry: { table_entry: { table_id: tableId } }, entity: 'direct_counter_entry' }],
    });
    return read.flatMap((e) => (e.direct_counter_entry ? [e.direct_counter_entry] : []));
  }

  private async fullSync(why: string): Promise<void> {
    const end = this.opts.metrics.reconcileSeconds.startTimer({ switch: this.label });
    try {
      await this.ensurePipeline();
      const read = await this.client.read({
        device_id: this.target.deviceId,
        role: this.opts.role,
        entities: [{ table_entry: {} }],
      });
      this.mirror.clear();
      for (const ent of read) {
        const e = ent.table_entry;
        if (!e) continue;
        const h = heldEntry(e);
        this.mirror.set(h.key, h);
      }
      this.needFullSync = false;
      this.failed.clear();
      const plan = planReconcile(this.mirror, this.desired.all());
      if (!this.pruneUnowned) plan.deletes = plan.deletes.filter((h) => this.released.has(h.key));
      await this.write(toUpdates(plan));
      for (const k of this.released) if (!this.mirror.has(k)) this.released.delete(k);
      this.synced = true;
      this.lastSyncMs = Date.now();
      this.opts.metrics.reconciles.inc({ switch: this.label, trigger: why.split(' ')[0] ?? why, result: 'ok' });
      if (plan.deletes.length + plan.modifies.length + plan.inserts.length > 0) {
        this.opts.log(
          `${this.label}: reconciled (${why}): -${plan.deletes.length} ~${plan.modifies.length} +${plan.inserts.length}`,
        );
      }
    } catch (e) {
      this.opts.metrics.reconciles.inc({ switch: this.label, trigger: why.split(' ')[0] ?? why, result: 'error' });
      this.message = `reconcile failed: ${(e as Error).message}`;
      this.handleRpcError(e);
      throw e;
    } finally {
      end();
    }
  }

  private async flushZones(zones: Set<string>): Promise<void> {
    // Only the keys these zones want or gave up; entries nobody owns are
    // left to the full reconcile, so a flush costs O(changed zones).
    const held = new Map<string, HeldEntry>();
    const want = new Map<string, HeldEntry>();
    for (const z of zones) {
      for (const [k, e] of this.desired.zones.get(z)?.entries ?? []) {
        want.set(k, e);
        const h = this.mirror.get(k);
        if (h) held.set(k, h);
      }
    }
    const claimed: string[] = [];
    for (const k of this.released) {
      if (this.releasing.has(k)) continue;
      const h = this.mirror.get(k);
      if (h && this.desired.ownerOf(k) === undefined) {
        held.set(k, h);
        claimed.push(k);
        this.releasing.add(k);
      }
    }
    try {
      await this.write(toUpdates(planReconcile(held, want)));
    } catch (e) {
      this.handleRpcError(e);
    } finally {
      for (const k of claimed) this.releasing.delete(k);
      for (const k of this.released) if (!this.mirror.has(k) && !this.releasing.has(k)) this.released.delete(k);
    }
  }

  private handleRpcError(e: unknown): void {
    if (
      e instanceof P4RuntimeError &&
      (e.code === grpc.status.PERMISSION_DENIED || e.code === grpc.status.UNAVAILABLE)
    ) {
      this.primary = false;
      this.synced = false;
      this.needFullSync = true;
    }
  }

  /**
   * Write in bounded batches; per-update failures are recorded, successes
   * update the mirror. DELETEs, MODIFYs and INSERTs go in that order, one
   * phase after the other; within a phase the keys are distinct, so up to
   * `maxInFlight` batches are sent at once and the sidecar encodes the next
   * batch while the switch applies the last one.
   */
  private async write(updates: PlannedUpdate[]): Promise<void> {
    let stale = false;
    const phases = ['DELETE', 'MODIFY', 'INSERT']
      .map((t) => updates.filter((u) => u.type === t))
      .filter((p) => p.length > 0);
    const writeBatch = async (batch: PlannedUpdate[]): Promise<void> => {
      let results: { code: grpc.status; message: string }[];
      try {
        await this.client.writeEncoded(
          encodeWriteRequest(
            this.target.deviceId,
            this.opts.role,
            this.election,
            batch.map((b) => ({ type: b.type, entry: updateBytes(b) })),
          ),
        );
        results = batch.map(() => ({ code: 0, message: '' }));
      } catch (e) {
        if (!(e instanceof P4RuntimeError) || !e.updates || e.updates.length !== batch.length) throw e;
        results = e.updates;
      }
      let ok = 0;
      for (const [i, b] of batch.entries()) {
        const r = results[i];
        if (r.code === grpc.status.OK) {
          ok++;
          this.failed.delete(b.entry.key);
          if (b.type === 'DELETE') this.mirror.delete(b.entry.key);
          else this.mirror.set(b.entry.key, b.entry);
        } else {
          this.opts.metrics.updates.inc({
            switch: this.label,
            type: b.type,
            code: grpc.status[r.code] ?? String(r.code),
          });
          this.failed.set(b.entry.key, `${b.type} ${grpc.status[r.code] ?? r.code}: ${r.message}`);
          // The mirror disagreed with the switch: read it back on the next pass.
          if (r.code === grpc.status.ALREADY_EXISTS || r.code === grpc.status.NOT_FOUND) stale = true;
        }
      }
      if (ok > 0)
        this.opts.metrics.updates.inc({ switch: this.label, type: batch[0]?.type ?? 'UNSPECIFIED', code: 'OK' }, ok);
    };
    for (const phase of phases) {
      const queue = batches(phase, this.opts.batchSize);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(this.opts.maxInFlight, queue.length) }, async () => {
          while (next < queue.length) await writeBatch(queue[next++]);
        }),
      );
    }
    if (stale) {
      this.needFullSync = true;
      void this.requestFullSync('stale mirror');
    }
  }

  /** Resolves when every queued change has been attempted. */
  async idle(): Promise<void> {
    while (this.dirty.size > 0 || this.inFlight > 0) {
      await this.queue;
      await this.drained();
      await new Promise((r) => setImmediate(r));
    }
    await this.queue;
  }
}
