// The federation as people look at it, projected from the hub's objects:
// the Table I facts and capacity of every provider, and per zone its
// network (VLAN, ULA /64, DSCP mark), instances with their state,
// conditions and, while it waits, the core's reasons. The web view and
// `zonectl get` both show these. Pure. Fields are copied one by one, never
// spread, so nothing else on the objects (the kubeconfig Secret reference,
// the switch address, the stored allocation) can reach a browser.

import type { Capacity, Condition, ExecutionZone, ProviderCluster } from '../api/types.js';
import { countryName, mccToAlpha2 } from '../geo/countries.js';

export interface CountryView {
  /** As the ProviderCluster gives it: an MCC (242) or an alpha-2 code (NO). */
  code: string;
  alpha2?: string;
  name?: string;
}

export interface ProviderView {
  name: string;
  order: number;
  country: CountryView;
  tier: string;
  environment: string;
  resourceTypes: string[];
  equipment: number[];
  capacity: Capacity;
  used: Capacity;
  free: Capacity;
  ready: boolean;
  /** Why the provider takes no placements, when it does not. */
  notReady?: string;
}

export interface InstanceView {
  provider: string;
  name: string;
  group: string;
  cores: number;
  memory: number;
  storage: number;
  address: string;
  phase: string;
}

export interface ConditionView {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export interface ReasonView {
  group: string;
  provider: string;
  verdict: string;
  reason: string;
}

/** ready, waiting (no provider can take a group yet), released, deleting, degraded, progressing. */
export type ZoneState = 'ready' | 'waiting' | 'released' | 'deleting' | 'degraded' | 'progressing';

export interface ZoneView {
  /** namespace/name */
  key: string;
  namespace: string;
  name: string;
  applicationId: string;
  state: ZoneState;
  vlan?: number;
  network?: string;
  marking?: string;
  providers: string[];
  groups: { name: string; environment: string; resourceType: string; count: number }[];
  instances: InstanceView[];
  releasedInstances: string[];
  conditions: ConditionView[];
  /** The last placement decision, one line per group and provider (the core's explanation). */
  reasons: ReasonView[];
}

const CAPACITY_KEYS = ['cores', 'memory', 'storage', 'gpus', 'fpgas'] as const;

function capacityOf(c: Partial<Capacity> | undefined): Capacity {
  const out: Capacity = { cores: c?.cores ?? 0, memory: c?.memory ?? 0, storage: c?.storage ?? 0 };
  if (c?.gpus !== undefined) out.gpus = c.gpus;
  if (c?.fpgas !== undefined) out.fpgas = c.fpgas;
  return out;
}

function freeOf(capacity: Capacity, used: Capacity): Capacity {
  const out: Capacity = { cores: 0, memory: 0, storage: 0 };
  for (const k of CAPACITY_KEYS) {
    const total = capacity[k];
    if (total === undefined) continue;
    out[k] = Math.max(0, total - (used[k] ?? 0));
  }
  return out;
}

function countryOf(value: number | string): CountryView {
  const code = String(value);
  const alpha2 = typeof value === 'number' || /^\d+$/.test(code) ? mccToAlpha2(Number(code)) : code.toUpperCase();
  const name = alpha2 ? countryName(alpha2) : undefined;
  return { code, ...(alpha2 ? { alpha2 } : {}), ...(name ? { name } : {}) };
}

const conditionOf = (c: Condition): ConditionView => ({
  type: c.type,
  status: c.status,
  reason: c.reason,
  message: c.message,
});
const find = (list: readonly Condition[] | undefined, type: string): Condition | undefined =>
  list?.find((c) => c.type === type);

export function providerView(pc: ProviderCluster): ProviderView {
  const capacity = capacityOf(pc.status?.capacity ?? pc.spec.capacity);
  const used = capacityOf(pc.status?.allocated);
  const ready = find(pc.status?.conditions, 'Ready');
  return {
    name: pc.spec.providerName ?? pc.metadata.name,
    order: pc.spec.catalogueOrder ?? Number.MAX_SAFE_INTEGER,
    country: countryOf(pc.spec.country),
    tier: pc.spec.tier,
    environment: pc.spec.environment,
    resourceTypes: [...pc.spec.resourceTypes],
    equipment: [...(pc.spec.equipment ?? [])],
    capacity,
    used,
    free: freeOf(capacity, used),
    ready: ready?.status === 'True',
    ...(ready && ready.status !== 'True' ? { notReady: `${ready.reason}: ${ready.message}` } : {}),
  };
}

function stateOf(z: ExecutionZone): ZoneState {
  const conds = z.status?.conditions;
  if (z.metadata.deletionTimestamp) return 'deleting';
  if (find(conds, 'Released')?.status === 'True') return 'released';
  // As the Argo CD health check: running where the rules now forbid is an alarm, Ready or not.
  if (find(conds, 'Compliant')?.status === 'False') return 'degraded';
  const ready = find(conds, 'Ready');
  if (ready?.status === 'True') return 'ready';
  const placed = find(conds, 'Placed');
  if (placed?.status === 'False' && (placed.reason === 'NoMatchingProvider' || placed.reason === 'NoFreeVlan'))
    return 'waiting';
  if (
    ready?.status === 'False' &&
    !['Provisioning', 'InstancesNotReady', 'AllocationConflict', 'Reconciling'].includes(ready.reason)
  )
    return 'degraded';
  return 'progressing';
}

export function zoneView(z: ExecutionZone): ZoneView {
  const s = z.status ?? {};
  const instances: InstanceView[] = [];
  for (const [provider, list] of Object.entries(s.instances ?? {})) {
    for (const [name, i] of Object.entries(list)) {
      instances.push({
        provider,
        name,
        group: i.group,
        cores: i.cores,
        memory: i.memory,
        storage: i.storage,
        address: i.address,
        phase: i.phase ?? 'Unknown',
      });
    }
  }
  instances.sort(
    (a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name, undefined, { numeric: true }),
  );
  const namespace = z.metadata.namespace ?? '';
  return {
    key: `${namespace}/${z.metadata.name}`,
    namespace,
    name: z.metadata.name,
    applicationId: z.spec.applicationId,
    state: stateOf(z),
    ...(s.vlanId !== undefined ? { vlan: s.vlanId } : {}),
    ...(s.network !== undefined ? { network: s.network } : {}),
    ...(s.marking !== undefined ? { marking: s.marking } : {}),
    providers: s.providers ? s.providers.split(',').filter((p) => p) : [],
    groups: z.spec.groups.map((g) => ({
      name: g.name,
      environment: g.environment,
      resourceType: g.resourceType,
      count: g.count,
    })),
    instances,
    releasedInstances: [...(s.releasedInstances ?? [])],
    conditions: (s.conditions ?? []).map(conditionOf),
    reasons: (s.placement ?? []).map((e) => ({
      group: e.group,
      provider: e.provider,
      verdict: e.verdict,
      reason: e.reason,
    })),
  };
}
