// The allocation as ExecutionZone status stores it: each instance without
// what its group says. What goes in must come back whole, and a stored
// allocation that does not add up is refused with the path, never half read.
import { strict as assert } from 'node:assert';
import { loadAllocation, storeAllocation, type ZoneAllocation } from '../../../../src/core/zones/allocation.js';
import { Federation } from '../../../../src/core/zones/federation.js';
import { group, provider, uuid, zone } from '../../../support/core-fixtures.js';

describe('stored allocation (status.allocation)', () => {
  function placed(): ZoneAllocation {
    const f = new Federation({
      providers: [provider('Fog1', { tier: 'fog', environment: 'container' }), provider('Cloud1')],
    });
    const spec = zone({
      applicationId: uuid(1),
      groups: [
        group({ name: 'a', environment: 'container', platformType: 'cloud+fog', count: 2, cores: 2 }),
        group({ name: 'b', count: 1, memory: 4096 }),
      ],
    });
    const out = f.reconcile(spec, true);
    assert.deepEqual(out.errors ?? [], []);
    const a = f.allocation(uuid(1));
    assert.ok(a && a.instances.length === 3);
    return a;
  }

  it('keeps per instance only name, group and address, and reads back the same allocation', () => {
    const a = placed();
    const s = storeAllocation(a);
    for (const i of s.instances) assert.deepEqual(Object.keys(i).sort(), ['address', 'group', 'name']);
    const back = loadAllocation(JSON.parse(JSON.stringify(s)) as typeof s);
    assert.deepEqual(back.problems, []);
    assert.deepEqual(back.allocation, a);
  });

  it('gives each instance the provider and shape of its group', () => {
    const back = loadAllocation(storeAllocation(placed())).allocation;
    const vm = back?.instances.find((i) => i.group === 'b');
    assert.equal(vm?.environment, 'VM');
    assert.equal(vm?.memory, 4096);
    assert.equal(vm?.provider, back?.groups.b?.provider);
  });

  it('keeps released names and a zone without VLAN', () => {
    const a: ZoneAllocation = { applicationId: uuid(2), groups: {}, instances: [], released: ['C1', 'C2'] };
    assert.deepEqual(loadAllocation(storeAllocation(a)).allocation, a);
  });

  it('refuses an instance of a group that is not there, one its group does not list, and one listed twice, naming the path', () => {
    const s = storeAllocation(placed());
    const first = s.instances[0];
    assert.ok(first);
    const cases: [typeof s, RegExp][] = [
      [
        { ...s, instances: [{ ...first, group: 'zz' }] },
        /status\.allocation\.instances\[0\]\.group: group zz is not in status\.allocation\.groups/,
      ],
      [
        { ...s, instances: [{ ...first, name: 'C99' }] },
        /status\.allocation\.instances\[0\]\.name: C99 is not an instance of group a/,
      ],
      [{ ...s, instances: [first, first] }, /status\.allocation\.instances\[1\]\.name: C1 is listed twice/],
    ];
    for (const [bad, want] of cases) {
      const r = loadAllocation(bad);
      assert.equal(r.allocation, undefined, 'nothing is half read');
      assert.match(r.problems.map((p) => `${p.path}: ${p.reason}`).join('; '), want);
    }
  });
});
