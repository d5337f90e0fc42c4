// Supervised meta-training of an in-context regressor (von Oswald et al. 2022, section 3): every
// step draws a fresh batch of sequences, and Adam minimises the mean squared error of the query
// predictions. Nothing is carried from one sequence to the next but the weights.
import { z } from 'zod';
import type { IclRegressionFamily, SequenceBatch } from '../../tasks/icl-regression.ts';
import { UsageError } from '../core/errors.ts';
import type { Rng } from '../core/rng.ts';
import { mean, square, sub } from '../nn/ops/index.ts';
import { noGrad, Tape } from '../nn/tape.ts';
import { Tensor } from '../nn/tensor.ts';
import { AdamTrainer, type SupervisedStepMetrics, type SupervisedTrainerState } from './adam-trainer.ts';
import { type RegressionModel, tokensOf } from './models.ts';

/** Supervised training of in-context regression models: Adam on fresh sequences. */
export const IclTrainingSchema = z.strictObject({
  /** Number of Adam steps; each draws a fresh batch of sequences. */
  steps: z.number().int().min(0).max(10_000_000),
  /** Sequences per step. */
  batchSize: z.number().int().min(1).max(65_536).default(256),
  /**
   * When given, each step's sequences have N′ context examples, N′ uniform on {examplesFrom, …, N} (N the task's
   * `examples`, drawn once per step from that step's stream), instead of always N: a model learns at every context
   * size, and its error can be read at each. At most N.
   */
  examplesFrom: z.number().int().min(1).max(1000).optional(),
  /** Adam step size at the first step. */
  learningRate: z.number().gt(0).max(1).default(1e-3),
  /** Adam step size at the last step, reached linearly (default: constant at `learningRate`). */
  learningRateEnd: z.number().gt(0).max(1).optional(),
  adamBeta1: z.number().min(0).lt(1).default(0.9),
  adamBeta2: z.number().min(0).lt(1).default(0.999),
  adamEpsilon: z.number().gt(0).max(1).default(1e-8),
  /** Global gradient-norm clip. */
  gradClip: z.number().gt(0).default(10),
  /** Log metrics every this many steps. */
  logEvery: z.number().int().min(1).default(100),
  /** Write a checkpoint every this many steps (and at the end). */
  checkpointEvery: z.number().int().min(1).default(1000),
});
export type IclTrainingSpec = z.infer<typeof IclTrainingSchema>;

/** One training step's metrics. */
export type IclStepMetrics = SupervisedStepMetrics;

/** What a checkpoint stores of the trainer: with the stream, it determines every later step. */
export type RegressionTrainerState = SupervisedTrainerState;

/**
 * The UsageError of training settings the task cannot meet (`examplesFrom` above the task's N), or null;
 * `owner` names the model in the message.
 */
export function trainingProblem(args: IclTrainingSpec, family: IclRegressionFamily, owner: string): UsageError | null {
  const n = family.options.examples;
  if (args.examplesFrom !== undefined && args.examplesFrom > n)
    return new UsageError(
      `${owner}: training option 'examplesFrom' (${args.examplesFrom}) must be at most the task's examples N (${n})`,
    );
  return null;
}

/**
 * Trains a regression model by Adam, one step at a time; batch k is drawn from
 * `rng.fork("step<k>")` (its context size N′ too, under `examplesFrom`), so the sequences depend
 * only on the stream and the step index and a restored trainer continues exactly.
 */
export class RegressionTrainer extends AdamTrainer {
  constructor(
    readonly model: RegressionModel,
    readonly family: IclRegressionFamily,
    readonly args: IclTrainingSpec,
    private readonly rng: Rng,
  ) {
    const problem = trainingProblem(args, family, `icl training of '${model.model}'`);
    if (problem !== null) throw problem;
    super(model, args);
  }

  /** The step size of step k: linear from `learningRate` to `learningRateEnd` over the run. */
  learningRate(k: number): number {
    const { learningRate: start, learningRateEnd, steps } = this.args;
    const end = learningRateEnd ?? start;
    return start + (end - start) * (steps > 1 ? k / (steps - 1) : 0);
  }

