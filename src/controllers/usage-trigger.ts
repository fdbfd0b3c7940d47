// The ZoneRelease triggers `usage` and `stall`: judged from the scoped
// instances' resource usage (the members' metrics.k8s.io PodMetrics) and
// their containers' restart counts (pod status). Pure: the reconciler
// hands in the rule, the last observation and a new reading, and writes
// back what comes out.
//
// A threshold holds from the first reading that satisfied it, never from
// before: the time between two readings is not known to satisfy it. A
// reading that misses an instance (no metrics yet, member unreachable, pod
// not found) is no evidence: it restarts the clock, and so does a gap
// between readings longer than `maxGapMs` (the operator was down). Both err
// towards releasing late, never early.

import { parseDuration } from '../core/api/duration.js';
import { parseQuantity } from '../core/api/quantity.js';
import type { ReleaseObservation, StallTrigger, UsageTrigger } from '../core/api/types.js';
import { durationText } from './idle-trigger.js';

/** One scoped instance as read from its member; a field is absent when it could not be read. */
export interface InstanceUsage {
  /** The instance name (C1, V2). */
  name: string;
  /** Cores, summed over the pod's containers. */
  cpu?: number;
  /** Bytes (working set), summed over the pod's containers. */
  memory?: number;
  /** The pod's container restart counts, summed. */
  restarts?: number;
}

export interface UsageReading {
  /** Exactly the scoped instances, in scope order. */
  instances: InstanceUsage[];
  /** Why a member could not be read at all (its instances then have no fields). */
  problems: string[];
  readAtMs: number;
}

export interface UsageRule {
  kind: 'usage';
  resource: 'cpu' | 'memory';
  above?: number;
  below?: number;
  forMs: number;
}

export interface StallRule {
  kind: 'stall';
  forMs: number;
  cpuBelow?: number;
  restarts?: number;
}

export type WatchRule = UsageRule | StallRule;

