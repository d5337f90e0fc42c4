// The two-step task of Daw et al. (2011, "Model-based influences on humans' choices and striatal
// prediction errors"), with the options of the version Wang et al. (2018, "Prefrontal cortex as a
// meta-reinforcement learning system", Fig. 5) meta-trained an LSTM on. A trial has two steps:
//   1. in the first-stage state the agent picks action 0 or 1; action a leads to second-stage state a
//      with probability `commonProbability` (a common transition), to the other one otherwise (rare);
//   2. in the second-stage state it picks again and is rewarded 1 or 0: with Daw's
//      `secondStageChoice` each of the two actions there has its own reward probability; without it
//      (Wang's version) the state alone sets the probability and the action is ignored.
// The reward probabilities drift from trial to trial: a Gaussian random walk (standard deviation
// `driftSd`, reflected at `rewardMin` and `rewardMax`: Daw's 0.025 in [0.25, 0.75]), or Wang's
// switches (one second-stage state pays with `rewardHigh`, the other with 1 − rewardHigh, and with
// probability `switchProbability` after each trial they trade places).
//
// The observation is the one-hot of the state, [first stage, second-stage state 0, state 1]; one
// step is one stage, so an episode of T trials has 2T steps. An instance is its starting reward
// probabilities (and, for switches, which state pays well); all of its randomness — transitions,
// rewards, drift — comes from its own stream, so held-out episodes are new instances.
//
// Every step reports the trial's first-stage choice (`chosenOption`, so that stay-after-win reads
// first-stage stays), its second-stage state and whether the transition was common (known from the
// first step on); the second step, the second-stage action (`secondChoice`, −1 at the first).
// Expected rewards are those of the best play that follows: at the first stage, the value of the
// chosen action if the second-stage choice is then the best one; so the sum of the expected regrets
// is the pseudo-regret against an agent that knows the probabilities, and `correct` says whether
// the step's action was a best one (a trial is correct when both of its choices were).
import { z } from 'zod';
import { UsageError } from '../src/core/errors.ts';
import { option, parseOptions } from '../src/core/options.ts';
import type { TaskEntry } from '../src/core/registry.ts';
import type { Rng } from '../src/core/rng.ts';
import type { GroundTruth, StepInfo, StepResult, TaskFamily, TaskInstance, TaskTraits } from '../src/core/types.ts';
import { expectedRegretMeasure } from '../src/measures/main-measure.ts';
import { twoStepReport } from '../src/measures/two-step.ts';

export const twoStepOptions = z.strictObject({
  trials: option(z.int().min(2).max(1000).default(201), 'Trials per episode (Daw et al. 2011: 201; Wang et al.: 100)'),
  commonProbability: option(
    z.number().gt(0.5).max(1).default(0.7),
    'P(common transition): first-stage action a leads to second-stage state a (Daw: 0.7; Wang: 0.8)',
  ),
  secondStageChoice: option(
    z.boolean().default(true),
    'Whether the second-stage action matters, each with its own reward probability (Daw), or only the state (Wang)',
  ),
  rewardDrift: option(
    z.enum(['gaussian', 'switch']).default('gaussian'),
    "How reward probabilities change: Daw's bounded Gaussian walk or Wang's occasional switches",
  ),
  driftSd: option(z.number().min(0).max(1).default(0.025), 'Gaussian walk: standard deviation per trial'),
  rewardMin: option(z.number().min(0).max(1).default(0.25), 'Gaussian walk: the lower reflecting bound'),
  rewardMax: option(z.number().min(0).max(1).default(0.75), 'Gaussian walk: the upper reflecting bound'),
  switchProbability: option(
    z.number().min(0).max(1).default(0.025),
    'Switches: probability after each trial that the two second-stage states trade reward probabilities',
  ),
  rewardHigh: option(
    z.number().min(0.5).max(1).default(0.9),
    'Switches: reward probability of the better state (the other: 1 − rewardHigh)',
  ),
});

export type TwoStepOptions = z.output<typeof twoStepOptions>;

