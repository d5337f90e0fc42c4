// Which learning algorithm does a trained in-context regressor run? (Akyürek, Schuurmans, Andreas,
// Ma & Zhou 2022, "What learning algorithm is in-context learning? Investigations with linear
// models", section 4.) For every context size N′ and noise level σ, held-out sequences are given to
// the model and to each candidate algorithm, and two distances are measured:
//   SPD, the squared prediction difference: the mean over sequences of (ŷ_model − ŷ_algorithm)² on
//        the query;
//   ILWD, the implicit linear weight difference: the model's implicit weights ŵ, read off its
//        predictions on `probes` query inputs by least squares on the task's features φ (the same
//        context each time), against the algorithm's weights w, mean over sequences of |ŵ − w|².
// The candidates are one and K steps of gradient descent (step sizes line-searched at each N′ and
// σ), ridge regression with λ line-searched, ridge with λ = σ²/τ² (the posterior mean, so the
// Bayes-optimal predictor, under the task's prior of variance τ² per weight), and least squares
// (the minimum-norm solution). The nearest algorithm of a model at (N′, σ) is the one with the
// smallest SPD (and, separately, ILWD).
import { Matrix, solve } from 'ml-matrix';
import { createIclRegression, type IclRegressionFamily, type SequenceBatch } from '../../tasks/icl-regression.ts';
import { UsageError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import {
  featureBatch,
  gradientDescentWeights,
  leastSquaresWeights,
  lineSearchRidge,
  lineSearchStep,
  meanSquaredError,
  optimalOneStep,
  predictionsOf,
  ridgeWeights,
} from './baselines.ts';
import type { RegressionModel } from './models.ts';
import { modelPredictions } from './train.ts';

/** What the identification measures, and on how many sequences. */
export interface AlgorithmIdentificationOptions {
  seed: number;
  /** Context sizes N′. */
  examples: readonly number[];
  /** Label noise levels σ of the held-out sequences. */
  noise: readonly number[];
  /** Held-out sequences per (N′, σ); as many again, from a training-side stream, tune the algorithms. */
  sequences: number;
  /** Probe queries per sequence from which a model's implicit weights are read (at least the feature count). */
  probes: number;
  /** K of the K-step gradient-descent candidate. */
  gdSteps: number;
}

/** One model at one context size and noise level. */
export interface AlgorithmRow {
  model: string;
  examples: number;
  noise: number;
  /** The model's mean squared error on the noisy query labels. */
  loss: number;
  /** Each candidate's own mean squared error on the same labels. */
  algorithmLoss: Record<string, number>;
  /** Squared prediction difference from each candidate. */
  spd: Record<string, number>;
  /** Implicit linear weight difference from each candidate. */
  ilwd: Record<string, number>;
  /** The candidate with the smallest SPD, and the one with the smallest ILWD. */
  nearest: { spd: string; ilwd: string };
  /** How well a linear function of φ explains the model's probe predictions (R², mean over sequences). */
  probeFit: number;
}

export interface AlgorithmIdentification {
  /** The candidates, in table order. */
  algorithms: string[];
  /** The prior variance τ² per weight that ridge-bayes's λ = σ²/τ² uses. */
  priorVariance: number;
  options: AlgorithmIdentificationOptions;
  rows: AlgorithmRow[];
}

/** The variance of each weight under the task's prior: w ~ N(0, I) (linear), coefficients U(−1, 1) (quadratic). */
export function priorVariance(family: IclRegressionFamily): number {
  return family.options.family === 'quadratic' ? 1 / 3 : 1;
}

/** The candidates' weights (S×p on φ) for one batch, their hyper-parameters tuned on `tuning`. */
function candidateWeights(
  test: SequenceBatch,
  tuning: SequenceBatch,
  gdSteps: number,
  noise: number,
  prior: number,
): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  out.set('gd-1', gradientDescentWeights(test, optimalOneStep(tuning), 1));
  out.set(`gd-${gdSteps}`, gradientDescentWeights(test, lineSearchStep(tuning, gdSteps), gdSteps));
  // Least squares before the ridges: where two candidates are the same (ridge-bayes without noise), the nearest is
  // named by the first.
  out.set('least-squares', leastSquaresWeights(test));
  out.set('ridge', ridgeWeights(test, lineSearchRidge(tuning)));
  const bayesLambda = (noise * noise) / prior;
  // Without noise the posterior mean is the minimum-norm interpolant, the limit λ → 0 of ridge.
  out.set('ridge-bayes', bayesLambda > 0 ? ridgeWeights(test, bayesLambda) : out.get('least-squares')!);
  return out;
}

/**
 * The batch with every sequence's context repeated `probes` times, each copy with its own query from
 * `probeQueries` (S·P × d; sequence s's copies are rows s·P … s·P + P − 1).
 */
