// Thompson sampling (Thompson 1933) for Bernoulli arms: draw one probability per arm from its
// Beta(1 + s, 1 + n − s) posterior and pull the arm with the largest draw. The action is sampled
// inside the agent (from the stream it was created with) and returned one-hot; the rollout's draw
// from a one-hot row is then deterministic. As in RL² (Duan et al. 2016, Table 1 "TS") the prior
// is Beta(1, 1) on every arm independently; on the correlated variants of bandit-correlated it
// therefore ignores that the arms' probabilities are p and 1 − p.
import { z } from 'zod';
import { parseOptions } from '../src/core/options.ts';
import type { Rng } from '../src/core/rng.ts';
import { banditOnly, CountingBanditAgent } from './kit/bandit-counts.ts';
import type { AgentEntry } from './kit/entry.ts';

export const thompsonOptions = z.strictObject({});
export type ThompsonOptions = z.output<typeof thompsonOptions>;

export class ThompsonAgent extends CountingBanditAgent {
  readonly id = 'thompson';

  constructor(
    numActions: number,
    private readonly rng: Rng,
  ) {
    super(numActions, {});
  }

  protected chooseRow(_b: number, probs: Float64Array, offset: number): void {
    const { counts } = this;
    let best = Number.NEGATIVE_INFINITY;
    let choice = 0;
    for (let a = 0; a < this.numActions; a++) {
      const i = offset + a;
      const draw = this.rng.beta(1 + counts.successes[i], 1 + counts.pulls[i] - counts.successes[i]);
      // Continuous draws tie with probability 0, so the first maximum is a fair choice.
      if (draw > best) {
        best = draw;
        choice = a;
      }
    }
    probs[offset + choice] = 1;
  }
}

export const thompson: AgentEntry = {
  id: 'thompson',
  kind: 'classic',
  description: 'Thompson sampling with independent Beta(1,1) priors (RL² Table 1 "TS")',
  options: thompsonOptions,
  papers: [
    'Thompson 1933, On the likelihood that one unknown probability exceeds another ' +
      'in view of the evidence of two samples',
  ],
  cannotPlay: banditOnly,
  create(family, options, rng) {
    parseOptions('thompson', thompsonOptions, options);
    return new ThompsonAgent(family.numActions, rng);
  },
};
