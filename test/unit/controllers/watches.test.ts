// Each controller's watches: which event maps to which key.

import assert from 'node:assert/strict';
import { FINALIZER } from '../../../src/core/api/resources.js';
import type { ExecutionZone, PrivacyRegion, ProviderCluster, ZoneRelease } from '../../../src/core/api/types.js';
import { executionZoneWatches } from '../../../src/controllers/execution-zone-watches.js';
import type { ObjectStore } from '../../../src/controllers/object-store.js';
import { placementRegionWatches, privacyRegionWatches } from '../../../src/controllers/privacy-region-watches.js';
import { zoneReleaseWatches } from '../../../src/controllers/zone-release-watches.js';
import type { InformerHandlers } from '../../../src/runtime/informer.js';
import { group, zone } from '../../support/core-fixtures.js';
import { zoneObject } from './fakes.js';
import { readyZone, zoneBed } from './zone-bed.js';

class Source<T> {
  readonly handlers: InformerHandlers<T>[] = [];
  items: T[] = [];
  on(h: InformerHandlers<T>): this {
    this.handlers.push(h);
    return this;
  }
  list(): T[] {
    return this.items;
  }
  get(key: string): T | undefined {
    return this.items.find((x) => (x as { metadata: { name: string } }).metadata.name === key);
  }
  add(o: T): void {
    for (const h of this.handlers) h.add?.(o);
  }
  update(now: T, old: T): void {
    for (const h of this.handlers) h.update?.(now, old);
  }
  delete(o: T): void {
    for (const h of this.handlers) h.delete?.(o);
  }
}

class Queue {
  readonly added: string[] = [];
  readonly later: string[] = [];
  readonly now: string[] = [];
  add(k: string): void {
    this.added.push(k);
  }
  addAfter(k: string, ms: number): void {
    this.later.push(`${k}+${ms}`);
  }
  addNow(k: string): void {
    this.now.push(k);
  }
}

