// The learning algorithms a trained in-context regressor is compared with, run on each sequence's
// context (von Oswald et al. 2022, section 3; Akyürek et al. 2022):
//   gradient descent on L(w) = (1/2N) Σ_i (w·x_i − y_i)² from w₀ = 0, one step or K steps, with
//   the step size η chosen by line search on training sequences;
//   ridge regression, w = (XᵀX + λI)⁻¹ Xᵀy, with λ chosen the same way;
//   ordinary least squares, the minimum-norm solution X⁺y (the exact w once N ≥ d without noise);
// both from one singular value decomposition of each context (ml-matrix), which the line search
// over λ reuses.
// Every function returns one weight vector per sequence (S×d, flat); predictions are w·x_q.
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { SequenceBatch } from '../../tasks/icl-regression.ts';

/** K steps of gradient descent from w = 0 with step η: w ← w − (η/N) Σ_i (w·x_i − y_i) x_i. */
export function gradientDescentWeights(batch: SequenceBatch, eta: number, steps: number): Float64Array {
  const { sequences: S, examples: n, dim: d, xs, ys } = batch;
  const weights = new Float64Array(S * d);
  const grad = new Float64Array(d);
  for (let s = 0; s < S; s++) {
    const w = weights.subarray(s * d, (s + 1) * d);
    for (let k = 0; k < steps; k++) {
      grad.fill(0);
      for (let i = 0; i < n; i++) {
        const x = xs.subarray((s * n + i) * d, (s * n + i + 1) * d);
        let residual = -ys[s * n + i];
        for (let j = 0; j < d; j++) residual += w[j] * x[j];
        for (let j = 0; j < d; j++) grad[j] += residual * x[j];
      }
      for (let j = 0; j < d; j++) w[j] -= (eta / n) * grad[j];
    }
  }
  return weights;
}

/**
 * Each sequence's context X (N × d) as its singular value decomposition X = U S Vᵀ (ml-matrix):
 * the right singular vectors V (d × k, row-major), the singular values s (k) and c = Uᵀy (k), with
 * k = min(N, d). Ridge for any λ and least squares follow from them without solving again, and
 * without forming XᵀX, whose condition number is that of X squared.
 */
interface ContextSvds {
  k: number;
  v: Float64Array;
  s: Float64Array;
  c: Float64Array;
}

const svdCache = new WeakMap<SequenceBatch, ContextSvds>();

function contextSvds(batch: SequenceBatch): ContextSvds {
  const cached = svdCache.get(batch);
  if (cached !== undefined) return cached;
  const { sequences: S, examples: n, dim: d, xs, ys } = batch;
  const k = Math.min(n, d);
  const out: ContextSvds = {
    k,
    v: new Float64Array(S * d * k),
    s: new Float64Array(S * k),
    c: new Float64Array(S * k),
  };
  for (let q = 0; q < S; q++) {
    const x = new Matrix(n, d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x.set(i, j, xs[(q * n + i) * d + j]);
    const svd = new SingularValueDecomposition(x, { autoTranspose: true });
    const u = svd.leftSingularVectors;
    const v = svd.rightSingularVectors;
    const values = svd.diagonal;
    for (let r = 0; r < k; r++) {
      out.s[q * k + r] = values[r];
      let c = 0;
      for (let i = 0; i < n; i++) c += u.get(i, r) * ys[q * n + i];
      out.c[q * k + r] = c;
      for (let j = 0; j < d; j++) out.v[(q * d + j) * k + r] = v.get(j, r);
    }
  }
  svdCache.set(batch, out);
  return out;
}

/** w = V diag(f(s)) Uᵀy for every sequence, with f the filter of the singular values. */
function filteredWeights(batch: SequenceBatch, filter: (s: number) => number): Float64Array {
  const { sequences: S, dim: d } = batch;
  const { k, v, s, c } = contextSvds(batch);
  const weights = new Float64Array(S * d);
  const scaled = new Float64Array(k);
  for (let q = 0; q < S; q++) {
    for (let r = 0; r < k; r++) scaled[r] = filter(s[q * k + r]) * c[q * k + r];
    for (let j = 0; j < d; j++) {
      let w = 0;
      for (let r = 0; r < k; r++) w += v[(q * d + j) * k + r] * scaled[r];
      weights[q * d + j] = w;
    }
  }
  return weights;
}

/** Ridge regression per sequence, w = argmin ‖Xw − y‖² + λ‖w‖² = V diag(s/(s² + λ)) Uᵀy. */
export function ridgeWeights(batch: SequenceBatch, lambda: number): Float64Array {
  return filteredWeights(batch, (s) => (s > 0 ? s / (s * s + lambda) : 0));
}

/**
 * Ordinary least squares, minimum-norm: w = X⁺y = V diag(1/s) Uᵀy over the singular values above
 * rounding (the exact w once N ≥ d without noise; with N < d, fewer examples than unknowns, the
 * interpolant of least norm: the posterior mean under w ~ N(0, I) without noise).
 */
export function leastSquaresWeights(batch: SequenceBatch): Float64Array {
  const { s } = contextSvds(batch);
  const tolerance = Math.max(batch.examples, batch.dim) * Number.EPSILON * Math.max(0, ...s);
  return filteredWeights(batch, (v) => (v > tolerance ? 1 / v : 0));
}

/** Predictions w·x_q of per-sequence weights. */
export function predictionsOf(batch: SequenceBatch, weights: Float64Array): Float64Array {
  const { sequences: S, dim: d, queries } = batch;
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let y = 0;
    for (let k = 0; k < d; k++) y += weights[s * d + k] * queries[s * d + k];
    out[s] = y;
  }
  return out;
}

