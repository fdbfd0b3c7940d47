// The ZoneRelease reconciler with the zone reconciler behind it, on
// in-memory fakes: the release asks, the zone's reconciler (the only
// writer of zone status) releases and answers, the release finishes.

import assert from 'node:assert/strict';
import { ZoneConditionType as T } from '../../../src/core/api/conditions.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { group, zone } from '../../support/core-fixtures.js';
import { readyZone, releaseBed } from './zone-bed.js';

describe('ZoneReleaseReconciler', () => {
  it('releases named instances through the zone reconciler, which alone writes the zone', async () => {
    const bed = releaseBed();
    const spec = zone({ groups: [group({ count: 3 })] });
    const key = await readyZone(bed, 'a', spec);
    bed.put('stop', { zoneRef: { name: 'a' }, instances: { Cloud1: ['V1'] } });
    const zoneWrites = bed.zones.writes.length;

    assert.deepEqual(await bed.release.reconcile('tenant/stop'), { requeueAfterMs: 2000 });
    assert.equal(bed.rel('stop')?.phase, 'Releasing', 'written before the zone is asked');
    assert.deepEqual(bed.enqueued, [key], 'the zone is asked through its queue');
    assert.equal(bed.zones.writes.length, zoneWrites, 'the release writes nothing of the zone');

    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.settled, ['tenant/stop'], 'the zone answers, which enqueues the release');
    const status = bed.zones.current(key)?.status;
    assert.deepEqual(status?.releasedInstances, ['V1']);
    assert.deepEqual(
      bed.members.instances(spec.applicationId),
      { Cloud1: ['V2', 'V3'] },
      'its VM is deleted in the same pass',
    );
    assert.ok(!bed.state.federation?.allocation(spec.applicationId)?.instances.some((i) => i.name === 'V1'));
    assert.equal(bed.freed.length, 1, 'capacity freed: waiting zones are retried');

    assert.deepEqual(await bed.release.reconcile('tenant/stop'), {});
    assert.equal(bed.rel('stop')?.phase, 'Succeeded');
    assert.deepEqual(bed.rel('stop')?.released, { Cloud1: ['V1'] });
    assert.equal(getCondition(bed.rel('stop')?.conditions, 'Succeeded')?.status, 'True');
    assert.deepEqual(bed.releaseEvents.reasons(), ['Released']);

    // A later pass of the zone never creates V1 again.
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V2', 'V3'] });
  });

  it('fails a release naming an unknown instance and releases nothing', async () => {
    const bed = releaseBed();
    const spec = zone({ groups: [group({ count: 2 })] });
    const key = await readyZone(bed, 'a', spec);
    const before = structuredClone(bed.zones.current(key)?.status?.allocation);
    bed.put('bad', { zoneRef: { name: 'a' }, instances: { Cloud1: ['V1', 'V9'] } });
    await bed.release.reconcile('tenant/bad');
    await bed.reconciler.reconcile(key);
    await bed.release.reconcile('tenant/bad');
    assert.equal(bed.rel('bad')?.phase, 'Failed');
    assert.equal(getCondition(bed.rel('bad')?.conditions, 'Failed')?.reason, 'UnknownInstance');
    assert.match(
      getCondition(bed.rel('bad')?.conditions, 'Failed')?.message ?? '',
      /nothing was released: spec\.instances/,
    );
    assert.deepEqual(bed.zones.current(key)?.status?.allocation, before);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'] });
    assert.deepEqual(bed.releaseEvents.reasons(), ['ReleaseFailed']);
  });

  it('releases a whole zone: Released in every condition, the members and the switch cleaned, the VLAN free', async () => {
    const bed = releaseBed();
    const spec = zone({ groups: [group({ count: 2 })] });
    const key = await readyZone(bed, 'a', spec);
    bed.put('all', { zoneRef: { name: 'a' } });
    await bed.release.reconcile('tenant/all');
    assert.deepEqual(bed.rel('all')?.released, { Cloud1: ['V1', 'V2'] }, 'what goes is recorded with Releasing');
    assert.deepEqual(await bed.reconciler.reconcile(key), {});
    const status = bed.zones.current(key)?.status;
    assert.equal(status?.vlanId, undefined);
    assert.deepEqual(status?.releasedInstances, ['V1', 'V2']);
    for (const type of [T.Placed, T.Provisioned, T.NetworkReady, T.Degraded, T.Ready])
      assert.equal(getCondition(status?.conditions, type)?.reason, 'Released', type);
    assert.equal(getCondition(status?.conditions, T.Released)?.message, 'released whole by ZoneRelease all');
    assert.deepEqual(bed.members.instances(spec.applicationId), {});
    assert.deepEqual(bed.network.removed, [spec.applicationId]);
    assert.equal(bed.state.federation?.allocation(spec.applicationId)?.vlanId, undefined);
    await bed.release.reconcile('tenant/all');
    assert.equal(bed.rel('all')?.phase, 'Succeeded');
    assert.match(
      getCondition(bed.rel('all')?.conditions, 'Succeeded')?.message ?? '',
      /VLAN, addresses and capacity are free/,
    );
    // Never placed again.
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), {});
  });

  it('keeps the zone released and retries the switch when its entries cannot be removed yet', async () => {
    const bed = releaseBed();
    const key = await readyZone(bed, 'a', zone());
    bed.network.removeError = new Error('sidecar not reachable');
    bed.put('all', { zoneRef: { name: 'a' } });
    await bed.release.reconcile('tenant/all');
    assert.deepEqual(await bed.reconciler.reconcile(key), { requeueAfterMs: 1000 });
    assert.match(
      getCondition(bed.conditions(key), T.NetworkReady)?.message ?? '',
      /switch entries not yet removed: sidecar not reachable/,
    );
  });

  it('waits until the trigger is due, then fails for a zone that does not exist', async () => {
    const bed = releaseBed();
    bed.put('later', { zoneRef: { name: 'nope' }, trigger: { after: '90s' } });
    assert.deepEqual(await bed.release.reconcile('tenant/later'), { requeueAfterMs: 90_000 });
    assert.equal(bed.rel('later')?.phase, 'Waiting');
    bed.clock.advance(90_000);
    assert.deepEqual(await bed.release.reconcile('tenant/later'), {});
    assert.equal(bed.rel('later')?.phase, 'Failed');
    assert.equal(getCondition(bed.rel('later')?.conditions, 'Failed')?.reason, 'ZoneNotFound');
    assert.deepEqual(bed.enqueued, []);
  });

  it('recognises its own work when asked again after a crash between the zone commit and its final status', async () => {
    const bed = releaseBed();
    const spec = zone({ groups: [group({ count: 2 })] });
    const key = await readyZone(bed, 'a', spec);
    bed.put('stop', { zoneRef: { name: 'a' }, instances: { Cloud1: ['V2'] } });
    await bed.release.reconcile('tenant/stop');
    await bed.reconciler.reconcile(key);
    // A new leader: the answers in memory are gone, the release is still Releasing.
    bed.state.releases.forget('tenant/stop');
    await bed.release.reconcile('tenant/stop');
    await bed.reconciler.reconcile(key);
    await bed.release.reconcile('tenant/stop');
    assert.equal(bed.rel('stop')?.phase, 'Succeeded');
    assert.deepEqual(bed.zones.current(key)?.status?.releasedInstances, ['V2']);
  });
});
