// Create-or-update of plain manifests through the KubeClient, for the
// demo, the integration tests and the bench (kubectl apply without
// kubectl: no kubectl binary exists on the test machines).

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import {
  type KubeClient,
  type KubeObject,
  type ResourceRef,
  isConflict,
  isNotFound,
  resourcePath,
} from '../../src/runtime/kube-client.js';

const KINDS: Record<string, ResourceRef> = {
  CustomResourceDefinition: {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  ServiceAccount: { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true },
  Secret: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
  ClusterRole: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterrolebindings',
    namespaced: false,
  },
  Role: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', namespaced: true },
  RoleBinding: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', namespaced: true },
  ValidatingAdmissionPolicy: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'validatingadmissionpolicies',
    namespaced: false,
  },
  ValidatingAdmissionPolicyBinding: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'validatingadmissionpolicybindings',
    namespaced: false,
  },
  MutatingAdmissionPolicy: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'mutatingadmissionpolicies',
    namespaced: false,
  },
  MutatingAdmissionPolicyBinding: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'mutatingadmissionpolicybindings',
    namespaced: false,
  },
  ProviderCluster: { group: 'zonekeeper.io', version: 'v1alpha1', plural: 'providerclusters', namespaced: false },
  PrivacyRegion: { group: 'zonekeeper.io', version: 'v1alpha1', plural: 'privacyregions', namespaced: false },
  ExecutionZone: { group: 'zonekeeper.io', version: 'v1alpha1', plural: 'executionzones', namespaced: true },
  ZoneRelease: { group: 'zonekeeper.io', version: 'v1alpha1', plural: 'zonereleases', namespaced: true },
};

export function refFor(kind: string): ResourceRef {
  const r = KINDS[kind];
  if (!r) throw new Error(`apply: kind ${kind} is not known`);
  return r;
}

export function readManifests(path: string): KubeObject[] {
  return yaml.loadAll(readFileSync(path, 'utf8')).filter((d): d is KubeObject => typeof d === 'object' && d !== null);
}

export function readManifestDir(dir: string): KubeObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .flatMap((f) => readManifests(join(dir, f)));
}

/** Creates the object, or replaces it (spec only; status is the operator's). */
export async function apply<T extends KubeObject>(client: KubeClient, obj: T, defaultNamespace?: string): Promise<T> {
  const r = refFor(obj.kind ?? '');
  const ns = r.namespaced ? (obj.metadata?.namespace ?? defaultNamespace) : undefined;
  const body = r.namespaced && ns ? { ...obj, metadata: { ...obj.metadata, namespace: ns } } : obj;
  try {
    return await client.create(resourcePath(r, ns), body);
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
  for (let attempt = 0; ; attempt++) {
    const path = resourcePath(r, ns, obj.metadata?.name);
    const cur = await client.get<T>(path);
    try {
      // Like kubectl apply: fields the manifest does not mention (finalizers
      // a controller added) are kept, not wiped by the replace.
      const finalizers = body.metadata?.finalizers ?? cur.metadata?.finalizers;
      return await client.replace(path, {
        ...body,
        metadata: {
          ...body.metadata,
          resourceVersion: cur.metadata?.resourceVersion,
          ...(finalizers ? { finalizers } : {}),
        },
      });
    } catch (err) {
      if (!isConflict(err) || attempt > 5) throw err;
    }
  }
}

export async function deleteIfExists(
  client: KubeClient,
  kind: string,
  name: string,
  namespace?: string,
): Promise<void> {
  try {
    await client.delete(resourcePath(refFor(kind), namespace, name));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/** Deletes every ExecutionZone and ZoneRelease of a namespace and waits for the zones to go (their finalizers need a running operator). */
export async function clearZones(client: KubeClient, namespace: string, timeoutMs = 120_000): Promise<void> {
  const list = async (kind: 'ExecutionZone' | 'ZoneRelease') =>
    (await client.list<KubeObject>(resourcePath(refFor(kind), namespace))).items;
  for (const z of await list('ExecutionZone'))
    await deleteIfExists(client, 'ExecutionZone', z.metadata?.name ?? '', namespace);
  const end = Date.now() + timeoutMs;
  while ((await list('ExecutionZone')).length > 0) {
    if (Date.now() > end) throw new Error(`ExecutionZones in ${namespace} still there after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const r of await list('ZoneRelease'))
    await deleteIfExists(client, 'ZoneRelease', r.metadata?.name ?? '', namespace);
}