/** Mean squared error of predictions against the batch's (noisy) query labels. */
export function meanSquaredError(batch: SequenceBatch, predictions: ArrayLike<number>): number {
  let total = 0;
  for (let s = 0; s < batch.sequences; s++) total += (predictions[s] - batch.targets[s]) ** 2;
  return total / batch.sequences;
}

/**
 * The loss-minimising step of one GD step, in closed form: its prediction is η·g with
 * g = (1/N) Σ_i y_i x_i·x_q, so the mean squared error is quadratic in η and minimal at
 * η* = Σ_s g_s y_s / Σ_s g_s² (an exact line search).
 */
export function optimalOneStep(batch: SequenceBatch): number {
  const g = predictionsOf(batch, gradientDescentWeights(batch, 1, 1));
  let num = 0;
  let den = 0;
  for (let s = 0; s < batch.sequences; s++) {
    num += g[s] * batch.targets[s];
    den += g[s] * g[s];
  }
  return den > 0 ? num / den : 0;
}

/**
 * Minimises a function of one positive parameter: a grid over [lo, hi] on a log scale, then
 * golden-section search on log θ around the best grid point. For the K-step GD loss (a polynomial
 * in η that explodes past the stability limit) and ridge's λ.
 */
export function logLineSearch(
  loss: (theta: number) => number,
  lo: number,
  hi: number,
  gridPoints = 25,
  iterations = 40,
): number {
  const a0 = Math.log(lo);
  const b0 = Math.log(hi);
  let best = 0;
  let bestLoss = Infinity;
  const grid: number[] = [];
  for (let i = 0; i < gridPoints; i++) {
    const x = a0 + ((b0 - a0) * i) / (gridPoints - 1);
    grid.push(x);
    const l = loss(Math.exp(x));
    if (l < bestLoss) {
      bestLoss = l;
      best = i;
    }
  }
  let a = grid[Math.max(0, best - 1)];
  let b = grid[Math.min(gridPoints - 1, best + 1)];
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = loss(Math.exp(c));
  let fd = loss(Math.exp(d));
  for (let i = 0; i < iterations; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = loss(Math.exp(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = loss(Math.exp(d));
    }
  }
  const x = fc < fd ? c : d;
  return Math.min(fc, fd) <= bestLoss ? Math.exp(x) : Math.exp(grid[best]);
}

/** The K-step GD step size minimising the training sequences' loss (K = 1: the closed form). */
export function lineSearchStep(batch: SequenceBatch, steps: number): number {
  if (steps === 1) return optimalOneStep(batch);
  return logLineSearch(
    (eta) => meanSquaredError(batch, predictionsOf(batch, gradientDescentWeights(batch, eta, steps))),
    1e-3,
    1e3,
  );
}

/** Ridge's λ minimising the training sequences' loss. */
export function lineSearchRidge(batch: SequenceBatch): number {
  return logLineSearch(
    (lambda) => meanSquaredError(batch, predictionsOf(batch, ridgeWeights(batch, lambda))),
    1e-8,
    1e3,
  );
}
