// spec.failover in the zone reconciler, on in-memory fakes: a member that
// stays unreachable past the toleration loses the zone's instances to
// another provider, durably and once; when it answers again what is left
// there is deleted and never created again; a zone without spec.failover
// stays Degraded with its allocation.

import assert from 'node:assert/strict';
import { ZoneConditionType as T } from '../../../src/core/api/conditions.js';
import type { ExecutionZone, ExecutionZoneSpec, ProviderCluster } from '../../../src/core/api/types.js';
import { unreachableSince } from '../../../src/controllers/provider-cluster-reconciler.js';
import { OperatorMetrics } from '../../../src/runtime/metrics.js';
import { group, provider, zone } from '../../support/core-fixtures.js';
import { markDeleted, readyZone, reconcilerOn, zoneBed, type ZoneBed } from './zone-bed.js';

const TOLERATION_S = 30;

function failoverZone(over: Partial<ExecutionZoneSpec> = {}): ExecutionZoneSpec {
  return zone({ groups: [group({ count: 2 })], failover: { afterSeconds: TOLERATION_S }, ...over });
}

/** The member stops answering: the probe's verdict reaches the catalogue, as the ProviderCluster reconciler sets it. */
function memberDown(bed: ZoneBed, name: string, order: number): void {
  bed.members.member(name).reachable = false;
  bed.state.setProvider({
    ...provider(name, {
      capacity: { cores: 4, memory: 65536, storage: 1048576 },
      network: { uplink: `zkup-${name.toLowerCase()}` },
    }),
    order,
    ready: false,
    notReadyReason: 'connection refused',
    unreachableSince: bed.clock.now(),
  });
}

function memberBack(bed: ZoneBed, name: string, order: number): void {
  bed.members.member(name).reachable = true;
  bed.state.setProvider({
    ...provider(name, {
      capacity: { cores: 4, memory: 65536, storage: 1048576 },
      network: { uplink: `zkup-${name.toLowerCase()}` },
    }),
    order,
  });
}

const statusOf = (bed: ZoneBed, key: string) => bed.zones.current(key)?.status;
const degradedMessage = (bed: ZoneBed, key: string): string =>
  statusOf(bed, key)?.conditions?.find((c) => c.type === T.Degraded)?.message ?? '';

