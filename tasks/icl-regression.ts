// In-context linear regression (von Oswald et al. 2022, "Transformers learn in-context by gradient
// descent", section 2; Garg et al. 2022): each sequence draws a weight vector w ~ N(0, I_d), N
// context points x_i ~ U(−0.5, 0.5)^d labelled y_i = w·x_i (+ optional Gaussian noise), and a
// query x_q whose label the model must predict from the context alone.
//
// It is a supervised sequence task, not an RL episode. It still meets the task contract as a
// one-step task with a continuous action: the observation is the context and the query, flattened;
// the action is the prediction ŷ; the reward is −(ŷ − y_q)²; the expected regret is (ŷ − w·x_q)²,
// the excess over an oracle that knows w. Its action space is a box, so every RL agent (which
// needs discrete actions) refuses it, and `engram run` trains models on it through the
// `icl-regression` experiment kind (src/icl/), which draws whole batches with `sampleSequences`.
import { z } from 'zod';
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

export const iclRegressionOptions = z.strictObject({
  dim: option(z.int().min(1).max(100).default(10), 'Input dimension d (von Oswald et al.: 10)'),
  examples: option(z.int().min(1).max(1000).default(10), 'Context examples per sequence, N (von Oswald et al.: 10)'),
  // On the context labels and the query label.
  noise: option(z.number().min(0).max(100).default(0), 'σ, the SD of Gaussian label noise (0: none)'),
});
export type IclRegressionOptions = z.output<typeof iclRegressionOptions>;

/**
 * A batch of S sequences with N context examples each, as flat arrays:
 * xs[(s·N + i)·d + k] = x_i[k] of sequence s, ys[s·N + i] = y_i, queries[s·d + k] = x_q[k],
 * targets[s] = y_q (with noise), weights[s·d + k] = w[k], and cleanTargets[s] = w·x_q.
 */
export interface SequenceBatch {
  readonly sequences: number;
  readonly examples: number;
  readonly dim: number;
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

function emptyBatch(sequences: number, examples: number, dim: number): SequenceBatch {
  return {
    sequences,
    examples,
    dim,
    xs: new Float64Array(sequences * examples * dim),
    ys: new Float64Array(sequences * examples),
    queries: new Float64Array(sequences * dim),
    targets: new Float64Array(sequences),
    cleanTargets: new Float64Array(sequences),
    weights: new Float64Array(sequences * dim),
  };
}

class RegressionInstance implements TaskInstance {
  private readonly batch: SequenceBatch;
  private done = false;

  constructor(
    rng: Rng,
    private readonly options: IclRegressionOptions,
  ) {
    this.batch = emptyBatch(1, options.examples, options.dim);
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
  const observationSize = options.examples * (options.dim + 1) + options.dim;
  return {
    id: 'icl-regression',
    options,
    metadata: {
      description:
        `in-context linear regression, d = ${options.dim}, N = ` + `${options.examples}, noise σ = ${options.noise}`,
      papers: [
        'von Oswald et al. 2022, Transformers learn in-context by gradient descent',
        'Garg et al. 2022, What can transformers learn in-context?',
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
      const batch = emptyBatch(count, examples, options.dim);
      // Sequence s owns the stream fork(s): a batch's sequences do not depend on its size.
      for (let s = 0; s < count; s++) drawSequence(rng.fork(String(s)), batch, s, options.noise);
      return batch;
    },
  };
}

export const iclRegression: TaskEntry = {
  id: 'icl-regression',
  description:
    'in-context linear regression: predict y_q = w·x_q from N examples (x_i, w·x_i) (von Oswald et al. ' +
    '2022); a one-step task with a real-valued action, trained by `engram run icl-lsa-gd`',
  options: iclRegressionOptions,
  create: createIclRegression,
};
