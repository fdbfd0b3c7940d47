import { strict as assert } from 'node:assert';
import { Federation } from '../../../../src/core/zones/federation.js';
import { group, provider, uuid, zone } from '../../../support/core-fixtures.js';

const small = () => [
  provider('A', { country: 242, capacity: { cores: 4, memory: 8192, storage: 65536 } }),
  provider('B', { country: 262, capacity: { cores: 8, memory: 16384, storage: 65536 } }),
];

describe('Federation', () => {
  it('places a whole group on one provider and names instances per zone', () => {
    const f = new Federation({ providers: small() });
    const out = f.reconcile(zone({ groups: [group({ count: 3, cores: 1 })] }));
    assert.equal(out.groups[0].provider, 'A');
    assert.deepEqual(out.groups[0].instances, ['V1', 'V2', 'V3']);
  });

  it('skips a provider without room for the whole group', () => {
    const f = new Federation({ providers: small() });
    const out = f.reconcile(zone({ groups: [group({ count: 5, cores: 1 })] }), true);
    assert.equal(out.groups[0].provider, 'B');
    const a = out.groups[0].explanation?.find((e) => e.provider === 'A');
    assert.equal(a?.reason, 'insufficient capacity: needs 5 cores, 4 free');
  });

  it('keeps a zone waiting with a reason per provider when nothing fits', () => {
    const f = new Federation({ providers: small() });
    const out = f.reconcile(
      zone({ privacy: { regions: [{ action: 'AllowSpecific', value: 'BRICS' }, { action: 'DenyAll' }] } }),
    );
    assert.equal(out.waiting, true);
    assert.equal(out.groups[0].reason, 'NoMatchingProvider');
    assert.deepEqual(
      out.groups[0].explanation?.map((e) => e.reason),
      [
        'country 242 (NO) not allowed by regions rule #2 DENY_ALL',
        'country 262 (DE) not allowed by regions rule #2 DENY_ALL',
      ],
    );
    assert.equal(f.vlans.used, 0, 'a waiting zone holds no VLAN');
  });

  it('places a waiting zone once capacity frees', () => {
    const f = new Federation({ providers: [provider('A', { capacity: { cores: 2, memory: 8192, storage: 65536 } })] });
    const first = zone({ groups: [group({ count: 2 })] });
    const second = zone({ groups: [group({ count: 1 })] });
    f.reconcile(first);
    assert.equal(f.reconcile(second).waiting, true);
    assert.ok(f.releaseZone(first.applicationId).ok);
    const again = f.reconcile(second);
    assert.equal(again.waiting, false);
    assert.equal(f.allocation(second.applicationId)?.vlanId, 1000, 'the freed VLAN is the lowest free one');
  });

  it('scales up with a new group: same VLAN, numbering goes on, a new provider adds a VPN link', () => {
    const f = new Federation({ providers: small() });
    const spec = zone({ groups: [group({ count: 2 })] });
    f.reconcile(spec);
    const up = { ...spec, groups: [...spec.groups, group({ name: 'g2', count: 4, cores: 2 })] };
    const out = f.reconcile(up);
    assert.deepEqual(
      out.groups.map((g) => [g.provider, g.instances, g.new]),
      [
        ['A', ['V1', 'V2'], false],
        ['B', ['V3', 'V4', 'V5', 'V6'], true],
      ],
    );
    const plan = f.networkPlan(spec.applicationId);
    assert.equal(plan?.vlanId, 1000);
    assert.deepEqual(
      plan?.vpn.map((v) => v.to),
      ['A-SWITCH', 'B-SWITCH'],
    );
  });

  it("applies a group's own rules on top of the zone's", () => {
    const f = new Federation({ providers: small() });
    const out = f.reconcile(
      zone({ groups: [group({ privacy: { countries: [{ action: 'DenySpecific', value: 242 }] } })] }),
    );
    assert.equal(out.groups[0].provider, 'B');
  });

  it('refuses to change a placed group and changes nothing', () => {
    const f = new Federation({ providers: small() });
    const spec = zone({ groups: [group({ count: 2 })] });
    f.reconcile(spec);
    const out = f.reconcile({ ...spec, groups: [group({ count: 3 })] });
    assert.match(out.errors?.[0].reason ?? '', /placed with 2 instances and cannot change/);
    assert.equal(f.allocation(spec.applicationId)?.instances.length, 2);
    assert.equal(f.usedBy('A').cores, 2);
  });

  it('reports spec errors and allocates nothing', () => {
    const f = new Federation({ providers: small() });
    const out = f.reconcile({ applicationId: 'nope', groups: [group({ count: 0 })] });
    assert.deepEqual(
      out.errors?.map((e) => e.path),
      ['spec.applicationId', 'spec.groups[0].count'],
    );
    assert.equal(f.applicationIds().length, 0);
  });

  describe('releases', () => {
    it('releases exactly the named instances and never reuses their names', () => {
      const f = new Federation({ providers: small() });
      const spec = zone({ groups: [group({ count: 3 })] });
      f.reconcile(spec);
      const r = f.releaseInstances(spec.applicationId, { A: ['V2'] });
      assert.deepEqual(r, { ok: true, released: { A: ['V2'] } });
      assert.equal(f.usedBy('A').cores, 2);
      const out = f.reconcile({ ...spec, groups: [...spec.groups, group({ name: 'g2', count: 1 })] });
      assert.deepEqual(out.groups[1].instances, ['V4']);
    });

    it("puts a released instance's address in the network plan, so the switch drops it, and restores it from durable state", () => {
      const f = new Federation({ providers: small() });
      const spec = zone({ groups: [group({ count: 3 })] });
      f.reconcile(spec);
      const before = f.networkPlan(spec.applicationId);
      const v2 = before?.instances.find((i) => i.name === 'V2');
      assert.ok(v2);
      assert.deepEqual(before?.released, []);
      assert.ok(f.releaseInstances(spec.applicationId, { A: ['V2'] }).ok);
      const after = f.networkPlan(spec.applicationId);
      assert.deepEqual(after?.released, [{ name: 'V2', address: v2.address }]);
      assert.deepEqual(
        after?.instances.map((i) => i.name),
        ['V1', 'V3'],
      );
      const g = new Federation({ providers: small() });
      assert.deepEqual(g.restore(spec, f.allocation(spec.applicationId)!), []);
      assert.deepEqual(g.networkPlan(spec.applicationId)?.released, after?.released);
    });

    it('rejects a STOP naming an unknown instance and releases nothing', () => {
      const f = new Federation({ providers: small() });
      const spec = zone({ groups: [group({ count: 3 })] });
      f.reconcile(spec);
      const r = f.releaseInstances(spec.applicationId, { A: ['V1', 'V9'] });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.errors[0].path === 'instances.A[1]' && /has no instance V9 on A/.test(r.errors[0].reason));
      assert.equal(f.allocation(spec.applicationId)?.instances.length, 3);
      assert.equal(f.usedBy('A').cores, 3);
    });

    it('rejects naming the wrong provider or an instance already released', () => {
      const f = new Federation({ providers: small() });
      const spec = zone({ groups: [group({ count: 2 })] });
      f.reconcile(spec);
      const wrong = f.releaseInstances(spec.applicationId, { B: ['V1'] });
      assert.ok(!wrong.ok && /runs on A, not B/.test(wrong.errors[0].reason));
      assert.ok(f.releaseInstances(spec.applicationId, { A: ['V1'] }).ok);
      const twice = f.releaseInstances(spec.applicationId, { A: ['V1'] });
      assert.ok(!twice.ok && /already released/.test(twice.errors[0].reason));
    });

    it('releases a whole zone with its VLAN and capacity, and rejects an unknown zone', () => {
      const f = new Federation({ providers: small() });
      const spec = zone();
      f.reconcile(spec);
      assert.ok(f.releaseZone(spec.applicationId).ok);
      assert.equal(f.vlans.used, 0);
      assert.equal(f.usedBy('A').cores, 0);
      assert.equal(f.releaseZone(uuid()).ok, false);
    });
  });

  describe('restore from durable state', () => {
    it('rebuilds the same ledger, VLANs and numbering', () => {
      const f = new Federation({ providers: small() });
      const spec = zone({ groups: [group({ count: 2 })] });
      f.reconcile(spec);
      f.releaseInstances(spec.applicationId, { A: ['V1'] });
      const g = new Federation({ providers: small() });
      assert.deepEqual(g.restore(spec, f.allocation(spec.applicationId)!), []);
      assert.deepEqual(g.usedBy('A'), f.usedBy('A'));
      assert.equal(g.vlans.has(1000), true);
      const up = g.reconcile({ ...spec, groups: [...spec.groups, group({ name: 'g2' })] });
      assert.deepEqual(up.groups[1].instances, ['V3']);
    });

    it('reports a VLAN outside a narrowed range as a conflict instead of throwing', () => {
      const f = new Federation({ providers: small() });
      const spec = zone();
      f.reconcile(spec);
      const g = new Federation({ providers: small(), vlanRange: { min: 2000, max: 2999 } });
      const problems = g.restore(spec, f.allocation(spec.applicationId)!);
      assert.deepEqual(problems, [{ path: 'status.vlanId', reason: 'VLAN 1000 is outside the VLAN range 2000–2999' }]);
      assert.equal(g.vlans.used, 0);
    });

    it('refuses a second zone claiming the same VLAN', () => {
      const f = new Federation({ providers: small() });
      const a = zone();
      const b = zone();
      f.reconcile(a);
      const g = new Federation({ providers: small() });
      assert.deepEqual(g.restore(a, f.allocation(a.applicationId)!), []);
      const clash = { ...f.allocation(a.applicationId)!, applicationId: b.applicationId };
      assert.match(g.restore(b, clash)[0].reason, /VLAN 1000 is already held/);
    });
  });

  it('takes unready providers out of new placements', () => {
    const providers = small();
    providers[0].ready = false;
    providers[0].notReadyReason = 'member API server unreachable';
    const f = new Federation({ providers });
    const out = f.reconcile(zone(), true);
    assert.equal(out.groups[0].provider, 'B');
    assert.equal(out.groups[0].explanation?.[0].reason, 'not ready: member API server unreachable');
  });

  it('says when the VLAN range is exhausted', () => {
    const f = new Federation({ providers: small(), vlanRange: { min: 1000, max: 1000 } });
    f.reconcile(zone());
    const out = f.reconcile(zone());
    assert.match(out.groups[0].reason ?? '', /^NoFreeVlan/);
    assert.equal(f.usedBy('A').cores + f.usedBy('B').cores, 1, 'the waiting zone took no capacity');
  });

  it('says when the VLANs it lacks are draining, and places the zone once the draining VLAN is released', () => {
    const f = new Federation({ providers: small(), vlanRange: { min: 1000, max: 1000 } });
    assert.equal(f.vlans.quarantine(1000), true);
    const out = f.reconcile(zone());
    assert.match(
      out.groups[0].reason ?? '',
      /^NoFreeVlan: every VLAN of 1000–1000 is in use; 1 of them still draining/,
    );
    f.vlans.release(1000);
    const placed = f.reconcile(zone());
    assert.equal(placed.groups[0].placed, true);
    assert.equal(f.allocation(placed.applicationId)?.vlanId, 1000);
  });

  describe('strategies', () => {
    const providers = () => [
      provider('Big', { capacity: { cores: 64, memory: 65536, storage: 65536 } }),
      provider('Small', { capacity: { cores: 4, memory: 65536, storage: 65536 } }),
    ];

    it('first-fit takes the earliest, best-fit the tightest', () => {
      assert.equal(
        new Federation({ providers: providers() }).reconcile(zone({ groups: [group({ count: 2 })] })).groups[0]
          .provider,
        'Big',
      );
      assert.equal(
        new Federation({ providers: providers(), strategy: 'best-fit' }).reconcile(
          zone({ groups: [group({ count: 2 })] }),
        ).groups[0].provider,
        'Small',
      );
    });

    it('fewest-links keeps a zone on a provider it already uses, first-fit opens a new link', () => {
      const two = () => [
        provider('Big', { country: 242, capacity: { cores: 64, memory: 65536, storage: 65536 } }),
        provider('Small', { country: 262, capacity: { cores: 4, memory: 65536, storage: 65536 } }),
      ];
      const onlyDe = group({
        privacy: { countries: [{ action: 'AllowSpecific', value: 'DE' }, { action: 'DenyAll' }] },
      });
      for (const [strategy, want] of [
        ['first-fit', 'Big'],
        ['fewest-links', 'Small'],
      ] as const) {
        const f = new Federation({ providers: two(), strategy });
        const spec = zone({ groups: [onlyDe] });
        assert.equal(f.reconcile(spec).groups[0].provider, 'Small');
        const up = f.reconcile({ ...spec, groups: [onlyDe, group({ name: 'g2' })] });
        assert.equal(up.groups[1].provider, want, strategy);
      }
    });
  });
});
