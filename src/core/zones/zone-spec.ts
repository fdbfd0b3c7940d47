// Checks an ExecutionZone spec and compiles it for placement. The same
// checks run in zonectl, in the REST gateway and in the operator (behind
// the CRD's own schema), so every path reads the same.

import {
  ENVIRONMENTS,
  type ExecutionZoneSpec,
  type InstanceGroup,
  ON_VIOLATION_POLICIES,
  type OnViolation,
  PERFORMANCES,
  RESTART_POLICIES,
  PLATFORM_TYPES,
  type Performance,
  RESOURCE_TYPES,
} from '../api/types.js';
import { type FieldError, joinPath, mustBe } from '../errors.js';
import { CompiledPrivacy } from '../privacy/evaluate.js';
import type { RegionCatalogue } from '../privacy/region-catalogue.js';
import { type NormalizedPrivacy, normalizePrivacy } from '../privacy/rules.js';
import type { GroupRequest } from '../placement/group-request.js';
import { privacyMarking } from '../network/marking.js';
import type { PrivacyMarking } from '../network/types.js';

export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const GROUP_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Upper bounds keep a typo from asking for a data centre. */
export const LIMITS = { count: 1000, cores: 1024, memory: 16 * 1024 * 1024, storage: 1024 * 1024 * 1024 } as const;
/**
 * spec.failover.afterSeconds. Below 10 s a member's probe (every 5 s) that
 * misses once or twice would already move instances; above a week the
 * member is gone and an admin releases it by hand.
 */
export const FAILOVER_SECONDS = { min: 10, max: 7 * 24 * 3600 } as const;

export interface CompiledGroup {
  spec: InstanceGroup;
  request: GroupRequest;
}

export interface CompiledZone {
  applicationId: string;
  performance: Performance;
  onViolation: OnViolation;
  privacy: NormalizedPrivacy;
  marking: PrivacyMarking;
  groups: CompiledGroup[];
}

function inRange(v: unknown, max: number, path: string, errors: FieldError[]): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    errors.push({ path, reason: mustBe('a positive integer', v) });
  else if (v > max) errors.push({ path, reason: `must be at most ${max}, got ${v}` });
}

function oneOf(v: unknown, allowed: readonly string[], path: string, errors: FieldError[]): void {
  if (typeof v !== 'string' || !allowed.includes(v))
    errors.push({ path, reason: mustBe(`one of ${allowed.join(', ')}`, v) });
}

/** Validates one group's fields (not its privacy block). */
export function checkGroupFields(g: InstanceGroup, path: string, errors: FieldError[]): void {
  if (typeof g.name !== 'string' || !GROUP_NAME.test(g.name)) {
    errors.push({
      path: joinPath(path, 'name'),
      reason: mustBe('a DNS label (lower-case letters, digits, "-"; at most 63)', g.name),
    });
  }
  oneOf(g.environment, ENVIRONMENTS, joinPath(path, 'environment'), errors);
  oneOf(g.platformType, PLATFORM_TYPES, joinPath(path, 'platformType'), errors);
  oneOf(g.resourceType, RESOURCE_TYPES, joinPath(path, 'resourceType'), errors);
  if (g.performance !== undefined) oneOf(g.performance, PERFORMANCES, joinPath(path, 'performance'), errors);
  if (g.restartPolicy !== undefined) oneOf(g.restartPolicy, RESTART_POLICIES, joinPath(path, 'restartPolicy'), errors);
  inRange(g.count, LIMITS.count, joinPath(path, 'count'), errors);
  inRange(g.cores, LIMITS.cores, joinPath(path, 'cores'), errors);
  inRange(g.memory, LIMITS.memory, joinPath(path, 'memory'), errors);
  inRange(g.storage, LIMITS.storage, joinPath(path, 'storage'), errors);
  if (typeof g.image !== 'string' || g.image.trim() === '')
    errors.push({ path: joinPath(path, 'image'), reason: 'must name an image' });
}

