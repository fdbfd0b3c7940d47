// A ZoneRelease with the `completed` trigger on the real test bed: a zone
// with a group of two jobs (restartPolicy Never) and a service; the
// release names the jobs' group and waits while one job runs; the test
// makes the jobs' applications exit as the kubelet would report it (the
// KWOK pod-exit stages, keyed on the exit-code annotation); once both
// Succeeded the release fires, says so in one TriggerFired Event, and gives
// back exactly the jobs, while the service keeps running. The finished
// pods are never made again. The same for a VM (the VMI stand-in ends the
// guest), and a failed job keeps the release waiting, named.

import assert from 'node:assert/strict';
import { LABELS, PODS, VIRTUAL_MACHINES, zoneNamespace } from '../../../src/clusters/member-objects.js';
import { ZONE_RELEASES } from '../../../src/core/api/resources.js';
import type { ExecutionZone, InstanceGroup, ZoneRelease } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { type KubeClient, type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { apply, deleteIfExists } from '../../../tools/harness/apply.js';
import { getZone, waitReleaseDone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { EXIT_CODE_ANNOTATION } from '../../../tools/testbed/kwok-stages.js';
import { deleteAllZones, install, type Installed, leadingOperator } from './operator-fixture.js';

const NS = 'it-completed';
const JOBS = 'a3f0c2d4-5b6e-4f70-8a91-b2c3d4e5f601';
const VMS = 'a3f0c2d4-5b6e-4f70-8a91-b2c3d4e5f602';
const FAILING = 'a3f0c2d4-5b6e-4f70-8a91-b2c3d4e5f603';

interface Pod extends KubeObject {
  spec?: { restartPolicy?: string };
  status?: { phase?: string };
}

interface ReleaseEvent extends KubeObject {
  reason?: string;
  note?: string;
  regarding?: { uid?: string };
}

const containers = (name: string, count: number, restartPolicy?: InstanceGroup['restartPolicy']): InstanceGroup => ({
  name,
  environment: 'container',
  platformType: 'fog',
  resourceType: 'CPU',
  count,
  cores: 1,
  memory: 256,
  storage: 512,
  image: 'registry.example/batch:1',
  ...(restartPolicy ? { restartPolicy } : {}),
});

function zoneOf(applicationId: string, groups: InstanceGroup[]): ExecutionZone {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name: applicationId, namespace: NS },
    spec: { applicationId, groups },
  };
}

function release(name: string, zone: string, spec: Partial<ZoneRelease['spec']>): ZoneRelease {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ZoneRelease',
    metadata: { name, namespace: NS },
    spec: { zoneRef: { name: zone }, trigger: { completed: {} }, ...spec },
  };
}

