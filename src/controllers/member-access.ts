// What the reconcilers need of the member clusters, as interfaces: the
// zone reconciler acts on a member's zone objects, the ProviderCluster
// reconciler keeps a member's client and reads its nodes. The operator
// wires the member-cluster cache and actuator behind them
// (`memberAccess`); unit tests put in-memory members there.

import type { SecretRef, MemberClusterCache, Member, MemberSync } from '../clusters/member-cluster-cache.js';
import {
  createInstance,
  deleteInstance,
  deleteZoneObjects,
  ensureAttachment,
  ensureNamespace,
  zoneObjects,
} from '../clusters/member-actuator.js';
import { readZoneUsage, type ZoneUsage } from '../clusters/member-usage.js';
import { vmInstancePhases } from '../clusters/vm-instances.js';
import { NODES, type MemberPod, type MemberVm, type ZoneIdentity } from '../clusters/member-objects.js';
import { resourcePath } from '../core/api/resources.js';
import type { RestartPolicy } from '../core/api/types.js';
import type { ZoneNetworkPlan } from '../core/network/types.js';
import type { InstanceAllocation } from '../core/zones/allocation.js';

/** One of a zone's pods or VMs in a member, from the member's informer cache. */
export interface ZoneObject {
  obj: MemberPod | MemberVm;
  vm: boolean;
}

/** A reachable member, for one zone's objects. */
export interface MemberZoneObjects {
  /** The zone's instance objects the member holds, by instance name. */
  zoneObjects(applicationId: string): Map<string, ZoneObject>;
  ensureNamespace(zone: ZoneIdentity): Promise<void>;
  /** The zone's NetworkAttachmentDefinition over `uplink`, made or brought up to date; before any instance. */
  ensureAttachment(zone: ZoneIdentity, plan: ZoneNetworkPlan, uplink: string): Promise<void>;
  /**
   * Idempotent: an instance that exists counts as created. It joins the
   * zone's network `plan` and restarts as its group's `restart` says (absent: Always).
   */
  createInstance(
    zone: ZoneIdentity,
    instance: InstanceAllocation,
    plan: ZoneNetworkPlan,
    restart?: RestartPolicy,
  ): Promise<void>;
  deleteInstance(applicationId: string, objectName: string, vm: boolean): Promise<void>;
  /** Removes all of a zone's objects; true once none is left. */
  deleteZoneObjects(applicationId: string): Promise<boolean>;
  /** Instance name -> its VirtualMachineInstance's phase, read from the member (VM members; absent: none). */
  vmInstancePhases?: (applicationId: string) => Promise<Map<string, string>>;
}

export type MemberLookup = { ok: true; member: MemberZoneObjects } | { ok: false; reason: string };

/** The zone reconciler's view of the members. */
export interface MemberAccess {
  /** Every member with a client (reachable or not). */
  providers(): string[];
  get(provider: string): MemberLookup;
  /** Whether the member's informers have listed, so a missing object is really missing. */
  synced(provider: string): boolean;
}

/** A node's allocatable resources, as the member reports them (Kubernetes quantities). */
export type NodeAllocatable = Record<string, string>;

/** The ProviderCluster reconciler's view of the members. */
export interface MemberClients {
  /** Keeps a client for the kubeconfig Secret and probes it once. */
  sync(provider: string, secret: SecretRef, vms: boolean): Promise<MemberSync>;
  remove(provider: string): void;
  /** The allocatable of each node; throws when the member cannot be read. */
  nodeAllocatable(provider: string): Promise<NodeAllocatable[]>;
}

/** What the ZoneRelease reconciler reads of the members for `usage` and `stall`. */
export interface MemberUsage {
  /** The zone's pods and their metrics in the member; throws when the member cannot be read. */
  zoneUsage(provider: string, applicationId: string): Promise<ZoneUsage>;
}

interface Node {
  status?: { allocatable?: NodeAllocatable };
}

/** The operator's members: the cache's clients and informers, acted on by the actuator. */
export function memberAccess(cache: MemberClusterCache): MemberAccess & MemberClients & MemberUsage {
  const handles = new WeakMap<Member, MemberZoneObjects>();
  const handle = (m: Member): MemberZoneObjects => {
    let h = handles.get(m);
    if (!h) {
      h = {
        zoneObjects: (id) => zoneObjects(m, id),
        ensureNamespace: (z) => ensureNamespace(m, z),
        ensureAttachment: (z, plan, uplink) => ensureAttachment(m, z, plan, uplink),
        createInstance: (z, i, plan, restart) => createInstance(m, z, i, plan, restart),
        deleteInstance: (id, name, vm) => deleteInstance(m, id, name, vm),
        deleteZoneObjects: (id) => deleteZoneObjects(m, id),
        vmInstancePhases: (id) => vmInstancePhases(m, id),
      };
      handles.set(m, h);
    }
    return h;
  };
  return {
    providers: () => cache.providers(),
    get(provider) {
      const look = cache.get(provider);
      return look.ok ? { ok: true, member: handle(look.member) } : look;
    },
    synced: (provider) => cache.synced(provider),
    sync: (provider, secret, vms) => cache.sync(provider, secret, vms),
    remove: (provider) => cache.remove(provider),
    async nodeAllocatable(provider) {
      const look = cache.get(provider);
      if (!look.ok) throw new Error(look.reason);
      const nodes = await look.member.client.list<Node>(resourcePath(NODES));
      return nodes.items.map((n) => n.status?.allocatable ?? {});
    },
    async zoneUsage(provider, applicationId) {
      const look = cache.get(provider);
      if (!look.ok) throw new Error(look.reason);
      return readZoneUsage(look.member.client, applicationId);
    },
  };
}
