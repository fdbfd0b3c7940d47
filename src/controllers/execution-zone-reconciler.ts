// The ExecutionZone reconciler, in cluster-api's phase style:
//
//   fetch -> (deleting? reconcileDelete) -> ensure finalizer ->
//   placeZone -> provisionMembers -> programNetwork -> summarizeReady ->
//   one status write with observedGeneration.
//
// placeZone is the only phase that changes the allocation; it does so
// under the placement lock and commits the allocation to status (with a
// resourceVersion precondition) before any member object is created. See
// docs/operator.md, "Crash safety".

import type { Condition, ExecutionZone, ExecutionZoneStatus } from '../core/api/types.js';
import { formatFieldErrors } from '../core/errors.js';
import { formatExplanation } from '../core/placement/place-group.js';
import type { ZoneAllocation } from '../core/zones/allocation.js';
import type { Federation, GroupOutcome } from '../core/zones/federation.js';
import { createInstance, deleteInstance, deleteZoneObjects, ensureNamespace, zoneObjects } from '../clusters/member-actuator.js';
import type { MemberClusterCache } from '../clusters/member-cluster-cache.js';
import { instancePhase, podReady, vmReady, type MemberPod, type MemberVm, type ZoneIdentity } from '../clusters/member-objects.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { EventSink } from '../runtime/events.js';
import { type Logger, errorText } from '../runtime/logger.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { capMessage, getCondition, isTrue, setCondition } from './conditions.js';
import type { NetworkProgrammer } from './network-programmer.js';
import type { ObjectStore } from './object-store.js';
import type { PlacementState } from './placement-state.js';
import { FINALIZER, splitKey } from './resources.js';
import { allocationFields, cloneStatus } from './zone-status.js';

export interface ExecutionZoneReconcilerDeps {
  zones: ObjectStore<ExecutionZone>;
  state: PlacementState;
  members: MemberClusterCache;
  network: NetworkProgrammer;
  events: EventSink;
  logger: Logger;
  metrics?: OperatorMetrics;
  /** Capacity was freed or the catalogue changed: retry the zones that wait. */
  onCapacityFreed: () => void;
  /** How often a zone that is not Ready is looked at again without an event. */
  pollMs?: number;
  now?: () => Date;
}

interface Pass {
  key: string;
  zone: ExecutionZone;
  status: ExecutionZoneStatus;
  now: string;
  /** Providers of this zone that do not answer. */
  unreachable: string[];
  total: number;
  created: number;
  ready: number;
  /** Phases stop here: the rest cannot run (invalid spec, conflict). */
  halted: boolean;
  requeueAfterMs?: number;
  /** A member write failed (e.g. the namespace's ServiceAccount is not there yet): retry with backoff, not at the poll interval. */
  retrySoon?: boolean;
  /** Instances were created in this pass: their watch events bring the next pass. */
  createdNow: number;
  phases: Map<string, string>;
}

export class ExecutionZoneReconciler {
  /** Zones that have a group without provider, by key. */
  readonly waiting = new Set<string>();
  private readonly readySeen = new Set<string>();

  constructor(private readonly d: ExecutionZoneReconcilerDeps) {}

  private nowText(): string {
    return (this.d.now?.() ?? new Date()).toISOString();
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    let zone = this.d.zones.current(key);
    if (!zone) return this.forgotten(key);
    if (zone.metadata.deletionTimestamp) return this.reconcileDelete(key, zone);
    // A zone holding an allocation gets its finalizer before anything else;
    // a new one gets it right after its allocation commit (placeZone), in
    // parallel with its namespaces, and before any instance is created.
    if (!hasFinalizer(zone) && this.d.state.federation?.allocation(zone.spec.applicationId.toLowerCase())) {
      zone = await this.d.zones.setFinalizers(zone, [...(zone.metadata.finalizers ?? []), FINALIZER]);
    }
    const pass: Pass = { key, zone, status: cloneStatus(zone.status), now: this.nowText(), unreachable: [], total: 0, created: 0, ready: 0, createdNow: 0, halted: false, phases: new Map() };
    if (isTrue(zone.status?.conditions, 'Released')) return this.reconcileReleased(pass);
    await this.placeZone(pass);
    if (!pass.halted && !hasFinalizer(pass.zone)) await this.finalizeAndPrepare(pass);
    if (!pass.halted) await this.provisionMembers(pass);
    if (!pass.halted) await this.programNetwork(pass);
    this.summarizeReady(pass);
    // The placement is already durable (committed in placeZone). A status
    // write now would only say "0/N ready" and cost a hub round trip on
    // the create path; the pass that the new objects' watch events bring
    // writes the status instead. The poll interval still applies should
    // those events never come.
    if (pass.createdNow > 0 && !pass.retrySoon) return { requeueAfterMs: this.d.pollMs ?? 10_000 };
    await this.writeStatus(pass);
    const ready = isTrue(pass.status.conditions, 'Ready');
    // Not the rate limiter: its overall bucket (10/s) would queue every new
    // zone behind the others while their namespaces get a ServiceAccount.
    if (pass.retrySoon) return { requeueAfterMs: 250 };
    return ready ? {} : { requeueAfterMs: pass.requeueAfterMs ?? this.d.pollMs ?? 10_000 };
  }

