// The ε-greedy bandit agent: with probability 1 − ε the greedy choice (best Beta(1, 1) posterior
// mean, ties uniform), with probability ε an arm uniformly at random. It returns these exact
// choice probabilities, (1 − ε)·[a among the tied best]/ties + ε/k, and lets the rollout draw the
// action. RL² (Duan et al. 2016, Table 1) tuned ε on the grid {0, 0.1, …, 1} per setting.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { AgentInput, AgentOutput } from '../src/core/types.ts';
import { GreedyAgent } from './greedy.ts';
import { banditOnly, tiesOption } from './kit/bandit-counts.ts';
import type { AgentEntry } from './kit/entry.ts';

export const epsilonGreedyOptions = z.strictObject({
  epsilon: option(z.number().min(0).max(1).default(0.1), 'Exploration probability ε per pull'),
  ties: tiesOption,
});
export type EpsilonGreedyOptions = z.output<typeof epsilonGreedyOptions>;

export class EpsilonGreedyAgent extends GreedyAgent<EpsilonGreedyOptions> {
  override readonly id = 'epsilon-greedy';

  override act(input: AgentInput): AgentOutput {
    const out = super.act(input);
    const { epsilon } = this.options;
    const explore = epsilon / this.numActions;
    const probs = out.probs;
    for (let i = 0; i < probs.length; i++) probs[i] = (1 - epsilon) * probs[i] + explore;
    return out;
  }
}

export const epsilonGreedy: AgentEntry = {
  id: 'epsilon-greedy',
  kind: 'classic',
  description:
    'greedy on Beta(1,1) posterior means, a uniformly random arm with ' +
    'probability epsilon (option epsilon, default 0.1)',
  options: epsilonGreedyOptions,
  papers: ['Duan et al. 2016, RL²: Fast reinforcement learning via slow reinforcement learning (Table 1)'],
  cannotPlay: banditOnly,
  create(family, options) {
    return new EpsilonGreedyAgent(family.numActions, parseOptions('epsilon-greedy', epsilonGreedyOptions, options));
  },
};