function probeBatch(batch: SequenceBatch, probes: number, probeQueries: Float64Array): SequenceBatch {
  const { sequences: S, examples: n, dim: d, features: p } = batch;
  const xs = new Float64Array(S * probes * n * d);
  const ys = new Float64Array(S * probes * n);
  const weights = new Float64Array(S * probes * p);
  for (let s = 0; s < S; s++)
    for (let j = 0; j < probes; j++) {
      const r = s * probes + j;
      xs.set(batch.xs.subarray(s * n * d, (s + 1) * n * d), r * n * d);
      ys.set(batch.ys.subarray(s * n, (s + 1) * n), r * n);
      weights.set(batch.weights.subarray(s * p, (s + 1) * p), r * p);
    }
  return {
    ...batch,
    sequences: S * probes,
    xs,
    ys,
    queries: probeQueries,
    targets: new Float64Array(S * probes),
    cleanTargets: new Float64Array(S * probes),
    weights,
  };
}

/** Least squares of `y` (length P) on the rows of `phi` (P×p), and its R². */
function fitLinear(phi: Float64Array, y: Float64Array, P: number, p: number): { w: Float64Array; r2: number } {
  const rows = Array.from({ length: P }, (_, r) => Array.from(phi.subarray(r * p, (r + 1) * p)));
  const w = Float64Array.from(solve(new Matrix(rows), Matrix.columnVector(Array.from(y)), true).getColumn(0));
  let mean = 0;
  for (let r = 0; r < P; r++) mean += y[r] / P;
  let residual = 0;
  let total = 0;
  for (let r = 0; r < P; r++) {
    let f = 0;
    for (let j = 0; j < p; j++) f += w[j] * phi[r * p + j];
    residual += (y[r] - f) ** 2;
    total += (y[r] - mean) ** 2;
  }
  return { w, r2: total > 0 ? 1 - residual / total : 1 };
}

const argmin = (values: Record<string, number>): string =>
  Object.entries(values).reduce((best, cur) => (cur[1] < best[1] ? cur : best))[0];

/**
 * SPD and ILWD of every model against every candidate algorithm, at every N′ and σ of `options`,
 * on the same held-out sequences for every model.
 */
export function identifyAlgorithms(
  family: IclRegressionFamily,
  models: ReadonlyMap<string, RegressionModel>,
  options: AlgorithmIdentificationOptions,
): AlgorithmIdentification {
  const p = featureBatch(family.sampleSequences(Rng.fromSeed('probe-shape'), 1, 1)).features;
  if (options.probes < p)
    throw new UsageError(`algorithms: probes (${options.probes}) must be at least the feature count (${p})`);
  const root = Rng.fromSeed(options.seed).fork('icl/algorithms');
  const prior = priorVariance(family);
  const rows: AlgorithmRow[] = [];
  let algorithms: string[] = [];
  for (const noise of options.noise) {
    const noisy = createIclRegression({ ...family.options, noise });
    for (const examples of options.examples) {
      const at = root.fork(`n${examples}/s${noise}`);
      const test = noisy.sampleSequences(at.fork('test'), options.sequences, examples);
      const tuning = noisy.sampleSequences(at.fork('tuning'), options.sequences, examples);
      const weights = candidateWeights(test, tuning, options.gdSteps, noise, prior);
      algorithms = [...weights.keys()];
      const predictions = new Map([...weights].map(([a, w]) => [a, predictionsOf(test, w)]));
      const algorithmLoss = Object.fromEntries([...predictions].map(([a, y]) => [a, meanSquaredError(test, y)]));
      // Probe queries from the task's input distribution: a batch of as many sequences, queries only.
      const S = test.sequences;
      const probeQueries = noisy.sampleSequences(at.fork('probes'), S * options.probes, 1).queries;
      const probes = probeBatch(test, options.probes, probeQueries);
      const probeFeatures = featureBatch(probes).queries;
      for (const [id, model] of models) {
        const y = modelPredictions(model, test);
        const spd: Record<string, number> = {};
        for (const [a, ya] of predictions) {
          let sum = 0;
          for (let s = 0; s < S; s++) sum += (y[s] - ya[s]) ** 2;
          spd[a] = sum / S;
        }
        const probeY = modelPredictions(model, probes);
        const ilwd: Record<string, number> = Object.fromEntries(algorithms.map((a) => [a, 0]));
        let probeFit = 0;
        const P = options.probes;
        for (let s = 0; s < S; s++) {
          const fit = fitLinear(
            probeFeatures.subarray(s * P * p, (s + 1) * P * p),
            probeY.subarray(s * P, (s + 1) * P),
            P,
            p,
          );
          probeFit += fit.r2 / S;
          for (const [a, w] of weights) {
            let sum = 0;
            for (let k = 0; k < p; k++) sum += (fit.w[k] - w[s * p + k]) ** 2;
            ilwd[a] += sum / S;
          }
        }
        rows.push({
          model: id,
          examples,
          noise,
          loss: meanSquaredError(test, y),
          algorithmLoss,
          spd,
          ilwd,
          nearest: { spd: argmin(spd), ilwd: argmin(ilwd) },
          probeFit,
        });
      }
    }
  }
  return { algorithms, priorVariance: prior, options, rows };
}
