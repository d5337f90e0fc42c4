// Training of sequence models by cross-entropy, without meta-learning: every step draws a fresh
// batch of sequences from a task and Adam minimises the next-token loss at every position
// (icl-induction), the query's label loss (icl-bursty) or the next observation's loss at every
// step of a walk (graph-walk). Whatever in-context learning appears
// emerges from the data (Chan et al. 2022; Olsson et al. 2022); nothing in the objective asks for it.
import { z } from 'zod';
import { type GraphWalkFamily, MOVES } from '../../tasks/graph-walk.ts';
import type { BurstySequenceKind, IclBurstyFamily } from '../../tasks/icl-bursty.ts';
import type { IclInductionFamily } from '../../tasks/icl-induction.ts';
import type { Rng } from '../core/rng.ts';
import { sliceRows } from '../nn/ops/structure.ts';
import { noGrad, type Tape } from '../nn/tape.ts';
import type { Tensor } from '../nn/tensor.ts';
import { AdamTrainer, type SupervisedStepMetrics, type SupervisedTrainerState } from './adam-trainer.ts';
import {
  burstyInputs,
  burstyTargets,
  crossEntropy,
  inductionInputs,
  inductionTargets,
  type SequenceModel,
  walkInputs,
  walkTargets,
} from './sequence-models.ts';

/** A batch as a model reads it: inputs at every position, and the targets of the positions the loss reads. */
export interface SequenceData {
  readonly sequences: number;
  /** Inputs (T·S × inputSize), time-major. */
  readonly inputs: Tensor;
  /**
   * `all`: targets[t·S + s] for every position (T·S values); `last`: targets[s] at the last
   * position only (S values).
   */
  readonly scored: 'all' | 'last';
  readonly targets: Int32Array;
}

/** Where a trainer draws its batches: a task's sampler with the models' input and output widths. */
export interface SequenceSource {
  readonly inputSize: number;
  readonly outputSize: number;
  sample(rng: Rng, count: number): SequenceData;
}

/** icl-induction as a source: one-hot tokens, the next token at every position. */
export function inductionSource(family: IclInductionFamily): SequenceSource {
  const V = family.options.vocabulary;
  return {
    inputSize: V,
    outputSize: V,
    sample(rng, count) {
      const batch = family.sampleSequences(rng, count);
      return { sequences: count, inputs: inductionInputs(batch), scored: 'all', targets: inductionTargets(batch) };
    },
  };
}

/** icl-bursty as a source (training sequences by default): interleaved exemplars and labels, the query's label. */
export function burstySource(family: IclBurstyFamily, kind: BurstySequenceKind = 'train'): SequenceSource {
  const { dim, labels } = family.options;
  return {
    inputSize: dim + labels,
    outputSize: labels,
    sample(rng, count) {
      const batch = family.sampleSequences(rng, count, kind);
      return { sequences: count, inputs: burstyInputs(batch), scored: 'last', targets: burstyTargets(batch) };
    },
  };
}

/** graph-walk as a source: one-hot observation and move, the next observation at every position. */
export function walkSource(family: GraphWalkFamily): SequenceSource {
  const A = family.options.alphabet;
  return {
    inputSize: A + MOVES.length,
    outputSize: A,
    sample(rng, count) {
      const batch = family.sampleWalks(rng, count);
      return { sequences: count, inputs: walkInputs(batch, MOVES.length), scored: 'all', targets: walkTargets(batch) };
    },
  };
}

/** The logits the loss of `data` reads: every position, or the last S rows. */
export function scoredLogits(logits: Tensor, data: SequenceData): Tensor {
  return data.scored === 'all' ? logits : sliceRows(logits, logits.rows - data.sequences, logits.rows);
}

/** Supervised training of sequence models: Adam on fresh batches. */
export const SequenceTrainingSchema = z.strictObject({
  /** Number of Adam steps; each draws a fresh batch. */
  steps: z.number().int().min(0).max(10_000_000),
  /** Sequences per step. */
  batchSize: z.number().int().min(1).max(65_536).default(32),
  /** Adam step size at the first step (after any warm-up). */
  learningRate: z.number().gt(0).max(1).default(1e-3),
  /** Adam step size at the last step, reached linearly (default: constant at `learningRate`). */
  learningRateEnd: z.number().gt(0).max(1).optional(),
  /** Steps of linear warm-up from 0 to `learningRate`. */
  warmupSteps: z.number().int().min(0).default(0),
  adamBeta1: z.number().min(0).lt(1).default(0.9),
  adamBeta2: z.number().min(0).lt(1).default(0.999),
  adamEpsilon: z.number().gt(0).max(1).default(1e-8),
  /** Global gradient-norm clip. */
  gradClip: z.number().gt(0).default(1),
  /** Log metrics every this many steps. */
  logEvery: z.number().int().min(1).default(100),
  /** Write a checkpoint every this many steps (and at the end). */
  checkpointEvery: z.number().int().min(1).default(1000),
});
export type SequenceTrainingSpec = z.infer<typeof SequenceTrainingSchema>;

/** One step's metrics (`envSteps` counts the sequences seen). */
export type SequenceStepMetrics = SupervisedStepMetrics;

/** What a checkpoint stores of the trainer: with the stream, it determines every later step. */
export type SequenceTrainerState = SupervisedTrainerState;

/**
 * Trains a sequence model by Adam on cross-entropy, one step at a time; batch k is drawn from
 * `rng.fork("step<k>")`, so the batches depend only on the stream and the step index and a
 * restored trainer continues exactly.
 */
export class SequenceTrainer extends AdamTrainer {
  constructor(
    readonly model: SequenceModel,
    readonly source: SequenceSource,
    readonly args: SequenceTrainingSpec,
    private readonly rng: Rng,
  ) {
    if (model.inputSize !== source.inputSize || model.outputSize !== source.outputSize)
      throw new Error(
        `sequence training of '${model.model}': the model reads ${model.inputSize} and writes ${model.outputSize} ` +
          `per position, the task has ${source.inputSize} and ${source.outputSize}`,
      );
    super(model, args);
  }

  /** The step size of step k: a linear warm-up, then linear from `learningRate` to `learningRateEnd`. */
  learningRate(k: number): number {
    const { learningRate: start, learningRateEnd, steps, warmupSteps } = this.args;
    if (k < warmupSteps) return (start * (k + 1)) / warmupSteps;
    const end = learningRateEnd ?? start;
    const span = steps - warmupSteps;
    return start + (end - start) * (span > 1 ? (k - warmupSteps) / (span - 1) : 0);
  }

  protected batchLoss(k: number, tape: Tape): { loss: Tensor; sequences: number } {
    const data = this.source.sample(this.rng.fork(`step${k}`), this.args.batchSize);
    const loss = tape.record(() =>
      crossEntropy(scoredLogits(this.model.logits(data.inputs, data.sequences), data), data.targets),
    );
    return { loss, sequences: data.sequences };
  }
}

/** Trains `model` for `training.steps` steps (SequenceTrainer); `onStep` sees every step. */
export function trainSequenceModel(
  model: SequenceModel,
  source: SequenceSource,
  training: SequenceTrainingSpec,
  rng: Rng,
  onStep: (m: SequenceStepMetrics) => void = () => {},
): void {
  const trainer = new SequenceTrainer(model, source, training, rng);
  while (trainer.update < training.steps) onStep(trainer.step());
}

/** A model's logits on a batch (inference mode), as a flat time-major array (T·S × outputSize). */
export function sequenceLogits(model: SequenceModel, data: SequenceData): Float64Array {
  return noGrad(() => model.logits(data.inputs, data.sequences)).data;
}
