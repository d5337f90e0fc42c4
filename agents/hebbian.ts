// `hebbian`: an agent that learns only by changing its synapses, with a fixed reward-modulated
// three-factor rule and no meta-training (Frémaux & Gerstner 2016, "Neuromodulated spike-timing-
// dependent plasticity, and theory of three-factor learning rules", eqs. 2–4, in discrete time):
//   e_ij ← λ e_ij + post_i · pre_j,      λ = exp(−1/τ_e)             (eligibility trace)
//   w_ij ← w_ij + η (r − r̄) e_ij                                      (third factor: reward − baseline)
//   r̄ ← r̄ + ρ (r − r̄)                                                (running reward average)
// Presynaptic activity pre is the observation (the features of the task: the constant 1 of a
// bandit, the object features of Harlow, place-cell activity in a spatial task), postsynaptic
// activity post is the one-hot of the chosen action's unit, and actions are drawn from
// softmax(w · pre / temperature). The weights w and traces e are episode state (one A × O matrix
// each per batch element), zero at `begin`; nothing carries over between episodes, and the agent
// has no parameters. The defaults were chosen by a grid search on training instances of the
// uniform correlated bandit (scripts/hebbian-grid.ts, seed 0, 2000 episodes per configuration:
// η = 2, τ_e = 0.2, ρ = 0.3; docs/results/bandit-mechanisms.md). With one step per trial the trace
// needs to span a single step, hence the short τ_e; tasks with longer trials want a new search.
//
// Timing: the rollout samples the action from the probabilities `act` returns, so the agent
// learns which action it took, and what it earned, at the next call (prevAction, prevReward),
// and pairs it with the observation it saw when it chose.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { Lesion } from '../src/core/policy.ts';
import { unknownRecordable } from '../src/core/recordable.ts';
import type { Agent, AgentInput, AgentOutput, EpisodeRecord, RecordableVariable } from '../src/core/types.ts';
import { softmaxRow } from '../src/nn/kernels.ts';
import type { AgentEntry } from './kit/entry.ts';

export const hebbianOptions = z.strictObject({
  // Weight change per unit of reward prediction error.
  learningRate: option(z.number().gt(0).max(100).default(2), 'η, the learning rate of the three-factor rule'),
  // λ = exp(−1/τ_e) per step.
  eligibilityTime: option(z.number().gt(0).max(1000).default(0.2), 'τ_e, the eligibility time constant in steps'),
  // r̄ is the baseline subtracted from r.
  baselineRate: option(z.number().gt(0).max(1).default(0.3), 'ρ, the rate of the running reward average r̄'),
  // With weights starting at zero only η / temperature matters, so the grid search keeps it at 1
  // (the unit of w) and searches η.
  temperature: option(z.number().gt(0).max(100).default(1), 'The softmax temperature'),
});
export type HebbianOptions = z.output<typeof hebbianOptions>;

export class HebbianAgent implements Agent {
  readonly id = 'hebbian';
  readonly kind = 'plastic' as const;
  private batchSize = 0;
  /** B × A × O synaptic weights (episode state). */
  private weights = new Float64Array(0);
  /** B × A × O eligibility traces. */
  private eligibility = new Float64Array(0);
  /** B running reward averages r̄. */
  private baseline = new Float64Array(0);
  /** B × O presynaptic activity at the last choice. */
  private pre = new Float64Array(0);
  private readonly decay: number;
  private lesion: Lesion = 'none';
  // Plasticity measures over all batches played: Σ B·mean|w| per step, the batch sizes, and the
  // end-of-episode |w − w_0| of the batches already finished.
  private readonly weightSums: number[] = [];
  private readonly weightCounts: number[] = [];
  private step = 0;
  private finishedChange = 0;
  private finishedEpisodes = 0;
  private pendingBatch = false;

  constructor(
    readonly numActions: number,
    readonly observationSize: number,
    readonly options: HebbianOptions,
  ) {
    this.decay = Math.exp(-1 / options.eligibilityTime);
  }

  /**
   * Removes part of the agent's memory for `engram baseline --lesion`: `freeze-plasticity` holds
   * the weights at zero (the synapses no longer learn); `reset-state` clears the eligibility traces
   * and the reward average after every trial (its activity-like state), keeping the weights.
   */
  setLesion(kind: Lesion): boolean {
    // Its memories: the eligibility trace and reward average (reset-state), and the weights (freeze-plasticity).
    const applies = kind === 'reset-state' || kind === 'freeze-plasticity';
    this.lesion = applies ? kind : 'none';
    return applies;
  }

