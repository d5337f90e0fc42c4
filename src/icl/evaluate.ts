// The held-out comparison of trained in-context regressors with the learning algorithms of
// src/icl/baselines.ts (one and K steps of gradient descent, ridge, least squares — each on the
// task's features φ(x), x itself for the linear family — the best constant, and ignoring the
// context): test losses at the task's N, how close the reference model's predictions and their
// gradient in the query are to one GD step's, the step size it learned, and the loss against the
// number of in-context examples.

import type { IclRegressionFamily, SequenceBatch } from '../../tasks/icl-regression.ts';
import { Rng } from '../core/rng.ts';
import {
  gradientDescentWeights,
  leastSquaresWeights,
  lineSearchRidge,
  lineSearchStep,
  meanPredictions,
  meanSquaredError,
  optimalOneStep,
  predictionsOf,
  queryGradientsOf,
  ridgeWeights,
} from './baselines.ts';
import { effectiveStep, LsaModel, type RegressionModel } from './models.ts';
import { modelPredictions, queryGradients } from './train.ts';

/** The headline comparison of the reference model with one step of gradient descent, and the curve. */
export interface IclEvaluation {
  task: string;
  taskOptions: Record<string, unknown>;
  /** Held-out sequences of the headline numbers. */
  sequences: number;
  /** The model compared with one GD step. */
  reference: string;
  /** Reference model's test loss / one-step GD's test loss (mean squared error of ŷ_q). */
  lossRatio: number;
  /** Mean over sequences of the cosine between ∂ŷ/∂x_q of the model and of one GD step. */
  cosine: number;
  /** Mean |ŷ_model − ŷ_GD|. */
  predsDiff: number;
  /** The GD step size η read off the reference model's weights (one-layer LSA only, else null). */
  learnedStep: number | null;
  /** How far the reference model's step matrix is from η·I (relative Frobenius norm; null if not an LSA). */
  learnedStepOffScalar: number | null;
  /** The line-searched one-step η (L(w) = (1/2N) Σ (w·x_i − y_i)², w₁ = −η∇L(0)). */
  optimalStep: number;
  /** |learnedStep − optimalStep| / optimalStep. */
  stepRelativeError: number | null;
  /**
   * Test losses at the task's N: every model, and `gd-1`, `gd-<K>`, `ridge`, `least-squares` (all on the features
   * φ(x)), `mean` (the best constant, the mean of the context labels) and `zero` (ŷ = 0).
   */
  losses: Record<string, number>;
  /** Line-searched hyper-parameters of the baselines at the task's N. */
  baselines: { gdOneStep: number; gdSteps: number; gdKStep: number; ridgeLambda: number };
  /**
   * Test loss against the number of in-context examples, one point per series and N′ (`gd-1-fixed`: one GD step with
   * the η of the task's N).
   */
  curve: { examples: number; series: string; loss: number }[];
}

/** Test losses of every model and baseline on one held-out batch, with baselines tuned on `tuning`. */
function lossesOn(
  models: ReadonlyMap<string, RegressionModel>,
  test: SequenceBatch,
  tuning: SequenceBatch,
  gdSteps: number,
  fixedStep?: number,
) {
  const gdOneStep = optimalOneStep(tuning);
  const gdKStep = lineSearchStep(tuning, gdSteps);
  const ridgeLambda = lineSearchRidge(tuning);
  const losses: Record<string, number> = {};
  for (const [id, model] of models) losses[id] = meanSquaredError(test, modelPredictions(model, test));
  const gdPredictions = predictionsOf(test, gradientDescentWeights(test, gdOneStep, 1));
  losses['gd-1'] = meanSquaredError(test, gdPredictions);
  // The trained models keep the step they learned at the training N; this is GD doing the same.
  if (fixedStep !== undefined)
    losses['gd-1-fixed'] = meanSquaredError(test, predictionsOf(test, gradientDescentWeights(test, fixedStep, 1)));
  losses[`gd-${gdSteps}`] = meanSquaredError(test, predictionsOf(test, gradientDescentWeights(test, gdKStep, gdSteps)));
  losses.ridge = meanSquaredError(test, predictionsOf(test, ridgeWeights(test, ridgeLambda)));
  losses['least-squares'] = meanSquaredError(test, predictionsOf(test, leastSquaresWeights(test)));
  losses.mean = meanSquaredError(test, meanPredictions(test));
  // The loss of ignoring the context (ŷ = 0): E[y_q²] = d/12 without noise.
  losses.zero = meanSquaredError(test, new Float64Array(test.sequences));
  return { losses, gdOneStep, gdKStep, ridgeLambda, gdPredictions };
}

