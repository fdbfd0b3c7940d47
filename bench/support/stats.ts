// Small helpers every benchmark shares: median / min / max, percentiles, and the seeded
// generator (runs are repeatable).

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('stats of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/** The p-th percentile of ascending values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export { mulberry32, pick } from '../../test/support/seeded-random.js';
