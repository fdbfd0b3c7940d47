import assert from 'node:assert/strict';
import {
  instanceMac,
  ipv6ToBigInt,
  planP4Entries,
  solicitedNodeMac,
  TABLES,
} from '../../../src/core/network/p4-entries.js';
import { translateEntry } from '../../../src/p4/entry-translator.js';
import { INDEX } from '../switch/switch-harness.js';
import { PAPER_PLANS, PORTS, syntheticPlan } from './paper-zone-plans.js';

describe('core/network/p4-entries: the P4 entry plan', () => {
  it('plans every paper zone with entries that translate against the P4Info', () => {
    const { zones, problems } = planP4Entries(PAPER_PLANS, PORTS);
    assert.deepEqual(problems, []);
    assert.equal(zones.length, 6);
    for (const z of zones)
      for (const [i, e] of z.entries.entries())
        assert.equal(translateEntry(INDEX, e, `${z.zone}[${i}]`).problem, undefined);
  });

  it('admits the trunk and each provider port of the zone, and nothing else', () => {
    const z = planP4Entries([PAPER_PLANS[0]], PORTS).zones[0];
    const admits = z?.entries.filter((e) => e.table === TABLES.admit).map((e) => e.match[0]?.value);
    assert.deepEqual(admits, ['0', '1', '2']);
  });

  it('marks with the Table V DSCP of the zone', () => {
    const { zones } = planP4Entries(PAPER_PLANS, PORTS);
    assert.deepEqual(
      zones.map((z) => z.entries.find((e) => e.table === TABLES.mark)?.params[0]?.value),
      ['56', '8', '2', '4', '56', '56'],
    );
  });

  it('is deterministic: the same plans give the same entries', () => {
    assert.deepEqual(planP4Entries(PAPER_PLANS, PORTS), planP4Entries(PAPER_PLANS, PORTS));
  });

  it('reports a provider without a port and a VLAN used twice, leaving those zones out', () => {
    const bad = { ...syntheticPlan(1000, 'Nowhere') };
    const { zones, problems } = planP4Entries([syntheticPlan(1000), bad, syntheticPlan(1001)], PORTS);
    assert.deepEqual(
      zones.map((z) => z.vlanId),
      [1000, 1001],
    );
    assert.ok(problems.some((p) => p.reason.includes('Nowhere')));
    assert.ok(problems.some((p) => p.reason.includes('also used')));
  });

  it("drops the address of each released instance, above the zone's own network", () => {
    const plan = syntheticPlan(1000, 'Fog1', 3);
    const gone = plan.instances[1];
    assert.ok(gone);
    const withRelease = { ...plan, instances: plan.instances.filter((i) => i !== gone), released: [gone] };
    const z = planP4Entries([withRelease], PORTS).zones[0];
    assert.ok(z);
    const acl = z.entries.filter((e) => e.table === TABLES.acl);
    const drops = acl.filter((e) => e.action === 'ZoneIngress.drop');
    assert.equal(drops.length, 1);
    assert.equal(drops[0]?.match[1]?.value, `0x${ipv6ToBigInt(gone.address).toString(16)}`);
    assert.equal(drops[0]?.match[1]?.mask, `0x${'f'.repeat(32)}`);
    assert.ok(acl.every((e) => e === drops[0] || e.priority < (drops[0]?.priority ?? 0)));
    assert.equal(translateEntry(INDEX, drops[0], z.zone).problem, undefined);
    // No forwarding entry is left for it.
    const mac = BigInt(`0x${instanceMac(gone.address).replace(/:/g, '')}`);
    assert.ok(z.entries.every((e) => e.table !== TABLES.forward || BigInt(e.match[1]?.value ?? 0) !== mac));
    // Nor for its solicited-node group: neighbour discovery cannot find it either.
    const group = BigInt(`0x${solicitedNodeMac(gone.address).replace(/:/g, '')}`);
    assert.ok(z.entries.every((e) => e.table !== TABLES.forward || BigInt(e.match[1]?.value ?? 0) !== group));
  });

  it("sends a neighbour solicitation for an instance's address to that instance's port", () => {
    // RFC 4291's example: fe80::2aa:ff:fe28:9c5a solicits at ff02::1:ff28:9c5a, on Ethernet 33:33:ff:28:9c:5a.
    assert.equal(solicitedNodeMac('fe80::2aa:ff:fe28:9c5a'), '33:33:ff:28:9c:5a');
    const plans = [syntheticPlan(1000, 'Fog1', 2), syntheticPlan(1001, 'Fog2', 1)];
    const { zones, problems } = planP4Entries(plans, PORTS);
    assert.deepEqual(problems, []);
    for (const [zi, z] of zones.entries()) {
      const plan = plans[zi];
      assert.ok(plan);
      const groups = z.entries
        .filter((e) => e.table === TABLES.forward && (e.match[1]?.value ?? '').startsWith('0x3333ff'))
        .map((e) => [e.match[0]?.value, e.match[1]?.value, e.params[0]?.value]);
      assert.deepEqual(
        groups,
        plan.instances.map((i) => [
          String(z.vlanId),
          `0x${solicitedNodeMac(i.address).replace(/:/g, '')}`,
          String(PORTS.providerPorts[i.provider]),
        ]),
      );
      for (const [i, e] of z.entries.entries())
        assert.equal(translateEntry(INDEX, e, `${z.zone}[${i}]`).problem, undefined);
    }
  });

  it('refuses a zone whose instances share a solicited-node group behind different ports, naming both', () => {
    const plan = syntheticPlan(1000, 'Fog1', 2);
    const [a, b] = plan.instances;
    assert.ok(a && b);
    // The same low 24 bits, different MACs (bits 24..39 differ), on Fog1 and Fog2.
    const prefix = a.address.split('::')[0] ?? '';
    const twins = [
      { ...a, address: `${prefix}::1:0:5` },
      { ...b, address: `${prefix}::2:0:5`, provider: 'Fog2' },
    ];
    const { zones, problems } = planP4Entries([{ ...plan, instances: twins }], PORTS);
    assert.equal(zones.length, 0);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]?.reason ?? '',
      new RegExp(`${b.name} and ${a.name} share the solicited-node group 33:33:ff:00:00:05`),
    );
    // Behind the same port, one entry serves both.
    const same = planP4Entries([{ ...plan, instances: twins.map((t) => ({ ...t, provider: 'Fog1' })) }], PORTS);
    assert.deepEqual(same.problems, []);
  });

  it('derives a locally administered unicast MAC from the instance address', () => {
    assert.equal(instanceMac('fd3f:e79f:d35c:3e8::1'), '02:00:00:00:00:01');
    assert.equal(ipv6ToBigInt('::ffff:10.0.0.1'), 0xffff0a000001n);
  });

  it('fits 4,094 zones into the table sizes of the P4Info', () => {
    const plans = Array.from({ length: 4094 }, (_, i) => syntheticPlan(i + 1, i % 2 === 0 ? 'Fog1' : 'Fog2'));
    const { zones, problems } = planP4Entries(plans, PORTS);
    assert.equal(problems.length, 0);
    const perTable = new Map<string, number>();
    for (const z of zones) for (const e of z.entries) perTable.set(e.table, (perTable.get(e.table) ?? 0) + 1);
    for (const [t, n] of perTable) assert.ok(n <= (INDEX.tableByName(t)?.size ?? 0), `${t}: ${n}`);
  });

  it('fits 4,094 zones that each released eight instances', () => {
    const plans = Array.from({ length: 4094 }, (_, i) => {
      const p = syntheticPlan(i + 1, 'Fog1', 10);
      return { ...p, instances: p.instances.slice(0, 2), released: p.instances.slice(2) };
    });
    const { zones, problems } = planP4Entries(plans, PORTS);
    assert.equal(problems.length, 0);
    const acl = zones.reduce((n, z) => n + z.entries.filter((e) => e.table === TABLES.acl).length, 0);
    assert.ok(acl <= (INDEX.tableByName(TABLES.acl)?.size ?? 0), `zone_acl: ${acl}`);
  });
});
