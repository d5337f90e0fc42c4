// A minimal Bernoulli bandit family standing in for tasks/ in the tests of the bandit agents, the
// traits the bandit tasks declare, and the input an agent receives at a step.
import type { Rng } from '../../src/core/rng.ts';
import type { AgentInput, TaskFamily, TaskInstance, TaskTraits } from '../../src/core/types.ts';

/** Each arm's probability ~ U(0, 1) independently. */
export const INDEPENDENT: TaskTraits = {
  bernoulliArms: true,
  stationaryArms: true,
  banditPrior: { kind: 'independent-uniform' },
};
/** Two arms (p, 1 − p), p ~ U(0, 1). */
export const MIRRORED: TaskTraits = {
  bernoulliArms: true,
  stationaryArms: true,
  banditPrior: { kind: 'mirrored-uniform' },
};
/** Two arms (0.6, 0.4) in either order. */
export const HARD: TaskTraits = {
  bernoulliArms: true,
  stationaryArms: true,
  banditPrior: { kind: 'mirrored-pair', better: 0.6 },
};
/** Arms whose probabilities drift. */
export const DRIFTING: TaskTraits = { bernoulliArms: true, stationaryArms: false };

/** A bandit family with the traits given; arm probabilities drawn by `draw` (default: each ~ U(0, 1)). */
export function fakeBandit(
  id: string,
  arms: number,
  trials: number,
  traits: TaskTraits = INDEPENDENT,
  draw: (rng: Rng) => number[] = (rng) => Array.from({ length: arms }, () => rng.uniform()),
): TaskFamily {
  return {
    id,
    traits,
    options: { arms, trials },
    metadata: { description: 'fake bandit', papers: [] },
    observationSpace: { kind: 'box', shape: [1], low: 1, high: 1 },
    actionSpace: { kind: 'discrete', n: arms },
    observationSize: 1,
    numActions: arms,
    episodeLength: trials,
    trialsPerEpisode: trials,
    infoFields: [],
    sample(rng: Rng): TaskInstance {
      const means = draw(rng);
      let t = 0;
      return {
        reset: () => {
          t = 0;
          return new Float64Array([1]);
        },
        step: (a: number) => {
          t++;
          const info = { trial: t - 1, expectedReward: means[a] };
          return {
            observation: new Float64Array([1]),
            reward: rng.uniform() < means[a] ? 1 : 0,
            done: t >= trials,
            info,
          };
        },
        groundTruth: () => ({ expectedRewards: means }),
      };
    },
  };
}

/** The input of a batch at step `step`, with the previous actions and rewards given. */
export function agentInput(
  batch: number,
  step: number,
  prevAction: ArrayLike<number>,
  prevReward: ArrayLike<number>,
): AgentInput {
  return {
    observation: new Float64Array(batch),
    prevAction: Int32Array.from(prevAction),
    prevReward: Float64Array.from(prevReward),
    timeFraction: 0,
    step,
    prevInfo: [],
    instances: [],
  };
}
