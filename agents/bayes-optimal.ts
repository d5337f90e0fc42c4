// The exact Bayes-optimal policy for finite-horizon Bernoulli bandits (Bellman 1956, "A problem in
// the sequential design of experiments"; Berry & Fristedt 1985, "Bandit Problems", ch. 2 and 7),
// by dynamic programming over posterior counts: with T pulls and the prior the task really draws
// from, the policy maximizing the expected total (undiscounted) reward acts greedily on
// Q(state, arm) = p̂ (1 + V(state after a success)) + (1 − p̂) V(state after a failure), where p̂ is
// the posterior predictive probability that the arm pays. Nothing is estimated: V is computed for
// every reachable posterior state by backward induction, and V(empty state) is the exact expected
// total reward of the optimal policy, the ceiling every agent's reward is measured against.
//
// Models, one per prior the bandit tasks draw from:
// - independent arms, each p ~ U(0, 1) (bandit-bernoulli; bandit-correlated `independent`): the
//   state is each arm's (successes s, failures f), p̂ = (s + 1)/(s + f + 2). Arms are exchangeable,
//   so a state is the multiset of its arms' (s, f) pairs, sorted; that cuts the table by about k!.
// - dependent arms (p, 1 − p) with p ~ U(0, 1) (bandit-correlated `uniform`): a success on arm 1
//   and a failure on arm 2 are both evidence for p, so the posterior is Beta(1 + a, 1 + b) with
//   a = s₁ + f₂, b = f₁ + s₂, and the state is (a, b).
// - two hypotheses, arm 1 or arm 2 is the better one with means (q, 1 − q), prior ½ each
//   (bandit-correlated `easy`, `medium`, `hard`): each outcome multiplies the odds of "arm 1 is
//   better" by q/(1−q) or its inverse, so the same (a, b) is sufficient and the posterior
//   probability is 1/(1 + ((1−q)/q)^(a−b)).
import { z } from 'zod';
import { UsageError } from '../src/core/errors.ts';
import { option, parseOptions } from '../src/core/options.ts';
import type { Rng } from '../src/core/rng.ts';
import { traitsOf } from '../src/core/traits.ts';
import type { Agent, TaskFamily } from '../src/core/types.ts';
import { CountingBanditAgent, uniformOverBest } from './kit/bandit-counts.ts';
import {
  type BanditModel,
  type BanditSolution,
  budgetProblem,
  checkBudget,
  IndependentArmsSolution,
  SharedPosteriorSolution,
} from './kit/bandit-dp.ts';
import type { AgentEntry } from './kit/entry.ts';

/** Q-values within this much of the best (relative, at least 1e-12) count as tied. */
const RELATIVE_TIE = (best: number) => 1e-12 * Math.max(1, Math.abs(best));

/** States a table may hold by default: 50M float64 values are 400 MB. */
export const DEFAULT_MAX_STATES = 50_000_000;

export const bayesOptimalOptions = z.strictObject({
  maxStates: option(z.int().min(1).max(200_000_000).default(DEFAULT_MAX_STATES), 'Most states a table may hold'),
});

export type BayesOptimalOptions = z.output<typeof bayesOptimalOptions>;

/** The model for a family, read off the prior it declares (TaskTraits.banditPrior), or the reason there is none. */
export function banditModel(family: TaskFamily): BanditModel | string {
  const traits = traitsOf(family);
  const trials = family.episodeLength;
  if (traits.bernoulliArms && traits.stationaryArms === false) {
    return (
      `bayes-optimal needs stationary arms; on '${family.id}' the arms drift ` +
      `and the posterior over counts is no longer sufficient`
    );
  }
  const prior = traits.banditPrior;
  if (!traits.bernoulliArms || prior === undefined) {
    return (
      `bayes-optimal solves Bernoulli bandits with a known prior (bandit-bernoulli, ` +
      `bandit-correlated); '${family.id}' declares none`
    );
  }
  if (prior.kind === 'independent-uniform') return { kind: 'independent', arms: family.numActions, trials };
  if (family.numActions !== 2)
    return `bayes-optimal: the prior of '${family.id}' is defined for two arms, not ${family.numActions}`;
  if (prior.kind === 'mirrored-uniform') return { kind: 'dependent', trials };
  return { kind: 'hypotheses', trials, better: prior.better };
}

