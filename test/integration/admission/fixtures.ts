// Valid objects of every kind (taken from the paper), that each admission
// case breaks in exactly one way.

import { randomBytes } from 'node:crypto';
import type { ExecutionZone, PrivacyRegion, ProviderCluster, ZoneRelease } from '../../../src/core/api/types.js';

export const GROUP_VERSION = 'zonekeeper.io/v1alpha1';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Table II's first INIT: EEA but not Sweden, two containers. */
export function zone(namespace: string, name = 'zone-a'): ExecutionZone {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'ExecutionZone',
    metadata: { name, namespace },
    spec: {
      applicationId: '755b94a1-2847-4bb8-b530-cfca97404f51',
      privacy: {
        regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }],
        countries: [{ action: 'DenySpecific', value: 240 }],
      },
      performance: 'latency',
      groups: [
        {
          name: 'init-1',
          environment: 'container',
          platformType: 'cloud+fog',
          resourceType: 'CPU',
          count: 2,
          cores: 2,
          memory: 1024,
          storage: 8192,
          image: 'Ubuntu-22.04',
        },
      ],
    },
  };
}

/** Table III's partial STOP: V2 on PrivateCloud2. */
export function release(namespace: string, name = 'release-a'): ZoneRelease {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'ZoneRelease',
    metadata: { name, namespace },
    spec: { zoneRef: { name: 'zone-a' }, instances: { PrivateCloud2: ['V2'] }, trigger: { immediate: true } },
  };
}

/** Table I's Fog2 (DK, containers, CPU and GPU). */
export function provider(name = uniqueName('fog2')): ProviderCluster {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'ProviderCluster',
    metadata: { name },
    spec: {
      providerName: 'Fog2',
      catalogueOrder: 2,
      country: 238,
      tier: 'fog',
      environment: 'container',
      resourceTypes: ['CPU', 'GPU'],
      equipment: [2011, 3902],
      capacity: { cores: 16, memory: 32768, storage: 524288, gpus: 2 },
      kubeconfigSecretRef: { name: 'member-fog2-kubeconfig' },
    },
  };
}

/** A user region beside the built-ins. */
export function region(name = uniqueName('nordics')): PrivacyRegion {
  return {
    apiVersion: GROUP_VERSION,
    kind: 'PrivacyRegion',
    metadata: { name },
    spec: { countries: ['DK', 'FI', 'IS', 'NO', 'SE'], markingBit: 7, description: 'The Nordic countries' },
  };
}
