// In-memory stand-ins for what the reconcilers talk to: the hub's objects
// (with resourceVersion preconditions, like the API server's), member
// clusters, the switch's programmer and the event sink. Each records what
// was asked of it, so a test asserts the writes a situation produces.

import { desiredVm, type MemberVm, type ZoneIdentity } from '../../../src/clusters/member-objects.js';
import type { ZoneNetworkPlan } from '../../../src/core/network/types.js';
import { resourcePath, EXECUTION_ZONES, keyOf } from '../../../src/core/api/resources.js';
import type { ExecutionZone, ExecutionZoneSpec, RestartPolicy } from '../../../src/core/api/types.js';
import type { InstanceAllocation } from '../../../src/core/zones/allocation.js';
import type {
  MemberAccess,
  MemberClients,
  MemberLookup,
  MemberZoneObjects,
  NodeAllocatable,
  ZoneObject,
} from '../../../src/controllers/member-access.js';
import type { NetworkProgrammer, NetworkProgramResult } from '../../../src/controllers/network/network-programmer.js';
import type { HubObjects, StoredObject } from '../../../src/controllers/object-store.js';
import type { HubLister } from '../../../src/controllers/placement-state.js';
import type { EventSink, EventTarget, EventType } from '../../../src/runtime/events.js';
import { KubeError, type KubeList } from '../../../src/runtime/kube-client.js';

export type Write = { kind: 'status' | 'finalizers'; key: string; body: unknown };

/** One kind's objects on a fake hub. Writes need the stored resourceVersion, as merge patches carrying it do. */
export class FakeObjects<T extends StoredObject> implements HubObjects<T> {
  readonly objects = new Map<string, T>();
  readonly writes: Write[] = [];
  /** Errors the next writes of a kind throw, in order. */
  readonly failNext: { status: Error[]; finalizers: Error[] } = { status: [], finalizers: [] };
  private rv = 100;

  put(obj: T): T {
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(keyOf(stored), stored);
    return stored;
  }

  current(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  forget(): void {}

  writeStatus(obj: T, status: NonNullable<T['status']>): Promise<T> {
    return this.update('status', obj, (o) => ({ ...o, status: structuredClone(status) }));
  }

  setFinalizers(obj: T, finalizers: string[]): Promise<T> {
    return this.update('finalizers', obj, (o) => ({ ...o, metadata: { ...o.metadata, finalizers: [...finalizers] } }));
  }

  private async update(kind: 'status' | 'finalizers', obj: T, change: (o: T) => T): Promise<T> {
    const key = keyOf(obj);
    const failure = this.failNext[kind].shift();
    if (failure) throw failure;
    const stored = this.objects.get(key);
    if (!stored) throw new KubeError(404, 'NotFound', `${key} not found`);
    if (stored.metadata.resourceVersion !== obj.metadata.resourceVersion)
      throw new KubeError(409, 'Conflict', `${key}: the object has been modified`);
    // As the API server does: what it hands back has its keys sorted (Go
    // encodes maps that way), not in the order the writer built them.
    const next = sortedKeys(change(structuredClone(stored)));
    next.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key, next);
    this.writes.push({ kind, key, body: kind === 'status' ? next.status : next.metadata.finalizers });
    return structuredClone(next);
  }
}

/** The placement state's LIST, served from the fake zones (no regions beyond the built-in ones). */
export function listerOf(zones: FakeObjects<ExecutionZone>): HubLister {
  return {
    list<T>(path: string): Promise<KubeList<T>> {
      const items = path === resourcePath(EXECUTION_ZONES) ? zones.list() : [];
      return Promise.resolve({ items: structuredClone(items) as T[] });
    },
  };
}

interface FakeMember {
  reachable: boolean;
  synced: boolean;
  /** applicationId -> instance name -> object */
  zones: Map<string, Map<string, ZoneObject>>;
  /** Objects still terminating after a delete (deleteZoneObjects answers false while any is). */
  terminating: number;
}

/** Member clusters with VMs that exist once created and turn Ready when told. */
export class FakeMembers implements MemberAccess, MemberClients {
  readonly members = new Map<string, FakeMember>();
  readonly created: string[] = [];
  readonly deleted: string[] = [];
  readonly namespaces: string[] = [];
  /** `provider/namespace/name over uplink`, in the order written. */
  readonly attachments: string[] = [];
  /** Objects created, in order, with what went first (`attach fog1` before `create fog1/C1`). */
  readonly writes: string[] = [];
  nodes: NodeAllocatable[] = [];
  failCreate: Error | undefined;
  failAttach: Error | undefined;

  add(provider: string): this {
    this.members.set(provider, { reachable: true, synced: true, zones: new Map(), terminating: 0 });
    return this;
  }

  member(provider: string): FakeMember {
    const m = this.members.get(provider);
    if (!m) throw new Error(`no fake member ${provider}`);
    return m;
  }

  providers(): string[] {
    return [...this.members.keys()];
  }

  synced(provider: string): boolean {
    return this.members.get(provider)?.synced ?? false;
  }

  get(provider: string): MemberLookup {
    const m = this.members.get(provider);
    if (!m) return { ok: false, reason: `no client for ${provider} yet` };
    if (!m.reachable) return { ok: false, reason: `${provider} is not reachable: connection refused` };
    return { ok: true, member: this.handle(provider, m) };
  }

  /** Every instance of the zone in every member: Running and Ready. */
  makeReady(applicationId: string): void {
    for (const m of this.members.values()) {
      for (const o of m.zones.get(applicationId)?.values() ?? [])
        (o.obj as MemberVm).status = { ready: true, printableStatus: 'Running' };
    }
  }

