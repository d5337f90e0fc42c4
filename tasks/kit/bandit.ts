// What the Bernoulli bandit families (bandit-bernoulli, bandit-correlated, bandit-restless) share:
// an instance that pays 1 with the chosen arm's probability, reports the behavioral fields every
// bandit reports, and optionally lets the arm probabilities drift between trials. Not a family
// itself; each family file says how its arm probabilities are drawn.

import type { Rng } from '../../src/core/rng.ts';
import {
  type BanditPrior,
  CHOICE_INFO_FIELDS,
  type EpisodeRecord,
  type GroundTruth,
  type LatentVariable,
  type Space,
  type StepInfo,
  type StepResult,
  type TaskFamily,
  type TaskInstance,
  type TaskMetadata,
  type TaskTraits,
} from '../../src/core/types.ts';
import { armPosteriorSeries } from '../../src/measures/bandit-posterior.ts';
import { expectedRegretMeasure } from '../../src/measures/main-measure.ts';

/** The `info` fields every bandit reports at every step. */
export const BANDIT_INFO_FIELDS = [...CHOICE_INFO_FIELDS, 'optimalAction'] as const;

/**
 * What a bandit whose arms drift reports besides: `armMeans`, every arm's reward probability at
 * the step (before the drift that follows it), which the instance's parameters (the arms at the
 * start) no longer give.
 */
export const DRIFTING_BANDIT_INFO_FIELDS = [...BANDIT_INFO_FIELDS, 'armMeans'] as const;

/** A bandit family: a TaskFamily whose instances are Bernoulli bandits. */
export interface BanditFamily<Options> extends TaskFamily<Options> {
  readonly traits: TaskTraits;
  /** Number of arms (k). */
  readonly arms: number;
}

export interface BanditSpec<Options> {
  id: string;
  options: Options;
  metadata: TaskMetadata;
  arms: number;
  trials: number;
  /** Draws the arm probabilities at the start of an instance, from the instance's stream. */
  drawMeans(rng: Rng): Float64Array;
  /** Moves the arm probabilities between trials (restless bandits); must draw the same number of values every call. */
  drift?(means: Float64Array, rng: Rng): void;
  /** The prior `drawMeans` samples from, when it is one the Bayes-optimal agent knows. */
  prior?: BanditPrior;
}

/**
 * One bandit. All of its randomness comes from its own stream: the arm probabilities, then one
 * uniform per trial for the reward (reward = 1 when u < p of the chosen arm), then the drift. The
 * draws at trial t do not depend on the actions, so two agents on the same instance see the same
 * probabilities and the same uniforms (common random numbers for paired comparisons).
 */
export class BernoulliBanditInstance implements TaskInstance {
  private readonly initialMeans: Float64Array;
  private readonly means: Float64Array;
  private readonly observation = new Float64Array([1]);
  private trial = 0;

  constructor(
    private readonly rng: Rng,
    means: Float64Array,
    private readonly trials: number,
    private readonly drift?: (means: Float64Array, rng: Rng) => void,
  ) {
    this.initialMeans = Float64Array.from(means);
    this.means = Float64Array.from(means);
  }

  reset(): Float64Array {
    this.trial = 0;
    this.means.set(this.initialMeans);
    return this.observation;
  }

  step(action: number): StepResult {
    const k = this.means.length;
    if (!Number.isInteger(action) || action < 0 || action >= k)
      throw new Error(`bandit: action must be an integer in [0, ${k}), got ${action}`);
    if (this.trial >= this.trials) throw new Error('bandit: step() after the episode ended; call reset() first');
    let best = -Infinity;
    let optimalAction = 0;
    for (let a = 0; a < k; a++) {
      if (this.means[a] > best) {
        best = this.means[a];
        optimalAction = a;
      }
    }
    const expectedReward = this.means[action];
    const reward = this.rng.uniform() < expectedReward ? 1 : 0;
    const info: StepInfo = {
      trial: this.trial,
      newTrial: true,
      expectedReward,
      bestExpectedReward: best,
      expectedRegret: best - expectedReward,
      correct: expectedReward >= best,
      optimalAction,
    };
    if (this.drift) info.armMeans = Array.from(this.means);
    this.trial++;
    if (this.drift) this.drift(this.means, this.rng);
    return { observation: this.observation, reward, done: this.trial >= this.trials, info };
  }

  groundTruth(): GroundTruth {
    return { expectedRewards: Array.from(this.means) };
  }
}

/**
 * The latent variables of a k-armed Bernoulli bandit: the arms' reward probabilities and the best
 * arm; with a known prior, the exact posterior over them given the agent's own choices and rewards
 * (src/measures/bandit-posterior.ts). Row t of each is its value when the agent chooses at step t.
 */
