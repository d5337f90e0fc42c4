// The learning algorithms a trained in-context regressor is compared with, run on each sequence's
// context (von Oswald et al. 2022, section 3; Akyürek et al. 2022):
//   gradient descent on L(w) = (1/2N) Σ_i (w·x_i − y_i)² from w₀ = 0, one step or K steps, with
//   the step size η chosen by line search on training sequences;
//   ridge regression, w = (XᵀX + λI)⁻¹ Xᵀy, with λ chosen the same way;
//   ordinary least squares, the minimum-norm solution X⁺y (the exact w once N ≥ d without noise).
// Every function returns one weight vector per sequence (S×d, flat); predictions are w·x_q.
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

/** Ridge regression per sequence: (XᵀX + λI) w = Xᵀy. */
export function ridgeWeights(batch: SequenceBatch, lambda: number): Float64Array {
  const { sequences: S, examples: n, dim: d, xs, ys } = batch;
  const weights = new Float64Array(S * d);
  const gram = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  for (let s = 0; s < S; s++) {
    gram.fill(0);
    rhs.fill(0);
    for (let i = 0; i < n; i++) {
      const off = (s * n + i) * d;
      const y = ys[s * n + i];
      for (let a = 0; a < d; a++) {
        rhs[a] += xs[off + a] * y;
        for (let b = 0; b < d; b++) gram[a * d + b] += xs[off + a] * xs[off + b];
      }
    }
    for (let a = 0; a < d; a++) gram[a * d + a] += lambda;
    weights.set(solve(gram, rhs, d), s * d);
  }
  return weights;
}

/**
 * Ordinary least squares, minimum-norm: with N ≥ d, w solves XᵀX w = Xᵀy; with N < d (fewer
 * examples than unknowns), w = Xᵀ(XXᵀ)⁻¹y, the interpolant of least norm (the posterior mean
 * under w ~ N(0, I) without noise).
 */
export function leastSquaresWeights(batch: SequenceBatch): Float64Array {
  const { sequences: S, examples: n, dim: d, xs, ys } = batch;
  if (n >= d) return ridgeWeights(batch, 0);
  const weights = new Float64Array(S * d);
  const gram = new Float64Array(n * n);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += xs[(s * n + i) * d + k] * xs[(s * n + j) * d + k];
        gram[i * n + j] = dot;
      }
    }
    const alpha = solve(gram, ys.slice(s * n, (s + 1) * n), n);
    for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) weights[s * d + k] += alpha[i] * xs[(s * n + i) * d + k];
  }
  return weights;
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

/** Solves A x = b (A n×n, row-major; copied) by Gaussian elimination with partial pivoting. */
export function solve(matrix: Float64Array, rhs: ArrayLike<number>, n: number): Float64Array {
  const a = Float64Array.from(matrix.subarray(0, n * n));
  const x = Float64Array.from(rhs);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    if (a[pivot * n + col] === 0) throw new Error('solve: the matrix is singular');
    if (pivot !== col) {
      for (let c = 0; c < n; c++) [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c], a[col * n + c]];
      [x[col], x[pivot]] = [x[pivot], x[col]];
    }
    const inv = 1 / a[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col] * inv;
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] -= f * a[col * n + c];
      x[r] -= f * x[col];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let v = x[r];
    for (let c = r + 1; c < n; c++) v -= a[r * n + c] * x[c];
    x[r] = v / a[r * n + r];
  }
  return x;
}
