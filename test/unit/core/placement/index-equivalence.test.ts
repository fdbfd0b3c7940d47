// The indexed placement search (bitsets, cached rule lists, capacity
// blocks) must choose exactly what the plain walk chooses: the reference
// first-fit for first-fit, and each strategy over the plain candidate walk
// for the others, on random catalogues crossing word and block boundaries,
// random ledgers (over-booked ones too), unready providers, and ledgers
// that change between decisions.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { PrivacyRules, ResourceType } from '../../../../src/core/api/types.js';
import type { Provider } from '../../../../src/core/catalogue/provider.js';
import {
  CapacityLedger,
  type Demand,
  instanceDemand,
  scale,
  ZERO,
} from '../../../../src/core/placement/capacity-ledger.js';
import { Catalogue } from '../../../../src/core/placement/catalogue.js';
import { EXAMPLES_PER_CAUSE, MAX_CAUSES } from '../../../../src/core/placement/explain-groups.js';
import { eligibility, type GroupRequest } from '../../../../src/core/placement/group-request.js';
import { placeGroup } from '../../../../src/core/placement/place-group.js';
import { referenceFirstFit, referenceOrder } from '../../../../src/core/placement/reference-placement.js';
import { STRATEGIES, STRATEGY_NAMES, type StrategyName } from '../../../../src/core/placement/strategies.js';
import { CompiledPrivacy } from '../../../../src/core/privacy/evaluate.js';
import { mulberry32, pick } from '../../../support/seeded-random.js';
import { provider, rules } from '../../../support/core-fixtures.js';

const MCCS = [242, 238, 240, 262, 310, 250, 460, 655, 302, 724, 208, 602];
const PENS = [9, 11, 674, 2011];
const ASNS = [3320, 3209, 1299];
const REGION_NAMES = ['Scandinavia', 'EEA', 'EU', 'America', 'BRICS', 'MENA'];
const TYPES: ResourceType[] = ['CPU', 'GPU', 'FPGA'];

function randomCatalogue(n: number, seed: number): Provider[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const types = TYPES.filter((_, k) => (k === 0 ? rnd() < 0.9 : rnd() < 0.4));
    const p = provider(`P${i}`, {
      catalogueOrder: Math.floor(rnd() * n),
      country: pick(rnd, MCCS),
      tier: rnd() < 0.4 ? 'fog' : 'cloud',
      environment: rnd() < 0.5 ? 'VM' : 'container',
      resourceTypes: types.length ? types : ['GPU'],
      equipment: rnd() < 0.8 ? [pick(rnd, PENS)] : [],
      autonomousSystems: rnd() < 0.7 ? [pick(rnd, ASNS)] : [],
      capacity: {
        cores: 1 + Math.floor(rnd() * 16),
        memory: 4096,
        storage: 65536,
        gpus: Math.floor(rnd() * 3),
        fpgas: Math.floor(rnd() * 3),
      },
    });
    if (rnd() < 0.1) {
      p.ready = false;
      p.notReadyReason = 'member unreachable';
    }
    return p;
  });
}

function randomRules(rnd: () => number): PrivacyRules {
  const out: PrivacyRules = {};
  const action = (all: boolean) =>
    all ? pick(rnd, ['AllowAll', 'DenyAll'] as const) : pick(rnd, ['AllowSpecific', 'DenySpecific'] as const);
  const list = <V>(values: readonly V[]) =>
    Array.from({ length: Math.floor(rnd() * 3) }, () => {
      const all = rnd() < 0.3;
      return all ? { action: action(true) } : { action: action(false), value: pick(rnd, values) };
    });
  if (rnd() < 0.6) out.regions = list(REGION_NAMES);
  if (rnd() < 0.4) out.countries = list(MCCS);
  if (rnd() < 0.3) out.autonomousSystems = list(ASNS);
  if (rnd() < 0.3) out.equipment = list(PENS);
  return out;
}

function randomRequest(rnd: () => number, sets: CompiledPrivacy[]): GroupRequest {
  return {
    name: 'g',
    environment: rnd() < 0.5 ? 'VM' : 'container',
    platformType: pick(rnd, ['cloud', 'fog', 'cloud+fog'] as const),
    resourceType: pick(rnd, TYPES),
    performance: rnd() < 0.5 ? 'latency' : 'tolerant',
    count: 1 + Math.floor(rnd() * 3),
    cores: 1 + Math.floor(rnd() * 6),
    memory: 512,
    storage: 1024,
    privacy: sets,
  };
}

/** The strategy applied to the plain candidate walk, with eligibility() per provider. */
function plainChoice(
  providers: readonly Provider[],
  ledger: CapacityLedger,
  strategy: StrategyName,
  req: GroupRequest,
  zoneProviders: ReadonlySet<string>,
): Provider | undefined {
  const demand = scale(instanceDemand(req), req.count);
  return STRATEGIES[strategy].choose(
    referenceOrder(providers, req),
    (p) => eligibility(p, req, demand, ledger) === undefined,
    { demand, ledger, zoneProviders },
  );
}

