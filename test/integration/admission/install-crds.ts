// Installs (or updates) zonekeeper's CRDs from crds/ into the hub and waits
// until they are Established. Idempotent: several suites, and the
// operator's own setup, may all call it.

import yaml from 'js-yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CustomResourceDefinition } from '../../../tools/codegen/json-schema.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import type { HubApi } from './hub-api.js';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export function shippedCrds(): CustomResourceDefinition[] {
  const dir = join(repoRoot(), 'crds');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => yaml.load(readFileSync(join(dir, f), 'utf8')) as CustomResourceDefinition);
}

interface StoredCrd {
  metadata: { resourceVersion: string };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

export async function installCrds(api: HubApi): Promise<void> {
  for (const crd of shippedCrds()) {
    const created = await api.request('POST', CRD_PATH, crd);
    if (created.status === 409) {
      for (let attempt = 0; ; attempt++) {
        const cur = await api.request<StoredCrd>('GET', `${CRD_PATH}/${crd.metadata.name}`);
        const put = await api.request('PUT', `${CRD_PATH}/${crd.metadata.name}`, {
          ...crd,
          metadata: { ...crd.metadata, resourceVersion: cur.body.metadata.resourceVersion },
        });
        if (put.status === 200) break;
        if (put.status !== 409 || attempt > 5)
          throw new Error(`updating CRD ${crd.metadata.name}: ${put.status} ${put.message}`);
      }
    } else if (created.status !== 201) {
      throw new Error(`creating CRD ${crd.metadata.name}: ${created.status} ${created.message}`);
    }
  }
  const deadline = Date.now() + 60_000;
  for (const crd of shippedCrds()) {
    for (;;) {
      const cur = await api.request<StoredCrd>('GET', `${CRD_PATH}/${crd.metadata.name}`);
      const conds = cur.body.status?.conditions ?? [];
      if (conds.some((c) => c.type === 'Established' && c.status === 'True')) break;
      const bad = conds.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
      if (bad) throw new Error(`CRD ${crd.metadata.name}: ${bad.message ?? 'names not accepted'}`);
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not Established after 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
