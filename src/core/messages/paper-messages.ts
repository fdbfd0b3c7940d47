// The paper's control messages (Listings 1 and 2): INIT creates a zone or
// adds a group to it, STOP releases a zone or named instances. Parsing is
// strict: every rejection names the JSON path and the reason, and unknown
// fields are errors (a misspelt `instance_count` must not pass silently).

import {
  ENVIRONMENTS,
  type Environment,
  type ExecutionZoneSpec,
  type InstanceGroup,
  PERFORMANCES,
  PLATFORM_TYPES,
  type Performance,
  type PlatformType,
  type PrivacyRule,
  type PrivacyRules,
  RESOURCE_TYPES,
  RULE_ACTIONS,
  type ResourceType,
  type RuleAction,
  type ZoneReleaseSpec,
} from '../api/types.js';
import { type FieldError, joinPath, type Result, fail, ok, mustBe, quote } from '../errors.js';
import type { RegionCatalogue } from '../privacy/region-catalogue.js';
import { MAX_RULES_PER_LIST, MESSAGE_PATHS, normalizePrivacy, type RuleListName } from '../privacy/rules.js';
import { checkGroupFields, UUID } from '../zones/zone-spec.js';

/** One rule on the wire: `[action]` or `[action, value]`. */
export type WireRule = [number] | [number, string | number];

export interface WirePrivacy {
  regions?: WireRule[];
  countries?: WireRule[];
  as?: WireRule[];
  equipment?: WireRule[];
}

export interface InitMessage {
  type: 'INIT';
  application_id: string;
  privacy?: WirePrivacy;
  performance?: Performance;
  environment: Environment;
  platform_type: PlatformType;
  resource_type: ResourceType;
  'instance-count': number;
  'instance-details': { cores: number; memory: number; storage: number; image: string };
}

export interface StopMessage {
  type: 'STOP';
  application_id: string;
  instances?: Record<string, string[]>;
}

export type PaperMessage = InitMessage | StopMessage;

export interface ParsedInit {
  type: 'INIT';
  applicationId: string;
  privacy?: PrivacyRules;
  performance?: Performance;
  group: Omit<InstanceGroup, 'name' | 'privacy' | 'performance'>;
}

export interface ParsedStop {
  type: 'STOP';
  applicationId: string;
  instances?: Record<string, string[]>;
}

export type ParsedMessage = ParsedInit | ParsedStop;

const INIT_KEYS = [
  'type',
  'application_id',
  'privacy',
  'performance',
  'environment',
  'platform_type',
  'resource_type',
  'instance-count',
  'instance-details',
];
const STOP_KEYS = ['type', 'application_id', 'instances'];
const DETAIL_KEYS = ['cores', 'memory', 'storage', 'image'];
const PRIVACY_KEYS: RuleListName[] = ['regions', 'countries', 'as', 'equipment'];
/** A STOP names at most this many providers, and names per provider (the ZoneRelease CRD's limits). */
export const MAX_RELEASE_PROVIDERS = 64;
export const MAX_RELEASE_NAMES = 1000;
export const INSTANCE_NAME = /^[CV][1-9][0-9]{0,4}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Close spellings people actually type, so the error can suggest the right one. */
function suggest(key: string, known: readonly string[]): string {
  const norm = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  const hit = known.find((k) => norm(k) === norm(key));
  return hit ? ` (did you mean "${hit}"?)` : '';
}

function unknownKeys(obj: Record<string, unknown>, known: readonly string[], base: string, errors: FieldError[]): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) errors.push({ path: joinPath(base, k), reason: `unknown field${suggest(k, known)}` });
  }
}

/** Case-insensitive enum (`vm`, `VM`, `Container`). */
function wireEnum<T extends string>(
  obj: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
  base: string,
  errors: FieldError[],
  required = true,
): T | undefined {
  const v = obj[key];
  const path = joinPath(base, key);
  if (v === undefined) {
    if (required) errors.push({ path, reason: `is required (one of ${allowed.join(', ')})` });
    return undefined;
  }
  if (typeof v === 'string') {
    const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
    if (hit) return hit;
  }
  errors.push({ path, reason: mustBe(`one of ${allowed.join(', ')}`, v) });
  return undefined;
}

