// The ZoneRelease reconciler: the paper's STOP. A release of the whole
// zone frees its allocation and marks it Released (the zone reconciler
// then removes everything in the members); a release of named instances takes them out of the durable
// allocation, all or nothing, and the zone reconciler then deletes their
// pods/VMs. Released names stay in the allocation's `released` list, so an
// instance is never created again. Succeeded and Failed are final.

import type { Condition, ExecutionZone, ZoneRelease, ZoneReleaseStatus } from '../core/api/types.js';
import { formatFieldErrors } from '../core/errors.js';
import { instanceOrder } from '../core/zones/federation.js';
import { loadAllocation, storeAllocation, type ZoneAllocation } from '../core/zones/allocation.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { EventSink } from '../runtime/events.js';
import { errorText, type Logger } from '../runtime/logger.js';
import { capMessage, isTrue, setCondition } from './conditions.js';
import type { ObjectStore } from './object-store.js';
import type { PlacementState } from './placement-state.js';
import { dueTime } from './release-trigger.js';
import { allocationFields } from './zone-status.js';

type CondSpec = [type: string, status: Condition['status'], reason: string, message: string];

export interface ZoneReleaseReconcilerDeps {
  releases: ObjectStore<ZoneRelease>;
  zones: ObjectStore<ExecutionZone>;
  state: PlacementState;
  events: EventSink;
  logger: Logger;
  enqueueZone: (key: string) => void;
  onCapacityFreed: () => void;
  now?: () => Date;
}

export class ZoneReleaseReconciler {
  constructor(private readonly d: ZoneReleaseReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const rel = this.d.releases.current(key);
    if (!rel || rel.metadata.deletionTimestamp) return {};
    const phase = rel.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return {};
    const now = this.d.now?.() ?? new Date();
    const due = dueTime(rel.spec.trigger, Date.parse(rel.metadata.creationTimestamp ?? now.toISOString()));
    if ('error' in due) return this.finish(rel, 'Failed', 'InvalidTrigger', due.error);
    if (due.at > now.getTime()) {
      await this.write(rel, { phase: 'Waiting', releaseTime: new Date(due.at).toISOString() }, [['Succeeded', 'False', 'Waiting', `release due at ${new Date(due.at).toISOString()}`]]);
      return { requeueAfterMs: due.at - now.getTime() };
    }
    const zoneKey = `${rel.metadata.namespace}/${rel.spec.zoneRef.name}`;
    const zone = this.d.zones.current(zoneKey);
    if (!rel.spec.instances) return this.releaseWhole(rel, zone, zoneKey);
    if (!zone) return this.finish(rel, 'Failed', 'ZoneNotFound', `ExecutionZone ${zoneKey} does not exist; nothing was released`);
    return this.releaseNamed(rel, zone, zoneKey, rel.spec.instances);
  }

  /**
   * The whole zone goes: its allocation is given back (VLAN, addresses,
   * capacity) and the zone is marked Released in its status, durably, in
   * one conditional write under the placement lock. The ExecutionZone
   * object stays (a GitOps tool keeps it in sync; its owner deletes it) and
   * is never placed again; the zone reconciler removes its member objects.
   */
  private async releaseWhole(rel: ZoneRelease, zone: ExecutionZone | undefined, zoneKey: string): Promise<ReconcileResult> {
    if (!zone) return this.finish(rel, 'Failed', 'ZoneNotFound', `ExecutionZone ${zoneKey} does not exist; nothing was released`);
    if (isTrue(zone.status?.conditions, 'Released')) {
      return this.finish(rel, 'Succeeded', 'Released', `zone ${zone.spec.applicationId} released: its VLAN, addresses and capacity are free`, rel.status?.released ?? {});
    }
    const id = zone.spec.applicationId.toLowerCase();
    const released: Record<string, string[]> = {};
    const stored = zone.status?.allocation ? loadAllocation(zone.status.allocation).allocation : undefined;
    for (const i of stored?.instances ?? []) (released[i.provider] ??= []).push(i.name);
    for (const l of Object.values(released)) l.sort(instanceOrder);
    if (rel.status?.phase !== 'Releasing') rel = await this.write(rel, { phase: 'Releasing', released }, [['Succeeded', 'False', 'Releasing', `releasing the whole zone ${zoneKey}`]]);
    await this.d.state.withLock(async (f) => {
      const current = this.d.zones.current(zoneKey) ?? zone;
      const a = f.allocation(id);
      const marker: ZoneAllocation = {
        applicationId: id,
        groups: structuredClone(a?.groups ?? {}),
        instances: [],
        released: [...(a?.released ?? []), ...(a?.instances.map((i) => i.name) ?? [])],
      };
      if (f.has(id)) f.releaseZone(id);
      // Keep the zone known, placed and empty, so it is not placed again.
      const problems = f.restore(current.spec, marker);
      if (problems.length > 0) this.d.logger.warn('released zone not kept in memory', { zone: zoneKey, problems: formatFieldErrors(problems) });
      const now = (this.d.now?.() ?? new Date()).toISOString();
      let conditions = setCondition(current.status?.conditions ?? [], { type: 'Released', status: 'True', reason: 'Released', message: `released whole by ZoneRelease ${rel.metadata.name}`, observedGeneration: current.metadata.generation }, now);
      conditions = setCondition(conditions, { type: 'Ready', status: 'False', reason: 'Released', message: `released whole by ZoneRelease ${rel.metadata.name}`, observedGeneration: current.metadata.generation }, now);
      const status = { ...structuredClone(current.status ?? {}), allocation: storeAllocation(marker), releasedInstances: [...marker.released].sort(instanceOrder), vlanId: undefined, networkId: undefined, network: undefined, vpn: undefined, instances: undefined, providers: undefined, conditions };
      await this.d.state.commit(() => this.d.zones.writeStatus(current, status), `whole release of ${zoneKey} failed`);
    });
    this.d.enqueueZone(zoneKey);
    this.d.onCapacityFreed();
    this.d.events.emit(this.target(rel), 'Normal', 'Released', 'Release', `released the whole zone ${id}`);
    return this.finish(rel, 'Succeeded', 'Released', `zone ${id} released: its VLAN, addresses and capacity are free`, released);
  }

