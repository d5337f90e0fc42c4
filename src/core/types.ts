// The contracts between tasks, agents and runs (see DESIGN.md). Tasks are gymnasium-like and
// trial-based like neurogym; agents act on a batch of task instances at once.
import type { Rng } from './rng.ts';

/** A space of observations or actions. */
export type Space = { kind: 'discrete'; n: number } | { kind: 'box'; shape: number[]; low: number; high: number };

/**
 * The `info` fields of a task whose every trial is a choice with a known expected reward (bandits,
 * Harlow's task): what the trial-based behavioral measures read.
 */
export const CHOICE_INFO_FIELDS = [
  'trial',
  'newTrial',
  'expectedReward',
  'bestExpectedReward',
  'expectedRegret',
  'correct',
] as const;

/**
 * What a task reports at every step, next to the reward. Fields a family does not model are
 * left out; each family lists the ones it fills in `infoFields`.
 */
export interface StepInfo {
  /** Index of the trial within the episode (0-based). */
  trial: number;
  /** True on the first step of a trial (neurogym's `new_trial`). */
  newTrial?: boolean;
  /** False while the trial goes on after this step; tasks whose every step is a trial may leave it out. */
  trialEnd?: boolean;
  /** Expected reward of the action just taken. */
  expectedReward?: number;
  /** Best expected reward available at this step. */
  bestExpectedReward?: number;
  /** bestExpectedReward − expectedReward (≥ 0). */
  expectedRegret?: number;
  /** The action with the best expected reward (the lowest index on ties). */
  optimalAction?: number;
  /** Whether the action was a best one. */
  correct?: boolean;
  /** Position of the agent (spatial tasks), in the task's units. */
  position?: number[];
  /** Where the current trial started (spatial tasks), in the same units; the same at every step of a trial. */
  start?: number[];
  /** Whether a goal was reached at this step (spatial tasks). */
  foundGoal?: boolean;
  [field: string]: unknown;
}

export interface StepResult {
  observation: Float64Array;
  reward: number;
  /** True when the episode is over; the instance must be reset before another step. */
  done: boolean;
  info: StepInfo;
}

/** Privileged facts about an instance, for the oracle and for analysis; never given to learning agents. */
export interface GroundTruth {
  /** Current expected reward of every action (bandits), if the task has one. */
  expectedRewards?: number[];
  [field: string]: unknown;
}

/** One sampled task: a bandit with its arm means, a Harlow object pair, a platform position. */
export interface TaskInstance {
  /** Start the episode; returns the first observation. */
  reset(): Float64Array;
  /** Take an action (an index into the action space). */
  step(action: number): StepResult;
  /** Privileged facts about the instance at the current step. */
  groundTruth(): GroundTruth;
}

/** Where a task family comes from. */
export interface TaskMetadata {
  /** Short description of what the task models. */
  description: string;
  /** The papers it follows. */
  papers: string[];
}

/**
 * A task family: created from validated options, it samples instances from the stream it is
 * handed. Training and evaluation instances come from disjoint streams.
 */
export interface TaskFamily<Options = Record<string, unknown>> {
  readonly id: string;
  /** The resolved options (defaults merged with overrides). */
  readonly options: Options;
  readonly metadata: TaskMetadata;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** Length of the observation vector. */
  readonly observationSize: number;
  /** Number of discrete actions. */
  readonly numActions: number;
  /** Steps per episode, or its upper bound when episodes can end early. */
  readonly episodeLength: number;
  /** Number of trials per episode (for trial-based measures), or its upper bound. */
  readonly trialsPerEpisode: number;
  /** The behavioral fields this family reports in `info`. */
  readonly infoFields: readonly string[];
  /** A new instance; all of its randomness (now and during the episode) comes from `rng`. */
  sample(rng: Rng): TaskInstance;
  /**
   * Task-specific behavioral measures of evaluation episodes (escape latency by trial and day,
   * steps between goal hits, …), merged into evaluation reports. Optional.
   */
  report?(records: readonly EpisodeRecord[]): Record<string, unknown>;
  /**
   * The task's headline measure, one value per evaluation episode (expected regret, trial-2
   * accuracy, escape latency, …): what reports compare agents on, paired episode by episode.
   * Families without one are compared on total reward.
   */
  readonly mainMeasure?: MainMeasure;
  /** What the family offers beyond this contract, for agents and reports (TaskTraits). */
  readonly traits?: TaskTraits;
  /**
   * The task's latent variables, what an agent would have to hold to play well (the Bayesian
   * posterior over the arm means, the rewarded object, the platform and the agent's position):
   * what decoders read out of recorded activity (`engram analyze`). Optional; with `latents`.
   */
  readonly latentVariables?: readonly LatentVariable[];
  /**
   * The latent variables of one played episode, step by step: for each variable of
   * `latentVariables`, steps × size values (row-major), where row t is its value when the agent
   * chooses the action of step t — after the outcomes of steps 0 … t − 1, before that of step t.
   */
  latents?(record: EpisodeRecord): Record<string, Float64Array>;
}

