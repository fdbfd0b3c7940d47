// Property-based tests over random catalogues and message streams: the
// invariants the operator relies on hold after every message.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { ResourceType } from '../../../src/core/api/types.js';
import type { Provider } from '../../../src/core/catalogue/provider.js';
import { provider } from '../../support/core-fixtures.js';
import { MessageEngine, type MessageOutcome } from '../../../src/core/messages/message-engine.js';
import { ZERO, type Demand, instanceDemand } from '../../../src/core/placement/capacity-ledger.js';
import { referenceFirstFit } from '../../../src/core/placement/reference-placement.js';
import { evaluatePrivacy } from '../../../src/core/privacy/evaluate.js';
import { Catalogue } from '../../../src/core/placement/catalogue.js';
import { listing3 } from '../../../src/core/render/listing3.js';
import { Federation } from '../../../src/core/zones/federation.js';
import type { CompiledGroup } from '../../../src/core/zones/zone-spec.js';

const MCCS = [242, 238, 240, 262, 310, 311, 250, 460, 655, 302, 724, 208, 602];
const PENS = [9, 11, 674, 2011, 3902, 1894];
const ASNS = [3320, 3209, 1299];
const REGION_NAMES = ['Scandinavia', 'EEA', 'EU', 'America', 'BRICS', 'MENA'];
const ZONES = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);

const providerArb = (i: number) =>
  fc
    .record({
      country: fc.constantFrom(...MCCS),
      tier: fc.constantFrom('cloud' as const, 'fog' as const),
      environment: fc.constantFrom('VM' as const, 'container' as const),
      resourceTypes: fc.subarray<ResourceType>(['CPU', 'GPU', 'FPGA'], { minLength: 1 }),
      equipment: fc.subarray(PENS),
      autonomousSystems: fc.subarray(ASNS),
      cores: fc.integer({ min: 1, max: 32 }),
      memory: fc.integer({ min: 1024, max: 65536 }),
      storage: fc.integer({ min: 8192, max: 262144 }),
      devices: fc.integer({ min: 0, max: 4 }),
      order: fc.integer({ min: 0, max: 20 }),
    })
    .map((r): Provider =>
      provider(`P${i}`, {
        catalogueOrder: r.order,
        country: r.country,
        tier: r.tier,
        environment: r.environment,
        resourceTypes: r.resourceTypes,
        equipment: r.equipment,
        autonomousSystems: r.autonomousSystems,
        capacity: { cores: r.cores, memory: r.memory, storage: r.storage, gpus: r.devices, fpgas: r.devices },
      }),
    );

const catalogueArb = fc
  .integer({ min: 1, max: 10 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => providerArb(i))));

const ruleArb = <V>(values: readonly V[]) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(0, 2), fc.constantFrom(...values)).map(([a, v]) => [a, v] as [number, V]),
    fc.constantFrom(1, 3).map((a) => [a] as [number]),
  );

