// The ExecutionZone reconciler. A pass is
//
//   fetch -> deleting? reconcileDelete : the phases
//     adoptFinalizer, settleReleases, placeZone, failover,
//     recheckCompliance, finalizeAndPrepare, provisionMembers, programNetwork
//   -> conditions from the pass's facts -> one status write, always
//
// and each phase answers with a PhaseResult; the answers fold (the
// shortest requeue wins, an error wins over requeues). A phase that throws
// ends the phases, but the status write still runs and says what failed.
//
// placeZone, settleReleases and recheckCompliance (spec.onViolation
// Release and Replace) are the only phases that change the allocation; they do so under the placement lock and commit it to status
// (with a resourceVersion precondition) before any member object is
// created or deleted. See docs/operator.md, "Crash safety". This
// reconciler is the only writer of ExecutionZone status: a ZoneRelease
// asks it to release (release-requests.ts).
// The failover phase (spec.failover, execution-zone-failover.ts) changes
// the allocation the same way.

import { EventAction, EventReason, ZoneConditionType as T, ZoneReason as R } from '../core/api/conditions.js';
import { FINALIZER, KINDS, API_GROUP_VERSION, splitKey } from '../core/api/resources.js';
import type { ExecutionZone, ExecutionZoneStatus } from '../core/api/types.js';
import { formatFieldErrors } from '../core/errors.js';
import type { ZoneNetworkPlan } from '../core/network/types.js';
import { ZONE_INTERFACE } from '../core/network/zone-attachment.js';
import { formatExplanation } from '../core/placement/place-group.js';
import {
  checkCompliance,
  describeViolation,
  violatingInstances,
  type ComplianceViolation,
} from '../core/zones/compliance.js';
import type { InstanceAllocation, ZoneAllocation } from '../core/zones/allocation.js';
import { restartPolicyOf } from '../core/zones/restart-policy.js';
import type { Federation, GroupOutcome } from '../core/zones/federation.js';
import { FINISHED_PHASES, finishedAs } from '../clusters/instance-outcome.js';
import { AttachmentError } from '../clusters/member-actuator.js';
import {
  hasZoneInterface,
  instancePhase,
  podReady,
  vmReady,
  type MemberPod,
  type MemberVm,
  type ZoneIdentity,
} from '../clusters/member-objects.js';
import type { Clock } from '../runtime/clock.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { EventSink, EventTarget } from '../runtime/events.js';
import { type Logger, errorText } from '../runtime/logger.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { getCondition, isTrue } from './conditions.js';
import { jsonEqual } from './merge-patch.js';
import {
  zoneConditions,
  type AttachmentFact,
  type ComplianceFact,
  type NetworkFact,
  type PlacementFact,
  type ProvisionFact,
  type ReplaceFact,
} from './execution-zone-conditions.js';
import { describeMove, replaceNonCompliant } from './execution-zone-replace.js';
import type { MemberAccess, ZoneObject } from './member-access.js';
import type { NetworkProgrammer } from './network/network-programmer.js';
import type { HubObjects } from './object-store.js';
import {
  done,
  failed,
  foldResults,
  requeueAfter,
  runPhase,
  toReconcileResult,
  type PhaseResult,
} from './phase-result.js';
import type { PlacementState } from './placement-state.js';
import { releaseNamed, releaseWhole, type ReleaseContext } from './execution-zone-release.js';
import { ZoneFailover } from './execution-zone-failover.js';
import { allocationFields, cloneStatus } from './zone-status.js';

export interface ExecutionZoneReconcilerDeps {
  zones: HubObjects<ExecutionZone>;
  state: PlacementState;
  members: MemberAccess;
  network: NetworkProgrammer;
  events: EventSink;
  logger: Logger;
  clock: Clock;
  metrics?: OperatorMetrics;
  /** Capacity was freed or the catalogue changed: retry the zones that wait. */
  onCapacityFreed: () => void;
  /** A release asked of this reconciler has its answer (release-requests.ts). */
  onReleaseSettled?: (releaseKey: string) => void;
  /** How often a zone that is not Ready is looked at again without an event. */
  pollMs?: number;
  /**
   * The same for a zone that only waits for a provider: capacity freed, the
   * catalogue and the regions changing wake it (onCapacityFreed and the
   * watches), so this is only a safety net.
   */
  waitingPollMs?: number;
}

/** A member write failed (e.g. the namespace's ServiceAccount is not there yet): not the poll interval. */
const MEMBER_RETRY_MS = 250;
/** Switch entries of a zone that goes are retried this often until removed. */
const SWITCH_RETRY_MS = 1000;

interface Pass {
  key: string;
  zone: ExecutionZone;
  status: ExecutionZoneStatus;
  now: string;
  released: boolean;
  releasedBy?: string;
  switchLeft?: string;
  placement?: PlacementFact;
  finalizerError?: string;
  provision?: ProvisionFact;
  network?: NetworkFact;
  attachment?: AttachmentFact;
  compliance?: ComplianceFact;
  replace?: ReplaceFact;
  /** Non-compliant groups found by this pass (for the metric). */
  noncompliantGroups?: number;
  /** Phases stop here: the rest cannot run (invalid spec, conflict). */
  halted: boolean;
  /** The placement revision this pass's attempt saw, when it tried to place a group. */
  attemptedAt?: number;
  /** Instance phases seen in the members, by `provider/instance`. */
  phases: Map<string, string>;
  /** Why this pass leaves status to the next pass (see provisionMembers). */
  statusDeferred?: string;
}

type Phase = (p: Pass) => Promise<PhaseResult>;