function wireRules(
  list: unknown,
  name: RuleListName,
  base: string,
  errors: FieldError[],
): PrivacyRule<number | string>[] | undefined {
  const path = joinPath(base, name);
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) {
    errors.push({ path, reason: 'must be a list of [action, value] rules' });
    return undefined;
  }
  if (list.length > MAX_RULES_PER_LIST) {
    errors.push({ path, reason: `must have at most ${MAX_RULES_PER_LIST} rules, got ${list.length}` });
    return undefined;
  }
  const out: PrivacyRule<number | string>[] = [];
  list.forEach((rule, i) => {
    const rp = joinPath(path, i);
    if (!Array.isArray(rule) || rule.length < 1 || rule.length > 2) {
      errors.push({ path: rp, reason: `must be [action] or [action, value], got ${quote(rule)}` });
      return;
    }
    const [action, value] = rule as unknown[];
    if (typeof action !== 'number' || !Number.isInteger(action) || action < 0 || action > 3) {
      errors.push({
        path: `${rp}[0]`,
        reason: `action must be 0 (DENY_SPECIFIC), 1 (DENY_ALL), 2 (ALLOW_SPECIFIC) or 3 (ALLOW_ALL), got ${quote(action)}`,
      });
      return;
    }
    const a: RuleAction = RULE_ACTIONS[action];
    if (rule.length === 2) {
      const wantsString = name === 'regions';
      if (wantsString ? typeof value !== 'string' : typeof value !== 'number') {
        const what =
          name === 'regions'
            ? 'a region name'
            : name === 'countries'
              ? 'an MCC number'
              : name === 'as'
                ? 'an AS number'
                : 'a PEN number';
        errors.push({ path: `${rp}[1]`, reason: `must be ${what}, got ${quote(value)}` });
        return;
      }
      out.push({ action: a, value: value as number | string });
    } else {
      out.push({ action: a });
    }
  });
  return out;
}

function parsePrivacy(
  v: unknown,
  base: string,
  catalogue: RegionCatalogue,
  errors: FieldError[],
): PrivacyRules | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    errors.push({ path: base, reason: 'must be an object with regions, countries, as and equipment lists' });
    return undefined;
  }
  unknownKeys(v, PRIVACY_KEYS, base, errors);
  const before = errors.length;
  const rules: PrivacyRules = {};
  const regions = wireRules(v.regions, 'regions', base, errors);
  const countries = wireRules(v.countries, 'countries', base, errors);
  const as = wireRules(v.as, 'as', base, errors);
  const equipment = wireRules(v.equipment, 'equipment', base, errors);
  if (regions) rules.regions = regions as PrivacyRule<string>[];
  if (countries) rules.countries = countries;
  if (as) rules.autonomousSystems = as as PrivacyRule<number>[];
  if (equipment) rules.equipment = equipment as PrivacyRule<number>[];
  if (errors.length > before) return undefined;
  // Values (known region, E.212 country, AS and PEN ranges) are checked by
  // the same code as manifests, with the tuple paths of the wire form.
  errors.push(...normalizePrivacy(rules, base, catalogue, MESSAGE_PATHS).errors);
  return rules;
}

function applicationId(obj: Record<string, unknown>, base: string, errors: FieldError[]): string {
  const v = obj.application_id;
  if (typeof v !== 'string' || !UUID.test(v)) {
    errors.push({
      path: joinPath(base, 'application_id'),
      reason: v === undefined ? 'is required' : `must be a UUID (8-4-4-4-12 hex digits), got ${quote(v)}`,
    });
    return '';
  }
  return v.toLowerCase();
}

