import { strict as assert } from 'node:assert';
import { loadAllocation, storeAllocation } from '../../../../src/core/zones/allocation.js';
import { failOver, failoverDue, movesOf } from '../../../../src/core/zones/failover.js';
import { Federation } from '../../../../src/core/zones/federation.js';
import { compileZone } from '../../../../src/core/zones/zone-spec.js';
import { group, provider, REGIONS, zone } from '../../../support/core-fixtures.js';

const cap = { cores: 8, memory: 16384, storage: 65536 };

/** A, B, C in catalogue order; C in a country the zone under test may deny. */
function federation() {
  const providers = [
    provider('A', { catalogueOrder: 1, capacity: cap }),
    provider('B', { catalogueOrder: 2, capacity: cap, country: 262 }),
    provider('C', { catalogueOrder: 3, capacity: cap, country: 310 }),
  ];
  return { f: new Federation({ providers }), providers };
}

describe('failover: when a member is due', () => {
  const since = (m: Record<string, number>) => (p: string) => m[p];

  it('is never due without spec.failover', () => {
    assert.deepEqual(failoverDue(undefined, ['A'], since({ A: 0 }), 1e9), { due: [] });
  });

  it('is due once the member has been unreachable for afterSeconds, and says how long until then', () => {
    const policy = { afterSeconds: 30 };
    assert.deepEqual(failoverDue(policy, ['A', 'B'], since({ A: 1000 }), 1000 + 29_000), {
      due: [],
      nextInMs: 1000,
    });
    assert.deepEqual(failoverDue(policy, ['A', 'B'], since({ A: 1000 }), 1000 + 30_000), { due: ['A'] });
    assert.deepEqual(failoverDue(policy, ['B', 'A', 'B'], since({ A: 0, B: 0 }), 60_000), { due: ['A', 'B'] });
  });
});

