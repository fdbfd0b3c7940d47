// When a ZoneRelease takes effect: at once, at an RFC 3339 time, a
// Go-style duration (`90s`, `10m`, `1h30m`) after the release was made, or
// once a monitored condition holds (idle: see idle-trigger.ts; usage and
// stall: usage-trigger.ts; completed: completion-trigger.ts).

import { parseDuration } from '../core/api/duration.js';
import type { ReleaseTrigger } from '../core/api/types.js';
import { stallRule, usageRule, type WatchRule } from './usage-trigger.js';

/**
 * The due time in ms since the epoch; for a monitored condition, how long
 * it must hold; or the reason the trigger is unusable.
 */
export function dueTime(
  trigger: ReleaseTrigger | undefined,
  createdMs: number,
): { at: number } | { idleForMs: number } | { watch: WatchRule } | { completed: true } | { error: string } {
  const t = trigger ?? { immediate: true };
  const set = [
    t.immediate ? 'immediate' : undefined,
    t.at !== undefined ? 'at' : undefined,
    t.after !== undefined ? 'after' : undefined,
    t.idle !== undefined ? 'idle' : undefined,
    t.usage !== undefined ? 'usage' : undefined,
    t.stall !== undefined ? 'stall' : undefined,
    t.completed !== undefined ? 'completed' : undefined,
  ].filter(Boolean);
  if (set.length > 1)
    return {
      error: `spec.trigger: set only one of immediate, at, after, idle, usage, stall, completed (got ${set.join(', ')})`,
    };
  if (t.completed !== undefined)
    return Object.keys(t.completed).length > 0
      ? { error: `spec.trigger.completed: takes no fields (got ${Object.keys(t.completed).join(', ')})` }
      : { completed: true };
  // usage and stall: see usage-trigger.ts.
  const watch = t.usage ? usageRule(t.usage) : t.stall ? stallRule(t.stall) : undefined;
  if (watch) return 'error' in watch ? watch : { watch };
  if (t.idle !== undefined) {
    const ms = parseDuration(t.idle.for);
    return ms === undefined || ms <= 0
      ? { error: `spec.trigger.idle.for: not a positive duration like 90s, 10m or 1h30m: "${t.idle.for}"` }
      : { idleForMs: ms };
  }
  if (t.at !== undefined) {
    const at = Date.parse(t.at);
    return Number.isNaN(at) ? { error: `spec.trigger.at: not an RFC 3339 time: "${t.at}"` } : { at };
  }
  if (t.after !== undefined) {
    const ms = parseDuration(t.after);
    return ms === undefined
      ? { error: `spec.trigger.after: not a duration like 90s, 10m or 1h30m: "${t.after}"` }
      : { at: createdMs + ms };
  }
  return { at: createdMs };
}
