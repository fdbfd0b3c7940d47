// The ZoneRelease reconciler: the paper's STOP. It owns the ZoneRelease's
// status and nothing else: the release itself (the allocation given back,
// the zone marked Released) is the ExecutionZone reconciler's, which this
// one asks through the placement state's release requests and the zone's
// queue. A pass:
//
//   fetch -> final or deleted? done -> not due yet? Waiting
//     -> the zone's answer? Succeeded / Failed
//     -> no zone? Failed : Releasing, ask the zone, wait for its answer
//
// A release of the whole zone frees its allocation (the zone reconciler
// then removes everything in the members); a release of named instances
// takes them out of the durable allocation, all or nothing, and the zone
// reconciler deletes their pods/VMs. Released names stay in the
// allocation's `released` list, so an instance is never created again.
// Succeeded and Failed are final.

import {
  EventAction,
  EventReason,
  ReleaseConditionType as T,
  ReleaseReason as R,
  ZoneConditionType,
} from '../core/api/conditions.js';
import type { ReleaseConditionType, ReleaseReason } from '../core/api/conditions.js';
import { API_GROUP_VERSION, keyOf, KINDS } from '../core/api/resources.js';
import type { Condition, ExecutionZone, ZoneRelease, ZoneReleaseStatus } from '../core/api/types.js';
import type { Clock } from '../runtime/clock.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { EventSink, EventTarget } from '../runtime/events.js';
import type { Logger } from '../runtime/logger.js';
import { capMessage, isTrue, setCondition } from './conditions.js';
import type { HubObjects } from './object-store.js';
import { done, requeueAfter, runPhase, toReconcileResult, type PhaseResult } from './phase-result.js';
import type { ReleaseOutcome, ReleaseRequests } from './release-requests.js';
import { dueTime } from './release-trigger.js';
import { byProvider } from '../core/zones/federation.js';
import { releaseScope, scopeText, unknownInScope } from './release-scope.js';
import { judgeIdle, type IdleVerdict, type TrafficReading } from './idle-trigger.js';
import { measureWatch, type ZoneUsageRead } from './usage-measure.js';
import { judgeCompletion, type CompletionVerdict } from './completion-trigger.js';
import { readCompletion } from './completion-reading.js';
import type { MemberAccess } from './member-access.js';

export interface ZoneReleaseReconcilerDeps {
  releases: HubObjects<ZoneRelease>;
  /** Read only: the zone's status is its own reconciler's to write. */
  zones: Pick<HubObjects<ExecutionZone>, 'current'>;
  requests: ReleaseRequests;
  events: EventSink;
  logger: Logger;
  clock: Clock;
  /** Brings the zone's reconciler to the releases asked of it. */
  enqueueZone: (key: string) => void;
  /** How often a release waiting for its zone's answer looks again without one (the answer enqueues it). */
  answerPollMs?: number;
  /**
   * The zone's traffic as the switches count it (application id, lower
   * case); absent when the operator runs without a switch sidecar.
   */
  traffic?: (applicationId: string) => Promise<TrafficReading>;
  /** How often an `idle` trigger reads the counters again (default 10 s, the sidecar's read interval). */
  idlePollMs?: number;
  /** A member's view of a zone's pods and their metrics, for `usage` and `stall`; absent: never judged. */
  usage?: ZoneUsageRead;
  /** How often a `usage` or `stall` trigger reads again (default 10 s). */
  usagePollMs?: number;
  /** The members, where a `completed` trigger reads its instances; absent: they cannot be judged. */
  members?: Pick<MemberAccess, 'get' | 'synced'>;
  /**
   * How often a `completed` trigger looks again without an event (default
   * 10 s): pod and VM changes bring it sooner, a VM instance's phase only so.
   */
  completedPollMs?: number;
}

type CondSpec = [type: ReleaseConditionType, status: Condition['status'], reason: ReleaseReason, message: string];