describe('failover: moving groups off a lost provider', () => {
  it('places the lost group elsewhere with new names and addresses, releases the old ones, and moves the capacity', () => {
    const { f, providers } = federation();
    const spec = zone({ groups: [group({ count: 2, cores: 2 }), group({ name: 'g2', count: 1, cores: 1 })] });
    f.reconcile(spec);
    const id = spec.applicationId;
    // g1 and g2 both on A (first fit); A goes away.
    assert.deepEqual(
      Object.values(f.allocation(id)?.groups ?? {}).map((g) => g.provider),
      ['A', 'A'],
    );
    const before = f.allocation(id)?.instances.map((i) => i.address);
    providers[0].ready = false;
    const r = failOver(f, id, 'A');
    assert.deepEqual(r.stuck, []);
    assert.deepEqual(r.moved, [
      { instance: 'V1', from: 'A', replacement: 'V4', to: 'B' },
      { instance: 'V2', from: 'A', replacement: 'V5', to: 'B' },
      { instance: 'V3', from: 'A', replacement: 'V6', to: 'B' },
    ]);
    const a = f.allocation(id);
    assert.ok(a);
    assert.deepEqual(
      a.instances.map((i) => `${i.name}@${i.provider}`),
      ['V4@B', 'V5@B', 'V6@B'],
    );
    assert.deepEqual(a.released, ['V1', 'V2', 'V3'], 'the lost names are never used again');
    for (const i of a.instances) assert.ok(!before?.includes(i.address), `${i.name} has a new address`);
    assert.equal(a.groups.g1.provider, 'B');
    assert.deepEqual(a.groups.g1.instances, ['V1', 'V2', 'V4', 'V5']);
    assert.deepEqual(f.usedBy('A'), { cores: 0, memory: 0, storage: 0, gpus: 0, fpgas: 0 });
    assert.equal(f.usedBy('B').cores, 5);
    assert.deepEqual(movesOf(a.groups), r.moved);
  });

  it('moves only the live instances: a released one stays released', () => {
    const { f, providers } = federation();
    const spec = zone({ groups: [group({ count: 3 })] });
    f.reconcile(spec);
    const id = spec.applicationId;
    assert.ok(f.releaseInstances(id, { A: ['V2'] }).ok);
    providers[0].ready = false;
    const r = failOver(f, id, 'A');
    assert.deepEqual(
      r.moved.map((m) => `${m.instance}->${m.replacement}`),
      ['V1->V4', 'V3->V5'],
    );
    assert.equal(f.usedBy('B').cores, 2);
  });

  it('keeps a group that fits nowhere else where it was, capacity and all, and says why', () => {
    const { f, providers } = federation();
    // Only A (NO) and B (DE) pass; B is too small for the group.
    const spec = zone({
      privacy: { countries: [{ action: 'DenySpecific', value: 310 }, { action: 'AllowAll' }] },
      groups: [group({ count: 2, cores: 2 })],
    });
    f.reconcile(spec);
    const id = spec.applicationId;
    f.ledger.reserve('B', { cores: 7, memory: 0, storage: 0, gpus: 0, fpgas: 0 });
    providers[0].ready = false;
    const before = JSON.stringify(f.allocation(id));
    const r = failOver(f, id, 'A');
    assert.deepEqual(r.moved, []);
    assert.equal(r.stuck.length, 1);
    assert.match(r.stuck[0].reason, /B: insufficient capacity/);
    assert.match(r.stuck[0].reason, /C: country 310/);
    assert.equal(JSON.stringify(f.allocation(id)), before, 'nothing half-moved');
    assert.equal(f.usedBy('A').cores, 4);
  });

  it('leaves groups on other providers alone', () => {
    const { f, providers } = federation();
    const spec = zone({ groups: [group({ count: 1, cores: 8 }), group({ name: 'g2', count: 1 })] });
    f.reconcile(spec);
    const id = spec.applicationId;
    assert.equal(f.allocation(id)?.groups.g2.provider, 'B');
    providers[0].ready = false;
    const r = failOver(f, id, 'B');
    assert.deepEqual(r.moved, [], 'B is reachable: nothing moves off it');
    const moved = failOver(f, id, 'A');
    assert.deepEqual(
      moved.moved.map((m) => m.to),
      ['C'],
      'g1 needs 8 cores: B has 7 free',
    );
    assert.equal(f.allocation(id)?.groups.g2.provider, 'B');
  });

  it('completes a Replace in flight when its old provider is lost: the booked replacements take over, nothing is placed twice', () => {
    const { f, providers } = federation();
    // 2 × 3 cores: A (8) has no room for a second copy, so the Replace goes to B.
    const spec = zone({ groups: [group({ count: 2, cores: 3 })] });
    f.reconcile(spec);
    const id = spec.applicationId;
    const started = f.replaceGroup(id, 'g1');
    assert.ok(started.ok && started.provider === 'B');
    assert.deepEqual(started.instances, { V1: 'V3', V2: 'V4' });
    providers[0].ready = false;
    const r = failOver(f, id, 'A');
    assert.deepEqual(r.stuck, []);
    assert.deepEqual(r.moved, [
      { instance: 'V1', from: 'A', replacement: 'V3', to: 'B' },
      { instance: 'V2', from: 'A', replacement: 'V4', to: 'B' },
    ]);
    const a = f.allocation(id);
    assert.ok(a);
    assert.equal(a.groups.g1.replacing, undefined, 'the move is over');
    assert.equal(a.groups.g1.provider, 'B');
    assert.deepEqual(
      a.instances.map((i) => `${i.name}@${i.provider}`),
      ['V3@B', 'V4@B'],
    );
    assert.deepEqual(a.released, ['V1', 'V2']);
    assert.equal(f.usedBy('A').cores, 0);
    assert.equal(f.usedBy('B').cores, 6, 'the replacements booked once, not again by the failover');
    assert.deepEqual(movesOf(a.groups), r.moved);
  });

  it('drops a Replace in flight when the provider it moves to is lost: the group stays, the new names are released', () => {
    const { f, providers } = federation();
    // 2 × 3 cores: A (8) has no room for a second copy, so the Replace goes to B.
    const spec = zone({ groups: [group({ count: 2, cores: 3 })] });
    f.reconcile(spec);
    const id = spec.applicationId;
    const started = f.replaceGroup(id, 'g1');
    assert.ok(started.ok && started.provider === 'B');
    providers[1].ready = false;
    const r = failOver(f, id, 'B');
    assert.deepEqual(r.moved, []);
    assert.deepEqual(r.abandoned, [{ group: 'g1', provider: 'B', instances: ['V3', 'V4'] }]);
    const a = f.allocation(id);
    assert.ok(a);
    assert.equal(a.groups.g1.replacing, undefined);
    assert.equal(a.groups.g1.provider, 'A');
    assert.deepEqual(
      a.instances.map((i) => `${i.name}@${i.provider}`),
      ['V1@A', 'V2@A'],
    );
    assert.deepEqual(a.released, ['V3', 'V4'], 'the names booked on B are never used again');
    assert.equal(f.usedBy('B').cores, 0);
    assert.equal(f.usedBy('A').cores, 6);
    // The next Replace goes elsewhere: B is not ready.
    const again = f.replaceGroup(id, 'g1');
    assert.ok(again.ok);
    assert.equal(again.provider, 'C');
    assert.deepEqual(again.instances, { V1: 'V5', V2: 'V6' });
  });

  it('survives the durable round trip: the moved group still counts as its spec size, and restores', () => {
    const { f, providers } = federation();
    const spec = zone({ groups: [group({ count: 2 })] });
    f.reconcile(spec);
    const id = spec.applicationId;
    providers[0].ready = false;
    failOver(f, id, 'A');
    const a = f.allocation(id);
    assert.ok(a);
    // The spec did not change: reconcile must not call the group's count changed.
    const again = f.reconcile(spec);
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
    const stored = structuredClone(storeAllocation(a));
    const loaded = loadAllocation(stored);
    assert.deepEqual(loaded.problems, []);
    assert.ok(loaded.allocation);
    const g = new Federation({ providers });
    assert.deepEqual(g.restore(spec, loaded.allocation), []);
    assert.deepEqual(g.usedBy('A').cores, 0);
    assert.deepEqual(g.usedBy('B').cores, 2);
    assert.deepEqual(movesOf(g.allocation(id)?.groups ?? {}), movesOf(a.groups));
  });
});

describe('failover: spec.failover is checked', () => {
  for (const [value, reason] of [
    [{ afterSeconds: 9 }, /between 10 and 604800 seconds, got 9/],
    [{ afterSeconds: 12.5 }, /an integer number of seconds/],
    [{}, /is required/],
    [30, /an object with afterSeconds/],
  ] as const) {
    it(`rejects ${JSON.stringify(value)} naming the field`, () => {
      const spec = { ...zone(), failover: value } as unknown as Parameters<typeof compileZone>[0];
      const { zone: z, errors } = compileZone(spec, REGIONS);
      assert.equal(z, undefined);
      const e = errors.find((x) => x.path.startsWith('spec.failover'));
      assert.ok(e, JSON.stringify(errors));
      assert.match(e.reason, reason);
    });
  }

  it('accepts the minimum', () => {
    assert.deepEqual(compileZone({ ...zone(), failover: { afterSeconds: 10 } }, REGIONS).errors, []);
  });
});