/** The `info` fields of every step. */
export const TWO_STEP_INFO_FIELDS = [
  'trial',
  'newTrial',
  'trialEnd',
  'stage',
  'expectedReward',
  'bestExpectedReward',
  'expectedRegret',
  'correct',
  'chosenOption',
  'secondState',
  'secondChoice',
  'commonTransition',
] as const;

/** p reflected into [low, high]. */
function reflect(p: number, low: number, high: number): number {
  // Reflect until inside: a step larger than the band could overshoot twice.
  let x = p;
  for (let i = 0; i < 100 && (x < low || x > high); i++) x = x < low ? 2 * low - x : 2 * high - x;
  return Math.min(high, Math.max(low, x));
}

class TwoStepInstance implements TaskInstance {
  /** Reward probabilities, indexed state × action (4) with a second-stage choice, by state (2) without. */
  readonly probabilities: Float64Array;
  private readonly initial: Float64Array;
  private trial = 0;
  /** 1 before the first-stage choice, 2 before the second-stage one. */
  private stage: 1 | 2 = 1;
  private firstChoice = -1;
  private secondState = -1;
  private common = false;

  constructor(
    private readonly rng: Rng,
    private readonly options: TwoStepOptions,
  ) {
    const { secondStageChoice, rewardDrift, rewardMin, rewardMax, rewardHigh } = options;
    const size = secondStageChoice ? 4 : 2;
    this.probabilities = new Float64Array(size);
    if (rewardDrift === 'gaussian') {
      for (let i = 0; i < size; i++) this.probabilities[i] = rng.uniformRange(rewardMin, rewardMax);
    } else {
      // Which state pays well; with a second-stage choice, both of its actions do.
      const good = rng.int(2);
      for (let i = 0; i < size; i++) {
        const state = secondStageChoice ? i >> 1 : i;
        // 1 − rewardHigh to 12 digits: 1 − 0.9 is 0.09999999999999998 in floating point.
        this.probabilities[i] = state === good ? rewardHigh : Number((1 - rewardHigh).toFixed(12));
      }
    }
    this.initial = Float64Array.from(this.probabilities);
  }

  private observation(): Float64Array {
    const obs = new Float64Array(3);
    obs[this.stage === 1 ? 0 : 1 + this.secondState] = 1;
    return obs;
  }

  /** Reward probability of `action` in second-stage state `state`. */
  private p(state: number, action: number): number {
    return this.options.secondStageChoice ? this.probabilities[2 * state + action] : this.probabilities[state];
  }

  /** The best reward probability in second-stage state `state`. */
  private best(state: number): number {
    return this.options.secondStageChoice ? Math.max(this.p(state, 0), this.p(state, 1)) : this.p(state, 0);
  }

  /** Expected reward of first-stage action a when the second-stage choice is the best one. */
  private firstStageValue(a: number): number {
    const q = this.options.commonProbability;
    return q * this.best(a) + (1 - q) * this.best(1 - a);
  }

  reset(): Float64Array {
    this.trial = 0;
    this.stage = 1;
    this.probabilities.set(this.initial);
    return this.observation();
  }

  step(action: number): StepResult {
    if (action !== 0 && action !== 1) throw new Error(`two-step: action must be 0 or 1, got ${action}`);
    if (this.trial >= this.options.trials)
      throw new Error('two-step: step() after the episode ended; call reset() first');
    if (this.stage === 1) {
      const expectedReward = this.firstStageValue(action);
      const bestExpectedReward = Math.max(this.firstStageValue(0), this.firstStageValue(1));
      this.firstChoice = action;
      this.common = this.rng.bernoulli(this.options.commonProbability);
      this.secondState = this.common ? action : 1 - action;
      this.stage = 2;
      return {
        observation: this.observation(),
        reward: 0,
        done: false,
        info: this.info(1, expectedReward, bestExpectedReward),
      };
    }
    const expectedReward = this.p(this.secondState, this.options.secondStageChoice ? action : 0);
    const bestExpectedReward = this.best(this.secondState);
    const reward = this.rng.bernoulli(expectedReward) ? 1 : 0;
    const info = this.info(2, expectedReward, bestExpectedReward, action);
    this.drift();
    this.trial++;
    this.stage = 1;
    const done = this.trial >= this.options.trials;
    return { observation: this.observation(), reward, done, info };
  }

