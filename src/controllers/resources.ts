// The hub's kinds as REST resources, and the object types the reconcilers
// read (the core's API types with the metadata the server adds).

import { API_GROUP, API_VERSION, type ExecutionZone, type PrivacyRegion, type ProviderCluster, type ZoneRelease } from '../core/api/types.js';
import type { ResourceRef } from '../runtime/kube-client.js';

export const EXECUTION_ZONES: ResourceRef = { group: API_GROUP, version: API_VERSION, plural: 'executionzones', namespaced: true };
export const ZONE_RELEASES: ResourceRef = { group: API_GROUP, version: API_VERSION, plural: 'zonereleases', namespaced: true };
export const PROVIDER_CLUSTERS: ResourceRef = { group: API_GROUP, version: API_VERSION, plural: 'providerclusters', namespaced: false };
export const PRIVACY_REGIONS: ResourceRef = { group: API_GROUP, version: API_VERSION, plural: 'privacyregions', namespaced: false };
export const SECRETS: ResourceRef = { group: '', version: 'v1', plural: 'secrets', namespaced: true };

export const FINALIZER = 'zonekeeper.io/cleanup';
export const FIELD_MANAGER = 'zonekeeper-operator';

export type { ExecutionZone, PrivacyRegion, ProviderCluster, ZoneRelease };

export const keyOf = (o: { metadata: { name: string; namespace?: string } }): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** resourceVersions are etcd revisions in practice; the newer of two copies wins. */
export function newer<T extends { metadata: { resourceVersion?: string } }>(a: T | undefined, b: T | undefined): T | undefined {
  if (!a) return b;
  if (!b) return a;
  const ra = Number(a.metadata.resourceVersion ?? 0);
  const rb = Number(b.metadata.resourceVersion ?? 0);
  return rb > ra ? b : a;
}
