// The ExecutionZone reconciler against in-memory fakes: for each situation,
// the writes it makes (allocation commit, finalizer, status), what it does
// in the members and on the switch, and the conditions it leaves.

import assert from 'node:assert/strict';
import { ZoneConditionType as T, ZoneReason as R } from '../../../src/core/api/conditions.js';
import { FINALIZER } from '../../../src/core/api/resources.js';
import type { ExecutionZone } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { KubeError } from '../../../src/runtime/kube-client.js';
import { group, uuid, zone } from '../../support/core-fixtures.js';
import { zoneObject } from './fakes.js';
import { markDeleted, readyZone, reconcilerOn, zoneBed } from './zone-bed.js';
import { Federation } from '../../../src/core/zones/federation.js';

/** Counts the placement attempts (Federation.reconcile) of every federation until restored. */
function countAttempts(): { count: number; restore: () => void } {
  const original = Object.getOwnPropertyDescriptor(Federation.prototype, 'reconcile')?.value as (
    this: Federation,
    ...args: Parameters<Federation['reconcile']>
  ) => ReturnType<Federation['reconcile']>;
  const counter = {
    count: 0,
    restore: () => {
      Federation.prototype.reconcile = original;
    },
  };
  Federation.prototype.reconcile = function (this: Federation, ...args: Parameters<Federation['reconcile']>) {
    counter.count++;
    return original.apply(this, args);
  };
  return counter;
}