const SOLUTIONS = new Map<string, BanditSolution>();

function modelKey(model: BanditModel): string {
  if (model.kind === 'independent') return `independent:${model.arms}:${model.trials}`;
  if (model.kind === 'dependent') return `dependent:${model.trials}`;
  return `hypotheses:${model.better}:${model.trials}`;
}

/**
 * The solved program for a model, cached for the life of the process (keyed by the model, so
 * bandit-bernoulli with 2 arms and bandit-correlated `independent` share one table).
 */
export function solveModel(model: BanditModel, maxStates = DEFAULT_MAX_STATES): BanditSolution {
  // The budget is checked before the cache, so a smaller budget refuses a table solved earlier.
  if (model.kind === 'independent') checkBudget(model.arms, model.trials, maxStates);
  const key = modelKey(model);
  let solution = SOLUTIONS.get(key);
  if (!solution) {
    solution =
      model.kind === 'independent'
        ? new IndependentArmsSolution(model.arms, model.trials, maxStates)
        : new SharedPosteriorSolution(model);
    SOLUTIONS.set(key, solution);
  }
  return solution;
}

/** Solves (or reuses) the program for a family; UsageError if the family has no exact model or is too large. */
export function solveFamily(family: TaskFamily, maxStates = DEFAULT_MAX_STATES): BanditSolution {
  const model = banditModel(family);
  if (typeof model === 'string') throw new UsageError(model);
  return solveModel(model, maxStates);
}

/** The exact expected total reward of the Bayes-optimal policy on a family (V at the empty state). */
export function exactExpectedReward(family: TaskFamily): number {
  return solveFamily(family).expectedReward;
}

/** Acts greedily on the exact Q-values; tied arms share the probability equally. */
export class BayesOptimalAgent extends CountingBanditAgent<{ solution: BanditSolution }> {
  readonly id = 'bayes-optimal';

  protected chooseRow(b: number, probs: Float64Array, offset: number): void {
    const { counts, scores: q } = this;
    const { solution } = this.options;
    let known: boolean;
    if (solution instanceof IndependentArmsSolution) {
      known = solution.qValues(counts, b, q);
    } else {
      // Evidence for p (arm 1 pays p, arm 2 pays 1 − p): arm 1's successes and arm 2's failures.
      const [s1, s2] = [counts.successes[offset], counts.successes[offset + 1]];
      const [f1, f2] = [counts.pulls[offset] - s1, counts.pulls[offset + 1] - s2];
      known = solution.qValues(s1 + f2, f1 + s2, q);
    }
    if (!known) q.fill(0); // past the horizon the solution was built for: nothing left to gain
    // Exchangeable arms give bit-identical Q-values; the tolerance only absorbs rounding.
    uniformOverBest(q, 0, this.numActions, probs, offset, 'random', RELATIVE_TIE);
  }

  /** What the `baseline` command adds to its report. */
  extraReport(): Record<string, unknown> {
    return { exactExpectedReward: this.options.solution.expectedReward };
  }
}

export const bayesOptimal: AgentEntry = {
  id: 'bayes-optimal',
  kind: 'classic',
  description:
    'exact Bayes-optimal policy for finite-horizon Bernoulli bandits, by ' +
    'dynamic programming over posterior counts (Bellman 1956)',
  options: bayesOptimalOptions,
  papers: ['Bellman 1956, A problem in the sequential design of experiments', 'Berry & Fristedt 1985, Bandit Problems'],
  cannotPlay(family: TaskFamily): string | null {
    const model = banditModel(family);
    if (typeof model === 'string') return model;
    if (model.kind === 'independent') return budgetProblem(model.arms, model.trials, DEFAULT_MAX_STATES);
    return null;
  },
  create(family: TaskFamily, options: Record<string, unknown> | undefined, _rng: Rng): Agent {
    const resolved = parseOptions('bayes-optimal', bayesOptimalOptions, options);
    return new BayesOptimalAgent(family.numActions, { solution: solveFamily(family, resolved.maxStates) });
  },
};
