// The ProviderCluster reconciler on in-memory fakes: the catalogue entry it
// makes, the capacity it reads from the member's nodes, and the conditions
// it reports for a reachable, an unreachable and an invalid provider.

import assert from 'node:assert/strict';
import type { ExecutionZone, ProviderCluster } from '../../../src/core/api/types.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import { PlacementState } from '../../../src/controllers/placement-state.js';
import { PrivacyRegionReconciler } from '../../../src/controllers/privacy-region-reconciler.js';
import { ProviderClusterReconciler } from '../../../src/controllers/provider-cluster-reconciler.js';
import type { PrivacyRegion } from '../../../src/core/api/types.js';
import { KubeError } from '../../../src/runtime/kube-client.js';
import { silentLogger } from '../../../src/runtime/logger.js';
import { providerManifest } from '../../support/core-fixtures.js';
import { FakeClock } from '../runtime/fake-clock.js';
import { FakeMembers, FakeObjects, listerOf, RecordedEvents } from './fakes.js';

function providerBed() {
  const clock = new FakeClock();
  const objects = new FakeObjects<ProviderCluster>();
  const state = new PlacementState({ hub: listerOf(new FakeObjects<ExecutionZone>()), logger: silentLogger, clock });
  const members = new FakeMembers();
  const events = new RecordedEvents();
  const changed: string[] = [];
  const reconciler = new ProviderClusterReconciler({
    providers: objects,
    state,
    members,
    events,
    logger: silentLogger,
    clock,
    probeIntervalMs: 5000,
    onCatalogueChanged: (p, ready) => changed.push(`${p}:${ready}`),
  });
  const cond = (name: string, type: string) => {
    const c = getCondition(objects.current(name)?.status?.conditions, type);
    return c ? `${c.status}/${c.reason}` : undefined;
  };
  return { objects, state, members, events, changed, reconciler, cond };
}

