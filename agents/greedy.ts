// The greedy bandit agent: always pulls the arm with the highest posterior mean under a Beta(1, 1)
// prior, (1 + successes) / (2 + pulls), ties broken uniformly at random (option `ties`). It never
// explores on purpose; the prior's pseudo-counts make an untried arm worth 1/2. This is the
// "Greedy" baseline of RL² (Duan et al. 2016, Table 1), which used the same Beta(1, 1) smoothing
// but took the lowest index among ties (`ties: 'first'`), which explores less.
import { z } from 'zod';
import { parseOptions } from '../src/core/options.ts';
import { banditOnly, CountingBanditAgent, tiesOption, uniformOverBest } from './kit/bandit-counts.ts';
import type { AgentEntry } from './kit/entry.ts';

export const greedyOptions = z.strictObject({
  ties: tiesOption,
});
export type GreedyOptions = z.output<typeof greedyOptions>;

export class GreedyAgent<O extends GreedyOptions = GreedyOptions> extends CountingBanditAgent<O> {
  readonly id: string = 'greedy';

  protected chooseRow(b: number, probs: Float64Array, offset: number): void {
    for (let a = 0; a < this.numActions; a++) this.scores[a] = this.counts.posteriorMean(b, a);
    uniformOverBest(this.scores, 0, this.numActions, probs, offset, this.options.ties);
  }
}

export const greedy: AgentEntry = {
  id: 'greedy',
  kind: 'classic',
  description: 'pulls the arm with the best Beta(1,1) posterior mean (RL² Table 1 "Greedy")',
  options: greedyOptions,
  papers: ['Duan et al. 2016, RL²: Fast reinforcement learning via slow reinforcement learning (Table 1)'],
  cannotPlay: banditOnly,
  create(family, options) {
    return new GreedyAgent(family.numActions, parseOptions('greedy', greedyOptions, options));
  },
};
