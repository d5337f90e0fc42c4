// In-context regression. Each sequence draws a function f, N context points labelled y_i = f(x_i)
// (+ optional Gaussian noise σ), and a query x_q whose label the model must predict from the
// context alone. Two function families (option `family`):
//   linear     (von Oswald et al. 2022, "Transformers learn in-context by gradient descent",
//              section 2; Garg et al. 2022): f(x) = w·x with w ~ N(0, I_d), x ~ U(−0.5, 0.5)^d;
//   quadratic  (Hochreiter, Younger & Conwell 2001, "Learning to learn using gradient descent"):
//              d = 2 and f(x1, x2) = a1 x1² + a2 x2² + a3 x1 x2 + a4 x1 + a5 x2 + a6. The functional
//              form is the paper's; the ranges could not be confirmed from its text here and are
//              chosen: a_k ~ U(−1, 1) and x ~ U(−1, 1)².
// Both are linear in features φ(x) — φ(x) = x for linear, φ(x) = (x1², x2², x1 x2, x1, x2, 1) for
// quadratic — with coefficients `weights` (see SequenceBatch), which is how the learning
// algorithms of src/icl/baselines.ts fit them.
//
// It is a supervised sequence task, not an RL episode. It still meets the task contract as a
// one-step task with a continuous action: the observation is the context and the query, flattened;
// the action is the prediction ŷ; the reward is −(ŷ − y_q)²; the expected regret is (ŷ − f(x_q))²,
// the excess over an oracle that knows f. Its action space is a box, so every RL agent (which
// needs discrete actions) refuses it, and `engram run` trains models on it through the
// `icl-regression` experiment kind (src/icl/), which draws whole batches with `sampleSequences`.
import { z } from 'zod';
import { UsageError } from '../src/core/errors.ts';
import { option, parseOptions } from '../src/core/options.ts';
import type { TaskEntry } from '../src/core/registry.ts';
import type { Rng } from '../src/core/rng.ts';
import {
  CHOICE_INFO_FIELDS,
  type GroundTruth,
  type StepResult,
  type TaskFamily,
  type TaskInstance,
} from '../src/core/types.ts';

/** The function families: `linear` (w·x) and `quadratic` (in two inputs, Hochreiter et al. 2001). */
export const ICL_FUNCTION_FAMILIES = ['linear', 'quadratic'] as const;
export type IclFunctionFamily = (typeof ICL_FUNCTION_FAMILIES)[number];

export const iclRegressionOptions = z.strictObject({
  family: option(
    z.enum(ICL_FUNCTION_FAMILIES).default('linear'),
    'Function family: linear f(x) = w·x, or quadratic in two inputs (Hochreiter et al. 2001; needs dim = 2)',
  ),
  dim: option(z.int().min(1).max(100).default(10), 'Input dimension d (von Oswald et al.: 10)'),
  examples: option(z.int().min(1).max(1000).default(10), 'Context examples per sequence, N (von Oswald et al.: 10)'),
  // On the context labels and the query label.
  noise: option(z.number().min(0).max(100).default(0), 'σ, the SD of Gaussian label noise (0: none)'),
});
export type IclRegressionOptions = z.output<typeof iclRegressionOptions>;

/** The number p of features φ(x) the family's functions are linear in: d for linear, 6 for quadratic. */
export function featureCount(family: IclFunctionFamily, dim: number): number {
  return family === 'quadratic' ? 6 : dim;
}

/**
 * φ(x) written into `out` (length featureCount): x itself for linear; for quadratic, in this order,
 * (x1², x2², x1 x2, x1, x2, 1), so that f(x) = Σ_k a_k φ_k(x) with the coefficients a1 … a6.
 */
export function featureMap(family: IclFunctionFamily, x: ArrayLike<number>, out: Float64Array): Float64Array {
  if (family === 'quadratic') {
    const [x1, x2] = [x[0], x[1]];
    out[0] = x1 * x1;
    out[1] = x2 * x2;
    out[2] = x1 * x2;
    out[3] = x1;
    out[4] = x2;
    out[5] = 1;
  } else {
    for (let k = 0; k < out.length; k++) out[k] = x[k];
  }
  return out;
}

/**
 * A batch of S sequences with N context examples each, as flat arrays:
 * xs[(s·N + i)·d + k] = x_i[k] of sequence s, ys[s·N + i] = y_i, queries[s·d + k] = x_q[k],
 * targets[s] = y_q (with noise), weights[s·p + k] = the k-th coefficient of f on the features φ
 * (p = `features`: for linear p = d and the weights are w; for quadratic p = 6 and they are
 * a1 … a6 in the order of `featureMap`), and cleanTargets[s] = f(x_q).
 */