describe('controller watches', () => {
  it('ExecutionZone: its own changes but not the echo of its own writes; Ready at once, other member events after a delay; waiting zones oldest first', async () => {
    const bed = zoneBed(['Cloud1']);
    const spec = zone({ groups: [group({ count: 4 })] });
    const key = await readyZone(bed, 'full', spec);
    const late = zoneObject('late', zone(), { creationTimestamp: '2026-01-02T00:00:00Z', finalizers: [FINALIZER] });
    const early = zoneObject('early', zone(), { creationTimestamp: '2026-01-01T12:00:00Z', finalizers: [FINALIZER] });
    bed.zones.put(late);
    bed.zones.put(early);
    const zones = new Source<ExecutionZone>();
    const queue = new Queue();
    const echoes = new Set(['7']);
    const store = {
      onMissed: undefined,
      isEcho: (z: ExecutionZone) => echoes.delete(z.metadata.resourceVersion ?? ''),
      list: () => bed.zones.list(),
    } as unknown as ObjectStore<ExecutionZone>;
    const triggers = executionZoneWatches(queue, {
      zones,
      store,
      state: bed.state,
      reconciler: bed.reconciler,
      memberEventDelayMs: 1000,
    });

    const z = bed.zones.current(key) as ExecutionZone;
    const at = (rv: string, generation = 1) => ({ ...z, metadata: { ...z.metadata, resourceVersion: rv, generation } });
    zones.update(at('7'), at('6'));
    assert.deepEqual(queue.added, [], 'our own write comes back and is skipped');
    zones.update(at('8'), at('7'));
    zones.update(at('7', 2), at('7'));
    zones.delete(at('9'));
    assert.deepEqual(queue.added, [key, key, key], "anyone else's change, a new generation, a delete");

    queue.added.length = 0;
    triggers.zoneObjectChanged(key);
    assert.deepEqual(queue.later, [`${key}+1000`], 'a member event of a Ready zone folds over the delay');
    triggers.providerChanged('Cloud1');
    assert.deepEqual(queue.added, [key], 'the zones on the provider');
    queue.added.length = 0;
    triggers.networkChanged('all');
    assert.deepEqual(queue.added, [key], 'every zone with a VLAN');
    queue.added.length = 0;
    triggers.capacityFreed();
    assert.deepEqual(queue.added, ['tenant/early', 'tenant/late'], 'the zones not placed, oldest first');
  });

  it('ZoneRelease: its own changes, and a zone appearing brings the releases that name it', () => {
    const releases = new Source<ZoneRelease>();
    const zones = new Source<ExecutionZone>();
    const queue = new Queue();
    zoneReleaseWatches(queue, { releases, zones });
    const rel = (name: string, zoneName: string): ZoneRelease => ({
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name, namespace: 'tenant' },
      spec: { zoneRef: { name: zoneName } },
    });
    releases.items = [rel('r1', 'a'), rel('r2', 'b'), rel('r3', 'a')];
    releases.add(rel('r1', 'a'));
    zones.add(zoneObject('a', zone()));
    assert.deepEqual(queue.added, ['tenant/r1', 'tenant/r1', 'tenant/r3']);
  });

  it("ZoneRelease: the echo of the reconciler's own status write is skipped, anyone else's change is not", () => {
    const releases = new Source<ZoneRelease>();
    const zones = new Source<ExecutionZone>();
    const queue = new Queue();
    const echoes = new Set(['7']);
    const store = {
      onMissed: undefined as ((key: string) => void) | undefined,
      isEcho: (r: ZoneRelease) => echoes.delete(r.metadata.resourceVersion ?? ''),
    };
    zoneReleaseWatches(queue, { releases, zones, store });
    const at = (rv: string, generation = 1): ZoneRelease => ({
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'ZoneRelease',
      metadata: { name: 'r', namespace: 'tenant', resourceVersion: rv, generation },
      spec: { zoneRef: { name: 'a' }, trigger: { usage: { resource: 'cpu', below: '100m', for: '1m' } } },
    });
    releases.update(at('7'), at('6'));
    assert.deepEqual(queue.added, [], 'its own observation write comes back and is skipped');
    releases.update(at('8'), at('7'));
    releases.update(at('9', 2), at('8'));
    store.onMissed?.('tenant/r');
    assert.deepEqual(
      queue.added,
      ['tenant/r', 'tenant/r', 'tenant/r'],
      "anyone else's change, a new generation, a missed one",
    );
  });

  it("PrivacyRegion: all regions on a region or provider change, named regions on a zone's spec change, nothing on status-only updates", () => {
    const regions = new Source<PrivacyRegion>();
    const zones = new Source<ExecutionZone>();
    const providers = new Source<ProviderCluster>();
    const queue = new Queue();
    privacyRegionWatches(queue, { regions, zones, providers, batchDelayMs: 500 });
    const region = (name: string, countries: string[]): PrivacyRegion => ({
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'PrivacyRegion',
      metadata: { name },
      spec: { countries },
    });
    regions.items = [region('nordics', ['SE']), region('alps', ['CH'])];
    regions.update({ ...region('nordics', ['SE']), status: { zones: 3 } }, region('nordics', ['SE']));
    assert.deepEqual(queue.added, [], 'its own status write');
    regions.update(region('nordics', ['SE', 'NO']), region('nordics', ['SE']));
    assert.deepEqual(queue.added, ['nordics', 'alps']);
    const naming = zoneObject('z', zone({ privacy: { regions: [{ action: 'AllowSpecific', value: 'Nordics' }] } }));
    zones.add(naming);
    zones.update({ ...naming, status: {} }, naming);
    assert.deepEqual(queue.later, ['nordics+500'], 'the zone add, not its status update');
  });

  it('PrivacyRegion, for placement: a change of meaning rebuilds the state and wakes the waiting zones', () => {
    const regions = new Source<PrivacyRegion>();
    const stale: string[] = [];
    let woken = 0;
    placementRegionWatches(regions, { markStale: (why) => stale.push(why) }, () => woken++);
    const region = (countries: string[], status?: PrivacyRegion['status']): PrivacyRegion => ({
      apiVersion: 'zonekeeper.io/v1alpha1',
      kind: 'PrivacyRegion',
      metadata: { name: 'nordics' },
      spec: { countries },
      ...(status ? { status } : {}),
    });
    regions.update(region(['SE'], { zones: 1 }), region(['SE']));
    assert.deepEqual([stale.length, woken], [0, 0], 'a status write changes no meaning');
    regions.update(region(['SE', 'NO']), region(['SE']));
    regions.add(region(['FI']));
    regions.delete(region(['FI']));
    assert.deepEqual([stale.length, woken], [3, 3]);
  });
});