export class ExecutionZoneReconciler {
  /** Zones that have a group without provider, or a group to replace that no compliant provider has room for, by key. */
  readonly waiting = new Set<string>();
  /**
   * Waiting zones whose status holds the answer of their last attempt: the
   * placement revision it saw and the object it was written to. While both
   * hold, another attempt would fail the same way, so a pass skips it (no
   * search, no explanation, no repeated Event).
   */
  private readonly attempted = new Map<string, { revision: number; resourceVersion: string | undefined }>();
  private readonly readySeen = new Set<string>();
  private readonly zones: HubObjects<ExecutionZone>;
  private readonly state: PlacementState;
  private readonly members: MemberAccess;
  private readonly network: NetworkProgrammer;
  private readonly events: EventSink;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly metrics: OperatorMetrics | undefined;
  private readonly pollMs: number;
  private readonly waitingPollMs: number;
  private readonly onCapacityFreed: () => void;
  private readonly onReleaseSettled: (releaseKey: string) => void;
  private readonly releasing: ReleaseContext;
  /** spec.failover (execution-zone-failover.ts). */
  private readonly failover: ZoneFailover;
  private readonly phaseList: Phase[] = [
    (p) => this.adoptFinalizer(p),
    (p) => this.settleReleases(p),
    (p) => this.placeZone(p),
    (p) => this.failover.run(p, this.target(p.zone)),
    (p) => this.recheckCompliance(p),
    (p) => this.finalizeAndPrepare(p),
    (p) => this.provisionMembers(p),
    (p) => this.programNetwork(p),
  ];

