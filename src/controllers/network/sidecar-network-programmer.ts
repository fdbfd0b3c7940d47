// The operator's NetworkProgrammer (src/controllers/network-programmer.ts)
// backed by the sidecar: plan the zone's P4 entries with the core, hand
// them over, and report the sidecar's verdict for NetworkReady.
//
// The sidecar keeps its desired state in memory only. A restarted sidecar
// leaves the switch as it is (it prunes nothing before SetDesiredComplete)
// but no longer knows which entries belong to which zone, so this adapter
// remembers what it handed over: a periodic check gives the sidecar back
// every zone it lost, and a removal re-sends the zone first, so that
// DeleteZone deletes its entries instead of answering "no entries".
//
// The same check, once the leader knows the zones on the hub, collects
// switch orphans: a zone the sidecar holds (or this adapter handed over, or
// could not confirm removed) that no ExecutionZone owns is removed with
// DeleteZone, and the leader hears of it before (its VLAN is held back) and
// once every switch confirmed it (the VLAN is free). Zones are created on
// the hub before they are programmed, so a zone the sidecar holds is live
// unless its object is gone; the live set is read after the sidecar's list.
import * as grpc from '@grpc/grpc-js';
import type { NetworkProgrammer, NetworkProgramResult, SwitchOrphanHooks } from './network-programmer.js';
import { planP4Entries, type PlannedEntry, type SwitchPortMap } from '../../core/network/p4-entries.js';
import type { ZoneNetworkPlan } from '../../core/network/types.js';
import { SidecarClient } from '../../sidecar/sidecar-client.js';
import type { WireZoneStatus } from '../../sidecar/sidecar-server.js';
import type { GrpcSecurity } from '../../runtime/grpc-tls.js';

export interface SidecarNetworkProgrammerOptions {
  client?: SidecarClient;
  /** How the operator reaches the sidecar (default plaintext; the operator's flags choose). */
  security?: GrpcSecurity;
  /** How often the sidecar is asked whether it still knows every zone (default 5 s; 0: never). */
  resyncIntervalMs?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

export interface SidecarNetworkProgrammer extends NetworkProgrammer {
  /** Gives the sidecar every zone it no longer knows; the number re-sent. */
  resync(): Promise<number>;
  close(): void;
}

function isServiceError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && typeof (e as Partial<grpc.ServiceError>).code === 'number';
}

/** NetworkReady for a failed call: the sidecar did not answer, or refused the entries. */
function callFailure(address: string, e: unknown): NetworkProgramResult {
  if (!isServiceError(e)) return { ok: false, reason: 'SidecarError', message: `sidecar ${address}: ${String(e)}` };
  const code = grpc.status[e.code] ?? String(e.code);
  if (e.code === grpc.status.INVALID_ARGUMENT || e.code === grpc.status.RESOURCE_EXHAUSTED) {
    return { ok: false, reason: 'EntriesRejected', message: `sidecar ${address}: ${code}: ${e.details}` };
  }
  if (e.code === grpc.status.UNAVAILABLE || e.code === grpc.status.DEADLINE_EXCEEDED) {
    return {
      ok: false,
      reason: 'SidecarUnavailable',
      message: `sidecar ${address} not reachable (${code}: ${e.details}); retried`,
    };
  }
  return { ok: false, reason: 'SidecarError', message: `sidecar ${address}: ${code}: ${e.details}` };
}

/** What the sidecar was given of a zone: its entries and the VLAN they are on. */
interface ZoneEntries {
  zone: string;
  entries: PlannedEntry[];
  vlanId: number;
}
/** A zone waiting to be handed over, and who waits for the verdict. */
interface Pending extends ZoneEntries {
  done: (r: NetworkProgramResult) => void;
}
/** Calls to the sidecar at once; a zone that finds both out waits for the next, with the zones that came meanwhile. */
const MAX_CALLS = 2;
const MAX_ZONES_PER_CALL = 64;

/**
 * The P4Runtime election id of the sidecar of the leader with this term:
 * (leaseTransitions + 1, 0). Sidecars start at term 0 (their flags'
 * default), so a leader's sidecar outbids every sidecar whose operator has
 * not led, and every earlier leader's, since leaseTransitions only grows.
 */
