// What the gateway needs from the hub, as an interface: the handler is
// tested against an in-memory store, the server runs on the Kubernetes one.
// Zones and releases are read and written as the tenant who sent the
// message (impersonation.ts); the region catalogue, public to every tenant,
// with the gateway's own identity.

import type { ExecutionZone, PrivacyRegion, ZoneRelease } from '../core/api/types.js';
import { API_GROUP, API_VERSION } from '../core/api/types.js';
import { isConflict, isNotFound, type KubeClient, resourcePath, type ResourceRef } from '../runtime/kube-client.js';
import { type ImpersonationHeaders, impersonationHeaders } from './impersonation.js';
import type { Viewer } from './viewer-auth.js';

/** A write lost a race (resourceVersion changed); the caller re-reads and retries. */
export class StoreConflict extends Error {}

export interface ZoneStore {
  getZone(namespace: string, name: string): Promise<ExecutionZone | undefined>;
  /** Creates, or replaces when `zone.metadata.resourceVersion` is set; StoreConflict on a race. */
  putZone(zone: ExecutionZone): Promise<ExecutionZone>;
  createRelease(release: ZoneRelease): Promise<ZoneRelease>;
  listRegions(): Promise<PrivacyRegion[]>;
  /** The same store, reading and writing zones and releases as `tenant`. */
  actingAs(tenant: Viewer): ZoneStore;
}

const ref = (plural: string, namespaced: boolean): ResourceRef => ({
  group: API_GROUP,
  version: API_VERSION,
  plural,
  namespaced,
});
const ZONES = ref('executionzones', true);
const RELEASES = ref('zonereleases', true);
const REGIONS = ref('privacyregions', false);

export class KubeZoneStore implements ZoneStore {
  constructor(
    private readonly client: KubeClient,
    private readonly as: ImpersonationHeaders = {},
  ) {}

  actingAs(tenant: Viewer): KubeZoneStore {
    return new KubeZoneStore(this.client, impersonationHeaders(tenant));
  }

  async getZone(namespace: string, name: string): Promise<ExecutionZone | undefined> {
    try {
      return await this.client.request<ExecutionZone>('GET', resourcePath(ZONES, namespace, name), {
        headers: this.as,
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async putZone(zone: ExecutionZone): Promise<ExecutionZone> {
    const ns = zone.metadata.namespace as string;
    try {
      if (zone.metadata.resourceVersion)
        return await this.client.request<ExecutionZone>('PUT', resourcePath(ZONES, ns, zone.metadata.name), {
          body: zone,
          headers: this.as,
        });
      return await this.client.request<ExecutionZone>('POST', resourcePath(ZONES, ns), {
        body: zone,
        headers: this.as,
      });
    } catch (e) {
      if (isConflict(e)) throw new StoreConflict((e as Error).message);
      throw e;
    }
  }

  createRelease(release: ZoneRelease): Promise<ZoneRelease> {
    return this.client.request<ZoneRelease>('POST', resourcePath(RELEASES, release.metadata.namespace), {
      body: release,
      headers: this.as,
    });
  }

  async listRegions(): Promise<PrivacyRegion[]> {
    return (await this.client.list<PrivacyRegion>(resourcePath(REGIONS))).items;
  }
}