  private async releaseNamed(rel: ZoneRelease, zone: ExecutionZone, zoneKey: string, instances: Record<string, string[]>): Promise<ReconcileResult> {
    const id = zone.spec.applicationId.toLowerCase();
    // Releasing is written first: a retry after a crash between the zone's
    // commit and this release's final status knows the names are its own.
    if (rel.status?.phase !== 'Releasing') {
      rel = await this.write(rel, { phase: 'Releasing' }, [['Succeeded', 'False', 'Releasing', `releasing instances of ${zoneKey}`]]);
    }
    const outcome = await this.d.state.withLock(async (f): Promise<{ ok: true; released: Record<string, string[]> } | { ok: false; message: string }> => {
      const a = f.allocation(id);
      if (!a) return { ok: false, message: `ExecutionZone ${zoneKey} holds no instances yet; nothing was released` };
      // A retry after a crash between the zone commit and this status: the names are already released.
      const all = Object.entries(instances).flatMap(([p, names]) => names.map((n) => ({ p, n })));
      if (rel.status?.phase === 'Releasing' && all.every(({ n }) => a.released.includes(n) && !a.instances.some((i) => i.name === n))) return { ok: true, released: instances };
      const r = f.releaseInstances(id, instances, 'spec.instances');
      if (!r.ok) return { ok: false, message: `nothing was released: ${formatFieldErrors(r.errors)}` };
      const marking = f.compiled(id)?.marking;
      const current = this.d.zones.current(zoneKey) ?? zone;
      const status = { ...structuredClone(current.status ?? {}), ...(marking ? allocationFields(structuredClone(a), marking, f.globalId, (p, n) => current.status?.instances?.[p]?.[n]?.phase, f.catalogue.providers.map((x) => x.name)) : { allocation: a }) };
      await this.d.state.commit(() => this.d.zones.writeStatus(current, status), `release commit for ${zoneKey} failed`);
      return { ok: true, released: r.released };
    });
    if (!outcome.ok) {
      this.d.events.emit(this.target(rel), 'Warning', 'ReleaseFailed', 'Release', outcome.message);
      return this.finish(rel, 'Failed', 'UnknownInstance', outcome.message);
    }
    this.d.enqueueZone(zoneKey);
    this.d.onCapacityFreed();
    const text = Object.entries(outcome.released).map(([p, n]) => `${p}: ${n.join(', ')}`).join('; ');
    this.d.events.emit(this.target(rel), 'Normal', 'Released', 'Release', `released ${text}`);
    return this.finish(rel, 'Succeeded', 'Released', `released ${text}`, outcome.released);
  }

  private async finish(rel: ZoneRelease, phase: 'Succeeded' | 'Failed', reason: string, message: string, released?: Record<string, string[]>): Promise<ReconcileResult> {
    const now = (this.d.now?.() ?? new Date()).toISOString();
    const status: ZoneReleaseStatus = { phase, releaseTime: rel.status?.releaseTime ?? now };
    if (released) status.released = released;
    const conds: CondSpec[] = [['Succeeded', phase === 'Succeeded' ? 'True' : 'False', reason, message]];
    if (phase === 'Failed') conds.push(['Failed', 'True', reason, message]);
    await this.write(rel, status, conds);
    return {};
  }

  private async write(rel: ZoneRelease, fields: ZoneReleaseStatus, conds: CondSpec[]): Promise<ZoneRelease> {
    const now = (this.d.now?.() ?? new Date()).toISOString();
    let conditions = rel.status?.conditions ?? [];
    for (const [type, status, reason, message] of conds) conditions = setCondition(conditions, { type, status, reason, message: capMessage(message), observedGeneration: rel.metadata.generation }, now);
    return this.d.releases.writeStatus(rel, { ...(rel.status ?? {}), ...fields, observedGeneration: rel.metadata.generation, conditions });
  }

  private target(rel: ZoneRelease) {
    return { apiVersion: 'zonekeeper.io/v1alpha1', kind: 'ZoneRelease', name: rel.metadata.name, namespace: rel.metadata.namespace, uid: rel.metadata.uid };
  }
}
