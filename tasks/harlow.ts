// Harlow's (1949) learning-set task, as Wang et al. 2018 ("Prefrontal cortex as a meta-
// reinforcement learning system", Fig. 4) simplified it for a meta-RL agent: every episode shows
// two objects never seen together before; one of them is rewarded throughout the episode; on each
// trial the two appear in random left/right positions and the agent picks a side. A learner that
// has "learned to learn" is at chance on trial 1 and near perfect from trial 2 on.
//
// Simplifications (ours): no fixation step and no pixels. An object is a feature vector drawn once
// per family from a fixed pool (`poolSize` objects, `features` features each, Gaussian N(0, 1) or
// binary {0, 1}); the pool comes from `poolSeed`, so training and evaluation share it, while each
// instance draws its own pair from its own stream, so held-out episodes meet fresh pairs. The
// first object drawn is the rewarded one (which one is drawn first is itself random). Reward is
// +1 for the rewarded object and 0 otherwise (Wang et al. used +1/−1 in some versions; 0 keeps
// rewards comparable with the bandits). One step is one trial.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { TaskEntry } from '../src/core/registry.ts';
import { Rng } from '../src/core/rng.ts';
import {
  CHOICE_INFO_FIELDS,
  type EpisodeRecord,
  type GroundTruth,
  type LatentVariable,
  type StepInfo,
  type StepResult,
  type TaskFamily,
  type TaskInstance,
  type TaskTraits,
} from '../src/core/types.ts';
import { trialAccuracyMeasure } from '../src/measures/main-measure.ts';

export const harlowOptions = z.strictObject({
  trials: option(z.int().min(1).max(100).default(6), 'Trials per episode (Wang et al. 2018: 6)'),
  poolSize: option(z.int().min(2).max(100000).default(1000), 'Objects in the pool the pairs are drawn from'),
  // The observation holds 2 × features numbers.
  features: option(z.int().min(1).max(256).default(8), 'Features per object'),
  featureKind: option(z.enum(['gaussian', 'binary']).default('gaussian'), 'gaussian N(0, 1) or binary {0, 1} features'),
  poolSeed: option(z.int().min(0).default(0), 'Seed of the object pool (part of the task)'),
});

export type HarlowOptions = z.output<typeof harlowOptions>;

export interface HarlowFamily extends TaskFamily<HarlowOptions> {
  readonly traits: TaskTraits;
  /** The object pool, row-major poolSize × features. */
  readonly pool: Float64Array;
}

/** The `info` fields Harlow reports at every step. */
export const HARLOW_INFO_FIELDS = [...CHOICE_INFO_FIELDS, 'optimalAction', 'chosenOption', 'rewardedSide'] as const;

function buildPool(options: HarlowOptions): Float64Array {
  const rng = Rng.fromSeed(`harlow-pool/${options.poolSeed}`);
  const pool = new Float64Array(options.poolSize * options.features);
  for (let i = 0; i < pool.length; i++)
    pool[i] = options.featureKind === 'gaussian' ? rng.normal() : rng.bernoulli(0.5) ? 1 : 0;
  return pool;
}

function sameObject(pool: Float64Array, features: number, i: number, j: number): boolean {
  for (let f = 0; f < features; f++) if (pool[i * features + f] !== pool[j * features + f]) return false;
  return true;
}

class HarlowInstance implements TaskInstance {
  /** Pool indices of the rewarded object and of the other one. */
  readonly rewardedObject: number;
  readonly otherObject: number;
  private trial = 0;
  private rewardedSide = 0;
  private observation: Float64Array;

  constructor(
    private readonly rng: Rng,
    private readonly pool: Float64Array,
    private readonly options: HarlowOptions,
  ) {
    const { poolSize, features } = options;
    // Pairs of identical objects (possible with few binary features) could not be told apart.
    for (let attempt = 0; ; attempt++) {
      const a = rng.int(poolSize);
      const b = rng.int(poolSize);
      if (a !== b && !sameObject(pool, features, a, b)) {
        this.rewardedObject = a;
        this.otherObject = b;
        break;
      }
      if (attempt > 10000) throw new Error('harlow: the object pool has no two distinct objects');
    }
    this.observation = this.present();
  }

  /** Places the two objects for the next trial; returns the observation (left features, then right). */
  private present(): Float64Array {
    const f = this.options.features;
    this.rewardedSide = this.rng.bernoulli(0.5) ? 1 : 0;
    const left = this.rewardedSide === 0 ? this.rewardedObject : this.otherObject;
    const right = this.rewardedSide === 0 ? this.otherObject : this.rewardedObject;
    const obs = new Float64Array(2 * f);
    obs.set(this.pool.subarray(left * f, left * f + f), 0);
    obs.set(this.pool.subarray(right * f, right * f + f), f);
    return obs;
  }

  reset(): Float64Array {
    if (this.trial > 0) {
      this.trial = 0;
      this.observation = this.present();
    }
    return this.observation;
  }

