// The paper's evaluation end to end on the real test bed: Tables II and
// III applied as manifests in order, the outcome the paper states
// read back from the ExecutionZone statuses and from the pods and VMs the
// members actually hold. The operator runs as the zonekeeper-operator
// ServiceAccount with deploy/'s RBAC, so this also proves that RBAC is
// enough.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ExecutionZone } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { apply } from '../../../tools/harness/apply.js';
import {
  getZone,
  isReleased,
  listZones,
  listing3FromStatus,
  waitReleaseDone,
  waitZoneObserved,
  waitZoneReady,
  waitZoneReleased,
} from '../../../tools/harness/hub-reads.js';
import type { OperatorProcess } from '../../../tools/harness/operator-process.js';
import { paperScenario } from '../../../tools/harness/paper-scenario.js';
import { repoRoot } from '../../../tools/testbed/paths.js';
import { requireState } from '../../../tools/testbed/state.js';
import { catalogueProviders, checkInvariants } from './invariants.js';
import {
  deleteAllZones,
  foreignZones,
  install,
  type Installed,
  leadingOperator,
  memberObjects,
} from './operator-fixture.js';

const NS = 'it-paper';

/** The outcome the paper states for its evaluation. */
const EXPECTED: Record<string, { vlan: number; marking: string; instances: Record<string, string[]> } | 'released'> = {
  '755b94a1-2847-4bb8-b530-cfca97404f51': {
    vlan: 1000,
    marking: '111000',
    instances: { Fog1: ['C1', 'C2'], Fog2: ['C3', 'C4'] },
  },
  '9ed1d0da-14f0-4549-87de-6f447df0eb38': { vlan: 1001, marking: '001000', instances: { PrivateCloud2: ['V1', 'V3'] } },
  '5050f3c2-7a1e-4d9b-9c4e-8b1f2a6522ca': {
    vlan: 1002,
    marking: '000010',
    instances: { PublicCloud2: ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8'], PublicCloud3: ['V1', 'V2'] },
  },
  '830428e1-5b6c-4f2a-a3d7-1c9e0b72aaed': {
    vlan: 1003,
    marking: '000100',
    instances: { PublicCloud1: ['V1', 'V2', 'V3', 'V4'] },
  },
  'f885e6b4-3d2a-4c81-b7f9-0e5a6d189c29': {
    vlan: 1004,
    marking: '111000',
    instances: { PrivateCloud2: ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8'] },
  },
  'ded957a3-1f4b-4e6c-8a2d-9b3c5f062d9e': 'released',
};

describe('operator: the paper scenario on the live federation', function () {
  this.timeout(300_000);
  let env: Installed;
  let op: OperatorProcess;

  before(async () => {
    env = await install();
    const foreign = await foreignZones(env.hub, [NS]);
    assert.deepEqual(
      foreign.map((z) => `${z.metadata.namespace}/${z.metadata.name}`),
      [],
      'other ExecutionZones in the hub would take the VLANs the paper expects',
    );
    op = await leadingOperator(env, 'it-paper', [NS]);
  });

  after(async () => {
    if (env && op?.running)
      await deleteAllZones(env.hub, NS).catch((e: unknown) => console.error(`[operator-it] cleanup: ${String(e)}`));
    await op?.kill('SIGTERM');
  });

  it('reproduces the outcome table of design section 3, in status and in the members', async () => {
    const steps = paperScenario(join(repoRoot(), 'examples', 'paper', 'messages.json'), NS);
    for (const step of steps) {
      if (step.kind === 'zone') {
        await apply(env.hub, step.zone);
        const z = await waitZoneObserved(env.hub, NS, step.zone.metadata.name);
        assert.equal(
          getCondition(z.status?.conditions, 'Placed')?.status,
          'True',
          `message ${step.index + 1} placed: ${getCondition(z.status?.conditions, 'Placed')?.message}`,
        );
      } else {
        await apply(env.hub, step.release);
        const r = await waitReleaseDone(env.hub, NS, step.release.metadata.name);
        assert.equal(
          r.status?.phase,
          'Succeeded',
          `message ${step.index + 1}: ${JSON.stringify(r.status?.conditions)}`,
        );
      }
    }
    const gone = await waitZoneReleased(env.hub, NS, 'ded957a3-1f4b-4e6c-8a2d-9b3c5f062d9e');
    assert.equal(gone.status?.vlanId, undefined, 'a whole release frees the VLAN');
    assert.deepEqual(gone.status?.releasedInstances, ['V1', 'V2', 'V3']);
    const zones: ExecutionZone[] = [];
    for (const z of (await listZones(env.hub, NS)).filter((x) => !isReleased(x)))
      zones.push(await waitZoneReady(env.hub, NS, z.metadata.name, 120_000));
    const state = listing3FromStatus(zones);
    for (const [id, want] of Object.entries(EXPECTED)) {
      if (want === 'released') {
        assert.equal(state[id], undefined, `${id} was released whole`);
        continue;
      }
      const got = state[id];
      assert.ok(got, `${id} has a Listing 3 entry`);
      assert.equal(got.vlan_id, want.vlan, `${id} VLAN`);
      assert.equal(got.marking, want.marking, `${id} marking`);
      assert.deepEqual(
        Object.fromEntries(Object.entries(got.instances).map(([p, i]) => [p, Object.keys(i)])),
        want.instances,
        `${id} instances`,
      );
      assert.deepEqual(
        Object.keys(got.vpn).sort(),
        Object.keys(want.instances).sort(),
        `${id} one VPN link per provider`,
      );
      assert.equal(got.network_id, 274468950876);
    }
    assert.equal(state['755b94a1-2847-4bb8-b530-cfca97404f51']?.network, 'fd3f:e79f:d35c:3e8::/64');
    // The members hold exactly those instances, and nothing else.
    const objects = (await memberObjects(env)).filter((o) => !o.deleting);
    const byZone = (id: string) => {
      const out: Record<string, string[]> = {};
      for (const o of objects.filter((x) => x.applicationId === id)) (out[o.provider] ??= []).push(o.instance);
      for (const l of Object.values(out))
        l.sort((a, b) => (a[0] === b[0] ? Number(a.slice(1)) - Number(b.slice(1)) : a < b ? -1 : 1));
      return out;
    };
    for (const [id, want] of Object.entries(EXPECTED))
      assert.deepEqual(byZone(id), want === 'released' ? {} : want.instances, `${id} in the members`);
    const vmKinds = objects.filter((o) => o.applicationId.startsWith('9ed1d')).every((o) => o.vm);
    assert.ok(vmKinds, 'VM groups are KubeVirt VirtualMachines');
    assert.deepEqual(checkInvariants(zones, objects, catalogueProviders(requireState().catalogue)), []);
    const z = await getZone(env.hub, NS, '9ed1d0da-14f0-4549-87de-6f447df0eb38');
    assert.deepEqual(z.status?.releasedInstances, ['V2']);
  });

  it('rejects a STOP naming an unknown instance and releases nothing', async () => {
    const id = '830428e1-5b6c-4f2a-a3d7-1c9e0b72aaed';
    const before = (await getZone(env.hub, NS, id)).status?.allocation?.instances.map((i) => i.name);
    await apply(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name: 'bad-stop', namespace: NS },
      spec: { zoneRef: { name: id }, instances: { PublicCloud1: ['V1', 'V9'] }, trigger: { immediate: true } },
    });
    const r = await waitReleaseDone(env.hub, NS, 'bad-stop');
    assert.equal(r.status?.phase, 'Failed');
    assert.match(getCondition(r.status?.conditions, 'Failed')?.message ?? '', /V9/);
    const after = (await waitZoneReady(env.hub, NS, id)).status?.allocation?.instances.map((i) => i.name);
    assert.deepEqual(after, before, 'nothing was released');
  });

  it('releases after a delay (trigger.after) and never recreates the released instance', async () => {
    const id = '830428e1-5b6c-4f2a-a3d7-1c9e0b72aaed';
    await apply(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name: 'later-stop', namespace: NS },
      spec: { zoneRef: { name: id }, instances: { PublicCloud1: ['V4'] }, trigger: { after: '2s' } },
    });
    const r = await waitReleaseDone(env.hub, NS, 'later-stop');
    assert.equal(r.status?.phase, 'Succeeded');
    const z = await waitZoneReady(env.hub, NS, id);
    assert.deepEqual(
      z.status?.allocation?.instances.map((i) => i.name),
      ['V1', 'V2', 'V3'],
    );
    await new Promise((res) => setTimeout(res, 3000));
    const objs = (await memberObjects(env))
      .filter((o) => o.applicationId === id && !o.deleting)
      .map((o) => o.instance)
      .sort();
    assert.deepEqual(objs, ['V1', 'V2', 'V3']);
  });

  it('tells, per provider, why a zone has no match, and places it once capacity frees', async () => {
    const id = '11111111-2222-4333-8444-555555555555';
    // 2 × 7 cores: more than Fog1 or Fog2 has left (12 each), so it waits; it fits once 755b9 goes.
    // (Two 7-core pods, not one of 14: a member's capacity is split over two 8-core nodes.)
    const zone: ExecutionZone = {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ExecutionZone',
      metadata: { name: id, namespace: NS },
      spec: {
        applicationId: id,
        groups: [
          {
            name: 'big',
            environment: 'container',
            platformType: 'fog',
            resourceType: 'CPU',
            count: 2,
            cores: 7,
            memory: 1024,
            storage: 1024,
            image: 'busybox',
          },
        ],
      },
    };
    await apply(env.hub, zone);
    const z = await waitZoneObserved(env.hub, NS, id);
    const placed = getCondition(z.status?.conditions, 'Placed');
    assert.equal(placed?.status, 'False');
    assert.equal(placed?.reason, 'NoMatchingProvider');
    assert.match(placed?.message ?? '', /Fog1/);
    assert.ok((z.status?.placement ?? []).some((e) => e.provider === 'Fog2' && e.verdict === 'Skipped'));
    await apply(env.hub, {
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name: 'free-fog', namespace: NS },
      spec: { zoneRef: { name: '755b94a1-2847-4bb8-b530-cfca97404f51' } },
    });
    await waitReleaseDone(env.hub, NS, 'free-fog');
    const ready = await waitZoneReady(env.hub, NS, id, 60_000);
    assert.equal(ready.status?.providers, 'Fog1');
  });
});
