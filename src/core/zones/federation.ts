// The allocation state of a federation: which zone holds which VLAN, which
// instances run where, and what capacity that uses. Pure and in memory; the
// operator rebuilds it from durable status with `restore`, zonectl drives it
// from the paper's messages. Both call `reconcile` to place a zone.

import type { ExecutionZoneSpec, PlacementExplanationEntry } from '../api/types.js';
import type { Provider } from '../catalogue/provider.js';
import type { FieldError } from '../errors.js';
import { CapacityLedger, type Demand, instanceDemand } from '../placement/capacity-ledger.js';
import { Catalogue } from '../placement/catalogue.js';
import { formatExplanation, type PlacementDecision, placeGroup } from '../placement/place-group.js';
import type { StrategyName } from '../placement/strategies.js';
import { RegionCatalogue } from '../privacy/region-catalogue.js';
import { instanceAddress, PAPER_GLOBAL_ID, zoneNetwork, prefixBytes } from '../network/ula.js';
import { DEFAULT_VLAN_RANGE, VlanAllocator, type VlanRange } from '../network/vlan-allocator.js';
import { markingFromDscp } from '../network/marking.js';
import { HOME_SWITCH, type PrivacyMarking, type ZoneNetworkPlan } from '../network/types.js';
import { type CompiledGroup, type CompiledZone, compileZone } from './zone-spec.js';
import type { GroupAllocation, GroupReplacement } from '../api/types.js';
import type { InstanceAllocation, ZoneAllocation } from './allocation.js';
import { cloneGroup, instanceNumber, nextInstanceNumber, SHAPE_FIELDS, shapeOf } from './allocation.js';

export interface FederationOptions {
  providers: readonly Provider[];
  regions?: RegionCatalogue;
  vlanRange?: VlanRange;
  /** 40-bit ULA global ID; the paper's 0x3fe79fd35c by default. */
  globalId?: number;
  strategy?: StrategyName;
}

export interface GroupOutcome {
  group: string;
  placed: boolean;
  /** True when this call placed it (false: it was placed before). */
  new: boolean;
  provider?: string;
  instances?: string[];
  /** Why it is waiting, when it is. */
  reason?: string;
  /** See placeGroup: grouped by cause and built when read, unless `explain`. */
  explanation?: PlacementExplanationEntry[];
  /** One reason per provider of the catalogue, on request. */
  everyProvider?: () => PlacementExplanationEntry[];
}

export interface ZoneOutcome {
  applicationId: string;
  /** Spec errors: nothing was changed. */
  errors?: FieldError[];
  groups: GroupOutcome[];
  /** Some group has no provider yet. */
  waiting: boolean;
}

interface ZoneRecord {
  /** Absent for a zone restored while its rules do not compile (a PrivacyRegion they name is gone). */
  compiled?: CompiledZone;
  allocation: ZoneAllocation;
}

/** Nothing proven: the mark of a zone whose rules do not compile. */
const UNPROVEN = markingFromDscp(0);
const markingOf = (r: ZoneRecord): PrivacyMarking => r.compiled?.marking ?? UNPROVEN;

/** What replaceGroup did: the move (old -> new names), or why there is none. */
export type ReplaceOutcome =
  | { ok: true; new: boolean; from: string; provider: string; instances: Record<string, string> }
  | { ok: false; reason: 'NotPlaced' | 'NothingToReplace' | 'NoCompliantCapacity'; message: string };

export type ReleaseResult = { ok: true; released: Record<string, string[]> } | { ok: false; errors: FieldError[] };

export class Federation {
  readonly catalogue: Catalogue;
  readonly regions: RegionCatalogue;
  readonly ledger = new CapacityLedger();
  readonly vlans: VlanAllocator;
  readonly globalId: number;
  readonly strategy: StrategyName;
  private readonly zones = new Map<string, ZoneRecord>();

  constructor(opts: FederationOptions) {
    this.catalogue = new Catalogue(opts.providers);
    this.regions = opts.regions ?? RegionCatalogue.builtin();
    this.vlans = new VlanAllocator(opts.vlanRange ?? DEFAULT_VLAN_RANGE);
    this.globalId = opts.globalId ?? PAPER_GLOBAL_ID;
    this.strategy = opts.strategy ?? 'first-fit';
  }

  has(applicationId: string): boolean {
    return this.zones.has(applicationId.toLowerCase());
  }

  allocation(applicationId: string): ZoneAllocation | undefined {
    return this.zones.get(applicationId.toLowerCase())?.allocation;
  }

