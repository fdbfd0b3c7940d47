// Placement decisions per second over catalogues of 100, 1,000 and 10,000
// providers with mixed rules, side by side in one run against two
// baselines: the early-exit loop (the obvious code: walk the catalogue in
// order, stop at the first provider that fits, memoised rule verdicts) and
// the naive scan that re-evaluates every rule of every provider. Also: the
// cost of the grouped explanation of a group that fits nowhere, and the
// memory of a ledger holding 100,000 zones.
//
//   node --expose-gc dist/bench/placement/placement-bench.js [--seconds S] [--runs N]

import type { PrivacyRules, ResourceType } from '../../src/core/api/types.js';
import type { Provider } from '../../src/core/catalogue/provider.js';
import { provider } from '../../test/support/core-fixtures.js';
import { CapacityLedger, instanceDemand, scale } from '../../src/core/placement/capacity-ledger.js';
import { Catalogue } from '../../src/core/placement/catalogue.js';
import type { GroupRequest } from '../../src/core/placement/group-request.js';
import { placeGroup } from '../../src/core/placement/place-group.js';
import { CompiledPrivacy, evaluateAll, evaluatePrivacy } from '../../src/core/privacy/evaluate.js';
import { RegionCatalogue } from '../../src/core/privacy/region-catalogue.js';
import { type NormalizedPrivacy, normalizePrivacy } from '../../src/core/privacy/rules.js';
import type { ZoneAllocation } from '../../src/core/zones/allocation.js';
import { instanceAddress, PAPER_GLOBAL_ID } from '../../src/core/network/ula.js';
import { mulberry32, pick, stats, type Stats } from '../support/stats.js';
import { numberArg } from '../support/args.js';

const REGIONS = RegionCatalogue.builtin();
const MCCS = [
  242, 238, 240, 262, 208, 222, 214, 204, 232, 260, 310, 302, 334, 724, 250, 460, 404, 655, 602, 420, 440, 450, 505,
  530,
];
const PENS = [9, 11, 674, 2011, 3902, 1894, 44957, 79, 2636, 6527];
const ASNS = [3320, 3209, 1299, 174, 3356, 6939, 2914, 7018];

export function makeCatalogue(n: number, seed = 1): Provider[] {
  const rnd = mulberry32(seed);
  const out: Provider[] = [];
  for (let i = 0; i < n; i++) {
    const types: ResourceType[] = ['CPU'];
    if (rnd() < 0.4) types.push('GPU');
    if (rnd() < 0.3) types.push('FPGA');
    out.push(
      provider(`P${i}`, {
        catalogueOrder: i,
        country: pick(rnd, MCCS),
        tier: rnd() < 0.3 ? 'fog' : 'cloud',
        environment: rnd() < 0.5 ? 'VM' : 'container',
        resourceTypes: types,
        equipment: [pick(rnd, PENS), pick(rnd, PENS)],
        autonomousSystems: rnd() < 0.8 ? [pick(rnd, ASNS)] : [],
        capacity: { cores: 64, memory: 262144, storage: 4194304, gpus: 8, fpgas: 8 },
      }),
    );
  }
  return out;
}

