// The federation as the hub holds it durably: the catalogue from the
// ProviderClusters, the regions from the PrivacyRegions, and every zone's
// allocation from its status. The operator rebuilds its working state with
// this after leadership is won or a commit failed; zonectl builds the same
// state for `why --all` and `plan --hub`, so both place from one code path.

import type { Condition, ExecutionZone, PrivacyRegion, ProviderCluster } from '../api/types.js';
import { keyOf } from '../api/resources.js';
import { type Provider, providerFromManifest } from '../catalogue/provider.js';
import { type FieldError, formatFieldErrors } from '../errors.js';
import { type Region, RegionCatalogue, regionFromObject } from '../privacy/region-catalogue.js';
import type { VlanRange } from '../network/vlan-allocator.js';
import type { StrategyName } from '../placement/strategies.js';
import { loadAllocation } from './allocation.js';
import { Federation } from './federation.js';

export interface IgnoredRegion {
  name: string;
  problems: FieldError[];
}

/** The builtin regions plus every valid PrivacyRegion; invalid ones are left out and named. */
export function regionsFromObjects(items: readonly PrivacyRegion[]): {
  catalogue: RegionCatalogue;
  ignored: IgnoredRegion[];
} {
  const regions: Region[] = [];
  const ignored: IgnoredRegion[] = [];
  for (const r of items) {
    const got = regionFromObject(r);
    if (got.region) regions.push(got.region);
    else ignored.push({ name: r.metadata.name, problems: got.errors });
  }
  return { catalogue: RegionCatalogue.builtin().withRegions(regions), ignored };
}

/**
 * A ProviderCluster as the operator last saw it: the spec with the
 * effective capacity the operator wrote to status (node allocatable when
 * the spec gives none), ready when its Ready condition is True. A
 * ProviderCluster the operator has not looked at yet is not ready.
 */
export function providerFromHubObject(pc: ProviderCluster): { provider?: Provider; errors: FieldError[] } {
  const capacity = pc.spec?.capacity ?? pc.status?.capacity;
  const spec = { ...pc.spec, ...(capacity ? { capacity } : {}) };
  const got = providerFromManifest({ ...pc, kind: 'ProviderCluster', spec });
  if (!got.provider) return got;
  const ready: Condition | undefined = pc.status?.conditions?.find((c) => c.type === 'Ready');
  got.provider.ready = ready?.status === 'True';
  if (!got.provider.ready)
    got.provider.notReadyReason = ready ? `${ready.reason}: ${ready.message}` : 'not yet looked at by the operator';
  return got;
}

/** A provider known only from allocations: books capacity, takes nothing new. */
export function retiredProvider(name: string): Provider {
  return {
    name,
    objectName: name.toLowerCase(),
    order: Number.MAX_SAFE_INTEGER,
    country: 'ZZ',
    mcc: 0,
    tier: 'cloud',
    environment: 'container',
    resourceTypes: new Set(),
    equipment: [],
    autonomousSystems: [],
    capacity: { cores: 0, memory: 0, storage: 0, gpus: 0, fpgas: 0 },
    ready: false,
    notReadyReason: 'its ProviderCluster was deleted',
  };
}

export interface HubState {
  providers: readonly Provider[];
  zones: readonly ExecutionZone[];
  regions: RegionCatalogue;
  globalId?: number;
  vlanRange?: VlanRange;
  strategy?: StrategyName;
}

export interface RebuiltFederation {
  federation: Federation;
  /** application id (lower case) -> key of the ExecutionZone that holds it. */
  owners: Map<string, string>;
  /** Zones whose durable allocation could not be restored, with why. */
  conflicts: Map<string, string>;
  restored: number;
  /** Providers in the catalogue, those retired included. */
  providerCount: number;
}

/**
 * Every zone's stored allocation restored onto the catalogue, oldest zone
 * first: if two objects claim one VLAN (or one application id), the older
 * keeps it. A provider that left the catalogue but still holds instances
 * stays, not ready, so its capacity and the zones' VLANs remain booked.
 */
export function federationFromHub(h: HubState): RebuiltFederation {
  const providers = [...h.providers];
  const known = new Set(providers.map((p) => p.name));
  const stored = new Map(
    h.zones.map((z) => [z, z.status?.allocation ? loadAllocation(z.status.allocation) : undefined]),
  );
  for (const z of h.zones) {
    for (const i of stored.get(z)?.allocation?.instances ?? []) {
      if (!known.has(i.provider)) {
        providers.push(retiredProvider(i.provider));
        known.add(i.provider);
      }
    }
  }
  const federation = new Federation({
    providers,
    regions: h.regions,
    ...(h.globalId !== undefined ? { globalId: h.globalId } : {}),
    ...(h.vlanRange ? { vlanRange: h.vlanRange } : {}),
    ...(h.strategy ? { strategy: h.strategy } : {}),
  });
  const owners = new Map<string, string>();
  const conflicts = new Map<string, string>();
  const sorted = [...h.zones].sort(
    (a, b) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      keyOf(a).localeCompare(keyOf(b)),
  );
  let restored = 0;
  for (const z of sorted) {
    const loaded = stored.get(z);
    const key = keyOf(z);
    const id = z.spec?.applicationId?.toLowerCase();
    if (!id) continue;
    const owner = owners.get(id);
    if (owner !== undefined) {
      conflicts.set(key, `application id ${id} is already held by ExecutionZone ${owner}`);
      continue;
    }
    owners.set(id, key);
    if (!loaded) continue;
    const problems = loaded.allocation ? federation.restore(z.spec, loaded.allocation) : loaded.problems;
    if (problems.length > 0) conflicts.set(key, formatFieldErrors(problems));
    else restored++;
  }
  return { federation, owners, conflicts, restored, providerCount: providers.length };
}