export class ZoneReleaseReconciler {
  private readonly releases: HubObjects<ZoneRelease>;
  private readonly zones: Pick<HubObjects<ExecutionZone>, 'current'>;
  private readonly requests: ReleaseRequests;
  private readonly events: EventSink;
  private readonly clock: Clock;
  private readonly enqueueZone: (key: string) => void;
  private readonly answerPollMs: number;
  private readonly traffic: ((applicationId: string) => Promise<TrafficReading>) | undefined;
  private readonly idlePollMs: number;
  private readonly usage: ZoneUsageRead | undefined;
  private readonly usagePollMs: number;
  private readonly members: Pick<MemberAccess, 'get' | 'synced'> | undefined;
  private readonly completedPollMs: number;

  constructor(deps: ZoneReleaseReconcilerDeps) {
    this.releases = deps.releases;
    this.zones = deps.zones;
    this.requests = deps.requests;
    this.events = deps.events;
    this.clock = deps.clock;
    this.enqueueZone = deps.enqueueZone;
    this.answerPollMs = deps.answerPollMs ?? 2000;
    this.traffic = deps.traffic;
    this.idlePollMs = deps.idlePollMs ?? 10_000;
    this.usage = deps.usage;
    this.usagePollMs = deps.usagePollMs ?? 10_000;
    this.members = deps.members;
    this.completedPollMs = deps.completedPollMs ?? 10_000;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    return toReconcileResult(await runPhase(() => this.pass(key)));
  }