  constructor(deps: ExecutionZoneReconcilerDeps) {
    this.zones = deps.zones;
    this.state = deps.state;
    this.members = deps.members;
    this.network = deps.network;
    this.events = deps.events;
    this.logger = deps.logger;
    this.clock = deps.clock;
    this.metrics = deps.metrics;
    this.pollMs = deps.pollMs ?? 10_000;
    this.waitingPollMs = deps.waitingPollMs ?? 300_000;
    this.onCapacityFreed = deps.onCapacityFreed;
    this.onReleaseSettled = deps.onReleaseSettled ?? (() => undefined);
    this.releasing = {
      state: deps.state,
      zones: deps.zones,
      logger: deps.logger,
      switchesHoldEntries: () => this.network.configured,
    };
    this.failover = new ZoneFailover({
      state: deps.state,
      zones: deps.zones,
      events: deps.events,
      clock: deps.clock,
      logger: deps.logger,
      retryMs: this.pollMs,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const zone = this.zones.current(key);
    if (!zone) return toReconcileResult(await runPhase(() => this.forgotten(key)));
    if (zone.metadata.deletionTimestamp)
      return toReconcileResult(await runPhase(() => this.reconcileDelete(key, zone)));
    const pass: Pass = {
      key,
      zone,
      status: cloneStatus(zone.status),
      now: this.nowText(),
      released: isReleased(zone),
      halted: false,
      phases: new Map(),
    };
    const results: PhaseResult[] = [];
    for (const phase of this.phaseList) {
      const r = await runPhase(() => phase(pass));
      results.push(r);
      if (r.kind === 'error' || pass.halted) break;
    }
    results.push(this.summarize(pass));
    const failedPhase = results.some((r) => r.kind === 'error');
    if (pass.statusDeferred === undefined || failedPhase) results.push(await runPhase(() => this.writeStatus(pass)));
    this.rememberAttempt(pass, results);
    return toReconcileResult(foldResults(results));
  }

  /**
   * True when every live instance of the zone is Ready in the member caches
   * while the zone is not yet Ready: its next pass only has to say so, and
   * need not wait out the delay that folds bursts of member events.
   */
  becameReady(key: string): boolean {
    const zone = this.zones.current(key);
    if (!zone || isTrue(zone.status?.conditions, T.Ready)) return false;
    const a = this.state.federation?.allocation(zone.spec.applicationId.toLowerCase());
    if (!a || a.instances.length === 0) return false;
    const byProvider = new Map<string, Map<string, ZoneObject>>();
    return a.instances.every((i) => {
      let have = byProvider.get(i.provider);
      if (!have) {
        const look = this.members.get(i.provider);
        if (!look.ok) return false;
        have = look.member.zoneObjects(a.applicationId);
        byProvider.set(i.provider, have);
      }
      const o = have.get(i.name);
      return o !== undefined && objectReady(o);
    });
  }

  private nowText(): string {
    return new Date(this.clock.now()).toISOString();
  }

  // ---- adoptFinalizer ----------------------------------------------------

  /**
   * A zone holding an allocation gets its finalizer before anything else;
   * a new one gets it right after its allocation commit (finalizeAndPrepare),
   * in parallel with its namespaces, and before any instance is created.
   */
  private async adoptFinalizer(p: Pass): Promise<PhaseResult> {
    if (hasFinalizer(p.zone) || !this.state.federation?.allocation(applicationId(p.zone))) return done;
    try {
      p.zone = await this.zones.setFinalizers(p.zone, [...(p.zone.metadata.finalizers ?? []), FINALIZER]);
    } catch (err) {
      p.finalizerError = errorText(err);
      return failed(err);
    }
    return done;
  }

  // ---- settleReleases ----------------------------------------------------

  /** The releases ZoneReleases asked for, each committed before the pass goes on. */
  private async settleReleases(p: Pass): Promise<PhaseResult> {
    const asks = this.state.releases.pending(p.key);
    for (const ask of asks) {
      const outcome = ask.instances
        ? await releaseNamed(this.releasing, p, ask.instances)
        : await releaseWhole(this.releasing, p, ask);
      this.state.releases.settle(ask, outcome);
      this.onReleaseSettled(ask.release);
      if (outcome.ok) this.capacityFreed();
    }
    return done;
  }

  // ---- placeZone ---------------------------------------------------------

  private async placeZone(p: Pass): Promise<PhaseResult> {
    if (p.released) {
      this.waiting.delete(p.key);
      return done;
    }
    const id = p.zone.spec?.applicationId?.toLowerCase() ?? '';
    const conflict = this.state.conflicts.get(p.key);
    if (conflict) return this.refuse(p, R.AllocationConflict, `the durable allocation cannot be restored: ${conflict}`);
    const owner = this.state.ownerOf(id);
    if (owner && owner !== p.key) {
      // Application ids are unique across the hub (the zone's VLAN, network
      // and switch entries are keyed by it). The tenant is told only that it
      // is taken: the other zone's namespace and name belong to another
      // tenant. The operator's log names it for the platform admin.
      this.logger.info('application id in use', { zone: p.key, applicationId: id, usedBy: owner });
      return this.refuse(
        p,
        R.ApplicationIdInUse,
        `application id ${id} is already used by another ExecutionZone; application ids are unique across the hub`,
      );
    }
    const fed = this.state.federation;
    // The federation's compiled copy of the rules (the privacy mark, the
    // regions they name) is refreshed by fed.reconcile: a spec edited since
    // the last status write takes the locked path even when every group is
    // placed, or the zone would keep the mark of its old rules.
    const specSeen = p.zone.status?.observedGeneration === p.zone.metadata.generation;
    if (fed && this.state.ready && specSeen && fullyPlaced(fed, p.zone)) {
      this.waiting.delete(p.key);
      this.recordPlacement(p, fed);
      return done;
    }
    if (fed && this.state.ready && this.answerStands(p)) {
      this.waiting.add(p.key);
      this.recordPlacement(p, fed);
      return done;
    }
    const t0 = process.hrtime.bigint();
    // Placement is decided under the lock; the commit is started under it
    // and awaited outside, so commits of different zones overlap. A failed
    // commit marks the state stale, and the rebuild waits for every commit
    // in flight before it LISTs (placement-state.ts).
    const pending = await this.state.withLock((f) => {
      p.attemptedAt = this.state.revision;
      const before = f.allocation(id);
      const beforeText = snapshot(before);
      const outcome = f.reconcile(p.zone.spec);
      if (outcome.errors && outcome.errors.length > 0) {
        const text = formatFieldErrors(outcome.errors);
        this.events.emit(this.target(p.zone), 'Warning', EventReason.InvalidSpec, EventAction.Place, text);
        this.refuse(p, R.InvalidSpec, text);
        return undefined;
      }
      this.state.claim(id, p.key);
      const after = f.allocation(id);
      this.explain(p, outcome.groups);
      this.recordPlacement(p, f);
      if (before && Object.keys(before.groups).length > Object.keys(after?.groups ?? {}).length) this.capacityFreed();
      if (!after || snapshot(after) === beforeText) return undefined;
      // Commit before anything is created in a member: the allocation is
      // durable, or it is forgotten (rebuild) and nothing used it.
      this.fillAllocation(p, f, after);
      this.metrics?.vlansInUse.set(vlansInUse(f));
      const status = structuredClone(p.status);
      const zone = p.zone;
      const providers = [...new Set(after.instances.map((i) => i.provider))];
      const write = this.state.commit(
        () => this.zones.writeStatus(zone, status),
        `allocation commit of ${p.key} failed`,
      );
      return { write, outcome, vlan: after.vlanId, providers };
    });
    if (pending) {
      // The member namespaces go in parallel with the commit: a namespace
      // holds nothing, the new namespace's default ServiceAccount (which
      // pods wait for) gets the commit's round trip as a head start, and a
      // namespace left by a commit that failed is empty and goes with the
      // zone (reconcileDelete cleans every member) or with orphan
      // collection. Pods and VMs still wait for the commit.
      const [committed] = await Promise.allSettled([pending.write, this.prepareNamespaces(p.zone, pending.providers)]);
      if (committed.status === 'rejected') {
        // Nothing of the failed allocation may reach status: only the condition does.
        p.status = cloneStatus(p.zone.status);
        p.placement = { outcome: 'commitFailed', error: errorText(committed.reason) };
        return failed(committed.reason);
      }
      p.zone = committed.value;
      for (const g of pending.outcome.groups.filter((x) => x.new)) {
        this.metrics?.placementDecisions.inc({ result: 'placed' });
        this.events.emit(
          this.target(p.zone),
          'Normal',
          EventReason.Placed,
          EventAction.Place,
          `group ${g.group}: ${g.instances?.join(', ')} on ${g.provider}, VLAN ${pending.vlan}`,
        );
      }
    }
    this.metrics?.placementLatency.observe(Number(process.hrtime.bigint() - t0) / 1e9);
    return done;
  }

  /** Frees count for the waiting zones' attempts (placement-state.ts, revision) before they are woken. */
  private capacityFreed(): void {
    this.state.touch();
    this.onCapacityFreed();
  }

  /** The last attempt's answer is in this very object and nothing it depended on moved since. */
  private answerStands(p: Pass): boolean {
    const last = this.attempted.get(p.key);
    return (
      last !== undefined &&
      last.revision === this.state.revision &&
      last.resourceVersion === p.zone.metadata.resourceVersion &&
      (p.status.placement?.length ?? 0) > 0
    );
  }

  /** A waiting zone's attempt whose answer reached status is remembered; anything else forgets. */
  private rememberAttempt(p: Pass, results: readonly PhaseResult[]): void {
    const written = p.statusDeferred === undefined && !results.some((r) => r.kind === 'error');
    const last = this.attempted.get(p.key);
    if (!written || p.placement?.outcome !== 'waiting') this.attempted.delete(p.key);
    else if (p.attemptedAt !== undefined)
      this.attempted.set(p.key, { revision: p.attemptedAt, resourceVersion: p.zone.metadata.resourceVersion });
    // A pass that kept the answer wrote it back unchanged: the new object holds it too.
    else if (last) last.resourceVersion = p.zone.metadata.resourceVersion;
  }

  private refuse(
    p: Pass,
    reason: typeof R.AllocationConflict | typeof R.ApplicationIdInUse | typeof R.InvalidSpec,
    message: string,
  ): PhaseResult {
    p.placement = { outcome: 'refused', reason, message };
    p.halted = true;
    return done;
  }

  private explain(p: Pass, groups: GroupOutcome[]): void {
    const entries = groups.filter((g) => g.explanation).flatMap((g) => g.explanation ?? []);
    // The zone already says exactly this (an operator that restarts tries
    // every waiting zone once more): no second Event for the same answer.
    const placed = getCondition(p.zone.status?.conditions, T.Placed);
    const told =
      placed?.status === 'False' &&
      placed.observedGeneration === p.zone.metadata.generation &&
      jsonEqual(p.zone.status?.placement ?? [], entries);
    if (entries.length > 0) p.status.placement = entries;
    const waiting = groups.filter((g) => !g.placed);
    if (waiting.length === 0) {
      this.waiting.delete(p.key);
      return;
    }
    this.waiting.add(p.key);
    for (const g of waiting) {
      this.metrics?.placementDecisions.inc({ result: 'no-match' });
      if (told) continue;
      const text = `group ${g.group}: ${g.reason ?? 'NoMatchingProvider'}: ${formatExplanation(g.explanation ?? []).join('; ')}`;
      this.events.emit(this.target(p.zone), 'Warning', EventReason.NoMatchingProvider, EventAction.Place, text);
    }
  }

  /** The placement fact (placed, or waiting with each group's explanation) and the allocation's status fields. */
  private recordPlacement(p: Pass, f: Federation): void {
    const a = f.allocation(applicationId(p.zone));
    const unplaced = p.zone.spec.groups.filter((g) => !a?.groups[g.name]);
    if (unplaced.length === 0) {
      const where = [...new Set(a?.instances.map((i) => i.provider) ?? [])].join(', ');
      p.placement = {
        outcome: 'placed',
        message: `${p.zone.spec.groups.length} group(s) on ${where || 'no provider (all instances released)'}, VLAN ${a?.vlanId ?? '-'}`,
      };
    } else {
      const reasons = unplaced.map((g) => {
        const mine = (p.status.placement ?? []).filter((e) => e.group === g.name);
        return `group ${g.name}: ${formatExplanation(mine).join('; ') || 'waiting for a provider'}`;
      });
      const names = unplaced.map((g) => g.name).join(', ');
      // A zone without a VLAN when none is free waits for a zone to go, whatever
      // the explanation says of the providers (which may well have room).
      if (a?.vlanId === undefined && f.vlans.used >= f.vlans.capacity) {
        const { min, max } = f.vlans.range;
        const draining = f.vlans.draining;
        const held =
          draining > 0
            ? `are taken: ${f.vlans.capacity - draining} held by other zones, ${draining} still draining (their zones are gone, but the switches have not yet confirmed their entries removed)`
            : 'are held by other zones';
        p.placement = {
          outcome: 'waiting',
          noFreeVlan: true,
          message: `no VLAN left for ${names}: all ${f.vlans.capacity} VLANs of ${min}–${max} ${held} (the switch keeps zones apart by VLAN, one each); retried when a zone is released or a VLAN drained: ${reasons.join(' | ')}`,
        };
      } else
        p.placement = {
          outcome: 'waiting',
          message: `no provider can take ${names} (retried when capacity frees or the catalogue changes): ${reasons.join(' | ')}`,
        };
    }
    if (a) this.fillAllocation(p, f, a);
  }

  private fillAllocation(p: Pass, f: Federation, a: ZoneAllocation): void {
    const marking = f.marking(a.applicationId);
    if (!marking) return;
    const phase = (provider: string, name: string) =>
      p.phases.get(`${provider}/${name}`) ?? p.status.instances?.[provider]?.[name]?.phase;
    Object.assign(
      p.status,
      allocationFields(
        structuredClone(a),
        marking,
        f.globalId,
        phase,
        f.catalogue.providers.map((x) => x.name),
      ),
    );
  }

  // ---- recheckCompliance -------------------------------------------------

  /**
   * Compliance drift: every placed group with live instances against the
   * zone's rules, its provider's facts and the regions as they are now.
   * Runs on every pass of a placed zone, so on start and whenever the zone,
   * a provider hosting it or a region it names changes (the watches
   * requeue it); the federation is fresh here (placeZone rebuilt it if any
   * of those marked it stale). spec.onViolation Release releases the
   * non-compliant instances as a ZoneRelease naming them would, before
   * provisionMembers, which then deletes them.
   */
  private async recheckCompliance(p: Pass): Promise<PhaseResult> {
    if (p.released) return done;
    const f = this.state.federation;
    const a = f?.allocation(applicationId(p.zone));
    if (!f || !a || Object.keys(a.groups).length === 0) return done;
    const policy = p.zone.spec.onViolation ?? 'Report';
    // A move begun under Replace is finished whatever the policy now says
    // (it would otherwise hold two sets of instances for good), before the
    // check, so the check sees where the group runs now.
    if (policy !== 'Replace' && Object.values(a.groups).some((g) => g.replacing)) await this.replaceViolations(p, []);
    const facts = (name: string) => (this.state.hasProvider(name) ? f.catalogue.get(name) : undefined);
    const report = checkCompliance(p.zone.spec, a, facts, f.regions);
    if (!report.ok) {
      p.noncompliantGroups = new Set(a.instances.map((i) => i.group)).size;
      p.compliance = {
        compliant: false,
        reason: R.RulesUnresolvable,
        message: `the rules no longer resolve, so no placed group can be shown to comply: ${formatFieldErrors(report.errors)}`,
      };
      return done;
    }
    if (policy === 'Replace') return this.replaceViolations(p, report.violations);
    p.noncompliantGroups = report.violations.length;
    if (report.violations.length === 0) {
      // A release for non-compliance says so until the next change of the zone.
      const old = getCondition(p.zone.status?.conditions, T.Compliant);
      const keep =
        old?.status === 'True' &&
        old.reason === R.ViolationReleased &&
        old.observedGeneration === p.zone.metadata.generation;
      if (!keep)
        p.compliance = {
          compliant: true,
          reason: R.Compliant,
          message: `${report.groupsChecked} placed group(s) pass the zone's current rules on their providers' current facts`,
        };
      return done;
    }
    const lines = report.violations.map(describeViolation).join('; ');
    if (policy === 'Report') {
      p.compliance = {
        compliant: false,
        reason: R.RuleViolated,
        message: `${lines}; spec.onViolation is Report: nothing moved`,
      };
      return done;
    }
    const instances = violatingInstances(report.violations);
    const names = Object.entries(instances)
      .map(([provider, list]) => `${list.join(', ')} on ${provider}`)
      .join('; ');
    // Said before the release, so a failed commit leaves the condition telling the truth.
    p.compliance = {
      compliant: false,
      reason: R.RuleViolated,
      message: `${lines}; spec.onViolation is Release: releasing ${names}`,
    };
    const outcome = await releaseNamed(this.releasing, p, instances);
    if (!outcome.ok) {
      p.compliance.message = `${lines}; spec.onViolation is Release, but the release failed: ${outcome.message}; retried`;
      return requeueAfter(this.pollMs, 'release of non-compliant instances failed');
    }
    this.onCapacityFreed();
    p.noncompliantGroups = 0;
    const message = `released ${names} (spec.onViolation is Release): ${lines}`;
    p.compliance = { compliant: true, reason: R.ViolationReleased, message };
    this.events.emit(
      this.target(p.zone),
      'Warning',
      EventReason.NonCompliantReleased,
      EventAction.CheckCompliance,
      message,
    );
    return done;
  }

  /**
   * spec.onViolation Replace (execution-zone-replace.ts): moves of this
   * pass committed, then Compliant from the allocation as it is now (a
   * group whose old instances still run is still in violation).
   */
  private async replaceViolations(p: Pass, violations: readonly ComplianceViolation[]): Promise<PhaseResult> {
    const id = applicationId(p.zone);
    const before = getCondition(p.zone.status?.conditions, T.Replacing);
    const r = await replaceNonCompliant(this.releasing, p, violations, (provider, name) =>
      this.instanceReady(id, provider, name),
    );
    const target = this.target(p.zone);
    for (const m of r.started)
      this.events.emit(
        target,
        'Normal',
        EventReason.ReplacementStarted,
        EventAction.Replace,
        `${describeMove(m)}: new instances booked; the old ones are released once every new one is Ready`,
      );
    for (const m of r.completed)
      this.events.emit(
        target,
        'Normal',
        EventReason.Replaced,
        EventAction.Replace,
        `${describeMove(m)}: the new instances are Ready; the old ones are released`,
      );
    if (r.completed.length > 0) this.capacityFreed();
    if (r.stuck.length > 0) {
      // Woken with the zones that wait for a provider when capacity frees.
      this.waiting.add(p.key);
      if (before?.reason !== R.NoCompliantCapacity || before.message !== r.fact.message)
        this.events.emit(target, 'Warning', EventReason.NoCompliantCapacity, EventAction.Replace, r.fact.message);
    }
    // The last move stays told until there is something new to say.
    if (r.fact.reason !== R.NoViolation || before?.reason !== R.Replaced) p.replace = r.fact;
    if ((p.zone.spec.onViolation ?? 'Report') !== 'Replace') return done;
    const f = this.state.federation;
    const a = f?.allocation(id);
    if (!f || !a) return done;
    const facts = (name: string) => (this.state.hasProvider(name) ? f.catalogue.get(name) : undefined);
    const now = checkCompliance(p.zone.spec, a, facts, f.regions);
    if (!now.ok) return done;
    p.noncompliantGroups = now.violations.length;
    p.compliance =
      now.violations.length === 0
        ? {
            compliant: true,
            reason: R.Compliant,
            message: `${now.groupsChecked} placed group(s) pass the zone's current rules on their providers' current facts`,
          }
        : {
            compliant: false,
            reason: R.RuleViolated,
            message: `${now.violations.map(describeViolation).join('; ')}; spec.onViolation is Replace: ${r.fact.message}`,
          };
    return r.stuck.length > 0 ? requeueAfter(this.waitingPollMs, 'waiting for compliant capacity') : done;
  }

  /** An instance is Ready in its member's cache (as the zone's Ready judges it). */
  private instanceReady(id: string, provider: string, name: string): boolean {
    const look = this.members.get(provider);
    if (!look.ok || !this.members.synced(provider)) return false;
    const o = look.member.zoneObjects(id).get(name);
    return o !== undefined && objectReady(o);
  }

  // ---- finalizeAndPrepare ------------------------------------------------

  /**
   * The finalizer of a zone just placed, with its namespaces created in the
   * same round trip: a namespace holds nothing, and if the zone goes before
   * the finalizer lands, orphan collection removes it (no allocation, no
   * zone). Instances wait for the finalizer (provisionMembers runs after).
   */
  private async finalizeAndPrepare(p: Pass): Promise<PhaseResult> {
    if (p.released || hasFinalizer(p.zone)) return done;
    const id = applicationId(p.zone);
    const providers = [...new Set(this.state.federation?.allocation(id)?.instances.map((i) => i.provider) ?? [])];
    const [zone] = await Promise.allSettled([
      this.zones.setFinalizers(p.zone, [...(p.zone.metadata.finalizers ?? []), FINALIZER]),
      this.prepareNamespaces(p.zone, providers),
    ]);
    if (zone.status === 'rejected') {
      p.finalizerError = errorText(zone.reason);
      return failed(zone.reason);
    }
    p.zone = zone.value;
    return done;
  }

  /** Best effort: provisionMembers tries again and reports a failure. */
  private async prepareNamespaces(zone: ExecutionZone, providers: readonly string[]): Promise<void> {
    const z = identity(zone);
    await Promise.all(
      providers.map(async (provider) => {
        const look = this.members.get(provider);
        if (look.ok) await look.member.ensureNamespace(z).catch(() => undefined);
      }),
    );
  }

  // ---- provisionMembers --------------------------------------------------

  /**
   * Creates the missing instances and deletes the ones no longer live
   * (released, or of a group that left the spec; never created again).
   * A pass that created instances leaves the status write to the pass
   * their watch events bring: the placement is already durable, and a
   * write now would only say "0/N ready" and cost a hub round trip on the
   * create path. The poll interval still applies should those events
   * never come.
   */
  private async provisionMembers(p: Pass): Promise<PhaseResult> {
    const f = this.state.federation;
    const z = identity(p.zone);
    const a = f?.allocation(z.applicationId);
    const live = a?.instances ?? [];
    const plan = a ? f?.networkPlan(z.applicationId) : undefined;
    const fact: ProvisionFact = {
      total: live.length,
      created: 0,
      ready: 0,
      finished: 0,
      unreachable: [],
      problems: [],
    };
    const net: NetworkAttachment = { held: [], failed: [], bare: [], uplinks: [] };
    let createdNow = 0;
    let memberWriteFailed = false;
    const providers = new Set([...live.map((i) => i.provider), ...this.members.providers()]);
    await Promise.all(
      [...providers].map(async (provider) => {
        const wanted = live.filter((i) => i.provider === provider);
        const look = this.members.get(provider);
        if (!look.ok) {
          if (wanted.length > 0) {
            fact.unreachable.push(provider);
            fact.problems.push(look.reason);
            for (const i of wanted) p.phases.set(`${provider}/${i.name}`, 'Unknown');
          }
          return;
        }
        const m = look.member;
        if (!this.members.synced(provider)) {
          if (wanted.length > 0) fact.problems.push(`${provider}: member cache not synced yet`);
          return;
        }
        const have = m.zoneObjects(z.applicationId);
        const uplink = this.state.provider(provider)?.uplink;
        if (wanted.length > 0 && uplink !== undefined) net.uplinks.push(`${provider}'s ${uplink}`);
        // An instance that finished, and whose object someone removed since, stays finished: never run twice.
        const ended = endedBefore(p.zone, provider);
        try {
          const missing = wanted.filter((i) => !have.has(i.name) && !ended(i));
          if (missing.length > 0 && uplink === undefined) {
            // Never an instance without its zone interface: it waits for the uplink (docs/network.md).
            const object = this.state.provider(provider)?.objectName ?? provider.toLowerCase();
            const names = missing.map((i) => i.name);
            net.held.push(
              `${names.join(', ')} on ${provider} ${names.length === 1 ? 'is' : 'are'} not created: ProviderCluster ${object} has no spec.network.uplink`,
            );
            fact.problems.push(`${provider}: waiting for spec.network.uplink of ProviderCluster ${object}`);
          } else if (missing.length > 0 && !plan) {
            // Cannot happen while the allocation holds instances (they imply a VLAN); said, not assumed.
            fact.problems.push(`${provider}: the zone has no network plan (VLAN) yet`);
          } else if (missing.length > 0 && plan && uplink !== undefined) {
            await m.ensureNamespace(z);
            try {
              await m.ensureAttachment(z, plan, uplink);
            } catch (err) {
              net.failed.push(`${provider}: ${errorText(err)}`);
              throw err;
            }
            await Promise.all(missing.map((i) => m.createInstance(z, i, plan, restartPolicyOf(p.zone.spec, i.group))));
            createdNow += missing.length;
            this.metrics?.memberRequests.inc({ provider, outcome: 'created' }, missing.length);
          }
          const wantedNames = new Set(wanted.map((i) => i.name));
          const extra = [...have].filter(([name]) => !wantedNames.has(name));
          if (extra.length > 0) {
            if (wanted.length === 0) await m.deleteZoneObjects(z.applicationId);
            else
              await Promise.all(
                extra.map(([name, o]) =>
                  m.deleteInstance(z.applicationId, o.obj.metadata?.name ?? name.toLowerCase(), o.vm),
                ),
              );
            const names = extra.map(([n]) => n).join(', ');
            this.events.emit(
              this.target(p.zone),
              'Normal',
              EventReason.InstancesRemoved,
              EventAction.Deprovision,
              `${names} removed from ${provider}`,
            );
          }
        } catch (err) {
          this.metrics?.memberRequests.inc({ provider, outcome: 'error' });
          fact.problems.push(`${provider}: ${errorText(err)}`);
          // A member without Multus's CRD will not grow one in 250 ms: the poll interval retries it.
          if (!(err instanceof AttachmentError)) memberWriteFailed = true;
        }
        for (const i of wanted) {
          const o = have.get(i.name);
          if (!o && ended(i)) {
            fact.created++;
            fact.finished++;
            continue;
          }
          if (!o) {
            p.phases.set(`${provider}/${i.name}`, 'Creating');
            continue;
          }
          fact.created++;
          if (objectReady(o)) fact.ready++;
          else if (finishedAs(o.obj, o.vm) !== undefined) fact.finished++;
          if (!hasZoneInterface(o.obj, o.vm)) net.bare.push(`${i.name} on ${provider}`);
          p.phases.set(`${provider}/${i.name}`, instancePhase(o.obj, o.vm));
        }
      }),
    );
    if (a) p.attachment = attachmentFact(net, fact, plan);
    if (f && a) this.fillAllocation(p, f, a);
    p.provision = fact;
    // Not the rate limiter: its overall bucket (10/s) would queue every new
    // zone behind the others while their namespaces get a ServiceAccount.
    if (memberWriteFailed) return requeueAfter(MEMBER_RETRY_MS, 'a member write failed');
    if (createdNow > 0 && !p.released) {
      p.statusDeferred = `${createdNow} instance(s) created: their watch events bring the pass that writes status`;
      return requeueAfter(this.pollMs, p.statusDeferred);
    }
    return done;
  }

  // ---- programNetwork ----------------------------------------------------

  private async programNetwork(p: Pass): Promise<PhaseResult> {
    if (p.released) {
      // The freed VLAN may go to another zone: the switch must not keep admitting this one on it.
      try {
        await this.network.remove(applicationId(p.zone));
      } catch (err) {
        p.switchLeft = errorText(err);
        return requeueAfter(SWITCH_RETRY_MS, 'switch entries not yet removed');
      }
      if (this.state.drained(applicationId(p.zone))) this.capacityFreed();
      return done;
    }
    const plan = this.state.federation?.networkPlan(p.zone.spec.applicationId);
    if (!plan) {
      p.network = { ok: false, reason: R.NoVlan, message: 'no group is placed yet, so the zone has no VLAN' };
      return done;
    }
    try {
      const r = await this.network.program(plan);
      const reason = r.reason ?? (r.ok ? (this.network.configured ? R.Programmed : R.PlanOnly) : R.SwitchError);
      p.network = { ok: r.ok, reason, message: r.message };
    } catch (err) {
      p.network = { ok: false, reason: R.SwitchError, message: errorText(err) };
    }
    return done;
  }

  // ---- conditions and status ---------------------------------------------

  /** Sets every condition from the pass's facts, records the transitions, and says when to look again. */
  private summarize(p: Pass): PhaseResult {
    const released = p.released ? (p.switchLeft !== undefined ? { switchLeft: p.switchLeft } : {}) : undefined;
    p.status.conditions = zoneConditions(
      p.status.conditions,
      {
        generation: p.zone.metadata.generation,
        ...(released ? { released } : {}),
        ...(p.placement ? { placement: p.placement } : {}),
        ...(p.finalizerError !== undefined ? { finalizerError: p.finalizerError } : {}),
        ...(p.provision ? { provision: p.provision } : {}),
        ...(p.network ? { network: p.network } : {}),
        ...(p.attachment ? { attachment: p.attachment } : {}),
        ...(p.compliance ? { compliance: p.compliance } : {}),
        ...(p.replace ? { replace: p.replace } : {}),
        failover: this.failover.standingOf(p.key),
      },
      p.now,
    );
    this.recordCompliance(p);
    if (p.released) return done;
    this.reportTransitions(p);
    if (isTrue(p.status.conditions, T.Ready)) return done;
    // Every instance finished: nothing will turn Ready; member events still wake the zone.
    if (getCondition(p.status.conditions, T.Ready)?.reason === R.Completed) return done;
    // Nothing placed, nothing to watch in the members: only a freed
    // capacity or a catalogue change can move it, and those wake it.
    if (p.placement?.outcome === 'waiting' && (p.provision?.total ?? 0) === 0 && p.finalizerError === undefined)
      return requeueAfter(this.waitingPollMs, 'waiting for a provider');
    return requeueAfter(this.pollMs, 'not Ready');
  }

  /** The gauge, and an Event when the set of violations changes or the zone complies again. */
  private recordCompliance(p: Pass): void {
    const labels = { namespace: p.zone.metadata.namespace ?? '', name: p.zone.metadata.name };
    if (p.released || p.noncompliantGroups === 0) this.metrics?.zoneNoncompliant.remove(labels);
    else if (p.noncompliantGroups !== undefined) this.metrics?.zoneNoncompliant.set(labels, p.noncompliantGroups);
    if (p.released || !p.compliance) return;
    const before = getCondition(p.zone.status?.conditions, T.Compliant);
    const now = p.compliance;
    if (!now.compliant && (before?.status !== 'False' || before.message !== now.message))
      this.events.emit(
        this.target(p.zone),
        'Warning',
        EventReason.NonCompliant,
        EventAction.CheckCompliance,
        now.message,
      );
    else if (now.compliant && before?.status === 'False' && now.reason === R.Compliant)
      this.events.emit(
        this.target(p.zone),
        'Normal',
        EventReason.Compliant,
        EventAction.CheckCompliance,
        `complies again: ${now.message}`,
      );
  }

  private reportTransitions(p: Pass): void {
    const before = p.zone.status?.conditions;
    const wasReady = isTrue(before, T.Ready);
    const ready = isTrue(p.status.conditions, T.Ready);
    const target = this.target(p.zone);
    if (ready && !wasReady) {
      this.events.emit(
        target,
        'Normal',
        EventReason.Ready,
        EventAction.Summarize,
        `all ${p.provision?.total ?? 0} instance(s) ready`,
      );
      if (!this.readySeen.has(p.key) && p.zone.metadata.creationTimestamp) {
        this.readySeen.add(p.key);
        this.metrics?.createToReady.observe((Date.parse(p.now) - Date.parse(p.zone.metadata.creationTimestamp)) / 1000);
      }
    }
    if (wasReady && !ready)
      this.events.emit(
        target,
        'Warning',
        EventReason.NotReady,
        EventAction.Summarize,
        getCondition(p.status.conditions, T.Ready)?.message ?? '',
      );
    const unreachable = p.provision?.unreachable ?? [];
    if (unreachable.length > 0 && !isTrue(before, T.Degraded))
      this.events.emit(
        target,
        'Warning',
        EventReason.Degraded,
        EventAction.Summarize,
        `member cluster(s) ${unreachable.join(', ')} not reachable`,
      );
  }

  private async writeStatus(p: Pass): Promise<PhaseResult> {
    p.status.observedGeneration = p.zone.metadata.generation;
    p.zone = await this.zones.writeStatus(p.zone, p.status);
    return done;
  }

  // ---- deletion ----------------------------------------------------------

  private async reconcileDelete(key: string, zone: ExecutionZone): Promise<PhaseResult> {
    if (!hasFinalizer(zone)) return done;
    const id = applicationId(zone);
    const owner = this.state.ownerOf(id);
    const mine = owner === undefined || owner === key;
    const a = mine ? this.state.federation?.allocation(id) : undefined;
    const hosting = new Set(a?.instances.map((i) => i.provider) ?? []);
    const waitingFor = mine ? await this.cleanUp(id, hosting) : [];
    if (waitingFor.length > 0) {
      this.logger.info('zone cleanup waiting', { zone: key, waitingFor });
      return requeueAfter(SWITCH_RETRY_MS, 'cleanup waiting');
    }
    await this.state.withLock(async (f) => {
      // The finalizer goes first: a crash after it leaves no zone, and the
      // rebuild then finds no allocation; the reverse could free a VLAN
      // that a surviving status still claims.
      await this.zones.setFinalizers(
        zone,
        (zone.metadata.finalizers ?? []).filter((x) => x !== FINALIZER),
      );
      if (mine && f.has(id)) f.releaseZone(id);
      if (mine) this.state.disown(id);
      this.metrics?.vlansInUse.set(vlansInUse(f));
    });
    this.forgetZone(key);
    const from = hosting.size ? ` from ${[...hosting].join(', ')}` : '';
    this.events.emit(
      this.target(zone),
      'Normal',
      EventReason.Released,
      EventAction.Delete,
      `zone ${id} released${from}`,
    );
    this.capacityFreed();
    return done;
  }

  /** Removes the zone from every member and the switch; what is still left, with why. */
  private async cleanUp(id: string, hosting: ReadonlySet<string>): Promise<string[]> {
    const waitingFor: string[] = [];
    const providers = this.members.providers();
    await Promise.all(
      providers.map(async (provider) => {
        const look = this.members.get(provider);
        if (!look.ok) {
          // A member that holds instances must be cleaned before the zone goes; others are left to orphan collection.
          if (hosting.has(provider)) waitingFor.push(`${provider} (${look.reason})`);
          return;
        }
        try {
          if (!(await look.member.deleteZoneObjects(id))) waitingFor.push(`${provider} (instances terminating)`);
        } catch (err) {
          waitingFor.push(`${provider} (${errorText(err)})`);
        }
      }),
    );
    for (const p of hosting)
      if (!providers.includes(p) && this.state.provider(p)?.ready !== false) waitingFor.push(`${p} (no client)`);
    try {
      await this.network.remove(id);
    } catch (err) {
      waitingFor.push(`switch (${errorText(err)})`);
    }
    return waitingFor;
  }

  /** The object is gone without our finalizer having run (forced removal): free what it held. */
  private async forgotten(key: string): Promise<PhaseResult> {
    this.zones.forget(key);
    this.forgetZone(key);
    const fed = this.state.federation;
    const id = fed?.applicationIds().find((x) => this.state.ownerOf(x) === key);
    if (!id) return done;
    await this.state.withLock((f) => {
      if (this.state.ownerOf(id) !== key) return;
      const vlan = f.allocation(id)?.vlanId;
      if (f.has(id)) f.releaseZone(id);
      this.state.disown(id);
      // Capacity goes at once (member objects are the member orphan
      // collector's); the VLAN only once the switches confirm the zone is
      // gone from them (the switch orphan collector, sidecar-network-programmer.ts).
      if (vlan !== undefined && this.network.configured) this.state.drain(id, vlan);
      this.metrics?.vlansInUse.set(vlansInUse(f));
    });
    this.logger.info('zone vanished without its finalizer: allocation released', {
      zone: key,
      applicationId: id,
      vlan: this.state.draining.get(id) ?? 'free',
    });
    this.capacityFreed();
    return done;
  }

  private forgetZone(key: string): void {
    const { namespace = '', name } = splitKey(key);
    this.metrics?.zoneNoncompliant.remove({ namespace, name });
    this.waiting.delete(key);
    this.attempted.delete(key);
    this.readySeen.delete(key);
    this.state.releases.dropZone(key);
    this.failover.forget(key);
  }

  private target(zone: ExecutionZone): EventTarget {
    const { name, namespace, uid } = zone.metadata;
    return { apiVersion: zone.apiVersion ?? API_GROUP_VERSION, kind: KINDS.executionZone, name, namespace, uid };
  }
}

/** What provisionMembers saw of the instances' zone interfaces. */
interface NetworkAttachment {
  /** Instances not created because their provider has no uplink, per provider. */
  held: string[];
  /** NetworkAttachmentDefinitions that could not be written. */
  failed: string[];
  /** Instance objects without a zone interface. */
  bare: string[];
  /** `Fog1's zkup-fog1`, per provider hosting instances. */
  uplinks: string[];
}

function attachmentFact(net: NetworkAttachment, v: ProvisionFact, plan: ZoneNetworkPlan | undefined): AttachmentFact {
  if (net.held.length > 0)
    return {
      ok: false,
      reason: R.UplinkMissing,
      message: `${net.held.sort().join('; ')} (an instance is only created with its interface on the zone's VLAN, which is made on its provider's uplink to the switch)`,
    };
  if (net.failed.length > 0) return { ok: false, reason: R.AttachmentFailed, message: net.failed.sort().join('; ') };
  if (net.bare.length > 0)
    return {
      ok: false,
      reason: R.NotAttached,
      message: `${net.bare.sort().join(', ')}: no interface on the zone's network (made before zonekeeper attached instances); delete the pod or VM and it is recreated with one`,
    };
  if (v.total === 0 || !plan) return { ok: true, reason: R.Attached, message: 'no live instance' };
  return {
    ok: true,
    reason: R.Attached,
    message: `${v.created}/${v.total} instance(s) made, each with interface ${ZONE_INTERFACE} on VLAN ${plan.vlanId} (${plan.network}) over ${net.uplinks.sort().join(', ')}`,
  };
}

/**
 * Whether an instance of the zone on `provider` finished before (its
 * recorded phase) under a group that does not restart it; such an
 * instance whose object is gone is not created again.
 */
const endedBefore =
  (zone: ExecutionZone, provider: string) =>
  (i: InstanceAllocation): boolean =>
    restartPolicyOf(zone.spec, i.group) !== 'Always' &&
    FINISHED_PHASES.has(zone.status?.instances?.[provider]?.[i.name]?.phase ?? '');

const objectReady = (o: ZoneObject): boolean => (o.vm ? vmReady(o.obj as MemberVm) : podReady(o.obj as MemberPod));

const hasFinalizer = (zone: ExecutionZone): boolean => (zone.metadata.finalizers ?? []).includes(FINALIZER);

const isReleased = (zone: ExecutionZone): boolean => isTrue(zone.status?.conditions, T.Released);

const applicationId = (zone: ExecutionZone): string => zone.spec.applicationId.toLowerCase();

const identity = (zone: ExecutionZone): ZoneIdentity => ({
  applicationId: applicationId(zone),
  namespace: zone.metadata.namespace ?? '',
  name: zone.metadata.name,
});

const vlansInUse = (f: Federation): number => f.entries().filter((e) => e.allocation.vlanId !== undefined).length;

function snapshot(a: ZoneAllocation | undefined): string {
  if (!a || (a.vlanId === undefined && Object.keys(a.groups).length === 0 && a.released.length === 0)) return 'null';
  return JSON.stringify(a);
}

function fullyPlaced(f: Federation, zone: ExecutionZone): boolean {
  const a = f.allocation(zone.spec.applicationId);
  if (!a) return false;
  const names = new Set(zone.spec.groups.map((g) => g.name));
  return zone.spec.groups.every((g) => a.groups[g.name]) && Object.keys(a.groups).every((n) => names.has(n));
}