  /**
   * True when every live instance of the zone is Ready in the member caches
   * while the zone is not yet Ready: its next pass only has to say so, and
   * need not wait out the delay that folds bursts of member events.
   */
  becameReady(key: string): boolean {
    const zone = this.d.zones.current(key);
    if (!zone || isTrue(zone.status?.conditions, 'Ready')) return false;
    const a = this.d.state.federation?.allocation(zone.spec.applicationId.toLowerCase());
    if (!a || a.instances.length === 0) return false;
    const byProvider = new Map<string, ReturnType<typeof zoneObjects>>();
    return a.instances.every((i) => {
      let have = byProvider.get(i.provider);
      if (!have) {
        const look = this.d.members.get(i.provider);
        if (!look.ok) return false;
        have = zoneObjects(look.member, a.applicationId);
        byProvider.set(i.provider, have);
      }
      const o = have.get(i.name);
      return o !== undefined && objectReady(o);
    });
  }

  private identity(zone: ExecutionZone): ZoneIdentity {
    const { namespace, name } = splitKey(`${zone.metadata.namespace ?? ''}/${zone.metadata.name}`);
    return { applicationId: zone.spec.applicationId.toLowerCase(), namespace: namespace ?? '', name };
  }

  private cond(p: Pass, type: string, status: Condition['status'], reason: string, message: string): void {
    p.status.conditions = setCondition(p.status.conditions ?? [], { type, status, reason, message: capMessage(message), observedGeneration: p.zone.metadata.generation }, p.now);
  }

  /** Released whole: never placed again; what is left in the members goes. */
  private async reconcileReleased(p: Pass): Promise<ReconcileResult> {
    this.waiting.delete(p.key);
    await this.provisionMembers(p);
    const msg = getCondition(p.status.conditions, 'Released')?.message ?? 'released';
    // The freed VLAN may go to another zone: the switch must not keep admitting this one on it.
    let switchLeft: string | undefined;
    try {
      await this.d.network.remove(this.identity(p.zone).applicationId);
    } catch (err) {
      switchLeft = errorText(err);
    }
    this.cond(p, 'Placed', 'False', 'Released', msg);
    this.cond(p, 'Provisioned', 'False', 'Released', msg);
    this.cond(p, 'NetworkReady', 'False', 'Released', switchLeft === undefined ? msg : `${msg}; switch entries not yet removed: ${switchLeft}`);
    this.cond(p, 'Degraded', 'False', 'Released', msg);
    this.cond(p, 'Ready', 'False', 'Released', msg);
    await this.writeStatus(p);
    if (switchLeft !== undefined) return { requeueAfterMs: 1000 };
    return p.retrySoon ? { requeueAfterMs: 250 } : {};
  }

  // ---- placeZone ---------------------------------------------------------

