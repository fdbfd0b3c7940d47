// The Helm chart, checked without Helm: Chart.yaml and values.yaml parse,
// every `.Values.x.y` a template uses exists in values.yaml, template
// blocks are balanced, and the chart's crds/ and files/ are the generated
// ones. With a helm binary (HELM, PATH, or the build cache of
// tools/build-helm.sh) it also lints and renders the chart and checks the
// rendered objects.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { allCrds } from '../../../tools/codegen/crds.js';
import { zoneFinalizerGuardManifests, zoneFinalizerPolicyManifests } from '../../../tools/codegen/admission-policy.js';
import {
  GATEWAY_CLUSTER_RULES,
  GATEWAY_RULES,
  OPERATOR_CLUSTER_RULES,
  OPERATOR_NAMESPACE_RULES,
} from '../../../tools/codegen/rbac.js';
import { findHelm } from './find-helm.js';
import { listFiles, readText, repoRoot } from '../../unit/crds/repo-files.js';
import { validateObject } from '../../unit/crds/schema-validator.js';

const CHART = 'charts/zonekeeper';

function valuesUsed(template: string): string[] {
  return [...template.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => (m[1] ?? '').slice(1));
}

function has(values: unknown, path: string): boolean {
  let node = values;
  for (const k of path.split('.')) {
    if (typeof node !== 'object' || node === null || !(k in node)) return false;
    node = (node as Record<string, unknown>)[k];
  }
  return true;
}

interface Probe {
  httpGet?: { path: string; port: string | number; scheme?: string };
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: unknown;
  securityContext?: unknown;
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules?: unknown;
  roleRef?: { name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> } | Record<string, string>;
    ports?: { name: string; port: number; targetPort: string | number }[];
    template?: {
      metadata?: { labels?: Record<string, string> };
      spec?: {
        serviceAccountName?: string;
        automountServiceAccountToken?: boolean;
        securityContext?: unknown;
        containers?: Container[];
        volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
      };
    };
  };
  data?: Record<string, string>;
}

