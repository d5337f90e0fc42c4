// What the meta-training loop and frozen evaluation need from a learned network, whatever it is
// (LSTM, GRU, transformer, plastic RNN): a step function from the episode state and one input per
// batch element to policy logits and a value estimate. The episode state is whatever carries
// memory within the episode: recurrent activity, an attention cache, plastic traces. It is created
// fresh by `initialState` at every episode start — the one place where it is reset — and never
// belongs to the parameters. Lesions remove one kind of that memory at evaluation.
import type { RecordableVariable, TaskFamily } from './types.ts';

/**
 * What the contracts need of a tensor: a rows × cols block of float64 values, row-major. The
 * network engine's `Tensor` (src/nn/tensor.ts) is the implementation every network uses; the
 * contract names only this much of it so that it can sit below the engine.
 */
export interface TensorLike {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export interface StepOutput<S, T extends TensorLike = TensorLike> {
  state: S;
  /** batch × numActions. */
  logits: T;
  /** batch × 1. */
  value: T;
}

/**
 * Which part of within-episode memory a lesion removes (`engram eval --lesion`): `reset-state`
 * wipes the activity (recurrent state, attention cache, eligibility) at every trial boundary;
 * `freeze-plasticity` holds plastic weights at their start-of-episode values; `reset-adaptation`
 * returns a spiking network's adaptive thresholds to their baseline at every trial boundary;
 * `reset-goal` wipes a goal memory (agents/fmd-coordinate.ts) at every trial boundary.
 */
export type Lesion = 'none' | 'reset-state' | 'freeze-plasticity' | 'reset-adaptation' | 'reset-goal';
export const LESIONS: readonly Lesion[] = [
  'none',
  'reset-state',
  'freeze-plasticity',
  'reset-adaptation',
  'reset-goal',
];

/** An agent that is not a network but can be lesioned all the same (`engram baseline --lesion`, the hebbian agent). */
export interface LesionableAgent {
  /** Plays every later episode under the lesion; false if the agent has no memory of that kind. */
  setLesion(kind: Lesion): boolean;
}

export function isLesionable(agent: object): agent is LesionableAgent {
  return typeof (agent as Partial<LesionableAgent>).setLesion === 'function';
}

/** A learned network: what the A2C trainer meta-trains and frozen evaluation plays. */
export interface PolicyNetwork<S = unknown, T extends TensorLike = TensorLike> {
  /** The agent id this network belongs to (`lstm`, `gru`, …). */
  readonly agentId: string;
  /** `plastic` for a network whose synapses change within an episode (Hebbian traces); `learned` when absent. */
  readonly kind?: 'learned' | 'plastic';
  readonly inputSize: number;
  readonly numActions: number;
  /** The trainable parameters by name, in a fixed order. */
  parameters(): Map<string, T>;
  /** Fresh episode state for a batch. */
  initialState(batchSize: number): S;
  /** One step; records onto the active tape when one is active (training), nothing otherwise. */
  step(state: S, input: T): StepOutput<S, T>;
  /** The resolved options that rebuild this network (saved in checkpoints). */
  options(): Record<string, unknown>;
  /**
   * Applies a lesion before a step: returns the state to use (e.g. the initial state for
   * `reset-state` at a trial boundary). Networks without the lesioned memory return null.
   */
  lesion?(kind: Lesion, state: S, batchSize: number): S | null;
  /**
   * The lesion applied to the batch rows flagged in `rows` only (the episodes at a trial boundary),
   * for networks whose state is not made of batch rows that src/nn/state-rows.ts can merge (the
   * transformer's caches). Absent: the rows of `lesion`'s state are merged into the kept state.
   */
  lesionRows?(kind: Lesion, state: S, rows: readonly boolean[]): S | null;
  /**
   * A term the network adds to the training loss, from its states after every step of a rollout
   * (the spiking network's firing-rate regularizer): its value and the gradients it sends into
   * tensors of those states, each weighted by `weight` (the rollout's share of the batch).
   */
  regularizer?(states: readonly S[], weight: number): { loss: number; seeds: [T, Float64Array][] } | null;
  /** Measures of the network's activity after a step, averaged by evaluations (a spiking network's rate in Hz). */
  activityReport?(state: S): Record<string, number>;
  /** Within-episode plasticity measures for the evaluation record (plastic networks only). */
  plasticityReport?(state: S): Record<string, number>;
  /** The variables of the episode state that can be recorded after a step (Agent.recordable). */
  recordable?(): readonly RecordableVariable[];
  /** A recordable variable of `state` for every batch element: batch × size, row-major (Agent.readRecordable). */
  readRecordable?(state: S, name: string): Float64Array;
}

/** Whether a network has the memory a lesion removes (asked of a fresh state, so nothing is played). */
export function lesionApplies<S>(net: PolicyNetwork<S>, kind: Lesion): boolean {
  return kind !== 'none' && net.lesion?.(kind, net.initialState(1), 1) != null;
}

/** Size of the learned agents' input: observation, one-hot previous action, previous reward, t/T. */
export function policyInputSize(family: TaskFamily): number {
  return family.observationSize + family.numActions + 2;
}

/**
 * Writes the learned agents' input for one batch element into `out` at `offset`: the observation,
 * the one-hot previous action (all zero at the first step), the previous reward and the time
 * fraction t/T (Wang et al. 2018 feed the same, plus the time step).
 */
export function encodeInput(
  out: Float64Array,
  offset: number,
  observation: ArrayLike<number>,
  observationOffset: number,
  observationSize: number,
  numActions: number,
  prevAction: number,
  prevReward: number,
  timeFraction: number,
): void {
  for (let i = 0; i < observationSize; i++) out[offset + i] = observation[observationOffset + i];
  const a = offset + observationSize;
  for (let j = 0; j < numActions; j++) out[a + j] = 0;
  if (prevAction >= 0) out[a + prevAction] = 1;
  out[a + numActions] = prevReward;
  out[a + numActions + 1] = timeFraction;
}
