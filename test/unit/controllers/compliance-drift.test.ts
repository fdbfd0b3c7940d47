// Compliance drift in the zone reconciler, on fakes: the Compliant
// condition, its Events and gauge, and what spec.onViolation moves.

import assert from 'node:assert/strict';
import { ZoneConditionType as T } from '../../../src/core/api/conditions.js';
import type { ExecutionZone, ExecutionZoneSpec } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { OperatorMetrics } from '../../../src/runtime/metrics.js';
import { group, provider, uuid, zone } from '../../support/core-fixtures.js';
import { readyZone, reconcilerOn, zoneBed, type ZoneBed } from './zone-bed.js';

const CAPACITY = { capacity: { cores: 4, memory: 65536, storage: 1048576 }, network: { uplink: 'zkup-cloud1' } };

/** The zone's spec edited by its owner: the generation moves. */
function edit(bed: ZoneBed, key: string, spec: ExecutionZoneSpec): void {
  const z = bed.zones.current(key) as ExecutionZone;
  bed.zones.put({ ...z, metadata: { ...z.metadata, generation: (z.metadata.generation ?? 1) + 1 }, spec });
}

/** A reconciler on the same bed that reports metrics, for the gauge. */
function withMetrics(bed: ZoneBed) {
  const metrics = new OperatorMetrics();
  const reconciler = reconcilerOn(bed, { metrics });
  const gauge = async () =>
    (await metrics.zoneNoncompliant.get()).values.map((v) => `${v.labels.namespace}/${v.labels.name}=${v.value}`);
  return { reconciler, gauge };
}

describe('compliance drift (zone reconciler)', () => {
  it('Report: a rule edited to deny the provider turns Compliant=False naming rule and fact; nothing moves; editing back complies again', async () => {
    const bed = zoneBed();
    const spec = zone({ applicationId: uuid(), groups: [group({ name: 'web', count: 2 })] });
    const key = await readyZone(bed, 'drift-report', spec);
    const { reconciler, gauge } = withMetrics(bed);
    assert.equal(bed.cond(key, T.Compliant), 'True/Compliant');

    edit(bed, key, { ...spec, privacy: { countries: [{ action: 'DenySpecific', value: 'NO' }] } });
    await reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Compliant), 'False/RuleViolated');
    const c = getCondition(bed.conditions(key), T.Compliant);
    assert.equal(
      c?.message,
      'group web on Cloud1 (V1, V2): country 242 (NO) not allowed by countries rule #1 DENY_SPECIFIC NO (spec.privacy.countries[0]); spec.onViolation is Report: nothing moved',
    );
    assert.equal(c?.observedGeneration, 2);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'] }, 'nothing moved');
    assert.equal(bed.cond(key, T.Ready), 'True/Ready', 'the zone still runs');
    assert.deepEqual(await gauge(), ['tenant/drift-report=1']);
    const warnings = bed.events.list.filter((e) => e.reason === 'NonCompliant');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.type, 'Warning');

    await reconciler.reconcile(key);
    assert.equal(
      bed.events.list.filter((e) => e.reason === 'NonCompliant').length,
      1,
      'no Event for the same violation',
    );

    edit(bed, key, spec);
    await reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Compliant), 'True/Compliant');
    assert.deepEqual(await gauge(), [], 'the series goes when the zone complies');
    assert.equal(bed.events.list.filter((e) => e.reason === 'Compliant').length, 1);
  });

  it("an edit of a placed zone's rules re-derives its privacy mark, in status and in the plan the switch gets", async () => {
    const bed = zoneBed();
    const spec = zone({
      applicationId: uuid(),
      privacy: { regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }] },
      groups: [group({ name: 'web' })],
    });
    const key = await readyZone(bed, 'drift-mark', spec);
    const id = spec.applicationId.toLowerCase();
    const eea = bed.zones.current(key)?.status?.marking;
    assert.equal(eea, '111000');
    assert.equal(bed.network.plans.get(id)?.marking.bits, '111000');

    // Still compliant on Cloud1 (NO), but no longer explicitly EEA-wide: the EEA bits go.
    edit(bed, key, {
      ...spec,
      privacy: { countries: [{ action: 'AllowSpecific', value: 'NO' }, { action: 'DenyAll' }] },
    });
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Compliant), 'True/Compliant');
    const now = bed.zones.current(key)?.status?.marking;
    assert.notEqual(now, eea);
    assert.equal(bed.network.plans.get(id)?.marking.bits, now);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1'] }, 'nothing moved');
  });

  it("Release: a provider's facts change; its group's instances are released, capacity freed, the compliant group stays", async () => {
    const bed = zoneBed();
    const spec = zone({
      applicationId: uuid(),
      onViolation: 'Release',
      privacy: { regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }] },
      groups: [group({ name: 'web', count: 2, cores: 1 }), group({ name: 'db', count: 3, cores: 1 })],
    });
    const key = await readyZone(bed, 'drift-release', spec);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud1: ['V1', 'V2'], Cloud2: ['V3', 'V4', 'V5'] });
    const { reconciler, gauge } = withMetrics(bed);

    assert.equal(bed.state.setProvider({ ...provider('Cloud1', { country: 'US', ...CAPACITY }), order: 0 }), 'changed');
    await reconciler.reconcile(key);
    assert.deepEqual(bed.members.instances(spec.applicationId), { Cloud2: ['V3', 'V4', 'V5'] });
    assert.equal(bed.state.federation?.usedBy('Cloud1').cores, 0, 'capacity freed');
    const z = bed.zones.current(key);
    assert.deepEqual(z?.status?.releasedInstances, ['V1', 'V2']);
    assert.deepEqual(z?.status?.allocation?.released, ['V1', 'V2'], 'durably, so never created again');
    assert.equal(bed.cond(key, T.Compliant), 'True/ViolationReleased');
    assert.match(
      getCondition(bed.conditions(key), T.Compliant)?.message ?? '',
      /^released V1, V2 on Cloud1 \(spec.onViolation is Release\): group web on Cloud1 \(V1, V2\): country 310 \(US\) not allowed by regions rule #2 DENY_ALL \(spec.privacy.regions\[1\]\)$/,
    );
    assert.equal(bed.events.list.filter((e) => e.reason === 'NonCompliantReleased').length, 1);
    assert.deepEqual(await gauge(), []);
    assert.ok(bed.freed.length > 0, 'zones waiting for capacity are retried');

    await reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Compliant), 'True/ViolationReleased', 'the release stays told until the zone changes');
    assert.equal(bed.events.list.filter((e) => e.reason === 'NonCompliantReleased').length, 1);
  });

  it('a provider that left the catalogue: unknown facts are never compliant', async () => {
    const bed = zoneBed();
    const spec = zone({
      applicationId: uuid(),
      privacy: { countries: [{ action: 'AllowSpecific', value: 'NO' }, { action: 'DenyAll' }] },
      groups: [group({ name: 'web' })],
    });
    const key = await readyZone(bed, 'drift-gone', spec);
    bed.state.removeProvider('Cloud1');
    await bed.reconciler.reconcile(key);
    assert.equal(bed.cond(key, T.Compliant), 'False/RuleViolated');
    assert.match(getCondition(bed.conditions(key), T.Compliant)?.message ?? '', /facts are unknown/);
  });
});
