// The greedy bandit agent: always pulls the arm with the highest posterior mean under a Beta(1, 1)
// prior, (1 + successes) / (2 + pulls), ties broken uniformly at random (option `ties`). It never
// explores on purpose; the prior's pseudo-counts make an untried arm worth 1/2. This is the
// "Greedy" baseline of RL² (Duan et al. 2016, Table 1), which used the same Beta(1, 1) smoothing
// but took the lowest index among ties (`ties: 'first'`), which explores less.
import { z } from 'zod';
import { parseOptions } from '../src/core/options.ts';
import type { Agent, AgentInput, AgentOutput } from '../src/core/types.ts';
import { ArmCounts, banditOnly, TIE_BREAKS, type TieBreak, uniformOverBest } from './kit/bandit-counts.ts';
import type { AgentEntry } from './kit/entry.ts';

export const greedyOptions = z
  .object({
    /** Among arms with equal posterior means: `random` (uniform) or `first` (lowest index, as in RL²). */
    ties: z.enum(TIE_BREAKS).default('random'),
  })
  .strict();
export type GreedyOptions = z.output<typeof greedyOptions>;

export class GreedyAgent implements Agent {
  readonly id: string = 'greedy';
  readonly kind = 'classic' as const;
  protected readonly counts: ArmCounts;
  private scores: Float64Array;

  constructor(
    readonly numActions: number,
    readonly ties: TieBreak = 'random',
  ) {
    this.counts = new ArmCounts(numActions);
    this.scores = new Float64Array(numActions);
  }

  begin(batchSize: number): void {
    this.counts.begin(batchSize);
  }

  act(input: AgentInput): AgentOutput {
    this.counts.update(input);
    const k = this.numActions;
    const batch = this.counts.batchSize;
    const probs = new Float64Array(batch * k);
    for (let b = 0; b < batch; b++) {
      for (let a = 0; a < k; a++) this.scores[a] = this.counts.posteriorMean(b, a);
      uniformOverBest(this.scores, 0, k, probs, b * k, this.ties);
    }
    return { probs };
  }
}

export const greedy: AgentEntry = {
  id: 'greedy',
  kind: 'classic',
  description: 'pulls the arm with the best Beta(1,1) posterior mean (RL² Table 1 "Greedy")',
  cannotPlay: banditOnly,
  create(family, options) {
    const { ties } = parseOptions('greedy', greedyOptions, options);
    return new GreedyAgent(family.numActions, ties);
  },
};
