// Small statistics for behavioral measures: means with 95% confidence intervals over independent
// units (episodes). The interval is Student's t: mean ± t(0.975, n − 1) · s/√n, with s the
// sample standard deviation (n − 1 in the denominator). For n ≥ 30 the t quantile is within 4%
// of 1.96, so with the usual 1000+ episodes this is the normal interval mean ± 1.96·SEM. Paired
// differences between agents on the same episodes get a percentile bootstrap interval as well
// (no normality assumed: regret and latency distributions are skewed).
import { Rng } from '../core/rng.ts';

/** A mean over n units with its standard error and 95% confidence interval [low, high]. */
export interface Estimate {
  mean: number;
  /** [low, high]; [NaN, NaN] when n < 2 (JSON shows null). */
  ci95: [number, number];
  /** Standard error of the mean, s/√n. */
  sem: number;
  /** Number of units the estimate is over. */
  n: number;
}

/** Arithmetic mean (NaN for no values). */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i];
  return sum / xs.length;
}

/** Sample variance with n − 1 in the denominator (NaN for fewer than two values). */
export function variance(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = mean(xs);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i] - m) * (xs[i] - m);
  return ss / (n - 1);
}

/** Standard error of the mean, s/√n. */
export function sem(xs: ArrayLike<number>): number {
  return Math.sqrt(variance(xs) / xs.length);
}

// t(0.975, ν) for ν = 1…30 (standard tables).
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 97.5% quantile of Student's t with ν degrees of freedom (table to 30, Cornish–Fisher beyond). */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) return NaN;
  if (df <= 30) return T975[Math.floor(df) - 1];
  // Cornish–Fisher expansion of the t quantile around z (Abramowitz & Stegun 26.7.5), two terms.
  const z = 1.959963984540054;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  return z + g1 / df + g2 / (df * df);
}

/** Mean of xs with its t-based 95% confidence interval. */
export function ci95(xs: ArrayLike<number>): Estimate {
  const n = xs.length;
  const m = mean(xs);
  const s = sem(xs);
  const half = tQuantile975(n - 1) * s;
  return { mean: m, ci95: n >= 2 ? [m - half, m + half] : [NaN, NaN], sem: s, n };
}

/**
 * A proportion of `successes` out of `n` with its 95% Wilson score interval (which, unlike the
 * normal approximation, stays inside [0, 1] and is sensible at 0 and n successes).
 */
export function wilsonInterval(successes: number, n: number): { p: number; ci95: [number, number]; n: number } {
  if (n <= 0) return { p: Number.NaN, ci95: [Number.NaN, Number.NaN], n: 0 };
  const z = 1.959963984540054;
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { p, ci95: [Math.max(0, centre - half), Math.min(1, centre + half)], n };
}

/**
 * A proportion pooled over clusters (e.g. the predictions of each walk), with a 95% interval that
 * treats the clusters, not the trials, as independent: the ratio estimator p = Σc / Σn and its
 * cluster-robust standard error √(Σ (c_i − p n_i)² / (k (k − 1))) / n̄ over the k clusters that
 * have trials, with Student's t on k − 1 degrees of freedom (clipped to [0, 1]). `n` counts trials.
 */
export function clusteredProportion(
  correct: ArrayLike<number>,
  trials: ArrayLike<number>,
): { p: number; ci95: [number, number]; n: number; clusters: number } {
  if (correct.length !== trials.length)
    throw new Error(`clusteredProportion: ${correct.length} counts for ${trials.length} clusters`);
  let c = 0;
  let n = 0;
  let k = 0;
  for (let i = 0; i < trials.length; i++) {
    c += correct[i];
    n += trials[i];
    if (trials[i] > 0) k++;
  }
  if (n === 0) return { p: Number.NaN, ci95: [Number.NaN, Number.NaN], n: 0, clusters: 0 };
  const p = c / n;
  if (k < 2) return { p, ci95: [Number.NaN, Number.NaN], n, clusters: k };
  let squares = 0;
  for (let i = 0; i < trials.length; i++) if (trials[i] > 0) squares += (correct[i] - p * trials[i]) ** 2;
  const se = Math.sqrt(squares / (k * (k - 1))) / (n / k);
  const half = tQuantile975(k - 1) * se;
  return { p, ci95: [Math.max(0, p - half), Math.min(1, p + half)], n, clusters: k };
}

/** Half the width of an estimate's interval (the "±" of a table). */
export function halfWidth(e: Estimate): number {
  return (e.ci95[1] - e.ci95[0]) / 2;
}

/** A paired difference a − b (mean over units) with its percentile-bootstrap 95% interval. */
export interface BootstrapEstimate {
  mean: number;
  ci95: [number, number];
  n: number;
  resamples: number;
}

/**
 * Mean of the paired differences a[i] − b[i] and its percentile bootstrap 95% interval: the
 * 2.5% and 97.5% quantiles of the means of `resamples` resamples of the pairs, drawn with
 * replacement from a generator seeded by `seed` (the same inputs always give the same interval).
 * Pairs where either value is not finite are left out.
 */
export function pairedBootstrap(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  seed: string | number = 'bootstrap',
  resamples = 2000,
): BootstrapEstimate {
  if (a.length !== b.length) throw new Error(`pairedBootstrap: ${a.length} values paired with ${b.length}`);
  const d: number[] = [];
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i])) d.push(a[i] - b[i]);
  const n = d.length;
  if (n < 2) return { mean: mean(d), ci95: [NaN, NaN], n, resamples: 0 };
  const rng = Rng.fromSeed(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[rng.int(n)];
    means[r] = sum / n;
  }
  means.sort();
  return { mean: mean(d), ci95: [quantileSorted(means, 0.025), quantileSorted(means, 0.975)], n, resamples };
}

/** The q-quantile of sorted values, interpolating linearly between order statistics. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** A number with `digits` decimals, or '–' when it is not a finite number. */
export function formatNumber(x: unknown, digits: number): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/**
 * `mean ± half-width` of an estimate's 95% interval (reports, tables, the dashboard); the mean alone
 * when there is no interval (fewer than two units: JSON stores its ends as null); '–' for none.
 */
export function formatEstimate(
  e: { mean: number; ci95: readonly [number | null, number | null] | null } | undefined,
  digits = 2,
): string {
  if (e === undefined || !Number.isFinite(e.mean)) return '–';
  const [lo, hi] = e.ci95 ?? [null, null];
  const half = typeof lo === 'number' && typeof hi === 'number' ? (hi - lo) / 2 : Number.NaN;
  return Number.isFinite(half)
    ? `${formatNumber(e.mean, digits)} ± ${formatNumber(half, digits)}`
    : formatNumber(e.mean, digits);
}