describe('operator: a ZoneRelease that waits for the application to complete, live', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess | undefined;

  const readRelease = (name: string): Promise<ZoneRelease> =>
    env.hub.get<ZoneRelease>(resourcePath(ZONE_RELEASES, NS, name));
  const member = (provider: string): KubeClient => {
    const c = env.members.get(provider);
    assert.ok(c, `no member ${provider}`);
    return c;
  };
  const podsOf = async (provider: string, applicationId: string): Promise<Map<string, Pod>> => {
    const items = (
      await member(provider).list<Pod>(resourcePath(PODS, zoneNamespace(applicationId)), {
        labelSelector: `${LABELS.applicationId}=${applicationId}`,
      })
    ).items;
    return new Map(items.map((p) => [p.metadata?.labels?.[LABELS.instance] ?? '', p]));
  };
  /** The application in the instance's pod or VM exits with `code`, as the test bed's kubelet plays it. */
  const exit = async (provider: string, applicationId: string, object: string, code: number, vm = false) => {
    await member(provider).mergePatch(
      resourcePath(vm ? VIRTUAL_MACHINES : PODS, zoneNamespace(applicationId), object),
      { metadata: { annotations: { [EXIT_CODE_ANNOTATION]: String(code) } } },
    );
  };
  const waitObserved = (name: string, completed: string, timeoutMs = 30_000) =>
    pollUntil(
      `ZoneRelease ${name} observed completed ${completed}`,
      async () => {
        const r = await readRelease(name);
        return r.status?.observed?.completed === completed ? r : undefined;
      },
      { timeoutMs, everyMs: 250 },
    );

  before(async () => {
    env = await install();
    op = await leadingOperator(env, 'it-completed', [NS]);
  });

  after(async () => {
    if (env && op?.running)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[completed-it] cleanup: ${String(e)}`));
    for (const name of ['jobs-done', 'vm-done', 'never-done'])
      await deleteIfExists(env.hub, 'ZoneRelease', name, NS).catch(() => undefined);
    await op?.kill('SIGTERM');
  });

  it("waits while a job of the group runs, fires once both Succeeded, and releases exactly that group's instances", async () => {
    await apply(env.hub, zoneOf(JOBS, [containers('jobs', 2, 'Never'), containers('web', 1)]));
    const ready = await waitZoneReady(env.hub, NS, JOBS, 120_000);
    assert.deepEqual(Object.keys(ready.status?.instances?.['Fog1'] ?? {}).sort(), ['C1', 'C2', 'C3']);
    const pods = await podsOf('Fog1', JOBS);
    assert.deepEqual(
      ['C1', 'C2', 'C3'].map((n) => pods.get(n)?.spec?.restartPolicy),
      ['Never', 'Never', 'Always'],
      "each pod has its group's restartPolicy",
    );
    const uid = (n: string) => pods.get(n)?.metadata?.uid;

    await apply(env.hub, release('jobs-done', JOBS, { groups: ['jobs'] }));
    const waiting = await waitObserved('jobs-done', '0/2');
    assert.equal(waiting.status?.phase, 'Waiting');
    assert.deepEqual(waiting.status?.observed?.pending, ['Fog1/C1', 'Fog1/C2']);

    await exit('Fog1', JOBS, 'c1', 0);
    const one = await waitObserved('jobs-done', '1/2');
    assert.equal(one.status?.phase, 'Waiting', 'one job still runs: not released');
    assert.deepEqual(one.status?.observed?.pending, ['Fog1/C2']);
    assert.match(
      getCondition(one.status?.conditions, 'Succeeded')?.message ?? '',
      /^completed: 1\/2 named instances succeeded; not done: Fog1\/C2 \(pod Running\)$/,
    );
    // The zone counts the finished job as finished, not broken, and does not make it again.
    const zone = await pollUntil(
      'the zone records C1 Succeeded',
      async () => {
        const z = await getZone(env.hub, NS, JOBS);
        return z.status?.instances?.['Fog1']?.['C1']?.phase === 'Succeeded' ? z : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
    const readyCond = getCondition(zone.status?.conditions, 'Ready');
    assert.equal(readyCond?.status, 'True', JSON.stringify(readyCond));
    assert.match(readyCond?.message ?? '', /1\/3 instance\(s\) finished/);
    const afterOne = await podsOf('Fog1', JOBS);
    assert.equal(afterOne.get('C1')?.status?.phase, 'Succeeded');
    assert.equal(afterOne.get('C1')?.metadata?.uid, uid('C1'), 'the finished pod is the same pod: not recreated');

    await exit('Fog1', JOBS, 'c2', 0);
    const done = await waitReleaseDone(env.hub, NS, 'jobs-done', 60_000);
    assert.equal(done.status?.phase, 'Succeeded', JSON.stringify(done.status?.conditions));
    assert.deepEqual(done.status?.released, { Fog1: ['C1', 'C2'] });
    assert.equal(done.status?.observed?.completed, '2/2');

    const events = (await env.hub.list<ReleaseEvent>(`/apis/events.k8s.io/v1/namespaces/${NS}/events`)).items.filter(
      (e) => e.regarding?.uid === done.metadata.uid && e.reason === 'TriggerFired',
    );
    assert.equal(events.length, 1, JSON.stringify(events.map((e) => e.note)));
    assert.equal(
      events[0]?.note,
      'completed: 2/2 named instances succeeded: releasing every instance of group(s) jobs',
    );

    const left = await pollUntil(
      "the jobs' pods gone from Fog1",
      async () => {
        const now = await podsOf('Fog1', JOBS);
        return now.has('C1') || now.has('C2') ? undefined : now;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
    assert.deepEqual([...left.keys()], ['C3'], 'the other group keeps running');
    assert.equal(left.get('C3')?.metadata?.uid, uid('C3'));
    assert.equal(left.get('C3')?.status?.phase, 'Running');
    const z = await getZone(env.hub, NS, JOBS);
    assert.deepEqual(z.status?.releasedInstances, ['C1', 'C2']);
    assert.deepEqual(Object.keys(z.status?.instances?.['Fog1'] ?? {}), ['C3']);
  });

  it('waits for a VM whose guest ran once, then releases the whole zone', async () => {
    const vmGroup: InstanceGroup = {
      ...containers('batch', 1, 'Never'),
      environment: 'VM',
      platformType: 'cloud',
    };
    await apply(env.hub, zoneOf(VMS, [vmGroup]));
    const ready = await waitZoneReady(env.hub, NS, VMS, 120_000);
    const provider = Object.keys(ready.status?.instances ?? {})[0] ?? '';
    assert.deepEqual(Object.keys(ready.status?.instances?.[provider] ?? {}), ['V1']);
    const vm = await member(provider).get<KubeObject & { spec?: { runStrategy?: string } }>(
      resourcePath(VIRTUAL_MACHINES, zoneNamespace(VMS), 'v1'),
    );
    assert.equal(vm.spec?.runStrategy, 'Once');

    await apply(env.hub, release('vm-done', VMS, {}));
    await waitObserved('vm-done', '0/1');
    await exit(provider, VMS, 'v1', 0, true);
    const done = await waitReleaseDone(env.hub, NS, 'vm-done', 60_000);
    assert.equal(done.status?.phase, 'Succeeded', JSON.stringify(done.status?.conditions));
    assert.deepEqual(done.status?.released, { [provider]: ['V1'] });
    const z = await pollUntil(
      'the VM zone released',
      async () => {
        const zz = await getZone(env.hub, NS, VMS);
        return getCondition(zz.status?.conditions, 'Released')?.status === 'True' ? zz : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
    assert.equal(z.status?.vlanId, undefined);
  });

  it('keeps waiting while a job failed, names it, and never runs it again', async () => {
    await apply(env.hub, zoneOf(FAILING, [containers('jobs', 1, 'Never')]));
    await waitZoneReady(env.hub, NS, FAILING, 120_000);
    const uid = (await podsOf('Fog1', FAILING)).get('C1')?.metadata?.uid;
    await apply(env.hub, release('never-done', FAILING, {}));
    await waitObserved('never-done', '0/1');
    await exit('Fog1', FAILING, 'c1', 3);
    const failed = await pollUntil(
      'the release names the failed job',
      async () => {
        const r = await readRelease('never-done');
        return (r.status?.observed?.failed ?? []).length > 0 ? r : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
    assert.equal(failed.status?.phase, 'Waiting');
    assert.deepEqual(failed.status?.observed?.failed, ['Fog1/C1']);
    assert.match(failed.status?.observed?.message ?? '', /Fog1\/C1 \(pod Failed, exit code 3\)/);
    const zone = await pollUntil(
      'the zone says Completed',
      async () => {
        const z = await getZone(env.hub, NS, FAILING);
        return getCondition(z.status?.conditions, 'Ready')?.reason === 'Completed' ? z : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
    assert.equal(getCondition(zone.status?.conditions, 'Ready')?.status, 'False');
    // A few more seconds: nothing turns it back to Running, nothing makes it again.
    await new Promise((r) => setTimeout(r, 3000));
    const pod = (await podsOf('Fog1', FAILING)).get('C1');
    assert.equal(pod?.status?.phase, 'Failed');
    assert.equal(pod?.metadata?.uid, uid);
    assert.equal((await readRelease('never-done')).status?.phase, 'Waiting');
  });
});