  compiled(applicationId: string): CompiledZone | undefined {
    return this.zones.get(applicationId.toLowerCase())?.compiled;
  }

  /** The zone's privacy mark, as its rules last compiled. */
  marking(applicationId: string): PrivacyMarking | undefined {
    const r = this.zones.get(applicationId.toLowerCase());
    return r && markingOf(r);
  }

  applicationIds(): string[] {
    return [...this.zones.keys()];
  }

  /**
   * Converges a zone's allocation towards its spec: places every group that
   * has no provider yet (in spec order) and releases groups that left the
   * spec. Placed groups never move here (only replaceGroup moves one) and
   * released instances never return.
   */
  reconcile(spec: ExecutionZoneSpec, explain = false): ZoneOutcome {
    const { zone, errors } = compileZone(spec, this.regions);
    const id = typeof spec?.applicationId === 'string' ? spec.applicationId.toLowerCase() : '';
    if (!zone) return { applicationId: id, errors, groups: [], waiting: false };
    let record = this.zones.get(zone.applicationId);
    const immutable = record ? changedPlacedGroups(record.allocation, zone.groups) : [];
    if (immutable.length > 0)
      return { applicationId: zone.applicationId, errors: immutable, groups: [], waiting: false };
    if (!record) {
      record = {
        compiled: zone,
        allocation: { applicationId: zone.applicationId, groups: {}, instances: [], released: [] },
      };
      this.zones.set(zone.applicationId, record);
    }
    record.compiled = zone;
    const a = record.allocation;
    const wanted = new Set(zone.groups.map((g) => g.spec.name));
    for (const name of Object.keys(a.groups)) if (!wanted.has(name)) this.releaseGroup(a, name);

    const outcomes: GroupOutcome[] = [];
    for (const g of zone.groups) {
      const placed = a.groups[g.spec.name];
      if (placed) {
        outcomes.push({
          group: g.spec.name,
          placed: true,
          new: false,
          provider: placed.provider,
          instances: placed.instances,
        });
        continue;
      }
      outcomes.push(this.placeNewGroup(a, g, explain));
    }
    return { applicationId: zone.applicationId, groups: outcomes, waiting: outcomes.some((o) => !o.placed) };
  }

  private placeNewGroup(a: ZoneAllocation, g: CompiledGroup, explain: boolean): GroupOutcome {
    const decision = placeGroup(
      g.request,
      { catalogue: this.catalogue, ledger: this.ledger, strategy: this.strategy, zoneProviders: zoneProviders(a) },
      explain,
    );
    if (!decision.placed)
      return withReasons({ group: g.spec.name, placed: false, new: false, reason: 'NoMatchingProvider' }, decision);
    if (a.vlanId === undefined) {
      const vlan = this.vlans.allocate();
      if (vlan === undefined) {
        const draining = this.vlans.draining;
        const reason =
          `NoFreeVlan: every VLAN of ${this.vlans.range.min}–${this.vlans.range.max} is in use` +
          (draining > 0
            ? `; ${draining} of them still draining: held back until the switches confirm the entries of the deleted zone(s) that had them are gone`
            : '');
        return withReasons({ group: g.spec.name, placed: false, new: false, reason }, decision);
      }
      a.vlanId = vlan;
    }
    const provider = decision.provider.name;
    this.ledger.reserve(provider, decision.demand);
    const names: string[] = [];
    const letter = g.spec.environment === 'VM' ? 'V' : 'C';
    let n = nextInstanceNumber(a, letter);
    const shape = shapeOf(g.spec);
    for (let i = 0; i < g.spec.count; i++, n++) {
      const name = `${letter}${n}`;
      names.push(name);
      a.instances.push({
        name,
        provider,
        group: g.spec.name,
        ...shape,
        address: instanceAddress(this.globalId, a.vlanId, g.spec.environment, n),
      });
    }
    const ga: GroupAllocation = { provider, instances: names, ...shape };
    a.groups[g.spec.name] = ga;
    return withReasons({ group: g.spec.name, placed: true, new: true, provider, instances: names }, decision);
  }

  private releaseGroup(a: ZoneAllocation, group: string): void {
    const live = a.instances.filter((i) => i.group === group);
    this.releaseLive(a, live);
    delete a.groups[group];
  }

  private releaseLive(a: ZoneAllocation, live: readonly InstanceAllocation[]): void {
    const gone = new Set(live);
    for (const i of live) {
      this.ledger.release(i.provider, instanceDemand(i));
      a.released.push(i.name);
    }
    a.instances = a.instances.filter((i) => !gone.has(i));
  }

