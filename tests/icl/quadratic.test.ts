// The quadratic function family of Hochreiter, Younger & Conwell (2001), and the learning
// algorithms on its features φ(x) = (x1², x2², x1 x2, x1, x2, 1).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import {
  featureBatch,
  gradientDescentWeights,
  leastSquaresWeights,
  meanPredictions,
  meanSquaredError,
  predictionsOf,
  queryGradientsOf,
  ridgeWeights,
} from '../../src/icl/baselines.ts';
import { evaluateRegressionModels } from '../../src/icl/evaluate.ts';
import { createRegressionModel } from '../../src/icl/models.ts';
import { createIclRegression, featureMap } from '../../tasks/icl-regression.ts';

const quadratic = createIclRegression({ family: 'quadratic', dim: 2, examples: 8 });

/** f(x) = Σ_k a_k φ_k(x) written out term by term. */
function quadraticOf(a: ArrayLike<number>, x1: number, x2: number): number {
  return a[0] * x1 * x1 + a[1] * x2 * x2 + a[2] * x1 * x2 + a[3] * x1 + a[4] * x2 + a[5];
}

describe('the quadratic family', () => {
  it('needs two inputs', () => {
    expect(() => createIclRegression({ family: 'quadratic' })).toThrow(UsageError);
    expect(() => createIclRegression({ family: 'quadratic', dim: 3 })).toThrow(/needs option 'dim' = 2, got 3/);
    expect(() => createIclRegression({ family: 'cubic', dim: 2 })).toThrow(UsageError);
    expect(createIclRegression().options.family).toBe('linear');
  });

  it('draws the six coefficients, then each context point and its noise, then the query and its noise', () => {
    const noisy = createIclRegression({ family: 'quadratic', dim: 2, examples: 3, noise: 0.1 });
    const batch = noisy.sampleSequences(Rng.fromSeed('order'), 4);
    expect([batch.family, batch.dim, batch.features, batch.weights.length]).toEqual(['quadratic', 2, 6, 24]);
    for (let s = 0; s < 4; s++) {
      // Sequence s owns the stream fork(s), and its draws come in a fixed order.
      const rng = Rng.fromSeed('order').fork(String(s));
      const a = Array.from({ length: 6 }, () => rng.uniformRange(-1, 1));
      expect(Array.from(batch.weights.subarray(s * 6, s * 6 + 6))).toEqual(a);
      for (let i = 0; i < 3; i++) {
        const x1 = rng.uniformRange(-1, 1);
        const x2 = rng.uniformRange(-1, 1);
        expect([batch.xs[(s * 3 + i) * 2], batch.xs[(s * 3 + i) * 2 + 1]]).toEqual([x1, x2]);
        expect(batch.ys[s * 3 + i]).toBeCloseTo(quadraticOf(a, x1, x2) + rng.normal(0, 0.1), 14);
      }
      const q1 = rng.uniformRange(-1, 1);
      const q2 = rng.uniformRange(-1, 1);
      expect([batch.queries[s * 2], batch.queries[s * 2 + 1]]).toEqual([q1, q2]);
      expect(batch.cleanTargets[s]).toBeCloseTo(quadraticOf(a, q1, q2), 14);
      expect(batch.targets[s]).toBeCloseTo(batch.cleanTargets[s] + rng.normal(0, 0.1), 14);
    }
    // The same seed gives the same batch, and a sequence does not depend on the batch it is drawn in.
    const again = noisy.sampleSequences(Rng.fromSeed('order'), 2);
    expect(Array.from(again.ys)).toEqual(Array.from(batch.ys.subarray(0, 6)));
    expect(Array.from(again.weights)).toEqual(Array.from(batch.weights.subarray(0, 12)));
  });

  it('is a one-step task whose ground truth is the six coefficients', () => {
    const instance = quadratic.sample(Rng.fromSeed('instance'));
    expect(instance.reset()).toHaveLength(8 * 3 + 2);
    const truth = instance.groundTruth() as { weights: number[]; target: number };
    expect(truth.weights).toHaveLength(6);
    expect(instance.step(truth.target).info.expectedRegret).toBe(0);
  });
});

