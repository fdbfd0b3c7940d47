// ZoneReleases with the `usage` and `stall` triggers on the real test bed:
// the operator as a process reads each member's metrics.k8s.io through the
// member's kube-aggregator (with its member credentials and RBAC) and the
// pods' restart counts from the member's API server. The metrics stand-in
// serves the numbers this test writes; everything between it and the
// operator is the real path. A usage release waits while the named
// instance is busy and while its reading is missing, fires once its CPU was
// low for `for`, releases exactly the named instance, and says so in one
// Event with the value; a stall release fires on a restart loop (restart
// counts raised in the pod's status, as a kubelet would) and releases the
// whole zone.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { ExecutionZone, ZoneRelease } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { ZONE_RELEASES } from '../../../src/core/api/resources.js';
import { zoneNamespace } from '../../../src/clusters/member-objects.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { apply, deleteIfExists } from '../../../tools/harness/apply.js';
import { waitReleaseDone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { paperScenario } from '../../../tools/harness/paper-scenario.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { setPodUsage, type ContainerUsage } from '../../../tools/testbed/metrics-values.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { requireState } from '../../../tools/testbed/state.js';
import { deleteAllZones, install, type Installed, leadingOperator, memberObjects } from './operator-fixture.js';

const NS = 'it-usage';
const ZONE = '755b94a1-2847-4bb8-b530-cfca97404f51'; // the paper's first zone: two containers
const RELEASES = ['c2-quiet', 'restart-loop'];

interface ReleaseEvent extends KubeObject {
  reason?: string;
  note?: string;
  regarding?: { name?: string; uid?: string };
}

interface PodStatus extends KubeObject {
  status?: { containerStatuses?: ({ restartCount?: number } & Record<string, unknown>)[] };
}

describe('operator: ZoneReleases that wait for usage and stall, read from the members’ metrics.k8s.io, live', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess | undefined;
  const stateDir = requireState().dir;
  let provider = '';
  let member: KubeClient;
  const namespace = zoneNamespace(ZONE);
  const usage = (pod: string, cpu: string | undefined): void =>
    setPodUsage(
      stateDir,
      provider,
      namespace,
      pod,
      cpu === undefined ? undefined : { instance: { cpu, memory: '200Mi' } satisfies ContainerUsage },
    );
  const read = (name: string): Promise<ZoneRelease> => env.hub.get<ZoneRelease>(resourcePath(ZONE_RELEASES, NS, name));
  const firedEvents = async (rel: ZoneRelease): Promise<ReleaseEvent[]> =>
    (await env.hub.list<ReleaseEvent>(`/apis/events.k8s.io/v1/namespaces/${NS}/events`)).items.filter(
      (e) => e.regarding?.uid === rel.metadata.uid && e.reason === 'TriggerFired',
    );

  before(async () => {
    env = await install();
    for (const r of RELEASES) await deleteIfExists(env.hub, 'ZoneRelease', r, NS);
    op = await leadingOperator(env, 'it-usage', [NS]);
  });

  after(async () => {
    for (const r of RELEASES) await deleteIfExists(env.hub, 'ZoneRelease', r, NS).catch(() => undefined);
    if (env && op?.running)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[usage-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
    if (provider) for (const pod of ['c1', 'c2']) usage(pod, undefined);
  });

  it('serves metrics.k8s.io through each member’s API server (the aggregator), not around it', async () => {
    for (const [name, client] of env.members) {
      const list = await client.get<{ kind?: string }>('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');
      assert.equal(list.kind, 'PodMetricsList', name);
    }
    // Around the aggregator: the stand-in takes only the member's front-proxy client, with a user header.
    const rec = env.memberRecords[0];
    assert.ok(rec?.metricsPort);
    const pki = join(stateDir, 'clusters', rec.id, 'pki');
    const call = (who: string, headers: Record<string, string> = {}): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: rec.metricsPort,
            path: '/apis/metrics.k8s.io/v1beta1/pods',
            ca: readFileSync(join(pki, 'ca.crt')),
            servername: 'metrics-server.kube-system.svc',
            cert: readFileSync(join(pki, `${who}.crt`)),
            key: readFileSync(join(pki, `${who}.key`)),
            headers,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    await assert.rejects(
      call('client-admin', { 'X-Remote-User': 'admin' }),
      'a cluster-admin certificate is not the front proxy',
    );
    assert.equal(await call('front-proxy-client'), 401, 'no X-Remote-User');
    assert.equal(await call('front-proxy-client', { 'X-Remote-User': 'system:serviceaccount:x:y' }), 200);
  });

  it('waits while the named instance is busy or unmeasured, then releases exactly it once its CPU was low for usage.for', async () => {
    const step = paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NS).find(
      (s) => s.kind === 'zone' && s.zone.spec.applicationId === ZONE,
    );
    assert.ok(step?.kind === 'zone');
    await apply(env.hub, step.zone);
    const z: ExecutionZone = await waitZoneReady(env.hub, NS, ZONE, 120_000);
    const placed = Object.entries(z.status?.instances ?? {});
    assert.equal(placed.length, 1, `one provider: ${JSON.stringify(Object.keys(z.status?.instances ?? {}))}`);
    provider = placed[0]?.[0] ?? '';
    assert.deepEqual(Object.keys(placed[0]?.[1] ?? {}).sort(), ['C1', 'C2']);
    member = env.members.get(provider) as KubeClient;
    usage('c1', '900m');
    usage('c2', '500m');

    const created = Date.now();
    await apply<ZoneRelease>(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name: 'c2-quiet', namespace: NS },
      spec: {
        zoneRef: { name: ZONE },
        instances: { [provider]: ['C2'] },
        trigger: { usage: { resource: 'cpu', below: '100m', for: '20s' } },
      },
    });
    const busy = await pollUntil(
      'the release measured C2',
      async () => {
        const r = await read('c2-quiet');
        return r.status?.observed?.cpu ? r : undefined;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    assert.equal(busy.status?.phase, 'Waiting');
    assert.equal(busy.status?.observed?.cpu, '500m', 'C2 alone: C1 is not in the scope');

    // No reading for C2 (as before metrics-server scraped it): no evidence, said so.
    usage('c2', undefined);
    const blind = await pollUntil(
      'the release saw no metrics for C2',
      async () => {
        const r = await read('c2-quiet');
        return /no cpu metrics for C2/.test(r.status?.observed?.message ?? '') ? r : undefined;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    assert.match(blind.status?.observed?.message ?? '', /no evidence, the clock restarts/);
    assert.equal(blind.status?.observed?.since, undefined);
    usage('c2', '300m');
    while (Date.now() - created < 30_000) await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await read('c2-quiet')).status?.phase, 'Waiting', 'busy for longer than usage.for: not released');

    usage('c2', '20m');
    const low = Date.now();
    const done = await waitReleaseDone(env.hub, NS, 'c2-quiet', 90_000);
    assert.equal(done.status?.phase, 'Succeeded', JSON.stringify(done.status?.conditions));
    assert.deepEqual(done.status?.released, { [provider]: ['C2'] });
    assert.equal(done.status?.observed?.cpu, '20m');
    const since = Date.parse(done.status?.observed?.since ?? '');
    assert.ok(since >= low - 1000, `the clock started at a low reading (${done.status?.observed?.since})`);
    const fired = Date.parse(done.status?.releaseTime ?? '');
    assert.ok(fired - since >= 20_000, `fired ${fired - since} ms after the first low reading: not before usage.for`);

    const events = await firedEvents(done);
    assert.equal(events.length, 1, JSON.stringify(events.map((e) => e.note)));
    assert.match(
      events[0]?.note ?? '',
      /^usage: cpu 20m summed over 1 instance\(s\), below 100m at every reading since .* \(\d+s, at least 20s\): releasing the named instances$/,
    );
    const left = await pollUntil(
      'C2 gone from the member, C1 kept',
      async () => {
        const mine = (await memberObjects(env)).filter((o) => o.applicationId === ZONE.toLowerCase());
        return mine.length === 1 ? mine : undefined;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    );
    assert.deepEqual(
      left.map((o) => [o.provider, o.instance, o.deleting]),
      [[provider, 'C1', false]],
    );
  });

  it('releases the whole zone on a restart loop (stall.restarts), counted from the pods’ status', async () => {
    assert.ok(provider, 'needs the zone of the test before');
    await apply<ZoneRelease>(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name: 'restart-loop', namespace: NS },
      spec: { zoneRef: { name: ZONE }, trigger: { stall: { for: '1m', restarts: 2 } } },
    });
    const baseline = await pollUntil(
      'the release counted the restarts',
      async () => {
        const r = await read('restart-loop');
        return r.status?.observed?.restarts !== undefined ? r : undefined;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    assert.equal(baseline.status?.observed?.restarts, 0);
    assert.equal(baseline.status?.phase, 'Waiting');

    // The container restarts twice, as the kubelet reports it in the pod's status.
    const c1 = (await memberObjects(env)).find((o) => o.applicationId === ZONE.toLowerCase() && o.instance === 'C1');
    assert.ok(c1 && !c1.vm, 'C1 is a pod in the member');
    const podPath = resourcePath({ group: '', version: 'v1', plural: 'pods', namespaced: true }, c1.namespace, c1.name);
    const restart = async (count: number): Promise<void> => {
      const pod = await member.get<PodStatus>(podPath);
      const statuses = (pod.status?.containerStatuses ?? []).map((c) => ({ ...c, restartCount: count }));
      assert.equal(statuses.length, 1);
      await member.mergePatch(`${podPath}/status`, { status: { containerStatuses: statuses } });
    };
    await restart(1);
    const once = await pollUntil(
      'the release saw one restart',
      async () => {
        const r = await read('restart-loop');
        return r.status?.observed?.restarts === 1 ? r : undefined;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    assert.equal(once.status?.phase, 'Waiting', 'one restart of the two');
    assert.deepEqual(
      once.status?.observed?.restartRises?.map((r) => r.count),
      [1],
    );
    const kept = await member.get<PodStatus>(podPath);
    assert.equal(kept.status?.containerStatuses?.[0]?.restartCount, 1, 'KWOK left the count as the test set it');
    await restart(2);
    const done = await waitReleaseDone(env.hub, NS, 'restart-loop', 90_000);
    assert.equal(done.status?.phase, 'Succeeded', JSON.stringify(done.status?.conditions));
    assert.equal(done.status?.observed?.restarts, 2);
    assert.deepEqual(done.status?.released, { [provider]: ['C1'] }, 'the whole zone: what was left of it');
    const events = await firedEvents(done);
    assert.equal(events.length, 1, JSON.stringify(events.map((e) => e.note)));
    assert.match(
      events[0]?.note ?? '',
      /^stall: restart counts rose by 2 within the last 1m \(at least 2\); 2 restarts in all: releasing the whole zone$/,
    );
    await pollUntil(
      'zone released',
      async () => {
        const zz = await env.hub.get<ExecutionZone>(
          `/apis/zonekeeper.io/v1alpha1/namespaces/${NS}/executionzones/${ZONE}`,
        );
        return getCondition(zz.status?.conditions, 'Released')?.status === 'True' ? zz : undefined;
      },
      { timeoutMs: 60_000, everyMs: 500 },
    );
  });
});
