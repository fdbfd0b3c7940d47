// Two operator replicas: only the leader acts; SIGKILL of the leader hands
// the lease over within the lease time (15 s, plus one retry period for
// the successor to notice), with no instance created twice.

import assert from 'node:assert/strict';
import { listZones, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import { metricValue, type OperatorProcess } from '../../../tools/harness/operator-process.js';
import { apply } from '../../../tools/harness/apply.js';
import { requireState } from '../../../tools/testbed/state.js';
import { appId, rng, zoneManifest } from './churn.js';
import { catalogueProviders, checkInvariants } from './invariants.js';
import {
  deleteAllZones,
  resetNamespace,
  ensureNamespace,
  install,
  type Installed,
  memberObjects,
  startOperator,
} from './operator-fixture.js';

const NS = 'it-ha';

describe('operator: two replicas and leader handover', function () {
  this.timeout(300_000);
  let env: Installed;
  const ops: OperatorProcess[] = [];

  before(async () => {
    env = await install();
    await ensureNamespace(env.hub, NS);
  });

  after(async () => {
    const alive = ops.filter((o) => o.running);
    if (alive.length > 0)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[operator-it] cleanup: ${String(e)}`));
    for (const o of ops) await o.kill('SIGTERM');
  });

  it('lets only the leader act and hands over within the lease time without double creation', async () => {
    const leaders: string[] = [];
    const leaseWon = new Map<string, number>();
    for (const id of ['it-ha-a', 'it-ha-b']) {
      const op = startOperator(env, id);
      op.onLog((rec) => {
        if (rec['msg'] === 'controller started' && rec['controller'] === 'executionzone') leaders.push(id);
        if (rec['msg'] === 'leader election: became leader') leaseWon.set(id, Date.now());
      });
      ops.push(op);
    }
    await Promise.all(ops.map((o) => o.start()));
    await pollUntil('a leader', async () => (leaders.length > 0 ? true : undefined), 60_000);
    await resetNamespace(env.hub, NS);
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(leaders.length, 1, `exactly one replica runs controllers, got ${leaders.join(', ')}`);
    const leader = ops.find((o) => o.options.identity === leaders[0]) as OperatorProcess;
    const standby = ops.find((o) => o !== leader) as OperatorProcess;
    assert.equal(metricValue(await leader.metrics(), 'leader_election_master_status'), 1);
    assert.equal(metricValue(await standby.metrics(), 'leader_election_master_status'), 0);

    const pick = rng(99);
    for (let i = 0; i < 10; i++) await apply(env.hub, zoneManifest(NS, appId(i, 7), pick));
    for (const z of await listZones(env.hub, NS)) await waitZoneReady(env.hub, NS, z.metadata.name, 60_000);
    // Standby reconciled nothing.
    assert.equal(
      metricValue(await standby.metrics(), 'controller_runtime_reconcile_total', {
        controller: 'executionzone',
        result: 'success',
      }) ?? 0,
      0,
    );

    for (let i = 10; i < 20; i++) await apply(env.hub, zoneManifest(NS, appId(i, 7), pick));
    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    await pollUntil('the standby to lead', async () => (leaders.length === 2 ? true : undefined), {
      timeoutMs: 30_000,
      everyMs: 50,
    });
    const handoverMs = Date.now() - killedAt;
    const leaseMs = (leaseWon.get(standby.options.identity) ?? Date.now()) - killedAt;
    console.error(
      `[operator-it] lease taken over ${(leaseMs / 1000).toFixed(1)} s after the SIGKILL, controllers running after ${(handoverMs / 1000).toFixed(1)} s (lease 15 s, retry 2 s)`,
    );
    // The successor waits out the lease from the last renewal it saw (at most one retry period before the kill).
    assert.ok(leaseMs <= 15_000 + 2_000 + 500, `lease handover took ${leaseMs} ms`);
    assert.ok(handoverMs <= 15_000 + 2_000 + 3_000, `handover to running controllers took ${handoverMs} ms`);
    for (const z of await listZones(env.hub, NS)) await waitZoneReady(env.hub, NS, z.metadata.name, 60_000);
    const zones = await listZones(env.hub, NS);
    const objects = await memberObjects(env);
    assert.deepEqual(checkInvariants(zones, objects, catalogueProviders(requireState().catalogue)), []);
    const mine = objects.filter((o) => zones.some((z) => z.spec.applicationId === o.applicationId));
    const live = zones.reduce((n, z) => n + (z.status?.allocation?.instances.length ?? 0), 0);
    assert.equal(mine.length, live, 'one member object per instance: nothing created twice');
  });
});
