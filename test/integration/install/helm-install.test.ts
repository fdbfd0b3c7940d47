// `helm install` of charts/zonekeeper on the test bed's hub, with the image
// built by tools/build-image.sh running as a pod on the hub's real node
// (`testbed up --with-node --image ...`): the pod becomes Ready and takes
// the lease, the paper's Tables II and III reconcile to Ready zones with
// their pods and VMs in the members, `helm upgrade` rolls the pod without
// losing a zone, and `helm uninstall` leaves the CRDs and the zones.
//
// The test bed's API servers listen on loopback, so the pod runs in the
// host network and is told the hub's address (KUBERNETES_SERVICE_HOST/PORT),
// with its ServiceAccount token and CA mounted as on any cluster.
// Needs a test bed with the real node (`testbed up --with-node --image
// ARCHIVE`, after `ZONEKEEPER_WITH_NODE=1 bash scripts/install-deps.sh` and
// tools/build-image.sh) and a helm binary: without them it is skipped, and
// the skip is named in the summary; ZONEKEEPER_REQUIRE_NODE=1 makes it fail
// instead; scripts/test.sh sets it (docs/testbed.md, "The hub's real node").

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { ExecutionZone } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { apply, readManifestDir } from '../../../tools/harness/apply.js';
import {
  isReleased,
  listZones,
  waitReleaseDone,
  waitZoneObserved,
  waitZoneReady,
} from '../../../tools/harness/hub-reads.js';
import { paperScenario } from '../../../tools/harness/paper-scenario.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { OPERATOR_NAMESPACE } from '../../../tools/harness/testbed-setup.js';
import { freePort } from '../../../tools/testbed/health.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { hubCluster, requireState } from '../../../tools/testbed/state.js';
import { findHelm } from '../../interop/chart/find-helm.js';
import {
  ensureNamespace,
  foreignZones,
  install,
  type Installed,
  memberObjects,
  resetNamespace,
  startOperator,
} from '../operator/operator-fixture.js';

const NS = 'it-install';
// Not "zonekeeper": the cluster-scoped RBAC of deploy/hub, which the other
// integration tests use, is named zonekeeper-*; this release's is zk-install-zonekeeper-*.
const RELEASE = 'zk-install';
const DEPLOYMENT = `${RELEASE}-zonekeeper-operator`;
const LEASE = 'zonekeeper-operator';

interface Pod extends KubeObject {
  spec?: { nodeName?: string; hostNetwork?: boolean };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    containerStatuses?: { ready: boolean; image: string; restartCount: number }[];
  };
}

/** provider/instance of each live instance of a zone (a group's provider is its instances'). */
function liveInstances(z: ExecutionZone): string[] {
  const a = z.status?.allocation;
  return (a?.instances ?? []).map((i) => `${a?.groups[i.group]?.provider ?? '?'}/${i.name}`).sort();
}

/** The Pod Security level enforced in the operator's namespace (deploy/hub sets restricted). */
async function setPodSecurity(hub: KubeClient, level: 'privileged' | 'restricted'): Promise<void> {
  await hub.mergePatch(
    resourcePath({ group: '', version: 'v1', plural: 'namespaces', namespaced: false }, undefined, OPERATOR_NAMESPACE),
    {
      metadata: { labels: { 'pod-security.kubernetes.io/enforce': level } },
    },
  );
}