export interface SequenceBatch {
  readonly sequences: number;
  readonly examples: number;
  /** The input dimension d (the width of x). */
  readonly dim: number;
  /** The function family the sequences are drawn from. */
  readonly family: IclFunctionFamily;
  /** p, the number of features φ(x) and of coefficients per sequence in `weights`. */
  readonly features: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly queries: Float64Array;
  readonly targets: Float64Array;
  readonly cleanTargets: Float64Array;
  readonly weights: Float64Array;
}

export interface IclRegressionFamily extends TaskFamily<IclRegressionOptions> {
  /** Draws `count` sequences with `examples` context points each (default: the option N). */
  sampleSequences(rng: Rng, count: number, examples?: number): SequenceBatch;
}

/**
 * Draws one sequence into the batch arrays at index s. The order of draws is fixed — w, then each
 * context point and its noise, then the query and its noise — so a stream gives the same sequence
 * to every model and baseline.
 */
function drawSequence(rng: Rng, batch: SequenceBatch, s: number, noise: number): void {
  if (batch.family === 'quadratic') {
    drawQuadratic(rng, batch, s, noise);
    return;
  }
  const { dim: d, examples: n } = batch;
  const w = batch.weights.subarray(s * d, (s + 1) * d);
  for (let k = 0; k < d; k++) w[k] = rng.normal();
  const label = (x: Float64Array) => {
    let y = 0;
    for (let k = 0; k < d; k++) y += w[k] * x[k];
    return y;
  };
  for (let i = 0; i < n; i++) {
    const x = batch.xs.subarray((s * n + i) * d, (s * n + i + 1) * d);
    for (let k = 0; k < d; k++) x[k] = rng.uniformRange(-0.5, 0.5);
    batch.ys[s * n + i] = label(x) + (noise > 0 ? rng.normal(0, noise) : 0);
  }
  const xq = batch.queries.subarray(s * d, (s + 1) * d);
  for (let k = 0; k < d; k++) xq[k] = rng.uniformRange(-0.5, 0.5);
  batch.cleanTargets[s] = label(xq);
  batch.targets[s] = batch.cleanTargets[s] + (noise > 0 ? rng.normal(0, noise) : 0);
}

/**
 * A quadratic sequence (d = 2), in the same order as the linear one: the coefficients a1 … a6,
 * then each context point (x1, x2) and its noise, then the query and its noise. Every coefficient
 * and input coordinate is U(−1, 1) (chosen, see the header).
 */
function drawQuadratic(rng: Rng, batch: SequenceBatch, s: number, noise: number): void {
  const { examples: n } = batch;
  const a = batch.weights.subarray(s * 6, (s + 1) * 6);
  for (let k = 0; k < 6; k++) a[k] = rng.uniformRange(-1, 1);
  const phi = new Float64Array(6);
  const label = (x: Float64Array) => {
    featureMap('quadratic', x, phi);
    let y = 0;
    for (let k = 0; k < 6; k++) y += a[k] * phi[k];
    return y;
  };
  for (let i = 0; i < n; i++) {
    const x = batch.xs.subarray((s * n + i) * 2, (s * n + i + 1) * 2);
    for (let k = 0; k < 2; k++) x[k] = rng.uniformRange(-1, 1);
    batch.ys[s * n + i] = label(x) + (noise > 0 ? rng.normal(0, noise) : 0);
  }
  const xq = batch.queries.subarray(s * 2, (s + 1) * 2);
  for (let k = 0; k < 2; k++) xq[k] = rng.uniformRange(-1, 1);
  batch.cleanTargets[s] = label(xq);
  batch.targets[s] = batch.cleanTargets[s] + (noise > 0 ? rng.normal(0, noise) : 0);
}

function emptyBatch(sequences: number, examples: number, dim: number, family: IclFunctionFamily): SequenceBatch {
  const features = featureCount(family, dim);
  return {
    sequences,
    examples,
    dim,
    family,
    features,
    xs: new Float64Array(sequences * examples * dim),
    ys: new Float64Array(sequences * examples),
    queries: new Float64Array(sequences * dim),
    targets: new Float64Array(sequences),
    cleanTargets: new Float64Array(sequences),
    weights: new Float64Array(sequences * features),
  };
}

