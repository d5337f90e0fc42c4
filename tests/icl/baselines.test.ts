import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { leastSquaresWeights, ridgeWeights } from '../../src/icl/baselines.ts';
import { createIclRegression, type SequenceBatch } from '../../tasks/icl-regression.ts';

/** Max over sequences and coordinates of |(XᵀX + λI) w − Xᵀy|: the normal equations' residual. */
function normalResidual(batch: SequenceBatch, w: Float64Array, lambda: number): number {
  const { sequences: S, examples: n, dim: d, xs, ys } = batch;
  let worst = 0;
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < d; a++) {
      let lhs = lambda * w[s * d + a];
      let rhs = 0;
      for (let i = 0; i < n; i++) {
        const row = (s * n + i) * d;
        let pred = 0;
        for (let b = 0; b < d; b++) pred += xs[row + b] * w[s * d + b];
        lhs += xs[row + a] * pred;
        rhs += xs[row + a] * ys[s * n + i];
      }
      worst = Math.max(worst, Math.abs(lhs - rhs));
    }
  }
  return worst;
}

describe('in-context regression baselines', () => {
  const family = createIclRegression({ dim: 6, examples: 12, noise: 0.3 });

  it('ridge solves (XᵀX + λI) w = Xᵀy for every λ, from one decomposition per context', () => {
    const batch = family.sampleSequences(Rng.fromSeed('ridge'), 50);
    for (const lambda of [1e-3, 0.1, 10]) {
      expect(normalResidual(batch, ridgeWeights(batch, lambda), lambda)).toBeLessThan(1e-10);
    }
    // Larger λ shrinks w.
    const norm = (w: Float64Array) => Math.hypot(...w);
    expect(norm(ridgeWeights(batch, 10))).toBeLessThan(norm(ridgeWeights(batch, 0.1)));
  });

  it('least squares recovers the exact w without noise once N ≥ d', () => {
    const clean = createIclRegression({ dim: 6, examples: 6 }).sampleSequences(Rng.fromSeed('ols'), 50);
    const w = leastSquaresWeights(clean);
    for (let k = 0; k < w.length; k++) expect(w[k]).toBeCloseTo(clean.weights[k], 8);
  });

  it('with fewer examples than dimensions, least squares is the interpolant of least norm', () => {
    const batch = createIclRegression({ dim: 8, examples: 8 }).sampleSequences(Rng.fromSeed('min-norm'), 30, 3);
    const { examples: n, dim: d, xs, ys } = batch;
    const w = leastSquaresWeights(batch);
    for (let s = 0; s < batch.sequences; s++) {
      // It interpolates the context …
      for (let i = 0; i < n; i++) {
        let pred = 0;
        for (let k = 0; k < d; k++) pred += xs[(s * n + i) * d + k] * w[s * d + k];
        expect(pred).toBeCloseTo(ys[s * n + i], 9);
      }
      // … and is shorter than the true w, which interpolates it too.
      const ws = w.subarray(s * d, (s + 1) * d);
      const truth = batch.weights.subarray(s * d, (s + 1) * d);
      expect(Math.hypot(...ws)).toBeLessThanOrEqual(Math.hypot(...truth) + 1e-12);
    }
    // Ridge with a vanishing λ tends to it.
    const ridge = ridgeWeights(batch, 1e-12);
    for (let k = 0; k < w.length; k++) expect(ridge[k]).toBeCloseTo(w[k], 6);
  });
});
