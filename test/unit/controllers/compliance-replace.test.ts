// spec.onViolation Replace in the zone reconciler, on fakes: the group is
// placed again on a compliant provider, its new instances are created and
// Ready before the old ones go, the move is in status (and survives a
// restart), and a group no compliant provider has room for waits, says
// why, and moves once capacity frees.

import assert from 'node:assert/strict';
import { ZoneConditionType as T } from '../../../src/core/api/conditions.js';
import type { ExecutionZoneSpec } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { group, provider, uuid, zone } from '../../support/core-fixtures.js';
import { markDeleted, readyZone, reconcilerOn, zoneBed, type ZoneBed } from './zone-bed.js';

const CAPACITY = { capacity: { cores: 4, memory: 65536, storage: 1048576 }, network: { uplink: 'zkup-cloud1' } };
const EEA_ONLY = { regions: [{ action: 'AllowSpecific' as const, value: 'EEA' }, { action: 'DenyAll' as const }] };

/** Cloud1 moves to the US: out of the EEA, so out of any EEA-only zone's rules. */
function cloud1LeavesEea(bed: ZoneBed): void {
  assert.equal(bed.state.setProvider({ ...provider('Cloud1', { country: 'US', ...CAPACITY }), order: 0 }), 'changed');
}

const replacing = (bed: ZoneBed, key: string) => bed.zones.current(key)?.status?.allocation?.groups.web?.replacing;
const message = (bed: ZoneBed, key: string, type: string) => getCondition(bed.conditions(key), type)?.message ?? '';
const events = (bed: ZoneBed, reason: string) => bed.events.list.filter((e) => e.reason === reason);

function webZone(cores = 1): ExecutionZoneSpec {
  return zone({
    applicationId: uuid(),
    onViolation: 'Replace',
    privacy: EEA_ONLY,
    groups: [group({ name: 'web', count: 2, cores })],
  });
}