describe('learning algorithms on the quadratic features', () => {
  it('least squares on φ recovers f exactly from six or more noiseless examples', () => {
    for (const examples of [6, 8, 20]) {
      const batch = createIclRegression({ family: 'quadratic', dim: 2, examples }).sampleSequences(
        Rng.fromSeed(`ols${examples}`),
        40,
      );
      const w = leastSquaresWeights(batch);
      expect(w).toHaveLength(40 * 6);
      for (let k = 0; k < w.length; k++) expect(w[k]).toBeCloseTo(batch.weights[k], 8);
      const predictions = predictionsOf(batch, w);
      for (let s = 0; s < 40; s++) expect(predictions[s]).toBeCloseTo(batch.cleanTargets[s], 9);
    }
    // With five examples the six coefficients are not determined.
    const five = quadratic.sampleSequences(Rng.fromSeed('five'), 40, 5);
    expect(meanSquaredError(five, predictionsOf(five, leastSquaresWeights(five)))).toBeGreaterThan(1e-4);
  });

  it('fit the features: the feature batch holds φ(x), and GD and ridge weights are six per sequence', () => {
    const batch = quadratic.sampleSequences(Rng.fromSeed('features'), 10);
    const phi = featureBatch(batch);
    expect([phi.family, phi.dim, phi.features]).toEqual(['linear', 6, 6]);
    expect(featureBatch(batch)).toBe(phi);
    const expected = featureMap('quadratic', batch.xs.subarray(2, 4), new Float64Array(6));
    expect(Array.from(phi.xs.subarray(6, 12))).toEqual(Array.from(expected));
    expect(Array.from(phi.xs.subarray(6, 12))).toEqual([
      batch.xs[2] ** 2,
      batch.xs[3] ** 2,
      batch.xs[2] * batch.xs[3],
      batch.xs[2],
      batch.xs[3],
      1,
    ]);
    // One GD step from 0 is w₁ = (η/N) Σ_i y_i φ(x_i).
    const w1 = gradientDescentWeights(batch, 0.7, 1);
    expect(w1).toHaveLength(60);
    for (let k = 0; k < 6; k++) {
      let sum = 0;
      for (let i = 0; i < 8; i++) sum += batch.ys[i] * phi.xs[i * 6 + k];
      expect(w1[k]).toBeCloseTo((0.7 / 8) * sum, 12);
    }
    // Ridge tends to least squares as λ → 0 (N = 8 ≥ 6).
    const ridge = ridgeWeights(batch, 1e-12);
    const ols = leastSquaresWeights(batch);
    for (let k = 0; k < ols.length; k++) expect(ridge[k]).toBeCloseTo(ols[k], 6);
    // The linear family is its own feature batch, so its numbers are what they were.
    const linear = createIclRegression({ dim: 3, examples: 4 }).sampleSequences(Rng.fromSeed('linear'), 3);
    expect(featureBatch(linear)).toBe(linear);
    expect([linear.family, linear.features]).toEqual(['linear', 3]);
  });

  it('the query gradient of w·φ(x_q) is the derivative of the fitted quadratic', () => {
    const batch = quadratic.sampleSequences(Rng.fromSeed('gradient'), 5);
    const w = leastSquaresWeights(batch);
    const g = queryGradientsOf(batch, w);
    const h = 1e-5;
    for (let s = 0; s < 5; s++) {
      const a = w.subarray(s * 6, s * 6 + 6);
      const [x1, x2] = batch.queries.subarray(s * 2, s * 2 + 2);
      expect(g[s * 2]).toBeCloseTo((quadraticOf(a, x1 + h, x2) - quadraticOf(a, x1 - h, x2)) / (2 * h), 8);
      expect(g[s * 2 + 1]).toBeCloseTo((quadraticOf(a, x1, x2 + h) - quadraticOf(a, x1, x2 - h)) / (2 * h), 8);
    }
  });

  it('the best constant predicts the mean of the context labels, for every family', () => {
    for (const f of [quadratic, createIclRegression({ dim: 3, examples: 5 })]) {
      const batch = f.sampleSequences(Rng.fromSeed('mean'), 6);
      const n = batch.examples;
      const mean = meanPredictions(batch);
      for (let s = 0; s < 6; s++) {
        let total = 0;
        for (let i = 0; i < n; i++) total += batch.ys[s * n + i];
        expect(mean[s]).toBeCloseTo(total / n, 14);
      }
    }
  });

  it('the held-out comparison runs on the quadratic family, with `mean` among the losses and the curve', () => {
    const models = new Map([['lsa', createRegressionModel('lsa', 2, {}, Rng.fromSeed('lsa'))]]);
    const ev = evaluateRegressionModels(quadratic, models, {
      seed: 1,
      sequences: 200,
      lineSearchSequences: 200,
      gdSteps: 3,
      reference: 'lsa',
      curveExamples: [3, 8],
      curveSequences: 50,
    });
    expect(Object.keys(ev.losses)).toEqual(['lsa', 'gd-1', 'gd-3', 'ridge', 'least-squares', 'mean', 'zero']);
    expect(ev.losses['least-squares']).toBeLessThan(1e-12);
    expect(ev.losses.mean).toBeLessThan(ev.losses.zero);
    expect(ev.curve.filter((p) => p.series === 'mean').map((p) => p.examples)).toEqual([3, 8]);
    expect(Number.isFinite(ev.cosine)).toBe(true);
  });
});
