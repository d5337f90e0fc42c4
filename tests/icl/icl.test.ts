// In-context regression: the sampler, the baselines, von Oswald et al.'s construction, and training.
import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import {
  gradientDescentWeights,
  leastSquaresWeights,
  logLineSearch,
  meanSquaredError,
  optimalOneStep,
  predictionsOf,
  ridgeWeights,
} from '../../src/icl/baselines.ts';
import {
  constructGradientStepLsa,
  createRegressionModel,
  effectiveStep,
  type LsaModel,
  tokensOf,
} from '../../src/icl/models.ts';
import {
  IclTrainingSchema,
  modelPredictions,
  queryGradients,
  RegressionTrainer,
  trainRegressionModel,
} from '../../src/icl/train.ts';
import { Tape } from '../../src/nn/tape.ts';
import { createIclRegression } from '../../tasks/icl-regression.ts';
import { findTask } from '../../tasks/index.ts';

const family = createIclRegression({ dim: 5, examples: 8 });

describe('icl-regression task', () => {
  it('labels are w·x with x in [−0.5, 0.5)^d, and a sequence does not depend on the batch it is drawn in', () => {
    const big = family.sampleSequences(Rng.fromSeed('s'), 7);
    const small = family.sampleSequences(Rng.fromSeed('s'), 3);
    expect(Array.from(small.xs)).toEqual(Array.from(big.xs.subarray(0, 3 * 8 * 5)));
    expect(Array.from(small.targets)).toEqual(Array.from(big.targets.subarray(0, 3)));
    for (let s = 0; s < 7; s++) {
      for (let i = 0; i < 8; i++) {
        let y = 0;
        for (let k = 0; k < 5; k++) {
          const x = big.xs[(s * 8 + i) * 5 + k];
          expect(Math.abs(x)).toBeLessThanOrEqual(0.5);
          y += big.weights[s * 5 + k] * x;
        }
        expect(big.ys[s * 8 + i]).toBeCloseTo(y, 12);
      }
    }
  });

  it('is a one-step task with a real-valued action that every RL agent refuses', () => {
    const f = findTask('icl-regression').create();
    expect(f.actionSpace.kind).toBe('box');
    const instance = f.sample(Rng.fromSeed('i'));
    expect(instance.reset()).toHaveLength(10 * 11 + 10);
    const target = instance.groundTruth().target as number;
    const r = instance.step(target + 0.5);
    expect(r.done).toBe(true);
    expect(r.info.expectedRegret).toBeCloseTo(0.25, 12);
    for (const id of ['lstm', 'transformer', 'random', 'thompson']) expect(findAgent(id).cannotPlay(f)).not.toBeNull();
    expect(() => findTask('icl-regression').create({ dim: 0 })).toThrow(UsageError);
    expect(() => findTask('icl-regression').create({ arms: 2 })).toThrow(/unknown option 'arms'/);
  });
});

describe('baselines', () => {
  const batch = family.sampleSequences(Rng.fromSeed('b'), 50);

  it('least squares recovers w exactly without noise once N ≥ d; ridge tends to it as λ → 0', () => {
    const w = leastSquaresWeights(batch);
    for (let i = 0; i < w.length; i++) expect(w[i]).toBeCloseTo(batch.weights[i], 9);
    const ridge = ridgeWeights(batch, 1e-10);
    for (let i = 0; i < w.length; i++) expect(ridge[i]).toBeCloseTo(w[i], 6);
  });

  it('least squares with fewer examples than dimensions interpolates the context with the least norm', () => {
    const few = createIclRegression({ dim: 6, examples: 3 }).sampleSequences(Rng.fromSeed('few'), 5);
    const w = leastSquaresWeights(few);
    for (let i = 0; i < 3; i++) {
      let y = 0;
      for (let k = 0; k < 6; k++) y += w[k] * few.xs[i * 6 + k];
      expect(y).toBeCloseTo(few.ys[i], 10);
    }
    // Least norm: the true w also fits the context, and no interpolant is shorter than this one.
    expect(Math.hypot(...w.subarray(0, 6))).toBeLessThan(Math.hypot(...few.weights.subarray(0, 6)) + 1e-12);
  });

  it('the closed-form one-step η is the minimum that a numerical line search finds too', () => {
    const eta = optimalOneStep(batch);
    const loss = (e: number) => meanSquaredError(batch, predictionsOf(batch, gradientDescentWeights(batch, e, 1)));
    expect(logLineSearch(loss, 1e-3, 1e3)).toBeCloseTo(eta, 5);
    expect(loss(eta)).toBeLessThan(loss(eta * 1.05));
    expect(loss(eta)).toBeLessThan(loss(eta * 0.95));
  });
});