  private async placeZone(p: Pass): Promise<void> {
    const id = p.zone.spec?.applicationId?.toLowerCase() ?? '';
    const conflict = this.d.state.conflicts.get(p.key);
    if (conflict) {
      this.cond(p, 'Placed', 'False', 'AllocationConflict', `the durable allocation cannot be restored: ${conflict}`);
      p.halted = true;
      return;
    }
    const owner = this.d.state.ownerOf(id);
    if (owner && owner !== p.key) {
      this.cond(p, 'Placed', 'False', 'ApplicationIdInUse', `application id ${id} is already used by ExecutionZone ${owner}`);
      p.halted = true;
      return;
    }
    const fed = this.d.state.federation;
    if (fed && this.d.state.ready && fullyPlaced(fed, p.zone)) {
      this.waiting.delete(p.key);
      this.placedCondition(p, fed);
      return;
    }
    const t0 = process.hrtime.bigint();
    // Placement is decided under the lock; the commit is started under it
    // and awaited outside, so commits of different zones overlap. A failed
    // commit marks the state stale, and the rebuild waits for every commit
    // in flight before it LISTs (placement-state.ts).
    const pending = await this.d.state.withLock(async (f) => {
      const before = f.allocation(id);
      const beforeText = snapshot(before);
      const outcome = f.reconcile(p.zone.spec);
      if (outcome.errors && outcome.errors.length > 0) {
        this.cond(p, 'Placed', 'False', 'InvalidSpec', formatFieldErrors(outcome.errors));
        this.d.events.emit(this.target(p.zone), 'Warning', 'InvalidSpec', 'Place', formatFieldErrors(outcome.errors));
        p.halted = true;
        return undefined;
      }
      this.d.state.claim(id, p.key);
      const after = f.allocation(id);
      this.explain(p, outcome.groups);
      this.placedCondition(p, f);
      if (before && Object.keys(before.groups).length > Object.keys(after?.groups ?? {}).length) this.d.onCapacityFreed();
      if (!after || snapshot(after) === beforeText) return undefined;
      // Commit before anything is created in a member: the allocation is
      // durable, or it is forgotten (rebuild) and nothing used it.
      this.fillAllocation(p, f, after);
      this.d.metrics?.vlansInUse.set(f.entries().filter((e) => e.allocation.vlanId !== undefined).length);
      const status = structuredClone(p.status);
      const zone = p.zone;
      const providers = [...new Set(after.instances.map((i) => i.provider))];
      return { write: this.d.state.commit(() => this.d.zones.writeStatus(zone, status), `allocation commit of ${p.key} failed`), outcome, vlan: after.vlanId, providers };
    });
    if (pending) {
      // The member namespaces go in parallel with the commit: a namespace
      // holds nothing, the new namespace's default ServiceAccount (which
      // pods wait for) gets the commit's round trip as a head start, and a
      // namespace left by a commit that failed is empty and goes with the
      // zone (reconcileDelete cleans every member) or with orphan
      // collection. Pods and VMs still wait for the commit.
      const [zone] = await Promise.all([pending.write, this.prepareNamespaces(p.zone, pending.providers)]);
      p.zone = zone;
      for (const g of pending.outcome.groups.filter((x) => x.new)) {
        this.d.metrics?.placementDecisions.inc({ result: 'placed' });
        this.d.events.emit(this.target(p.zone), 'Normal', 'Placed', 'Place', `group ${g.group}: ${g.instances?.join(', ')} on ${g.provider}, VLAN ${pending.vlan}`);
      }
    }
    this.d.metrics?.placementLatency.observe(Number(process.hrtime.bigint() - t0) / 1e9);
  }

  private explain(p: Pass, groups: GroupOutcome[]): void {
    const entries = groups.filter((g) => g.explanation).flatMap((g) => g.explanation ?? []);
    if (entries.length > 0) p.status.placement = entries;
    const waiting = groups.filter((g) => !g.placed);
    if (waiting.length > 0) {
      this.waiting.add(p.key);
      for (const g of waiting) {
        this.d.metrics?.placementDecisions.inc({ result: 'no-match' });
        const text = `group ${g.group}: ${g.reason ?? 'NoMatchingProvider'}: ${formatExplanation(g.explanation ?? []).join('; ')}`;
        this.d.events.emit(this.target(p.zone), 'Warning', 'NoMatchingProvider', 'Place', text);
      }
    } else this.waiting.delete(p.key);
  }

