// `actor-critic`: the place-cell actor-critic of Foster, Morris & Dayan (2000, "A model of
// hippocampally dependent navigation, using the temporal difference learning rule", Hippocampus
// 10:1–16), a learner whose memory is entirely in its synapses. It reads the place-cell activity
// f_i(p) the task gives as observation (tasks/watermaze.ts), and
//   critic   C(p)  = Σ_i w_i f_i(p)                                  (value of the place)
//   actor    a_j(p) = Σ_i z_ji f_i(p),  P_j = exp(β a_j) / Σ_k exp(β a_k)   (β = 2 in the paper)
//   TD error δ_t = r_t + γ C(p_{t+1}) − C(p_t)                        (C = 0 once on the platform)
//   critic   Δw_i  = η_c δ_t f_i(p_t)
//   actor    Δz_ji = η_a δ_t f_i(p_t) g_j(t),  g_j(t) = 1 for the direction taken at t, else 0.
// The same δ drives both, at every step, during and across trials (no reset between trials or
// days). The weights start at zero for every animal: they are the agent's episode state (one
// animal = one episode of the task; `begin` makes new naive animals), never parameters, and the
// agent has none to train.
//
// Constants: β = 2 is the paper's. The discount and the two learning rates are ours (γ = 0.98
// per 0.1 s step, η_c = η_a = 0.1 — not checked against the paper's text, which we could not
// consult here; see docs/results/spatial.md for the latencies they give): each is an option.
//
// Trial boundaries: the rollout tells the agent what happened at the previous step through
// `prevInfo`. After a step that ended a trial on the platform (`trialEnd` and `foundGoal`), the
// next observation is the next trial's start, so the update uses C(p_{t+1}) = 0 (terminal). After
// a timeout (`timedOut`), the value of where the rat stopped is unknown: the step is not learned
// from (a truncated trial is not a terminal one); nor is the step that put a timed-out rat on the
// platform (`guided`, the water maze's `guide` option).
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { Lesion } from '../src/core/policy.ts';
import { unknownRecordable } from '../src/core/recordable.ts';
import { traitsOf } from '../src/core/traits.ts';
import type { Agent, AgentInput, AgentOutput, RecordableVariable, TaskFamily } from '../src/core/types.ts';
import { softmaxRow } from '../src/nn/kernels.ts';
import type { AgentEntry } from './kit/entry.ts';

export const actorCriticOptions = z.strictObject({
  discount: option(z.number().min(0).max(1).default(0.98), 'γ, the discount per time step'),
  criticLearningRate: option(z.number().min(0).max(100).default(0.1), "η_c, the critic's learning rate"),
  actorLearningRate: option(z.number().min(0).max(100).default(0.1), "η_a, the actor's learning rate"),
  // Foster et al. 2000: 2.
  inverseTemperature: option(z.number().gt(0).max(1000).default(2), 'β, inverse temperature of the softmax'),
});
export type ActorCriticOptions = z.output<typeof actorCriticOptions>;

/** One TD step of the Foster et al. rule for one animal, on flat arrays (exported for tests). */
export function tdUpdate(
  critic: Float64Array,
  actor: Float64Array,
  offsetCritic: number,
  offsetActor: number,
  cells: number,
  previousFeatures: Float64Array,
  previousOffset: number,
  action: number,
  reward: number,
  nextValue: number,
  options: ActorCriticOptions,
): number {
  let value = 0;
  for (let i = 0; i < cells; i++) value += critic[offsetCritic + i] * previousFeatures[previousOffset + i];
  const delta = reward + options.discount * nextValue - value;
  const dc = options.criticLearningRate * delta;
  const da = options.actorLearningRate * delta;
  const row = offsetActor + action * cells;
  for (let i = 0; i < cells; i++) {
    const f = previousFeatures[previousOffset + i];
    critic[offsetCritic + i] += dc * f;
    actor[row + i] += da * f;
  }
  return delta;
}

export class ActorCriticAgent implements Agent {
  readonly id = 'actor-critic';
  readonly kind = 'plastic' as const;
  private batchSize = 0;
  /** B × N critic weights w. */
  critic = new Float64Array(0);
  /** B × A × N actor weights z. */
  actor = new Float64Array(0);
  /** B × N place-cell activity at the previous step. */
  private previous = new Float64Array(0);
  /** B TD errors δ of the update each animal made at the latest step (0 when it made none). */
  private latestTdError = new Float64Array(0);
  private frozen = false;
  /** TD errors of the last batch, summed and counted (for inspection). */
  tdErrorSum = 0;
  tdErrorCount = 0;

  constructor(
    readonly numActions: number,
    readonly cells: number,
    readonly options: ActorCriticOptions,
  ) {}