describe('Helm chart', () => {
  it('has a Chart.yaml (apiVersion v2) and a values.yaml that parse', () => {
    const chart = yaml.load(readText(`${CHART}/Chart.yaml`)) as Record<string, unknown>;
    assert.equal(chart['apiVersion'], 'v2');
    assert.equal(chart['name'], 'zonekeeper');
    assert.match(String(chart['version']), /^\d+\.\d+\.\d+/);
    const pkg = JSON.parse(readText('package.json')) as { version: string };
    assert.equal(chart['appVersion'], pkg.version, 'appVersion follows package.json');
    const values = yaml.load(readText(`${CHART}/values.yaml`));
    assert.equal(typeof values, 'object');
  });

  it('uses only values that values.yaml declares', () => {
    const values = yaml.load(readText(`${CHART}/values.yaml`));
    const missing: string[] = [];
    for (const f of [
      ...listFiles(`${CHART}/templates`),
      ...listFiles(`${CHART}/templates`, '.tpl'),
      ...listFiles(`${CHART}/templates`, '.txt'),
    ]) {
      for (const v of valuesUsed(readText(f))) if (!has(values, v)) missing.push(`${f}: .Values.${v}`);
    }
    assert.deepEqual(missing, []);
  });

  it('has balanced template blocks', () => {
    for (const f of [...listFiles(`${CHART}/templates`), ...listFiles(`${CHART}/templates`, '.tpl')]) {
      const text = readText(f);
      const opens = text.match(/\{\{-?\s*(if|range|with|define)\b/g)?.length ?? 0;
      const ends = text.match(/\{\{-?\s*end\b/g)?.length ?? 0;
      assert.equal(opens, ends, f);
    }
  });

  it('ships the CRDs in crds/ and the rule and region files the templates read', () => {
    assert.equal(listFiles(`${CHART}/crds`).length, allCrds().length);
    const templates = readText(`${CHART}/templates/rbac.yaml`) + readText(`${CHART}/templates/gateway-rbac.yaml`);
    for (const f of [
      'operator-cluster-rules',
      'operator-namespace-rules',
      'zone-editor-rules',
      'zone-viewer-rules',
      'catalogue-admin-rules',
      'gateway-rules',
      'gateway-cluster-rules',
    ]) {
      assert.ok(templates.includes(`files/rbac/${f}.yaml`), f);
      assert.ok(existsSync(join(repoRoot(), `${CHART}/files/rbac/${f}.yaml`)), f);
    }
    assert.equal(listFiles(`${CHART}/files/regions`).length, 6);
  });

  describe('rendered by helm', function () {
    this.timeout(60_000);
    let helm: string | undefined;
    before(function () {
      helm = findHelm();
      if (!helm) {
        console.warn('    skipped: no helm binary (set HELM, or run tools/build-helm.sh)');
        this.skip();
      }
    });

    // The API a hub of 1.36+ serves and older hubs do not: the admission policy depends on it.
    const MAP_API = 'admissionregistration.k8s.io/v1/MutatingAdmissionPolicy';
    const renderWith = (extra: string[], ...set: string[]): K8sObject[] => {
      const args = [
        'template',
        'zonekeeper',
        join(repoRoot(), CHART),
        '--namespace',
        'zonekeeper-system',
        '--include-crds',
        '--kube-version',
        '1.37.0',
        ...extra,
        ...set.flatMap((s) => ['--set', s]),
      ];
      const r = spawnSync(helm as string, args, { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return yaml.loadAll(r.stdout).filter((d): d is K8sObject => d !== null && typeof d === 'object');
    };
    const render = (...set: string[]): K8sObject[] => renderWith(['--api-versions', MAP_API], ...set);
    /** helm template with these --set values; resolves with its exit status and stderr. */
    const refused = (...set: string[]): { status: number | null; stderr: string } => {
      const r = spawnSync(
        helm as string,
        [
          'template',
          'zonekeeper',
          join(repoRoot(), CHART),
          '--kube-version',
          '1.37.0',
          ...set.flatMap((s) => ['--set', s]),
        ],
        { encoding: 'utf8' },
      );
      return { status: r.status, stderr: r.stderr };
    };

    it('lints clean', () => {
      const r = spawnSync(helm as string, ['lint', '--strict', join(repoRoot(), CHART)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it('renders CRDs, RBAC, the operator-only Deployment, the metrics Service, PDB, NetworkPolicy and the six regions by default', () => {
      const objs = render();
      const count = (kind: string) => objs.filter((o) => o.kind === kind).length;
      assert.equal(count('CustomResourceDefinition'), 4);
      assert.equal(count('PrivacyRegion'), 6);
      assert.equal(count('Deployment'), 1);
      assert.equal(count('Service'), 1);
      assert.equal(count('ServiceMonitor'), 0);
      assert.equal(count('PrometheusRule'), 0);
      assert.equal(count('ServiceAccount'), 1);
      assert.equal(count('PodDisruptionBudget'), 1);
      assert.equal(count('NetworkPolicy'), 1);
      const dep = objs.find((o) => o.kind === 'Deployment');
      const containers = dep?.spec?.template?.spec?.containers ?? [];
      // No sidecar by default: it is not Ready without a switch to talk to.
      assert.deepEqual(
        containers.map((c) => c.name),
        ['operator'],
      );
      assert.equal(containers[0]?.image, 'localhost/zonekeeper:0.1.0');
      assert.deepEqual(containers[0]?.args, ['operator'], 'the image entrypoint picks the program');
      assert.equal(
        containers[0]?.env?.some((e) => e.name === 'ZONEKEEPER_SIDECAR'),
        false,
      );
      assert.equal(count('ConfigMap'), 0);
      const sa = objs.find((o) => o.kind === 'ServiceAccount');
      assert.equal(sa?.metadata.name, 'zonekeeper-operator');
    });

    it('secures the switch path with the TLS Secret by default, in plaintext only when asked, and refuses neither', () => {
      const pod = (...set: string[]) =>
        render('sidecar.enabled=true', ...set).find((o) => o.kind === 'Deployment')?.spec?.template?.spec;
      const tls = pod();
      const [operator, sidecar] = tls?.containers ?? [];
      assert.equal(
        operator?.env?.find((e) => e.name === 'ZONEKEEPER_SIDECAR_TLS_DIR')?.value,
        '/etc/zonekeeper/switch-tls',
      );
      assert.ok(sidecar?.args?.includes('--tls-dir=/etc/zonekeeper/switch-tls'));
      const volumes = (tls as unknown as { volumes: { name: string; secret?: { secretName: string } }[] }).volumes;
      assert.equal(volumes.find((v) => v.name === 'switch-tls')?.secret?.secretName, 'zonekeeper-switch-tls');
      const plain = pod('sidecar.tls.insecurePlaintext=true');
      const [op2, side2] = plain?.containers ?? [];
      assert.equal(op2?.env?.find((e) => e.name === 'ZONEKEEPER_SIDECAR_INSECURE_PLAINTEXT')?.value, 'true');
      assert.ok(side2?.args?.includes('--insecure-plaintext'));
      assert.equal(JSON.stringify(plain).includes('switch-tls'), false, 'no TLS Secret mounted in plaintext');
      const r = refused('sidecar.enabled=true', 'sidecar.tls.secretName=');
      assert.notEqual(r.status, 0);
      assert.match(
        r.stderr,
        /sidecar\.tls\.secretName: the kubernetes\.io\/tls Secret .* or sidecar\.tls\.insecurePlaintext=true/,
      );
    });

    it('renders the sidecar with the switch port map when sidecar.enabled', () => {
      const objs = render('sidecar.enabled=true');
      const containers = objs.find((o) => o.kind === 'Deployment')?.spec?.template?.spec?.containers ?? [];
      assert.deepEqual(
        containers.map((c) => c.name),
        ['operator', 'p4rt-sidecar'],
      );
      assert.equal(containers[0]?.env?.find((e) => e.name === 'ZONEKEEPER_SIDECAR')?.value, '127.0.0.1:50051');
      assert.equal(containers[1]?.image, 'localhost/zonekeeper:0.1.0');
      assert.equal(containers[1]?.args?.[0], 'sidecar');
      assert.equal(
        objs.filter((o) => o.kind === 'ConfigMap').length,
        1,
        'the switch port map the operator needs with --sidecar',
      );
      const policy = objs.find((o) => o.kind === 'NetworkPolicy') as unknown as {
        spec: { ingress: { ports: { port: number }[] }[] };
      };
      assert.deepEqual(
        policy.spec.ingress[0]?.ports.map((p) => p.port),
        [8080, 9090],
      );
    });

    it('grants exactly the rules of tools/codegen/rbac.ts', () => {
      const objs = render();
      const cr = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'zonekeeper-operator');
      const role = objs.find((o) => o.kind === 'Role' && o.metadata.name === 'zonekeeper-operator');
      assert.deepEqual(cr?.rules, JSON.parse(JSON.stringify(OPERATOR_CLUSTER_RULES)));
      assert.deepEqual(role?.rules, JSON.parse(JSON.stringify(OPERATOR_NAMESPACE_RULES)));
      assert.equal(role?.metadata.namespace, 'zonekeeper-system');
    });

    it('renders valid PrivacyRegions and CRDs identical to crds/', () => {
      const objs = render();
      const crdSchemas = new Map(allCrds().map((c) => [c.spec.names.kind, c.spec.versions[0].schema.openAPIV3Schema]));
      for (const r of objs.filter((o) => o.kind === 'PrivacyRegion'))
        assert.deepEqual(validateObject(crdSchemas.get('PrivacyRegion')!, r), []);
      for (const c of objs.filter((o) => o.kind === 'CustomResourceDefinition')) {
        assert.deepEqual(c, JSON.parse(JSON.stringify(allCrds().find((x) => x.metadata.name === c.metadata.name))));
      }
    });

    it('renders the zone finalizer admission policy of deploy/hub where the hub serves it, and none when admissionPolicy.zoneFinalizer=false', () => {
      const want = zoneFinalizerPolicyManifests();
      const got = render().filter(
        (o) => o.kind === 'MutatingAdmissionPolicy' || o.kind === 'MutatingAdmissionPolicyBinding',
      );
      assert.deepEqual(got, JSON.parse(JSON.stringify(want)));
      assert.deepEqual(
        yaml.loadAll(readText('deploy/hub/20-zone-finalizer-policy.yaml')),
        JSON.parse(JSON.stringify(want)),
      );
      assert.equal(
        render('admissionPolicy.zoneFinalizer=false').filter((o) => o.kind.startsWith('MutatingAdmissionPolicy'))
          .length,
        0,
      );
    });

    it("renders the finalizer guard of deploy/hub where the hub serves ValidatingAdmissionPolicy, naming the release namespace's operator, and none when admissionPolicy.finalizerGuard=false", () => {
      const VAP_API = 'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
      const guard = (objs: K8sObject[]) => objs.filter((o) => o.metadata?.name === 'zonekeeper-zone-finalizer-guard');
      const want = JSON.parse(JSON.stringify(zoneFinalizerGuardManifests())) as K8sObject[];
      assert.deepEqual(guard(renderWith(['--api-versions', MAP_API, '--api-versions', VAP_API])), want);
      assert.deepEqual(yaml.loadAll(readText('deploy/hub/21-zone-finalizer-guard.yaml')), want);
      // A later --namespace wins: the release in another namespace names its own operator.
      assert.deepEqual(
        guard(renderWith(['--api-versions', VAP_API, '--namespace', 'platform'])),
        JSON.parse(JSON.stringify(zoneFinalizerGuardManifests('platform'))),
      );
      assert.equal(guard(renderWith(['--api-versions', VAP_API], 'admissionPolicy.finalizerGuard=false')).length, 0);
    });

    it('renders no admission policy for a hub without admissionregistration.k8s.io/v1 MutatingAdmissionPolicy (before 1.36)', () => {
      for (const version of ['1.30.0', '1.35.0']) {
        const r = spawnSync(
          helm as string,
          ['template', 'zonekeeper', join(repoRoot(), CHART), '--kube-version', version],
          { encoding: 'utf8' },
        );
        assert.equal(r.status, 0, r.stderr);
        const kinds = yaml.loadAll(r.stdout).map((d) => (d as K8sObject | null)?.kind);
        assert.equal(kinds.filter((k) => k?.startsWith('MutatingAdmissionPolicy')).length, 0, version);
        assert.ok(kinds.includes('Deployment'), version);
      }
    });

    it('rejects wrong values with a message naming the value and the reason (values.schema.json)', () => {
      // Helm names the value by its JSON pointer and says what was wrong with it.
      const cases: [string[], RegExp][] = [
        [['operator.metricsPort=70000'], /'\/operator\/metricsPort': maximum: got 70,000, want 65,535/],
        [
          ['operator.image.pullPolicy=Sometimes'],
          /'\/operator\/image\/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'/,
        ],
        [['sidecar.enabled=yes'], /'\/sidecar\/enabled': got string, want boolean/],
        [
          ['sidecar.switches={zone-switch:9559}'],
          /'\/sidecar\/switches\/0': 'zone-switch:9559' does not match pattern/,
        ],
        [
          ['operator.terminationGracePeriodSeconds=2'],
          /'\/operator\/terminationGracePeriodSeconds': minimum: got 2, want 6/,
        ],
        [['prometheusRule.zoneNotReadyFor=ten'], /'\/prometheusRule\/zoneNotReadyFor': 'ten' does not match pattern/],
        [['operater.replicas=2'], /additional properties 'operater' not allowed/],
      ];
      for (const [set, field] of cases) {
        const r = refused(...set);
        assert.notEqual(r.status, 0, `${set.join(' ')} was accepted`);
        assert.match(r.stderr, /values don't meet the specifications of the schema/, set.join(' '));
        assert.match(r.stderr, field, `${set.join(' ')}: ${r.stderr}`);
      }
    });

    it('runs the pods restricted: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp, resources set', () => {
      const objs = render('sidecar.enabled=true', 'gateway.enabled=true', 'gateway.namespace=tenant-a');
      for (const dep of objs.filter((o) => o.kind === 'Deployment')) {
        const pod = dep.spec?.template?.spec as {
          securityContext?: Record<string, unknown>;
          containers?: Container[];
          hostNetwork?: boolean;
        };
        assert.equal(pod.securityContext?.['runAsNonRoot'], true, dep.metadata.name);
        assert.deepEqual(pod.securityContext?.['seccompProfile'], { type: 'RuntimeDefault' });
        assert.equal(pod.hostNetwork, undefined, 'host network only on request');
        for (const c of pod.containers ?? []) {
          assert.deepEqual(
            c.securityContext,
            { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            c.name,
          );
          const res = c.resources as { requests?: Record<string, string>; limits?: Record<string, string> };
          assert.ok(
            res.requests?.['cpu'] && res.requests['memory'] && res.limits?.['memory'],
            `${c.name}: requests and a memory limit`,
          );
        }
      }
      const hostNet = render('hostNetwork=true').find((o) => o.kind === 'Deployment')?.spec?.template?.spec as {
        hostNetwork?: boolean;
        dnsPolicy?: string;
      };
      assert.equal(hostNet.hostNetwork, true);
      assert.equal(hostNet.dnsPolicy, 'ClusterFirstWithHostNet');
    });

    it('renders a PodDisruptionBudget that lets a single replica be drained, and NetworkPolicies for the serving ports only', () => {
      const objs = render('gateway.enabled=true', 'gateway.namespace=tenant-a', 'gateway.port=9000');
      const pdb = objs.find((o) => o.kind === 'PodDisruptionBudget') as unknown as {
        spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } };
      };
      assert.equal(pdb.spec.maxUnavailable, 1);
      const operator = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'zonekeeper-operator');
      assert.deepEqual(
        pdb.spec.selector.matchLabels,
        (operator?.spec?.selector as { matchLabels: Record<string, string> }).matchLabels,
      );
      const policies = objs.filter((o) => o.kind === 'NetworkPolicy') as unknown as {
        metadata: { name: string };
        spec: { policyTypes: string[]; ingress: { ports: { port: number }[] }[] };
      }[];
      assert.deepEqual(
        policies.map((p) => [
          p.metadata.name,
          p.spec.policyTypes,
          p.spec.ingress.flatMap((i) => i.ports.map((x) => x.port)),
        ]),
        [
          ['zonekeeper-operator', ['Ingress'], [8080]],
          ['zonekeeper-gateway', ['Ingress'], [9000]],
        ],
      );
      const none = render('podDisruptionBudget.enabled=false', 'networkPolicy.enabled=false');
      assert.equal(none.filter((o) => o.kind === 'PodDisruptionBudget' || o.kind === 'NetworkPolicy').length, 0);
    });

    it('renders a PrometheusRule with the four alerts on metrics the operator exports, and a Grafana dashboard ConfigMap for the sidecar', () => {
      const objs = render(
        'prometheusRule.enabled=true',
        'prometheusRule.zoneNotReadyFor=10m',
        'grafanaDashboard.enabled=true',
        'grafanaDashboard.namespace=monitoring',
      );
      const rule = objs.find((o) => o.kind === 'PrometheusRule') as unknown as {
        spec: { groups: { rules: { alert: string; expr: string; for: string }[] }[] };
      };
      const alerts = rule.spec.groups.flatMap((g) => g.rules);
      assert.deepEqual(
        alerts.map((a) => a.alert),
        [
          'ZonekeeperZonesNotReady',
          'ZonekeeperMemberUnreachable',
          'ZonekeeperSwitchNotProgrammed',
          'ZonekeeperReconcileErrors',
        ],
      );
      assert.equal(alerts[0]?.for, '10m');
      // Every metric an alert reads is one the operator or sidecar registers.
      const sources = [...listFiles('src/runtime', '.ts'), ...listFiles('src/sidecar', '.ts')]
        .map((f) => readText(f))
        .join('\n');
      for (const a of alerts) {
        const metrics = a.expr.match(/\b(zonekeeper|controller_runtime)_[a-z_]+/g) ?? [];
        assert.ok(metrics.length > 0, a.alert);
        for (const m of metrics)
          assert.ok(sources.includes(`'${m}'`), `${a.alert}: metric ${m} is not registered in src/`);
      }
      const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'zonekeeper-dashboard');
      assert.equal(cm?.metadata.namespace, 'monitoring');
      assert.equal(cm?.metadata.labels?.['grafana_dashboard'], '1');
      const dashboard = JSON.parse(cm?.data?.['zonekeeper.json'] ?? '{}') as {
        title: string;
        panels: { targets: { expr: string }[] }[];
      };
      assert.equal(dashboard.title, 'zonekeeper');
      assert.ok(dashboard.panels.length >= 8);
      for (const p of dashboard.panels)
        for (const t of p.targets) assert.match(t.expr, /zonekeeper_|controller_runtime_|leader_election_/);
    });

    it('renders the gateway RBAC on request, with a RoleBinding per tenant namespace and the rules of rbac.ts', () => {
      assert.equal(render().filter((o) => o.metadata.name.includes('gateway')).length, 0);
      const objs = render('gateway.rbac.create=true', 'gateway.namespaces={tenant-a,tenant-b}');
      const bindings = objs.filter((o) => o.kind === 'RoleBinding' && o.metadata.name === 'zonekeeper-gateway');
      assert.deepEqual(
        bindings.map((b) => b.metadata.namespace),
        ['tenant-a', 'tenant-b'],
      );
      const role = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'zonekeeper-gateway');
      assert.deepEqual(role?.rules, JSON.parse(JSON.stringify(GATEWAY_RULES)));
      assert.ok(objs.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'zonekeeper-gateway'));
    });

    it('renders no gateway Deployment or Service unless gateway.enabled, and refuses one without a tenant namespace', () => {
      assert.equal(
        render().filter((o) => (o.kind === 'Deployment' || o.kind === 'Service') && o.metadata.name.includes('gateway'))
          .length,
        0,
      );
      const r = spawnSync(
        helm as string,
        [
          'template',
          'zonekeeper',
          join(repoRoot(), CHART),
          '--kube-version',
          '1.37.0',
          '--set',
          'gateway.enabled=true',
        ],
        { encoding: 'utf8' },
      );
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /gateway\.namespace: the gateway's default tenant namespace/);
    });

    it('renders the gateway Deployment and Service with its own ServiceAccount, probes, port, replicas and resources', () => {
      const objs = render(
        'gateway.enabled=true',
        'gateway.namespace=tenant-a',
        'gateway.replicas=2',
        'gateway.port=9000',
        'gateway.resources.limits.memory=300Mi',
      );
      const dep = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'zonekeeper-gateway');
      assert.ok(dep, 'a gateway Deployment');
      assert.equal(dep.spec?.replicas, 2);
      const pod = dep.spec?.template?.spec;
      assert.equal(pod?.serviceAccountName, 'zonekeeper-gateway');
      assert.notEqual(pod?.serviceAccountName, 'zonekeeper-operator');
      assert.equal(pod?.automountServiceAccountToken, true, 'the in-cluster config needs the mounted token');
      const [c] = pod?.containers ?? [];
      assert.equal(c?.name, 'gateway');
      assert.equal(c?.image, 'localhost/zonekeeper:0.1.0');
      assert.deepEqual(c?.args, [
        'gateway',
        '--namespace',
        'tenant-a',
        '--port',
        '9000',
        '--address',
        '0.0.0.0',
        '--tenant-rate',
        '10:20',
      ]);
      assert.ok(!(c?.args ?? []).includes('--kubeconfig'), 'in a pod the gateway uses its ServiceAccount');
      assert.deepEqual(
        c?.ports?.map((p) => [p.name, p.containerPort]),
        [['http', 9000]],
      );
      assert.deepEqual(c?.livenessProbe?.httpGet, { path: '/healthz', port: 'http', scheme: 'HTTP' });
      assert.deepEqual(c?.readinessProbe?.httpGet, { path: '/readyz', port: 'http', scheme: 'HTTP' });
      assert.deepEqual(c?.resources, { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '300Mi' } });
      // The operator's selector must not pick up gateway pods, nor the other way round.
      const operator = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'zonekeeper-operator');
      const sel = (o: K8sObject | undefined) =>
        (o?.spec?.selector as { matchLabels: Record<string, string> } | undefined)?.matchLabels ?? {};
      const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
        Object.entries(selector).every(([k, v]) => labels?.[k] === v);
      assert.equal(matches(sel(operator), dep.spec?.template?.metadata?.labels), false);
      assert.equal(matches(sel(dep), operator?.spec?.template?.metadata?.labels), false);
      assert.equal(matches(sel(dep), dep.spec?.template?.metadata?.labels), true);
      const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === 'zonekeeper-gateway');
      assert.deepEqual(
        svc?.spec?.ports?.map((p) => [p.name, p.port, p.targetPort]),
        [['http', 9000, 'http']],
      );
      assert.deepEqual(svc?.spec?.selector, sel(dep));
      // gateway.enabled brings its RBAC, bound in the namespace it serves and nowhere else.
      assert.ok(objs.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'zonekeeper-gateway'));
      const bindings = objs.filter((o) => o.kind === 'RoleBinding' && o.metadata.name === 'zonekeeper-gateway');
      assert.deepEqual(
        bindings.map((b) => [b.metadata.namespace, b.roleRef?.name, b.subjects?.[0]?.name]),
        [['tenant-a', 'zonekeeper-gateway', 'zonekeeper-gateway']],
      );
      assert.deepEqual(
        objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'zonekeeper-gateway')?.rules,
        JSON.parse(JSON.stringify(GATEWAY_RULES)),
      );
      assert.deepEqual(
        objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'zonekeeper-gateway-regions')?.rules,
        JSON.parse(JSON.stringify(GATEWAY_CLUSTER_RULES)),
      );
      const values = yaml.load(readText(`${CHART}/values.yaml`)) as { containerSecurityContext: unknown };
      assert.deepEqual(c?.securityContext, values.containerSecurityContext);
    });

    it('serves the gateway over HTTPS from a TLS Secret when gateway.tls.secretName is set, probes included', () => {
      const objs = render('gateway.enabled=true', 'gateway.namespace=tenant-a', 'gateway.tls.secretName=gw-tls');
      const pod = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'zonekeeper-gateway')?.spec?.template
        ?.spec;
      const [c] = pod?.containers ?? [];
      const args = c?.args ?? [];
      assert.equal(args[args.indexOf('--tls-cert-file') + 1], '/etc/zonekeeper/gateway-tls/tls.crt');
      assert.equal(args[args.indexOf('--tls-key-file') + 1], '/etc/zonekeeper/gateway-tls/tls.key');
      assert.equal(c?.livenessProbe?.httpGet?.scheme, 'HTTPS');
      assert.equal(c?.readinessProbe?.httpGet?.scheme, 'HTTPS');
      assert.deepEqual(pod?.volumes, [{ name: 'tls', secret: { secretName: 'gw-tls' } }]);
      assert.deepEqual(c?.volumeMounts, [{ name: 'tls', mountPath: '/etc/zonekeeper/gateway-tls', readOnly: true }]);
    });

    it('binds the gateway once per namespace when gateway.namespace is also listed in gateway.namespaces', () => {
      const objs = render(
        'gateway.enabled=true',
        'gateway.namespace=tenant-a',
        'gateway.namespaces={tenant-b,tenant-a}',
      );
      const bindings = objs.filter((o) => o.kind === 'RoleBinding' && o.metadata.name === 'zonekeeper-gateway');
      assert.deepEqual(
        bindings.map((b) => b.metadata.namespace),
        ['tenant-b', 'tenant-a'],
      );
    });

    it('probes every container on the address it listens on, with a startup probe before liveness; host network stops the old pod first', () => {
      const deployment = (...set: string[]) => render(...set).find((o) => o.kind === 'Deployment');
      const plain = deployment('sidecar.enabled=true');
      const containers = plain?.spec?.template?.spec?.containers ?? [];
      for (const c of containers) {
        const probes = c as unknown as Record<
          string,
          { httpGet?: { path: string }; failureThreshold?: number } | undefined
        >;
        assert.equal(probes['startupProbe']?.httpGet?.path, '/healthz', `${c.name}: startup probe`);
        assert.equal(probes['startupProbe']?.failureThreshold, 60, `${c.name}: 120 s to start at 2 s a probe`);
      }
      // A loopback listener would fail every probe (the kubelet dials the pod's IP).
      assert.equal(containers[0]?.env?.find((e) => e.name === 'ZONEKEEPER_METRICS_ADDRESS')?.value, '');
      const strategy = (o: K8sObject | undefined) =>
        (o?.spec as { strategy?: { rollingUpdate?: unknown } } | undefined)?.strategy?.rollingUpdate;
      assert.deepEqual(strategy(plain), { maxSurge: 1, maxUnavailable: 0 });
      assert.deepEqual(strategy(deployment('hostNetwork=true')), { maxSurge: 0, maxUnavailable: 1 });
    });

    it('renders, with the sidecar, the same containers, ServiceAccount and security context as deploy/operator/deployment.yaml', () => {
      const rendered = render('sidecar.enabled=true').find((o) => o.kind === 'Deployment');
      const [plain] = yaml.loadAll(readText('deploy/operator/deployment.yaml')) as K8sObject[];
      const podOf = (o: K8sObject | undefined) =>
        JSON.parse(JSON.stringify(o?.spec?.template?.spec ?? {})) as Record<string, unknown>;
      const a = podOf(rendered);
      const b = podOf(plain);
      for (const k of [
        'containers',
        'serviceAccountName',
        'securityContext',
        'terminationGracePeriodSeconds',
        'volumes',
      ])
        assert.deepEqual(a[k], b[k], k);
      const [plainPorts] = yaml.loadAll(readText('deploy/operator/switch-ports.yaml')) as K8sObject[];
      const portMap = (o: K8sObject | undefined): unknown => JSON.parse(o?.data?.['switch-ports.json'] ?? 'null');
      assert.deepEqual(
        portMap(render('sidecar.enabled=true').find((o) => o.kind === 'ConfigMap')),
        portMap(plainPorts),
      );
      assert.deepEqual(portMap(plainPorts), { trunkPort: 0, providerPorts: {} });
    });

    it('gives the operator the switch port map from a ConfigMap of its own, or the one named', () => {
      const objs = render(
        'sidecar.enabled=true',
        'sidecar.switchPorts.map.providerPorts.Fog1=1',
        'sidecar.switchPorts.map.providerPorts.PublicCloud2=6',
      );
      const cm = objs.find((o) => o.kind === 'ConfigMap');
      assert.equal(cm?.metadata.name, 'zonekeeper-switch-ports');
      assert.deepEqual(JSON.parse(cm?.data?.['switch-ports.json'] ?? 'null'), {
        trunkPort: 0,
        providerPorts: { Fog1: 1, PublicCloud2: 6 },
      });
      const pod = objs.find((o) => o.kind === 'Deployment')?.spec?.template?.spec;
      const operator = pod?.containers?.find((c) => c.name === 'operator');
      assert.equal(
        operator?.env?.find((e) => e.name === 'ZONEKEEPER_SWITCH_PORTS')?.value,
        '/etc/zonekeeper/switch-ports/switch-ports.json',
      );
      assert.deepEqual(operator?.volumeMounts, [
        { name: 'switch-ports', mountPath: '/etc/zonekeeper/switch-ports', readOnly: true },
        { name: 'switch-tls', mountPath: '/etc/zonekeeper/switch-tls', readOnly: true },
      ]);
      assert.deepEqual(pod?.volumes, [
        { name: 'switch-ports', configMap: { name: 'zonekeeper-switch-ports' } },
        { name: 'switch-tls', secret: { secretName: 'zonekeeper-switch-tls' } },
      ]);

      const own = render(
        'sidecar.enabled=true',
        'sidecar.switchPorts.configMap=site-ports',
        'sidecar.switchPorts.key=ports.json',
      );
      assert.equal(own.filter((o) => o.kind === 'ConfigMap').length, 0, 'a named ConfigMap is not rendered');
      const ownPod = own.find((o) => o.kind === 'Deployment')?.spec?.template?.spec;
      assert.deepEqual(ownPod?.volumes, [
        { name: 'switch-ports', configMap: { name: 'site-ports' } },
        { name: 'switch-tls', secret: { secretName: 'zonekeeper-switch-tls' } },
      ]);
      assert.equal(
        ownPod?.containers?.[0]?.env?.find((e) => e.name === 'ZONEKEEPER_SWITCH_PORTS')?.value,
        '/etc/zonekeeper/switch-ports/ports.json',
      );
    });

    it('honours the switches: no sidecar, no built-in regions, a ServiceMonitor, no user roles', () => {
      const objs = render(
        'sidecar.enabled=false',
        'privacyRegions.builtin=false',
        'serviceMonitor.enabled=true',
        'rbac.userRoles=false',
      );
      const dep = objs.find((o) => o.kind === 'Deployment');
      const containers = dep?.spec?.template?.spec?.containers ?? [];
      assert.deepEqual(
        containers.map((c) => c.name),
        ['operator'],
      );
      assert.equal(
        containers[0]?.env?.some((e) => e.name === 'ZONEKEEPER_SIDECAR' || e.name === 'ZONEKEEPER_SWITCH_PORTS'),
        false,
      );
      assert.equal(containers[0]?.volumeMounts, undefined);
      assert.equal(dep?.spec?.template?.spec?.volumes, undefined);
      assert.equal(objs.filter((o) => o.kind === 'ConfigMap').length, 0);
      assert.equal(objs.filter((o) => o.kind === 'PrivacyRegion').length, 0);
      assert.equal(objs.filter((o) => o.kind === 'ServiceMonitor').length, 1);
      assert.equal(objs.filter((o) => o.kind === 'ClusterRole').length, 1);
    });
  });
});
