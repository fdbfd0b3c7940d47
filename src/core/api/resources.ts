// The hub's kinds as REST resources, the finalizer the operator puts on
// zones, and the one key function of the project. Pure: the operator, the
// CLI and the CRD generator read these without importing a controller.

import { API_GROUP, API_GROUP_VERSION, API_VERSION } from './types.js';

/** A REST resource: where a kind's objects live on an API server. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

/** The path of a collection, an object, or an object's subresource. */
export function resourcePath(r: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  if (r.namespaced && namespace !== undefined) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

export const KINDS = {
  executionZone: 'ExecutionZone',
  zoneRelease: 'ZoneRelease',
  providerCluster: 'ProviderCluster',
  privacyRegion: 'PrivacyRegion',
} as const;

export const EXECUTION_ZONES: ResourceRef = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'executionzones',
  namespaced: true,
};
export const ZONE_RELEASES: ResourceRef = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'zonereleases',
  namespaced: true,
};
export const PROVIDER_CLUSTERS: ResourceRef = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'providerclusters',
  namespaced: false,
};
export const PRIVACY_REGIONS: ResourceRef = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'privacyregions',
  namespaced: false,
};

export { API_GROUP_VERSION };

/** The operator's cleanup finalizer on ExecutionZones. */
export const FINALIZER = 'zonekeeper.io/cleanup';

/** Anything with Kubernetes object metadata (a name, perhaps a namespace). */
export interface Named {
  metadata?: { name?: string; namespace?: string };
}

/** A work-queue and cache key: `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(o: Named): string {
  const name = o.metadata?.name ?? '';
  return o.metadata?.namespace ? `${o.metadata.namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