describe('ExecutionZoneReconciler', () => {
  it('places a new zone: commits the allocation, sets the finalizer, creates the instances, and leaves status to the next pass', async () => {
    const bed = zoneBed();
    const spec = zone({ groups: [group({ count: 2 })] });
    bed.zones.put(zoneObject('a', spec));
    const r = await bed.reconciler.reconcile('tenant/a');
    assert.deepEqual(r, { requeueAfterMs: 10_000 }, "the poll interval, should the instances' events never come");
    assert.deepEqual(
      bed.zones.writes.map((w) => w.kind),
      ['status', 'finalizers'],
      'the commit first, then the finalizer; no third write',
    );
    const committed = bed.zones.writes[0]?.body as ExecutionZone['status'];
    assert.ok(committed?.allocation, 'the allocation is durable before anything is created');
    assert.equal(
      getCondition(committed?.conditions, T.Placed),
      undefined,
      'the commit carries the allocation, conditions come with the next write',
    );
    assert.deepEqual(bed.zones.current('tenant/a')?.metadata.finalizers, [FINALIZER]);
    assert.equal(bed.members.created.length, 2);
    assert.equal(bed.events.reasons().filter((x) => x === 'Placed').length, 1);

    bed.members.makeReady(spec.applicationId);
    const r2 = await bed.reconciler.reconcile('tenant/a');
    assert.deepEqual(r2, {}, 'Ready: nothing to look at until an event');
    for (const [type, want] of [
      [T.Ready, 'True/Ready'],
      [T.Placed, 'True/Placed'],
      [T.Provisioned, 'True/Provisioned'],
      [T.NetworkReady, 'True/PlanOnly'],
      [T.Degraded, 'False/AsExpected'],
    ]) {
      assert.equal(bed.cond('tenant/a', type), want, type);
    }
    const status = bed.zones.current('tenant/a')?.status;
    assert.equal(status?.observedGeneration, 1);
    assert.ok(status?.vlanId !== undefined);
    assert.deepEqual(
      Object.values(status?.instances ?? {}).flatMap((x) => Object.values(x).map((i) => i.phase)),
      ['Running', 'Running'],
    );
    assert.deepEqual(
      [...new Set(bed.network.programmed)],
      [spec.applicationId],
      'the switch is programmed (again on each pass: idempotent)',
    );
    assert.ok(bed.events.reasons().includes('Ready'));
  });

  it('lets a waiting zone say why, and places it once capacity is freed', async () => {
    const bed = zoneBed(['Cloud1']);
    const big = await readyZone(bed, 'big', zone({ groups: [group({ count: 4 })] }));
    const waitingSpec = zone({ groups: [group({ count: 2 })] });
    bed.zones.put(zoneObject('late', waitingSpec, { finalizers: [FINALIZER] }));
    const r = await bed.reconciler.reconcile('tenant/late');
    assert.deepEqual(r, { requeueAfterMs: 300_000 }, 'freed capacity wakes it; the long poll is only a safety net');
    assert.equal(bed.cond('tenant/late', T.Placed), 'False/NoMatchingProvider');
    assert.equal(bed.cond('tenant/late', T.Ready), 'False/NoMatchingProvider');
    assert.match(getCondition(bed.conditions('tenant/late'), T.Placed)?.message ?? '', /no provider can take g1/);
    assert.ok(bed.reconciler.waiting.has('tenant/late'));
    assert.equal(bed.members.created.filter((c) => c.includes('late')).length, 0);
    assert.ok(bed.events.reasons().includes('NoMatchingProvider'));

    // The big zone is deleted: its capacity goes back and the waiting zones are retried.
    markDeleted(bed, big);
    assert.deepEqual(await bed.reconciler.reconcile(big), {});
    assert.equal(bed.freed.length, 1, 'capacity freed');
    assert.deepEqual(bed.zones.current(big)?.metadata.finalizers, [], 'finalizer removed once the members are clean');
    await bed.reconciler.reconcile('tenant/late');
    assert.equal(bed.members.instances(waitingSpec.applicationId)['Cloud1']?.length, 2);
    assert.ok(!bed.reconciler.waiting.has('tenant/late'));
  });

  it('says NoFreeVlan, not NoMatchingProvider, when a provider has room but every VLAN is held, and places the zone once one is freed', async () => {
    const bed = zoneBed(['Cloud1'], { vlanRange: { min: 1000, max: 1001 } });
    const first = await readyZone(bed, 'first', zone({ groups: [group({ count: 1, cores: 1 })] }));
    await readyZone(bed, 'second', zone({ groups: [group({ count: 1, cores: 1 })] }));
    const thirdSpec = zone({ groups: [group({ count: 1, cores: 1 })] });
    bed.zones.put(zoneObject('third', thirdSpec, { finalizers: [FINALIZER] }));
    await bed.reconciler.reconcile('tenant/third');
    assert.equal(bed.cond('tenant/third', T.Placed), 'False/NoFreeVlan');
    assert.equal(bed.cond('tenant/third', T.Ready), 'False/NoFreeVlan');
    assert.match(
      getCondition(bed.conditions('tenant/third'), T.Placed)?.message ?? '',
      /^no VLAN left for g1: all 2 VLANs of 1000–1001 are held by other zones .*retried when a zone is released or a VLAN drained: group g1: Cloud1: selected/,
    );
    assert.ok(bed.reconciler.waiting.has('tenant/third'));
    // A pass that finds nothing changed says the same (the answer stands, no new search).
    await bed.reconciler.reconcile('tenant/third');
    assert.equal(bed.cond('tenant/third', T.Placed), 'False/NoFreeVlan');

    markDeleted(bed, first);
    await bed.reconciler.reconcile(first);
    // The pass that places it commits the allocation and leaves the conditions to the next.
    await bed.reconciler.reconcile('tenant/third');
    await bed.reconciler.reconcile('tenant/third');
    assert.equal(bed.cond('tenant/third', T.Placed), 'True/Placed');
    assert.equal(bed.zones.current('tenant/third')?.status?.vlanId, 1000, 'the freed VLAN');
  });

  it('does not try a waiting zone again until capacity, the catalogue or its object changes', async () => {
    const bed = zoneBed(['Cloud1', 'Cloud2']);
    await readyZone(bed, 'big1', zone({ groups: [group({ count: 4 })] }));
    await readyZone(bed, 'big2', zone({ groups: [group({ count: 4 })] }));
    const spec = zone({ groups: [group({ count: 2 })] });
    bed.zones.put(zoneObject('late', spec, { finalizers: [FINALIZER] }));
    const key = 'tenant/late';
    const attempts = countAttempts();
    try {
      const noMatch = () => bed.events.reasons().filter((x) => x === 'NoMatchingProvider').length;
      await bed.reconciler.reconcile(key);
      const placedMessage = getCondition(bed.conditions(key), T.Placed)?.message;
      const explanation = bed.zones.current(key)?.status?.placement;
      assert.ok(explanation && explanation.length > 0, 'status holds the grouped reasons');
      assert.deepEqual([attempts.count, noMatch()], [1, 1]);

      for (let i = 0; i < 3; i++)
        assert.deepEqual(await bed.reconciler.reconcile(key), { requeueAfterMs: 300_000 }, 'still waiting');
      assert.deepEqual([attempts.count, noMatch()], [1, 1], 'no search, no explanation, no repeated Event');
      assert.equal(getCondition(bed.conditions(key), T.Placed)?.message, placedMessage, 'the same reasons');
      assert.deepEqual(bed.zones.current(key)?.status?.placement, explanation);
      assert.ok(bed.reconciler.waiting.has(key));

      // A provider's readiness flips: another attempt, even though it fails the same way.
      const cloud2 = bed.state.provider('Cloud2');
      assert.ok(cloud2);
      bed.state.setProvider({ ...cloud2, ready: false, notReadyReason: 'probe failed' });
      await bed.reconciler.reconcile(key);
      assert.equal(attempts.count, 2);
      await bed.reconciler.reconcile(key);
      assert.equal(attempts.count, 2);

      // Someone else writes the object (a label, a status edit): its answer is read again.
      const current = bed.zones.current(key) as ExecutionZone;
      bed.zones.put({ ...current, metadata: { ...current.metadata, labels: { team: 'a' } } });
      await bed.reconciler.reconcile(key);
      assert.equal(attempts.count, 3);

      // A spec change: tried again, and the new reasons are written.
      const before = bed.zones.current(key) as ExecutionZone;
      const bigger = zone({ applicationId: spec.applicationId, groups: [group({ count: 3 })] });
      bed.zones.put({ ...before, metadata: { ...before.metadata, generation: 2 }, spec: bigger });
      await bed.reconciler.reconcile(key);
      assert.equal(attempts.count, 4);
      assert.equal(bed.zones.current(key)?.status?.observedGeneration, 2);
      await bed.reconciler.reconcile(key);
      assert.equal(attempts.count, 4);
    } finally {
      attempts.restore();
    }
  });

  it('does not repeat the Event of a waiting zone after a restart when its answer is unchanged, and does when it changed', async () => {
    const bed = zoneBed(['Cloud1']);
    await readyZone(bed, 'big', zone({ groups: [group({ count: 4 })] }));
    const spec = zone({ groups: [group({ count: 2 })] });
    bed.zones.put(zoneObject('late', spec, { finalizers: [FINALIZER] }));
    const key = 'tenant/late';
    const noMatch = () => bed.events.reasons().filter((x) => x === 'NoMatchingProvider').length;
    await bed.reconciler.reconcile(key);
    assert.equal(noMatch(), 1);
    const written = bed.zones.current(key);

    // A new operator process: its memory of attempts is empty, so it searches again.
    const restarted = reconcilerOn(bed);
    await restarted.reconcile(key);
    assert.equal(noMatch(), 1, 'the zone already says so: no second Event');
    assert.deepEqual(
      bed.zones.current(key)?.status,
      written?.status,
      'the same status, which the hub store does not write again',
    );

    // The answer changes (the provider stops being ready): that is news.
    const cloud1 = bed.state.provider('Cloud1');
    assert.ok(cloud1);
    bed.state.setProvider({ ...cloud1, ready: false, notReadyReason: 'probe failed' });
    await restarted.reconcile(key);
    assert.equal(noMatch(), 2);
  });

  it('tries a waiting zone again once a release frees capacity, without being told by a watch', async () => {
    const bed = zoneBed(['Cloud1']);
    const big = await readyZone(bed, 'big', zone({ groups: [group({ count: 4 })] }));
    const spec = zone({ groups: [group({ count: 2 })] });
    bed.zones.put(zoneObject('late', spec, { finalizers: [FINALIZER] }));
    await bed.reconciler.reconcile('tenant/late');
    await bed.reconciler.reconcile('tenant/late');
    assert.ok(bed.reconciler.waiting.has('tenant/late'));
    markDeleted(bed, big);
    await bed.reconciler.reconcile(big);
    await bed.reconciler.reconcile('tenant/late');
    assert.ok(!bed.reconciler.waiting.has('tenant/late'), 'the remembered answer did not outlive the release');
    assert.equal(bed.members.instances(spec.applicationId)['Cloud1']?.length, 2);
  });

  it('turns Degraded, not Ready, when a member holding instances does not answer', async () => {
    const bed = zoneBed(['Cloud1']);
    const spec = zone();
    const key = await readyZone(bed, 'a', spec);
    bed.members.member('Cloud1').reachable = false;
    const r = await bed.reconciler.reconcile(key);
    assert.deepEqual(r, { requeueAfterMs: 10_000 });
    assert.equal(bed.cond(key, T.Degraded), 'True/MemberUnreachable');
    assert.equal(bed.cond(key, T.Provisioned), 'False/MemberUnreachable', 'its instances cannot be seen');
    assert.equal(bed.cond(key, T.Ready), 'False/MemberUnreachable');
    assert.match(getCondition(bed.conditions(key), T.Ready)?.message ?? '', /Provisioned: Cloud1 is not reachable/);
    const phases = Object.values(bed.zones.current(key)?.status?.instances?.['Cloud1'] ?? {}).map((i) => i.phase);
    assert.deepEqual(phases, ['Unknown']);
    assert.deepEqual(bed.events.reasons().slice(-2), ['NotReady', 'Degraded']);
  });

  it('keeps a failed allocation commit out of status but says so in Placed, and creates nothing', async () => {
    const bed = zoneBed();
    bed.zones.put(zoneObject('a', zone(), { finalizers: [FINALIZER] }));
    bed.zones.failNext.status.push(new KubeError(500, 'InternalError', 'etcdserver: request timed out'));
    await assert.rejects(
      bed.reconciler.reconcile('tenant/a'),
      /etcdserver/,
      'the error reaches the controller, which backs off',
    );
    assert.equal(bed.members.created.length, 0, 'nothing is created from an allocation that is not durable');
    const status = bed.zones.current('tenant/a')?.status;
    assert.equal(status?.allocation, undefined, 'the failed allocation is not written after all');
    assert.equal(bed.cond('tenant/a', T.Placed), 'False/CommitFailed');
    assert.match(getCondition(status?.conditions, T.Placed)?.message ?? '', /etcdserver: request timed out/);
    assert.equal(bed.cond('tenant/a', T.Ready), 'False/CommitFailed');
    assert.equal(bed.state.ready, false, 'the placement state is stale and rebuilds from the hub on next use');

    // The next pass rebuilds, places again and commits.
    await bed.reconciler.reconcile('tenant/a');
    assert.ok(bed.zones.current('tenant/a')?.status?.allocation);
    assert.equal(bed.members.created.length, 1);
  });

  it('says in Provisioned that the finalizer could not be set, and creates nothing without it', async () => {
    const bed = zoneBed();
    bed.zones.put(zoneObject('a', zone()));
    bed.zones.failNext.finalizers.push(
      new KubeError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'),
    );
    await assert.rejects(bed.reconciler.reconcile('tenant/a'), /unable to handle/);
    assert.equal(bed.members.created.length, 0);
    assert.equal(bed.cond('tenant/a', T.Provisioned), 'False/FinalizerPending');
    assert.equal(bed.cond('tenant/a', T.Ready), 'False/FinalizerPending');
    assert.ok(bed.zones.current('tenant/a')?.status?.allocation, 'the commit before it stands');
    await bed.reconciler.reconcile('tenant/a');
    assert.deepEqual(bed.zones.current('tenant/a')?.metadata.finalizers, [FINALIZER], 'adopted on the next pass');
    assert.equal(bed.members.created.length, 1);
  });

  it('retries a member write that failed soon, not at the poll interval, and writes status meanwhile', async () => {
    const bed = zoneBed(['Cloud1']);
    bed.members.failCreate = new KubeError(
      403,
      'Forbidden',
      'pods "x" is forbidden: error looking up service account tenant/default',
    );
    bed.zones.put(zoneObject('a', zone(), { finalizers: [FINALIZER] }));
    assert.deepEqual(await bed.reconciler.reconcile('tenant/a'), { requeueAfterMs: 250 });
    assert.equal(bed.cond('tenant/a', T.Provisioned), 'False/Provisioning');
    assert.match(getCondition(bed.conditions('tenant/a'), T.Provisioned)?.message ?? '', /service account/);
  });

  it('refuses a zone whose application id another zone holds, and touches nothing', async () => {
    const bed = zoneBed();
    const spec = zone();
    await readyZone(bed, 'first', spec);
    bed.zones.put(zoneObject('second', { ...spec }, { finalizers: [FINALIZER] }));
    const created = bed.members.created.length;
    assert.deepEqual(await bed.reconciler.reconcile('tenant/second'), { requeueAfterMs: 10_000 });
    assert.equal(bed.cond('tenant/second', T.Placed), `False/${R.ApplicationIdInUse}`);
    assert.equal(bed.cond('tenant/second', T.Ready), `False/${R.ApplicationIdInUse}`);
    // Another tenant's zone stays unnamed: the message says the id is taken, not by whom.
    const message = bed.conditions('tenant/second').find((c) => c.type === T.Placed)?.message ?? '';
    assert.match(message, /already used by another ExecutionZone/);
    assert.doesNotMatch(message, /first/);
    assert.equal(bed.cond('tenant/second', T.Degraded), 'False/AsExpected');
    assert.equal(bed.members.created.length, created);
  });

  it('deletes a zone: cleans every member and the switch, then drops the finalizer and frees the allocation', async () => {
    const bed = zoneBed();
    const spec = zone({ groups: [group({ count: 2 })] });
    const key = await readyZone(bed, 'a', spec);
    markDeleted(bed, key, '2026-01-01T00:05:00Z');
    assert.deepEqual(await bed.reconciler.reconcile(key), {});
    assert.deepEqual(bed.members.instances(spec.applicationId), {});
    assert.deepEqual(bed.network.removed, [spec.applicationId]);
    assert.deepEqual(bed.zones.current(key)?.metadata.finalizers, []);
    assert.equal(bed.state.federation?.allocation(spec.applicationId), undefined);
    assert.equal(bed.state.ownerOf(spec.applicationId), undefined);
    assert.equal(bed.freed.length, 1);
  });

  it('keeps the finalizer of a deleted zone while a member that holds its instances does not answer', async () => {
    const bed = zoneBed(['Cloud1']);
    const spec = zone();
    const key = await readyZone(bed, 'a', spec);
    bed.members.member('Cloud1').reachable = false;
    markDeleted(bed, key, '2026-01-01T00:05:00Z');
    const writes = bed.zones.writes.length;
    assert.deepEqual(await bed.reconciler.reconcile(key), { requeueAfterMs: 1000 });
    assert.deepEqual(bed.zones.current(key)?.metadata.finalizers, [FINALIZER]);
    assert.equal(bed.zones.writes.length, writes, 'no write while waiting');
    assert.ok(bed.state.federation?.allocation(spec.applicationId), 'the allocation stays booked');
    bed.members.member('Cloud1').reachable = true;
    assert.deepEqual(await bed.reconciler.reconcile(key), {});
    assert.deepEqual(bed.zones.current(key)?.metadata.finalizers, []);
  });

  it('frees what a zone held when its object vanished without the finalizer running', async () => {
    const bed = zoneBed();
    const spec = zone();
    const key = await readyZone(bed, 'a', spec);
    bed.zones.objects.delete(key);
    assert.deepEqual(await bed.reconciler.reconcile(key), {});
    assert.equal(bed.state.ownerOf(spec.applicationId), undefined);
    assert.equal(bed.freed.length, 1);
  });

  it('with a sidecar, keeps the VLAN of a vanished zone draining through rebuilds, says so to a zone that waits for one, and gives it out once drained', async () => {
    const bed = zoneBed(['Cloud1'], { vlanRange: { min: 1000, max: 1000 } });
    bed.network.configured = true;
    const gone = zone({ groups: [group({ count: 1, cores: 1 })] });
    const key = await readyZone(bed, 'gone', gone);
    bed.zones.objects.delete(key);
    await bed.reconciler.reconcile(key);
    assert.equal(bed.state.ownerOf(gone.applicationId), undefined);
    assert.equal(bed.freed.length, 1, 'capacity freed at once');
    assert.deepEqual([...bed.state.draining], [[gone.applicationId.toLowerCase(), 1000]]);
    // A rebuild from the hub's LIST no longer sees the zone: the VLAN must stay held regardless.
    bed.state.markStale('test: a commit failed');
    const next = zone({ groups: [group({ count: 1, cores: 1 })] });
    bed.zones.put(zoneObject('next', next, { finalizers: [FINALIZER] }));
    await bed.reconciler.reconcile('tenant/next');
    assert.equal(bed.state.rebuilds, 2, 'placed on a rebuilt federation');
    assert.equal(bed.cond('tenant/next', T.Placed), 'False/NoFreeVlan');
    assert.match(
      getCondition(bed.conditions('tenant/next'), T.Placed)?.message ?? '',
      /all 1 VLANs of 1000–1000 are taken: 0 held by other zones, 1 still draining \(their zones are gone, but the switches have not yet confirmed their entries removed\)/,
    );
    assert.equal(bed.state.drained(next.applicationId), false, 'only a draining zone drains');
    assert.equal(bed.state.drained(gone.applicationId), true);
    await bed.reconciler.reconcile('tenant/next');
    assert.equal(bed.state.federation?.allocation(next.applicationId)?.vlanId, 1000);
  });

  it('with a sidecar, keeps the VLAN of a zone released whole until its switch entries are removed', async () => {
    const bed = zoneBed(['Cloud1'], { vlanRange: { min: 1000, max: 1000 } });
    bed.network.configured = true;
    const done = zone({ groups: [group({ count: 1, cores: 1 })] });
    const key = await readyZone(bed, 'done', done);
    bed.network.removeError = new Error('sidecar 127.0.0.1:50051 not reachable');
    bed.state.releases.ask({ release: 'tenant/stop', releaseName: 'stop', zone: key });
    await bed.reconciler.reconcile(key);
    assert.equal(bed.zones.current(key)?.status?.vlanId, undefined, 'released: the zone no longer claims the VLAN');
    assert.deepEqual([...bed.state.draining], [[done.applicationId.toLowerCase(), 1000]], 'but the switches still do');
    const next = zone({ groups: [group({ count: 1, cores: 1 })] });
    bed.zones.put(zoneObject('next', next, { finalizers: [FINALIZER] }));
    await bed.reconciler.reconcile('tenant/next');
    assert.equal(bed.cond('tenant/next', T.Placed), 'False/NoFreeVlan');
    bed.network.removeError = undefined;
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.network.removed, [done.applicationId]);
    assert.equal(bed.state.draining.size, 0, 'drained once the switches confirm');
    await bed.reconciler.reconcile('tenant/next');
    assert.equal(bed.state.federation?.allocation(next.applicationId)?.vlanId, 1000);
  });

  it('without a sidecar, frees the VLAN of a vanished zone at once', async () => {
    const bed = zoneBed(['Cloud1'], { vlanRange: { min: 1000, max: 1000 } });
    const key = await readyZone(bed, 'gone', zone({ groups: [group({ count: 1, cores: 1 })] }));
    bed.zones.objects.delete(key);
    await bed.reconciler.reconcile(key);
    assert.equal(bed.state.draining.size, 0);
    const next = zone({ groups: [group({ count: 1, cores: 1 })] });
    bed.zones.put(zoneObject('next', next, { finalizers: [FINALIZER] }));
    await bed.reconciler.reconcile('tenant/next');
    assert.equal(bed.state.federation?.allocation(next.applicationId)?.vlanId, 1000);
  });

  it('reports Ready at once through becameReady when every instance is ready in the members', async () => {
    const bed = zoneBed();
    const spec = zone({ groups: [group({ count: 2 })] });
    bed.zones.put(zoneObject('a', spec, { finalizers: [FINALIZER] }));
    await bed.reconciler.reconcile('tenant/a');
    assert.equal(bed.reconciler.becameReady('tenant/a'), false);
    bed.members.makeReady(spec.applicationId);
    assert.equal(bed.reconciler.becameReady('tenant/a'), true);
    await bed.reconciler.reconcile('tenant/a');
    assert.equal(bed.reconciler.becameReady('tenant/a'), false, 'already Ready');
  });

  it('uses the injected clock for condition times', async () => {
    const bed = zoneBed();
    bed.clock.advance(86_400_000);
    const key = await readyZone(bed, 'a', zone({ applicationId: uuid() }));
    const t = getCondition(bed.conditions(key), T.Ready)?.lastTransitionTime;
    assert.equal(t, new Date(bed.clock.now()).toISOString());
  });
});
