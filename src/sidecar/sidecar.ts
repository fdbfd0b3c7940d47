// The sidecar: the desired state of every zone, one SwitchConnection per
// switch, and the zone status the operator turns into NetworkReady.
import type { GrpcSecurity } from '../runtime/grpc-tls.js';
import { createHash } from 'node:crypto';
import type { PlannedEntry } from '../core/network/p4-entries.js';
import { encodeP4Info, P4InfoIndex } from '../p4/p4info.js';
import type { ForwardingPipelineConfig, P4InfoMessage, Uint128 } from '../p4/p4runtime-types.js';
import { DesiredState, DesiredStateError, type ZoneDesired } from './desired-state.js';
import { createMetrics, type SidecarMetrics } from './metrics.js';
import { SwitchConnection, type SwitchTarget } from './switch-connection.js';
import { countedTables, countsByZone, EMPTY_SNAPSHOT, type ZoneCountsSnapshot } from './zone-counters.js';
import type { DirectCounterEntry } from '../p4/p4runtime-types.js';

export interface SidecarOptions {
  switches: SwitchTarget[];
  p4info: P4InfoMessage;
  /** The target's compiled program (BMv2 JSON); empty for the software switch. */
  deviceConfig: Buffer;
  election: { term: bigint; ordinal: bigint };
  role?: string;
  batchSize?: number;
  /** Write batches in flight per phase (default 4). */
  maxInFlight?: number;
  resyncIntervalMs?: number;
  /** How often the zones' counters are read for the metrics (default 10 s; 0: only on demand). */
  counterIntervalMs?: number;
  /** Delete entries no zone owns from the start (default: only after setDesiredComplete). */
  pruneUnowned?: boolean;
  log?: (msg: string) => void;
  /** How the sidecar reaches its switches (default plaintext; main.ts makes the flags choose). */
  security?: GrpcSecurity;
}

export interface ZoneStatus {
  zone: string;
  generation: number;
  programmed: boolean;
  reason: 'Programmed' | 'SwitchUnavailable' | 'NotPrimary' | 'WriteFailed' | 'Pending' | 'NotFound';
  message: string;
  entries: number;
  /** The VLAN the operator last set the zone's entries with (0: not said). */
  vlanId: number;
}

export interface SwitchStatus {
  address: string;
  deviceId: string;
  connected: boolean;
  primary: boolean;
  pipelineCookie: string;
  lastSyncUnixMs: number;
  entries: number;
  message: string;
}

/** election_id = (term, ordinal): a later leader term outbids every earlier one. */
export function electionId(term: bigint, ordinal: bigint): Uint128 {
  return { high: term.toString(), low: ordinal.toString() };
}

/** The pipeline cookie: the first 64 bits of SHA-256 over P4Info and device config. */
export function pipelineCookie(p4info: P4InfoMessage, deviceConfig: Buffer): string {
  const h = createHash('sha256').update(encodeP4Info(p4info)).update(deviceConfig).digest();
  return h.readBigUInt64BE(0).toString();
}

