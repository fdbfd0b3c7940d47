// Clients and helpers for integration tests: per-test namespaces in any
// cluster of the test bed, waits with deadlines, and API error codes.

import { pollUntil } from '../../../tools/harness/poll-until.js';
import { randomBytes } from 'node:crypto';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { findCluster, readState } from '../../../tools/testbed/state.js';

export function kubeConfigFor(cluster: string): KubeConfig {
  const state = readState();
  if (!state) throw new Error('the test bed is not up');
  const kc = new KubeConfig();
  kc.loadFromFile(findCluster(state, cluster).kubeconfig);
  return kc;
}

export function core(cluster: string): CoreV1Api {
  return kubeConfigFor(cluster).makeApiClient(CoreV1Api);
}

/** The HTTP status of a failed API call (undefined for non-API errors). */
export function statusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** Runs `call` and returns the HTTP status it failed with, or 200. */
export async function codeOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (err) {
    const code = statusOf(err);
    if (code === undefined) throw err;
    return code;
  }
}

/** A fresh namespace per test, named after it, removed afterwards. */
export interface TestNamespace {
  cluster: string;
  name: string;
}

export async function createNamespace(cluster: string, prefix = 'it'): Promise<TestNamespace> {
  const slug =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'it';
  const name = `${slug}-${randomBytes(3).toString('hex')}`;
  const api = core(cluster);
  await api.createNamespace({ body: { metadata: { name, labels: { 'zonekeeper.io/test': 'integration' } } } });
  // Pods are refused until the controller-manager made the default ServiceAccount.
  await pollUntil(
    `default ServiceAccount in ${cluster}/${name}`,
    async () => (await api.readNamespacedServiceAccount({ name: 'default', namespace: name })).metadata?.name,
  );
  return { cluster, name };
}

export async function deleteNamespace(ns: TestNamespace): Promise<void> {
  try {
    await core(ns.cluster).deleteNamespace({ name: ns.name });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}

/**
 * Mocha hooks: a new namespace in each given cluster before every test,
 * deleted after it. Clusters may be given lazily, since spec files load
 * before the global fixture brings the test bed up. Returns a getter for
 * the namespaces of the running test, in the order given.
 */
export function useNamespaces(...clusters: (string | (() => string))[]): () => TestNamespace[] {
  let current: TestNamespace[] = [];
  beforeEach(async function () {
    const title = this.currentTest?.title ?? 'it';
    current = [];
    for (const c of clusters)
      current.push(await createNamespace(typeof c === 'string' ? c : c(), title.split(' ').slice(0, 3).join('-')));
  });
  afterEach(async function () {
    await Promise.all(current.map(deleteNamespace));
  });
  return () => current;
}