function podReady(p: Pod): boolean {
  return (
    (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') &&
    p.metadata?.deletionTimestamp === undefined
  );
}

describe('install: helm install of the chart, the operator as a pod on the hub real node', function () {
  this.timeout(600_000);
  let helm: string;
  let env: Installed;
  let hub: KubeClient;
  let image: string;
  let work: string;
  let valuesFile: string;
  let installed = false;

  const run = (args: string[], timeoutMs = 300_000): string => {
    const r = spawnSync(helm, [...args, '--kubeconfig', hubCluster(requireState()).kubeconfig], {
      encoding: 'utf8',
      timeout: timeoutMs,
    });
    assert.equal(r.status, 0, `helm ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  /** The release's operator pods; those being deleted only when asked for. */
  const pods = async (withTerminating = false): Promise<Pod[]> =>
    (
      await hub.list<Pod>(
        resourcePath({ group: '', version: 'v1', plural: 'pods', namespaced: true }, OPERATOR_NAMESPACE),
        { labelSelector: `app.kubernetes.io/instance=${RELEASE},app.kubernetes.io/component=operator` },
      )
    ).items.filter((p) => withTerminating || p.metadata?.deletionTimestamp === undefined);
  const leaseHolder = async (): Promise<string> =>
    (
      await hub.get<{ spec?: { holderIdentity?: string } }>(
        resourcePath(
          { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true },
          OPERATOR_NAMESPACE,
          LEASE,
        ),
      )
    ).spec?.holderIdentity ?? '';

  before(async function () {
    const state = requireState();
    const foundHelm = findHelm();
    const missing = [
      state.realNode ? '' : 'a test bed with the real node (testbed up --with-node --image ARCHIVE)',
      foundHelm ? '' : 'helm (tools/build-helm.sh)',
    ].filter((m) => m !== '');
    if (missing.length > 0) {
      if (process.env['ZONEKEEPER_REQUIRE_NODE'] === '1')
        throw new Error(`the install test needs ${missing.join(' and ')}`);
      console.warn(`    skipped: needs ${missing.join(' and ')}`);
      this.skip();
    }
    helm = foundHelm as string;
    const version = (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    image = process.env['ZONEKEEPER_IMAGE'] ?? `localhost/zonekeeper:${version}`;
    assert.ok(
      state.realNode?.images.includes(image),
      `image ${image} was not imported into the node (have ${state.realNode?.images.join(', ')})`,
    );
    env = await install();
    hub = env.hub;
    const foreign = await foreignZones(hub, [NS]);
    assert.deepEqual(
      foreign.map((z) => `${z.metadata.namespace}/${z.metadata.name}`),
      [],
      'other ExecutionZones in the hub would take the VLANs the paper expects',
    );
    await ensureNamespace(hub, NS);
    // Zones and ZoneReleases of an earlier run (a Succeeded release of the
    // same name would make this run's STOP look done before it happened).
    await cleanNamespace();
    // An aborted earlier run can leave its operator pod terminating on the node.
    await pollUntil(
      `no ${RELEASE} operator pod left from an earlier run`,
      async () => ((await pods(true)).length === 0 ? true : undefined),
      { timeoutMs: 120_000, everyMs: 1000 },
    );
    // The chart's pod is restricted, but here it must run in the host network
    // (the test bed's API servers listen on loopback), which only the
    // privileged Pod Security level admits. Restored in after().
    await setPodSecurity(hub, 'privileged');
    work = mkdtempSync(join(tmpdir(), 'zk-install-'));
    const hubUrl = new URL(hubCluster(state).server);
    const [repository, tag] = [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)];
    valuesFile = join(work, 'values.yaml');
    writeFileSync(
      valuesFile,
      yaml.dump({
        operator: {
          image: { repository, tag, pullPolicy: 'IfNotPresent' },
          metricsPort: await freePort(),
          // In the host network: the node's own address, where the kubelet probes.
          metricsAddress: state.realNode?.address,
          // The hub's address as the pod sees it in the host network.
          extraEnv: [
            { name: 'KUBERNETES_SERVICE_HOST', value: hubUrl.hostname },
            { name: 'KUBERNETES_SERVICE_PORT', value: hubUrl.port },
          ],
        },
        hostNetwork: true,
      }),
    );
  });

  after(async () => {
    if (!hub) return;
    if (installed)
      spawnSync(
        helm,
        [
          'uninstall',
          RELEASE,
          '--namespace',
          OPERATOR_NAMESPACE,
          '--wait',
          '--kubeconfig',
          hubCluster(requireState()).kubeconfig,
        ],
        { encoding: 'utf8' },
      );
    await cleanNamespace().catch((e: unknown) => console.error(`[install-it] cleanup: ${String(e)}`));
    await setPodSecurity(hub, 'restricted').catch((e: unknown) => console.error(`[install-it] ${String(e)}`));
    // The release took the built-in PrivacyRegions over (--take-ownership) and
    // its uninstall deleted them: put back what the other tests expect.
    for (const region of readManifestDir(join(repoRoot(), 'deploy', 'regions'))) await apply(hub, region);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs: the operator pod runs the local image on the real node, becomes Ready and takes the lease', async () => {
    const t0 = Date.now();
    installed = true; // a failed install leaves a release behind too: after() uninstalls it
    // --take-ownership: earlier tests applied the same built-in PrivacyRegions with kubectl.
    run([
      'install',
      RELEASE,
      join(repoRoot(), 'charts', 'zonekeeper'),
      '--namespace',
      OPERATOR_NAMESPACE,
      '--create-namespace',
      '--take-ownership',
      '-f',
      valuesFile,
      '--wait',
      '--timeout',
      '4m',
    ]);
    // helm's --wait counts replicas minus maxUnavailable, which is 0 for one
    // replica in the host network (maxUnavailable 1): wait for Ready here.
    const pod = await pollUntil(
      'the operator pod Ready',
      async () => {
        const list = await pods();
        return list.length === 1 && podReady(list[0]) ? list[0] : undefined;
      },
      { timeoutMs: 180_000, everyMs: 500 },
    );
    console.error(`      helm install --wait to a Ready operator pod: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.equal(pod.spec?.nodeName, requireState().realNode?.name);
    assert.equal(
      pod.status?.containerStatuses?.[0]?.image.endsWith(image.split('/').pop() as string),
      true,
      `image ${pod.status?.containerStatuses?.[0]?.image}`,
    );
    const name = pod.metadata?.name as string;
    await pollUntil(`lease ${LEASE} held by ${name}`, async () => ((await leaseHolder()) === name ? true : undefined), {
      timeoutMs: 60_000,
      everyMs: 500,
    });
    // Logs through the API server: the kubelet is reachable by its node address.
    const log = await hub.request<string>('GET', `/api/v1/namespaces/${OPERATOR_NAMESPACE}/pods/${name}/log`, {
      timeoutMs: 10_000,
    });
    assert.match(String(log), /operator started/);
  });

  it('reconciles the paper scenario applied with client calls: zones Ready, pods and VMs in the members', async () => {
    const steps = paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NS);
    for (const step of steps) {
      if (step.kind === 'zone') {
        await apply(hub, step.zone);
        const z = await waitZoneObserved(hub, NS, step.zone.metadata.name);
        assert.equal(
          getCondition(z.status?.conditions, 'Placed')?.status,
          'True',
          `message ${step.index + 1}: ${getCondition(z.status?.conditions, 'Placed')?.message}`,
        );
      } else {
        await apply(hub, step.release);
        assert.equal(
          (await waitReleaseDone(hub, NS, step.release.metadata.name)).status?.phase,
          'Succeeded',
          `message ${step.index + 1}`,
        );
      }
    }
    const zones: ExecutionZone[] = [];
    for (const z of (await listZones(hub, NS)).filter((x) => !isReleased(x)))
      zones.push(await waitZoneReady(hub, NS, z.metadata.name, 120_000));
    assert.equal(
      zones.length,
      5,
      `five of the six applications keep a zone (one is released whole); have ${zones
        .map((z) => `${z.metadata.name} ${z.spec.applicationId} ${liveInstances(z).join(',')}`)
        .join('; ')}`,
    );
    assert.deepEqual(zones.map((z) => z.status?.vlanId).sort(), [1000, 1001, 1002, 1003, 1004]);
    await assertMembersMatch(zones);
  });

  it('helm upgrade with a changed value rolls the pod, moves the lease, and loses no zone', async () => {
    const before = await zoneSummary();
    const [old] = await pods();
    const oldName = old?.metadata?.name as string;
    run([
      'upgrade',
      RELEASE,
      join(repoRoot(), 'charts', 'zonekeeper'),
      '--namespace',
      OPERATOR_NAMESPACE,
      '-f',
      valuesFile,
      '--set',
      'operator.concurrency=2',
      '--wait',
      '--timeout',
      '4m',
    ]);
    const fresh = await pollUntil(
      'one Ready operator pod, not the old one',
      async () => {
        const list = await pods();
        return list.length === 1 && list[0]?.metadata?.name !== oldName && podReady(list[0]) ? list[0] : undefined;
      },
      { timeoutMs: 120_000, everyMs: 500 },
    );
    const newName = fresh.metadata?.name as string;
    const dep = await hub.get<{
      spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } };
    }>(
      resourcePath(
        { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
        OPERATOR_NAMESPACE,
        DEPLOYMENT,
      ),
    );
    assert.equal(
      dep.spec?.template?.spec?.containers?.[0]?.env?.find((e) => e.name === 'ZONEKEEPER_CONCURRENCY')?.value,
      '2',
    );
    await pollUntil(
      `lease ${LEASE} moved to ${newName}`,
      async () => ((await leaseHolder()) === newName ? true : undefined),
      { timeoutMs: 60_000, everyMs: 500 },
    );
    for (const z of before) await waitZoneReady(hub, NS, z.name, 60_000);
    assert.deepEqual(await zoneSummary(), before, 'same zones, VLANs and instances after the roll');
    await assertMembersMatch((await listZones(hub, NS)).filter((x) => !isReleased(x)));
  });

  it('helm uninstall removes the operator and leaves the CRDs and the zones', async () => {
    const before = await zoneSummary();
    run(['uninstall', RELEASE, '--namespace', OPERATOR_NAMESPACE, '--wait', '--timeout', '2m']);
    installed = false;
    await pollUntil('operator pods gone', async () => ((await pods(true)).length === 0 ? true : undefined), {
      timeoutMs: 60_000,
      everyMs: 500,
    });
    const crds = await hub.list<KubeObject>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    const names = crds.items
      .map((c) => c.metadata?.name ?? '')
      .filter((n) => n.endsWith('.zonekeeper.io'))
      .sort();
    assert.deepEqual(names, [
      'executionzones.zonekeeper.io',
      'privacyregions.zonekeeper.io',
      'providerclusters.zonekeeper.io',
      'zonereleases.zonekeeper.io',
    ]);
    assert.deepEqual(await zoneSummary(), before, "the tenants' zones stay, with their status");
  });

  /** Deletes the namespace's zones and releases; the zones' finalizers need an operator, run on the host. */
  async function cleanNamespace(): Promise<void> {
    const op = startOperator(env, 'it-install-cleanup');
    try {
      await op.start();
      await resetNamespace(hub, NS);
    } finally {
      await op.kill('SIGTERM');
    }
  }

  /** Name, VLAN and instances of every zone still holding instances. */
  async function zoneSummary(): Promise<{ name: string; vlan: number | undefined; instances: string[] }[]> {
    return (await listZones(hub, NS))
      .filter((z) => !isReleased(z))
      .map((z) => ({ name: z.metadata.name, vlan: z.status?.vlanId, instances: liveInstances(z) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Each zone's allocated instances are exactly the pods and VMs its application has in the members. */
  async function assertMembersMatch(zones: readonly ExecutionZone[]): Promise<void> {
    const objects = (await memberObjects(env)).filter((o) => !o.deleting);
    for (const z of zones) {
      const want = liveInstances(z);
      const got = objects
        .filter((o) => o.applicationId === z.spec.applicationId)
        .map((o) => `${o.provider}/${o.instance}`)
        .sort();
      assert.deepEqual(got, want, `${z.metadata.name}: member objects`);
    }
    assert.ok(
      objects.some((o) => o.vm),
      'VM groups became KubeVirt VirtualMachines',
    );
    assert.ok(
      objects.some((o) => !o.vm),
      'container groups became pods',
    );
  }
});