  /**
   * The context size N′ of step k's sequences: the task's N, or under `examplesFrom` a draw uniform on
   * {examplesFrom, …, N} from the step's stream (its own fork, so the sequences are those of any N′).
   */
  examplesAt(k: number): number {
    const n = this.family.options.examples;
    const from = this.args.examplesFrom;
    return from === undefined ? n : this.rng.fork(`step${k}`).fork('examples').intRange(from, n);
  }

  protected batchLoss(k: number, tape: Tape): { loss: Tensor; sequences: number } {
    const batch = this.family.sampleSequences(this.rng.fork(`step${k}`), this.args.batchSize, this.examplesAt(k));
    const tokens = tokensOf(batch);
    const targets = new Tensor(batch.sequences, 1, batch.targets);
    const loss = tape.record(() =>
      mean(square(sub(this.model.predict(tokens, batch.sequences, batch.examples), targets))),
    );
    return { loss, sequences: batch.sequences };
  }
}

/** Trains `model` for `training.steps` steps (RegressionTrainer); `onStep` sees every step. */
export function trainRegressionModel(
  model: RegressionModel,
  family: IclRegressionFamily,
  training: IclTrainingSpec,
  rng: Rng,
  onStep: (m: IclStepMetrics) => void = () => {},
): void {
  const trainer = new RegressionTrainer(model, family, training, rng);
  while (trainer.update < training.steps) onStep(trainer.step());
}

/** The model's predictions on a batch (inference mode), in chunks to bound memory. */
export function modelPredictions(model: RegressionModel, batch: SequenceBatch, chunk = 1000): Float64Array {
  const out = new Float64Array(batch.sequences);
  for (let lo = 0; lo < batch.sequences; lo += chunk) {
    const part = sliceBatch(batch, lo, Math.min(batch.sequences, lo + chunk));
    const y = noGrad(() => model.predict(tokensOf(part), part.sequences, part.examples));
    out.set(y.data, lo);
  }
  return out;
}

/**
 * ∂ŷ/∂x_q for every sequence (S×d, flat): the direction in query space along which the model's
 * prediction grows — for a linear predictor w·x_q, the weight vector w it applies.
 */
export function queryGradients(model: RegressionModel, batch: SequenceBatch, chunk = 1000): Float64Array {
  const d = batch.dim;
  const out = new Float64Array(batch.sequences * d);
  for (let lo = 0; lo < batch.sequences; lo += chunk) {
    const part = sliceBatch(batch, lo, Math.min(batch.sequences, lo + chunk));
    const tokens = tokensOf(part);
    tokens.requiresGrad = true;
    const tape = new Tape();
    const y = tape.record(() => model.predict(tokens, part.sequences, part.examples));
    // Each prediction depends on its own sequence only, so one backward pass from Σ ŷ gives them all.
    tape.backwardFrom([[y, new Float64Array(part.sequences).fill(1)]]);
    const g = tokens.grad!;
    const S = part.sequences;
    for (let s = 0; s < S; s++) {
      const row = (part.examples * S + s) * (d + 1);
      out.set(g.subarray(row, row + d), (lo + s) * d);
    }
  }
  return out;
}

/** Sequences lo … hi−1 of a batch. */
export function sliceBatch(batch: SequenceBatch, lo: number, hi: number): SequenceBatch {
  const { examples: n, dim: d, features: p } = batch;
  if (lo === 0 && hi === batch.sequences) return batch;
  return {
    ...batch,
    sequences: hi - lo,
    xs: batch.xs.subarray(lo * n * d, hi * n * d),
    ys: batch.ys.subarray(lo * n, hi * n),
    queries: batch.queries.subarray(lo * d, hi * d),
    targets: batch.targets.subarray(lo, hi),
    cleanTargets: batch.cleanTargets.subarray(lo, hi),
    weights: batch.weights.subarray(lo * p, hi * p),
  };
}