function checkFailover(f: unknown, path: string, errors: FieldError[]): void {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) {
    errors.push({ path, reason: mustBe('an object with afterSeconds', f) });
    return;
  }
  const after = (f as { afterSeconds?: unknown }).afterSeconds;
  const at = joinPath(path, 'afterSeconds');
  if (typeof after !== 'number' || !Number.isInteger(after))
    errors.push({ path: at, reason: mustBe('an integer number of seconds', after) });
  else if (after < FAILOVER_SECONDS.min || after > FAILOVER_SECONDS.max)
    errors.push({
      path: at,
      reason: `must be between ${FAILOVER_SECONDS.min} and ${FAILOVER_SECONDS.max} seconds, got ${after}`,
    });
}

/**
 * Compiles a zone spec; `errors` names every bad field (and then `zone` is
 * absent). Compiled privacy sets are shared by all groups of the zone.
 */
export function compileZone(
  spec: ExecutionZoneSpec,
  catalogue: RegionCatalogue,
  base = 'spec',
): { zone?: CompiledZone; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (typeof spec !== 'object' || spec === null) return { errors: [{ path: base, reason: 'is required' }] };
  if (typeof spec.applicationId !== 'string' || !UUID.test(spec.applicationId)) {
    errors.push({
      path: joinPath(base, 'applicationId'),
      reason: mustBe('a UUID (8-4-4-4-12 hex digits)', spec.applicationId),
    });
  }
  if (spec.performance !== undefined) oneOf(spec.performance, PERFORMANCES, joinPath(base, 'performance'), errors);
  if (spec.onViolation !== undefined)
    oneOf(spec.onViolation, ON_VIOLATION_POLICIES, joinPath(base, 'onViolation'), errors);
  if (spec.failover !== undefined) checkFailover(spec.failover, joinPath(base, 'failover'), errors);
  const zonePrivacy = normalizePrivacy(spec.privacy, joinPath(base, 'privacy'), catalogue);
  errors.push(...zonePrivacy.errors);
  const zoneSet = new CompiledPrivacy(zonePrivacy.privacy);
  const performance: Performance = spec.performance ?? 'tolerant';
  const groups: CompiledGroup[] = [];
  const gp = joinPath(base, 'groups');
  if (!Array.isArray(spec.groups) || spec.groups.length === 0) {
    errors.push({ path: gp, reason: 'must list at least one instance group' });
  } else {
    const seen = new Set<string>();
    spec.groups.forEach((g, i) => {
      const path = joinPath(gp, i);
      if (typeof g !== 'object' || g === null) {
        errors.push({ path, reason: 'must be an instance group object' });
        return;
      }
      const before = errors.length;
      checkGroupFields(g, path, errors);
      if (seen.has(g.name))
        errors.push({ path: joinPath(path, 'name'), reason: `group name "${g.name}" is used twice` });
      seen.add(g.name);
      const own = normalizePrivacy(g.privacy, joinPath(path, 'privacy'), catalogue);
      errors.push(...own.errors);
      if (errors.length > before) return;
      const sets = g.privacy === undefined ? [zoneSet] : [zoneSet, new CompiledPrivacy(own.privacy)];
      groups.push({
        spec: g,
        request: {
          name: g.name,
          environment: g.environment,
          platformType: g.platformType,
          resourceType: g.resourceType,
          performance: g.performance ?? performance,
          count: g.count,
          cores: g.cores,
          memory: g.memory,
          storage: g.storage,
          privacy: sets,
        },
      });
    });
  }
  if (errors.length > 0) return { errors };
  return {
    zone: {
      applicationId: spec.applicationId.toLowerCase(),
      performance,
      onViolation: spec.onViolation ?? 'Report',
      privacy: zonePrivacy.privacy,
      marking: privacyMarking(zonePrivacy.privacy, catalogue),
      groups,
    },
    errors,
  };
}
