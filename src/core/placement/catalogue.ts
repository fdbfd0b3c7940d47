// The provider catalogue, indexed once: providers by shape (environment,
// resource type, tier) as lists and as bitsets over the catalogue order,
// providers passing a rule list as a bitset cached by the list's content,
// and free capacity per ledger (capacity-index.ts). eligible-search.ts
// combines them into a placement decision.

import type { Environment, Performance, PlatformType, ResourceType } from '../api/types.js';
import { type Provider, sortCatalogue } from '../catalogue/provider.js';
import type { CompiledPrivacy } from '../privacy/evaluate.js';
import { andBits, type Bits, emptyBits, setBit } from './bitset.js';
import { CapacityIndex } from './capacity-index.js';
import type { CapacityLedger } from './capacity-ledger.js';

const ENV_CODE: Record<Environment, number> = { VM: 0, container: 1 };
const RT_CODE: Record<ResourceType, number> = { CPU: 0, GPU: 1, FPGA: 2 };
const PLATFORM_CODE: Record<PlatformType, number> = { cloud: 0, fog: 1, 'cloud+fog': 2 };

/** Rule lists remembered per catalogue; beyond this the cache starts afresh. */
const MAX_CACHED_RULE_SETS = 4096;

export interface GroupShape {
  environment: Environment;
  resourceType: ResourceType;
  platformType: PlatformType;
  performance: Performance;
}

export class Catalogue {
  /** In catalogue order. */
  readonly providers: readonly Provider[];
  private readonly byName = new Map<string, Provider>();
  private readonly buckets = new Map<string, Provider[]>();
  /** Catalogue position by provider name. */
  readonly positions = new Map<string, number>();
  /** The buckets again, as sets of positions. */
  private readonly bucketBits = new Map<string, Bits>();
  /** Providers passing a rule list (or a zone's and a group's together), by content key. */
  private readonly compliant = new Map<string, Bits>();
  private readonly canonicalSets = new Map<string, CompiledPrivacy>();
  private readonly capacityIndexes = new WeakMap<CapacityLedger, CapacityIndex>();
  private readonly none: Bits;
  /** Providers by one attribute: `environment VM`, `resource GPU`, `tier fog`. */
  private readonly attributeBits = new Map<string, Bits>();
  private readonly shapeLists: (readonly Bits[] | undefined)[] = new Array<undefined>(36).fill(undefined);
  private lastLedger: CapacityLedger | undefined;
  private lastIndex: CapacityIndex | undefined;

  constructor(providers: readonly Provider[]) {
    this.providers = sortCatalogue(providers);
    this.none = emptyBits(this.providers.length);
    this.providers.forEach((p, i) => {
      if (this.byName.has(p.name)) throw new Error(`catalogue: provider ${p.name} appears twice`);
      this.byName.set(p.name, p);
      this.positions.set(p.name, i);
      for (const key of [
        `environment ${p.environment}`,
        `tier ${p.tier}`,
        ...[...p.resourceTypes].map((rt) => `resource ${rt}`),
      ])
        setBit(this.withAttribute(key), i);
      for (const rt of p.resourceTypes) {
        for (const key of [`${p.environment}|${rt}|${p.tier}`, `${p.environment}|${rt}|*`]) {
          this.bucket(key).push(p);
          let bits = this.bucketBits.get(key);
          if (!bits) this.bucketBits.set(key, (bits = emptyBits(this.providers.length)));
          setBit(bits, i);
        }
      }
    });
  }

  private withAttribute(key: string): Bits {
    let bits = this.attributeBits.get(key);
    if (!bits) this.attributeBits.set(key, (bits = emptyBits(this.providers.length)));
    return bits;
  }

  /** The providers with an attribute (`environment VM`, `resource GPU`, `tier fog`); do not modify. */
  having(attribute: string): Bits {
    return this.attributeBits.get(attribute) ?? this.none;
  }