/** A mix of rule sets like the paper's: regions with exceptions, vendors, transit networks. */
const TEMPLATES: PrivacyRules[] = [
  {
    regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }],
    countries: [{ action: 'DenySpecific', value: 240 }],
  },
  {
    regions: [{ action: 'AllowSpecific', value: 'EU' }, { action: 'DenyAll' }],
    countries: [{ action: 'DenySpecific', value: 240 }],
  },
  {
    regions: [{ action: 'AllowSpecific', value: 'BRICS' }, { action: 'DenyAll' }],
    countries: [{ action: 'DenySpecific', value: 655 }],
    equipment: [{ action: 'DenySpecific', value: 9 }],
  },
  {
    regions: [{ action: 'AllowSpecific', value: 'America' }, { action: 'DenyAll' }],
    countries: [{ action: 'DenySpecific', value: 302 }],
  },
  {
    regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }],
    equipment: [{ action: 'DenySpecific', value: 2011 }],
  },
  {
    regions: [{ action: 'AllowSpecific', value: 'EEA' }, { action: 'DenyAll' }],
    equipment: [
      { action: 'AllowSpecific', value: 1894 },
      { action: 'AllowSpecific', value: 44957 },
      { action: 'DenyAll' },
    ],
  },
  {
    autonomousSystems: [
      { action: 'DenySpecific', value: 3320 },
      { action: 'DenySpecific', value: 174 },
    ],
    equipment: [{ action: 'DenySpecific', value: 9 }],
  },
  {
    regions: [
      { action: 'DenySpecific', value: 'BRICS' },
      { action: 'DenySpecific', value: 'MENA' },
    ],
  },
  {
    countries: [
      { action: 'AllowSpecific', value: 262 },
      { action: 'AllowSpecific', value: 208 },
      { action: 'DenyAll' },
    ],
  },
  {},
];

interface Request {
  shape: Pick<
    GroupRequest,
    'environment' | 'resourceType' | 'platformType' | 'performance' | 'count' | 'cores' | 'memory' | 'storage'
  >;
  template: number;
}

function makeRequests(n: number, seed = 7): Request[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => ({
    shape: {
      environment: rnd() < 0.5 ? 'VM' : 'container',
      resourceType: pick(rnd, ['CPU', 'CPU', 'CPU', 'GPU', 'FPGA'] as const),
      platformType: pick(rnd, ['cloud', 'fog', 'cloud+fog'] as const),
      performance: rnd() < 0.5 ? 'latency' : 'tolerant',
      count: 1 + Math.floor(rnd() * 4),
      cores: 1 + Math.floor(rnd() * 4),
      memory: 1024,
      storage: 8192,
    },
    template: Math.floor(rnd() * TEMPLATES.length),
  }));
}

function normalized(): NormalizedPrivacy[] {
  return TEMPLATES.map((t) => {
    const r = normalizePrivacy(t, 'privacy', REGIONS);
    if (r.errors.length > 0) throw new Error('bench template invalid');
    return r.privacy;
  });
}

/** Half-fills providers so capacity checks bite. */
function halfFullLedger(providers: readonly Provider[], seed = 3): CapacityLedger {
  const rnd = mulberry32(seed);
  const ledger = new CapacityLedger();
  for (const p of providers)
    ledger.reserve(p.name, {
      cores: Math.floor(rnd() * 60),
      memory: 0,
      storage: 0,
      gpus: Math.floor(rnd() * 8),
      fpgas: Math.floor(rnd() * 8),
    });
  return ledger;
}

/** The naive baseline: every provider, every rule, every request. */
function naiveFirstFit(
  providers: readonly Provider[],
  ledger: CapacityLedger,
  rules: NormalizedPrivacy,
  req: Request['shape'],
): Provider | undefined {
  const need = scale(instanceDemand(req), req.count);
  const feasible: Provider[] = [];
  for (const p of providers) {
    if (Catalogue.shapeMismatch(p, req) !== undefined) continue;
    if (!evaluatePrivacy(rules, p).pass) continue;
    if (ledger.shortfall(p.name, p.capacity, need) !== undefined) continue;
    feasible.push(p);
  }
  if (req.platformType === 'cloud+fog' && req.performance === 'latency')
    return feasible.find((p) => p.tier === 'fog') ?? feasible[0];
  return feasible[0];
}

/**
 * The strongest simple baseline: candidates in catalogue order (fog first
 * for a latency-sensitive cloud+fog group), the first one that is ready,
 * passes the compiled (memoised) rules and has room wins.
 */