  /** The info of the step of `stage` just taken. */
  private info(stage: 1 | 2, expectedReward: number, bestExpectedReward: number, secondChoice = -1): StepInfo {
    return {
      trial: this.trial,
      newTrial: stage === 1,
      trialEnd: stage === 2,
      stage,
      expectedReward,
      bestExpectedReward,
      expectedRegret: bestExpectedReward - expectedReward,
      correct: expectedReward === bestExpectedReward,
      chosenOption: this.firstChoice,
      secondState: this.secondState,
      secondChoice,
      commonTransition: this.common,
    };
  }

  /** The reward probabilities' change after a trial. */
  private drift(): void {
    const { rewardDrift, driftSd, rewardMin, rewardMax, switchProbability } = this.options;
    const probs = this.probabilities;
    if (rewardDrift === 'gaussian') {
      for (let i = 0; i < probs.length; i++)
        probs[i] = reflect(probs[i] + this.rng.normal(0, driftSd), rewardMin, rewardMax);
    } else if (this.rng.bernoulli(switchProbability)) {
      // The two states trade their probabilities (each state's are the second half's, with a choice).
      const half = probs.length / 2;
      for (let i = 0; i < half; i++) [probs[i], probs[i + half]] = [probs[i + half], probs[i]];
    }
  }

  groundTruth(): GroundTruth {
    const expectedRewards =
      this.stage === 1
        ? [this.firstStageValue(0), this.firstStageValue(1)]
        : this.options.secondStageChoice
          ? [this.p(this.secondState, 0), this.p(this.secondState, 1)]
          : [this.p(this.secondState, 0), this.p(this.secondState, 0)];
    return { expectedRewards, rewardProbabilities: Array.from(this.probabilities) };
  }
}

export interface TwoStepFamily extends TaskFamily<TwoStepOptions> {
  readonly traits: TaskTraits;
}

export function createTwoStep(raw?: Record<string, unknown>): TwoStepFamily {
  const options = parseOptions('two-step', twoStepOptions, raw);
  if (options.rewardMin >= options.rewardMax)
    throw new UsageError(
      `two-step: option 'rewardMin' (${options.rewardMin}) must be below 'rewardMax' (${options.rewardMax})`,
    );
  const drift =
    options.rewardDrift === 'gaussian'
      ? `Gaussian drift (sd ${options.driftSd} in [${options.rewardMin}, ${options.rewardMax}])`
      : `switches (p ${options.switchProbability}) between ${options.rewardHigh} and ${1 - options.rewardHigh}`;
  return {
    id: 'two-step',
    options,
    metadata: {
      description:
        `two-step task: ${options.trials} trials, common transitions ${options.commonProbability}, ` +
        `${options.secondStageChoice ? 'a choice at the second stage' : 'no second-stage choice'}, reward ${drift}`,
      papers: [
        "Daw et al. 2011, Model-based influences on humans' choices and striatal prediction errors",
        'Wang et al. 2018, Prefrontal cortex as a meta-reinforcement learning system',
      ],
    },
    traits: {
      expectedRewards: true,
      stationaryArms: false,
      twoStep: { commonProbability: options.commonProbability, secondStageChoice: options.secondStageChoice },
      instanceParameters: ['rewardProbabilities'],
      reportLayout: {
        columns: [{ kind: 'total-reward', digits: 1 }, { kind: 'stay-regression' }],
        figures: ['stay-probability'],
      },
    },
    observationSpace: { kind: 'box', shape: [3], low: 0, high: 1 },
    actionSpace: { kind: 'discrete', n: 2 },
    observationSize: 3,
    numActions: 2,
    episodeLength: 2 * options.trials,
    trialsPerEpisode: options.trials,
    infoFields: TWO_STEP_INFO_FIELDS,
    mainMeasure: expectedRegretMeasure(options.trials),
    report: twoStepReport,
    sample: (rng: Rng) => new TwoStepInstance(rng, options),
  };
}

export const twoStep: TaskEntry = {
  id: 'two-step',
  description: 'two-step task: a first choice, a common or rare transition, a drifting reward (Daw et al. 2011)',
  options: twoStepOptions,
  create: createTwoStep,
};