  /**
   * candidates() as sets of positions: one set, or fog then cloud for a
   * latency-sensitive cloud+fog group. Each set is tried in catalogue order.
   */
  candidateBits(g: GroupShape): readonly Bits[] {
    // Shapes are few (2 x 3 x 3 x 2): each list is built once, found by a small number.
    const code =
      ((ENV_CODE[g.environment] * 3 + RT_CODE[g.resourceType]) * 3 + PLATFORM_CODE[g.platformType]) * 2 +
      (g.performance === 'latency' ? 1 : 0);
    let lists = this.shapeLists[code];
    if (!lists) {
      const key = (tier: string) => this.bucketBits.get(`${g.environment}|${g.resourceType}|${tier}`) ?? this.none;
      switch (g.platformType) {
        case 'cloud':
          lists = [key('cloud')];
          break;
        case 'fog':
          lists = [key('fog')];
          break;
        case 'cloud+fog':
          lists = g.performance === 'latency' ? [key('fog'), key('cloud')] : [key('*')];
          break;
      }
      this.shapeLists[code] = lists;
    }
    return lists;
  }

  /**
   * The providers that pass every rule set, computed once per distinct
   * rule content and catalogue (readiness and capacity are not part of it).
   */
  compliantBits(sets: readonly CompiledPrivacy[]): Bits | undefined {
    if (sets.length === 0) return undefined;
    if (sets.length === 1) {
      const mine = sets[0].bitsFor(this);
      if (mine) return mine;
    }
    const key = sets.length === 1 ? sets[0].key : sets.map((s) => s.key).join('\n');
    let bits = this.compliant.get(key);
    if (bits) {
      if (sets.length === 1) sets[0].rememberBits(this, bits);
      return bits;
    }
    if (sets.length === 1) {
      bits = emptyBits(this.providers.length);
      const set = sets[0];
      this.providers.forEach((p, i) => {
        if (set.evaluate(p).pass) setBit(bits as Bits, i);
      });
    } else {
      bits = sets.map((s) => this.compliantBits([s]) as Bits).reduce(andBits);
    }
    if (this.compliant.size >= MAX_CACHED_RULE_SETS) this.compliant.clear();
    this.compliant.set(key, bits);
    if (sets.length === 1) sets[0].rememberBits(this, bits);
    return bits;
  }

  /**
   * The first compiled set seen with this content: its memoised verdicts
   * are warm, and a verdict object stands for one cause (explain-groups.ts).
   */
  canonical(set: CompiledPrivacy): CompiledPrivacy {
    const known = this.canonicalSets.get(set.key);
    if (known) return known;
    if (this.canonicalSets.size >= MAX_CACHED_RULE_SETS) this.canonicalSets.clear();
    this.canonicalSets.set(set.key, set);
    return set;
  }

  /** Free capacity per provider as `ledger` books it, kept up to date by the ledger. */
  capacity(ledger: CapacityLedger): CapacityIndex {
    if (ledger === this.lastLedger && this.lastIndex) return this.lastIndex;
    let index = this.capacityIndexes.get(ledger);
    if (!index) {
      index = new CapacityIndex(this.providers, this.positions, ledger);
      this.capacityIndexes.set(ledger, index);
    }
    this.lastLedger = ledger;
    this.lastIndex = index;
    return index;
  }

  private bucket(key: string): Provider[] {
    let b = this.buckets.get(key);
    if (!b) {
      b = [];
      this.buckets.set(key, b);
    }
    return b;
  }

  get(name: string): Provider | undefined {
    return this.byName.get(name);
  }

  /**
   * The providers that can serve a group's shape, in the order placement
   * tries them: cloud+fog takes both tiers, fog first for latency-sensitive
   * zones ("the fog will be the default choice"), catalogue order otherwise.
   */
  candidates(g: GroupShape): readonly Provider[] {
    const key = (tier: string) => this.buckets.get(`${g.environment}|${g.resourceType}|${tier}`) ?? [];
    switch (g.platformType) {
      case 'cloud':
        return key('cloud');
      case 'fog':
        return key('fog');
      case 'cloud+fog':
        return g.performance === 'latency' ? [...key('fog'), ...key('cloud')] : key('*');
    }
  }

  /** Why a provider cannot serve the shape at all, or undefined when it can. */
  static shapeMismatch(p: Provider, g: GroupShape): string | undefined {
    if (p.environment !== g.environment) return `environment ${p.environment}, group needs ${g.environment}`;
    if (!p.resourceTypes.has(g.resourceType))
      return `does not offer ${g.resourceType} (offers ${[...p.resourceTypes].join(', ')})`;
    if (g.platformType !== 'cloud+fog' && p.tier !== g.platformType)
      return `tier ${p.tier}, group needs ${g.platformType}`;
    return undefined;
  }
}