  private placedCondition(p: Pass, f: Federation): void {
    const id = p.zone.spec.applicationId.toLowerCase();
    const a = f.allocation(id);
    const unplaced = p.zone.spec.groups.filter((g) => !a?.groups[g.name]);
    if (unplaced.length === 0) {
      const where = [...new Set(a?.instances.map((i) => i.provider) ?? [])].join(', ');
      this.cond(p, 'Placed', 'True', 'Placed', `${p.zone.spec.groups.length} group(s) on ${where || 'no provider (all instances released)'}, VLAN ${a?.vlanId ?? '-'}`);
    } else {
      const reasons = unplaced.map((g) => {
        const mine = (p.status.placement ?? []).filter((e) => e.group === g.name);
        return `group ${g.name}: ${formatExplanation(mine).join('; ') || 'waiting for a provider'}`;
      });
      this.cond(p, 'Placed', 'False', 'NoMatchingProvider', `no provider can take ${unplaced.map((g) => g.name).join(', ')} (retried when capacity frees or the catalogue changes): ${reasons.join(' | ')}`);
    }
    const a2 = f.allocation(id);
    if (a2) this.fillAllocation(p, f, a2);
  }

  private fillAllocation(p: Pass, f: Federation, a: ZoneAllocation): void {
    const marking = f.compiled(a.applicationId)?.marking;
    if (!marking) return;
    Object.assign(p.status, allocationFields(structuredClone(a), marking, f.globalId, (provider, name) => p.phases.get(`${provider}/${name}`) ?? p.status.instances?.[provider]?.[name]?.phase, f.catalogue.providers.map((x) => x.name)));
  }

  /**
   * The finalizer of a zone just placed, with its namespaces created in the
   * same round trip: a namespace holds nothing, and if the zone goes before
   * the finalizer lands, orphan collection removes it (no allocation, no
   * zone). Instances wait for the finalizer (provisionMembers runs after).
   */
  private async finalizeAndPrepare(p: Pass): Promise<void> {
    const z = this.identity(p.zone);
    const providers = [...new Set(this.d.state.federation?.allocation(z.applicationId)?.instances.map((i) => i.provider) ?? [])];
    const [zone] = await Promise.all([this.d.zones.setFinalizers(p.zone, [...(p.zone.metadata.finalizers ?? []), FINALIZER]), this.prepareNamespaces(p.zone, providers)]);
    p.zone = zone;
  }

  /** Best effort: provisionMembers tries again and reports a failure. */
  private async prepareNamespaces(zone: ExecutionZone, providers: readonly string[]): Promise<void> {
    const z = this.identity(zone);
    await Promise.all(providers.map(async (provider) => {
      const look = this.d.members.get(provider);
      if (look.ok) await ensureNamespace(look.member, z).catch(() => undefined);
    }));
  }

  // ---- provisionMembers --------------------------------------------------

  private async provisionMembers(p: Pass): Promise<void> {
    const f = this.d.state.federation;
    const z = this.identity(p.zone);
    const a = f?.allocation(z.applicationId);
    const live = a?.instances ?? [];
    p.total = live.length;
    const providers = new Set([...live.map((i) => i.provider), ...this.d.members.providers()]);
    const problems: string[] = [];
    await Promise.all(
      [...providers].map(async (provider) => {
        const wanted = live.filter((i) => i.provider === provider);
        const look = this.d.members.get(provider);
        if (!look.ok) {
          if (wanted.length > 0) {
            p.unreachable.push(provider);
            problems.push(look.reason);
            for (const i of wanted) p.phases.set(`${provider}/${i.name}`, 'Unknown');
          }
          return;
        }
        const m = look.member;
        if (!this.d.members.synced(provider)) {
          if (wanted.length > 0) problems.push(`${provider}: member cache not synced yet`);
          return;
        }
        const have = zoneObjects(m, z.applicationId);
        try {
          if (wanted.length > 0) {
            const missing = wanted.filter((i) => !have.has(i.name));
            if (missing.length > 0) {
              await ensureNamespace(m, z);
              await Promise.all(missing.map((i) => createInstance(m, z, i)));
              p.createdNow += missing.length;
              this.d.metrics?.memberRequests.inc({ provider, outcome: 'created' }, missing.length);
            }
          }
          // Released instances (and groups that left the spec) go; they are never recreated.
          const wantedNames = new Set(wanted.map((i) => i.name));
          const extra = [...have].filter(([name]) => !wantedNames.has(name));
          if (extra.length > 0) {
            if (wanted.length === 0) await deleteZoneObjects(m, z.applicationId);
            else await Promise.all(extra.map(([name, o]) => deleteInstance(m, z.applicationId, o.obj.metadata?.name ?? name.toLowerCase(), o.vm)));
            this.d.events.emit(this.target(p.zone), 'Normal', 'InstancesRemoved', 'Deprovision', `${extra.map(([n]) => n).join(', ')} removed from ${provider}`);
          }
        } catch (err) {
          this.d.metrics?.memberRequests.inc({ provider, outcome: 'error' });
          problems.push(`${provider}: ${errorText(err)}`);
          p.retrySoon = true;
        }
        for (const i of wanted) {
          const o = have.get(i.name);
          if (!o) {
            p.phases.set(`${provider}/${i.name}`, 'Creating');
            continue;
          }
          p.created++;
          if (objectReady(o)) p.ready++;
          p.phases.set(`${provider}/${i.name}`, instancePhase(o.obj, o.vm));
        }
      }),
    );
    if (f && a) this.fillAllocation(p, f, a);
    if (p.unreachable.length > 0) {
      this.cond(p, 'Provisioned', p.created === p.total ? 'True' : 'False', 'MemberUnreachable', problems.join('; '));
    } else if (p.created === p.total) {
      this.cond(p, 'Provisioned', 'True', 'Provisioned', `${p.total} instance(s) exist in the member clusters`);
    } else {
      this.cond(p, 'Provisioned', 'False', 'Provisioning', `${p.created}/${p.total} instance(s) created${problems.length ? `; ${problems.join('; ')}` : ''}`);
    }
  }

