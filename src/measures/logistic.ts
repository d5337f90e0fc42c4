// Logistic regression by Newton's method (iteratively reweighted least squares), with standard errors
// that treat clusters of rows (the trials of one episode) rather than rows as independent: the
// cluster-robust "sandwich" covariance H⁻¹ (Σ_c s_c s_cᵀ) H⁻¹ · k / (k − 1), with H the Hessian of the
// negative log-likelihood and s_c the score of cluster c (Liang & Zeger 1986). Trials of one
// episode share its instance and its agent's state, so they are not independent; episodes are.
import { inverse, Matrix } from 'ml-matrix';
import { tQuantile975 } from './stats.ts';

/** One coefficient: its estimate, cluster-robust standard error and 95% interval (t on k − 1 df). */
export interface Coefficient {
  estimate: number;
  se: number;
  ci95: [number, number];
}

export interface LogisticFit {
  /** The coefficients, in the order of the design's columns. */
  coefficients: Coefficient[];
  /** Rows fitted, and clusters they came from. */
  rows: number;
  clusters: number;
  /** Newton iterations taken; `converged` false when the estimates still moved after the last. */
  iterations: number;
  converged: boolean;
}

const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-10;

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Fits P(y = 1) = σ(x · β) to rows x (row-major, `rows` × `columns`), outcomes y ∈ {0, 1} and the
 * cluster index of each row. Estimates are NaN when the data separate perfectly (the likelihood has
 * no maximum) or a column is constant zero.
 */
export function logisticRegression(
  design: Float64Array,
  y: ArrayLike<number>,
  cluster: ArrayLike<number>,
  columns: number,
): LogisticFit {
  const n = y.length;
  if (design.length !== n * columns)
    throw new Error(`logisticRegression: ${design.length} design values for ${n} rows of ${columns}`);
  if (cluster.length !== n) throw new Error(`logisticRegression: ${cluster.length} cluster labels for ${n} rows`);
  const beta = new Float64Array(columns);
  const p = new Float64Array(n);
  const hessianAt = (): Matrix => {
    const h = Matrix.zeros(columns, columns);
    for (let i = 0; i < n; i++) {
      const w = p[i] * (1 - p[i]);
      for (let a = 0; a < columns; a++) {
        const xa = design[i * columns + a] * w;
        for (let b = 0; b <= a; b++) h.set(a, b, h.get(a, b) + xa * design[i * columns + b]);
      }
    }
    for (let a = 0; a < columns; a++) for (let b = 0; b < a; b++) h.set(b, a, h.get(a, b));
    return h;
  };
  const predict = () => {
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let a = 0; a < columns; a++) z += design[i * columns + a] * beta[a];
      p[i] = sigmoid(z);
    }
  };
  let iterations = 0;
  let converged = false;
  let hInverse: Matrix | null = null;
  const failed = (): LogisticFit => ({
    coefficients: Array.from({ length: columns }, () => ({ estimate: NaN, se: NaN, ci95: [NaN, NaN] })),
    rows: n,
    clusters: new Set(Array.from(cluster)).size,
    iterations,
    converged: false,
  });
  while (iterations < MAX_ITERATIONS) {
    predict();
    const gradient = new Float64Array(columns);
    for (let i = 0; i < n; i++)
      for (let a = 0; a < columns; a++) gradient[a] += design[i * columns + a] * (y[i] - p[i]);
    try {
      hInverse = inverse(hessianAt());
    } catch {
      return failed();
    }
    let change = 0;
    for (let a = 0; a < columns; a++) {
      let step = 0;
      for (let b = 0; b < columns; b++) step += hInverse.get(a, b) * gradient[b];
      beta[a] += step;
      change = Math.max(change, Math.abs(step));
    }
    iterations++;
    if (!beta.every(Number.isFinite)) return failed();
    if (change < TOLERANCE) {
      converged = true;
      break;
    }
  }
  predict();
  const h = inverse(hessianAt());
  // The scores of each cluster, summed over its rows.
  const scores = new Map<number, Float64Array>();
  for (let i = 0; i < n; i++) {
    let s = scores.get(cluster[i]);
    if (s === undefined) {
      s = new Float64Array(columns);
      scores.set(cluster[i], s);
    }
    for (let a = 0; a < columns; a++) s[a] += design[i * columns + a] * (y[i] - p[i]);
  }
  const k = scores.size;
  const meat = Matrix.zeros(columns, columns);
  for (const s of scores.values())
    for (let a = 0; a < columns; a++) for (let b = 0; b < columns; b++) meat.set(a, b, meat.get(a, b) + s[a] * s[b]);
  const covariance = h
    .mmul(meat)
    .mmul(h)
    .mul(k / Math.max(1, k - 1));
  const t = tQuantile975(k - 1);
  const coefficients = Array.from(beta, (estimate, a): Coefficient => {
    const se = Math.sqrt(covariance.get(a, a));
    return { estimate, se, ci95: [estimate - t * se, estimate + t * se] };
  });
  return { coefficients, rows: n, clusters: k, iterations, converged };
}
