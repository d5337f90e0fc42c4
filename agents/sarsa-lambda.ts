// `sarsa-lambda`: the model-free learner of Daw et al. (2011) for two-step tasks, SARSA(λ) with
// softmax choices and perseveration (agents/kit/two-step-learner.ts with w = 0). Its defaults are the
// medians of the parameters Daw et al. fitted to their participants (Table 1); its memory of an
// episode is its value tables, changed by the prediction errors of every trial: synapses.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { AgentEntry } from './kit/entry.ts';
import { TWO_STEP_OPTION_FIELDS, TwoStepLearner, twoStepOnly } from './kit/two-step-learner.ts';

export const sarsaLambdaOptions = z.strictObject({
  alpha1: option(z.number().min(0).max(1).default(0.54), 'α₁, the learning rate of the first-stage values'),
  lambda: option(z.number().min(0).max(1).default(0.57), 'λ, the eligibility of the first choice for the reward'),
  ...TWO_STEP_OPTION_FIELDS,
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
    return new TwoStepLearner('sarsa-lambda', family, { ...o, w: 0 });
  },
};
