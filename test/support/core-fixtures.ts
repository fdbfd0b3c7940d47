// Small builders for core tests: providers and specs with sane defaults.

import type { ExecutionZoneSpec, InstanceGroup, PrivacyRules, ProviderCluster } from '../../src/core/api/types.js';
import { type Provider, providerFromManifest } from '../../src/core/catalogue/provider.js';
import { RegionCatalogue } from '../../src/core/privacy/region-catalogue.js';
import { normalizePrivacy, type NormalizedPrivacy } from '../../src/core/privacy/rules.js';

export const REGIONS = RegionCatalogue.builtin();

export function providerManifest(name: string, spec: Partial<ProviderCluster['spec']> = {}): ProviderCluster {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ProviderCluster',
    metadata: { name: name.toLowerCase() },
    spec: {
      providerName: name,
      country: 242,
      tier: 'cloud',
      environment: 'VM',
      resourceTypes: ['CPU'],
      capacity: { cores: 64, memory: 65536, storage: 1048576 },
      ...spec,
    },
  };
}

export function provider(name: string, spec: Partial<ProviderCluster['spec']> = {}): Provider {
  const r = providerFromManifest(providerManifest(name, spec));
  if (!r.provider) throw new Error(`bad fixture ${name}: ${JSON.stringify(r.errors)}`);
  return r.provider;
}

export function rules(p: PrivacyRules): NormalizedPrivacy {
  const r = normalizePrivacy(p, 'privacy', REGIONS);
  if (r.errors.length > 0) throw new Error(`bad rules fixture: ${JSON.stringify(r.errors)}`);
  return r.privacy;
}

export function group(over: Partial<InstanceGroup> = {}): InstanceGroup {
  return {
    name: 'g1',
    environment: 'VM',
    platformType: 'cloud',
    resourceType: 'CPU',
    count: 1,
    cores: 1,
    memory: 512,
    storage: 1024,
    image: 'img',
    ...over,
  };
}

let seq = 0;
export function uuid(n = ++seq): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function zone(over: Partial<ExecutionZoneSpec> = {}): ExecutionZoneSpec {
  return { applicationId: uuid(), groups: [group()], ...over };
}
