// The ExecutionZone's conditions, set in one place from what a pass found
// out (its facts). A phase that did not run leaves its condition as it
// was; a phase that failed says so in its own condition, so a failed
// commit or finalizer write is visible in status, not only in the log.

import { ZoneConditionType as T, ZoneReason as R } from '../core/api/conditions.js';
import type { ZoneConditionType } from '../core/api/conditions.js';
import type { Condition } from '../core/api/types.js';
import { capMessage, getCondition, setCondition } from './conditions.js';

/** How placement ended for this pass. */
export type PlacementFact =
  | { outcome: 'placed'; message: string }
  | { outcome: 'waiting'; message: string; noFreeVlan?: boolean }
  | {
      outcome: 'refused';
      reason: typeof R.AllocationConflict | typeof R.ApplicationIdInUse | typeof R.InvalidSpec;
      message: string;
    }
  | { outcome: 'commitFailed'; error: string };

export interface ProvisionFact {
  /** Live instances of the allocation. */
  total: number;
  /** Of those, the ones that exist in their member. */
  created: number;
  ready: number;
  /** Of those, the ones whose application ended under restartPolicy OnFailure or Never (instance-outcome.ts). */
  finished: number;
  /** Providers holding instances of the zone that do not answer. */
  unreachable: string[];
  problems: string[];
}

/** How the live instances stand on the zone's network in the members (provisionMembers). */
export interface AttachmentFact {
  ok: boolean;
  reason: typeof R.Attached | typeof R.UplinkMissing | typeof R.AttachmentFailed | typeof R.NotAttached;
  message: string;
}

export interface NetworkFact {
  ok: boolean;
  reason: string;
  message: string;
}

/** What the compliance check of this pass found (absent: the condition stays as it was). */
export interface ComplianceFact {
  compliant: boolean;
  reason: typeof R.Compliant | typeof R.ViolationReleased | typeof R.RuleViolated | typeof R.RulesUnresolvable;
  message: string;
}

/** How spec.onViolation Replace stands after this pass (absent: the condition stays as it was). */
export interface ReplaceFact {
  moving: boolean;
  reason: typeof R.Replacing | typeof R.NoCompliantCapacity | typeof R.Replaced | typeof R.NoViolation;
  message: string;
}

export interface ZoneFacts {
  generation: number | undefined;
  /** The zone is released whole: every condition says so. */
  released?: { switchLeft?: string };
  /** This pass released the zone whole, on behalf of this ZoneRelease. */
  releasedBy?: string;
  placement?: PlacementFact;
  finalizerError?: string;
  provision?: ProvisionFact;
  network?: NetworkFact;
  attachment?: AttachmentFact;
  compliance?: ComplianceFact;
  replace?: ReplaceFact;
  /** Where spec.failover stands while a member is away (ZoneFailover.standingOf). */
  failover?: string | undefined;
}

