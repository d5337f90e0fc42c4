// `model-based`: the model-based learner of Daw et al. (2011) for two-step tasks. It knows the
// transition probabilities and learns only the second-stage values; its first choice weighs each
// action by where it usually leads, Q_MB(a) = Σ_s P(s | a) max_a' Q₂(s, a') (agents/kit/
// two-step-learner.ts with w = 1). Its defaults are the medians Daw et al. fitted (Table 1); its
// memory of an episode is its second-stage values: synapses.
import { z } from 'zod';
import { parseOptions } from '../src/core/options.ts';
import type { AgentEntry } from './kit/entry.ts';
import { TWO_STEP_OPTION_FIELDS, TwoStepLearner, twoStepOnly } from './kit/two-step-learner.ts';

export const modelBasedOptions = z.strictObject(TWO_STEP_OPTION_FIELDS);
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
    return new TwoStepLearner('model-based', family, { ...o, alpha1: 0, lambda: 0, w: 1 });
  },
};
