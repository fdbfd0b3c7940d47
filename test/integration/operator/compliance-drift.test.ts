// Compliance drift on the real test bed: each of the three kinds of change
// (the zone's rule edited, a provider's facts changed, a PrivacyRegion
// losing a country) with spec.onViolation Report (Compliant=False, an
// Event, the gauge, nothing moved) and Release (the non-compliant group's
// pods gone from the member, its capacity freed, the compliant group kept).
// Every zone has group `a` on Fog1 (Norway) and group `b` on Fog2
// (Denmark, the group's own rules deny Norway); each change makes Fog1
// non-compliant for the zone's rules and leaves Fog2 compliant.

import assert from 'node:assert/strict';
import type {
  Condition,
  ExecutionZone,
  OnViolation,
  PrivacyRegion,
  PrivacyRules,
  ProviderCluster,
} from '../../../src/core/api/types.js';
import { EXECUTION_ZONES, PRIVACY_REGIONS, PROVIDER_CLUSTERS } from '../../../src/core/api/resources.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { type KubeObject, resourcePath } from '../../../src/runtime/kube-client.js';
import { apply, deleteIfExists } from '../../../tools/harness/apply.js';
import { getZone, waitZoneReady } from '../../../tools/harness/hub-reads.js';
import { metricSum, metricValue, type OperatorProcess } from '../../../tools/harness/operator-process.js';
import { pollUntil } from '../../../tools/harness/poll-until.js';
import {
  deleteAllZones,
  ensureNamespace,
  install,
  type Installed,
  memberObjects,
  resetNamespace,
  startOperator,
} from './operator-fixture.js';

const NS = 'it-drift';
const REGION = 'it-drift-north';
const FOG1 = 'fog1';

interface ZoneEvent extends KubeObject {
  reason?: string;
  note?: string;
  type?: string;
  regarding?: { name?: string };
}

function driftZone(name: string, id: string, privacy: PrivacyRules, onViolation: OnViolation): ExecutionZone {
  const g = { environment: 'container', platformType: 'fog', resourceType: 'CPU', image: 'busybox' } as const;
  return {
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'ExecutionZone',
    metadata: { name, namespace: NS },
    spec: {
      applicationId: id,
      privacy,
      onViolation,
      groups: [
        { ...g, name: 'a', count: 2, cores: 1, memory: 128, storage: 256 },
        {
          ...g,
          name: 'b',
          count: 1,
          cores: 1,
          memory: 128,
          storage: 256,
          privacy: { countries: [{ action: 'DenySpecific', value: 'NO' }] },
        },
      ],
    },
  };
}

