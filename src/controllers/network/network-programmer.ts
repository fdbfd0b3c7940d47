// The switch side of a zone (VLAN, marking, drop rules) goes through the
// P4Runtime sidecar when one is configured. The reconciler only needs to
// ask "program this plan" and "remove this zone"; without a sidecar the
// network plan is still computed and reported, and NetworkReady says so.

import type { ZoneNetworkPlan } from '../../core/network/types.js';
import type { TrafficReading } from '../idle-trigger.js';

export interface NetworkProgramResult {
  ok: boolean;
  /** NetworkReady's reason, when the programmer knows better than Programmed / SwitchError (the sidecar's own verdict). */
  reason?: string;
  message: string;
}

export interface NetworkProgrammer {
  readonly configured: boolean;
  program(plan: ZoneNetworkPlan): Promise<NetworkProgramResult>;
  /** Resolves once every switch has confirmed the zone's entries are gone; throws (and is retried) until then. */
  remove(applicationId: string): Promise<void>;
  /**
   * Calls `listener` when what `program` would now say changed without the
   * zone changing: the zones (application ids) whose entries stopped or
   * started being programmed, or 'all' when the programmer itself went away
   * or came back. The operator reconciles those zones again, so a Ready
   * zone does not stay Ready while its switch entries are not assured.
   */
  onChange?(listener: (applicationIds: string[] | 'all') => void): void;
  /**
   * This replica leads with this leader term (the Lease's leaseTransitions).
   * The programmer makes the switches take its writes over those of every
   * earlier leader, now and whenever its backend restarts. Does not wait.
   *
   * `zonesWithEntries` names every zone (application id) that should have
   * switch entries, or undefined while the leader does not know yet. Once
   * each of them has been programmed (or found to have nothing to program),
   * the programmer may let the switches drop entries no zone owns: those of
   * zones deleted while nothing was there to remove them.
   */
  lead?(term: number, zonesWithEntries?: () => string[] | undefined, orphans?: SwitchOrphanHooks): void;
  /** Checks the backend now (and, once leading, collects switch orphans); resolves when done. */
  resync?(): Promise<unknown>;
  /** The zone's traffic as the switches count it now (application id, lower case): the `idle` release trigger. */
  traffic?(applicationId: string): Promise<TrafficReading>;
}

/** What the leader knows of the zones on the hub, for the switch orphan collector. */
export interface LeaderZones {
  /** Application ids (lower case) of every ExecutionZone on the hub, deleting ones included. */
  live: ReadonlySet<string>;
  /** Vanished zones whose VLAN waits for the switches to confirm them gone: application id -> VLAN. */
  draining: ReadonlyMap<string, number>;
}

/**
 * How the programmer and the leader settle switch entries of zones that no
 * longer exist (an admin removed the finalizer, or the zone was deleted
 * while nothing could remove its entries).
 */
export interface SwitchOrphanHooks {
  /** Undefined while the leader does not know the zones on the hub yet: nothing is collected then. */
  zones(): LeaderZones | undefined;
  /** The switches carry a zone no ExecutionZone owns, on this VLAN (0: not known); its removal follows. */
  orphaned(applicationId: string, vlan: number): void;
  /** Every switch confirmed the zone's entries are gone (`orphan`: removed by the collector, not by a zone's own removal). */
  removed(applicationId: string, orphan: boolean): void;
}

export const planOnlyNetwork: NetworkProgrammer = {
  configured: false,
  program: (plan) =>
    Promise.resolve({
      ok: true,
      message: `VLAN ${plan.vlanId}, ${plan.network}, marking ${plan.marking.bits}; no switch sidecar configured, plan only`,
    }),
  remove: () => Promise.resolve(),
};