export class Sidecar {
  readonly desired: DesiredState;
  readonly metrics: SidecarMetrics;
  readonly connections: SwitchConnection[];
  readonly index: P4InfoIndex;
  readonly pipeline: ForwardingPipelineConfig;
  /** Zones whose deletion a switch has not confirmed yet, with the entries they gave up. */
  private readonly removing = new Map<string, ZoneDesired>();
  /** The last counter read, for the metrics and GetZoneCounters. */
  private counts: ZoneCountsSnapshot = EMPTY_SNAPSHOT;
  /** A read on its way: callers meanwhile share it instead of reading again. */
  private countsRead: Promise<ZoneCountsSnapshot> | undefined;
  private counterTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: SidecarOptions) {
    this.index = new P4InfoIndex(opts.p4info);
    this.desired = new DesiredState(this.index);
    // Zone gauges are computed when scraped, not on every change (O(zones) each).
    this.metrics = createMetrics(
      () => this.zoneCounts(),
      () => this.counts,
    );
    this.pipeline = {
      p4info: opts.p4info,
      p4_device_config: opts.deviceConfig,
      cookie: { cookie: pipelineCookie(opts.p4info, opts.deviceConfig) },
    };
    const log = opts.log ?? ((m: string) => process.stderr.write(`sidecar: ${m}\n`));
    this.connections = opts.switches.map(
      (target) =>
        new SwitchConnection(
          {
            target,
            role: opts.role ?? '',
            pipeline: this.pipeline,
            batchSize: opts.batchSize ?? 1000,
            maxInFlight: opts.maxInFlight ?? 4,
            resyncIntervalMs: opts.resyncIntervalMs ?? 30_000,
            metrics: this.metrics,
            log,
            ...(opts.security ? { security: opts.security } : {}),
          },
          electionId(opts.election.term, opts.election.ordinal),
          this.desired,
        ),
    );
  }

  start(): void {
    for (const c of this.connections) {
      c.pruneUnowned = this.opts.pruneUnowned ?? false;
      c.start();
    }
    const every = this.opts.counterIntervalMs ?? 10_000;
    if (every > 0) {
      this.counterTimer = setInterval(() => void this.readZoneCounts().catch(() => {}), every);
      this.counterTimer.unref();
    }
  }
  stop(): void {
    clearInterval(this.counterTimer);
    for (const c of this.connections) c.stop();
  }

  /** The zones' counters as last read (see readZoneCounts). */
  lastZoneCounts(): ZoneCountsSnapshot {
    return this.counts;
  }

  /**
   * Read every switch's zone counters now (one Read per switch and counted
   * table) and sum them by zone. A switch that is not connected or does
   * not answer makes the snapshot partial, with the reason.
   */
  readZoneCounts(): Promise<ZoneCountsSnapshot> {
    this.countsRead ??= this.readCountsOnce().finally(() => (this.countsRead = undefined));
    return this.countsRead;
  }

  private async readCountsOnce(): Promise<ZoneCountsSnapshot> {
    const tables = countedTables(this.index);
    const problems: string[] = [];
    if (tables.length === 0) problems.push('the P4Info has no direct counter');
    const reads = await Promise.all(
      this.connections.map(async (c): Promise<DirectCounterEntry[]> => {
        if (!c.connected) {
          problems.push(`switch ${c.target.address}: ${c.message}`);
          return [];
        }
        try {
          return (await Promise.all(tables.map((t) => c.readDirectCounters(t)))).flat();
        } catch (e) {
          problems.push(`switch ${c.target.address}: reading counters: ${(e as Error).message}`);
          return [];
        }
      }),
    );
    // Taken once the answers are in: every packet counted was counted by
    // then, so "traffic no later than readAtMs" holds (the idle trigger's
    // lastPacketTime errs late, never early).
    this.counts = {
      zones: countsByZone(reads, (k) => this.desired.ownerOf(k)),
      complete: problems.length === 0,
      readAtMs: Date.now(),
      message: problems.join('; '),
    };
    return this.counts;
  }

  setElection(term: bigint, ordinal: bigint): void {
    for (const c of this.connections) c.setElection(electionId(term, ordinal));
  }

  /**
   * Throws DesiredStateError (nothing changed) for a bad desired state. The
   * sidecar keeps `entries` to compare the zone's next update with: callers
   * hand over fresh entries and do not change them afterwards.
   */
  async setZoneEntries(zone: string, generation: number, entries: PlannedEntry[], vlanId = 0): Promise<ZoneStatus> {
    const prepared = this.desired.prepare(zone, generation, entries, vlanId);
    const released = [...(this.desired.zones.get(zone)?.entries.keys() ?? [])].filter((k) => !prepared.entries.has(k));
    this.desired.commit(prepared);
    this.removing.delete(zone);
    this.updateGauges();
    await Promise.all(this.connections.map((c) => c.applyZones([zone], released)));
    return this.zoneStatus(zone);
  }

  /** All zones accepted, or DesiredStateError and the desired state as it was. */
  async setZones(
    zones: { zone: string; generation: number; entries: PlannedEntry[]; vlanId?: number }[],
  ): Promise<ZoneStatus[]> {
    const before = new Map<string, ZoneDesired | undefined>();
    const released: string[] = [];
    try {
      for (const z of zones) {
        if (!before.has(z.zone)) before.set(z.zone, this.desired.zones.get(z.zone));
        const prepared = this.desired.prepare(z.zone, z.generation, z.entries, z.vlanId);
        for (const k of this.desired.zones.get(z.zone)?.entries.keys() ?? [])
          if (!prepared.entries.has(k)) released.push(k);
        this.desired.commit(prepared);
      }
    } catch (e) {
      for (const [zone, old] of before) {
        if (old) this.desired.commit(old);
        else this.desired.remove(zone);
      }
      throw e;
    }
    for (const z of before.keys()) this.removing.delete(z);
    this.updateGauges();
    const names = [...before.keys()];
    await Promise.all(this.connections.map((c) => c.applyZones(names, released)));
    return zones.map((z) => this.zoneStatus(z.zone));
  }

  async deleteZone(zone: string): Promise<{ removed: boolean; message: string }> {
    // A retried delete must be judged on the entries of the first attempt:
    // the zone has left the desired state by then, and "no entries" would
    // let the operator drop its finalizer while a switch still holds them.
    const old = this.desired.remove(zone) ?? this.removing.get(zone);
    this.updateGauges();
    if (!old) return { removed: true, message: `zone ${zone} has no entries` };
    this.removing.set(zone, old);
    await Promise.all(this.connections.map((c) => c.applyZones([zone], old.entries.keys())));
    const held = (c: SwitchConnection): boolean =>
      [...old.entries.keys()].some((k) => c.mirror.has(k) && this.desired.ownerOf(k) === undefined);
    const left = this.connections.filter((c) => held(c) || !c.primary || !c.synced);
    if (left.length > 0)
      return {
        removed: false,
        message: `zone ${zone}: not yet removed from ${left.map((c) => (c.primary && c.synced ? c.target.address : `${c.target.address} (${c.message})`)).join(', ')}`,
      };
    this.removing.delete(zone);
    return {
      removed: true,
      message: `zone ${zone}: ${old.entries.size} entries removed from ${this.connections.length} switch(es)`,
    };
  }

  /**
   * The operator has sent every zone it knows: from now on entries that no
   * zone owns are deleted (by the next reconcile, which this starts).
   */
  async setDesiredComplete(): Promise<void> {
    for (const c of this.connections) c.pruneUnowned = true;
    await Promise.all(this.connections.map((c) => c.requestFullSync('desired state complete')));
  }

  zoneStatus(zone: string): ZoneStatus {
    const z = this.desired.zones.get(zone);
    if (!z)
      return {
        zone,
        generation: 0,
        programmed: false,
        reason: 'NotFound',
        message: `zone ${zone} is not known to the sidecar`,
        entries: 0,
        vlanId: 0,
      };
    const base = { zone, generation: z.generation, entries: z.entries.size, vlanId: z.vlanId };
    for (const c of this.connections) {
      const where = `switch ${c.target.address} (device ${c.target.deviceId})`;
      if (!c.connected)
        return { ...base, programmed: false, reason: 'SwitchUnavailable', message: `${where}: ${c.message}` };
      if (!c.primary) return { ...base, programmed: false, reason: 'NotPrimary', message: `${where}: ${c.message}` };
      for (const [k, e] of z.entries) {
        const f = c.failed.get(k);
        if (f)
          return {
            ...base,
            programmed: false,
            reason: 'WriteFailed',
            message: `${where}: ${this.index.table(e.tableId)?.name ?? ''} ${f}`,
          };
        const held = c.mirror.get(k);
        if (!held || held.action !== e.action)
          return { ...base, programmed: false, reason: 'Pending', message: `${where}: entries not yet written` };
      }
    }
    return {
      ...base,
      programmed: true,
      reason: 'Programmed',
      message: `${z.entries.size} entries on ${this.connections.length} switch(es)`,
    };
  }

  allZoneStatus(): ZoneStatus[] {
    return [...this.desired.zones.keys()].sort().map((z) => this.zoneStatus(z));
  }

  switchStatus(): SwitchStatus[] {
    return this.connections.map((c) => ({
      address: c.target.address,
      deviceId: c.target.deviceId,
      connected: c.connected,
      primary: c.primary,
      pipelineCookie: this.pipeline.cookie?.cookie ?? '',
      lastSyncUnixMs: c.lastSyncMs,
      entries: c.mirror.size,
      message: c.message,
    }));
  }

  /** Whether SetDesiredComplete was called since this sidecar started (entries no zone owns are pruned). */
  desiredComplete(): boolean {
    return this.connections.every((c) => c.pruneUnowned);
  }

  /**
   * Ready: on every switch, primary with the entries reconciled, or a backup
   * behind another live primary (an operator replica that does not lead:
   * it must not hold its pod unready, or a rolling update of two replicas
   * never completes). Not ready while connecting, while no controller is
   * primary, or while the primary's reconcile has not succeeded.
   */
  ready(): boolean {
    return this.connections.every((c) => c.connected && (c.primary ? c.synced : c.behindPrimary));
  }

  /** Resolves once every switch's queue has drained (tests, benchmarks). */
  async idle(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.idle()));
  }

  private updateGauges(): void {
    this.metrics.desiredEntries.set(this.desired.size());
  }

  private zoneCounts(): { desired: number; programmed: number } {
    let programmed = 0;
    for (const s of this.allZoneStatus()) if (s.programmed) programmed++;
    return { desired: this.desired.zones.size, programmed };
  }
}

export { DesiredStateError };