describe('compliance drift, spec.onViolation Replace (zone reconciler)', () => {
  it('moves the group to a compliant provider: new instances created and Ready before the old ones are deleted', async () => {
    const bed = zoneBed();
    const spec = webZone();
    const key = await readyZone(bed, 'replace', spec);
    const id = spec.applicationId.toLowerCase();
    assert.equal(bed.cond(key, T.Replacing), 'False/NoViolation');

    cloud1LeavesEea(bed);
    await bed.reconciler.reconcile(key);
    assert.deepEqual(replacing(bed, key), { provider: 'Cloud2', instances: { V1: 'V3', V2: 'V4' } }, 'durable first');
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'], Cloud2: ['V3', 'V4'] });
    assert.deepEqual(
      bed.network.plans.get(id)?.instances.map((i) => `${i.name}@${i.provider}`),
      ['V1@Cloud1', 'V2@Cloud1', 'V3@Cloud2', 'V4@Cloud2'],
      'the switch gets the new instances while the old ones still run',
    );
    assert.equal(events(bed, 'ReplacementStarted').length, 1);

    // Not Ready yet: nothing of the old group goes, however often the zone is looked at.
    await bed.reconciler.reconcile(key);
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'], Cloud2: ['V3', 'V4'] });
    assert.equal(bed.cond(key, T.Replacing), 'True/Replacing');
    assert.match(message(bed, key, T.Replacing), /^group web from Cloud1 to Cloud2 \(V1 -> V3, V2 -> V4\): 0\/2 new/);
    assert.equal(bed.cond(key, T.Compliant), 'False/RuleViolated');
    assert.match(
      message(bed, key, T.Compliant),
      /^group web on Cloud1 \(V1, V2\): country 310 \(US\) .*; spec.onViolation is Replace: group web from Cloud1 to Cloud2/,
    );
    assert.equal(events(bed, 'ReplacementStarted').length, 1, 'booked once');
    assert.equal(bed.state.federation?.usedBy('Cloud1').cores, 2);
    assert.equal(bed.state.federation?.usedBy('Cloud2').cores, 2);

    bed.members.makeReady(spec.applicationId);
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud2: ['V3', 'V4'] });
    const z = bed.zones.current(key);
    assert.equal(z?.status?.allocation?.groups.web?.provider, 'Cloud2');
    assert.deepEqual(z?.status?.allocation?.groups.web?.instances, ['V3', 'V4']);
    assert.equal(replacing(bed, key), undefined);
    assert.deepEqual(z?.status?.allocation?.released, ['V1', 'V2'], 'the old names are never handed out again');
    assert.deepEqual(Object.keys(z?.status?.instances ?? {}), ['Cloud2']);
    assert.equal(bed.state.federation?.usedBy('Cloud1').cores, 0, 'capacity freed');
    assert.deepEqual(
      bed.network.plans.get(id)?.vpn.map((v) => v.provider),
      ['Cloud2'],
      'the VPN link to Cloud1 goes with its instances',
    );
    assert.equal(bed.cond(key, T.Compliant), 'True/Compliant');
    assert.equal(bed.cond(key, T.Replacing), 'False/Replaced');
    assert.match(message(bed, key, T.Replacing), /^moved group web from Cloud1 to Cloud2 \(V1 -> V3, V2 -> V4\)/);
    assert.equal(events(bed, 'Replaced').length, 1);
    assert.ok(bed.freed.length > 0, 'zones waiting for capacity are retried');

    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Replacing), 'False/Replaced', 'the last move stays told');
    assert.equal(bed.cond(key, T.Ready), 'True/Ready');
  });

  it('with no compliant room stays Compliant=False, Replacing=False NoCompliantCapacity, and moves once capacity frees', async () => {
    const bed = zoneBed();
    const spec = webZone(2); // 4 cores: all of Cloud1
    const key = await readyZone(bed, 'replace-full', spec);
    const filler = zone({ applicationId: uuid(), groups: [group({ name: 'fill', cores: 3 })] });
    const fillerKey = await readyZone(bed, 'filler', filler);
    assert.deepEqual(bed.members.instances(filler.applicationId), { Cloud2: ['V1'] });

    cloud1LeavesEea(bed);
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Compliant), 'False/RuleViolated');
    assert.equal(bed.cond(key, T.Replacing), 'False/NoCompliantCapacity');
    assert.match(
      message(bed, key, T.Replacing),
      /^group web on Cloud1 \(V1, V2\): .*: no compliant provider has room for 2 instance\(s\) of group web: .*Cloud2: insufficient capacity.*; retried when capacity frees/,
    );
    assert.match(message(bed, key, T.Compliant), /spec.onViolation is Replace: .*no compliant provider has room/);
    assert.equal(replacing(bed, key), undefined, 'nothing booked');
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'] }, 'nothing deleted either');
    assert.ok(bed.reconciler.waiting.has(key), 'woken when capacity frees');
    assert.equal(events(bed, 'NoCompliantCapacity').length, 1);
    await bed.reconciler.reconcile(key);
    assert.equal(events(bed, 'NoCompliantCapacity').length, 1, 'no Event for the same answer');

    markDeleted(bed, fillerKey);
    await bed.reconciler.reconcile(fillerKey);
    assert.equal(bed.state.federation?.usedBy('Cloud2').cores, 0);
    await bed.reconciler.reconcile(key);
    assert.deepEqual(replacing(bed, key), { provider: 'Cloud2', instances: { V1: 'V3', V2: 'V4' } });
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Replacing), 'True/Replacing');
    bed.members.makeReady(spec.applicationId);
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud2: ['V3', 'V4'] });
    assert.equal(bed.cond(key, T.Compliant), 'True/Compliant');
    assert.equal(bed.cond(key, T.Replacing), 'False/Replaced');
  });

  it('an operator restarted between the booking and the creation carries the move on: no instance lost, none twice', async () => {
    const bed = zoneBed();
    const spec = webZone();
    const key = await readyZone(bed, 'replace-crash', spec);
    cloud1LeavesEea(bed);
    // The booking commits; the creation never happens (the operator dies).
    bed.members.failCreate = new Error('killed');
    await bed.reconciler.reconcile(key);
    assert.deepEqual(replacing(bed, key), { provider: 'Cloud2', instances: { V1: 'V3', V2: 'V4' } });
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'] });

    bed.members.failCreate = undefined;
    bed.state.markStale('test: the operator restarted');
    const restarted = reconcilerOn(bed);
    await restarted.reconcile(key);
    assert.deepEqual(
      bed.members.instances(spec.applicationId),
      { Cloud1: ['V1', 'V2'], Cloud2: ['V3', 'V4'] },
      'the names status booked, not new ones',
    );
    assert.equal(bed.state.federation?.usedBy('Cloud2').cores, 2, 'booked once after the rebuild');

    bed.state.markStale('test: restarted again');
    const again = reconcilerOn(bed);
    await again.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'], Cloud2: ['V3', 'V4'] });
    bed.members.makeReady(spec.applicationId);
    await again.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud2: ['V3', 'V4'] });
    assert.equal(bed.cond(key, T.Replacing), 'False/Replaced');
  });

  it('an operator restarted between the completion and the deletion deletes the old instances and creates nothing', async () => {
    const bed = zoneBed();
    const spec = webZone();
    const key = await readyZone(bed, 'replace-crash-late', spec);
    cloud1LeavesEea(bed);
    await bed.reconciler.reconcile(key);
    bed.members.makeReady(spec.applicationId);
    const old = new Map(bed.members.member('Cloud1').zones.get(spec.applicationId));
    assert.deepEqual([...old.keys()].sort(), ['V1', 'V2']);
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Replacing), 'False/Replaced');
    // As if the operator died after the completion's commit, before its deletes.
    bed.members.member('Cloud1').zones.set(spec.applicationId, old);
    const created = bed.members.created.length;

    bed.state.markStale('test: the operator restarted');
    await reconcilerOn(bed).reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud2: ['V3', 'V4'] });
    assert.equal(bed.members.created.length, created, 'nothing created again');
    assert.equal(bed.state.federation?.usedBy('Cloud1').cores, 0);
  });

  it('a failed commit of the booking creates nothing and books nothing', async () => {
    const bed = zoneBed();
    const spec = webZone();
    const key = await readyZone(bed, 'replace-commit', spec);
    cloud1LeavesEea(bed);
    bed.zones.failNext.status.push(new Error('etcd timeout'));
    await assert.rejects(bed.reconciler.reconcile(key), /etcd timeout/, 'the controller backs off and retries');
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'] });
    assert.equal(replacing(bed, key), undefined);
    assert.equal(bed.state.ready, false, 'rebuilt from the hub before the next use');
    await bed.reconciler.reconcile(key);
    assert.deepEqual(replacing(bed, key), { provider: 'Cloud2', instances: { V1: 'V3', V2: 'V4' } });
  });

  it('a move begun under Replace is finished after the policy changes to Report', async () => {
    const bed = zoneBed();
    const spec = webZone();
    const key = await readyZone(bed, 'replace-policy', spec);
    cloud1LeavesEea(bed);
    await bed.reconciler.reconcile(key);
    const z = bed.zones.current(key);
    assert.ok(z);
    bed.zones.put({
      ...z,
      metadata: { ...z.metadata, generation: (z.metadata.generation ?? 1) + 1 },
      spec: { ...spec, onViolation: 'Report' },
    });
    bed.members.makeReady(spec.applicationId);
    await bed.reconciler.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud2: ['V3', 'V4'] });
    assert.equal(bed.cond(key, T.Compliant), 'True/Compliant');
  });
});
