// The zone reconciler's failover phase (spec.failover): a zone whose
// instances run on a member that has been unreachable for afterSeconds gets
// those groups placed again elsewhere (src/core/zones/failover.ts). As with
// a release, the allocation changes under the placement lock and is
// committed to the zone's status, with a resourceVersion precondition,
// before the pass goes on: provisionMembers then creates the replacements,
// and when the old member answers again deletes what is left there (the
// allocation no longer lists it live on that provider, so it is neither
// kept nor created again; the orphan collector does the same).
//
// The capacity of the moved instances is given back on the lost provider at
// once: it takes no placement while unreachable (it is not Ready), and when
// it returns the first pass of the zone deletes the leftovers. Booking both
// copies would leave a zone's capacity counted twice for as long as the
// member is away, and the ledger would disagree with the allocation it is
// rebuilt from.

import { EventAction, EventReason } from '../core/api/conditions.js';
import type { ExecutionZone, InstanceMove } from '../core/api/types.js';
import { failOver, failoverDue, type FailoverResult } from '../core/zones/failover.js';
import type { Clock } from '../runtime/clock.js';
import type { EventSink, EventTarget } from '../runtime/events.js';
import type { Logger } from '../runtime/logger.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import type { HubObjects } from './object-store.js';
import { done, requeueAfter, type PhaseResult } from './phase-result.js';
import type { PlacementState } from './placement-state.js';
import { commitAllocation, type ReleasePass } from './execution-zone-release.js';

export interface FailoverDeps {
  state: PlacementState;
  zones: HubObjects<ExecutionZone>;
  events: EventSink;
  clock: Clock;
  logger: Logger;
  /** How long after a blocked failover (no provider can take a group) it is tried again. */
  retryMs?: number;
  metrics?: OperatorMetrics;
}

/** A little past the toleration, so the pass that comes finds it over. */
const SLACK_MS = 100;

export class ZoneFailover {
  /** The last blocked message per zone key: one Event per change, not one per pass. */
  private readonly blocked = new Map<string, string>();
  /** Per zone key, where its failover stands while a member is away: for the Degraded message. */
  private readonly standing = new Map<string, string>();

  constructor(private readonly deps: FailoverDeps) {}

  /**
   * Where the zone's failover stands after this pass, in words for the
   * Degraded condition: when it will move, why it cannot, or that the zone
   * has none. Undefined while no member of the zone is away.
   */
  standingOf(key: string): string | undefined {
    return this.standing.get(key);
  }

  /**
   * The phase. Nothing to do for a zone without spec.failover, or whose
   * providers all answer; otherwise it moves what is due and asks to be
   * run again when the next provider will be.
   */
  async run(p: ReleasePass, target: EventTarget): Promise<PhaseResult> {
    const policy = p.zone.spec.failover;
    if (p.released) return this.forget(p.key);
    const id = p.zone.spec.applicationId.toLowerCase();
    const since = (name: string): number | undefined => {
      const provider = this.deps.state.provider(name);
      return provider?.ready === false ? (provider.unreachableSince ?? this.deps.clock.now()) : undefined;
    };
    const hosting = this.deps.state.federation?.allocation(id)?.instances.map((i) => i.provider) ?? [];
    if (!policy) {
      const away = [...new Set(hosting)].some((h) => since(h) !== undefined);
      this.forget(p.key);
      if (away) this.standing.set(p.key, 'no spec.failover: the instances there stay allocated until it answers');
      return done;
    }
    const first = failoverDue(policy, hosting, since, this.deps.clock.now());
    if (first.due.length === 0) {
      this.setBlocked(p.key, undefined);
      if (first.nextInMs === undefined) this.standing.delete(p.key);
      else
        this.standing.set(
          p.key,
          `spec.failover moves them after ${policy.afterSeconds}s unreachable, in ${Math.ceil(first.nextInMs / 1000)}s`,
        );
      return this.later(first.nextInMs);
    }
    const result = await this.deps.state.withLock(async (f) => {
      // Decided again under the lock, on the federation as it is now.
      const out: FailoverResult = { moved: [], stuck: [], abandoned: [] };
      const a = f.allocation(id);
      if (!a) return out;
      const due = failoverDue(
        policy,
        a.instances.map((i) => i.provider),
        since,
        this.deps.clock.now(),
      );
      for (const provider of due.due) {
        const r = failOver(f, id, provider);
        out.moved.push(...r.moved);
        out.stuck.push(...r.stuck.map((s) => ({ ...s, reason: `${s.group} on ${provider}: ${s.reason}` })));
        out.abandoned?.push(...(r.abandoned ?? []));
      }
      if (out.moved.length === 0 && (out.abandoned?.length ?? 0) === 0) return out;
      // A failed commit marks the state stale: the rebuild forgets the move, and nothing used it.
      await commitAllocation(this.deps, f, p, a, 'failover');
      return out;
    });
    for (const d of result.abandoned ?? []) {
      const text = `the Replace of group ${d.group} towards ${d.provider} is dropped: ${d.provider} stayed unreachable for more than ${policy.afterSeconds}s; its new instances ${d.instances.join(', ')} are released and the group stays where it is`;
      this.deps.logger.info('replacement abandoned', { zone: p.key, group: d.group, provider: d.provider });
      this.deps.events.emit(target, 'Warning', EventReason.ReplacementAbandoned, EventAction.Failover, text);
    }
    if (result.moved.length > 0) {
      for (const m of result.moved) this.deps.metrics?.failoverMoves.inc({ from: m.from, to: m.to });
      const text = describeMoves(result.moved);
      this.deps.logger.info('failed over', { zone: p.key, moved: text });
      this.deps.events.emit(
        target,
        'Warning',
        EventReason.FailedOver,
        EventAction.Failover,
        `${text} (spec.failover: unreachable for more than ${policy.afterSeconds}s; local state of the old instances is lost)`,
      );
    }
    if (result.stuck.length === 0) {
      this.setBlocked(p.key, undefined);
      this.standing.delete(p.key);
      return done;
    }
    const message = `spec.failover is due, but no provider can take ${result.stuck.map((s) => s.reason).join(' | ')}; it stays and is tried again`;
    this.standing.set(p.key, message);
    if (this.blocked.get(p.key) !== message) {
      this.setBlocked(p.key, message);
      this.deps.events.emit(target, 'Warning', EventReason.FailoverBlocked, EventAction.Failover, message);
    }
    return requeueAfter(this.deps.retryMs ?? 10_000, 'failover blocked');
  }

  private setBlocked(key: string, message: string | undefined): void {
    if (message === undefined) this.blocked.delete(key);
    else this.blocked.set(key, message);
    this.deps.metrics?.failoverBlocked.set(this.blocked.size);
  }

  private later(ms: number | undefined): PhaseResult {
    return ms === undefined ? done : requeueAfter(ms + SLACK_MS, 'failover toleration running');
  }

  /** The zone is gone. */
  forget(key: string): PhaseResult {
    this.setBlocked(key, undefined);
    this.standing.delete(key);
    return done;
  }
}

/** `V1 on Fog1 -> V4 on Fog2, V2 on Fog1 -> V5 on Fog2`. */
export function describeMoves(moves: readonly InstanceMove[]): string {
  return moves.map((m) => `${m.instance} on ${m.from} -> ${m.replacement} on ${m.to}`).join(', ');
}
