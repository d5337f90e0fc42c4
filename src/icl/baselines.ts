// The learning algorithms a trained in-context regressor is compared with, run on each sequence's
// context (von Oswald et al. 2022, section 3; Akyürek et al. 2022):
//   gradient descent on L(w) = (1/2N) Σ_i (w·x_i − y_i)² from w₀ = 0, one step or K steps, with
//   the step size η chosen by line search on training sequences;
//   ridge regression, w = (XᵀX + λI)⁻¹ Xᵀy, with λ chosen the same way;
//   ordinary least squares, the minimum-norm solution X⁺y (the exact w once N ≥ d without noise);
// both from one singular value decomposition of each context (ml-matrix), which the line search
// over λ reuses; and the best constant, the mean of the context labels.
// They fit the features φ(x) the task's functions are linear in (tasks/icl-regression.ts): x itself
// for the linear family, so that nothing changes there, and (x1², x2², x1 x2, x1, x2, 1) for the
// quadratic one, where least squares on φ recovers f exactly from six noiseless examples.
// Every fitting function returns one weight vector per sequence (S×p, flat, p = batch.features) on
// φ; predictions are w·φ(x_q).
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { featureMap, type SequenceBatch } from '../../tasks/icl-regression.ts';

const featureCache = new WeakMap<SequenceBatch, SequenceBatch>();

/**
 * The batch as linear regression on its features: the batch itself for the linear family; for
 * another family a batch of the `linear` family whose inputs x (and queries) are φ(x), with
 * dim = p, and the same labels and weights. Cached per batch, so the decompositions below are too.
 */
export function featureBatch(batch: SequenceBatch): SequenceBatch {
  if (batch.family === 'linear') return batch;
  const cached = featureCache.get(batch);
  if (cached !== undefined) return cached;
  const { sequences: S, examples: n, dim: d, features: p } = batch;
  const xs = new Float64Array(S * n * p);
  for (let r = 0; r < S * n; r++)
    featureMap(batch.family, batch.xs.subarray(r * d, (r + 1) * d), xs.subarray(r * p, (r + 1) * p));
  const queries = new Float64Array(S * p);
  for (let s = 0; s < S; s++)
    featureMap(batch.family, batch.queries.subarray(s * d, (s + 1) * d), queries.subarray(s * p, (s + 1) * p));
  const out: SequenceBatch = { ...batch, family: 'linear', dim: p, features: p, xs, queries };
  featureCache.set(batch, out);
  return out;
}

/** K steps of gradient descent from w = 0 with step η: w ← w − (η/N) Σ_i (w·φ(x_i) − y_i) φ(x_i). */
export function gradientDescentWeights(batchIn: SequenceBatch, eta: number, steps: number): Float64Array {
  const batch = featureBatch(batchIn);
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

/** Ridge regression per sequence on Φ (rows φ(x_i)), w = argmin ‖Φw − y‖² + λ‖w‖² = V diag(s/(s² + λ)) Uᵀy. */
export function ridgeWeights(batch: SequenceBatch, lambda: number): Float64Array {
  return filteredWeights(featureBatch(batch), (s) => (s > 0 ? s / (s * s + lambda) : 0));
}

/**
 * Ordinary least squares on Φ (rows φ(x_i)), minimum-norm: w = Φ⁺y = V diag(1/s) Uᵀy over the singular
 * values above rounding (the exact w once N ≥ p without noise; with N < d, fewer examples than unknowns, the
 * interpolant of least norm: the posterior mean under w ~ N(0, I) without noise).
 */
export function leastSquaresWeights(batchIn: SequenceBatch): Float64Array {
  const batch = featureBatch(batchIn);
  const { s } = contextSvds(batch);
  const tolerance = Math.max(batch.examples, batch.dim) * Number.EPSILON * Math.max(0, ...s);
  return filteredWeights(batch, (v) => (v > tolerance ? 1 / v : 0));
}

/** Predictions w·φ(x_q) of per-sequence weights. */
export function predictionsOf(batchIn: SequenceBatch, weights: Float64Array): Float64Array {
  const { sequences: S, dim: d, queries } = featureBatch(batchIn);
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let y = 0;
    for (let k = 0; k < d; k++) y += weights[s * d + k] * queries[s * d + k];
    out[s] = y;
  }
  return out;
}

/**
 * ∂(w·φ(x_q))/∂x_q for every sequence (S×d, flat), the query gradient of the predictor the weights
 * define: the weights themselves for the linear family; for the quadratic one
 * (2 a1 x1 + a3 x2 + a4, 2 a2 x2 + a3 x1 + a5).
 */
export function queryGradientsOf(batch: SequenceBatch, weights: Float64Array): Float64Array {
  if (batch.family === 'linear') return weights;
  const { sequences: S, queries } = batch;
  const out = new Float64Array(S * 2);
  for (let s = 0; s < S; s++) {
    const [a1, a2, a3, a4, a5] = weights.subarray(s * 6, s * 6 + 5);
    const x1 = queries[s * 2];
    const x2 = queries[s * 2 + 1];
    out[s * 2] = 2 * a1 * x1 + a3 * x2 + a4;
    out[s * 2 + 1] = 2 * a2 * x2 + a3 * x1 + a5;
  }
  return out;
}

/** The best constant predictor of each sequence's context: ŷ = (1/N) Σ_i y_i, whatever x_q. */
export function meanPredictions(batch: SequenceBatch): Float64Array {
  const { sequences: S, examples: n, ys } = batch;
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += ys[s * n + i];
    out[s] = total / n;
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
 * g = (1/N) Σ_i y_i φ(x_i)·φ(x_q), so the mean squared error is quadratic in η and minimal at
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
