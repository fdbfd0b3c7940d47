// A zone reconciler on in-memory fakes, with the real placement state
// (rebuilt from the fake hub's zones), for the reconciler tests.

import type { VlanRange } from '../../../src/core/network/vlan-allocator.js';
import assert from 'node:assert/strict';
import { ZoneConditionType as T } from '../../../src/core/api/conditions.js';
import { FINALIZER } from '../../../src/core/api/resources.js';
import type {
  Condition,
  ExecutionZone,
  ExecutionZoneSpec,
  ZoneRelease,
  ZoneReleaseSpec,
} from '../../../src/core/api/types.js';
import {
  ZoneReleaseReconciler,
  type ZoneReleaseReconcilerDeps,
} from '../../../src/controllers/zone-release-reconciler.js';
import { getCondition } from '../../../src/controllers/conditions.js';
import {
  ExecutionZoneReconciler,
  type ExecutionZoneReconcilerDeps,
} from '../../../src/controllers/execution-zone-reconciler.js';
import { PlacementState } from '../../../src/controllers/placement-state.js';
import { silentLogger } from '../../../src/runtime/logger.js';
import { provider } from '../../support/core-fixtures.js';
import { FakeClock } from '../runtime/fake-clock.js';
import { FakeMembers, FakeNetwork, FakeObjects, listerOf, RecordedEvents, zoneObject } from './fakes.js';

/** Two clouds with room for four 1-core instances each. */
export function zoneBed(providers = ['Cloud1', 'Cloud2'], o: { vlanRange?: VlanRange } = {}) {
  const clock = new FakeClock();
  const zones = new FakeObjects<ExecutionZone>();
  const state = new PlacementState({ hub: listerOf(zones), logger: silentLogger, clock, ...o });
  for (const [i, name] of providers.entries())
    state.setProvider({
      ...provider(name, {
        capacity: { cores: 4, memory: 65536, storage: 1048576 },
        network: { uplink: `zkup-${name.toLowerCase()}` },
      }),
      order: i,
    });
  const members = new FakeMembers();
  for (const p of providers) members.add(p);
  const network = new FakeNetwork();
  const events = new RecordedEvents();
  const freed: number[] = [];
  const settled: string[] = [];
  const reconciler = new ExecutionZoneReconciler({
    zones,
    state,
    members,
    network,
    events,
    logger: silentLogger,
    clock,
    onCapacityFreed: () => freed.push(clock.now()),
    onReleaseSettled: (k) => settled.push(k),
    pollMs: 10_000,
  });
  const conditions = (key: string): Condition[] => zones.current(key)?.status?.conditions ?? [];
  const cond = (key: string, type: string) => {
    const c = getCondition(conditions(key), type);
    return c ? `${c.status}/${c.reason}` : undefined;
  };
  return { clock, zones, state, members, network, events, freed, settled, reconciler, conditions, cond };
}

export type ZoneBed = ReturnType<typeof zoneBed>;

/** A zone created and reconciled until Ready (instances made Ready in the members). */
export async function readyZone(bed: ZoneBed, name: string, spec: ExecutionZoneSpec): Promise<string> {
  bed.zones.put(zoneObject(name, spec, { finalizers: [FINALIZER] }));
  const key = `tenant/${name}`;
  await bed.reconciler.reconcile(key);
  bed.members.makeReady(spec.applicationId);
  await bed.reconciler.reconcile(key);
  assert.equal(bed.cond(key, T.Ready), 'True/Ready');
  return key;
}

/** Another reconciler on the same bed: a restarted operator (empty memory), or one with metrics. */
export function reconcilerOn(bed: ZoneBed, extra: Partial<ExecutionZoneReconcilerDeps> = {}): ExecutionZoneReconciler {
  return new ExecutionZoneReconciler({
    zones: bed.zones,
    state: bed.state,
    members: bed.members,
    network: bed.network,
    events: bed.events,
    logger: silentLogger,
    clock: bed.clock,
    onCapacityFreed: () => bed.freed.push(bed.clock.now()),
    ...extra,
  });
}

/** The zone's owner deletes it: the API server sets deletionTimestamp and the finalizer holds it. */
export function markDeleted(bed: ZoneBed, key: string, at = '2026-01-01T00:01:00Z'): void {
  const z = bed.zones.current(key) as ExecutionZone;
  bed.zones.objects.set(key, { ...z, metadata: { ...z.metadata, deletionTimestamp: at } });
}

/**
 * A zone bed with the ZoneRelease reconciler beside the zone reconciler:
 * `put` a release, `rel` reads its status. `deps` adds or overrides the
 * release reconciler's own dependencies (an idle trigger's traffic source).
 */
export function releaseBed(
  bed: ReturnType<typeof zoneBed> = zoneBed(['Cloud1']),
  deps: Partial<ZoneReleaseReconcilerDeps> = {},
) {
  const releases = new FakeObjects<ZoneRelease>();
  const enqueued: string[] = [];
  const events = new RecordedEvents();
  // The release reconciler gets the zones read-only: it cannot write them.
  const zonesReadOnly = { current: (key: string) => bed.zones.current(key) };
  const reconciler = new ZoneReleaseReconciler({
    releases,
    zones: zonesReadOnly,
    requests: bed.state.releases,
    events,
    logger: silentLogger,
    clock: bed.clock,
    enqueueZone: (k) => enqueued.push(k),
    ...deps,
  });
  const put = (name: string, spec: ZoneReleaseSpec) =>
    releases.put({
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: {
        name,
        namespace: 'tenant',
        generation: 1,
        creationTimestamp: new Date(bed.clock.now()).toISOString(),
      },
      spec,
    });
  const rel = (name: string) => releases.current(`tenant/${name}`)?.status;
  return { ...bed, releases, enqueued, releaseEvents: events, release: reconciler, put, rel };
}