/** A latent variable of a task (TaskFamily.latentVariables). */
export interface LatentVariable {
  /** Its name (letters, digits, dashes): `posteriorMean`, `rewardedSide`, `goal`, … */
  readonly name: string;
  /** Numbers per step: 1 for a scalar, 2 for a position, k for k arms. */
  readonly size: number;
  /**
   * `continuous` is decoded by regression (R²); `categorical` holds a class index (size 1), decoded as a
   * class (accuracy).
   */
  readonly kind: 'continuous' | 'categorical';
  /** For a categorical variable, how many classes (0 … classes − 1). */
  readonly classes?: number;
  /** Its unit, or '' when it has none. */
  readonly unit: string;
  readonly description: string;
  /** For a variable that is a belief, what it is the belief of (another variable's name, e.g. `armMeans`). */
  readonly beliefOf?: string;
}

/**
 * The prior a bandit draws its arms' reward probabilities from, which the exact Bayes-optimal
 * agent solves for: each arm p ~ U(0, 1) independently; two arms (p, 1 − p) with p ~ U(0, 1); or
 * two arms (q, 1 − q) with the better one (q) on either side with probability ½.
 */
export type BanditPrior =
  | { kind: 'independent-uniform' }
  | { kind: 'mirrored-uniform' }
  | { kind: 'mirrored-pair'; better: number };

/** A column of a report's agent table beside the headline measure. */
export type ReportColumn =
  | { kind: 'total-reward'; digits: number }
  | { kind: 'trial-accuracy'; trial: number }
  | { kind: 'p-best-last-trial' }
  | { kind: 'escape-latency-by-trial-of-day' }
  | { kind: 'escape-rate' }
  | { kind: 'goal-hits' }
  | { kind: 'stay-regression' };

/** A figure of a report's evaluation (the training curves and the lesion chart are drawn for every task). */
export type ReportFigure =
  | 'accuracy-by-trial'
  | 'p-best-and-regret-by-trial'
  | 'escape-latency'
  | 'swim-paths'
  | 'steps-between-goals'
  | 'stay-probability';

export interface TaskTraits {
  /**
   * Every action is an arm with a fixed (or slowly drifting) Bernoulli reward probability and the
   * observation carries no information: what classic bandit algorithms assume.
   */
  bernoulliArms?: boolean;
  /** False when the arms' reward probabilities drift between trials: counts of past outcomes go stale. */
  stationaryArms?: boolean;
  /** The prior over the arms' reward probabilities, when it is one of the known ones. */
  banditPrior?: BanditPrior;
  /** `groundTruth().expectedRewards` gives the current expected reward of every action (for the oracle). */
  expectedRewards?: boolean;
  /**
   * The observation is the activity of place cells (src/core/place-cells.ts): what the place-cell actor-critic reads.
   */
  placeCellObservation?: boolean;
  /**
   * A two-step task (Daw et al. 2011): each trial is a first-stage choice between two actions, then a
   * second-stage state. The observation is the one-hot of the state: [first stage, second-stage state
   * 0, second-stage state 1]. First-stage action a leads to second-stage state a with probability
   * `commonProbability` (a common transition), to the other one otherwise (a rare one). With
   * `secondStageChoice` the two actions of a second-stage state pay with their own probabilities;
   * without it the state alone sets the reward and the second-stage action is ignored. What
   * model-free and model-based reference learners need to know of the task.
   */
  twoStep?: { commonProbability: number; secondStageChoice: boolean };
  /**
   * The `groundTruth()` fields that describe the sampled instance (the arm means, the platform, the goal cell, the
   * rewarded object) rather than the state of play: trial tables write their values at the start of each episode
   * (src/measures/trials.ts). Without it they write every field the ground truth has then.
   */
  instanceParameters?: readonly string[];
  /**
   * What a report shows of this task beyond its headline measure (default: total reward and the last trial's P(best)).
   */
  reportLayout?: { columns: readonly ReportColumn[]; figures: readonly ReportFigure[] };
}