/** Books random amounts, some beyond a provider's capacity (as a restore may). */
function fill(ledger: CapacityLedger, providers: readonly Provider[], rnd: () => number): void {
  for (const p of providers) {
    if (rnd() < 0.5) continue;
    const d: Demand = {
      cores: Math.floor(rnd() * (p.capacity.cores + 2)),
      memory: 0,
      storage: 0,
      gpus: Math.floor(rnd() * 3),
      fpgas: rnd() < 0.2 ? 3 : 0,
    };
    ledger.reserve(p.name, d);
  }
}

function checkSame(n: number, seed: number, decisions: number): void {
  const rnd = mulberry32(seed * 7919 + n);
  const providers = randomCatalogue(n, seed);
  const catalogue = new Catalogue(providers);
  const ledger = new CapacityLedger();
  fill(ledger, providers, rnd);
  const ruleSets = Array.from({ length: 6 }, () => new CompiledPrivacy(rules(randomRules(rnd))));
  const booked: { provider: string; demand: Demand }[] = [];
  for (let k = 0; k < decisions; k++) {
    // Compiled afresh half of the time, as every reconcile pass does: the cache goes by content.
    const fresh = (s: CompiledPrivacy) => (rnd() < 0.5 ? new CompiledPrivacy(s.rules) : s);
    const sets = rnd() < 0.3 ? [fresh(pick(rnd, ruleSets)), fresh(pick(rnd, ruleSets))] : [fresh(pick(rnd, ruleSets))];
    const req = randomRequest(rnd, sets);
    const strategy = pick(rnd, STRATEGY_NAMES);
    const zoneProviders = new Set(providers.filter(() => rnd() < 0.05).map((p) => p.name));
    const d = placeGroup(req, { catalogue, ledger, strategy, zoneProviders });
    const want = plainChoice(catalogue.providers, ledger, strategy, req, zoneProviders);
    const context = `n=${n} seed=${seed} decision ${k} ${strategy} ${JSON.stringify({ ...req, privacy: sets.map((s) => s.key) })}`;
    assert.equal(d.placed ? d.provider.name : undefined, want?.name, context);
    if (strategy === 'first-fit') {
      const ref = referenceFirstFit(providers, (name) => ledger.usedBy(name) ?? ZERO, {
        ...req,
        rules: sets.map((s) => s.rules),
      });
      assert.equal(d.placed ? d.provider.name : undefined, ref?.name, `reference ${context}`);
    }
    // The ledger moves between decisions: book the choice, sometimes give something back.
    if (d.placed && rnd() < 0.7) {
      ledger.reserve(d.provider.name, d.demand);
      booked.push({ provider: d.provider.name, demand: d.demand });
    }
    if (booked.length > 0 && rnd() < 0.3) {
      const b = booked.splice(Math.floor(rnd() * booked.length), 1)[0];
      ledger.release(b.provider, b.demand);
    }
    if (rnd() < 0.05) {
      const p = pick(rnd, providers);
      p.ready = !p.ready;
    }
  }
}

describe('indexed placement equals the plain walk', () => {
  it('on random catalogues of 1 to 200 providers, every strategy', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 1_000_000 }), (n, seed) =>
        checkSame(n, seed, 60),
      ),
      { numRuns: 60 },
    );
  });

  it('across super-block boundaries (2,500 providers)', () => {
    for (const seed of [1, 2, 3]) checkSame(2500, seed, 150);
  });

  it('explains a group that fits nowhere by cause, bounded, with exact example reasons', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 1_000_000 }), (n, seed) => {
        const rnd = mulberry32(seed);
        const providers = randomCatalogue(n, seed);
        const catalogue = new Catalogue(providers);
        const ledger = new CapacityLedger();
        fill(ledger, providers, rnd);
        const req = randomRequest(rnd, [new CompiledPrivacy(rules(randomRules(rnd)))]);
        const d = placeGroup(req, { catalogue, ledger, strategy: 'first-fit' });
        const every = new Map(d.everyProvider().map((e) => [e.provider, e]));
        assert.equal(every.size, n);
        if (d.placed) {
          assert.deepEqual(
            d.explanation.map((e) => [e.provider, e.verdict]),
            [[d.provider.name, 'Selected']],
          );
          return;
        }
        const grouped = d.explanation;
        assert.ok(grouped.length <= MAX_CAUSES * (EXAMPLES_PER_CAUSE + 1) + 1, `bounded: ${grouped.length}`);
        let counted = 0;
        for (const e of grouped) {
          const one = every.get(e.provider);
          if (one) {
            assert.deepEqual(e, one, "an example carries the provider's own reason");
            counted++;
          } else {
            const m = /^([0-9]+) more$/.exec(e.provider);
            assert.ok(m, `an overflow entry: ${e.provider}`);
            counted += Number(m[1]);
          }
        }
        assert.equal(counted, n, 'every provider is counted once');
      }),
      { numRuns: 80 },
    );
  });
});
