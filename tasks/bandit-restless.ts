// A restless two-armed bandit, after the volatile bandit of Wang et al. 2018 ("Prefrontal cortex
// as a meta-reinforcement learning system", the volatility experiment that follows Behrens et al.
// 2007): the arms pay with probabilities (p, 1 − p) and p moves within the episode, so old
// outcomes go stale and the right learning rate depends on how fast p moves.
//
// The drift is our choice (the exact protocol of Wang et al. was not checked): after every trial
// p ← p + N(0, σ²) with σ = `volatility`, reflected back into [0, 1] (a value past an edge is
// mirrored by the edge). Regret is measured against the arm that is best at that trial.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { TaskEntry } from '../src/core/registry.ts';
import type { Rng } from '../src/core/rng.ts';
import { type BanditFamily, createBanditFamily } from './kit/bandit.ts';

export const banditRestlessOptions = z.strictObject({
  trials: option(z.int().min(1).max(1000).default(100), 'Pulls per episode (T), one trial each'),
  // In probability units; 0 makes the bandit stationary.
  volatility: option(z.number().min(0).max(1).default(0.05), "σ, the SD of p's Gaussian step per trial"),
});

export type BanditRestlessOptions = z.output<typeof banditRestlessOptions>;
export type BanditRestlessFamily = BanditFamily<BanditRestlessOptions>;

/** Reflects x into [0, 1] (repeatedly, so a step larger than the interval still lands inside). */
export function reflectUnit(x: number): number {
  let y = x;
  for (;;) {
    if (y < 0) y = -y;
    else if (y > 1) y = 2 - y;
    else return y;
  }
}

export function createBanditRestless(raw?: Record<string, unknown>): BanditRestlessFamily {
  const options = parseOptions('bandit-restless', banditRestlessOptions, raw);
  const sigma = options.volatility;
  return createBanditFamily({
    id: 'bandit-restless',
    options,
    metadata: {
      description: `restless bandit (p, 1−p), p a random walk (σ = ${sigma} per trial), ${options.trials} trials`,
      papers: ['Wang et al. 2018, Prefrontal cortex as a meta-reinforcement learning system', 'Behrens et al. 2007'],
    },
    arms: 2,
    trials: options.trials,
    drawMeans(rng: Rng) {
      const p = rng.uniform();
      return new Float64Array([p, 1 - p]);
    },
    drift(means: Float64Array, rng: Rng) {
      // Always draw, even with σ = 0, so the stream's position depends only on the trial index.
      const p = reflectUnit(means[0] + sigma * rng.normal());
      means[0] = p;
      means[1] = 1 - p;
    },
  });
}

export const banditRestless: TaskEntry = {
  id: 'bandit-restless',
  description:
    'two-armed bandit (p, 1−p) whose p drifts as a reflected Gaussian random walk (volatile bandit, Wang et al. 2018)',
  options: banditRestlessOptions,
  create: createBanditRestless,
};