describe('ProviderClusterReconciler', () => {
  it("adds a reachable provider to the catalogue with the spec's capacity, and probes again later", async () => {
    const bed = providerBed();
    bed.members.add('Fog1');
    bed.objects.put(providerManifest('Fog1'));
    assert.deepEqual(await bed.reconciler.reconcile('fog1'), { requeueAfterMs: 5000 });
    assert.equal(bed.cond('fog1', 'Reachable'), 'True/ProbeSucceeded');
    assert.equal(bed.cond('fog1', 'Ready'), 'True/Ready');
    assert.equal(bed.state.provider('Fog1')?.ready, true);
    assert.deepEqual(bed.changed, ['Fog1:true']);
    assert.deepEqual(bed.objects.current('fog1')?.status?.capacity, {
      cores: 64,
      memory: 65536,
      storage: 1048576,
      gpus: 0,
      fpgas: 0,
    });
    assert.ok(bed.reconciler.reconciled.has('fog1'));
    assert.deepEqual(bed.events.reasons(), ['Reachable']);
  });

  it("sums the member's node allocatable when the spec gives no capacity, reading every quantity suffix", async () => {
    const bed = providerBed();
    bed.members.add('Fog1');
    bed.members.nodes = [
      { cpu: '3500m', memory: '16Gi', 'ephemeral-storage': '1Ti', 'nvidia.com/gpu': '1' },
      { cpu: '4', memory: '1e9', 'ephemeral-storage': '0.5Pi' },
      { cpu: '2', memory: 'lots' },
    ];
    const m = providerManifest('Fog1');
    delete (m.spec as { capacity?: unknown }).capacity;
    bed.objects.put(m);
    await bed.reconciler.reconcile('fog1');
    const cap = bed.objects.current('fog1')?.status?.capacity;
    assert.equal(cap?.cores, 3 + 4 + 2);
    assert.equal(cap?.memory, 16 * 1024 + Math.floor(1e9 / 2 ** 20), 'an unreadable quantity counts as 0');
    assert.equal(cap?.storage, 2 ** 20 + 2 ** 29);
    assert.equal(cap?.gpus, 1);
  });

  it('keeps an unreachable provider in the catalogue, taking no placements, and says why', async () => {
    const bed = providerBed();
    bed.members.add('Fog1');
    bed.objects.put(providerManifest('Fog1'));
    await bed.reconciler.reconcile('fog1');
    bed.members.member('Fog1').reachable = false;
    await bed.reconciler.reconcile('fog1');
    assert.equal(bed.cond('fog1', 'Reachable'), 'False/ProbeFailed');
    assert.equal(bed.cond('fog1', 'Ready'), 'False/MemberUnreachable');
    assert.equal(bed.state.provider('Fog1')?.ready, false);
    assert.deepEqual(bed.changed, ['Fog1:true', 'Fog1:false']);
    assert.deepEqual(bed.events.reasons(), ['Reachable', 'Unreachable']);
  });

  it('reports an invalid spec in Ready and keeps the provider out of the catalogue', async () => {
    const bed = providerBed();
    bed.members.add('Fog1');
    bed.objects.put(providerManifest('Fog1', { country: 'Atlantis' as unknown as number }));
    await bed.reconciler.reconcile('fog1');
    assert.equal(bed.cond('fog1', 'Ready'), 'False/InvalidSpec');
    assert.match(getCondition(bed.objects.current('fog1')?.status?.conditions, 'Ready')?.message ?? '', /country/);
    assert.equal(bed.state.provider('Fog1'), undefined);
  });

  it('undoes a provider whose object is gone', async () => {
    const bed = providerBed();
    bed.members.add('Fog1');
    bed.objects.put(providerManifest('Fog1'));
    await bed.reconciler.reconcile('fog1');
    bed.objects.objects.delete('fog1');
    assert.deepEqual(await bed.reconciler.reconcile('fog1'), {});
    assert.deepEqual(bed.members.removed, ['Fog1']);
    assert.equal(bed.state.providerNames().includes('Fog1'), false);
    assert.deepEqual(bed.changed, ['Fog1:true', 'Fog1:false']);
  });

  it('retries with backoff, without an error, when its status write is refused', async () => {
    const bed = providerBed();
    bed.members.add('Fog1');
    bed.objects.put(providerManifest('Fog1'));
    bed.objects.failNext.status.push(new KubeError(409, 'Conflict', 'the object has been modified'));
    assert.deepEqual(await bed.reconciler.reconcile('fog1'), { requeue: true });
  });
});

describe('PrivacyRegionReconciler', () => {
  const region = (name: string, countries: string[], markingBit?: number): PrivacyRegion => ({
    apiVersion: 'zonekeeper.io/v1alpha1',
    kind: 'PrivacyRegion',
    metadata: { name, generation: 1 },
    spec: { countries, ...(markingBit !== undefined ? { markingBit } : {}) },
  });

  it("writes the core's facts and conditions, and computes again on a conflict", async () => {
    const clock = new FakeClock();
    const regions = new FakeObjects<PrivacyRegion>();
    const providers = new FakeObjects<ProviderCluster>();
    providers.put(providerManifest('Fog1'));
    regions.put(region('nordics', ['SE', 'NO', 'FI', 'DK']));
    const reconciler = new PrivacyRegionReconciler({ regions, zones: { list: () => [] }, providers, clock });
    assert.deepEqual(await reconciler.reconcile('nordics'), {});
    const status = regions.current('nordics')?.status;
    assert.equal(getCondition(status?.conditions, 'Valid')?.status, 'True');
    assert.equal(status?.mccs?.length, 4);
    assert.equal(getCondition(status?.conditions, 'Ready')?.lastTransitionTime, new Date(clock.now()).toISOString());
    regions.failNext.status.push(new KubeError(409, 'Conflict', 'modified'));
    regions.put({ ...region('nordics', ['SE']), status: undefined });
    assert.deepEqual(await reconciler.reconcile('nordics'), { requeue: true });
    assert.deepEqual(await reconciler.reconcile('gone'), {});
  });
});
