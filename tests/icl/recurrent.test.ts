// The recurrent in-context regressors (`lstm`, `gru`) and the transformer's query flag.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { leastSquaresWeights, meanSquaredError, predictionsOf } from '../../src/icl/baselines.ts';
import {
  createRegressionModel,
  type GruRegressor,
  type LstmRegressor,
  type RecurrentRegressor,
  type RegressionTransformer,
  tokensOf,
  withQueryFlag,
} from '../../src/icl/models.ts';
import { IclTrainingSchema, modelPredictions, queryGradients, trainRegressionModel } from '../../src/icl/train.ts';
import { GRADCHECK_TOLERANCE } from '../../src/nn/checks.ts';
import { gradcheck } from '../../src/nn/gradcheck.ts';
import { concatColumns, sliceRows } from '../../src/nn/ops/index.ts';
import { noGrad } from '../../src/nn/tape.ts';
import { Tensor } from '../../src/nn/tensor.ts';
import { createIclRegression } from '../../tasks/icl-regression.ts';

const family = createIclRegression({ dim: 3, examples: 4 });

function recurrent(kind: 'lstm' | 'gru', hidden: number, seed = kind): RecurrentRegressor {
  return createRegressionModel(kind, 3, { hidden }, Rng.fromSeed(seed)) as RecurrentRegressor;
}

describe('recurrent in-context regressors', () => {
  it('read N′ + 1 tokens and predict one number per sequence, at any context size', () => {
    for (const kind of ['lstm', 'gru'] as const) {
      const model = recurrent(kind, 6);
      expect(model.model).toBe(kind);
      for (const examples of [1, 4, 7]) {
        const batch = family.sampleSequences(Rng.fromSeed('shapes'), 5, examples);
        const states = noGrad(() => model.hiddenStates(tokensOf(batch), 5, examples));
        expect(states.map((h) => h.shape)).toEqual(Array(examples + 1).fill('5x6'));
        expect(noGrad(() => model.predict(tokensOf(batch), 5, examples)).shape).toBe('5x1');
      }
      // Gates × (input d + 2 and hidden) weights, the gate biases (two sets for the GRU), and the readout.
      const gates = kind === 'lstm' ? 4 : 3;
      const biases = kind === 'lstm' ? 1 : 2;
      expect([...model.parameters().keys()]).toEqual(
        kind === 'lstm'
          ? ['cell.weightInput', 'cell.weightHidden', 'cell.bias', 'readout.weight', 'readout.bias']
          : [
              'cell.weightInput',
              'cell.weightHidden',
              'cell.biasInput',
              'cell.biasHidden',
              'readout.weight',
              'readout.bias',
            ],
      );
      expect(model.parameterCount()).toBe(gates * 6 * (5 + 6) + biases * gates * 6 + 6 + 1);
      expect(model.options()).toEqual({ hidden: 6 });
    }
    expect(recurrent('lstm', 64).parameterCount()).toBe(4 * 64 * (5 + 64) + 4 * 64 + 65);
    expect(createRegressionModel('gru', 3, {}, Rng.fromSeed('default')).options()).toEqual({ hidden: 64 });
    expect(() => createRegressionModel('lstm', 3, { hidden: 0 }, Rng.fromSeed('x'))).toThrow(UsageError);
    expect(() => createRegressionModel('gru', 3, { width: 8 }, Rng.fromSeed('x'))).toThrow(/unknown option 'width'/);
  });

  it('step the cell over (x_i, y_i, 0) for the context, then (x_q, 0, 1), and read out the last h', () => {
    const batch = family.sampleSequences(Rng.fromSeed('convention'), 3);
    const tokens = tokensOf(batch);
    const flagged = withQueryFlag(tokens, 3, 4);
    expect(flagged.shape).toBe('15x5');
    for (let r = 0; r < 15; r++) {
      expect(Array.from(flagged.data.subarray(r * 5, r * 5 + 4))).toEqual(
        Array.from(tokens.data.subarray(r * 4, r * 4 + 4)),
      );
      expect(flagged.data[r * 5 + 4]).toBe(r >= 12 ? 1 : 0);
    }
    const lstm = recurrent('lstm', 5) as LstmRegressor;
    const gru = recurrent('gru', 5) as GruRegressor;
    noGrad(() => {
      let state = lstm.cell.initialState(3);
      let h = gru.cell.initialState(3);
      for (let t = 0; t <= 4; t++) {
        const flag = Tensor.zeros(3, 1);
        flag.data.fill(t === 4 ? 1 : 0);
        const x = concatColumns([sliceRows(tokens, t * 3, (t + 1) * 3), flag]);
        state = lstm.cell.step(x, state);
        h = gru.cell.step(x, h);
      }
      expect(Array.from(lstm.predict(tokens, 3, 4).data)).toEqual(Array.from(lstm.readout.forward(state.h).data));
      expect(Array.from(gru.predict(tokens, 3, 4).data)).toEqual(Array.from(gru.readout.forward(h).data));
    });
  });

  it('have the gradients of finite differences, with respect to every parameter and token', () => {
    const batch = createIclRegression({ dim: 2, examples: 3 }).sampleSequences(Rng.fromSeed('grad'), 2);
    for (const kind of ['lstm', 'gru'] as const) {
      const model = createRegressionModel(kind, 2, { hidden: 4 }, Rng.fromSeed(`grad-${kind}`));
      const tokens = tokensOf(batch);
      const result = gradcheck(() => model.predict(tokens, 2, 3), new Map([...model.parameters(), ['tokens', tokens]]));
      expect(result.maxRelError, `${kind}: ${JSON.stringify(result.worst)}`).toBeLessThan(GRADCHECK_TOLERANCE);
      expect(result.gradientNorm).toBeGreaterThan(0);
      expect(result.checked).toBe(model.parameterCount() + tokens.size);
    }
  });

  it('learn in context: a few hundred steps bring the loss well below the zero predictor’s (d = 2, N = 5)', () => {
    const f = createIclRegression({ dim: 2, examples: 5 });
    const test = f.sampleSequences(Rng.fromSeed('held-out'), 2000);
    const zero = meanSquaredError(test, new Float64Array(test.sequences));
    const training = IclTrainingSchema.parse({ steps: 500, batchSize: 128, learningRate: 0.03, learningRateEnd: 0.01 });
    for (const kind of ['lstm', 'gru'] as const) {
      const model = createRegressionModel(kind, 2, { hidden: 16 }, Rng.fromSeed(`init-${kind}`));
      const before = meanSquaredError(test, modelPredictions(model, test));
      trainRegressionModel(model, f, training, Rng.fromSeed(`train-${kind}`));
      const after = meanSquaredError(test, modelPredictions(model, test));
      expect(before, kind).toBeGreaterThan(0.9 * zero);
      expect(after, kind).toBeLessThan(0.5 * zero);
      // Least squares is exact here (N ≥ d, no noise); the models are not there yet.
      expect(meanSquaredError(test, predictionsOf(test, leastSquaresWeights(test)))).toBeLessThan(1e-20);
      // Their query gradients are what the evaluation compares with one GD step.
      expect(queryGradients(model, test).every(Number.isFinite)).toBe(true);
    }
  });
});

