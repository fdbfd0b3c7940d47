// Reads a catalogue file (ProviderCluster manifests, multi-document YAML)
// with the core's own validation, so the test bed and the operator agree on
// what a provider is.

import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { providerFromManifest, sortCatalogue } from '../../src/core/catalogue/provider.js';
import { formatFieldErrors } from '../../src/core/errors.js';
import type { ProviderFacts } from './state.js';

export interface CatalogueEntry extends ProviderFacts {
  name: string;
  /** Lower-case DNS label: cluster id, file names, etcd prefix. */
  id: string;
}

export function loadCatalogue(file: string): CatalogueEntry[] {
  const docs = yaml.loadAll(readFileSync(file, 'utf8')).filter((d) => d !== null && d !== undefined);
  // A `kind: List` wrapper is also accepted, as kubectl writes them.
  const items = docs.flatMap((d) => {
    const obj = d as { kind?: unknown; items?: unknown };
    return obj.kind === 'List' && Array.isArray(obj.items) ? (obj.items as unknown[]) : [d];
  });
  const providers = items
    .filter((d) => (d as { kind?: unknown }).kind === 'ProviderCluster')
    .map((d, i) => {
      const { provider, errors } = providerFromManifest(d, `${file}[${i}]`);
      if (!provider) throw new Error(`invalid provider in ${file}: ${formatFieldErrors(errors)}`);
      return provider;
    });
  if (providers.length === 0) throw new Error(`${file} holds no ProviderCluster manifests`);
  const entries = sortCatalogue(providers).map((p): CatalogueEntry => ({
    name: p.name,
    id: p.name.toLowerCase(),
    country: p.country,
    mcc: p.mcc,
    tier: p.tier,
    environment: p.environment,
    resourceTypes: [...p.resourceTypes],
    capacity: p.capacity,
  }));
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.id === 'hub') throw new Error(`${file}: a provider may not be called "hub" (the test bed's hub cluster)`);
    if (ids.has(e.id))
      throw new Error(`${file}: two providers are named "${e.id}" (names are compared case-insensitively)`);
    ids.add(e.id);
  }
  return entries;
}
