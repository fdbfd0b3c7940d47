// A provider of the catalogue (a Table I row) as the core sees it: checked,
// with its country resolved, in catalogue order.

import {
  type Capacity,
  ENVIRONMENTS,
  type Environment,
  PROVIDER_TIERS,
  type ProviderCluster,
  type ProviderTier,
  RESOURCE_TYPES,
  type ResourceType,
} from '../api/types.js';
import { type FieldError, joinPath, mustBe, quote } from '../errors.js';
import { resolveCountry } from '../geo/countries.js';
import { INTERFACE_NAME, INTERFACE_NAME_RULE } from '../network/zone-attachment.js';
import { validateAsn, validatePen } from '../privacy/rules.js';
import type { PrivacySubject } from '../privacy/evaluate.js';

export interface Provider extends PrivacySubject {
  /** `spec.providerName` (or metadata.name): the name messages use. */
  name: string;
  /** metadata.name of the ProviderCluster object. */
  objectName: string;
  /** Sort key: `spec.catalogueOrder`, then name. */
  order: number;
  tier: ProviderTier;
  environment: Environment;
  resourceTypes: ReadonlySet<ResourceType>;
  capacity: Required<Capacity>;
  /** `spec.network.uplink`: the member nodes' interface towards the switch; absent, no instance is created there. */
  uplink?: string;
  /** False takes the provider out of new placements (unreachable member). */
  ready: boolean;
  notReadyReason?: string;
  /**
   * When the member became unreachable (ms since the epoch): the
   * lastTransitionTime of its Reachable=False condition, so it survives an
   * operator restart. Zones with spec.failover count their toleration from it.
   */
  unreachableSince?: number;
}

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Provider names become switch names (`Fog1-SWITCH`) and message keys. */
export const PROVIDER_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

function positiveInt(v: unknown, path: string, errors: FieldError[], allowZero = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
    errors.push({ path, reason: mustBe(`${allowZero ? 'a non-negative' : 'a positive'} integer`, v) });
    return 0;
  }
  return v;
}

function enumOf<T extends string>(
  v: unknown,
  allowed: readonly T[],
  path: string,
  errors: FieldError[],
): T | undefined {
  if (typeof v === 'string') {
    const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (hit) return hit;
  }
  errors.push({ path, reason: mustBe(`one of ${allowed.join(', ')}`, v) });
  return undefined;
}

