// A minimal Bernoulli bandit family standing in for tasks/ in the tests of the bandit agents, the
// traits the bandit tasks declare, the input an agent receives at a step, and a batch of episodes played.
import type { Rng } from '../../src/core/rng.ts';
import type { Agent, AgentInput, TaskFamily, TaskInstance, TaskTraits } from '../../src/core/types.ts';

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
          if (t >= trials) throw new Error('fake bandit: step() after the episode ended');
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

/**
 * Plays `batch` episodes of fresh instances of `family` with `agent`, drawing actions from its
 * probabilities; returns each episode's total reward and what uniformly random play would expect.
 */
export function playEpisodes(
  agent: Agent,
  family: TaskFamily,
  batch: number,
  rng: Rng,
): { totals: Float64Array; randomTotals: Float64Array } {
  const k = family.numActions;
  const instances = Array.from({ length: batch }, (_, i) => family.sample(rng.fork(`instance-${i}`)));
  for (const x of instances) x.reset();
  agent.begin(batch);
  const prevAction = new Int32Array(batch).fill(-1);
  const prevReward = new Float64Array(batch);
  const totals = new Float64Array(batch);
  const randomTotals = new Float64Array(batch);
  for (let t = 0; t < family.episodeLength; t++) {
    const out = agent.act(agentInput(batch, t, prevAction, prevReward));
    for (let b = 0; b < batch; b++) {
      const a = rng.categorical(out.probs, b * k, k);
      const r = instances[b].step(a).reward;
      prevAction[b] = a;
      prevReward[b] = r;
      totals[b] += r;
      randomTotals[b] += (instances[b].groundTruth().expectedRewards as number[]).reduce((x, y) => x + y) / k;
    }
  }
  return { totals, randomTotals };
}

/**
 * Two episodes side by side: the agent's probabilities at the first step, then after one step in
 * which the episodes took `actions` and got `rewards`.
 */
export function firstTwoSteps(
  agent: Agent,
  actions: [number, number],
  rewards: [number, number],
): { first: number[]; second: number[] } {
  agent.begin(2);
  const first = Array.from(agent.act(agentInput(2, 0, [-1, -1], [0, 0])).probs);
  const second = Array.from(agent.act(agentInput(2, 1, actions, rewards)).probs);
  return { first, second };
}
