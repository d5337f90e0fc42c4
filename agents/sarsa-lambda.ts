// `sarsa-lambda`: the model-free learner of Daw et al. (2011) for two-step tasks, SARSA(λ) with
// softmax choices and perseveration (agents/kit/two-step-learner.ts with w = 0). Its defaults are the
// medians of the parameters Daw et al. fitted to their participants (Table 1); its memory of an
// episode is its value tables, changed by the prediction errors of every trial: synapses.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { AgentEntry } from './kit/entry.ts';
import { TwoStepLearner, twoStepOnly } from './kit/two-step-learner.ts';

export const sarsaLambdaOptions = z.strictObject({
  alpha1: option(z.number().min(0).max(1).default(0.54), 'α₁, the learning rate of the first-stage values'),
  alpha2: option(z.number().min(0).max(1).default(0.42), 'α₂, the learning rate of the second-stage values'),
  lambda: option(z.number().min(0).max(1).default(0.57), 'λ, the eligibility of the first choice for the reward'),
  beta1: option(z.number().min(0).max(100).default(5.19), 'β₁, the inverse temperature of the first choice'),
  beta2: option(z.number().min(0).max(100).default(3.69), 'β₂, the inverse temperature of the second choice'),
  perseveration: option(z.number().min(-10).max(10).default(0.11), 'p, the bonus of repeating the last first choice'),
});
export type SarsaLambdaOptions = z.output<typeof sarsaLambdaOptions>;

export const sarsaLambda: AgentEntry = {
  id: 'sarsa-lambda',
  kind: 'plastic',
  description: 'model-free SARSA(λ) for two-step tasks, not meta-trained (Daw et al. 2011)',
  options: sarsaLambdaOptions,
  papers: ["Daw et al. 2011, Model-based influences on humans' choices and striatal prediction errors"],
  cannotPlay: twoStepOnly,
  create(family, options) {
    const o = parseOptions('sarsa-lambda', sarsaLambdaOptions, options);
    return new TwoStepLearner('sarsa-lambda', 'plastic', family, { ...o, w: 0 });
  },
};