const privacyArb = fc.record(
  {
    regions: fc.array(ruleArb(REGION_NAMES), { maxLength: 3 }),
    countries: fc.array(ruleArb(MCCS), { maxLength: 3 }),
    as: fc.array(ruleArb(ASNS), { maxLength: 2 }),
    equipment: fc.array(ruleArb(PENS), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

type Op =
  | {
      kind: 'init';
      zone: number;
      privacy: object;
      environment: string;
      platform: string;
      resource: string;
      count: number;
      cores: number;
      memory: number;
      latency: boolean;
    }
  | { kind: 'stop-all'; zone: number }
  | { kind: 'stop-some'; zone: number; picks: number[]; bogus: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('init' as const),
      zone: fc.integer({ min: 0, max: ZONES.length - 1 }),
      privacy: privacyArb,
      environment: fc.constantFrom('VM', 'container'),
      platform: fc.constantFrom('cloud', 'fog', 'cloud+fog'),
      resource: fc.constantFrom('CPU', 'GPU', 'FPGA'),
      count: fc.integer({ min: 1, max: 4 }),
      cores: fc.integer({ min: 1, max: 8 }),
      memory: fc.integer({ min: 128, max: 8192 }),
      latency: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('stop-all' as const),
      zone: fc.integer({ min: 0, max: ZONES.length - 1 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('stop-some' as const),
      zone: fc.integer({ min: 0, max: ZONES.length - 1 }),
      picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
      bogus: fc.boolean(),
    }),
  },
);

/** Turns an op into a paper message, choosing STOP names from the live state. */
function toMessage(op: Op, f: Federation): unknown {
  const id = ZONES[op.zone];
  if (op.kind === 'init') {
    return {
      type: 'INIT',
      application_id: id,
      privacy: op.privacy,
      ...(op.latency ? { performance: 'latency' } : {}),
      environment: op.environment,
      platform_type: op.platform,
      resource_type: op.resource,
      'instance-count': op.count,
      'instance-details': { cores: op.cores, memory: op.memory, storage: 1024, image: 'img' },
    };
  }
  if (op.kind === 'stop-all') return { type: 'STOP', application_id: id };
  const live = f.allocation(id)?.instances ?? [];
  const instances: Record<string, string[]> = {};
  for (const k of op.picks) {
    if (live.length === 0) break;
    const i = live[k % live.length];
    if (!instances[i.provider]?.includes(i.name)) (instances[i.provider] ??= []).push(i.name);
  }
  if (op.bogus || Object.keys(instances).length === 0) (instances[live[0]?.provider ?? 'P0'] ??= []).push('V999');
  return { type: 'STOP', application_id: id, instances };
}

function usedFromInstances(f: Federation): Map<string, Demand> {
  const used = new Map<string, Demand>();
  for (const { allocation } of f.entries()) {
    for (const i of allocation.instances) {
      const d = instanceDemand(i);
      const u = { ...(used.get(i.provider) ?? ZERO) };
      for (const k of ['cores', 'memory', 'storage', 'gpus', 'fpgas'] as const) u[k] += d[k];
      used.set(i.provider, u);
    }
  }
  return used;
}

function checkInvariants(f: Federation, providers: readonly Provider[]): void {
  const byName = new Map(providers.map((p) => [p.name, p]));
  const vlans = new Set<number>();
  const addresses = new Set<string>();
  for (const { allocation } of f.entries()) {
    if (allocation.vlanId !== undefined) {
      assert.ok(!vlans.has(allocation.vlanId), `VLAN ${allocation.vlanId} unique`);
      vlans.add(allocation.vlanId);
    } else {
      assert.equal(allocation.instances.length, 0, 'instances need a VLAN');
    }
    const compiled = f.compiled(allocation.applicationId);
    assert.ok(compiled);
    const names = new Set<string>();
    for (const i of allocation.instances) {
      assert.ok(!addresses.has(i.address), `address ${i.address} unique`);
      addresses.add(i.address);
      assert.ok(!names.has(i.name), `name ${i.name} unique in zone`);
      assert.ok(!allocation.released.includes(i.name), `${i.name} is live and not released`);
      names.add(i.name);
      const p = byName.get(i.provider);
      assert.ok(p, `${i.provider} is in the catalogue`);
      const g: CompiledGroup | undefined = compiled.groups.find((x) => x.spec.name === i.group);
      assert.ok(g, `group ${i.group} of ${i.name} is in the spec`);
      assert.equal(Catalogue.shapeMismatch(p, g.request), undefined, `${i.name} shape fits ${p.name}`);
      for (const rules of g.request.privacy)
        assert.ok(evaluatePrivacy(rules.rules, p).pass, `${i.name} on ${p.name} passes its rules`);
    }
  }
  const used = usedFromInstances(f);
  for (const p of providers) {
    const u = used.get(p.name) ?? ZERO;
    assert.deepEqual(f.usedBy(p.name), u, `ledger of ${p.name} equals its instances`);
    for (const k of ['cores', 'memory', 'storage', 'gpus', 'fpgas'] as const)
      assert.ok(u[k] <= p.capacity[k], `${p.name} ${k} ${u[k]} <= ${p.capacity[k]}`);
  }
  assert.equal(f.vlans.used, vlans.size, "the VLAN allocator holds exactly the zones' VLANs");
}

function run(providers: readonly Provider[], ops: readonly Op[], check: boolean) {
  const f = new Federation({ providers });
  const engine = new MessageEngine(f);
  const outcomes: MessageOutcome[] = [];
  ops.forEach((op, index) => {
    const msg = toMessage(op, f);
    const usedBefore = new Map(providers.map((p) => [p.name, { ...f.usedBy(p.name) }]));
    const liveBefore = new Map(
      f
        .entries()
        .map((e) => [e.allocation.applicationId, e.allocation.instances.map((i) => `${i.provider}/${i.name}`)]),
    );
    const specBefore = engine.specs.get(ZONES[op.zone]);
    const out = engine.applyRaw(msg, index);
    outcomes.push(...out);
    if (!check) return;
    checkInvariants(f, providers);
    const first = out[0];
    if (op.kind === 'init' && (first.result === 'placed' || first.result === 'waiting')) {
      // First-fit takes the earliest feasible provider, judged by the plain reference.
      const spec = engine.specs.get(ZONES[op.zone]);
      const groups = f.compiled(ZONES[op.zone])?.groups ?? [];
      const g: CompiledGroup | undefined = groups[groups.length - 1];
      assert.ok(spec && g);
      const expected = referenceFirstFit(providers, (n) => usedBefore.get(n) ?? ZERO, {
        ...g.request,
        rules: g.request.privacy.map((c) => c.rules),
      });
      assert.equal(first.result === 'placed' ? first.provider : undefined, expected?.name, 'first-fit choice');
    }
    if (op.kind === 'stop-some') {
      const before = liveBefore.get(ZONES[op.zone]) ?? [];
      const after = (f.allocation(ZONES[op.zone])?.instances ?? []).map((i) => `${i.provider}/${i.name}`);
      const named = Object.entries((msg as { instances: Record<string, string[]> }).instances).flatMap(([p, ns]) =>
        ns.map((n) => `${p}/${n}`),
      );
      if (first.result === 'released') {
        assert.deepEqual(
          new Set(before.filter((x) => !after.includes(x))),
          new Set(named),
          'a release frees exactly what it names',
        );
      } else {
        assert.deepEqual(after, before, 'a rejected release frees nothing');
        assert.ok(specBefore === undefined || engine.specs.get(ZONES[op.zone]) === specBefore);
      }
    }
  });
  return { state: listing3(f.entries(), f.globalId), outcomes };
}

describe('core properties (random catalogues and message streams)', () => {
  it('keeps every invariant after every message, and first-fit matches the reference', () => {
    fc.assert(
      fc.property(catalogueArb, fc.array(opArb, { maxLength: 30 }), (providers, ops) => {
        run(providers, ops, true);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same state and outcomes when the same stream is replayed', () => {
    fc.assert(
      fc.property(catalogueArb, fc.array(opArb, { maxLength: 30 }), (providers, ops) => {
        assert.deepEqual(run(providers, ops, false), run(providers, ops, false));
      }),
      { numRuns: 60 },
    );
  });

  it('restoring every zone from its allocation rebuilds the same ledger and VLANs', () => {
    fc.assert(
      fc.property(catalogueArb, fc.array(opArb, { maxLength: 25 }), (providers, ops) => {
        const f = new Federation({ providers });
        const engine = new MessageEngine(f);
        ops.forEach((op, i) => engine.applyRaw(toMessage(op, f), i));
        const g = new Federation({ providers });
        for (const [id, spec] of engine.specs) {
          const a = f.allocation(id);
          if (a) assert.deepEqual(g.restore(spec, a), []);
        }
        for (const p of providers) assert.deepEqual(g.usedBy(p.name), f.usedBy(p.name));
        assert.equal(g.vlans.used, f.vlans.used);
        assert.deepEqual(listing3(g.entries(), g.globalId), listing3(f.entries(), f.globalId));
      }),
      { numRuns: 60 },
    );
  });
});
