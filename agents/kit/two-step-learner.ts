// The reinforcement learners of Daw et al. (2011, "Model-based influences on humans' choices and
// striatal prediction errors", Methods) for two-step tasks (TaskTraits.twoStep), in one class whose
// weight w mixes them: w = 0 is the model-free SARSA(λ) learner, w = 1 the model-based one.
//   second stage: P(a₂ | s₂) ∝ exp(β₂ Q₂(s₂, a₂))
//   first stage:  P(a₁) ∝ exp(β₁ [w Q_MB(a₁) + (1 − w) Q_MF(a₁) + p · rep(a₁)]),
//                 Q_MB(a) = Σ_s P(s | a) max_a' Q₂(s, a'),   rep(a) = 1 if a was the last first choice
//   after the trial: δ₁ = Q₂(s₂, a₂) − Q_MF(a₁),  δ₂ = r − Q₂(s₂, a₂)
//                    Q_MF(a₁) ← Q_MF(a₁) + α₁ (δ₁ + λ δ₂),   Q₂(s₂, a₂) ← Q₂(s₂, a₂) + α₂ δ₂
// All values start at 0 in every episode and nothing carries over: what the agent learns within an
// episode is in its value tables, its synapses. Without a second-stage choice (Wang et al.'s task)
// Q₂ has one value per state and the agent's second-stage action, ignored by the task, is uniform.
//
// Timing: the rollout samples actions from the returned probabilities, so the learner learns a₂ and
// r at the next first-stage step (prevAction, prevReward) and does both updates then; the first
// choice of that step depends only on values those updates already include, as in Daw's order.
import { z } from 'zod';
import { option } from '../../src/core/options.ts';
import type { Lesion } from '../../src/core/policy.ts';
import { unknownRecordable } from '../../src/core/recordable.ts';
import { traitsOf } from '../../src/core/traits.ts';
import type { Agent, AgentInput, AgentOutput, RecordableVariable, TaskFamily } from '../../src/core/types.ts';
import { softmaxRow } from '../../src/nn/kernels.ts';

/** The parameters of the hybrid learner (Daw et al. 2011's names). */
export interface TwoStepParameters {
  /** α₁, α₂: learning rates of the first- and second-stage values. */
  alpha1: number;
  alpha2: number;
  /** λ: how much of the second-stage prediction error reaches the first-stage value. */
  lambda: number;
  /** β₁, β₂: inverse temperatures of the two choices. */
  beta1: number;
  beta2: number;
  /** p: perseveration, the bonus of repeating the last first-stage choice. */
  perseveration: number;
  /** w: the weight of the model-based values (0 model-free, 1 model-based). */
  w: number;
}

/** The option fields both two-step learners take, with Daw et al.'s medians (Table 1) as defaults. */
export const TWO_STEP_OPTION_FIELDS = {
  alpha2: option(z.number().min(0).max(1).default(0.42), 'α₂, the learning rate of the second-stage values'),
  beta1: option(z.number().min(0).max(100).default(5.19), 'β₁, the inverse temperature of the first choice'),
  beta2: option(z.number().min(0).max(100).default(3.69), 'β₂, the inverse temperature of the second choice'),
  perseveration: option(z.number().min(-10).max(10).default(0.11), 'p, the bonus of repeating the last first choice'),
};

/** Why an agent of this kind cannot play a family, or null. */
export function twoStepOnly(family: TaskFamily): string | null {
  return traitsOf(family).twoStep
    ? null
    : `'${family.id}' is not a two-step task (it needs a first-stage choice and two second-stage states)`;
}

/** Which state an observation shows: 0 the first stage, 1 or 2 the second-stage states. */
function stateOf(observation: Float64Array, offset: number): number {
  for (let i = 0; i < 3; i++) if (observation[offset + i] > 0.5) return i;
  throw new Error('two-step learner: the observation is not the one-hot of a state');
}

export class TwoStepLearner implements Agent {
  readonly numActions = 2;
  private readonly commonProbability: number;
  private readonly secondStageChoice: boolean;
  private batchSize = 0;
  /** B × 2 model-free first-stage values. */
  private q1 = new Float64Array(0);
  /** B × 4 second-stage values, state × action (only action 0 without a second-stage choice). */
  private q2 = new Float64Array(0);
  /** Per batch element: this trial's first choice and second-stage state, and the last trial's first choice. */
  private firstChoice = new Int32Array(0);
  private secondState = new Int32Array(0);
  private lastChoice = new Int32Array(0);
  private lesion: Lesion = 'none';