describe('operator: compliance drift', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess;
  let fog1Spec: ProviderCluster['spec'] | undefined;

  /** A new operator process, once it leads; a shared machine can take a while to start one. */
  const startLeading = async (): Promise<void> => {
    op = startOperator(env, 'it-drift');
    const leading = op.waitLeading(180_000);
    await op.start();
    await leading;
  };
  const fog1 = () => env.hub.get<ProviderCluster>(resourcePath(PROVIDER_CLUSTERS, undefined, FOG1));
  /** Fog1's catalogue entry with this spec, as an admin would apply it. */
  const putFog1 = (spec: ProviderCluster['spec']) =>
    apply(env.hub, { apiVersion: 'zonekeeper.io/v1alpha1', kind: 'ProviderCluster', metadata: { name: FOG1 }, spec });

  /** Live pods of a zone, by provider, read from the members. */
  const pods = async (id: string): Promise<Record<string, string[]>> => {
    const out: Record<string, string[]> = {};
    for (const o of await memberObjects(env))
      if (o.applicationId === id && !o.deleting) (out[o.provider] ??= []).push(o.instance);
    for (const list of Object.values(out)) list.sort();
    return out;
  };

  const compliant = (name: string, status: Condition['status'], reason: string) =>
    pollUntil(
      `${NS}/${name}: Compliant=${status}/${reason}`,
      async () => {
        const z = await getZone(env.hub, NS, name);
        const c = getCondition(z.status?.conditions, 'Compliant');
        return c?.status === status && c.reason === reason && c.observedGeneration === z.metadata.generation
          ? { zone: z, condition: c }
          : undefined;
      },
      { timeoutMs: 60_000, everyMs: 250 },
    );

  const events = async (name: string, reason: string): Promise<ZoneEvent[]> =>
    (await env.hub.list<ZoneEvent>(`/apis/events.k8s.io/v1/namespaces/${NS}/events`)).items.filter(
      (e) => e.regarding?.name === name && e.reason === reason,
    );

  const waitEvent = (name: string, reason: string) =>
    pollUntil(
      `${NS}/${name}: Event ${reason}`,
      async () => {
        const found = await events(name, reason);
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );

  /** Fog1's booked cores as its ProviderCluster status says (written on each probe). */
  const fog1Allocated = async () => (await fog1()).status?.allocated?.cores ?? 0;

  /** Fog1's booked cores once its status has caught up with every zone's instances there (the oracle). */
  const fog1Settled = () =>
    pollUntil(
      'Fog1 status.allocated agrees with the zones on it',
      async () => {
        const zones = (await env.hub.list<ExecutionZone>(resourcePath(EXECUTION_ZONES))).items;
        const onFog1 = zones
          .flatMap((z) => Object.values(z.status?.instances?.['Fog1'] ?? {}))
          .reduce((sum, i) => sum + i.cores, 0);
        const allocated = await fog1Allocated();
        return allocated === onFog1 ? allocated : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );

  /** Both zones placed and Ready: group a on Fog1, group b on Fog2. */
  async function placeBoth(report: ExecutionZone, release: ExecutionZone): Promise<void> {
    await apply(env.hub, report);
    await apply(env.hub, release);
    for (const z of [report, release]) {
      await waitZoneReady(env.hub, NS, z.metadata.name, 90_000);
      await compliant(z.metadata.name, 'True', 'Compliant');
      assert.deepEqual(await pods(z.spec.applicationId), { Fog1: ['C1', 'C2'], Fog2: ['C3'] });
    }
  }

  /** What Report and Release must show after a change that makes Fog1 non-compliant. */
  async function expectDrift(
    report: ExecutionZone,
    release: ExecutionZone,
    allocatedBefore: number,
    message: RegExp,
  ): Promise<void> {
    const r = await compliant(report.metadata.name, 'False', 'RuleViolated');
    assert.match(r.condition.message, message);
    assert.match(r.condition.message, /spec\.onViolation is Report: nothing moved$/);
    const [event] = await waitEvent(report.metadata.name, 'NonCompliant');
    assert.equal(event?.type, 'Warning');
    assert.match(event?.note ?? '', message);
    const gauge = metricValue(await op.metrics(), 'zonekeeper_zone_noncompliant', {
      namespace: NS,
      name: report.metadata.name,
    });
    assert.equal(gauge, 1, 'one non-compliant group');

    const l = await compliant(release.metadata.name, 'True', 'ViolationReleased');
    assert.match(l.condition.message, /^released C1, C2 on Fog1 \(spec\.onViolation is Release\): /);
    assert.match(l.condition.message, message);
    assert.deepEqual(l.zone.status?.releasedInstances, ['C1', 'C2']);
    assert.deepEqual(Object.keys(l.zone.status?.instances ?? {}), ['Fog2'], 'the compliant group stays');
    const [released] = await waitEvent(release.metadata.name, 'NonCompliantReleased');
    assert.match(released?.note ?? '', /released C1, C2 on Fog1/);
    await pollUntil(
      `${release.metadata.name}: pods on Fog1 deleted`,
      async () => {
        const now = await pods(release.spec.applicationId);
        return now['Fog1'] === undefined ? now : undefined;
      },
      { timeoutMs: 60_000, everyMs: 250 },
    ).then((now) => assert.deepEqual(now, { Fog2: ['C3'] }));
    await pollUntil(
      "Fog1: the released group's 2 cores freed",
      async () => ((await fog1Allocated()) === allocatedBefore - 2 ? true : undefined),
      { timeoutMs: 30_000, everyMs: 250 },
    );
    assert.equal(
      metricValue(await op.metrics(), 'zonekeeper_zone_noncompliant', { namespace: NS, name: release.metadata.name }),
      undefined,
      'a compliant zone has no series',
    );

    // Report moved nothing, also after Release freed capacity.
    assert.deepEqual(await pods(report.spec.applicationId), { Fog1: ['C1', 'C2'], Fog2: ['C3'] });
    const still = await getZone(env.hub, NS, report.metadata.name);
    assert.equal(getCondition(still.status?.conditions, 'Compliant')?.status, 'False');
    assert.equal(getCondition(still.status?.conditions, 'Ready')?.status, 'True', 'Report leaves the zone running');
  }

  before(async () => {
    env = await install();
    await ensureNamespace(env.hub, NS);
    await startLeading();
    await resetNamespace(env.hub, NS);
    await deleteIfExists(env.hub, 'PrivacyRegion', REGION);
    fog1Spec = structuredClone((await fog1()).spec);
  });

  afterEach(async () => {
    await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[operator-it] cleanup: ${String(e)}`));
  });

  after(async () => {
    if (fog1Spec) {
      await putFog1(fog1Spec).catch((e: unknown) => console.error(`[operator-it] Fog1 not restored: ${String(e)}`));
    }
    await deleteIfExists(env.hub, 'PrivacyRegion', REGION).catch(() => undefined);
    await op?.kill('SIGTERM');
  });

  it("the zone's own rules edited to deny Norway", async () => {
    const report = driftZone('rule-report', '44444444-0000-4000-8000-000000000001', {}, 'Report');
    const release = driftZone('rule-release', '44444444-0000-4000-8000-000000000002', {}, 'Release');
    await placeBoth(report, release);
    const before = await fog1Settled();
    const denyNorway: PrivacyRules = { countries: [{ action: 'DenySpecific', value: 'NO' }] };
    for (const z of [report, release]) await apply(env.hub, { ...z, spec: { ...z.spec, privacy: denyNorway } });
    await expectDrift(
      report,
      release,
      before,
      /group a on Fog1 \(C1, C2\): country 242 \(NO\) not allowed by countries rule #1 DENY_SPECIFIC NO \(spec\.privacy\.countries\[0\]\)/,
    );

    // The tenant takes the edit back: compliant again, with an Event.
    await apply(env.hub, report);
    await compliant(report.metadata.name, 'True', 'Compliant');
    await waitEvent(report.metadata.name, 'Compliant');
  });

  it('checks again when the operator starts: a rule edited while it was down', async () => {
    const zone = driftZone('start-report', '44444444-0000-4000-8000-000000000007', {}, 'Report');
    await apply(env.hub, zone);
    await waitZoneReady(env.hub, NS, zone.metadata.name, 90_000);
    await compliant(zone.metadata.name, 'True', 'Compliant');
    await op.kill('SIGTERM');
    await apply(env.hub, {
      ...zone,
      spec: { ...zone.spec, privacy: { countries: [{ action: 'DenySpecific', value: 'NO' }] } },
    });
    await startLeading();
    const r = await compliant(zone.metadata.name, 'False', 'RuleViolated');
    assert.match(r.condition.message, /^group a on Fog1 \(C1, C2\): country 242 \(NO\) not allowed/);
    assert.deepEqual(await pods(zone.spec.applicationId), { Fog1: ['C1', 'C2'], Fog2: ['C3'] }, 'nothing moved');
  });

  it("a provider's facts change: Cisco equipment on Fog1's path", async () => {
    const noCisco: PrivacyRules = { equipment: [{ action: 'DenySpecific', value: 9 }] };
    const report = driftZone('facts-report', '44444444-0000-4000-8000-000000000003', noCisco, 'Report');
    const release = driftZone('facts-release', '44444444-0000-4000-8000-000000000004', noCisco, 'Release');
    await placeBoth(report, release);
    const before = await fog1Settled();
    const cur = (await fog1()).spec;
    await putFog1({ ...cur, equipment: [...(cur.equipment ?? []), 9] });
    await expectDrift(
      report,
      release,
      before,
      /group a on Fog1 \(C1, C2\): equipment PEN 9 not allowed by equipment rule #1 DENY_SPECIFIC 9 \(spec\.privacy\.equipment\[0\]\)/,
    );

    // Fog1's facts back as they were: the Report zone complies again.
    await putFog1(fog1Spec as ProviderCluster['spec']);
    await compliant(report.metadata.name, 'True', 'Compliant');
  });

  it('a PrivacyRegion the rules allow loses Norway', async () => {
    const region = (countries: string[]): PrivacyRegion => ({
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'PrivacyRegion',
      metadata: { name: REGION },
      spec: { countries },
    });
    await apply(env.hub, region(['NO', 'DK']));
    const north: PrivacyRules = { regions: [{ action: 'AllowSpecific', value: REGION }, { action: 'DenyAll' }] };
    const report = driftZone('region-report', '44444444-0000-4000-8000-000000000005', north, 'Report');
    const release = driftZone('region-release', '44444444-0000-4000-8000-000000000006', north, 'Release');
    // The operator reads regions on its own; a zone applied too early would be refused as naming an unknown region.
    await pollUntil(
      `${REGION} observed`,
      async () => {
        const r = await env.hub.get<PrivacyRegion>(resourcePath(PRIVACY_REGIONS, undefined, REGION));
        return r.status?.observedGeneration === r.metadata.generation ? true : undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
    await placeBoth(report, release);
    const before = await fog1Settled();
    await apply(env.hub, region(['DK']));
    await expectDrift(
      report,
      release,
      before,
      /group a on Fog1 \(C1, C2\): country 242 \(NO\) not allowed by regions rule #2 DENY_ALL \(spec\.privacy\.regions\[1\]\)/,
    );
  });

  it('a PrivacyRegion the rules name is deleted: the rules are unresolvable, the zone keeps its allocation (also across a restart), and the region coming back complies again', async () => {
    const region: PrivacyRegion = {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'PrivacyRegion',
      metadata: { name: REGION },
      spec: { countries: ['NO', 'DK'] },
    };
    await apply(env.hub, region);
    const observed = () =>
      pollUntil(
        `${REGION} observed`,
        async () => {
          const r = await env.hub.get<PrivacyRegion>(resourcePath(PRIVACY_REGIONS, undefined, REGION));
          return r.status?.observedGeneration === r.metadata.generation ? true : undefined;
        },
        { timeoutMs: 30_000, everyMs: 250 },
      );
    await observed();
    // EEA beside the region, so the zone has a mark to lose.
    const north: PrivacyRules = {
      regions: [
        { action: 'AllowSpecific', value: 'EEA' },
        { action: 'AllowSpecific', value: REGION },
        { action: 'DenyAll' },
      ],
    };
    const zone = driftZone('region-gone', '44444444-0000-4000-8000-000000000008', north, 'Release');
    await apply(env.hub, zone);
    await waitZoneReady(env.hub, NS, zone.metadata.name, 90_000);
    await compliant(zone.metadata.name, 'True', 'Compliant');
    const before = await fog1Settled();
    const placedStatus = (await getZone(env.hub, NS, zone.metadata.name)).status;
    const vlan = placedStatus?.vlanId;
    const mark = placedStatus?.marking;
    assert.ok(mark && mark !== '000000', `the zone is marked while its rules compile (${mark})`);

    const unresolvable = async () => {
      const r = await compliant(zone.metadata.name, 'False', 'RulesUnresolvable');
      assert.match(r.condition.message, /spec\.privacy\.regions\[1\]\.value/);
      const placed = getCondition(r.zone.status?.conditions, 'Placed');
      assert.equal(placed?.status, 'True', `still placed, not a conflict: ${placed?.reason}: ${placed?.message}`);
      assert.equal(r.zone.status?.vlanId, vlan, "the VLAN stays the zone's");
      assert.equal(r.zone.status?.marking, '000000', 'no mark the rules cannot prove');
      // Release moves nothing either: what the rules ask cannot be known, so nothing is judged to break them.
      assert.deepEqual(await pods(zone.spec.applicationId), { Fog1: ['C1', 'C2'], Fog2: ['C3'] });
      assert.equal(await fog1Settled(), before, "Fog1's cores stay booked for the zone's instances");
    };
    await deleteIfExists(env.hub, 'PrivacyRegion', REGION);
    await unresolvable();

    await op.kill('SIGKILL');
    await startLeading();
    // The rebuild from the hub restores the zone although its rules do not compile.
    await pollUntil(
      'the restarted operator has looked at the zone',
      async () =>
        metricSum(await op.metrics(), 'controller_runtime_reconcile_total', { controller: 'executionzone' }) > 0
          ? true
          : undefined,
      { timeoutMs: 60_000, everyMs: 250 },
    );
    await unresolvable();

    await apply(env.hub, region);
    await observed();
    await compliant(zone.metadata.name, 'True', 'Compliant');
    await pollUntil(
      'the mark back',
      async () => ((await getZone(env.hub, NS, zone.metadata.name)).status?.marking === mark ? true : undefined),
      { timeoutMs: 30_000, everyMs: 250 },
    );
  });
});