export interface WatchVerdict {
  observed: ReleaseObservation;
  fired: boolean;
  /** How long until the condition could hold at the earliest (0 when it holds; `for` when not judged). */
  waitMs: number;
  /** What was measured, for the condition message and the Event. */
  text: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Cores as millicores (`250m`), rounded up so that a displayed value never understates a reading. */
export function cpuText(cores: number): string {
  return `${Math.ceil(Math.round(cores * 1e9) / 1e6)}m`;
}

/** Bytes in the largest binary unit that keeps a whole number, else Ki rounded up. */
export function memoryText(bytes: number): string {
  const b = Math.round(bytes);
  for (const [unit, size] of [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const)
    if (b >= size && b % size === 0) return `${b / size}${unit}`;
  return b < 1024 ? `${b}` : `${Math.ceil(b / 1024)}Ki`;
}

function positiveDuration(text: string, field: string): number | { error: string } {
  const ms = parseDuration(text);
  return ms === undefined || ms <= 0
    ? { error: `${field}: not a positive duration like 90s, 10m or 1h30m: "${text}"` }
    : ms;
}

function quantity(text: string, field: string): number | { error: string } {
  const q = parseQuantity(text);
  if (!q.ok) return { error: `${field}: ${q.reason}` };
  return q.value < 0 ? { error: `${field}: must not be negative: "${text}"` } : q.value;
}

/** The `usage` trigger read into numbers, or the first field that is wrong and why. */
export function usageRule(t: UsageTrigger): UsageRule | { error: string } {
  const at = 'spec.trigger.usage';
  if (t.resource !== 'cpu' && t.resource !== 'memory')
    return { error: `${at}.resource: must be cpu or memory (got "${String(t.resource)}")` };
  if ((t.above === undefined) === (t.below === undefined))
    return { error: `${at}: set exactly one of above and below` };
  const forMs = positiveDuration(t.for, `${at}.for`);
  if (typeof forMs !== 'number') return forMs;
  const field = t.above !== undefined ? 'above' : 'below';
  const q = quantity(t.above ?? t.below ?? '', `${at}.${field}`);
  if (typeof q !== 'number') return q;
  if (field === 'below' && q === 0) return { error: `${at}.below: must be more than zero: nothing is below 0` };
  return { kind: 'usage', resource: t.resource, forMs, [field]: q };
}

/** The `stall` trigger read into numbers, or the first field that is wrong and why. */
export function stallRule(t: StallTrigger): StallRule | { error: string } {
  const at = 'spec.trigger.stall';
  if (t.cpuBelow === undefined && t.restarts === undefined) return { error: `${at}: set cpuBelow, restarts or both` };
  const forMs = positiveDuration(t.for, `${at}.for`);
  if (typeof forMs !== 'number') return forMs;
  const rule: StallRule = { kind: 'stall', forMs };
  if (t.cpuBelow !== undefined) {
    const q = quantity(t.cpuBelow, `${at}.cpuBelow`);
    if (typeof q !== 'number') return q;
    if (q === 0) return { error: `${at}.cpuBelow: must be more than zero: no CPU is below 0` };
    rule.cpuBelow = q;
  }
  if (t.restarts !== undefined) {
    if (!Number.isInteger(t.restarts) || t.restarts < 1)
      return { error: `${at}.restarts: must be a whole number of at least 1 (got ${String(t.restarts)})` };
    rule.restarts = t.restarts;
  }
  return rule;
}

/** The instances a reading lacks `field` for, as message text; undefined when it has all. */
function missing(reading: UsageReading, field: 'cpu' | 'memory' | 'restarts', what: string): string | undefined {
  if (reading.instances.length === 0) return 'no live instance in scope';
  const lacking = reading.instances.filter((i) => i[field] === undefined).map((i) => i.name);
  if (lacking.length === 0) return undefined;
  const why = reading.problems.length ? ` (${reading.problems.join('; ')})` : '';
  return `no ${what} for ${lacking.join(', ')}${why}`;
}

/** The previous observation if it is this kind's and recent enough to continue from. */
function continued(
  kind: WatchRule['kind'],
  previous: ReleaseObservation | undefined,
  readAtMs: number,
  maxGapMs: number,
): ReleaseObservation | undefined {
  if (previous?.condition !== kind || !previous.observedTime) return undefined;
  return readAtMs - Date.parse(previous.observedTime) <= maxGapMs ? previous : undefined;
}

const noEvidence = (why: string): string => `${why}: no evidence, the clock restarts`;

/**
 * `usage`: the sum over the scoped instances, above or below the
 * threshold (strictly) at every reading for `forMs`.
 */
export function judgeUsage(
  rule: UsageRule,
  previous: ReleaseObservation | undefined,
  reading: UsageReading | { error: string },
  nowMs: number,
  maxGapMs: number,
): WatchVerdict {
  const base: ReleaseObservation = { condition: 'usage', observedTime: iso(nowMs) };
  const gap = 'error' in reading ? undefined : missing(reading, rule.resource, `${rule.resource} metrics`);
  if ('error' in reading || gap !== undefined) {
    const message = noEvidence('error' in reading ? `metrics unavailable: ${reading.error}` : (gap ?? ''));
    return { observed: { ...base, message }, fired: false, waitMs: rule.forMs, text: `usage: not judged, ${message}` };
  }
  const prev = continued('usage', previous, reading.readAtMs, maxGapMs);
  const value = reading.instances.reduce((sum, i) => sum + (i[rule.resource] ?? 0), 0);
  const show = rule.resource === 'cpu' ? cpuText : memoryText;
  const [word, limit] = rule.above !== undefined ? ['above', rule.above] : ['below', rule.below ?? 0];
  const holds = word === 'above' ? value > limit : value < limit;
  const valueText = show(value);
  const observed: ReleaseObservation = { ...base, [rule.resource]: valueText };
  const summed = `${rule.resource} ${valueText} summed over ${reading.instances.length} instance(s)`;
  if (!holds)
    return {
      observed,
      fired: false,
      waitMs: rule.forMs,
      text: `usage: ${summed}, not ${word} ${show(limit)}`,
    };
  const since = prev?.since ? Date.parse(prev.since) : reading.readAtMs;
  observed.since = iso(since);
  const heldMs = reading.readAtMs - since;
  const fired = heldMs >= rule.forMs;
  return {
    observed,
    fired,
    waitMs: fired ? 0 : since + rule.forMs - reading.readAtMs,
    text:
      `usage: ${summed}, ${word} ${show(limit)} at every reading since ${iso(since)} ` +
      `(${durationText(heldMs)}, ${fired ? 'at least' : 'waiting for'} ${durationText(rule.forMs)})`,
  };
}

/**
 * `stall`: every scoped instance's CPU below `cpuBelow` at every reading
 * for `forMs`, or the restart counts risen by `restarts` within the last
 * `forMs`. Either fires; each part needs its own data complete.
 */
export function judgeStall(
  rule: StallRule,
  previous: ReleaseObservation | undefined,
  reading: UsageReading | { error: string },
  nowMs: number,
  maxGapMs: number,
): WatchVerdict {
  const observed: ReleaseObservation = { condition: 'stall', observedTime: iso(nowMs) };
  if ('error' in reading) {
    const message = noEvidence(`member unreadable: ${reading.error}`);
    return {
      observed: { ...observed, message },
      fired: false,
      waitMs: rule.forMs,
      text: `stall: not judged, ${message}`,
    };
  }
  const prev = continued('stall', previous, reading.readAtMs, maxGapMs);
  const problems: string[] = [];
  const parts: string[] = [];
  let fired = false;
  let waitMs = rule.forMs;

  if (rule.cpuBelow !== undefined) {
    const gap = missing(reading, 'cpu', 'cpu metrics');
    if (gap !== undefined) problems.push(noEvidence(gap));
    else {
      const busiest = Math.max(...reading.instances.map((i) => i.cpu ?? 0));
      observed.cpu = cpuText(busiest);
      if (busiest < rule.cpuBelow) {
        const since = prev?.since ? Date.parse(prev.since) : reading.readAtMs;
        observed.since = iso(since);
        const heldMs = reading.readAtMs - since;
        const held = heldMs >= rule.forMs;
        fired ||= held;
        waitMs = Math.min(waitMs, held ? 0 : since + rule.forMs - reading.readAtMs);
        parts.push(
          `cpu of every instance below ${cpuText(rule.cpuBelow)} (busiest ${observed.cpu}) since ${iso(since)} ` +
            `(${durationText(heldMs)}, ${held ? 'at least' : 'waiting for'} ${durationText(rule.forMs)})`,
        );
      } else parts.push(`busiest instance at cpu ${observed.cpu}, not below ${cpuText(rule.cpuBelow)}`);
    }
  }

  if (rule.restarts !== undefined) {
    const gap = missing(reading, 'restarts', 'pod status');
    if (gap !== undefined) problems.push(noEvidence(gap));
    else {
      const total = reading.instances.reduce((sum, i) => sum + (i.restarts ?? 0), 0);
      observed.restarts = total;
      // A count that went down is a pod made anew: no rise, and the new count is the baseline.
      const rise = prev?.restarts !== undefined ? Math.max(0, total - prev.restarts) : 0;
      const windowStart = reading.readAtMs - rule.forMs;
      const rises = [
        ...(prev?.restartRises ?? []).filter((r) => Date.parse(r.time) > windowStart),
        ...(rise > 0 ? [{ time: iso(reading.readAtMs), count: rise }] : []),
      ];
      if (rises.length) observed.restartRises = rises;
      const risen = rises.reduce((sum, r) => sum + r.count, 0);
      const loop = risen >= rule.restarts;
      fired ||= loop;
      if (loop) waitMs = 0;
      parts.push(
        `restart counts rose by ${risen} within the last ${durationText(rule.forMs)} ` +
          `(${loop ? 'at least' : 'waiting for'} ${rule.restarts}); ${total} restarts in all`,
      );
    }
  }
  if (problems.length) observed.message = problems.join('; ');
  const text = `stall: ${[...parts, ...problems].join('; ')}`;
  return { observed, fired, waitMs: fired ? 0 : waitMs, text };
}

/** Judges a reading by the rule's kind. */
export function judgeWatch(
  rule: WatchRule,
  previous: ReleaseObservation | undefined,
  reading: UsageReading | { error: string },
  nowMs: number,
  maxGapMs: number,
): WatchVerdict {
  return rule.kind === 'usage'
    ? judgeUsage(rule, previous, reading, nowMs, maxGapMs)
    : judgeStall(rule, previous, reading, nowMs, maxGapMs);
}