class RegressionInstance implements TaskInstance {
  private readonly batch: SequenceBatch;
  private done = false;

  constructor(
    rng: Rng,
    private readonly options: IclRegressionOptions,
  ) {
    this.batch = emptyBatch(1, options.examples, options.dim, options.family);
    drawSequence(rng, this.batch, 0, options.noise);
  }

  /** The context (x_1, y_1, …, x_N, y_N) then the query x_q. */
  reset(): Float64Array {
    this.done = false;
    const { dim: d, examples: n } = this.options;
    const obs = new Float64Array(n * (d + 1) + d);
    for (let i = 0; i < n; i++) {
      obs.set(this.batch.xs.subarray(i * d, (i + 1) * d), i * (d + 1));
      obs[i * (d + 1) + d] = this.batch.ys[i];
    }
    obs.set(this.batch.queries, n * (d + 1));
    return obs;
  }

  /** `action` is the prediction ŷ of y_q. */
  step(action: number): StepResult {
    if (this.done) throw new Error('icl-regression: step() after the episode ended; call reset() first');
    if (!Number.isFinite(action))
      throw new Error(`icl-regression: the action is a prediction and must be finite, got ${action}`);
    this.done = true;
    const excess = (action - this.batch.cleanTargets[0]) ** 2;
    const best = -(this.options.noise ** 2);
    const expectedReward = best - excess;
    return {
      observation: new Float64Array(this.options.examples * (this.options.dim + 1) + this.options.dim),
      reward: -((action - this.batch.targets[0]) ** 2),
      done: true,
      info: {
        trial: 0,
        newTrial: true,
        expectedReward,
        bestExpectedReward: best,
        expectedRegret: excess,
        correct: excess === 0,
        squaredError: (action - this.batch.targets[0]) ** 2,
      },
    };
  }

  groundTruth(): GroundTruth {
    return { weights: Array.from(this.batch.weights), target: this.batch.cleanTargets[0] };
  }
}

export function createIclRegression(raw?: Record<string, unknown>): IclRegressionFamily {
  const options = parseOptions('icl-regression', iclRegressionOptions, raw);
  if (options.family === 'quadratic' && options.dim !== 2)
    throw new UsageError(
      `icl-regression: option 'family' 'quadratic' is a function of two inputs and needs option 'dim' = 2, ` +
        `got ${options.dim}`,
    );
  const observationSize = options.examples * (options.dim + 1) + options.dim;
  return {
    id: 'icl-regression',
    options,
    metadata: {
      description:
        `in-context ${options.family} regression, d = ${options.dim}, N = ` +
        `${options.examples}, noise σ = ${options.noise}`,
      papers: [
        'von Oswald et al. 2022, Transformers learn in-context by gradient descent',
        'Garg et al. 2022, What can transformers learn in-context?',
        'Hochreiter, Younger & Conwell 2001, Learning to learn using gradient descent (the quadratic family)',
      ],
    },
    observationSpace: { kind: 'box', shape: [observationSize], low: -Infinity, high: Infinity },
    actionSpace: { kind: 'box', shape: [1], low: -Infinity, high: Infinity },
    observationSize,
    numActions: 0,
    episodeLength: 1,
    trialsPerEpisode: 1,
    infoFields: [...CHOICE_INFO_FIELDS, 'squaredError'],
    sample: (rng) => new RegressionInstance(rng, options),
    sampleSequences(rng: Rng, count: number, examples = options.examples): SequenceBatch {
      if (!Number.isInteger(count) || count < 1)
        throw new Error(`icl-regression: sequence count must be a positive integer, got ${count}`);
      if (!Number.isInteger(examples) || examples < 1)
        throw new Error(`icl-regression: examples must be a positive integer, got ${examples}`);
      const batch = emptyBatch(count, examples, options.dim, options.family);
      // Sequence s owns the stream fork(s): a batch's sequences do not depend on its size.
      for (let s = 0; s < count; s++) drawSequence(rng.fork(String(s)), batch, s, options.noise);
      return batch;
    },
  };
}

export const iclRegression: TaskEntry = {
  id: 'icl-regression',
  description:
    'in-context regression: predict y_q = f(x_q) from N examples (x_i, f(x_i)), f linear (von Oswald et al. ' +
    '2022) or quadratic in two inputs (Hochreiter et al. 2001); a one-step task with a real-valued action, ' +
    'trained by `engram run icl-lsa-gd`',
  options: iclRegressionOptions,
  create: createIclRegression,
};