describe('the transformer’s query flag', () => {
  it('is off by default, and on it is one more input column of the embedding', () => {
    const options = { width: 8, layers: 1, heads: 2, mlp: 8 };
    const plain = createRegressionModel('transformer', 3, options, Rng.fromSeed('tf')) as RegressionTransformer;
    const flagged = createRegressionModel('transformer', 3, { ...options, queryFlag: true }, Rng.fromSeed('tf'));
    expect(plain.options()).toMatchObject({ queryFlag: false });
    expect(plain.embed.weight.shape).toBe('4x8');
    const embed = (flagged as RegressionTransformer).embed.weight;
    expect(embed.shape).toBe('5x8');
    expect(flagged.parameterCount()).toBe(plain.parameterCount() + 8);
    // With the flag's row zeroed and every other weight copied, it is the plain model.
    const params = flagged.parameters();
    for (const [name, t] of plain.parameters()) {
      if (name === 'embed.weight') continue;
      params.get(name)!.data.set(t.data);
    }
    embed.data.set(plain.embed.weight.data);
    embed.data.fill(0, 4 * 8);
    const batch = family.sampleSequences(Rng.fromSeed('tokens'), 4);
    const a = modelPredictions(plain, batch);
    const b = modelPredictions(flagged, batch);
    for (let s = 0; s < 4; s++) expect(b[s]).toBeCloseTo(a[s], 14);
  });

  it('has the gradients of finite differences', () => {
    const batch = createIclRegression({ dim: 2, examples: 3 }).sampleSequences(Rng.fromSeed('grad'), 2);
    const model = createRegressionModel(
      'transformer',
      2,
      { width: 4, layers: 1, heads: 2, mlp: 4, queryFlag: true },
      Rng.fromSeed('tf-grad'),
    );
    const tokens = tokensOf(batch);
    // h = 1e-4: small LayerNorms are curved enough that h = 1e-3 leaves a truncation error of ~1e-6.
    const result = gradcheck(() => model.predict(tokens, 2, 3), new Map([...model.parameters(), ['tokens', tokens]]), {
      step: 1e-4,
    });
    expect(result.maxRelError, JSON.stringify(result.worst)).toBeLessThan(GRADCHECK_TOLERANCE);
    expect(result.gradientNorm).toBeGreaterThan(0);
  });
});
