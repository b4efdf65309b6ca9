/** Small helpers for the report: percentiles and number formatting. */

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface Summary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: ArrayLike<number>): Summary {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (values[i] > max) max = values[i];
  }
  return { p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max, mean: sum / values.length };
}

export const ms = (v: number) => (v < 1 ? v.toFixed(3) : v < 10 ? v.toFixed(2) : v.toFixed(1));
export const int = (v: number) => Math.round(v).toLocaleString('en-US');
