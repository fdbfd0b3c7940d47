// A member API server stopped and started again: the provider turns not
// Ready (no new placements there), its zones Degraded; after the restart
// they are Ready again, with the same pods and no duplicates.

import assert from 'node:assert/strict';
import type { ExecutionZone, ProviderCluster } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { PROVIDER_CLUSTERS } from '../../../src/core/api/resources.js';
import { apply } from '../../../tools/harness/apply.js';
import { getZone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { resourcePath } from '../../../src/runtime/kube-client.js';
import { startApiServer, stopApiServer } from '../../../tools/testbed/testbed.js';
import { deleteAllZones, install, type Installed, leadingOperator, memberObjects } from './operator-fixture.js';

const NS = 'it-member';

function fogZone(id: string): ExecutionZone {
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name: id, namespace: NS },
    spec: {
      applicationId: id,
      performance: 'latency',
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

describe('operator: a member API server goes away and comes back', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess;
  let stopped = false;

  before(async () => {
    env = await install();
    op = await leadingOperator(env, 'it-member', [NS], { probeInterval: '2s' });
  });

  after(async () => {
    if (stopped) await startApiServer('Fog1').catch(() => undefined);
    await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[operator-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
  });

  it('marks its zones Degraded, places new zones elsewhere, and recovers without duplicates', async () => {
    const a = '22222222-0000-4000-8000-000000000001';
    await apply(env.hub, fogZone(a));
    const ready = await waitZoneReady(env.hub, NS, a);
    assert.equal(ready.status?.providers, 'Fog1');
    const before = (await memberObjects(env))
      .filter((o) => o.applicationId === a)
      .map((o) => o.name)
      .sort();

    await stopApiServer('Fog1');
    stopped = true;
    const degraded = await pollUntil(
      'zone Degraded',
      async () => {
        const z = await getZone(env.hub, NS, a);
        return getCondition(z.status?.conditions, 'Degraded')?.status === 'True' ? z : undefined;
      },
      { timeoutMs: 60_000, everyMs: 250 },
    );
    assert.equal(getCondition(degraded.status?.conditions, 'Ready')?.status, 'False');
    const pc = await env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, 'fog1'));
    assert.equal(getCondition(pc.status?.conditions, 'Reachable')?.status, 'False');

    // Fog1 is first for latency-sensitive fog zones; while it is away a new one goes to Fog2.
    const b = '22222222-0000-4000-8000-000000000002';
    await apply(env.hub, fogZone(b));
    const elsewhere = await waitZoneReady(env.hub, NS, b);
    assert.equal(elsewhere.status?.providers, 'Fog2');

    await startApiServer('Fog1');
    stopped = false;
    const back = await pollUntil(
      'zone Ready and not Degraded',
      async () => {
        const z = await getZone(env.hub, NS, a);
        return getCondition(z.status?.conditions, 'Ready')?.status === 'True' &&
          getCondition(z.status?.conditions, 'Degraded')?.status === 'False'
          ? z
          : undefined;
      },
      { timeoutMs: 90_000, everyMs: 250 },
    );
    assert.equal(back.status?.providers, 'Fog1');
    const after = (await memberObjects(env))
      .filter((o) => o.applicationId === a)
      .map((o) => o.name)
      .sort();
    assert.deepEqual(after, before, 'the same pods, none twice');
  });
});