  step(action: number): StepResult {
    if (action !== 0 && action !== 1) throw new Error(`harlow: action must be 0 (left) or 1 (right), got ${action}`);
    if (this.trial >= this.options.trials)
      throw new Error('harlow: step() after the episode ended; call reset() first');
    const correct = action === this.rewardedSide;
    const reward = correct ? 1 : 0;
    const info: StepInfo = {
      trial: this.trial,
      newTrial: true,
      expectedReward: reward,
      bestExpectedReward: 1,
      expectedRegret: 1 - reward,
      correct,
      optimalAction: this.rewardedSide,
      chosenOption: correct ? this.rewardedObject : this.otherObject,
      rewardedSide: this.rewardedSide,
    };
    this.trial++;
    const done = this.trial >= this.options.trials;
    if (!done) this.observation = this.present();
    return { observation: this.observation, reward, done, info };
  }

  groundTruth(): GroundTruth {
    return {
      expectedRewards: this.rewardedSide === 0 ? [1, 0] : [0, 1],
      rewardedSide: this.rewardedSide,
      rewardedObject: this.rewardedObject,
      otherObject: this.otherObject,
    };
  }
}

/**
 * The pool index of the episode's rewarded object: the instance's, else the object of any correct
 * choice (every correct choice picks it).
 */
function rewardedObjectOf(record: EpisodeRecord): number {
  const fromInstance = record.instance?.rewardedObject;
  if (typeof fromInstance === 'number') return fromInstance;
  const correct = record.infos.find((info) => info.correct === true && typeof info.chosenOption === 'number');
  if (correct === undefined)
    throw new Error(
      'harlow latents: the record has no instance and no correct choice, so its rewarded object is unknown',
    );
  return correct.chosenOption as number;
}

/** The latent variables of Harlow's task (row t: when the agent chooses at trial t). */
function harlowLatentVariables(features: number): LatentVariable[] {
  return [
    {
      name: 'rewardedSide',
      size: 1,
      kind: 'categorical',
      classes: 2,
      unit: '',
      description: 'the side (0 left, 1 right) the rewarded object is shown on at the trial',
    },
    {
      name: 'rewardedObject',
      size: features,
      kind: 'continuous',
      unit: '',
      description: "the rewarded object's feature vector (the same through the episode)",
    },
  ];
}

/** Their values in one episode: the sides are those of `info.rewardedSide`, shown before each choice. */
function harlowLatents(record: EpisodeRecord, pool: Float64Array, features: number): Record<string, Float64Array> {
  const steps = record.actions.length;
  const rewardedSide = new Float64Array(steps);
  const rewardedObject = new Float64Array(steps * features);
  const object = rewardedObjectOf(record);
  const vector = pool.subarray(object * features, (object + 1) * features);
  for (let t = 0; t < steps; t++) {
    const side = record.infos[t].rewardedSide;
    if (side !== 0 && side !== 1) throw new Error(`harlow latents: info.rewardedSide at step ${t} is ${side}`);
    rewardedSide[t] = side;
    rewardedObject.set(vector, t * features);
  }
  return { rewardedSide, rewardedObject };
}

export function createHarlow(raw?: Record<string, unknown>): HarlowFamily {
  const options = parseOptions('harlow', harlowOptions, raw);
  const pool = buildPool(options);
  const size = 2 * options.features;
  return {
    id: 'harlow',
    options,
    metadata: {
      description:
        `Harlow learning-set task: ${options.trials} trials per episode, objects of ${options.features} ` +
        `${options.featureKind} features from a pool of ${options.poolSize}`,
      papers: [
        'Harlow 1949, The formation of learning sets',
        'Wang et al. 2018, Prefrontal cortex as a meta-reinforcement learning system',
      ],
    },
    traits: {
      expectedRewards: true,
      // The sides change every trial (in `info`); the object pair is the instance.
      instanceParameters: ['rewardedObject', 'otherObject'],
      reportLayout: {
        columns: [
          { kind: 'trial-accuracy', trial: 1 },
          { kind: 'total-reward', digits: 2 },
        ],
        figures: ['accuracy-by-trial'],
      },
    },
    pool,
    observationSpace: {
      kind: 'box',
      shape: [size],
      low: options.featureKind === 'binary' ? 0 : -Infinity,
      high: options.featureKind === 'binary' ? 1 : Infinity,
    },
    actionSpace: { kind: 'discrete', n: 2 },
    observationSize: size,
    numActions: 2,
    episodeLength: options.trials,
    trialsPerEpisode: options.trials,
    infoFields: HARLOW_INFO_FIELDS,
    // Trial 2 is the first on which the agent can know which object pays: a learning set shows there.
    mainMeasure: trialAccuracyMeasure(Math.min(2, options.trials)),
    latentVariables: harlowLatentVariables(options.features),
    latents: (record) => harlowLatents(record, pool, options.features),
    sample: (rng: Rng) => new HarlowInstance(rng, pool, options),
  };
}

export const harlow: TaskEntry = {
  id: 'harlow',
  description: "Harlow's learning-set task: a new object pair each episode, one object rewarded (Wang et al. 2018)",
  options: harlowOptions,
  create: createHarlow,
};