  // ---- programNetwork ----------------------------------------------------

  private async programNetwork(p: Pass): Promise<void> {
    const plan = this.d.state.federation?.networkPlan(p.zone.spec.applicationId);
    if (!plan) {
      this.cond(p, 'NetworkReady', 'False', 'NoVlan', 'no group is placed yet, so the zone has no VLAN');
      return;
    }
    try {
      const r = await this.d.network.program(plan);
      this.cond(p, 'NetworkReady', r.ok ? 'True' : 'False', r.reason ?? (r.ok ? (this.d.network.configured ? 'Programmed' : 'PlanOnly') : 'SwitchError'), r.message);
    } catch (err) {
      this.cond(p, 'NetworkReady', 'False', 'SwitchError', errorText(err));
    }
  }

  // ---- summarizeReady ----------------------------------------------------

  private summarizeReady(p: Pass): void {
    if (p.unreachable.length > 0) {
      this.cond(p, 'Degraded', 'True', 'MemberUnreachable', `member cluster(s) ${p.unreachable.join(', ')} not reachable; their instances are unknown and no new placements go there`);
    } else {
      this.cond(p, 'Degraded', 'False', 'AsExpected', 'every member cluster of the zone answers');
    }
    const c = p.status.conditions ?? [];
    const notTrue = ['Placed', 'Provisioned', 'NetworkReady'].map((t) => getCondition(c, t)).find((x) => x?.status !== 'True');
    const wasReady = isTrue(p.zone.status?.conditions, 'Ready');
    if (notTrue) {
      this.cond(p, 'Ready', 'False', notTrue.reason, `${notTrue.type}: ${notTrue.message}`);
    } else if (p.unreachable.length > 0) {
      this.cond(p, 'Ready', 'False', 'Degraded', `${p.unreachable.join(', ')} not reachable`);
    } else if (p.ready < p.total) {
      this.cond(p, 'Ready', 'False', 'InstancesNotReady', `${p.ready}/${p.total} instance(s) ready`);
    } else {
      this.cond(p, 'Ready', 'True', 'Ready', `${p.total} instance(s) ready`);
      if (!wasReady) {
        this.d.events.emit(this.target(p.zone), 'Normal', 'Ready', 'Summarize', `all ${p.total} instance(s) ready`);
        if (!this.readySeen.has(p.key) && p.zone.metadata.creationTimestamp) {
          this.readySeen.add(p.key);
          this.d.metrics?.createToReady.observe((Date.parse(p.now) - Date.parse(p.zone.metadata.creationTimestamp)) / 1000);
        }
      }
    }
    if (wasReady && !isTrue(p.status.conditions, 'Ready')) this.d.events.emit(this.target(p.zone), 'Warning', 'NotReady', 'Summarize', getCondition(p.status.conditions, 'Ready')?.message ?? '');
    if (p.unreachable.length > 0 && !isTrue(p.zone.status?.conditions, 'Degraded')) this.d.events.emit(this.target(p.zone), 'Warning', 'Degraded', 'Summarize', `member cluster(s) ${p.unreachable.join(', ')} not reachable`);
  }

