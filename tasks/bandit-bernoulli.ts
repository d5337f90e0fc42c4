// The independent Bernoulli multi-armed bandit of Duan et al. 2016 (RL², section 4.1; Table 1):
// k arms whose success probabilities are drawn independently from U(0, 1) for every episode, and
// T pulls per episode. One step is one pull.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { TaskEntry } from '../src/core/registry.ts';
import { type BanditFamily, createBanditFamily } from './kit/bandit.ts';

export const banditBernoulliOptions = z.strictObject({
  arms: option(z.int().min(2).max(50).default(2), 'Number of arms (k in RL²)'),
  trials: option(z.int().min(1).max(1000).default(100), 'Pulls per episode (n in RL², T here), one trial each'),
});

export type BanditBernoulliOptions = z.output<typeof banditBernoulliOptions>;
export type BanditBernoulliFamily = BanditFamily<BanditBernoulliOptions>;

export function createBanditBernoulli(raw?: Record<string, unknown>): BanditBernoulliFamily {
  const options = parseOptions('bandit-bernoulli', banditBernoulliOptions, raw);
  return createBanditFamily({
    id: 'bandit-bernoulli',
    options,
    metadata: {
      description: `${options.arms}-armed Bernoulli bandit, arm probabilities ~ U(0,1), ${options.trials} trials`,
      papers: ['Duan et al. 2016, RL²: Fast reinforcement learning via slow reinforcement learning'],
    },
    arms: options.arms,
    trials: options.trials,
    prior: { kind: 'independent-uniform' },
    drawMeans(rng) {
      const means = new Float64Array(options.arms);
      for (let a = 0; a < options.arms; a++) means[a] = rng.uniform();
      return means;
    },
  });
}

export const banditBernoulli: TaskEntry = {
  id: 'bandit-bernoulli',
  description: 'k-armed Bernoulli bandit, independent arm probabilities ~ U(0,1) (RL², Duan et al. 2016)',
  options: banditBernoulliOptions,
  create: createBanditBernoulli,
};
