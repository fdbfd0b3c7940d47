// Registers metrics.k8s.io on every member the way a metrics-server
// install does: an APIService v1beta1.metrics.k8s.io for a Service in
// kube-system, which the member's kube-aggregator proxies to. The Service
// is of type ExternalName `localhost` because the aggregator resolves an
// ExternalName Service to that host and the APIService's port, whereas a
// ClusterIP routes nowhere here; the metrics stand-in listens on that port
// (metrics-stand-in.ts). The aggregator verifies the stand-in's serving
// certificate against the member's CA (caBundle) under the Service's DNS
// name, and marks the APIService Available once discovery answers.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlreadyExists, KubeClient } from '../../src/runtime/kube-client.js';
import { waitFor } from './health.js';
import { METRICS_SERVICE } from './pki.js';
import type { ClusterRecord, TestbedState } from './state.js';

export const METRICS_API_SERVICE = 'v1beta1.metrics.k8s.io';

interface ApiService {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

async function createOnce(client: KubeClient, path: string, body: unknown): Promise<void> {
  try {
    await client.create(path, body);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

/** The member's APIService and Service, and a wait until the aggregator calls it Available. */
export async function registerMemberMetrics(
  state: TestbedState,
  rec: ClusterRecord,
  timeoutMs = 60_000,
): Promise<void> {
  if (!rec.metricsPort) throw new Error(`${rec.name}: no metrics port in the test-bed state`);
  const client = await KubeClient.fromKubeconfigText(readFileSync(rec.kubeconfig, 'utf8'));
  try {
    await createOnce(client, `/api/v1/namespaces/${METRICS_SERVICE.namespace}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: METRICS_SERVICE.name, namespace: METRICS_SERVICE.namespace },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port: rec.metricsPort }] },
    });
    const caBundle = readFileSync(join(state.dir, 'clusters', rec.id, 'pki', 'ca.crt')).toString('base64');
    await createOnce(client, '/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: METRICS_API_SERVICE },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        service: { ...METRICS_SERVICE, port: rec.metricsPort },
        caBundle,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
    let last = '';
    await waitFor(
      async () => {
        const a = await client.get<ApiService>(`/apis/apiregistration.k8s.io/v1/apiservices/${METRICS_API_SERVICE}`);
        const c = a.status?.conditions?.find((x) => x.type === 'Available');
        last = `${c?.status ?? 'no condition'} ${c?.reason ?? ''}: ${c?.message ?? ''}`;
        return c?.status === 'True';
      },
      { what: `${rec.name}: APIService ${METRICS_API_SERVICE} Available (last: ${last})`, timeoutMs, intervalMs: 500 },
    ).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; last seen: ${last}`);
    });
  } finally {
    client.close();
  }
}

export async function registerMetricsApi(state: TestbedState, log: (m: string) => void): Promise<void> {
  const t0 = Date.now();
  const members = state.clusters.filter((c) => c.role === 'member');
  await Promise.all(members.map((m) => registerMemberMetrics(state, m)));
  log(`metrics.k8s.io Available on ${members.length} members in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