  begin(batchSize: number): void {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`hebbian: batch size must be a positive integer, got ${batchSize}`);
    this.foldBatch();
    const n = batchSize * this.numActions * this.observationSize;
    if (batchSize !== this.batchSize) {
      this.batchSize = batchSize;
      this.weights = new Float64Array(n);
      this.eligibility = new Float64Array(n);
      this.baseline = new Float64Array(batchSize);
      this.pre = new Float64Array(batchSize * this.observationSize);
    } else {
      this.weights.fill(0);
      this.eligibility.fill(0);
      this.baseline.fill(0);
      this.pre.fill(0);
    }
    this.step = 0;
    this.pendingBatch = true;
  }

  act(input: AgentInput): AgentOutput {
    const B = this.batchSize;
    if (input.prevAction.length !== B)
      throw new Error(`hebbian: act() with a batch of ${input.prevAction.length}, but begin() was called with ${B}`);
    const A = this.numActions;
    const O = this.observationSize;
    const AO = A * O;
    const { learningRate, baselineRate, temperature } = this.options;
    const frozen = this.lesion === 'freeze-plasticity';
    const probs = new Float64Array(B * A);
    for (let b = 0; b < B; b++) {
      const w = b * AO;
      const a = input.prevAction[b];
      if (a >= 0) {
        // Fold the last choice into the eligibility trace, then let the reward modulate it.
        for (let k = w; k < w + AO; k++) this.eligibility[k] *= this.decay;
        for (let j = 0; j < O; j++) this.eligibility[w + a * O + j] += this.pre[b * O + j];
        const r = input.prevReward[b];
        const delta = r - this.baseline[b];
        if (!frozen) for (let k = w; k < w + AO; k++) this.weights[k] += learningRate * delta * this.eligibility[k];
        this.baseline[b] += baselineRate * delta;
        if (this.lesion === 'reset-state' && input.prevInfo[b]?.trialEnd !== false) {
          for (let k = w; k < w + AO; k++) this.eligibility[k] = 0;
          this.baseline[b] = 0;
        }
      }
      // Policy: softmax over the actions' drives w_a · pre.
      const x = b * O;
      for (let act = 0; act < A; act++) {
        let drive = 0;
        for (let j = 0; j < O; j++) drive += this.weights[w + act * O + j] * input.observation[x + j];
        probs[b * A + act] = drive / temperature;
      }
      softmaxRow(probs, b * A, A, probs, b * A);
      for (let j = 0; j < O; j++) this.pre[x + j] = input.observation[x + j];
    }
    let abs = 0;
    for (let k = 0; k < this.weights.length; k++) abs += Math.abs(this.weights[k]);
    if (this.weightSums.length <= this.step) {
      this.weightSums.push(0);
      this.weightCounts.push(0);
    }
    this.weightSums[this.step] += abs / AO;
    this.weightCounts[this.step] += B;
    this.step++;
    return { probs };
  }

  /**
   * The weights w (its synapses), the eligibility traces e and the reward average r̄, as they were
   * when it chose: after folding in the previous outcome. e and r̄ count as activity, not synapses,
   * because the `reset-state` lesion wipes them at every trial (see setLesion).
   */
  recordable(): readonly RecordableVariable[] {
    const shape = [this.numActions, this.observationSize];
    return [
      {
        name: 'weights',
        shape,
        memory: 'synapses',
        description:
          'the synaptic weights w, entry (a, j) from observation feature j to the unit of action a, ' +
          'whose drives w · pre / temperature are the logits of the policy (unitless)',
      },
      {
        name: 'eligibility',
        shape,
        memory: 'activity',
        description:
          'the eligibility traces e, entry (a, j) the decaying sum of feature j at the choices of action a, ' +
          'which the reward prediction error turns into weight changes (unit: that of the features)',
      },
      {
        name: 'baseline',
        shape: [1],
        memory: 'activity',
        description: 'the running reward average r̄ subtracted from the reward (unit: that of the reward)',
      },
    ];
  }

  readRecordable(name: string): Float64Array {
    if (name === 'weights') return Float64Array.from(this.weights);
    if (name === 'eligibility') return Float64Array.from(this.eligibility);
    if (name === 'baseline') return Float64Array.from(this.baseline);
    throw unknownRecordable(this.id, name, this.recordable());
  }

  /** Within-episode synaptic change, as `plasticity` beside plastic-rnn's traces. */
  extraReport(_records: readonly EpisodeRecord[]): Record<string, unknown> {
    this.foldBatch();
    if (this.finishedEpisodes === 0) return {};
    const meanAbsWeight = this.weightSums.map((s, t) => s / this.weightCounts[t]);
    return {
      plasticity: {
        // w_0 = 0, so |w_T − w_0| = |w_T|.
        meanAbsWeightChange: this.finishedChange / this.finishedEpisodes,
        byStep: { meanAbsWeight },
      },
    };
  }

  private foldBatch(): void {
    if (!this.pendingBatch) return;
    const AO = this.numActions * this.observationSize;
    let abs = 0;
    for (let k = 0; k < this.weights.length; k++) abs += Math.abs(this.weights[k]);
    this.finishedChange += abs / AO;
    this.finishedEpisodes += this.batchSize;
    this.pendingBatch = false;
  }
}

export const hebbian: AgentEntry = {
  id: 'hebbian',
  kind: 'plastic',
  description:
    'reward-modulated three-factor Hebbian rule with an eligibility trace, not meta-trained (Frémaux & Gerstner 2016)',
  options: hebbianOptions,
  papers: [
    'Frémaux & Gerstner 2016, Neuromodulated spike-timing-dependent plasticity, ' +
      'and theory of three-factor learning rules',
  ],
  cannotPlay: (family) =>
    family.actionSpace.kind === 'discrete'
      ? null
      : 'it needs a discrete action space (one postsynaptic unit per action)',
  create(family, options) {
    return new HebbianAgent(
      family.numActions,
      family.observationSize,
      parseOptions('hebbian', hebbianOptions, options),
    );
  },
};