function earlyExitFirstFit(
  providers: readonly Provider[],
  ledger: CapacityLedger,
  sets: readonly CompiledPrivacy[],
  req: Request['shape'],
): Provider | undefined {
  const need = scale(instanceDemand(req), req.count);
  const tiers =
    req.platformType === 'cloud+fog'
      ? req.performance === 'latency'
        ? ['fog', 'cloud']
        : [undefined]
      : [req.platformType];
  for (const tier of tiers) {
    for (const p of providers) {
      if (
        (tier !== undefined && p.tier !== tier) ||
        p.environment !== req.environment ||
        !p.resourceTypes.has(req.resourceType) ||
        !p.ready
      )
        continue;
      if (!evaluateAll(sets, p).pass) continue;
      if (ledger.shortfall(p.name, p.capacity, need) === undefined) return p;
    }
  }
  return undefined;
}

function rate(seconds: number, fn: (i: number) => unknown): number {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let k = 0; k < 50; k++) fn(n++);
  }
  return n / ((performance.now() - t0) / 1000);
}

/**
 * A busy federation: first-fit has placed groups (booking them) until
 * `share` of all cores are in use, so the front of the catalogue is full
 * and every decision has to get past it.
 */
function packedLedger(catalogue: Catalogue, groups: readonly GroupRequest[], share: number): CapacityLedger {
  const ledger = new CapacityLedger();
  const ctx = { catalogue, ledger, strategy: 'first-fit' as const };
  const total = catalogue.providers.reduce((sum, p) => sum + p.capacity.cores, 0);
  let used = 0;
  for (let i = 0; used < share * total && i < 50 * groups.length; i++) {
    const d = placeGroup(groups[i % groups.length], ctx);
    if (!d.placed) continue;
    ledger.reserve(d.provider.name, d.demand);
    used += d.demand.cores;
  }
  return ledger;
}

export type Scenario = 'half-full' | 'packed';

export interface PlacementFigures {
  scenario: Scenario;
  providers: number;
  indexed: Stats;
  earlyExit: Stats;
  naive: Stats;
  /** indexed / early exit, per run. */
  ratio: Stats;
  /** indexed / naive, per run. */
  naiveRatio: Stats;
  /** Grouped explanations of groups that fit nowhere, per second. */
  grouped: Stats;
  agree: boolean;
}

export function benchPlacement(
  sizes: readonly number[],
  seconds: number,
  runs: number,
  scenario: Scenario = 'half-full',
): PlacementFigures[] {
  const rules = normalized();
  const requests = makeRequests(4096);
  return sizes.map((n) => {
    const providers = makeCatalogue(n);
    const catalogue = new Catalogue(providers);
    // One compiled rule set per zone: the operator keeps it with the zone.
    const compiled = rules.map((r) => new CompiledPrivacy(r));
    const group = (r: Request): GroupRequest => ({ name: 'g', ...r.shape, privacy: [compiled[r.template]] });
    const groups = requests.map(group);
    const ledger = scenario === 'half-full' ? halfFullLedger(providers) : packedLedger(catalogue, groups, 0.6);
    const ctx = { catalogue, ledger, strategy: 'first-fit' as const };
    let agree = true;
    for (let i = 0; i < 500; i++) {
      const d = placeGroup(groups[i], ctx);
      const want = naiveFirstFit(catalogue.providers, ledger, rules[requests[i].template], requests[i].shape);
      const early = earlyExitFirstFit(catalogue.providers, ledger, groups[i].privacy, requests[i].shape);
      if ((d.placed ? d.provider.name : undefined) !== want?.name || early?.name !== want?.name) agree = false;
    }
    // Groups that fit nowhere (a rule list no provider passes), for the explanation's cost.
    const nowhere = groups.map((g) => ({ ...g, cores: 1024, count: 1 }));
    const indexed: number[] = [];
    const earlyExit: number[] = [];
    const naive: number[] = [];
    const ratio: number[] = [];
    const naiveRatio: number[] = [];
    const grouped: number[] = [];
    const mask = requests.length - 1;
    for (let run = 0; run < runs; run++) {
      const a = rate(seconds, (i) => placeGroup(groups[i & mask], ctx));
      const e = rate(seconds, (i) =>
        earlyExitFirstFit(catalogue.providers, ledger, groups[i & mask].privacy, requests[i & mask].shape),
      );
      const b = rate(seconds, (i) =>
        naiveFirstFit(catalogue.providers, ledger, rules[requests[i & mask].template], requests[i & mask].shape),
      );
      const c = rate(seconds / 2, (i) => placeGroup(nowhere[i & mask], ctx).explanation.length);
      indexed.push(a);
      earlyExit.push(e);
      naive.push(b);
      ratio.push(a / e);
      naiveRatio.push(a / b);
      grouped.push(c);
    }
    return {
      scenario,
      providers: n,
      indexed: stats(indexed),
      earlyExit: stats(earlyExit),
      naive: stats(naive),
      ratio: stats(ratio),
      naiveRatio: stats(naiveRatio),
      grouped: stats(grouped),
      agree,
    };
  });
}

