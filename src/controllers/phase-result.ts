// What one phase of a reconcile pass asks of the work queue, and how the
// answers of a pass's phases fold into one. A pass is a list of phases
// and a status write that always runs; the folded result decides when the
// key comes back:
//   - an error wins over everything (the pass is retried with backoff, and
//     the error is logged and counted);
//   - then a retry with backoff that is not an error (a conflict);
//   - then the shortest non-zero requeueAfter;
//   - `done` (nothing to look at until an event) says nothing.

import type { ReconcileResult } from '../runtime/controller.js';

export type PhaseResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'requeueAfter'; readonly ms: number; readonly why?: string }
  | { readonly kind: 'retry'; readonly why?: string }
  | { readonly kind: 'error'; readonly error: unknown };

export const done: PhaseResult = { kind: 'done' };

/** Look again after `ms` (0 or less is `done`). `why` is for people reading the code and logs. */
export function requeueAfter(ms: number, why?: string): PhaseResult {
  if (!(ms > 0)) return done;
  return why === undefined ? { kind: 'requeueAfter', ms } : { kind: 'requeueAfter', ms, why };
}

/** Try again with the key's backoff, without counting an error. */
export function retry(why?: string): PhaseResult {
  return why === undefined ? { kind: 'retry' } : { kind: 'retry', why };
}

export function failed(error: unknown): PhaseResult {
  return { kind: 'error', error };
}

const RANK: Record<PhaseResult['kind'], number> = { done: 0, requeueAfter: 1, retry: 2, error: 3 };

/** The one of two results the queue must follow: see the header for the order. */
export function lowerResult(a: PhaseResult, b: PhaseResult): PhaseResult {
  if (RANK[a.kind] !== RANK[b.kind]) return RANK[a.kind] > RANK[b.kind] ? a : b;
  if (a.kind === 'requeueAfter' && b.kind === 'requeueAfter') return b.ms < a.ms ? b : a;
  return a;
}

/** Folds a pass's results; the first error is the one reported. */
export function foldResults(results: Iterable<PhaseResult>): PhaseResult {
  let out = done;
  for (const r of results) out = lowerResult(out, r);
  return out;
}

/** The controller's answer; an error is thrown so the controller backs off, logs and counts it. */
export function toReconcileResult(r: PhaseResult): ReconcileResult {
  switch (r.kind) {
    case 'done':
      return {};
    case 'requeueAfter':
      return { requeueAfterMs: r.ms };
    case 'retry':
      return { requeue: true };
    case 'error':
      throw r.error;
  }
}

/** Runs a phase, turning a throw into an `error` result. */
export async function runPhase(phase: () => Promise<PhaseResult> | PhaseResult): Promise<PhaseResult> {
  try {
    return await phase();
  } catch (err) {
    return failed(err);
  }
}
