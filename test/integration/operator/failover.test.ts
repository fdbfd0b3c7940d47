// spec.failover on the real test bed: a member's API server is stopped; a
// zone with failover moves to another provider once the toleration is
// over, a zone without it stays Degraded with its allocation; the member is
// started again and the moved zone's pods left there are deleted (and never
// come back), while the other zone's pods are kept; the capacity ledger
// (ProviderCluster status.allocated) books each instance once, where it is.

import assert from 'node:assert/strict';
import type { ExecutionZone, ProviderCluster } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { EXECUTION_ZONES, PROVIDER_CLUSTERS } from '../../../src/core/api/resources.js';
import { apply } from '../../../tools/harness/apply.js';
import { getZone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { LABELS, MANAGED_SELECTOR, PODS } from '../../../src/clusters/member-objects.js';
import { startApiServer, stopApiServer } from '../../../tools/testbed/testbed.js';
import { deleteAllZones, install, type Installed, leadingOperator } from './operator-fixture.js';

const NS = 'it-failover';
const AFTER_SECONDS = 10;

function fogZone(id: string, failover: boolean): ExecutionZone {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name: id, namespace: NS },
    spec: {
      applicationId: id,
      performance: 'latency',
      ...(failover ? { failover: { afterSeconds: AFTER_SECONDS } } : {}),
      groups: [
        {
          name: 'g1',
          environment: 'container',
          platformType: 'fog',
          resourceType: 'CPU',
          count: 2,
          cores: 1,
          memory: 256,
          storage: 1024,
          image: 'busybox',
        },
      ],
    },
  };
}