export function sidecarElection(term: number): [bigint, bigint] {
  return [BigInt(term) + 1n, 0n];
}

export function sidecarNetworkProgrammer(
  address: string,
  ports: SwitchPortMap,
  o: SidecarNetworkProgrammerOptions = {},
): SidecarNetworkProgrammer {
  // Short timeout: a reconcile waits for this call, and a hung sidecar must not hold a worker for a minute.
  const client = o.client ?? new SidecarClient(address, 15_000, o.security);
  /** Entries the sidecar accepted, by zone: what it must be given back after a restart. */
  const handedOver = new Map<string, ZoneEntries>();
  /** Zones whose DeleteZone did not answer removed: retried by the orphan check unless a zone owns them. */
  const unconfirmed = new Set<string>();
  /** Zones being removed: a resync must not hand them back. */
  const removing = new Set<string>();
  // Resync, program and remove of a zone must not overtake each other:
  // a resync carrying a zone's older entries, arriving after its newer
  // ones (or after its deletion), would leave them on the switch.
  let resyncing: Promise<unknown> = Promise.resolve();
  /** Whether the last check reached the sidecar (undefined: no check yet). */
  let available: boolean | undefined;
  /** Programmed or not, per zone, as last reported: a change is news for the operator. */
  const programmedNow = new Map<string, boolean>();
  /** The operator's leader term, once it leads (lead()). */
  let leaderTerm: number | undefined;
  /** The zones that should have entries, from the leader (lead()). */
  let zonesWanted: (() => string[] | undefined) | undefined;
  /** The leader's side of switch orphan collection (lead()). */
  let orphanHooks: SwitchOrphanHooks | undefined;
  /**
   * Zones whose last program() got the sidecar's verdict, or had no entries
   * to give: nothing more to hand over for them. A zone whose call failed
   * is not settled; SetDesiredComplete waits for it.
   */
  const settled = new Set<string>();
  const listeners: ((ids: string[] | 'all') => void)[] = [];
  const notify = (ids: string[] | 'all'): void => {
    for (const l of listeners) l(ids);
  };

  const sendBack = async (zones: string[]): Promise<void> => {
    const batch = zones.flatMap((zone) => {
      const given = handedOver.get(zone);
      return given ? [{ zone, generation: 0, entries: given.entries, vlanId: given.vlanId }] : [];
    });
    if (batch.length > 0) await client.setZones(batch);
  };

  const resync = async (): Promise<number> => {
    const run = resyncing.then(async () => {
      if (handedOver.size === 0 && leaderTerm === undefined) return 0;
      let statuses: WireZoneStatus[];
      let complete: boolean;
      try {
        // Every check, so a restarted sidecar (back at its flags' election id) outbids earlier leaders again; a no-op when unchanged.
        if (leaderTerm !== undefined) await client.setElection(...sidecarElection(leaderTerm));
        const got = await client.getZoneStatus();
        statuses = got.zones ?? [];
        complete = got.desired_complete === true;
      } catch (e) {
        if (available !== false) notify('all');
        available = false;
        throw e;
      }
      if (available === false) notify('all');
      available = true;
      const flipped: string[] = [];
      for (const st of statuses) {
        const zone = st.zone ?? '';
        if (!handedOver.has(zone)) continue;
        const now = st.programmed === true;
        if (programmedNow.has(zone) && programmedNow.get(zone) !== now) flipped.push(zone);
        programmedNow.set(zone, now);
      }
      if (flipped.length > 0) notify(flipped);
      const known = new Set(statuses.map((z) => z.zone ?? ''));
      const lost = [...handedOver.keys()].filter((z) => !known.has(z) && !removing.has(z));
      await sendBack(lost);
      if (lost.length > 0)
        o.log?.('sidecar had lost zones (restarted?); handed them back', { sidecar: address, zones: lost.length });
      await collectOrphans(statuses);
      if (!complete) await declareComplete();
      return lost.length;
    });
    resyncing = run.catch(() => undefined);
    return run;
  };

  /**
   * DeleteZone, after giving a lost zone back (see the file's comment);
   * throws until every switch confirmed the entries gone.
   */
  const removeNow = async (zone: string, orphan: boolean): Promise<void> => {
    try {
      if (handedOver.has(zone)) {
        const st = (await client.getZoneStatus(zone)).zones?.[0];
        if (st?.reason === 'NotFound') {
          // Refused when the zone's VLAN went to another zone meanwhile: those keys are
          // that zone's now, and deleting what is left is all that can be done.
          await sendBack([zone]).catch((e: unknown) => {
            if (!isServiceError(e) || e.code !== grpc.status.INVALID_ARGUMENT) throw e;
          });
        }
      }
      const r = await client.deleteZone(zone);
      if (!r.removed) throw new Error(r.message ?? `zone ${zone} not yet removed from every switch`);
    } catch (e) {
      unconfirmed.add(zone);
      if (isServiceError(e)) throw new Error(callFailure(address, e).message, { cause: e });
      throw e;
    }
    handedOver.delete(zone);
    settled.delete(zone);
    programmedNow.delete(zone);
    unconfirmed.delete(zone);
    orphanHooks?.removed(zone, orphan);
  };

  /**
   * Removes the zones the switches may carry that no ExecutionZone owns.
   * A vanished zone whose application id a new zone took meanwhile is not
   * removed (the new zone's entries replace its own): its VLAN is free once
   * the sidecar no longer holds the zone on that VLAN.
   */
  const collectOrphans = async (statuses: readonly WireZoneStatus[]): Promise<void> => {
    const leader = orphanHooks?.zones();
    if (!orphanHooks || !leader) return;
    const held = new Map(statuses.map((st) => [st.zone ?? '', st.vlan_id ?? 0]));
    const candidates = new Set([...held.keys(), ...handedOver.keys(), ...unconfirmed, ...leader.draining.keys()]);
    for (const zone of candidates) {
      if (zone === '') continue;
      if (leader.live.has(zone)) {
        const vlan = leader.draining.get(zone);
        if (vlan !== undefined && !unconfirmed.has(zone) && held.get(zone) !== vlan) orphanHooks.removed(zone, false);
        continue;
      }
      orphanHooks.orphaned(zone, held.get(zone) || handedOver.get(zone)?.vlanId || leader.draining.get(zone) || 0);
      try {
        await removeNow(zone, true);
        o.log?.('removed a zone no ExecutionZone owns from every switch', { sidecar: address, zone });
      } catch (e) {
        o.log?.('orphan zone not yet removed from every switch; the next check retries', {
          sidecar: address,
          zone,
          error: (e as Error).message,
        });
      }
    }
  };

  /**
   * SetDesiredComplete once the sidecar holds every zone the leader wants:
   * it then prunes entries no zone owns. Checked on every resync, so a
   * restarted sidecar (which stops pruning) is told again.
   */
  const declareComplete = async (): Promise<void> => {
    const wanted = zonesWanted?.();
    if (!wanted) return;
    const missing = wanted.map((z) => z.toLowerCase()).filter((z) => !settled.has(z));
    if (missing.length > 0) return;
    await client.setDesiredComplete();
    o.log?.('told the sidecar its desired state is complete: entries no zone owns will be pruned', {
      sidecar: address,
      zones: wanted.length,
    });
  };

  // Zones being programmed: reconciles run concurrently, and zones that
  // arrive while calls are out go together in one SetZones (the sidecar's
  // bulk rate is well above one call per zone's, docs/benchmarks.md, "P4 data plane").
  const queue: Pending[] = [];
  let calls = 0;

  const accepted = (p: Pending, st: WireZoneStatus): void => {
    handedOver.set(p.zone, { zone: p.zone, entries: p.entries, vlanId: p.vlanId });
    unconfirmed.delete(p.zone);
    settled.add(p.zone);
    removing.delete(p.zone);
    const programmed = st.programmed === true;
    programmedNow.set(p.zone, programmed);
    p.done({
      ok: programmed,
      reason: st.reason || (programmed ? 'Programmed' : 'Pending'),
      message: `sidecar ${address}: ${st.message ?? ''}`,
    });
  };
  const refused = (p: Pending, e: unknown): void => {
    const failure = callFailure(address, e);
    // Refused as invalid: the sidecar has judged it; nothing more to hand over.
    if (failure.reason === 'EntriesRejected') settled.add(p.zone);
    else settled.delete(p.zone);
    p.done(failure);
  };
  const send = async (batch: Pending[]): Promise<void> => {
    const [only] = batch;
    if (only && batch.length === 1) {
      try {
        accepted(only, await client.setZoneEntries(only.zone, 0, only.entries, only.vlanId));
      } catch (e) {
        refused(only, e);
      }
      return;
    }
    try {
      const statuses = await client.setZones(
        batch.map((p) => ({ zone: p.zone, generation: 0, entries: p.entries, vlanId: p.vlanId })),
      );
      batch.forEach((p, i) => accepted(p, statuses[i] ?? {}));
    } catch (e) {
      // SetZones takes all or nothing: halve the batch until the refused zones
      // stand alone, so only they are refused (a few calls per bad zone).
      if (isServiceError(e) && (e.code === grpc.status.INVALID_ARGUMENT || e.code === grpc.status.RESOURCE_EXHAUSTED)) {
        const half = Math.ceil(batch.length / 2);
        await send(batch.slice(0, half));
        await send(batch.slice(half));
        return;
      }
      for (const p of batch) refused(p, e);
    }
  };
  const pump = (): void => {
    while (calls < MAX_CALLS && queue.length > 0) {
      const batch: Pending[] = [];
      const names = new Set<string>();
      for (let i = 0; i < queue.length && batch.length < MAX_ZONES_PER_CALL;) {
        const p = queue[i];
        // A zone twice (a newer plan queued behind an older one) goes in the next call, in order.
        if (names.has(p.zone)) {
          i++;
          continue;
        }
        names.add(p.zone);
        batch.push(p);
        queue.splice(i, 1);
      }
      calls++;
      void send(batch).finally(() => {
        calls--;
        pump();
      });
    }
  };

  const timer =
    (o.resyncIntervalMs ?? 5000) > 0
      ? setInterval(() => {
          resync().catch(() => undefined);
        }, o.resyncIntervalMs ?? 5000)
      : undefined;
  timer?.unref();

  return {
    configured: true,
    async traffic(applicationId: string) {
      const c = await client.getZoneCounters(applicationId);
      const z = c.zones.find((x) => x.zone === applicationId);
      return {
        packets: z?.packets ?? 0n,
        bytes: z?.bytes ?? 0n,
        complete: c.complete,
        counted: z !== undefined,
        readAtMs: c.readAtMs,
        message: c.message,
      };
    },
    async program(plan: ZoneNetworkPlan): Promise<NetworkProgramResult> {
      const { zones, problems } = planP4Entries([plan], ports);
      const z = zones[0];
      if (!z) {
        // Nothing the sidecar could hold: settled, so it does not hold up SetDesiredComplete.
        settled.add(plan.applicationId.toLowerCase());
        return {
          ok: false,
          reason: 'PlanProblem',
          message: `P4 entry plan (switch port map and zone network): ${problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`,
        };
      }
      await resyncing;
      return new Promise((done) => {
        // Keyed as remove() and the orphan check name it: an id spelled otherwise in a status is the same zone.
        queue.push({ zone: z.zone.toLowerCase(), entries: z.entries, vlanId: plan.vlanId, done });
        pump();
      });
    },
    async remove(applicationId: string): Promise<void> {
      const zone = applicationId.toLowerCase();
      removing.add(zone);
      await resyncing;
      await removeNow(zone, false);
    },
    resync,
    onChange: (listener) => {
      listeners.push(listener);
    },
    lead: (term, zonesWithEntries, orphans) => {
      leaderTerm = term;
      zonesWanted = zonesWithEntries;
      orphanHooks = orphans;
      const election = sidecarElection(term);
      client.setElection(...election).then(
        () =>
          o.log?.('sidecar re-arbitrates for this leader', { sidecar: address, term, electionId: election.join(':') }),
        (e: unknown) =>
          o.log?.('sidecar not told of the leader term yet; the next check retries', {
            sidecar: address,
            term,
            error: (e as Error).message,
          }),
      );
    },
    close: () => {
      if (timer) clearInterval(timer);
      client.close();
    },
  };
}
