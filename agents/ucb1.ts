// UCB1 (Auer, Cesa-Bianchi & Fischer 2002): pull the arm with the highest upper confidence bound
// mean_a + c·sqrt(2 ln t / n_a), t the pulls so far in the episode, ties broken uniformly
// (option `ties`; RL²'s baseline took the lowest index).
//
// Two ways to start (option `prior`):
// - `beta` (default): the RL² baseline (Duan et al. 2016, Table 1). Means and counts carry the
//   Beta(1, 1) pseudo-counts, mean_a = (1 + s_a)/(2 + n_a) with 2 + n_a in the bonus, so no arm
//   must be tried first; ln t is taken as 0 while t ≤ 1. RL² tuned c on {0, 0.1, …, 1}.
// - `none`: the textbook algorithm: every arm is pulled once (untried arms uniformly at random),
//   then mean_a = s_a/n_a. With T < k it never gets past the first round.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import { banditOnly, CountingBanditAgent, tiesOption, uniformOverBest } from './kit/bandit-counts.ts';
import type { AgentEntry } from './kit/entry.ts';

export const ucb1Options = z.strictObject({
  // It multiplies the confidence radius sqrt(2 ln t / n).
  c: option(z.number().min(0).max(100).default(1), 'Exploration constant c (Auer et al.: 1)'),
  // `none`: textbook UCB1, every arm once first.
  prior: option(z.enum(['beta', 'none']).default('beta'), 'beta: Beta(1,1) pseudo-counts (RL²); none: textbook'),
  ties: tiesOption,
});
export type Ucb1Options = z.output<typeof ucb1Options>;

export class Ucb1Agent extends CountingBanditAgent<Ucb1Options> {
  readonly id = 'ucb1';

  protected chooseRow(b: number, probs: Float64Array, offset: number): void {
    const { counts, scores } = this;
    const k = this.numActions;
    const { c, prior } = this.options;
    const t = counts.totalPulls[b];
    const logT = t > 1 ? Math.log(t) : 0;
    let untried = false;
    for (let a = 0; a < k; a++) {
      const i = b * k + a;
      const n = counts.pulls[i];
      const s = counts.successes[i];
      if (prior === 'beta') {
        scores[a] = (1 + s) / (2 + n) + c * Math.sqrt((2 * logT) / (2 + n));
      } else if (n === 0) {
        scores[a] = Number.POSITIVE_INFINITY;
        untried = true;
      } else {
        scores[a] = s / n + c * Math.sqrt((2 * logT) / n);
      }
    }
    if (untried)
      for (let a = 0; a < k; a++) if (scores[a] !== Number.POSITIVE_INFINITY) scores[a] = Number.NEGATIVE_INFINITY;
    uniformOverBest(scores, 0, k, probs, offset, this.options.ties);
  }
}

export const ucb1: AgentEntry = {
  id: 'ucb1',
  kind: 'classic',
  description: 'UCB1 upper confidence bounds (option c, default 1; prior beta|none, default beta as in RL²)',
  options: ucb1Options,
  papers: ['Auer, Cesa-Bianchi & Fischer 2002, Finite-time analysis of the multiarmed bandit problem'],
  cannotPlay: banditOnly,
  create(family, options) {
    return new Ucb1Agent(family.numActions, parseOptions('ucb1', ucb1Options, options));
  },
};