  private async pass(key: string): Promise<PhaseResult> {
    let rel = this.releases.current(key);
    if (!rel || rel.metadata.deletionTimestamp) {
      this.requests.forget(key);
      return done;
    }
    const phase = rel.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return done;
    const now = this.clock.now();
    const createdMs = rel.metadata.creationTimestamp ? Date.parse(rel.metadata.creationTimestamp) : now;
    const due = dueTime(rel.spec.trigger, createdMs);
    if ('error' in due) return this.finish(key, rel, 'Failed', R.InvalidTrigger, due.error);
    const zoneKey = keyOf({ metadata: { namespace: rel.metadata.namespace, name: rel.spec.zoneRef.name } });
    if ('idleForMs' in due || 'watch' in due) {
      // Once fired (Releasing written), the release goes on whatever the traffic does since.
      const idleZone = this.zones.current(zoneKey);
      if (rel.status?.phase !== 'Releasing' && idleZone) {
        // A gap of three polls between readings restarts a usage or stall clock (usage-trigger.ts).
        const v =
          'idleForMs' in due
            ? await this.measureIdle(rel, idleZone, due.idleForMs, createdMs, now)
            : await measureWatch(
                this.usage,
                due.watch,
                rel.spec,
                idleZone,
                // An observation made under an earlier spec (the trigger edited) does not carry over.
                rel.status?.observedGeneration === rel.metadata.generation ? rel.status?.observed : undefined,
                () => this.clock.now(),
                Math.max(60_000, 3 * this.usagePollMs),
              );
        if (!v.fired) {
          await this.write(rel, { phase: 'Waiting', observed: v.observed }, [
            [T.Succeeded, 'False', R.Waiting, v.text],
          ]);
          const poll = 'idleForMs' in due ? this.idlePollMs : this.usagePollMs;
          return requeueAfter(Math.min(poll, Math.max(1000, v.waitMs)), 'trigger condition not held long enough');
        }
        const what = scopeText(rel.spec);
        this.events.emit(
          this.target(rel),
          'Normal',
          EventReason.TriggerFired,
          EventAction.Release,
          capMessage(`${v.text}: releasing ${what}`),
        );
        // The time of the decision, after the reading: `now` was taken before it.
        const firedAt = new Date(this.clock.now()).toISOString();
        rel = await this.write(rel, { releaseTime: firedAt, observed: v.observed }, []);
      }
    } else if ('completed' in due) {
      // As idle: once fired, the release goes on whatever the instances do since.
      const doneZone = this.zones.current(zoneKey);
      if (rel.status?.phase !== 'Releasing' && doneZone) {
        const judged = await this.measureCompletion(rel, doneZone, now);
        if ('failed' in judged) return this.finish(key, rel, 'Failed', judged.reason, judged.failed);
        if (!judged.fired) {
          await this.write(rel, { phase: 'Waiting', observed: judged.observed }, [
            [T.Succeeded, 'False', R.Waiting, judged.text],
          ]);
          return requeueAfter(this.completedPollMs, 'application not completed');
        }
        this.events.emit(
          this.target(rel),
          'Normal',
          EventReason.TriggerFired,
          EventAction.Release,
          capMessage(`${judged.text}: releasing ${scopeText(rel.spec)}`),
        );
        const firedAt = new Date(this.clock.now()).toISOString();
        rel = await this.write(rel, { releaseTime: firedAt, observed: judged.observed }, []);
      }
    } else if (due.at > now) {
      const at = new Date(due.at).toISOString();
      await this.write(rel, { phase: 'Waiting', releaseTime: at }, [
        [T.Succeeded, 'False', R.Waiting, `release due at ${at}`],
      ]);
      return requeueAfter(due.at - now, 'not due yet');
    }
    const zone = this.zones.current(zoneKey);
    const answer = this.requests.outcome(key);
    if (answer) return this.answered(key, rel, zone, answer);
    if (!zone)
      return this.finish(
        key,
        rel,
        'Failed',
        R.ZoneNotFound,
        `ExecutionZone ${zoneKey} does not exist; nothing was released`,
      );
    const whole = !rel.spec.instances && !rel.spec.groups;
    if (whole && isTrue(zone.status?.conditions, ZoneConditionType.Released))
      return this.finish(key, rel, 'Succeeded', R.Released, wholeMessage(zone), rel.status?.released ?? {});
    // Groups become instance names once, here, and are kept in `released`: a retry asks for the same names.
    let named = rel.spec.groups ? rel.status?.released : rel.spec.instances;
    // Releasing is written first: a retry after a crash between the zone's
    // commit and this release's final status knows the names are its own.
    if (rel.status?.phase !== 'Releasing') {
      const scope = releaseScope(rel.spec, zone);
      if (rel.spec.groups) {
        const unknown = unknownInScope(rel.spec, scope);
        if (unknown) return this.finish(key, rel, 'Failed', R.UnknownGroup, unknown.message);
        if (scope.instances.length === 0)
          return this.finish(
            key,
            rel,
            'Failed',
            R.UnknownGroup,
            `nothing was released: group(s) ${rel.spec.groups.join(', ')} hold no live instance (released already, or not placed yet)`,
          );
        named = byProvider(scope.instances);
      }
      const fields: ZoneReleaseStatus =
        whole || rel.spec.groups
          ? { phase: 'Releasing', released: whole ? byProvider(scope.instances) : (named ?? {}) }
          : { phase: 'Releasing' };
      const what = whole ? `the whole zone ${zoneKey}` : `${scopeText(rel.spec)} of ${zoneKey}`;
      await this.write(rel, fields, [[T.Succeeded, 'False', R.Releasing, `releasing ${what}`]]);
    }
    this.requests.ask({
      release: key,
      releaseName: rel.metadata.name,
      zone: zoneKey,
      ...(named ? { instances: named } : {}),
    });
    this.enqueueZone(zoneKey);
    return requeueAfter(this.answerPollMs, "waiting for the zone reconciler's answer");
  }