describe('the construction of von Oswald et al. (2022)', () => {
  it('linear self-attention weights that reproduce one gradient-descent step to rounding error', () => {
    const batch = createIclRegression({ dim: 10, examples: 10 }).sampleSequences(Rng.fromSeed('construction'), 500);
    for (const eta of [0.3, optimalOneStep(batch)]) {
      const model = constructGradientStepLsa(10, eta);
      const lsa = modelPredictions(model, batch);
      const gd = predictionsOf(batch, gradientDescentWeights(batch, eta, 1));
      let worst = 0;
      let scaleOf = 0;
      for (let s = 0; s < batch.sequences; s++) {
        worst = Math.max(worst, Math.abs(lsa[s] - gd[s]));
        scaleOf = Math.max(scaleOf, Math.abs(gd[s]));
      }
      expect(worst).toBeLessThan(1e-13 * Math.max(1, scaleOf));
      // Its query gradient is the GD weight vector, and the step read off its weights is η.
      const grads = queryGradients(model, batch);
      const w1 = gradientDescentWeights(batch, eta, 1);
      for (let i = 0; i < grads.length; i++) expect(grads[i]).toBeCloseTo(w1[i], 12);
      const read = effectiveStep(model);
      expect(read.step).toBeCloseTo(eta, 12);
      expect(read.offScalar).toBeLessThan(1e-12);
    }
  });
});

describe('training', () => {
  it('a tiny linear self-attention training run reduces the loss a lot', () => {
    const f = createIclRegression({ dim: 4, examples: 8 });
    const model = createRegressionModel('lsa', 4, {}, Rng.fromSeed('init')) as LsaModel;
    const test = f.sampleSequences(Rng.fromSeed('held-out'), 1000);
    const before = meanSquaredError(test, modelPredictions(model, test));
    const losses: number[] = [];
    trainRegressionModel(
      model,
      f,
      IclTrainingSchema.parse({ steps: 150, batchSize: 64, learningRate: 0.01 }),
      Rng.fromSeed('train'),
      (m) => losses.push(m['train/loss']),
    );
    const after = meanSquaredError(test, modelPredictions(model, test));
    expect(losses).toHaveLength(150);
    expect(after).toBeLessThan(0.6 * before);
    // And it is learning the right thing: a positive gradient step.
    expect(effectiveStep(model).step).toBeGreaterThan(0);
  });

  it(
    'the softmax transformer reads regression sequences through the ' +
      'agent’s blocks, and its loss gradient is finite',
    () => {
      const f = createIclRegression({ dim: 3, examples: 4 });
      const model = createRegressionModel(
        'transformer',
        3,
        { width: 8, layers: 1, heads: 2, mlp: 8 },
        Rng.fromSeed('tf'),
      );
      const batch = f.sampleSequences(Rng.fromSeed('x'), 5);
      const tape = new Tape();
      const y = tape.record(() => model.predict(tokensOf(batch), 5, 4));
      expect(y.shape).toBe('5x1');
      tape.backwardFrom([[y, new Float64Array(5).fill(1)]]);
      for (const p of model.parameters().values()) for (const g of p.grad ?? []) expect(Number.isFinite(g)).toBe(true);
      expect(() => createRegressionModel('transformer', 3, { width: 6, heads: 4 }, Rng.fromSeed('tf'))).toThrow(
        UsageError,
      );
      expect(() => createRegressionModel('lsa', 3, { depth: 2 }, Rng.fromSeed('tf'))).toThrow(/unknown option 'depth'/);
    },
  );

  it('under examplesFrom, each step draws its context size N′ uniformly from [examplesFrom, N] itself', () => {
    const f = createIclRegression({ dim: 3, examples: 6 });
    const args = IclTrainingSchema.parse({ steps: 300, batchSize: 8, learningRate: 0.01, examplesFrom: 2 });
    const trainer = () =>
      new RegressionTrainer(createRegressionModel('lsa', 3, {}, Rng.fromSeed('init')), f, args, Rng.fromSeed('t'));
    const a = trainer();
    const sizes = Array.from({ length: 300 }, (_, k) => a.examplesAt(k));
    expect(new Set(sizes)).toEqual(new Set([2, 3, 4, 5, 6]));
    expect(Array.from({ length: 300 }, (_, k) => trainer().examplesAt(k))).toEqual(sizes);
    // Step k trains on the sequences of its stream with N′ examples: the loss it reports is the
    // model's error on them before the update.
    const before = modelPredictions(a.model, f.sampleSequences(Rng.fromSeed('t').fork('step0'), 8, sizes[0]));
    const batch = f.sampleSequences(Rng.fromSeed('t').fork('step0'), 8, sizes[0]);
    expect(batch.examples).toBe(sizes[0]);
    expect(a.step()['train/loss']).toBeCloseTo(meanSquaredError(batch, before), 12);
    // Without it, every step has the task's N.
    const plain = new RegressionTrainer(
      createRegressionModel('lsa', 3, {}, Rng.fromSeed('init')),
      f,
      IclTrainingSchema.parse({ steps: 3 }),
      Rng.fromSeed('t'),
    );
    expect([0, 1, 2].map((k) => plain.examplesAt(k))).toEqual([6, 6, 6]);
    expect(() => IclTrainingSchema.parse({ steps: 3, examplesFrom: 0 })).toThrow();
    expect(
      () =>
        new RegressionTrainer(
          createRegressionModel('lsa', 3, {}, Rng.fromSeed('init')),
          f,
          IclTrainingSchema.parse({ steps: 3, examplesFrom: 7 }),
          Rng.fromSeed('t'),
        ),
    ).toThrow(/'examplesFrom' \(7\) must be at most the task's examples N \(6\)/);
  });
});