  /** The paper's STOP without `instances`: everything goes, the VLAN too. */
  releaseZone(applicationId: string): ReleaseResult {
    const id = applicationId.toLowerCase();
    const record = this.zones.get(id);
    if (!record)
      return {
        ok: false,
        errors: [{ path: 'application_id', reason: `no execution zone with application_id ${applicationId}` }],
      };
    const released = byProvider(record.allocation.instances);
    for (const i of record.allocation.instances) this.ledger.release(i.provider, instanceDemand(i));
    if (record.allocation.vlanId !== undefined) this.vlans.release(record.allocation.vlanId);
    this.zones.delete(id);
    return { ok: true, released };
  }

  /**
   * Releases exactly the named instances. Every name is checked first: one
   * unknown provider or name rejects the whole request and releases nothing.
   */
  releaseInstances(
    applicationId: string,
    instances: Record<string, readonly string[]>,
    base = 'instances',
  ): ReleaseResult {
    const record = this.zones.get(applicationId.toLowerCase());
    if (!record)
      return {
        ok: false,
        errors: [{ path: 'application_id', reason: `no execution zone with application_id ${applicationId}` }],
      };
    const a = record.allocation;
    const errors: FieldError[] = [];
    const picked: InstanceAllocation[] = [];
    for (const [provider, names] of Object.entries(instances)) {
      names.forEach((name, i) => {
        const path = `${base}.${provider}[${i}]`;
        const inst = a.instances.find((x) => x.name === name);
        if (inst && inst.provider === provider) {
          if (!picked.includes(inst)) picked.push(inst);
          return;
        }
        if (inst) errors.push({ path, reason: `instance ${name} runs on ${inst.provider}, not ${provider}` });
        else if (a.released.includes(name)) errors.push({ path, reason: `instance ${name} was already released` });
        else errors.push({ path, reason: `zone ${a.applicationId} has no instance ${name} on ${provider}` });
      });
    }
    if (errors.length > 0) return { ok: false, errors };
    this.releaseLive(a, picked);
    return { ok: true, released: byProvider(picked) };
  }

  /**
   * spec.onViolation Replace, first half: places the group's live instances
   * on its provider again, as a new placement of that many instances would
   * (same rules, same strategy, current facts and capacity), as new
   * instances with new names on another provider. Capacity is booked now;
   * the old instances stay until completeReplacement. A group already
   * moving answers with its move (`new: false`): the call is idempotent.
   */
  replaceGroup(applicationId: string, group: string): ReplaceOutcome {
    const record = this.zones.get(applicationId.toLowerCase());
    const ga = record?.allocation.groups[group];
    const g = record?.compiled?.groups.find((x) => x.spec.name === group);
    if (!record || !ga || !g)
      return { ok: false, reason: 'NotPlaced', message: `group ${group} of zone ${applicationId} is not placed` };
    if (ga.replacing) {
      const { provider, instances } = ga.replacing;
      return { ok: true, new: false, from: ga.provider, provider, instances: { ...instances } };
    }
    const a = record.allocation;
    const old = a.instances.filter((i) => i.group === group && i.provider === ga.provider);
    if (old.length === 0 || a.vlanId === undefined)
      return {
        ok: false,
        reason: 'NothingToReplace',
        message: `group ${group} has no live instance on ${ga.provider}`,
      };
    const request = { ...g.request, count: old.length };
    const decision = placeGroup(request, {
      catalogue: this.catalogue,
      ledger: this.ledger,
      strategy: this.strategy,
      zoneProviders: zoneProviders(a),
    });
    // The old provider is never "compliant capacity" for its own group,
    // even when placement would pass it (its facts unknown to the check).
    if (!decision.placed || decision.provider.name === ga.provider) {
      const why = formatExplanation(decision.explanation.filter((e) => e.provider !== ga.provider));
      return {
        ok: false,
        reason: 'NoCompliantCapacity',
        message: `no compliant provider has room for ${old.length} instance(s) of group ${group}${why.length > 0 ? `: ${why.join('; ')}` : ''}`,
      };
    }
    const provider = decision.provider.name;
    this.ledger.reserve(provider, decision.demand);
    const letter = g.spec.environment === 'VM' ? 'V' : 'C';
    let n = nextInstanceNumber(a, letter);
    const mapping: Record<string, string> = {};
    for (const i of [...old].sort((x, y) => instanceOrder(x.name, y.name))) {
      const name = `${letter}${n}`;
      mapping[i.name] = name;
      a.instances.push({
        name,
        provider,
        group,
        ...shapeOf(ga),
        address: instanceAddress(this.globalId, a.vlanId, g.spec.environment, n),
      });
      n++;
    }
    ga.replacing = { provider, instances: mapping };
    return { ok: true, new: true, from: ga.provider, provider, instances: { ...mapping } };
  }

