// A reversal-learning bandit: two arms pay 1 with probabilities `high` and `low`, and at a trial
// drawn uniformly within the episode the better arm becomes the worse one. An agent that learns
// within the episode has to notice the swap and switch arms.
import { BANDIT_INFO_FIELDS, expectedRegretMeasure, option, parseOptions, type TaskEntry, z } from 'engram';

const reversalOptions = z.strictObject({
  trials: option(z.int().min(2).max(1000).default(40), 'Trials per episode'),
  high: option(z.number().min(0).max(1).default(0.8), 'Reward probability of the better arm'),
  low: option(z.number().min(0).max(1).default(0.2), 'Reward probability of the worse arm'),
});

export const reversal: TaskEntry = {
  id: 'reversal-bandit',
  description: 'two-armed bandit whose better arm swaps at a random trial',
  options: reversalOptions,
  create(raw) {
    const o = parseOptions('reversal-bandit', reversalOptions, raw);
    const means = (better: number): number[] => (better === 0 ? [o.high, o.low] : [o.low, o.high]);
    return {
      id: 'reversal-bandit',
      options: o,
      metadata: { description: `reversal bandit (${o.high} vs ${o.low}), ${o.trials} trials`, papers: [] },
      observationSpace: { kind: 'box', shape: [1], low: 1, high: 1 },
      actionSpace: { kind: 'discrete', n: 2 },
      observationSize: 1,
      numActions: 2,
      episodeLength: o.trials,
      trialsPerEpisode: o.trials,
      infoFields: BANDIT_INFO_FIELDS,
      traits: { bernoulliArms: true, stationaryArms: false, expectedRewards: true },
      mainMeasure: expectedRegretMeasure(o.trials),
      sample(rng) {
        // Every draw comes from the instance's stream: the better arm, the reversal trial, the rewards.
        const first = rng.int(2);
        const reversalTrial = 1 + rng.int(o.trials - 1);
        let trial = 0;
        const now = () => means(trial < reversalTrial ? first : 1 - first);
        return {
          reset: () => {
            trial = 0;
            return Float64Array.of(1);
          },
          step(action) {
            if (trial >= o.trials) throw new Error('reversal-bandit: step() after the episode ended');
            const m = now();
            const best = Math.max(...m);
            const reward = rng.uniform() < m[action] ? 1 : 0;
            const info = { trial, newTrial: true, expectedReward: m[action], bestExpectedReward: best };
            trial++;
            return {
              observation: Float64Array.of(1),
              reward,
              done: trial >= o.trials,
              info: {
                ...info,
                expectedRegret: best - m[action],
                correct: m[action] >= best,
                optimalAction: m.indexOf(best),
              },
            };
          },
          groundTruth: () => ({ expectedRewards: now(), reversalTrial }),
        };
      },
    };
  },
};
