// The two-armed Bernoulli bandits of Wang et al. 2016 ("Learning to reinforcement learn", section
// 3.1.1) and 2018 ("Prefrontal cortex as a meta-reinforcement learning system"): the arms'
// probabilities are dependent (p and 1 − p), so one arm's outcome says something about the other,
// and a meta-learner can exploit the structure where a classic independent-arms algorithm cannot.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { TaskEntry } from '../src/core/registry.ts';
import type { Rng } from '../src/core/rng.ts';
import type { BanditPrior } from '../src/core/types.ts';
import { type BanditFamily, createBanditFamily } from './kit/bandit.ts';

/** Variants of Wang et al.: how the two arm probabilities are drawn per episode. */
export const CORRELATED_VARIANTS = ['uniform', 'easy', 'medium', 'hard', 'independent'] as const;
export type CorrelatedVariant = (typeof CORRELATED_VARIANTS)[number];

/** The fixed pair {low, high} of the easy, medium and hard variants (the better arm's side is random). */
const FIXED_PAIRS: Record<'easy' | 'medium' | 'hard', readonly [number, number]> = {
  easy: [0.1, 0.9],
  medium: [0.25, 0.75],
  hard: [0.4, 0.6],
};

export const banditCorrelatedOptions = z.strictObject({
  trials: option(z.int().min(1).max(1000).default(100), 'T, pulls per episode (Wang et al. 2016: 100)'),
  // `uniform`: means (p, 1 − p) with p ~ U(0, 1); `easy` {0.1, 0.9}, `medium` {0.25, 0.75},
  // `hard` {0.4, 0.6}; `independent`: both ~ U(0, 1) (no structure to exploit).
  variant: option(z.enum(CORRELATED_VARIANTS).default('uniform'), 'How the arm probabilities are drawn'),
});

export type BanditCorrelatedOptions = z.output<typeof banditCorrelatedOptions>;
export type BanditCorrelatedFamily = BanditFamily<BanditCorrelatedOptions>;

function drawCorrelatedMeans(variant: CorrelatedVariant, rng: Rng): Float64Array {
  if (variant === 'independent') return new Float64Array([rng.uniform(), rng.uniform()]);
  if (variant === 'uniform') {
    const p = rng.uniform();
    return new Float64Array([p, 1 - p]);
  }
  const [low, high] = FIXED_PAIRS[variant];
  return rng.bernoulli(0.5) ? new Float64Array([high, low]) : new Float64Array([low, high]);
}

/** The prior each variant draws its arm probabilities from. */
function priorOf(variant: CorrelatedVariant): BanditPrior {
  if (variant === 'independent') return { kind: 'independent-uniform' };
  if (variant === 'uniform') return { kind: 'mirrored-uniform' };
  return { kind: 'mirrored-pair', better: FIXED_PAIRS[variant][1] };
}

export function createBanditCorrelated(raw?: Record<string, unknown>): BanditCorrelatedFamily {
  const options = parseOptions('bandit-correlated', banditCorrelatedOptions, raw);
  return createBanditFamily({
    id: 'bandit-correlated',
    options,
    metadata: {
      description: `two-armed bandit, variant '${options.variant}', ${options.trials} trials`,
      papers: [
        'Wang et al. 2016, Learning to reinforcement learn',
        'Wang et al. 2018, Prefrontal cortex as a meta-reinforcement learning system',
      ],
    },
    arms: 2,
    trials: options.trials,
    drawMeans: (rng) => drawCorrelatedMeans(options.variant, rng),
    prior: priorOf(options.variant),
  });
}

export const banditCorrelated: TaskEntry = {
  id: 'bandit-correlated',
  description:
    'two-armed bandit with dependent arms (p, 1−p) and the ' +
    'easy/medium/hard/independent variants (Wang et al. 2016/2018)',
  options: banditCorrelatedOptions,
  create: createBanditCorrelated,
};