/** A task's headline behavioral measure (see TaskFamily.mainMeasure; src/analysis/main-measure.ts). */
export interface MainMeasure {
  /** What it is, for table headers: `expected regret (T = 100)`, `trial-2 accuracy`, … */
  readonly name: string;
  /** Its unit (`s`, `steps`, …), or '' when it has none. */
  readonly unit: string;
  readonly better: 'lower' | 'higher';
  perEpisode(records: readonly EpisodeRecord[]): Float64Array;
}

/** The batched input an agent receives at each step. Arrays are indexed by batch element. */
export interface AgentInput {
  /** Observations, row-major: batchSize × observationSize. */
  observation: Float64Array;
  /** The action taken at the previous step, or −1 at the first step of an episode. */
  prevAction: Int32Array;
  /** The reward received at the previous step (0 at the first step). */
  prevReward: Float64Array;
  /** Step index within the episode divided by the episode length (t/T). */
  timeFraction: number;
  /** The step index within the episode. */
  step: number;
  /** The info the task returned at the previous step, per batch element (undefined at the first step). */
  prevInfo: (StepInfo | undefined)[];
  /** The instances being played: only agents that declare `privileged` may look at their ground truth. */
  instances: readonly TaskInstance[];
}

/**
 * What an agent returns for a batch: a probability distribution over actions, and a value estimate where it has one.
 */
export interface AgentOutput {
  /** Row-major batchSize × numActions; each row sums to 1. */
  probs: Float64Array;
  /** State-value estimate per batch element, for agents that have a critic. */
  value?: Float64Array;
}

export type AgentKind = 'learned' | 'plastic' | 'classic';

/**
 * An agent acting on a batch of instances. `begin` resets the episode state (recurrent state,
 * posterior counts, plastic traces); `act` returns action probabilities and advances the state.
 * Learning within the episode happens inside `act`, from `prevAction` and `prevReward`.
 */
export interface Agent {
  readonly id: string;
  readonly kind: AgentKind;
  readonly numActions: number;
  /** True if the agent reads the instances' ground truth (the oracle). */
  readonly privileged?: boolean;
  begin(batchSize: number): void;
  act(input: AgentInput): AgentOutput;
  /**
   * Extra fields for an evaluation report (for example the Bayes-optimal agent's exact expected
   * reward), given the episodes it just played. Optional; `engram baseline` merges them into its
   * output, so names must not clash with the standard fields.
   */
  extraReport?(records: readonly EpisodeRecord[]): Record<string, unknown>;
  /**
   * The variables of its internal state the agent can record after every step (`engram eval
   * --record`): recurrent activity, attention, plastic traces, learned weights. Optional; with
   * `readRecordable`.
   */
  recordable?(): readonly RecordableVariable[];
  /**
   * The value of a recordable variable after the latest `act`, for every batch element: batch ×
   * size (the product of its shape), row-major. A copy or a view the agent will not change until
   * its next `act`; reading it changes nothing the agent does.
   */
  readRecordable?(name: string): Float64Array;
}

/** A variable of an agent's internal state that it can record (Agent.recordable). */
export interface RecordableVariable {
  /** Its name (letters, digits, dashes, dots): `h`, `c`, `residual.0`, `attention.0`, `traces`, … */
  readonly name: string;
  /** Its shape per batch element (row-major), e.g. [48], or [heads, steps] for attention weights. */
  readonly shape: readonly number[];
  /**
   * Which within-episode memory it is: `activity` (what `reset-state` wipes: recurrent state, the
   * attention cache's stream), `synapses` (what changes weights within an episode: plastic traces,
   * a Hebbian agent's weights), or `readout` (a view of the step, such as attention weights).
   */
  readonly memory: 'activity' | 'synapses' | 'readout';
  readonly description: string;
  /** Recorded only when asked for by name (large: every entry of a plastic trace). */
  readonly onRequest?: boolean;
}

/** Everything one episode produced, for analysis. */
export interface EpisodeRecord {
  actions: number[];
  rewards: number[];
  infos: StepInfo[];
  /**
   * The instance's ground truth at the start of the episode, just after `reset()` (its parameters: arm means, the
   * platform, …), for trial tables. Evaluation rollouts fill it; records made elsewhere may leave it out.
   */
  instance?: GroundTruth;
}