/** Heap taken by the durable state and ledger of `zones` zones of four instances. */
export function ledgerMemory(zones: number): { zones: number; bytes: number; bytesPerZone: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const providers = makeCatalogue(1000);
  gc();
  const before = process.memoryUsage().heapUsed;
  const ledger = new CapacityLedger();
  const allocations = new Map<string, ZoneAllocation>();
  for (let z = 0; z < zones; z++) {
    const p = providers[z % providers.length];
    const id = `00000000-0000-4000-8000-${z.toString(16).padStart(12, '0')}`;
    const vlan = 1000 + (z % 3095);
    const a: ZoneAllocation = { applicationId: id, vlanId: vlan, groups: {}, instances: [], released: [] };
    const names: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const inst = {
        name: `V${i}`,
        provider: p.name,
        group: 'init-1',
        environment: 'VM' as const,
        resourceType: 'CPU' as const,
        cores: 1,
        memory: 1024,
        storage: 8192,
        image: 'Ubuntu-22.04',
        address: instanceAddress(PAPER_GLOBAL_ID, vlan, 'VM', i),
      };
      a.instances.push(inst);
      names.push(inst.name);
      ledger.reserve(p.name, instanceDemand(inst));
    }
    a.groups['init-1'] = {
      provider: p.name,
      instances: names,
      environment: 'VM',
      resourceType: 'CPU',
      cores: 1,
      memory: 1024,
      storage: 8192,
      image: 'Ubuntu-22.04',
    };
    allocations.set(id, a);
  }
  gc();
  const bytes = process.memoryUsage().heapUsed - before;
  if (allocations.size !== zones || ledger.providers().length === 0) throw new Error('unreachable');
  return { zones, bytes, bytesPerZone: bytes / zones };
}

export function main(): void {
  const seconds = numberArg('seconds', 1);
  const runs = numberArg('runs', 5);
  const fmt = (s: Stats, digits = 0) =>
    `${s.median.toFixed(digits)} (min ${s.min.toFixed(digits)}, max ${s.max.toFixed(digits)})`;
  console.log(`placement decisions/s, first-fit, one core, ${runs} runs of ${seconds}s each`);
  console.log(
    'ledger | providers | indexed (decisions/s) | early-exit loop | naive scan | indexed / early exit | indexed / naive | grouped explanations/s (no fit) | same choices',
  );
  for (const scenario of ['half-full', 'packed'] as const) {
    for (const r of benchPlacement([100, 1000, 10000], seconds, runs, scenario)) {
      console.log(
        `${scenario} | ${r.providers} | ${fmt(r.indexed)} | ${fmt(r.earlyExit)} | ${fmt(r.naive)} | ${fmt(r.ratio, 1)}x | ${fmt(r.naiveRatio, 1)}x | ${fmt(r.grouped)} | ${r.agree}`,
      );
    }
  }
  const m = ledgerMemory(100000);
  console.log(
    `ledger + allocations of ${m.zones} zones x 4 instances: ${(m.bytes / 1048576).toFixed(1)} MiB heap (${m.bytesPerZone.toFixed(0)} bytes/zone)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main();
