// Federations of any size for the web view's tests and benchmark: the
// paper's eight providers (Table I) with their capacity in status, and N
// zones spread over them with the status the operator writes (VLAN, ULA
// /64, DSCP mark, instances with phases, conditions); every tenth zone
// waits for capacity, with the core's per-provider reasons.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Capacity, Condition, ExecutionZone, InstanceStatus, ProviderCluster } from '../../src/core/api/types.js';
import type { ZoneStore } from '../../src/gateway/zone-store.js';
import { repoRoot } from '../testbed/paths.js';

const T = '2026-12-01T06:00:00Z';
const cond = (type: string, status: Condition['status'], reason: string, message: string): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: T,
});

export function paperProviders(): ProviderCluster[] {
  const docs = yaml.loadAll(
    readFileSync(join(repoRoot(), 'examples', 'paper', 'providers.yaml'), 'utf8'),
  ) as ProviderCluster[];
  return docs.filter((d) => d?.kind === 'ProviderCluster');
}

const uuid = (i: number): string => {
  const h = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0');
  return `${h}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
};

/** `count` zones in `namespaces` (round robin) over `providers`, plus the providers with their used capacity in status. */
export function federation(
  count: number,
  namespaces: readonly string[],
  providers: ProviderCluster[] = paperProviders(),
): { providers: ProviderCluster[]; zones: ExecutionZone[] } {
  const used = new Map<string, Capacity>(
    providers.map((p) => [p.spec.providerName ?? p.metadata.name, { cores: 0, memory: 0, storage: 0 }]),
  );
  const zones: ExecutionZone[] = [];
  for (let i = 0; i < count; i++) {
    const p = providers[i % providers.length];
    const provider = p.spec.providerName ?? p.metadata.name;
    const vm = p.spec.environment === 'VM';
    const n = 1 + (i % 4);
    const id = uuid(i + 1);
    const waiting = i % 10 === 9;
    const instances: Record<string, InstanceStatus> = {};
    if (!waiting) {
      for (let k = 1; k <= n; k++)
        instances[`${vm ? 'V' : 'C'}${k}`] = {
          group: 'init-1',
          cores: 2,
          memory: 1024,
          storage: 8192,
          address: `fd00:0:0:${(i + 1).toString(16)}::${k + 1}`,
          phase: k === n && i % 7 === 3 ? 'Pending' : 'Running',
        };
      const u = used.get(provider) as Capacity;
      u.cores += 2 * n;
      u.memory += 1024 * n;
      u.storage += 8192 * n;
    }
    const vlan = 1000 + i;
    zones.push({
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ExecutionZone',
      metadata: { name: id, namespace: namespaces[i % namespaces.length], generation: 1 },
      spec: {
        applicationId: id,
        groups: [
          {
            name: 'init-1',
            environment: vm ? 'VM' : 'container',
            platformType: 'cloud+fog',
            resourceType: 'CPU',
            count: waiting ? 64 : n,
            cores: waiting ? 32 : 2,
            memory: 1024,
            storage: 8192,
            image: 'Ubuntu-22.04',
          },
        ],
      },
      status: waiting
        ? {
            observedGeneration: 1,
            placement: providers.map((q) => ({
              group: 'init-1',
              provider: q.spec.providerName ?? q.metadata.name,
              verdict: 'Skipped' as const,
              reason: `insufficient capacity: needs 2048 cores, ${q.spec.capacity.cores} free`,
            })),
            conditions: [
              cond('Ready', 'False', 'NoMatchingProvider', 'Placed: no provider can take init-1'),
              cond(
                'Placed',
                'False',
                'NoMatchingProvider',
                'no provider can take init-1 (retried when capacity frees or the catalogue changes)',
              ),
            ],
          }
        : {
            observedGeneration: 1,
            vlanId: vlan,
            networkId: vlan,
            network: `fd00:0:0:${(i + 1).toString(16)}::/64`,
            marking: ['111000', '001000', '000010', '000100'][i % 4],
            providers: provider,
            instances: { [provider]: instances },
            conditions: [
              cond('Ready', 'True', 'Ready', `${n} instance(s) ready`),
              cond('Placed', 'True', 'Placed', `1 group(s) on ${provider}, VLAN ${vlan}`),
              cond('Provisioned', 'True', 'Provisioned', 'all instances exist'),
              cond('NetworkReady', 'True', 'Programmed', 'switch entries written'),
            ],
          },
    });
  }
  const withStatus = providers.map((p) => ({
    ...p,
    status: {
      observedGeneration: 1,
      capacity: p.spec.capacity,
      allocated: used.get(p.spec.providerName ?? p.metadata.name),
      conditions: [
        cond('Ready', 'True', 'Ready', 'takes placements'),
        cond('Reachable', 'True', 'ProbeSucceeded', 'the member API server answers /readyz'),
      ],
    },
  }));
  return { providers: withStatus, zones };
}

/** A hub with no zones for the REST side of a gateway whose web view is under test. */
export function emptyZoneStore(): ZoneStore {
  const store: ZoneStore = {
    getZone: () => Promise.resolve(undefined),
    putZone: (z) => Promise.resolve(z),
    createRelease: (r) => Promise.resolve(r),
    listRegions: () => Promise.resolve([]),
    actingAs: () => store,
  };
  return store;
}
