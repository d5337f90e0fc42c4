// Which algorithm is it? SPD and ILWD name the algorithm a model computes when the model is that
// algorithm: von Oswald et al.'s construction of one GD step, and least squares written as a model.
import { Matrix, pseudoInverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { identifyAlgorithms } from '../../src/icl/algorithms.ts';
import { optimalOneStep } from '../../src/icl/baselines.ts';
import { constructGradientStepLsa, type RegressionModel } from '../../src/icl/models.ts';
import { Module } from '../../src/nn/module.ts';
import { Tensor } from '../../src/nn/tensor.ts';
import { createIclRegression } from '../../tasks/icl-regression.ts';

/** Least squares (minimum norm) on each sequence's context, as a model reading the tokens. */
class LeastSquaresModel extends Module implements RegressionModel {
  readonly model = 'lsa' as const;
  constructor(readonly dim: number) {
    super();
  }
  predict(tokens: Tensor, sequences: number, examples: number): Tensor {
    const d = this.dim;
    const out = Tensor.zeros(sequences, 1);
    for (let s = 0; s < sequences; s++) {
      const rows: number[][] = [];
      const ys: number[] = [];
      for (let i = 0; i < examples; i++) {
        const r = (i * sequences + s) * (d + 1);
        rows.push(Array.from(tokens.data.subarray(r, r + d)));
        ys.push(tokens.data[r + d]);
      }
      const w = pseudoInverse(new Matrix(rows)).mmul(Matrix.columnVector(ys)).getColumn(0);
      const q = (examples * sequences + s) * (d + 1);
      let y = 0;
      for (let k = 0; k < d; k++) y += w[k] * tokens.data[q + k];
      out.data[s] = y;
    }
    return out;
  }
  options(): Record<string, unknown> {
    return {};
  }
}

describe('identifyAlgorithms (Akyürek et al. 2022)', () => {
  const family = createIclRegression({ dim: 4, examples: 8 });
  const options = { seed: 5, examples: [2, 8], noise: [0, 0.5], sequences: 400, probes: 12, gdSteps: 3 };

  it('names least squares for least squares, and one GD step for the construction of one GD step', () => {
    // The construction's step: the line-searched one at N = 8 on many sequences (the candidates tune their own).
    const eta = optimalOneStep(family.sampleSequences(Rng.fromSeed('eta'), 20000));
    const models = new Map<string, RegressionModel>([
      ['ls', new LeastSquaresModel(4)],
      ['gd', constructGradientStepLsa(4, eta)],
    ]);
    const result = identifyAlgorithms(family, models, options);
    expect(result.algorithms).toEqual(['gd-1', 'gd-3', 'least-squares', 'ridge', 'ridge-bayes']);
    expect(result.rows).toHaveLength(2 * 2 * 2);
    for (const row of result.rows) {
      expect(row.probeFit).toBeGreaterThan(1 - 1e-9); // both are linear in the query
      if (row.model === 'ls') {
        expect(row.spd['least-squares']).toBeLessThan(1e-18);
        expect(row.ilwd['least-squares']).toBeLessThan(1e-18);
        expect(row.nearest).toEqual({ spd: 'least-squares', ilwd: 'least-squares' });
        if (row.noise === 0) expect(row.spd['ridge-bayes']).toBeLessThan(1e-18);
      } else {
        // At the N and σ its step was tuned for, the construction is GD-1 itself. Elsewhere its step is not the one
        // the candidates tune at that N′ and σ, and it is nearest to a gradient descent (one step or K).
        if (row.examples === 8 && row.noise === 0) {
          expect(row.nearest).toEqual({ spd: 'gd-1', ilwd: 'gd-1' });
          expect(row.spd['gd-1']).toBeLessThan(row.spd['least-squares'] / 20);
        } else {
          expect(row.nearest.spd).toMatch(/^gd-/);
        }
      }
    }
    // The model's own loss and the candidate's agree when they are the same algorithm.
    const ls = result.rows.find((r) => r.model === 'ls' && r.examples === 8 && r.noise === 0.5)!;
    expect(ls.loss).toBeCloseTo(ls.algorithmLoss['least-squares'], 12);
    // Noise makes least squares overfit at N′ = d + 4: the Bayes-optimal ridge does better.
    expect(ls.algorithmLoss['ridge-bayes']).toBeLessThan(ls.algorithmLoss['least-squares']);
  });

  it('is reproducible, and refuses fewer probes than features', () => {
    const models = new Map<string, RegressionModel>([['ls', new LeastSquaresModel(4)]]);
    const small = { ...options, examples: [3], noise: [0.25], sequences: 50 };
    expect(identifyAlgorithms(family, models, small)).toEqual(identifyAlgorithms(family, models, small));
    expect(() => identifyAlgorithms(family, models, { ...small, probes: 3 })).toThrow(UsageError);
  });
});