/** Parses one INIT or STOP message. `base` prefixes every path (`[3]`). */
export function parseMessage(json: unknown, catalogue: RegionCatalogue, base = ''): Result<ParsedMessage> {
  const errors: FieldError[] = [];
  if (!isObject(json)) return fail([{ path: base, reason: 'must be a JSON object (an INIT or STOP message)' }]);
  if (json.type !== 'INIT' && json.type !== 'STOP') {
    return fail([{ path: joinPath(base, 'type'), reason: mustBe('"INIT" or "STOP"', json.type) }]);
  }
  if (json.type === 'STOP') {
    unknownKeys(json, STOP_KEYS, base, errors);
    const id = applicationId(json, base, errors);
    const msg: ParsedStop = { type: 'STOP', applicationId: id };
    if (json.instances !== undefined) {
      const ip = joinPath(base, 'instances');
      if (!isObject(json.instances) || Object.keys(json.instances).length === 0) {
        errors.push({
          path: ip,
          reason: 'must map at least one provider to instance names; leave it out to release the whole zone',
        });
      } else {
        const instances: Record<string, string[]> = {};
        const providers = Object.entries(json.instances);
        if (providers.length > MAX_RELEASE_PROVIDERS)
          errors.push({
            path: ip,
            reason: `must name at most ${MAX_RELEASE_PROVIDERS} providers, got ${providers.length}`,
          });
        for (const [provider, names] of providers.slice(0, MAX_RELEASE_PROVIDERS)) {
          const pp = joinPath(ip, provider);
          if (!Array.isArray(names) || names.length === 0) {
            errors.push({ path: pp, reason: 'must be a non-empty list of instance names' });
            continue;
          }
          if (names.length > MAX_RELEASE_NAMES) {
            errors.push({
              path: pp,
              reason: `must list at most ${MAX_RELEASE_NAMES} instance names, got ${names.length}`,
            });
            continue;
          }
          const seen = new Set<string>();
          names.forEach((n, i) => {
            if (typeof n !== 'string' || !INSTANCE_NAME.test(n))
              errors.push({ path: joinPath(pp, i), reason: `must be an instance name like C3 or V2, got ${quote(n)}` });
            else if (seen.has(n)) errors.push({ path: joinPath(pp, i), reason: `instance ${n} is named twice` });
            else seen.add(n);
          });
          instances[provider] = names as string[];
        }
        msg.instances = instances;
      }
    }
    return errors.length > 0 ? fail(errors) : ok(msg);
  }

  unknownKeys(json, INIT_KEYS, base, errors);
  const id = applicationId(json, base, errors);
  const privacy = parsePrivacy(json.privacy, joinPath(base, 'privacy'), catalogue, errors);
  const performance = wireEnum(json, 'performance', PERFORMANCES, base, errors, false);
  const environment = wireEnum(json, 'environment', ENVIRONMENTS, base, errors);
  const platformType = wireEnum(json, 'platform_type', PLATFORM_TYPES, base, errors);
  const resourceType = wireEnum(json, 'resource_type', RESOURCE_TYPES, base, errors);
  const dp = joinPath(base, 'instance-details');
  const details = json['instance-details'];
  if (!isObject(details)) {
    errors.push({
      path: dp,
      reason:
        details === undefined
          ? 'is required (cores, memory, storage, image)'
          : 'must be an object with cores, memory, storage and image',
    });
  } else {
    unknownKeys(details, DETAIL_KEYS, dp, errors);
  }
  if (json['instance-count'] === undefined)
    errors.push({ path: joinPath(base, 'instance-count'), reason: 'is required' });
  if (!isObject(details)) return fail(errors);
  const d = details;
  const group = {
    environment: environment as Environment,
    platformType: platformType as PlatformType,
    resourceType: resourceType as ResourceType,
    count: json['instance-count'] as number,
    cores: d.cores as number,
    memory: d.memory as number,
    storage: d.storage as number,
    image: d.image as string,
  };
  // Sizes are checked by the zone-spec rules, then renamed to wire paths.
  const groupErrors: FieldError[] = [];
  checkGroupFields({ ...group, name: 'init' }, '', groupErrors);
  // Sizes are reported together with the other problems; fields already
  // reported above (a missing enum, a missing count) are not repeated.
  const reported = new Set(errors.map((e) => e.path));
  for (const e of groupErrors) {
    const path = wirePath(base, e.path);
    if (!reported.has(path)) errors.push({ path, reason: e.reason });
  }
  if (errors.length > 0) return fail(errors);
  const msg: ParsedInit = { type: 'INIT', applicationId: id, group };
  if (privacy) msg.privacy = privacy;
  if (performance) msg.performance = performance;
  return ok(msg);
}