  begin(batchSize: number): void {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`begin: batch size must be a positive integer, got ${batchSize}`);
    this.batchSize = batchSize;
    // New, naive animals: all weights zero (a uniform policy and a flat value map).
    this.critic = new Float64Array(batchSize * this.cells);
    this.actor = new Float64Array(batchSize * this.numActions * this.cells);
    this.previous = new Float64Array(batchSize * this.cells);
    this.latestTdError = new Float64Array(batchSize);
    this.tdErrorSum = 0;
    this.tdErrorCount = 0;
  }

  /** The critic's value C(p) for the features at `offset` of `features`, for animal b. */
  value(b: number, features: ArrayLike<number>, offset: number): number {
    const N = this.cells;
    let v = 0;
    for (let i = 0; i < N; i++) v += this.critic[b * N + i] * features[offset + i];
    return v;
  }

  act(input: AgentInput): AgentOutput {
    const B = this.batchSize;
    const N = this.cells;
    const A = this.numActions;
    if (input.prevAction.length !== B)
      throw new Error(`act: batch of ${input.prevAction.length}, but begin() was called with ${B}`);
    const obs = input.observation;
    const probs = new Float64Array(B * A);
    const values = new Float64Array(B);
    const beta = this.options.inverseTemperature;
    this.latestTdError.fill(0);
    for (let b = 0; b < B; b++) {
      const a = input.prevAction[b];
      const info = input.prevInfo[b];
      // A rat put on the platform after a timeout (`guided`) was carried there: not a move to learn from.
      if (a >= 0 && !this.frozen && info?.timedOut !== true && info?.guided !== true) {
        const terminal = info?.trialEnd === true;
        const next = terminal ? 0 : this.value(b, obs, b * N);
        const delta = tdUpdate(
          this.critic,
          this.actor,
          b * N,
          b * A * N,
          N,
          this.previous,
          b * N,
          a,
          input.prevReward[b],
          next,
          this.options,
        );
        this.latestTdError[b] = delta;
        this.tdErrorSum += delta;
        this.tdErrorCount++;
      }
      // Preferences a_j = Σ_i z_ji f_i(p), then the softmax with inverse temperature β.
      for (let j = 0; j < A; j++) {
        let s = 0;
        const row = b * A * N + j * N;
        for (let i = 0; i < N; i++) s += this.actor[row + i] * obs[b * N + i];
        probs[b * A + j] = beta * s;
      }
      softmaxRow(probs, b * A, A, probs, b * A);
      values[b] = this.value(b, obs, b * N);
      for (let i = 0; i < N; i++) this.previous[b * N + i] = obs[b * N + i];
    }
    return { probs, value: values };
  }

  /** Its synapses, the critic's and the actor's weights, after this step's update; and the TD error that drove it. */
  recordable(): readonly RecordableVariable[] {
    return [
      {
        name: 'critic',
        shape: [this.cells],
        memory: 'synapses',
        description: "the critic's weights w_i from place cell i, whose sum Σ w_i f_i(p) is the value C(p) (unitless)",
      },
      {
        name: 'actor',
        shape: [this.numActions, this.cells],
        memory: 'synapses',
        description: "the actor's weights z_ji from place cell i to direction j, whose sums are the preferences a_j",
      },
      {
        name: 'td-error',
        shape: [1],
        memory: 'readout',
        description:
          'the TD error δ of the previous move, which updated the weights at this step (0 when nothing was ' +
          'learned: at the first step, after a timeout, or frozen), in units of reward',
      },
    ];
  }

  readRecordable(name: string): Float64Array {
    if (name === 'critic') return Float64Array.from(this.critic);
    if (name === 'actor') return Float64Array.from(this.actor);
    if (name === 'td-error') return Float64Array.from(this.latestTdError);
    throw unknownRecordable(this.id, name, this.recordable());
  }

  /** `freeze-plasticity` holds the weights at zero (no learning at all); there is no activity to reset. */
  setLesion(kind: Lesion): boolean {
    this.frozen = kind === 'freeze-plasticity';
    return kind === 'freeze-plasticity';
  }
}

function cannotPlay(family: TaskFamily): string | null {
  if (family.actionSpace.kind !== 'discrete') return 'it needs a discrete action space (one actor unit per direction)';
  if (!traitsOf(family).placeCellObservation)
    return `it reads place-cell activity, and '${family.id}' does not give place cells as its observation`;
  return null;
}

export const actorCritic: AgentEntry = {
  id: 'actor-critic',
  kind: 'plastic',
  description: 'place-cell actor-critic learning by TD error in its synapses (Foster, Morris & Dayan 2000)',
  options: actorCriticOptions,
  papers: [
    'Foster, Morris & Dayan 2000, A model of hippocampally dependent navigation, ' +
      'using the temporal difference learning rule',
  ],
  cannotPlay,
  create(family, options) {
    const resolved = parseOptions('actor-critic', actorCriticOptions, options);
    return new ActorCriticAgent(family.numActions, family.observationSize, resolved);
  },
};