export function banditLatentVariables(arms: number, prior?: BanditPrior): LatentVariable[] {
  const truth: LatentVariable[] = [
    {
      name: 'armMeans',
      size: arms,
      kind: 'continuous',
      unit: '',
      description: "every arm's reward probability at the step (restless arms: after the drift of the steps before)",
    },
    {
      name: 'bestArm',
      size: 1,
      kind: 'categorical',
      classes: arms,
      unit: '',
      description: 'the arm with the highest reward probability at the step (the lowest index on ties)',
    },
  ];
  if (prior === undefined) return truth;
  const belief: LatentVariable[] = [
    {
      name: 'posteriorMean',
      size: arms,
      kind: 'continuous',
      unit: '',
      description:
        "the exact posterior mean of every arm's reward probability under the task's prior, given the episode's " +
        'earlier choices and rewards',
      beliefOf: 'armMeans',
    },
    {
      name: 'posteriorSd',
      size: arms,
      kind: 'continuous',
      unit: '',
      description:
        "the posterior standard deviation of every arm's reward probability, from the same choices and rewards",
      beliefOf: 'armMeans',
    },
    {
      name: 'posteriorBest',
      size: 1,
      kind: 'categorical',
      classes: arms,
      unit: '',
      description: 'the arm with the highest posterior mean (the lowest index on ties): the greedy choice',
      beliefOf: 'bestArm',
    },
  ];
  if (arms === 2)
    belief.push({
      name: 'pBetter0',
      size: 1,
      kind: 'continuous',
      unit: '',
      description: "the posterior probability that arm 0's reward probability is the higher one",
      beliefOf: 'bestArm',
    });
  return [...truth, ...belief];
}

/** The arms' reward probabilities at step t: reported when they drift, else the instance's from the start. */
function armMeansAt(record: EpisodeRecord, t: number, arms: number): ArrayLike<number> {
  const reported = record.infos[t]?.armMeans;
  const means = Array.isArray(reported) ? reported : record.instance?.expectedRewards;
  if (means === undefined || means.length !== arms)
    throw new Error(
      "bandit latents: the record has neither info.armMeans nor the instance's expectedRewards " +
        `for ${arms} arms at step ${t}`,
    );
  return means;
}

/** The index of the largest of `values[offset … offset + length)`, the lowest on ties. */
function argmax(values: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}

/** The values of banditLatentVariables(arms, prior) in one played episode, steps × size each. */
export function banditLatents(record: EpisodeRecord, arms: number, prior?: BanditPrior): Record<string, Float64Array> {
  const steps = record.actions.length;
  const armMeans = new Float64Array(steps * arms);
  const bestArm = new Float64Array(steps);
  for (let t = 0; t < steps; t++) {
    armMeans.set(armMeansAt(record, t, arms), t * arms);
    bestArm[t] = argmax(armMeans, t * arms, arms);
  }
  if (prior === undefined) return { armMeans, bestArm };
  const posterior = armPosteriorSeries(prior, arms, record.actions, record.rewards);
  const posteriorBest = new Float64Array(steps);
  for (let t = 0; t < steps; t++) posteriorBest[t] = argmax(posterior.mean, t * arms, arms);
  return {
    armMeans,
    bestArm,
    posteriorMean: posterior.mean,
    posteriorSd: posterior.sd,
    posteriorBest,
    ...(arms === 2 ? { pBetter0: posterior.pBetter0 } : {}),
  };
}

const CONSTANT_INPUT: Space = { kind: 'box', shape: [1], low: 1, high: 1 };

/** A bandit family from its spec; its observation is the constant 1 (bandits have nothing to see). */
export function createBanditFamily<Options>(spec: BanditSpec<Options>): BanditFamily<Options> {
  return {
    id: spec.id,
    options: spec.options,
    metadata: spec.metadata,
    traits: {
      bernoulliArms: true,
      stationaryArms: spec.drift === undefined,
      expectedRewards: true,
      ...(spec.prior !== undefined ? { banditPrior: spec.prior } : {}),
      // The arm means when the episode starts (restless arms drift from there).
      instanceParameters: ['expectedRewards'],
      reportLayout: {
        columns: [{ kind: 'total-reward', digits: 1 }, { kind: 'p-best-last-trial' }],
        figures: ['p-best-and-regret-by-trial'],
      },
    },
    arms: spec.arms,
    observationSpace: CONSTANT_INPUT,
    actionSpace: { kind: 'discrete', n: spec.arms },
    observationSize: 1,
    numActions: spec.arms,
    episodeLength: spec.trials,
    trialsPerEpisode: spec.trials,
    infoFields: spec.drift === undefined ? BANDIT_INFO_FIELDS : DRIFTING_BANDIT_INFO_FIELDS,
    mainMeasure: expectedRegretMeasure(spec.trials),
    latentVariables: banditLatentVariables(spec.arms, spec.prior),
    latents: (record) => banditLatents(record, spec.arms, spec.prior),
    sample(rng: Rng): TaskInstance {
      return new BernoulliBanditInstance(rng, spec.drawMeans(rng), spec.trials, spec.drift);
    },
  };
}