  /** VirtualMachineInstance phases, by `provider/instance` (vmInstancePhases). */
  readonly vmis = new Map<string, string>();

  /**
   * The guest of a VM ended (a run strategy that keeps it ended): its VMI
   * in `phase`, the VM Stopped and not ready, as KubeVirt shows it.
   */
  endVm(applicationId: string, instance: string, phase: 'Succeeded' | 'Failed'): void {
    for (const [p, m] of this.members) {
      const o = m.zones.get(applicationId)?.get(instance);
      if (!o) continue;
      (o.obj as MemberVm).status = { ready: false, printableStatus: 'Stopped', created: true };
      this.vmis.set(`${p}/${instance}`, phase);
    }
  }

  /** instance names by provider, sorted */
  instances(applicationId: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [p, m] of this.members) {
      const names = [...(m.zones.get(applicationId)?.keys() ?? [])].sort();
      if (names.length > 0) out[p] = names;
    }
    return out;
  }

  private handle(provider: string, m: FakeMember): MemberZoneObjects {
    const zoneMap = (id: string) => {
      let z = m.zones.get(id);
      if (!z) m.zones.set(id, (z = new Map<string, ZoneObject>()));
      return z;
    };
    return {
      zoneObjects: (id) => new Map(m.zones.get(id) ?? []),
      ensureNamespace: async (z: ZoneIdentity) => {
        this.namespaces.push(`${provider}/${z.applicationId}`);
      },
      ensureAttachment: async (z: ZoneIdentity, plan: ZoneNetworkPlan, uplink: string) => {
        if (this.failAttach) throw this.failAttach;
        this.attachments.push(`${provider}/zk-${z.applicationId}/zone-${plan.vlanId} over ${uplink}`);
        this.writes.push(`attach ${provider}`);
      },
      createInstance: async (
        z: ZoneIdentity,
        i: InstanceAllocation,
        plan: ZoneNetworkPlan,
        restart?: RestartPolicy,
      ) => {
        if (this.failCreate) throw this.failCreate;
        this.created.push(`${provider}/${i.name}`);
        this.writes.push(`create ${provider}/${i.name}`);
        zoneMap(z.applicationId).set(i.name, { vm: true, obj: desiredVm(z, i, plan, restart) });
      },
      deleteInstance: async (id: string, objectName: string) => {
        const z = zoneMap(id);
        for (const [name, o] of z) {
          if (o.obj.metadata?.name === objectName) {
            z.delete(name);
            this.deleted.push(`${provider}/${name}`);
          }
        }
      },
      vmInstancePhases: async (id: string) => {
        const out = new Map<string, string>();
        for (const name of m.zones.get(id)?.keys() ?? []) {
          const phase = this.vmis.get(`${provider}/${name}`);
          if (phase) out.set(name, phase);
        }
        return out;
      },
      deleteZoneObjects: async (id: string) => {
        for (const name of m.zones.get(id)?.keys() ?? []) this.deleted.push(`${provider}/${name}`);
        m.zones.delete(id);
        return m.terminating === 0;
      },
    };
  }

  // MemberClients (the ProviderCluster reconciler's side)
  readonly synced_: string[] = [];
  readonly removed: string[] = [];

  sync(provider: string): Promise<{ reachable: boolean; reason?: string }> {
    this.synced_.push(provider);
    const m = this.members.get(provider);
    if (m?.reachable) return Promise.resolve({ reachable: true });
    return Promise.resolve({ reachable: false, reason: `${provider}: connection refused` });
  }

  remove(provider: string): void {
    this.removed.push(provider);
    this.members.delete(provider);
  }

  nodeAllocatable(provider: string): Promise<NodeAllocatable[]> {
    if (!this.members.get(provider)?.reachable) return Promise.reject(new Error(`${provider} not reachable`));
    return Promise.resolve(structuredClone(this.nodes));
  }
}

export class FakeNetwork implements NetworkProgrammer {
  /** True: stands for a sidecar, whose switches must confirm a vanished zone gone before its VLAN is free. */
  configured = false;
  readonly programmed: string[] = [];
  /** The last plan handed over, per zone. */
  readonly plans = new Map<string, ZoneNetworkPlan>();
  readonly removed: string[] = [];
  removeError: Error | undefined;

  program(plan: ZoneNetworkPlan): Promise<NetworkProgramResult> {
    this.programmed.push(plan.applicationId);
    this.plans.set(plan.applicationId, plan);
    return Promise.resolve({ ok: true, message: `VLAN ${plan.vlanId}, plan only` });
  }

  remove(applicationId: string): Promise<void> {
    if (this.removeError) return Promise.reject(this.removeError);
    this.removed.push(applicationId);
    return Promise.resolve();
  }
}

export class RecordedEvents implements EventSink {
  readonly list: { kind: string; name: string; type: EventType; reason: string; note: string }[] = [];

  emit(target: EventTarget, type: EventType, reason: string, _action: string, note: string): void {
    this.list.push({ kind: target.kind, name: target.name, type, reason, note });
  }

  reasons(): string[] {
    return this.list.map((e) => e.reason);
  }
}

export function zoneObject(
  name: string,
  spec: ExecutionZoneSpec,
  over: Partial<ExecutionZone['metadata']> = {},
): ExecutionZone {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: {
      name,
      namespace: 'tenant',
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      uid: `uid-${name}`,
      ...over,
    },
    spec,
  };
}

function sortedKeys<V>(v: V): V {
  if (Array.isArray(v)) return v.map((x: unknown) => sortedKeys(x)) as V;
  if (typeof v !== 'object' || v === null) return v;
  const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, x]) => [k, sortedKeys(x)])) as V;
}