  /**
   * spec.onViolation Replace, second half (every new instance Ready): the
   * old instances are released as releaseInstances would, and the group
   * now lives on the new provider, each new name in the place of the one
   * it replaced (so the group keeps `count` names).
   */
  completeReplacement(applicationId: string, group: string): ReleaseResult {
    const m = this.moving(applicationId, group);
    if ('errors' in m) return m;
    const { a, ga, move } = m;
    const old = a.instances.filter((i) => i.group === group && i.provider === ga.provider && i.name in move.instances);
    this.releaseLive(a, old);
    ga.instances = ga.instances.map((name) => move.instances[name] ?? name);
    ga.provider = move.provider;
    delete ga.replacing;
    return { ok: true, released: byProvider(old) };
  }

  /**
   * A Replace whose new provider is lost (spec.failover on that provider):
   * the new instances are released (never Ready there; their names are not
   * used again) and the group stays on its provider, as if the move had
   * not started. The next compliance pass may start another one.
   */
  abandonReplacement(applicationId: string, group: string): ReleaseResult {
    const m = this.moving(applicationId, group);
    if ('errors' in m) return m;
    const { a, ga, move } = m;
    const fresh = new Set(Object.values(move.instances));
    const added = a.instances.filter((i) => i.group === group && fresh.has(i.name));
    this.releaseLive(a, added);
    delete ga.replacing;
    return { ok: true, released: byProvider(added) };
  }

  /** A group with a Replace in flight, or why it has none. */
  private moving(
    applicationId: string,
    group: string,
  ): { a: ZoneAllocation; ga: GroupAllocation; move: GroupReplacement } | { ok: false; errors: FieldError[] } {
    const a = this.zones.get(applicationId.toLowerCase())?.allocation;
    const ga = a?.groups[group];
    if (!a || !ga?.replacing)
      return {
        ok: false,
        errors: [{ path: 'group', reason: `group ${group} of zone ${applicationId} is not being replaced` }],
      };
    return { a, ga, move: ga.replacing };
  }

  /**
   * Re-creates a zone from durable state (the operator after a restart).
   * Conflicts (a VLAN held twice, unknown providers) are reported and the
   * zone is not restored, so nothing is double-booked. Rules that no longer
   * compile (a PrivacyRegion they name was deleted) are not a conflict: the
   * instances exist, so their VLAN and capacity stay booked; the zone's mark
   * is 000000 until its rules compile again, and the zone reconciler's
   * compliance check reports the rules as unresolvable.
   */
  restore(spec: ExecutionZoneSpec, allocation: ZoneAllocation): FieldError[] {
    const { zone } = compileZone(spec, this.regions);
    const id = allocation.applicationId.toLowerCase();
    if (this.zones.has(id))
      return [{ path: 'spec.applicationId', reason: `application_id ${id} is held by another zone` }];
    const problems: FieldError[] = [];
    if (allocation.vlanId !== undefined && !this.vlans.contains(allocation.vlanId)) {
      const { min, max } = this.vlans.range;
      problems.push({
        path: 'status.vlanId',
        reason: `VLAN ${allocation.vlanId} is outside the VLAN range ${min}–${max}`,
      });
    } else if (allocation.vlanId !== undefined && this.vlans.has(allocation.vlanId)) {
      problems.push({ path: 'status.vlanId', reason: `VLAN ${allocation.vlanId} is already held by another zone` });
    }
    for (const i of allocation.instances) {
      if (!this.catalogue.get(i.provider))
        problems.push({
          path: `status.instances.${i.provider}`,
          reason: `provider ${i.provider} is not in the catalogue`,
        });
    }
    if (problems.length > 0) return problems;
    if (allocation.vlanId !== undefined) this.vlans.claim(allocation.vlanId);
    // Capacity is booked even when it now exceeds the provider's: the
    // instances exist, and hiding them would invite over-use.
    for (const i of allocation.instances) this.ledger.reserve(i.provider, instanceDemand(i));
    this.zones.set(id, { ...(zone ? { compiled: zone } : {}), allocation: cloneAllocation(allocation) });
    return [];
  }