  /** The zone reconciler released (or refused): the release's final status. */
  private async answered(
    key: string,
    rel: ZoneRelease,
    zone: ExecutionZone | undefined,
    answer: ReleaseOutcome,
  ): Promise<PhaseResult> {
    const target = this.target(rel);
    if (!answer.ok) {
      this.events.emit(target, 'Warning', EventReason.ReleaseFailed, EventAction.Release, answer.message);
      return this.finish(key, rel, 'Failed', R.UnknownInstance, answer.message);
    }
    if (!rel.spec.instances && !rel.spec.groups) {
      const id = zone?.spec.applicationId.toLowerCase() ?? rel.spec.zoneRef.name;
      this.events.emit(target, 'Normal', EventReason.Released, EventAction.Release, `released the whole zone ${id}`);
      return this.finish(
        key,
        rel,
        'Succeeded',
        R.Released,
        `zone ${id} released: its VLAN, addresses and capacity are free`,
        rel.status?.released ?? {},
      );
    }
    const text = Object.entries(answer.released)
      .map(([p, n]) => `${p}: ${n.join(', ')}`)
      .join('; ');
    this.events.emit(target, 'Normal', EventReason.Released, EventAction.Release, `released ${text}`);
    return this.finish(key, rel, 'Succeeded', R.Released, `released ${text}`, answer.released);
  }

  private async finish(
    key: string,
    rel: ZoneRelease,
    phase: 'Succeeded' | 'Failed',
    reason: ReleaseReason,
    message: string,
    released?: Record<string, string[]>,
  ): Promise<PhaseResult> {
    const status: ZoneReleaseStatus = {
      phase,
      releaseTime: rel.status?.releaseTime ?? new Date(this.clock.now()).toISOString(),
    };
    if (released) status.released = released;
    const conds: CondSpec[] = [[T.Succeeded, phase === 'Succeeded' ? 'True' : 'False', reason, message]];
    if (phase === 'Failed') conds.push([T.Failed, 'True', reason, message]);
    await this.write(rel, status, conds);
    this.requests.forget(key);
    return done;
  }

  private async write(rel: ZoneRelease, fields: ZoneReleaseStatus, conds: CondSpec[]): Promise<ZoneRelease> {
    const now = new Date(this.clock.now()).toISOString();
    let conditions = rel.status?.conditions ?? [];
    for (const [type, status, reason, message] of conds)
      conditions = setCondition(
        conditions,
        { type, status, reason, message: capMessage(message), observedGeneration: rel.metadata.generation },
        now,
      );
    return this.releases.writeStatus(rel, {
      ...(rel.status ?? {}),
      ...fields,
      observedGeneration: rel.metadata.generation,
      conditions,
    });
  }

  /** One reading of the zone's counters, judged against the last observation. */
  private async measureIdle(
    rel: ZoneRelease,
    zone: ExecutionZone,
    forMs: number,
    startedMs: number,
    now: number,
  ): Promise<IdleVerdict> {
    let reading: TrafficReading | { error: string };
    if (!this.traffic) reading = { error: 'the operator runs without a switch sidecar (--sidecar)' };
    else {
      try {
        reading = await this.traffic(zone.spec.applicationId.toLowerCase());
      } catch (e) {
        reading = { error: (e as Error).message };
      }
    }
    return judgeIdle(forMs, startedMs, rel.status?.observed, reading, now);
  }

  /**
   * Reads and judges the named instances; or why the release cannot wait
   * for them (it names a group or instance the zone does not have).
   */
  private async measureCompletion(
    rel: ZoneRelease,
    zone: ExecutionZone,
    now: number,
  ): Promise<CompletionVerdict | { failed: string; reason: ReleaseReason }> {
    const scope = releaseScope(rel.spec, zone);
    const unknown = unknownInScope(rel.spec, scope);
    if (unknown)
      return { failed: unknown.message, reason: unknown.unknown === 'group' ? R.UnknownGroup : R.UnknownInstance };
    const progress = this.members
      ? await readCompletion(this.members, zone, scope.instances)
      : scope.instances.map((i) => ({
          provider: i.provider,
          name: i.name,
          state: 'unknown' as const,
          detail: 'the operator has no access to the members',
        }));
    return judgeCompletion(progress, rel.status?.observed, now);
  }

  private target(rel: ZoneRelease): EventTarget {
    const { name, namespace, uid } = rel.metadata;
    return { apiVersion: API_GROUP_VERSION, kind: KINDS.zoneRelease, name, namespace, uid };
  }
}

const wholeMessage = (zone: ExecutionZone): string =>
  `zone ${zone.spec.applicationId} released: its VLAN, addresses and capacity are free`;