/** The zone's new condition list, from the old one and the pass's facts. */
export function zoneConditions(old: readonly Condition[] | undefined, f: ZoneFacts, now: string): Condition[] {
  let list = [...(old ?? [])];
  const set = (type: ZoneConditionType, status: Condition['status'], reason: string, message: string) => {
    list = setCondition(
      list,
      { type, status, reason, message: capMessage(message), observedGeneration: f.generation },
      now,
    );
  };
  if (f.releasedBy !== undefined) set(T.Released, 'True', R.Released, `released whole by ZoneRelease ${f.releasedBy}`);
  if (f.released || f.releasedBy !== undefined) {
    const msg = getCondition(list, T.Released)?.message ?? 'released';
    const left = f.released?.switchLeft;
    for (const type of [T.Placed, T.Provisioned, T.NetworkAttached, T.Degraded, T.Ready])
      set(type, 'False', R.Released, msg);
    set(
      T.NetworkReady,
      'False',
      R.Released,
      left === undefined ? msg : `${msg}; switch entries not yet removed: ${left}`,
    );
    return list;
  }

  const p = f.placement;
  if (p?.outcome === 'placed') set(T.Placed, 'True', R.Placed, p.message);
  else if (p?.outcome === 'waiting')
    set(T.Placed, 'False', p.noFreeVlan ? R.NoFreeVlan : R.NoMatchingProvider, p.message);
  else if (p?.outcome === 'refused') set(T.Placed, 'False', p.reason, p.message);
  else if (p?.outcome === 'commitFailed')
    set(
      T.Placed,
      'False',
      R.CommitFailed,
      `the allocation could not be committed to status (${p.error}); nothing was created from it; retried`,
    );

  const v = f.provision;
  if (f.finalizerError !== undefined) {
    set(
      T.Provisioned,
      'False',
      R.FinalizerPending,
      `the cleanup finalizer could not be set (${f.finalizerError}); instances wait for it`,
    );
  } else if (v && v.unreachable.length > 0) {
    set(T.Provisioned, v.created === v.total ? 'True' : 'False', R.MemberUnreachable, v.problems.join('; '));
  } else if (v && v.created === v.total) {
    set(T.Provisioned, 'True', R.Provisioned, `${v.total} instance(s) exist in the member clusters`);
  } else if (v) {
    set(
      T.Provisioned,
      'False',
      R.Provisioning,
      `${v.created}/${v.total} instance(s) created${v.problems.length ? `; ${v.problems.join('; ')}` : ''}`,
    );
  }

  if (f.attachment)
    set(T.NetworkAttached, f.attachment.ok ? 'True' : 'False', f.attachment.reason, f.attachment.message);
  if (f.network) set(T.NetworkReady, f.network.ok ? 'True' : 'False', f.network.reason, f.network.message);
  // Not part of Ready: a zone that drifted out of compliance still runs (spec.onViolation Report).
  if (f.compliance)
    set(T.Compliant, f.compliance.compliant ? 'True' : 'False', f.compliance.reason, f.compliance.message);
  // Not part of Ready either: the old instances serve while the new ones start.
  if (f.replace) set(T.Replacing, f.replace.moving ? 'True' : 'False', f.replace.reason, f.replace.message);

  // Degraded and Ready sum up the pass: only when it got that far, or
  // when placement refused the zone (nothing further can run).
  const unreachable = v?.unreachable ?? [];
  if (v || p?.outcome === 'refused') {
    if (unreachable.length > 0)
      set(
        T.Degraded,
        'True',
        R.MemberUnreachable,
        `member cluster(s) ${unreachable.join(', ')} not reachable; their instances are unknown and no new placements go there${f.failover ? `; ${f.failover}` : ''}`,
      );
    else set(T.Degraded, 'False', R.AsExpected, 'every member cluster of the zone answers');
  }
  const notTrue = [T.Placed, T.Provisioned, T.NetworkAttached, T.NetworkReady]
    .map((t) => getCondition(list, t))
    .find((x) => x?.status !== 'True');
  if (notTrue) set(T.Ready, 'False', notTrue.reason, `${notTrue.type}: ${notTrue.message}`);
  else if (!v) return list;
  else if (unreachable.length > 0) set(T.Ready, 'False', R.Degraded, `${unreachable.join(', ')} not reachable`);
  else if (v.finished > 0) setFinished(set, v);
  else if (v.ready < v.total) set(T.Ready, 'False', R.InstancesNotReady, `${v.ready}/${v.total} instance(s) ready`);
  else set(T.Ready, 'True', R.Ready, `${v.total} instance(s) ready`);
  return list;
}

/**
 * Ready of a zone some of whose instances finished (restartPolicy
 * OnFailure or Never): a finished instance is done, not broken. The zone
 * is Ready while every other instance is; once all have finished it is
 * Ready=False with reason Completed (nothing runs any more; its capacity
 * stays booked until a ZoneRelease gives it back).
 */
function setFinished(
  set: (type: ZoneConditionType, status: Condition['status'], reason: string, message: string) => void,
  v: ProvisionFact,
): void {
  const running = v.total - v.finished;
  const done = `${v.finished}/${v.total} instance(s) finished`;
  if (running === 0) set(T.Ready, 'False', R.Completed, `${done}: the application completed`);
  else if (v.ready < running)
    set(T.Ready, 'False', R.InstancesNotReady, `${v.ready}/${running} running instance(s) ready; ${done}`);
  else set(T.Ready, 'True', R.Ready, `${v.ready} instance(s) ready; ${done}`);
}
