// The federation the operator works on, rebuilt from what the hub holds:
// ProviderClusters (with the capacity and readiness the operator wrote to
// their status), PrivacyRegions, and every ExecutionZone's stored
// allocation, through the same core function the operator's rebuild uses.
// Nothing is written.

import type { ExecutionZone, PrivacyRegion, ProviderCluster } from '../core/api/types.js';
import { EXECUTION_ZONES, PRIVACY_REGIONS, PROVIDER_CLUSTERS } from '../core/api/resources.js';
import type { Provider } from '../core/catalogue/provider.js';
import {
  federationFromHub,
  providerFromHubObject,
  type RebuiltFederation,
  regionsFromObjects,
} from '../core/zones/hub-federation.js';
import type { Hub } from './hub.js';

export interface HubFederation extends RebuiltFederation {
  zones: ExecutionZone[];
  /** ProviderClusters the operator cannot use either (invalid spec), by name. */
  skippedProviders: string[];
}

export async function loadHubFederation(hub: Hub): Promise<HubFederation> {
  const [clusters, regionObjects, zones] = await Promise.all([
    hub.list<ProviderCluster>(PROVIDER_CLUSTERS),
    hub.list<PrivacyRegion>(PRIVACY_REGIONS),
    hub.list<ExecutionZone>(EXECUTION_ZONES),
  ]);
  const providers: Provider[] = [];
  const skippedProviders: string[] = [];
  for (const pc of clusters) {
    const got = providerFromHubObject(pc);
    if (got.provider) providers.push(got.provider);
    else skippedProviders.push(pc.metadata.name);
  }
  // The operator's ULA global ID is in every placed zone's status.
  const globalId = zones.find((z) => z.status?.networkId !== undefined)?.status?.networkId;
  const rebuilt = federationFromHub({
    providers,
    zones,
    regions: regionsFromObjects(regionObjects).catalogue,
    ...(globalId !== undefined ? { globalId } : {}),
  });
  return { ...rebuilt, zones, skippedProviders };
}
