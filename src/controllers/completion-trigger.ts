// The ZoneRelease trigger `completed`: the paper's "completed
// applications". It fires when every instance the release names has
// finished successfully. Pure: the reconciler reads the members
// (completion-reading.ts) and hands in what each instance is doing; this
// decides and says why, and the reconciler writes back what comes out.
//
// A named instance that failed for good (a pod phase Failed under
// restartPolicy Never, a VM instance Failed under runStrategy Once) keeps
// the release waiting: the application did not complete, and releasing
// would throw away what a person may want to look at. status.observed.failed
// names it; a ZoneRelease with another trigger gives it back.

import type { ReleaseObservation } from '../core/api/types.js';
import { jsonEqual } from './merge-patch.js';

/** What one named instance is doing, as its member reports it. */
export interface InstanceProgress {
  provider: string;
  name: string;
  /** running: not finished (or to be run again); unknown: its member cannot say now. */
  state: 'running' | 'succeeded' | 'failed' | 'unknown';
  /** What the member showed, for the message: `pod phase Running`, `Fog2 is not reachable`. */
  detail: string;
}

export interface CompletionVerdict {
  observed: ReleaseObservation;
  fired: boolean;
  /** What was judged, for the condition message and the TriggerFired Event. */
  text: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const label = (i: InstanceProgress): string => `${i.provider}/${i.name}`;

/** At most this many instances are spelt out in a message; the lists in status.observed hold all. */
const SPELT_OUT = 10;

function listed(items: InstanceProgress[]): string {
  const shown = items.slice(0, SPELT_OUT).map((i) => `${label(i)} (${i.detail})`);
  const more = items.length > SPELT_OUT ? ` and ${items.length - SPELT_OUT} more` : '';
  return `${shown.join(', ')}${more}`;
}

/**
 * Judges the named instances. `previous` is the release's last
 * observation: when nothing but the time would change, its observedTime
 * is kept, so an unchanged judgement writes nothing.
 */
export function judgeCompletion(
  progress: readonly InstanceProgress[],
  previous: ReleaseObservation | undefined,
  nowMs: number,
): CompletionVerdict {
  const succeeded = progress.filter((i) => i.state === 'succeeded');
  const failed = progress.filter((i) => i.state === 'failed');
  const pending = progress.filter((i) => i.state === 'running' || i.state === 'unknown');
  const counts = `${succeeded.length}/${progress.length}`;
  const fired = progress.length > 0 && succeeded.length === progress.length;
  let message = '';
  if (progress.length === 0) message = 'the release names no live instance';
  else if (failed.length > 0)
    message = `${failed.length} named instance(s) failed, so the application did not complete: ${listed(failed)}`;
  const observed: ReleaseObservation = {
    condition: 'completed',
    observedTime: iso(nowMs),
    completed: counts,
    pending: pending.map(label),
    failed: failed.map(label),
    ...(message ? { message } : {}),
  };
  if (previous?.condition === 'completed' && previous.observedTime !== undefined) {
    const { observedTime: _before, ...was } = previous;
    const { observedTime: _now, ...is } = observed;
    if (jsonEqual(was, is)) observed.observedTime = previous.observedTime;
  }
  let text: string;
  if (fired) text = `completed: ${counts} named instances succeeded`;
  else {
    const parts = [`completed: ${counts} named instances succeeded`];
    if (failed.length > 0) parts.push(`failed: ${listed(failed)}`);
    if (pending.length > 0) parts.push(`not done: ${listed(pending)}`);
    if (progress.length === 0) parts.push(message);
    text = parts.join('; ');
  }
  return { observed, fired, text };
}
