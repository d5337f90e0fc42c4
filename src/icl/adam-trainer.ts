// The step every supervised trainer of in-context learners takes (src/icl/train.ts for regression,
// src/icl/sequence-train.ts for next-token and label prediction): set step k's learning rate, record
// the batch's loss on a tape, back-propagate, clip the global gradient norm, take an Adam step. The
// subclass says how step k's batch is drawn and scored, and how the learning rate is scheduled; the
// batch comes from the step index alone, so `state`/`restore` resume exactly.
import { Adam, type AdamState } from '../nn/adam.ts';
import { clipGradNorm } from '../nn/clip.ts';
import type { Module } from '../nn/module.ts';
import { Tape } from '../nn/tape.ts';
import type { Tensor } from '../nn/tensor.ts';

/** The settings the shared step reads. */
export interface AdamTrainingArgs {
  batchSize: number;
  learningRate: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  gradClip: number;
}

/** One training step's metrics (namespaced like the meta-RL metrics; `envSteps` counts the sequences seen). */
export type SupervisedStepMetrics = {
  update: number;
  envSteps: number;
  'train/loss': number;
  'train/gradNorm': number;
  'train/learningRate': number;
  'perf/sequencesPerSecond': number;
};

/** What a checkpoint stores of a trainer: with the stream, it determines every later step. */
export interface SupervisedTrainerState {
  update: number;
  optimizer: AdamState;
}

export abstract class AdamTrainer {
  update = 0;
  protected readonly adam: Adam;
  protected readonly params: Map<string, Tensor>;

  constructor(
    private readonly module: Module,
    private readonly settings: AdamTrainingArgs,
  ) {
    this.params = module.parameters();
    this.adam = new Adam(this.params, {
      learningRate: settings.learningRate,
      beta1: settings.adamBeta1,
      beta2: settings.adamBeta2,
      epsilon: settings.adamEpsilon,
    });
  }

  /** The step size of step k. */
  abstract learningRate(k: number): number;

  /** Draws step k's batch and records its loss (a scalar) within `tape`; returns it and the batch's sequences. */
  protected abstract batchLoss(k: number, tape: Tape): { loss: Tensor; sequences: number };

  step(): SupervisedStepMetrics {
    const k = this.update;
    this.adam.learningRate = this.learningRate(k);
    const started = performance.now();
    this.module.zeroGrad();
    const tape = new Tape();
    const { loss, sequences } = this.batchLoss(k, tape);
    tape.backward(loss);
    const gradNorm = clipGradNorm(this.params, this.settings.gradClip);
    this.adam.step();
    this.update++;
    const seconds = (performance.now() - started) / 1000;
    return {
      update: this.update,
      envSteps: this.update * this.settings.batchSize,
      'train/loss': loss.item(),
      'train/gradNorm': gradNorm,
      'train/learningRate': this.adam.learningRate,
      'perf/sequencesPerSecond': sequences / Math.max(seconds, 1e-9),
    };
  }

  state(): SupervisedTrainerState {
    return { update: this.update, optimizer: this.adam.state() };
  }

  restore(state: SupervisedTrainerState): void {
    this.update = state.update;
    this.adam.loadState(state.optimizer);
  }
}
