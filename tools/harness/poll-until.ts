// The one "poll until" of the tests, the test bed and the benchmarks: ask
// `check` until it gives a value, or fail with what was awaited and the last
// error seen. A check that throws is asked again (the server may be
// restarting); `aborted` fails the wait at once (the process died).

export interface PollOptions {
  timeoutMs?: number;
  everyMs?: number;
  /** A reason to stop waiting now, or undefined. */
  aborted?: () => string | undefined;
  /** More context for the error (a log's tail), read only on failure. */
  detail?: () => string;
}

/** Resolves with the first value of `check` that is neither undefined nor false. */
export async function pollUntil<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: PollOptions | number = {},
): Promise<T> {
  const opts: PollOptions = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const abortedBecause = opts.aborted?.();
    if (abortedBecause) throw new Error(`${what}: ${abortedBecause}${suffix(opts)}`);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last === undefined ? '' : ` (last error: ${describe(last)})`;
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${why}${suffix(opts)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, opts.everyMs ?? 100));
  }
}

const suffix = (opts: PollOptions): string => (opts.detail ? `\n${opts.detail()}` : '');

/** A thrown value as text: an Error's message, a string as it is, anything else as JSON where it has one. */
function describe(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'object' && thrown !== null) {
    try {
      return JSON.stringify(thrown);
    } catch {
      return Object.prototype.toString.call(thrown);
    }
  }
  return String(thrown);
}