describe('operator: failover when a member stays unreachable (spec.failover)', function () {
  this.timeout(400_000);
  let env: Installed;
  let op: OperatorProcess;
  let stopped = false;

  before(async () => {
    env = await install();
    op = await leadingOperator(env, 'it-failover', [NS], { probeInterval: '2s' });
  });

  after(async () => {
    if (stopped) await startApiServer('Fog1').catch(() => undefined);
    await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[operator-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
  });

  /** The zone's pods on one member (terminating ones too), by instance; read from the member itself. */
  const pods = async (id: string, provider: string): Promise<string[]> => {
    const c = env.members.get(provider);
    assert.ok(c, `no member ${provider}`);
    const list = await c.list<KubeObject>(resourcePath(PODS), { labelSelector: MANAGED_SELECTOR });
    return list.items
      .filter((o) => o.metadata?.labels?.[LABELS.applicationId] === id)
      .map((o) => o.metadata?.labels?.[LABELS.instance] ?? '')
      .sort();
  };
  const allocated = async (name: string): Promise<number> =>
    (await env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, name))).status?.allocated?.cores ??
    0;

  /** Cores the zones' durable allocations place on `provider` (live instances only). */
  const allocatedByZones = async (provider: string): Promise<number> => {
    let cores = 0;
    for (const z of (await env.hub.list<ExecutionZone>(resourcePath(EXECUTION_ZONES))).items) {
      const a = z.status?.allocation;
      for (const i of a?.instances ?? [])
        if (a?.groups[i.group]?.provider === provider) cores += a.groups[i.group]?.cores ?? 0;
    }
    return cores;
  };
  /**
   * Waits until the provider's status.allocated (the operator's capacity
   * ledger, written on every probe) agrees with the allocations; the cores.
   */
  const booked = async (provider: string): Promise<number> => {
    let last = '';
    const name = provider.toLowerCase();
    try {
      return await pollUntil(
        `${name} status.allocated.cores to agree with the allocations`,
        async () => {
          const [have, want] = [await allocated(name), await allocatedByZones(provider)];
          last = `ledger ${have}, allocations ${want}`;
          return have === want ? have : undefined;
        },
        { timeoutMs: 30_000, everyMs: 500 },
      );
    } catch (e) {
      throw new Error(`${String(e)} (last seen: ${last})`, { cause: e });
    }
  };

  it('moves the zone with failover after the toleration, keeps the other, and cleans the member when it returns', async () => {
    const moving = '33333333-0000-4000-8000-000000000001';
    const staying = '33333333-0000-4000-8000-000000000002';
    await apply(env.hub, fogZone(moving, true));
    await apply(env.hub, fogZone(staying, false));
    for (const id of [moving, staying]) assert.equal((await waitZoneReady(env.hub, NS, id)).status?.providers, 'Fog1');
    const old = await pods(moving, 'Fog1');
    assert.equal(old.length, 2);
    const stayingPods = await pods(staying, 'Fog1');
    const stayingAllocation = (await getZone(env.hub, NS, staying)).status?.allocation;
    const fog1Before = await booked('Fog1');
    assert.ok(fog1Before >= 4, `Fog1 books both zones (2 cores each): ${fog1Before}`);

    await stopApiServer('Fog1');
    stopped = true;
    const moved = await pollUntil(
      'the zone with spec.failover moved',
      async () => {
        const z = await getZone(env.hub, NS, moving);
        return (z.status?.movedInstances?.length ?? 0) > 0 ? z : undefined;
      },
      { timeoutMs: 120_000, everyMs: 250 },
    );
    const movedAt = Date.now();
    const pc = await env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, 'fog1'));
    const reachable = getCondition(pc.status?.conditions, 'Reachable');
    assert.equal(reachable?.status, 'False');
    // Not before the toleration (less a second: the transition time may be kept to the second).
    const waited = movedAt - Date.parse(reachable?.lastTransitionTime ?? '');
    assert.ok(waited >= (AFTER_SECONDS - 1) * 1000, `moved ${waited} ms after Fog1 turned unreachable`);
    const moves = moved.status?.movedInstances ?? [];
    assert.deepEqual(moves.map((m) => m.instance).sort(), old, 'every instance on Fog1 moved');
    const to = moves[0]?.to ?? '';
    assert.ok(to !== 'Fog1' && moves.every((m) => m.from === 'Fog1' && m.to === to), JSON.stringify(moves));
    assert.deepEqual(moved.status?.releasedInstances, old);
    const replacements = moves.map((m) => m.replacement).sort();
    assert.ok(
      replacements.every((r) => !old.includes(r)),
      'new names',
    );

    const ready = await waitZoneReady(env.hub, NS, moving);
    assert.equal(ready.status?.providers, to);
    assert.equal(getCondition(ready.status?.conditions, 'Degraded')?.status, 'False');
    assert.deepEqual(await pods(moving, to), replacements);

    // The zone without spec.failover: Degraded, allocation as it was.
    const kept = await getZone(env.hub, NS, staying);
    assert.equal(getCondition(kept.status?.conditions, 'Degraded')?.status, 'True');
    assert.deepEqual(kept.status?.allocation, stayingAllocation);
    assert.equal(kept.status?.movedInstances, undefined);
    // Fog1 books only what it is still meant to run.
    assert.equal(await booked('Fog1'), fog1Before - 2, 'Fog1 no longer books the moved instances');
    const fog2Now = await booked(to);

    await startApiServer('Fog1');
    stopped = false;
    await pollUntil(
      'the moved instances gone from Fog1',
      async () => ((await pods(moving, 'Fog1')).length === 0 ? true : undefined),
      { timeoutMs: 120_000, everyMs: 500 },
    );
    await pollUntil(
      'the zone without failover Ready again on Fog1',
      async () => {
        const z = await getZone(env.hub, NS, staying);
        return getCondition(z.status?.conditions, 'Ready')?.status === 'True' &&
          getCondition(z.status?.conditions, 'Degraded')?.status === 'False'
          ? z
          : undefined;
      },
      { timeoutMs: 90_000, everyMs: 250 },
    );
    assert.deepEqual(await pods(staying, 'Fog1'), stayingPods, 'the zone without failover kept its pods');
    // A while later: nothing came back on Fog1, nothing ran twice.
    await new Promise((r) => setTimeout(r, 6000));
    assert.deepEqual(await pods(moving, 'Fog1'), []);
    assert.deepEqual(await pods(moving, to), replacements);
    assert.equal(await booked('Fog1'), fog1Before - 2, 'Fog1 books the zone without failover, not the moved one');
    assert.equal(await booked(to), fog2Now, 'the replacements stay booked where they run');
    const final = await getZone(env.hub, NS, moving);
    assert.equal(getCondition(final.status?.conditions, 'Ready')?.status, 'True');
    assert.deepEqual(final.status?.movedInstances, moves);
  });
});