/** Checks a ProviderCluster manifest and turns it into a Provider. */
export function providerFromManifest(obj: unknown, path = ''): { provider?: Provider; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return { errors: [{ path, reason: 'must be a ProviderCluster object' }] };
  }
  const m = obj as Partial<ProviderCluster> & Record<string, unknown>;
  if (m.kind !== 'ProviderCluster')
    errors.push({ path: joinPath(path, 'kind'), reason: mustBe('ProviderCluster', m.kind) });
  const objectName = m.metadata?.name;
  if (typeof objectName !== 'string' || !DNS_LABEL.test(objectName)) {
    errors.push({
      path: joinPath(joinPath(path, 'metadata'), 'name'),
      reason: mustBe('a DNS label (1–63 lower-case letters, digits or "-")', objectName),
    });
  }
  const spec = m.spec;
  const sp = joinPath(path, 'spec');
  if (typeof spec !== 'object' || spec === null) {
    errors.push({ path: sp, reason: 'is required' });
    return { errors };
  }
  const name = spec.providerName ?? objectName;
  if (typeof name !== 'string' || !PROVIDER_NAME.test(name)) {
    errors.push({
      path: joinPath(sp, 'providerName'),
      reason: `must be 1–63 letters, digits or "-", starting and ending with a letter or digit, got ${quote(name)}`,
    });
  }
  const country = resolveCountry(spec.country);
  if (!country.ok) errors.push({ path: joinPath(sp, 'country'), reason: country.reason });
  const tier = enumOf(spec.tier, PROVIDER_TIERS, joinPath(sp, 'tier'), errors);
  const environment = enumOf(spec.environment, ENVIRONMENTS, joinPath(sp, 'environment'), errors);
  const resourceTypes = new Set<ResourceType>();
  if (!Array.isArray(spec.resourceTypes) || spec.resourceTypes.length === 0) {
    errors.push({ path: joinPath(sp, 'resourceTypes'), reason: 'must list at least one of CPU, GPU, FPGA' });
  } else {
    spec.resourceTypes.forEach((t, i) => {
      const rt = enumOf(t, RESOURCE_TYPES, joinPath(joinPath(sp, 'resourceTypes'), i), errors);
      if (rt) resourceTypes.add(rt);
    });
  }
  const numbers = (key: 'equipment' | 'autonomousSystems', check: (v: unknown) => string | undefined): number[] => {
    const list = spec[key];
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
      errors.push({ path: joinPath(sp, key), reason: 'must be a list of numbers' });
      return [];
    }
    list.forEach((v, i) => {
      const reason = check(v);
      if (reason) errors.push({ path: joinPath(joinPath(sp, key), i), reason });
    });
    return [...new Set(list)];
  };
  const equipment = numbers('equipment', validatePen);
  const autonomousSystems = numbers('autonomousSystems', validateAsn);
  const cp = joinPath(sp, 'capacity');
  const cap = spec.capacity;
  let capacity: Required<Capacity> = { cores: 0, memory: 0, storage: 0, gpus: 0, fpgas: 0 };
  if (typeof cap !== 'object' || cap === null) {
    errors.push({ path: cp, reason: 'is required (cores, memory, storage)' });
  } else {
    capacity = {
      cores: positiveInt(cap.cores, joinPath(cp, 'cores'), errors),
      memory: positiveInt(cap.memory, joinPath(cp, 'memory'), errors),
      storage: positiveInt(cap.storage, joinPath(cp, 'storage'), errors),
      gpus: cap.gpus === undefined ? 0 : positiveInt(cap.gpus, joinPath(cp, 'gpus'), errors, true),
      fpgas: cap.fpgas === undefined ? 0 : positiveInt(cap.fpgas, joinPath(cp, 'fpgas'), errors, true),
    };
    // A device type on offer needs a count: unknown capacity is not assumed.
    if (resourceTypes.has('GPU') && cap.gpus === undefined)
      errors.push({ path: joinPath(cp, 'gpus'), reason: 'is required when resourceTypes contains GPU' });
    if (resourceTypes.has('FPGA') && cap.fpgas === undefined)
      errors.push({ path: joinPath(cp, 'fpgas'), reason: 'is required when resourceTypes contains FPGA' });
  }
  const uplink = networkUplink(spec.network, joinPath(sp, 'network'), errors);
  let order = Number.MAX_SAFE_INTEGER;
  if (spec.catalogueOrder !== undefined)
    order = positiveInt(spec.catalogueOrder, joinPath(sp, 'catalogueOrder'), errors, true);
  if (errors.length > 0 || !country.ok || !tier || !environment) return { errors };
  return {
    provider: {
      name: name as string,
      objectName: objectName as string,
      order,
      country: country.alpha2,
      mcc: declaredMcc(spec.country, country.mccs),
      tier,
      environment,
      resourceTypes,
      equipment,
      autonomousSystems,
      capacity,
      ...(uplink !== undefined ? { uplink } : {}),
      ready: true,
    },
    errors,
  };
}

function networkUplink(network: unknown, path: string, errors: FieldError[]): string | undefined {
  if (network === undefined) return undefined;
  if (typeof network !== 'object' || network === null || Array.isArray(network)) {
    errors.push({ path, reason: "must be an object with uplink (the member nodes' interface towards the switch)" });
    return undefined;
  }
  const uplink = (network as { uplink?: unknown }).uplink;
  if (uplink === undefined) {
    errors.push({ path: joinPath(path, 'uplink'), reason: 'is required when network is given' });
    return undefined;
  }
  if (typeof uplink !== 'string' || !INTERFACE_NAME.test(uplink)) {
    errors.push({ path: joinPath(path, 'uplink'), reason: `${INTERFACE_NAME_RULE}, got ${quote(uplink)}` });
    return undefined;
  }
  return uplink;
}

/** Catalogue order: `catalogueOrder`, then name. */
export function sortCatalogue<T extends { order: number; name: string }>(providers: readonly T[]): T[] {
  return [...providers].sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The MCC as declared, or the country's first MCC when an alpha-2 code was given. */
function declaredMcc(value: unknown, mccs: readonly number[]): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^[0-9]{3}$/.test(value)) return Number(value);
  return mccs[0];
}
