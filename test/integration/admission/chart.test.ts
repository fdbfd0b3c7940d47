// What the Helm chart and deploy/operator/ render is accepted by a real
// API server without a warning, Pod Security "restricted" included
// (server-side dry run: every schema and admission check runs, nothing is
// stored). Needs helm for the chart part; skipped without it.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { findHelm } from '../../interop/chart/find-helm.js';
import { HubApi } from './hub-api.js';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const COLLECTION: Record<string, (ns: string) => string> = {
  ServiceAccount: (ns) => `/api/v1/namespaces/${ns}/serviceaccounts`,
  ConfigMap: (ns) => `/api/v1/namespaces/${ns}/configmaps`,
  Service: (ns) => `/api/v1/namespaces/${ns}/services`,
  Deployment: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`,
  Role: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
  RoleBinding: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
  ClusterRole: () => '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: () => '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  PodDisruptionBudget: (ns) => `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`,
  NetworkPolicy: (ns) => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`,
};

describe('the chart and deploy/operator/ are accepted by a real API server (dry run)', function () {
  this.timeout(60_000);
  let api: HubApi;
  let ns: string;

  before(async () => {
    api = await HubApi.connect();
    // Pod Security "restricted" warns on workloads whose pod template would be refused.
    ns = await api.createNamespace('zk-chart', { 'pod-security.kubernetes.io/warn': 'restricted' });
  });
  after(async () => {
    if (ns) await api.deleteNamespace(ns);
  });

  async function dryRun(objects: Manifest[]): Promise<string[]> {
    const kinds: string[] = [];
    for (const o of objects) {
      const path = COLLECTION[o.kind];
      // CRDs equal crds/ (unit test) and are installed; regions are schema-checked by the unit tests.
      if (!path) continue;
      const body = o.metadata.namespace ? { ...o, metadata: { ...o.metadata, namespace: ns } } : o;
      const res = await api.request('POST', path(ns), body, { dryRun: 'All' });
      assert.ok(res.status === 201 || res.status === 200, `${o.kind} ${o.metadata.name}: ${res.status} ${res.message}`);
      assert.deepEqual(res.warnings, [], `${o.kind} ${o.metadata.name}: warnings`);
      kinds.push(o.kind);
    }
    return kinds;
  }

  it('accepts deploy/operator/ (Deployment with the sidecar, metrics Service, switch port map)', async () => {
    const dir = join(repoRoot(), 'deploy', 'operator');
    const objects = ['deployment.yaml', 'metrics-service.yaml', 'switch-ports.yaml'].flatMap(
      (f) => yaml.loadAll(readFileSync(join(dir, f), 'utf8')) as Manifest[],
    );
    assert.deepEqual(await dryRun(objects), ['Deployment', 'Service', 'ConfigMap']);
  });

  it('accepts everything the chart renders, under a release name of its own', async function () {
    const helm = findHelm();
    if (!helm) {
      console.warn('    skipped: no helm binary (set HELM, or run tools/build-helm.sh)');
      this.skip();
    }
    // Another release name, so that the cluster-scoped RBAC names cannot collide with a real install.
    const r = spawnSync(
      helm,
      ['template', 'zk-dry', join(repoRoot(), 'charts', 'zonekeeper'), '--namespace', ns, '--kube-version', '1.37.0'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const objects = yaml.loadAll(r.stdout).filter((d): d is Manifest => typeof d === 'object' && d !== null);
    const kinds = await dryRun(objects);
    for (const k of [
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'Deployment',
      'Service',
      'PodDisruptionBudget',
      'NetworkPolicy',
    ])
      assert.ok(kinds.includes(k), `no ${k} rendered`);
  });

  it('accepts the chart with the sidecar and the Grafana dashboard (ConfigMaps, sidecar container restricted)', async function () {
    const helm = findHelm();
    if (!helm) {
      console.warn('    skipped: no helm binary (set HELM, or run tools/build-helm.sh)');
      this.skip();
    }
    const r = spawnSync(
      helm,
      [
        'template',
        'zk-dry',
        join(repoRoot(), 'charts', 'zonekeeper'),
        '--namespace',
        ns,
        '--kube-version',
        '1.37.0',
        '--set',
        'sidecar.enabled=true',
        '--set',
        'grafanaDashboard.enabled=true',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const objects = yaml.loadAll(r.stdout).filter((d): d is Manifest => typeof d === 'object' && d !== null);
    const kinds = await dryRun(objects);
    assert.equal(kinds.filter((k) => k === 'ConfigMap').length, 2, 'switch port map and dashboard');
  });

  it('accepts the chart with the REST gateway enabled (its Deployment passes Pod Security restricted)', async function () {
    const helm = findHelm();
    if (!helm) {
      console.warn('    skipped: no helm binary (set HELM, or run tools/build-helm.sh)');
      this.skip();
    }
    const r = spawnSync(
      helm,
      [
        'template',
        'zk-dry',
        join(repoRoot(), 'charts', 'zonekeeper'),
        '--namespace',
        ns,
        '--kube-version',
        '1.37.0',
        '--set',
        'gateway.enabled=true',
        '--set',
        `gateway.namespace=${ns}`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const objects = yaml.loadAll(r.stdout).filter((d): d is Manifest => typeof d === 'object' && d !== null);
    const gateway = objects
      .filter((o) => o.metadata.name === 'zk-dry-zonekeeper-gateway')
      .map((o) => o.kind)
      .sort();
    assert.deepEqual(gateway, [
      'ClusterRole',
      'Deployment',
      'NetworkPolicy',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    const kinds = await dryRun(objects);
    assert.equal(kinds.filter((k) => k === 'Deployment').length, 2, 'operator and gateway');
  });
});