const WIRE_NAMES: Record<string, string> = {
  count: 'instance-count',
  cores: 'instance-details.cores',
  memory: 'instance-details.memory',
  storage: 'instance-details.storage',
  image: 'instance-details.image',
  environment: 'environment',
  platformType: 'platform_type',
  resourceType: 'resource_type',
};

function wirePath(base: string, specPath: string): string {
  const wire = WIRE_NAMES[specPath] ?? specPath;
  return base === '' ? wire : `${base}.${wire}`;
}

/** Kubernetes name of a zone's objects: the application id, lower case. */
export function zoneName(applicationId: string): string {
  return applicationId.toLowerCase();
}

/**
 * An INIT as a zone spec: a new zone whose privacy is the INIT's, or (same
 * application id) the existing spec with one more group carrying the INIT's
 * own privacy block, which applies on top of the zone's.
 */
export function initToZoneSpec(msg: ParsedInit, existing?: ExecutionZoneSpec): ExecutionZoneSpec {
  if (!existing) {
    const spec: ExecutionZoneSpec = { applicationId: msg.applicationId, groups: [{ name: 'init-1', ...msg.group }] };
    if (msg.privacy) spec.privacy = msg.privacy;
    if (msg.performance) spec.performance = msg.performance;
    return spec;
  }
  const group: InstanceGroup = { name: nextGroupName(existing), ...msg.group };
  if (msg.privacy) group.privacy = msg.privacy;
  if (msg.performance && msg.performance !== (existing.performance ?? 'tolerant')) group.performance = msg.performance;
  return { ...existing, groups: [...existing.groups, group] };
}

function nextGroupName(spec: ExecutionZoneSpec): string {
  const taken = new Set(spec.groups.map((g) => g.name));
  let n = spec.groups.length + 1;
  while (taken.has(`init-${n}`)) n++;
  return `init-${n}`;
}

const ACTION_NUMBER: Record<RuleAction, number> = { DenySpecific: 0, DenyAll: 1, AllowSpecific: 2, AllowAll: 3 };

function toWireRules<V extends string | number>(rules: PrivacyRule<V>[] | undefined): WireRule[] | undefined {
  return rules?.map((r) => (r.value === undefined ? [ACTION_NUMBER[r.action]] : [ACTION_NUMBER[r.action], r.value]));
}

export function privacyToWire(p: PrivacyRules): WirePrivacy {
  const w: WirePrivacy = {};
  const regions = toWireRules(p.regions);
  const countries = toWireRules(p.countries);
  const as = toWireRules(p.autonomousSystems);
  const equipment = toWireRules(p.equipment);
  if (regions) w.regions = regions;
  if (countries) w.countries = countries;
  if (as) w.as = as;
  if (equipment) w.equipment = equipment;
  return w;
}

/** A zone spec as the INIT messages that build it, one per group. */
export function zoneSpecToInits(spec: ExecutionZoneSpec): InitMessage[] {
  return spec.groups.map((g, i) => {
    const privacy = i === 0 ? spec.privacy : g.privacy;
    const m: InitMessage = {
      type: 'INIT',
      application_id: spec.applicationId,
      environment: g.environment,
      platform_type: g.platformType,
      resource_type: g.resourceType,
      'instance-count': g.count,
      'instance-details': { cores: g.cores, memory: g.memory, storage: g.storage, image: g.image },
    };
    if (privacy) m.privacy = privacyToWire(privacy);
    const performance = g.performance ?? spec.performance;
    if (performance) m.performance = performance;
    return m;
  });
}

export function stopToReleaseSpec(msg: ParsedStop): ZoneReleaseSpec {
  const spec: ZoneReleaseSpec = { zoneRef: { name: zoneName(msg.applicationId) }, trigger: { immediate: true } };
  if (msg.instances) spec.instances = msg.instances;
  return spec;
}

export function releaseSpecToStop(applicationId: string, spec: ZoneReleaseSpec): StopMessage {
  const m: StopMessage = { type: 'STOP', application_id: applicationId };
  if (spec.instances) m.instances = spec.instances;
  return m;
}