/** Where the held-out comparison draws its sequences, and how many. */
export interface IclEvaluationOptions {
  seed: number;
  /** Held-out sequences for the headline comparison (at the task's N). */
  sequences: number;
  /** Training-stream sequences on which baseline step sizes and ridge's λ are line-searched. */
  lineSearchSequences: number;
  /** K of the K-step gradient-descent baseline. */
  gdSteps: number;
  /** The model compared with one GD step. */
  reference: string;
  /** Context sizes N′ of the loss-versus-examples curve, and held-out sequences per point. */
  curveExamples: readonly number[];
  curveSequences: number;
}

/**
 * The trained models against the learning algorithms on held-out sequences, as von Oswald et al.
 * (2022) compare a trained linear self-attention layer with one step of gradient descent.
 */
export function evaluateRegressionModels(
  family: IclRegressionFamily,
  models: ReadonlyMap<string, RegressionModel>,
  ev: IclEvaluationOptions,
): IclEvaluation {
  const root = Rng.fromSeed(ev.seed);
  // Tuning sequences come from a training-side stream; test sequences from a held-out one.
  const tuning = family.sampleSequences(root.fork('icl/line-search'), ev.lineSearchSequences);
  const test = family.sampleSequences(root.fork('icl/eval'), ev.sequences);
  const { losses, gdOneStep, gdKStep, ridgeLambda, gdPredictions } = lossesOn(models, test, tuning, ev.gdSteps);

  const referenceId = ev.reference;
  const reference = models.get(referenceId);
  if (reference === undefined) throw new Error(`evaluateRegressionModels: no model '${referenceId}'`);
  const predictions = modelPredictions(reference, test);
  let predsDiff = 0;
  for (let s = 0; s < test.sequences; s++) predsDiff += Math.abs(predictions[s] - gdPredictions[s]);
  predsDiff /= test.sequences;
  // One GD step's ∂ŷ/∂x_q: for the linear family its weight vector w₁ = (η/N) Σ_i y_i x_i.
  const gdGradients = queryGradientsOf(test, gradientDescentWeights(test, gdOneStep, 1));
  const modelGradients = queryGradients(reference, test);
  const d = family.options.dim;
  let cosine = 0;
  for (let s = 0; s < test.sequences; s++) {
    let dot = 0;
    let a2 = 0;
    let b2 = 0;
    for (let k = 0; k < d; k++) {
      const a = modelGradients[s * d + k];
      const b = gdGradients[s * d + k];
      dot += a * b;
      a2 += a * a;
      b2 += b * b;
    }
    cosine += a2 > 0 && b2 > 0 ? dot / Math.sqrt(a2 * b2) : 0;
  }
  cosine /= test.sequences;
  const step = reference instanceof LsaModel && reference.layers.length === 1 ? effectiveStep(reference) : null;

  const curve: IclEvaluation['curve'] = [];
  for (const examples of ev.curveExamples) {
    const at = lossesOn(
      models,
      family.sampleSequences(root.fork(`icl/curve/${examples}`), ev.curveSequences, examples),
      family.sampleSequences(root.fork(`icl/curve-line-search/${examples}`), ev.curveSequences, examples),
      ev.gdSteps,
      gdOneStep,
    ).losses;
    for (const [series, loss] of Object.entries(at)) curve.push({ examples, series, loss });
  }
  return {
    task: family.id,
    taskOptions: family.options,
    sequences: ev.sequences,
    reference: referenceId,
    lossRatio: losses[referenceId] / losses['gd-1'],
    cosine,
    predsDiff,
    learnedStep: step?.step ?? null,
    learnedStepOffScalar: step?.offScalar ?? null,
    optimalStep: gdOneStep,
    stepRelativeError: step === null ? null : Math.abs(step.step - gdOneStep) / Math.abs(gdOneStep),
    losses,
    baselines: { gdOneStep, gdSteps: ev.gdSteps, gdKStep, ridgeLambda },
    curve,
  };
}