  private async writeStatus(p: Pass): Promise<void> {
    p.status.observedGeneration = p.zone.metadata.generation;
    p.zone = await this.d.zones.writeStatus(p.zone, p.status);
  }

  // ---- deletion ----------------------------------------------------------

  private async reconcileDelete(key: string, zone: ExecutionZone): Promise<ReconcileResult> {
    if (!(zone.metadata.finalizers ?? []).includes(FINALIZER)) return {};
    const id = zone.spec.applicationId.toLowerCase();
    const owner = this.d.state.ownerOf(id);
    const mine = owner === undefined || owner === key;
    const a = mine ? this.d.state.federation?.allocation(id) : undefined;
    const hosting = new Set(a?.instances.map((i) => i.provider) ?? []);
    const waitingFor: string[] = [];
    if (mine) {
      await Promise.all(
        this.d.members.providers().map(async (provider) => {
          const look = this.d.members.get(provider);
          if (!look.ok) {
            // A member that holds instances must be cleaned before the zone goes; others are left to orphan collection.
            if (hosting.has(provider)) waitingFor.push(`${provider} (${look.reason})`);
            return;
          }
          try {
            if (!(await deleteZoneObjects(look.member, id))) waitingFor.push(`${provider} (instances terminating)`);
          } catch (err) {
            waitingFor.push(`${provider} (${errorText(err)})`);
          }
        }),
      );
      for (const p of hosting) if (!this.d.members.providers().includes(p) && this.d.state.provider(p)?.ready !== false) waitingFor.push(`${p} (no client)`);
      try {
        await this.d.network.remove(id);
      } catch (err) {
        waitingFor.push(`switch (${errorText(err)})`);
      }
    }
    if (waitingFor.length > 0) {
      this.d.logger.info('zone cleanup waiting', { zone: key, waitingFor });
      return { requeueAfterMs: 1000 };
    }
    await this.d.state.withLock(async (f) => {
      // The finalizer goes first: a crash after it leaves no zone, and the
      // rebuild then finds no allocation; the reverse could free a VLAN
      // that a surviving status still claims.
      await this.d.zones.setFinalizers(zone, (zone.metadata.finalizers ?? []).filter((x) => x !== FINALIZER));
      if (mine && f.has(id)) f.releaseZone(id);
      if (mine) this.d.state.disown(id);
      this.d.metrics?.vlansInUse.set(f.entries().filter((e) => e.allocation.vlanId !== undefined).length);
    });
    this.waiting.delete(key);
    this.readySeen.delete(key);
    this.d.events.emit(this.target(zone), 'Normal', 'Released', 'Delete', `zone ${id} released${hosting.size ? ` from ${[...hosting].join(', ')}` : ''}`);
    this.d.onCapacityFreed();
    return {};
  }

  /** The object is gone without our finalizer having run (forced removal): free what it held. */
  private async forgotten(key: string): Promise<ReconcileResult> {
    this.d.zones.forget(key);
    this.waiting.delete(key);
    this.readySeen.delete(key);
    const fed = this.d.state.federation;
    const id = fed?.applicationIds().find((x) => this.d.state.ownerOf(x) === key);
    if (!id) return {};
    await this.d.state.withLock(async (f) => {
      if (this.d.state.ownerOf(id) !== key) return;
      if (f.has(id)) f.releaseZone(id);
      this.d.state.disown(id);
    });
    this.d.onCapacityFreed();
    return {};
  }

  private target(zone: ExecutionZone) {
    return { apiVersion: zone.apiVersion ?? 'zonekeeper.io/v1alpha1', kind: 'ExecutionZone', name: zone.metadata.name, namespace: zone.metadata.namespace, uid: zone.metadata.uid };
  }
}

const objectReady = (o: { obj: MemberPod | MemberVm; vm: boolean }): boolean => (o.vm ? vmReady(o.obj as MemberVm) : podReady(o.obj as MemberPod));

const hasFinalizer = (zone: ExecutionZone): boolean => (zone.metadata.finalizers ?? []).includes(FINALIZER);

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