  networkPlan(applicationId: string): ZoneNetworkPlan | undefined {
    const record = this.zones.get(applicationId.toLowerCase());
    if (!record || record.allocation.vlanId === undefined) return undefined;
    return buildNetworkPlan(record.allocation, { marking: markingOf(record) }, this.globalId);
  }

  /** Every zone's allocation with its marking, for renderers. */
  entries(): { allocation: ZoneAllocation; marking: CompiledZone['marking'] }[] {
    return [...this.zones.values()].map((r) => ({ allocation: r.allocation, marking: markingOf(r) }));
  }

  usedBy(provider: string): Readonly<Demand> {
    return this.ledger.usedBy(provider);
  }
}

export function buildNetworkPlan(
  a: ZoneAllocation,
  zone: Pick<CompiledZone, 'marking'>,
  globalId: number,
): ZoneNetworkPlan {
  const vlan = a.vlanId as number;
  const providers = [...new Set(a.instances.map((i) => i.provider))].sort();
  const instances = [...a.instances]
    .sort((x, y) => (x.provider < y.provider ? -1 : x.provider > y.provider ? 1 : instanceOrder(x.name, y.name)))
    .map((i) => ({ name: i.name, provider: i.provider, group: i.group, address: i.address }));
  return {
    applicationId: a.applicationId,
    vlanId: vlan,
    globalId,
    networkId: globalId,
    network: zoneNetwork(globalId, vlan),
    prefixBytes: prefixBytes(globalId, vlan),
    marking: zone.marking,
    vpn: providers.map((p) => ({ provider: p, from: HOME_SWITCH, to: `${p}-SWITCH` })),
    instances,
    released: [...a.released].sort(instanceOrder).map((name) => ({
      name,
      address: instanceAddress(globalId, vlan, name[0] === 'V' ? 'VM' : 'container', instanceNumber(name)),
    })),
  };
}

/** C before V, then by number: C2 < C10 < V1. */
export function instanceOrder(a: string, b: string): number {
  return a[0] === b[0] ? instanceNumber(a) - instanceNumber(b) : a < b ? -1 : 1;
}

/** The decision's reasons, still built only when someone reads them. */
function withReasons(outcome: GroupOutcome, decision: PlacementDecision): GroupOutcome {
  return Object.defineProperties(outcome, {
    explanation: { get: () => decision.explanation, enumerable: true, configurable: true },
    everyProvider: { value: () => decision.everyProvider(), enumerable: false },
  });
}

function zoneProviders(a: ZoneAllocation): Set<string> {
  return new Set(a.instances.map((i) => i.provider));
}

/** Instance names by provider, each list in instance order: how releases report what they gave back. */
export function byProvider(list: readonly { provider: string; name: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of list) (out[i.provider] ??= []).push(i.name);
  for (const names of Object.values(out)) names.sort(instanceOrder);
  return out;
}

function cloneAllocation(a: ZoneAllocation): ZoneAllocation {
  return {
    applicationId: a.applicationId,
    vlanId: a.vlanId,
    groups: Object.fromEntries(Object.entries(a.groups).map(([k, g]) => [k, cloneGroup(g)])),
    instances: a.instances.map((i) => ({ ...i })),
    released: [...a.released],
  };
}

/** A placed group is fixed: scaling up means adding a group. */
function changedPlacedGroups(a: ZoneAllocation, groups: readonly CompiledGroup[]): FieldError[] {
  const errors: FieldError[] = [];
  groups.forEach((g, i) => {
    const placed = a.groups[g.spec.name];
    if (!placed) return;
    for (const k of SHAPE_FIELDS) {
      if (placed[k] !== g.spec[k]) {
        errors.push({
          path: `spec.groups[${i}].${k}`,
          reason: `group ${g.spec.name} is placed on ${placed.provider} and cannot change (${String(placed[k])} -> ${String(g.spec[k])}); add a group to scale up`,
        });
      }
    }
    // A failover gave each moved instance a successor: both names are the group's, one slot.
    const slots = placed.instances.length - (placed.moves?.length ?? 0);
    if (g.spec.count !== slots) {
      errors.push({
        path: `spec.groups[${i}].count`,
        reason: `group ${g.spec.name} is placed with ${slots} instances and cannot change; add a group to scale up, or release instances with a ZoneRelease`,
      });
    }
  });
  return errors;
}
