// Wall time of the exact Bayes-optimal dynamic programs (agents/bayes-optimal.ts) and of the
// Gittins index table (agents/gittins.ts), on one core. Prints one JSON object.
//   node bin/run-ts.js scripts/bench/bayes-optimal.ts
import { DEFAULT_MAX_STATES } from '../../agents/bayes-optimal.ts';
import { GittinsTable } from '../../agents/gittins.ts';
import { IndependentArmsSolution, SharedPosteriorSolution } from '../../agents/kit/bandit-dp.ts';

function time<T>(build: () => T): { result: T; seconds: number } {
  const start = performance.now();
  const result = build();
  return { result, seconds: (performance.now() - start) / 1000 };
}

const independent = [
  [2, 100],
  [3, 25],
  [5, 10],
  [10, 10],
].map(([arms, trials]) => {
  const { result, seconds } = time(() => new IndependentArmsSolution(arms, trials, DEFAULT_MAX_STATES));
  const best = { 2: 2 / 3, 3: 3 / 4, 5: 5 / 6, 10: 10 / 11 }[arms] ?? NaN; // E[max of k U(0,1)] = k/(k+1)
  return {
    model: 'independent',
    arms,
    trials,
    states: result.states,
    seconds,
    exactExpectedReward: result.expectedReward,
    exactExpectedRegret: best * trials - result.expectedReward,
  };
});

const shared = (
  [
    ['uniform', { kind: 'dependent', trials: 100 }, 0.75],
    ['easy', { kind: 'hypotheses', trials: 100, better: 0.9 }, 0.9],
    ['medium', { kind: 'hypotheses', trials: 100, better: 0.75 }, 0.75],
    ['hard', { kind: 'hypotheses', trials: 100, better: 0.6 }, 0.6],
  ] as const
).map(([variant, model, best]) => {
  const { result, seconds } = time(() => new SharedPosteriorSolution(model));
  return {
    model: `bandit-correlated/${variant}`,
    trials: 100,
    states: result.states,
    seconds,
    exactExpectedReward: result.expectedReward,
    exactExpectedRegret: best * 100 - result.expectedReward,
  };
});

const gittins = [0.9, 0.99].map((discount) => {
  const table = new GittinsTable(discount);
  const { seconds } = time(() => {
    for (let n = 0; n < 100; n++) for (let s = 0; s <= n; s++) table.index(s, n - s);
  });
  return { discount, states: 5050, note: 'all Beta(1+s, 1+f) with s+f < 100', seconds };
});

process.stdout.write(
  `${JSON.stringify({ bayesOptimal: [...independent, ...shared], gittinsTable: gittins }, null, 2)}\n`,
);
