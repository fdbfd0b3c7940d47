// restartPolicy, ZoneRelease spec.groups and the `completed` trigger,
// through the ZoneRelease reconciler and the zone reconciler on in-memory
// members: finished instances are not broken and never made again, the
// release waits for every named instance, then gives back exactly them.

import assert from 'node:assert/strict';
import { ZoneConditionType as T } from '../../../src/core/api/conditions.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import type { MemberVm } from '../../../src/clusters/member-objects.js';
import { group, zone } from '../../support/core-fixtures.js';
import { readyZone, releaseBed, zoneBed } from './zone-bed.js';

/** A group of two jobs (Never) and a service (Always) on Cloud1. */
function jobsAndService() {
  return zone({
    groups: [group({ name: 'jobs', count: 2, restartPolicy: 'Never' }), group({ name: 'svc', count: 1 })],
  });
}

function bedWithMembers() {
  const zones = zoneBed(['Cloud1']);
  return releaseBed(zones, { members: zones.members, completedPollMs: 5000 });
}

describe('restartPolicy and the completed trigger', () => {
  it('creates VMs with the run strategy of their group', async () => {
    const bed = bedWithMembers();
    const spec = zone({
      groups: [
        group({ name: 'a', restartPolicy: 'Never' }),
        group({ name: 'b', restartPolicy: 'OnFailure' }),
        group({ name: 'c' }),
      ],
    });
    await readyZone(bed, 'z', spec);
    const strategies = [...(bed.members.member('Cloud1').zones.get(spec.applicationId)?.entries() ?? [])].map(
      ([name, o]) => [name, (o.obj as MemberVm).spec?.['runStrategy']],
    );
    assert.deepEqual(strategies, [
      ['V1', 'Once'],
      ['V2', 'RerunOnFailure'],
      ['V3', 'Always'],
    ]);
  });

  it('counts finished instances as finished, never makes them again, and says Completed once all are', async () => {
    const bed = bedWithMembers();
    const spec = jobsAndService();
    const key = await readyZone(bed, 'z', spec);
    const created = [...bed.members.created];

    bed.members.endVm(spec.applicationId, 'V1', 'Succeeded');
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Ready), 'True/Ready', 'a finished job is not a broken instance');
    assert.match(
      getCondition(bed.conditions(key), T.Ready)?.message ?? '',
      /2 instance\(s\) ready; 1\/3 instance\(s\) finished/,
    );
    assert.equal(bed.zones.current(key)?.status?.instances?.['Cloud1']?.['V1']?.phase, 'Stopped');

    // Someone removes the finished VM: the zone does not run the job a second time.
    bed.members.member('Cloud1').zones.get(spec.applicationId)?.delete('V1');
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.members.created, created, 'nothing created again');
    assert.equal(bed.cond(key, T.Ready), 'True/Ready');

    bed.members.endVm(spec.applicationId, 'V2', 'Failed');
    bed.members.endVm(spec.applicationId, 'V3', 'Succeeded');
    // V3 is the service (Always): KubeVirt would start it again, so it is not finished, only not ready.
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Ready), 'False/InstancesNotReady');
    assert.deepEqual(bed.members.created, created);
  });

  it('is Ready=False with reason Completed when every instance finished', async () => {
    const bed = bedWithMembers();
    const spec = zone({ groups: [group({ name: 'jobs', count: 2, restartPolicy: 'OnFailure' })] });
    const key = await readyZone(bed, 'z', spec);
    bed.members.endVm(spec.applicationId, 'V1', 'Succeeded');
    bed.members.endVm(spec.applicationId, 'V2', 'Succeeded');
    assert.deepEqual(await bed.reconciler.reconcile(key), {}, 'nothing to poll for');
    const ready = getCondition(bed.conditions(key), T.Ready);
    assert.equal(`${ready?.status}/${ready?.reason}`, 'False/Completed');
    assert.equal(ready?.message, '2/2 instance(s) finished: the application completed');
    assert.equal(bed.cond(key, T.Provisioned), 'True/Provisioned');
  });

  it('waits while a named group runs, fires when all succeeded, and releases exactly that group', async () => {
    const bed = bedWithMembers();
    const spec = jobsAndService();
    const key = await readyZone(bed, 'z', spec);
    bed.put('done', { zoneRef: { name: 'z' }, groups: ['jobs'], trigger: { completed: {} } });

    assert.deepEqual(await bed.release.reconcile('tenant/done'), { requeueAfterMs: 5000 });
    assert.equal(bed.rel('done')?.phase, 'Waiting');
    assert.deepEqual(bed.rel('done')?.observed, {
      condition: 'completed',
      observedTime: new Date(bed.clock.now()).toISOString(),
      completed: '0/2',
      pending: ['Cloud1/V1', 'Cloud1/V2'],
      failed: [],
    });
    assert.match(
      getCondition(bed.rel('done')?.conditions, 'Succeeded')?.message ?? '',
      /not done: Cloud1\/V1 \(VM Running\)/,
    );

    bed.members.endVm(spec.applicationId, 'V1', 'Succeeded');
    await bed.release.reconcile('tenant/done');
    assert.equal(bed.rel('done')?.observed?.completed, '1/2');
    assert.deepEqual(bed.rel('done')?.observed?.pending, ['Cloud1/V2']);
    assert.deepEqual(bed.enqueued, [], 'the zone is not asked while waiting');

    bed.members.endVm(spec.applicationId, 'V2', 'Succeeded');
    await bed.release.reconcile('tenant/done');
    assert.equal(bed.rel('done')?.phase, 'Releasing');
    assert.deepEqual(
      bed.rel('done')?.released,
      { Cloud1: ['V1', 'V2'] },
      'the groups, as names, before the zone is asked',
    );
    const fired = bed.releaseEvents.list.filter((e) => e.reason === 'TriggerFired');
    assert.equal(fired.length, 1);
    assert.equal(fired[0]?.note, 'completed: 2/2 named instances succeeded: releasing every instance of group(s) jobs');

    await bed.reconciler.reconcile(key);
    await bed.release.reconcile('tenant/done');
    assert.equal(bed.rel('done')?.phase, 'Succeeded');
    assert.deepEqual(bed.rel('done')?.released, { Cloud1: ['V1', 'V2'] });
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V3'] }, 'the service keeps running');
    assert.deepEqual(bed.zones.current(key)?.status?.releasedInstances, ['V1', 'V2']);
    assert.deepEqual(bed.releaseEvents.reasons(), ['TriggerFired', 'Released']);
  });

  it('keeps waiting while a named instance failed, naming it', async () => {
    const bed = bedWithMembers();
    const spec = jobsAndService();
    await readyZone(bed, 'z', spec);
    bed.put('done', { zoneRef: { name: 'z' }, groups: ['jobs'], trigger: { completed: {} } });
    bed.members.endVm(spec.applicationId, 'V1', 'Succeeded');
    bed.members.endVm(spec.applicationId, 'V2', 'Failed');
    await bed.release.reconcile('tenant/done');
    const status = bed.rel('done');
    assert.equal(status?.phase, 'Waiting');
    assert.equal(status?.observed?.completed, '1/2');
    assert.deepEqual(status?.observed?.failed, ['Cloud1/V2']);
    assert.match(
      status?.observed?.message ?? '',
      /failed, so the application did not complete: Cloud1\/V2 \(VM instance Failed\)/,
    );
    assert.deepEqual(bed.enqueued, []);
  });

  it('releases a whole zone once every instance completed', async () => {
    const bed = bedWithMembers();
    const spec = zone({ groups: [group({ name: 'jobs', count: 2, restartPolicy: 'Never' })] });
    const key = await readyZone(bed, 'z', spec);
    bed.put('all', { zoneRef: { name: 'z' }, trigger: { completed: {} } });
    bed.members.endVm(spec.applicationId, 'V1', 'Succeeded');
    bed.members.endVm(spec.applicationId, 'V2', 'Succeeded');
    await bed.release.reconcile('tenant/all');
    assert.equal(bed.rel('all')?.phase, 'Releasing');
    await bed.reconciler.reconcile(key);
    await bed.release.reconcile('tenant/all');
    assert.equal(bed.rel('all')?.phase, 'Succeeded');
    assert.equal(bed.cond(key, T.Released), 'True/Released');
  });

  it('fails a release naming a group the zone does not have, releasing nothing', async () => {
    const bed = bedWithMembers();
    const spec = jobsAndService();
    const key = await readyZone(bed, 'z', spec);
    const before = structuredClone(bed.zones.current(key)?.status?.allocation);
    bed.put('bad', { zoneRef: { name: 'z' }, groups: ['jobs', 'nope'], trigger: { completed: {} } });
    bed.put('bad-now', { zoneRef: { name: 'z' }, groups: ['nope'] });
    for (const name of ['bad', 'bad-now']) {
      assert.deepEqual(await bed.release.reconcile(`tenant/${name}`), {});
      assert.equal(bed.rel(name)?.phase, 'Failed', name);
      const failed = getCondition(bed.rel(name)?.conditions, 'Failed');
      assert.equal(failed?.reason, 'UnknownGroup');
      assert.match(failed?.message ?? '', /nothing was released: group nope not in the zone's spec\.groups/);
    }
    assert.deepEqual(bed.enqueued, []);
    assert.deepEqual(bed.zones.current(key)?.status?.allocation, before);
  });

  it('releases the groups named at once with an immediate trigger, the other group untouched', async () => {
    const bed = bedWithMembers();
    const spec = jobsAndService();
    const key = await readyZone(bed, 'z', spec);
    bed.put('svc', { zoneRef: { name: 'z' }, groups: ['svc'] });
    await bed.release.reconcile('tenant/svc');
    assert.deepEqual(bed.rel('svc')?.released, { Cloud1: ['V3'] });
    await bed.reconciler.reconcile(key);
    await bed.release.reconcile('tenant/svc');
    assert.equal(bed.rel('svc')?.phase, 'Succeeded');
    assert.match(getCondition(bed.rel('svc')?.conditions, 'Succeeded')?.message ?? '', /released Cloud1: V3/);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'] });
  });

  it('asks for the same names after a crash between Releasing and the answer, though the group is gone', async () => {
    const bed = bedWithMembers();
    const spec = jobsAndService();
    const key = await readyZone(bed, 'z', spec);
    bed.put('svc', { zoneRef: { name: 'z' }, groups: ['svc'] });
    await bed.release.reconcile('tenant/svc');
    await bed.reconciler.reconcile(key);
    // A new leader: the answer held in memory is lost; the group's instances are no longer live.
    bed.state.releases.forget('tenant/svc');
    await bed.release.reconcile('tenant/svc');
    await bed.reconciler.reconcile(key);
    await bed.release.reconcile('tenant/svc');
    assert.equal(bed.rel('svc')?.phase, 'Succeeded');
    assert.deepEqual(bed.rel('svc')?.released, { Cloud1: ['V3'] });
  });
});
