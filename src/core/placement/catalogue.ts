// The provider catalogue, indexed once so that a placement only walks the
// providers whose environment, resource type and tier can serve a group.

import type { Environment, Performance, PlatformType, ResourceType } from '../api/types.js';
import { type Provider, sortCatalogue } from '../catalogue/provider.js';

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

  constructor(providers: readonly Provider[]) {
    this.providers = sortCatalogue(providers);
    for (const p of this.providers) {
      if (this.byName.has(p.name)) throw new Error(`catalogue: provider ${p.name} appears twice`);
      this.byName.set(p.name, p);
      for (const rt of p.resourceTypes) {
        this.bucket(`${p.environment}|${rt}|${p.tier}`).push(p);
        this.bucket(`${p.environment}|${rt}|*`).push(p);
      }
    }
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
    if (!p.resourceTypes.has(g.resourceType)) return `does not offer ${g.resourceType} (offers ${[...p.resourceTypes].join(', ')})`;
    if (g.platformType !== 'cloud+fog' && p.tier !== g.platformType) return `tier ${p.tier}, group needs ${g.platformType}`;
    return undefined;
  }
}