describe('ExecutionZoneReconciler: spec.failover', () => {
  it('keeps the allocation until the toleration is over, then moves the group, commits it and says what moved', async () => {
    const bed = zoneBed();
    const spec = failoverZone();
    const key = await readyZone(bed, 'a', spec);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'] });
    memberDown(bed, 'Cloud1', 0);

    bed.clock.advance((TOLERATION_S - 10) * 1000);
    const early = await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Degraded), 'True/MemberUnreachable');
    assert.deepEqual(early, { requeueAfterMs: 10_000 }, 'the poll and the toleration (10 s left) coincide');
    assert.match(
      degradedMessage(bed, key),
      /Cloud1 not reachable.*; spec\.failover moves them after 30s unreachable, in 10s$/,
    );
    assert.deepEqual(
      statusOf(bed, key)?.allocation?.instances.map((i) => i.name),
      ['V1', 'V2'],
      'nothing moves before the toleration is over',
    );

    bed.clock.advance(10_000);
    const writesBefore = bed.zones.writes.length;
    await bed.reconciler.reconcile(key);
    const commit = bed.zones.writes[writesBefore]?.body as ExecutionZone['status'];
    assert.deepEqual(
      commit?.allocation?.instances.map((i) => i.name),
      ['V3', 'V4'],
      'the move is durable before the replacements are created',
    );
    const s = statusOf(bed, key);
    assert.deepEqual(s?.movedInstances, [
      { instance: 'V1', from: 'Cloud1', replacement: 'V3', to: 'Cloud2' },
      { instance: 'V2', from: 'Cloud1', replacement: 'V4', to: 'Cloud2' },
    ]);
    assert.deepEqual(s?.releasedInstances, ['V1', 'V2']);
    assert.equal(s?.allocation?.groups['g1']?.provider, 'Cloud2');
    assert.deepEqual(Object.keys(s?.instances ?? {}), ['Cloud2']);
    assert.deepEqual(bed.members.created.slice(-2), ['Cloud2/V3', 'Cloud2/V4']);
    const ev = bed.events.list.find((e) => e.reason === 'FailedOver');
    assert.match(ev?.note ?? '', /V1 on Cloud1 -> V3 on Cloud2, V2 on Cloud1 -> V4 on Cloud2/);
    assert.match(ev?.note ?? '', /local state of the old instances is lost/);
    assert.equal(bed.state.federation?.usedBy('Cloud1').cores, 0, 'the lost instances no longer book Cloud1');
    assert.equal(bed.state.federation?.usedBy('Cloud2').cores, 2);

    bed.members.makeReady(spec.applicationId);
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Ready), 'True/Ready');
    assert.equal(bed.cond(key, T.Degraded), 'False/AsExpected', 'no instance of the zone is on the missing member');
    assert.equal(bed.events.reasons().filter((r) => r === 'FailedOver').length, 1, 'moved once');
  });

  it('deletes what is left on the member when it answers again, and never creates the moved instances there', async () => {
    const bed = zoneBed();
    const spec = failoverZone();
    const key = await readyZone(bed, 'a', spec);
    memberDown(bed, 'Cloud1', 0);
    bed.clock.advance(TOLERATION_S * 1000);
    await bed.reconciler.reconcile(key);
    // Cloud1 still holds V1 and V2: it was not reachable to delete them.
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'], Cloud2: ['V3', 'V4'] });

    memberBack(bed, 'Cloud1', 0);
    // An operator restarted meanwhile: its state comes from the hub alone.
    bed.state.markStale('test: restart');
    const fresh = reconcilerOn(bed);
    await fresh.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud2: ['V3', 'V4'] });
    assert.ok(bed.members.deleted.includes('Cloud1/V1') && bed.members.deleted.includes('Cloud1/V2'));
    assert.ok(!bed.members.created.slice(2).some((c) => c.startsWith('Cloud1/')), 'nothing created on Cloud1 again');
    assert.equal(bed.state.federation?.usedBy('Cloud1').cores, 0, 'the ledger, rebuilt, books nothing on Cloud1');
    assert.equal(bed.state.federation?.usedBy('Cloud2').cores, 2);
    await fresh.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud2: ['V3', 'V4'] }, 'and it stays so');
  });

  it('without spec.failover: the zone stays Degraded and keeps its allocation however long the member is away', async () => {
    const bed = zoneBed();
    const spec = zone({ groups: [group({ count: 2 })] });
    const key = await readyZone(bed, 'a', spec);
    const before = structuredClone(statusOf(bed, key)?.allocation);
    memberDown(bed, 'Cloud1', 0);
    bed.clock.advance(24 * 3600 * 1000);
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Degraded), 'True/MemberUnreachable');
    assert.deepEqual(statusOf(bed, key)?.allocation, before);
    assert.equal(statusOf(bed, key)?.movedInstances, undefined);
    assert.match(
      degradedMessage(bed, key),
      /; no spec\.failover: the instances there stay allocated until it answers$/,
    );
    assert.ok(!bed.events.reasons().includes('FailedOver'));
    assert.equal(bed.state.federation?.usedBy('Cloud1').cores, 2);
  });

  it('keeps a group that no other provider can take, says so once, and moves it when one can', async () => {
    const bed = zoneBed();
    // Cloud2 is full: a 4-core zone there first.
    const full = await readyZone(bed, 'full', zone({ groups: [group({ count: 4 })] }));
    const spec = failoverZone();
    const key = await readyZone(bed, 'a', spec);
    assert.equal(statusOf(bed, key)?.providers, 'Cloud2', 'Cloud1 was full');
    memberDown(bed, 'Cloud2', 1);
    bed.clock.advance(TOLERATION_S * 1000);
    const metrics = new OperatorMetrics();
    const reconciler = reconcilerOn(bed, { metrics, pollMs: 10_000 });
    const r = await reconciler.reconcile(key);
    assert.deepEqual(r, { requeueAfterMs: 10_000 });
    assert.equal(bed.cond(key, T.Degraded), 'True/MemberUnreachable');
    assert.match(
      degradedMessage(bed, key),
      /; spec\.failover is due, but no provider can take g1 on Cloud2: Cloud1: insufficient capacity/,
    );
    assert.equal((await metrics.failoverBlocked.get()).values[0]?.value, 1);
    assert.deepEqual(
      statusOf(bed, key)?.allocation?.instances.map((i) => i.name),
      ['V1', 'V2'],
    );
    const blocked = bed.events.list.filter((e) => e.reason === 'FailoverBlocked');
    assert.equal(blocked.length, 1);
    assert.match(blocked[0]?.note ?? '', /no provider can take g1 on Cloud2: Cloud1: insufficient capacity/);
    await reconciler.reconcile(key);
    assert.equal(bed.events.list.filter((e) => e.reason === 'FailoverBlocked').length, 1, 'said once');

    // The full zone goes: Cloud1 has room, and the next pass moves the group there.
    markDeleted(bed, full);
    await reconciler.reconcile(full);
    await reconciler.reconcile(key);
    assert.deepEqual(statusOf(bed, key)?.movedInstances, [
      { instance: 'V1', from: 'Cloud2', replacement: 'V3', to: 'Cloud1' },
      { instance: 'V2', from: 'Cloud2', replacement: 'V4', to: 'Cloud1' },
    ]);
    assert.equal((await metrics.failoverBlocked.get()).values[0]?.value, 0);
    assert.deepEqual(
      (await metrics.failoverMoves.get()).values.map((v) => `${v.labels.from}->${v.labels.to}=${v.value}`),
      ['Cloud2->Cloud1=2'],
    );
    await reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Degraded), 'False/AsExpected');
    assert.doesNotMatch(
      degradedMessage(bed, key),
      /failover/,
      `nothing of the zone is on the missing member any more: ${degradedMessage(bed, key)}`,
    );
  });
});

describe('ProviderClusterReconciler: since when a member is unreachable', () => {
  const pc = (status?: ProviderCluster['status']): ProviderCluster => ({
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ProviderCluster',
    metadata: { name: 'fog1' },
    spec: {
      country: 242,
      tier: 'fog',
      environment: 'container',
      resourceTypes: ['CPU'],
      capacity: { cores: 1, memory: 1, storage: 1 },
    },
    ...(status ? { status } : {}),
  });
  const cond = (status: 'True' | 'False', at: string) => ({
    conditions: [{ type: 'Reachable', status, reason: 'x', message: 'x', lastTransitionTime: at }],
  });

  it('is the Reachable=False transition time, which survives an operator restart', () => {
    const t = '2026-01-01T00:00:00.000Z';
    assert.equal(unreachableSince(pc(cond('False', t)), Date.parse(t) + 60_000), Date.parse(t));
  });

  it('is now when this probe is the first to fail', () => {
    assert.equal(unreachableSince(pc(cond('True', '2026-01-01T00:00:00Z')), 5000), 5000);
    assert.equal(unreachableSince(pc(), 5000), 5000);
  });
});
