// `model-based`: the model-based learner of Daw et al. (2011) for two-step tasks. It knows the
// transition probabilities and learns only the second-stage values; its first choice weighs each
// action by where it usually leads, Q_MB(a) = Σ_s P(s | a) max_a' Q₂(s, a') (agents/kit/
// two-step-learner.ts with w = 1). Its defaults are the medians Daw et al. fitted (Table 1); its
// memory of an episode is its second-stage values: synapses.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { AgentEntry } from './kit/entry.ts';
import { TwoStepLearner, twoStepOnly } from './kit/two-step-learner.ts';

export const modelBasedOptions = z.strictObject({
  alpha2: option(z.number().min(0).max(1).default(0.42), 'α₂, the learning rate of the second-stage values'),
  beta1: option(z.number().min(0).max(100).default(5.19), 'β₁, the inverse temperature of the first choice'),
  beta2: option(z.number().min(0).max(100).default(3.69), 'β₂, the inverse temperature of the second choice'),
  perseveration: option(z.number().min(-10).max(10).default(0.11), 'p, the bonus of repeating the last first choice'),
});
export type ModelBasedOptions = z.output<typeof modelBasedOptions>;

export const modelBased: AgentEntry = {
  id: 'model-based',
  kind: 'plastic',
  description:
    'model-based learner for two-step tasks: known transitions, learned second-stage values (Daw et al. 2011)',
  options: modelBasedOptions,
  papers: ["Daw et al. 2011, Model-based influences on humans' choices and striatal prediction errors"],
  cannotPlay: twoStepOnly,
  create(family, options) {
    const o = parseOptions('model-based', modelBasedOptions, options);
    return new TwoStepLearner('model-based', 'plastic', family, { ...o, alpha1: 0, lambda: 0, w: 1 });
  },
};
