// Supervised meta-training of an in-context regressor (von Oswald et al. 2022, section 3): every
// step draws a fresh batch of sequences, and Adam minimises the mean squared error of the query
// predictions. Nothing is carried from one sequence to the next but the weights.
import type { Rng } from '../core/rng.ts';
import { Adam } from '../nn/adam.ts';
import { clipGradNorm } from '../nn/clip.ts';
import { Tape, noGrad } from '../nn/tape.ts';
import { Tensor } from '../nn/tensor.ts';
import { mean, square, sub } from '../nn/ops/index.ts';
import type { IclTrainingSpec } from '../experiments/spec.ts';
import type { IclRegressionFamily, SequenceBatch } from '../../tasks/icl-regression.ts';
import { tokensOf, type RegressionModel } from './models.ts';

/** One logged training step (namespaced like the meta-RL metrics). */
export interface IclStepMetrics {
  step: number;
  'train/loss': number;
  'train/gradNorm': number;
  'perf/sequencesPerSecond': number;
}

/**
 * Trains `model` for `training.steps` Adam steps; batch k is drawn from `rng.fork("step<k>")`, so
 * the sequences depend only on the stream and the step index. `onStep` sees every step; returning
 * true from `shouldStop` ends training early (after a whole step).
 */
export function trainRegressionModel(
  model: RegressionModel,
  family: IclRegressionFamily,
  training: IclTrainingSpec,
  rng: Rng,
  onStep: (m: IclStepMetrics) => void = () => {},
  shouldStop: () => boolean = () => false,
): { steps: number; stopped: boolean } {
  const params = model.parameters();
  const adam = new Adam(params, {
    learningRate: training.learningRate,
    beta1: training.adamBeta1,
    beta2: training.adamBeta2,
    epsilon: training.adamEpsilon,
  });
  const n = family.options.examples;
  for (let k = 0; k < training.steps; k++) {
    if (shouldStop()) return { steps: k, stopped: true };
    const end = training.learningRateEnd ?? training.learningRate;
    adam.learningRate = training.learningRate + (end - training.learningRate) * (training.steps > 1 ? k / (training.steps - 1) : 0);
    const started = performance.now();
    const batch = family.sampleSequences(rng.fork(`step${k}`), training.batchSize);
    const tokens = tokensOf(batch);
    const targets = new Tensor(batch.sequences, 1, batch.targets);
    model.zeroGrad();
    const tape = new Tape();
    const loss = tape.record(() => mean(square(sub(model.predict(tokens, batch.sequences, n), targets))));
    tape.backward(loss);
    const gradNorm = clipGradNorm(params, training.gradClip);
    adam.step();
    const seconds = (performance.now() - started) / 1000;
    onStep({ step: k + 1, 'train/loss': loss.item(), 'train/gradNorm': gradNorm, 'perf/sequencesPerSecond': batch.sequences / Math.max(seconds, 1e-9) });
  }
  return { steps: training.steps, stopped: false };
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
  const { examples: n, dim: d } = batch;
  if (lo === 0 && hi === batch.sequences) return batch;
  return {
    sequences: hi - lo,
    examples: n,
    dim: d,
    xs: batch.xs.subarray(lo * n * d, hi * n * d),
    ys: batch.ys.subarray(lo * n, hi * n),
    queries: batch.queries.subarray(lo * d, hi * d),
    targets: batch.targets.subarray(lo, hi),
    cleanTargets: batch.cleanTargets.subarray(lo, hi),
    weights: batch.weights.subarray(lo * d, hi * d),
  };
}