  readonly kind = 'plastic' as const;

  constructor(
    readonly id: string,
    family: TaskFamily,
    readonly parameters: TwoStepParameters,
  ) {
    const twoStep = traitsOf(family).twoStep;
    if (twoStep === undefined) throw new Error(`${id}: ${twoStepOnly(family)}`);
    this.commonProbability = twoStep.commonProbability;
    this.secondStageChoice = twoStep.secondStageChoice;
  }

  /**
   * `freeze-plasticity` holds every value at 0 (nothing is learned); `reset-state` forgets the last
   * first-stage choice at the end of every trial (the perseveration's memory, its only activity).
   */
  setLesion(kind: Lesion): boolean {
    const applies = kind === 'freeze-plasticity' || (kind === 'reset-state' && this.parameters.perseveration !== 0);
    this.lesion = applies ? kind : 'none';
    return applies;
  }

  begin(batchSize: number): void {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`${this.id}: batch size must be a positive integer, got ${batchSize}`);
    this.batchSize = batchSize;
    this.q1 = new Float64Array(batchSize * 2);
    this.q2 = new Float64Array(batchSize * 4);
    this.firstChoice = new Int32Array(batchSize).fill(-1);
    this.secondState = new Int32Array(batchSize).fill(-1);
    this.lastChoice = new Int32Array(batchSize).fill(-1);
  }

  /** The best second-stage value of state s (0 or 1) of batch element b. */
  private bestValue(b: number, s: number): number {
    const q = this.q2;
    return this.secondStageChoice ? Math.max(q[b * 4 + 2 * s], q[b * 4 + 2 * s + 1]) : q[b * 4 + 2 * s];
  }

  act(input: AgentInput): AgentOutput {
    const B = this.batchSize;
    if (input.prevAction.length !== B)
      throw new Error(`${this.id}: act() with a batch of ${input.prevAction.length}, but begin() was called with ${B}`);
    const { alpha1, alpha2, lambda, beta1, beta2, perseveration, w } = this.parameters;
    const learn = this.lesion !== 'freeze-plasticity';
    const probs = new Float64Array(B * 2);
    for (let b = 0; b < B; b++) {
      const state = stateOf(input.observation, b * 3);
      const prev = input.prevAction[b];
      if (state === 0) {
        // A trial just ended (unless this is the first step): learn from a₂ and r, then choose a₁.
        if (prev >= 0 && this.firstChoice[b] >= 0) {
          const a1 = this.firstChoice[b];
          const k = b * 4 + 2 * this.secondState[b] + (this.secondStageChoice ? prev : 0);
          const delta1 = this.q2[k] - this.q1[b * 2 + a1];
          const delta2 = input.prevReward[b] - this.q2[k];
          if (learn) {
            this.q1[b * 2 + a1] += alpha1 * (delta1 + lambda * delta2);
            this.q2[k] += alpha2 * delta2;
          }
          this.lastChoice[b] = this.lesion === 'reset-state' ? -1 : a1;
        }
        const q = this.commonProbability;
        for (let a = 0; a < 2; a++) {
          const mb = q * this.bestValue(b, a) + (1 - q) * this.bestValue(b, 1 - a);
          const rep = this.lastChoice[b] === a ? perseveration : 0;
          probs[b * 2 + a] = beta1 * (w * mb + (1 - w) * this.q1[b * 2 + a] + rep);
        }
      } else {
        this.firstChoice[b] = prev;
        this.secondState[b] = state - 1;
        for (let a = 0; a < 2; a++)
          probs[b * 2 + a] = this.secondStageChoice ? beta2 * this.q2[b * 4 + 2 * (state - 1) + a] : 0;
      }
      softmaxRow(probs, b * 2, 2, probs, b * 2);
    }
    return { probs };
  }

  recordable(): readonly RecordableVariable[] {
    return [
      {
        name: 'q1',
        shape: [2],
        memory: 'synapses',
        description: 'the model-free first-stage values Q_MF(a₁) of the two actions (unit: that of the reward)',
      },
      {
        name: 'q2',
        shape: [2, 2],
        memory: 'synapses',
        description:
          'the second-stage values Q₂(s₂, a₂), row a state, column an action (only column 0 is used without a ' +
          'second-stage choice; unit: that of the reward)',
      },
    ];
  }

  readRecordable(name: string): Float64Array {
    if (name === 'q1') return Float64Array.from(this.q1);
    if (name === 'q2') return Float64Array.from(this.q2);
    throw unknownRecordable(this.id, name, this.recordable());
  }
}
