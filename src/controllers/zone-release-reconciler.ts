// The ZoneRelease reconciler: the paper's STOP. A release of the whole
// zone deletes the ExecutionZone (its finalizer removes everything in the
// members); a release of named instances takes them out of the durable
// allocation, all or nothing, and the zone reconciler then deletes their
// pods/VMs. Released names stay in the allocation's `released` list, so an
// instance is never created again. Succeeded and Failed are final.

import type { Condition, ExecutionZone, ZoneRelease, ZoneReleaseStatus } from '../core/api/types.js';
import { formatFieldErrors } from '../core/errors.js';
import { instanceOrder } from '../core/zones/federation.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { EventSink } from '../runtime/events.js';
import { errorText, type Logger } from '../runtime/logger.js';
import { capMessage, setCondition } from './conditions.js';
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

  private async releaseWhole(rel: ZoneRelease, zone: ExecutionZone | undefined, zoneKey: string): Promise<ReconcileResult> {
    if (!zone) {
      // Gone: either we deleted it in an earlier pass (Releasing) or it never existed.
      if (rel.status?.phase === 'Releasing') return this.finish(rel, 'Succeeded', 'Released', `ExecutionZone ${zoneKey} and everything it held in the member clusters are gone`, rel.status.released);
      return this.finish(rel, 'Failed', 'ZoneNotFound', `ExecutionZone ${zoneKey} does not exist; nothing was released`);
    }
    const released: Record<string, string[]> = {};
    for (const i of zone.status?.allocation?.instances ?? []) (released[i.provider] ??= []).push(i.name);
    for (const l of Object.values(released)) l.sort(instanceOrder);
    // Record what goes before it goes, then delete; the zone's finalizer does the cleanup.
    if (rel.status?.phase !== 'Releasing') await this.write(rel, { phase: 'Releasing', released }, [['Succeeded', 'False', 'Releasing', `deleting ExecutionZone ${zoneKey}`]]);
    if (!zone.metadata.deletionTimestamp) {
      await this.d.zones.delete(zone);
      this.d.events.emit(this.target(rel), 'Normal', 'Releasing', 'Release', `releasing the whole zone ${zone.spec.applicationId}`);
    }
    return { requeueAfterMs: 500 };
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
      try {
        await this.d.zones.writeStatus(current, status);
      } catch (err) {
        this.d.state.markStale(`release commit for ${zoneKey} failed: ${errorText(err)}`);
        throw err;
      }
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
