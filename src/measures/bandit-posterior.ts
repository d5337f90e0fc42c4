// The exact Bayesian posterior over a Bernoulli bandit's arm means, given the choices and rewards
// of one episode, under each prior the bandit tasks draw from (BanditPrior): what an ideal
// observer of the agent's own experience believes before each choice. The bandit tasks declare
// it as latent variables, for decoders to read out of an agent's activity (Wang et al. 2018,
// "Prefrontal cortex as a meta-reinforcement learning system", decoded it from an LSTM).
//
// With s_i successes and f_i failures on arm i:
// - independent uniform arms: arm i ~ Beta(1 + s_i, 1 + f_i), independently;
// - mirrored uniform (means p, 1 − p, p ~ U(0, 1)): a success on arm 1 is a failure of p, so
//   p | data ~ Beta(1 + s₀ + f₁, 1 + f₀ + s₁);
// - mirrored pair (means (q, 1 − q) or (1 − q, q), ½ each): the likelihood ratio of "arm 0 has
//   q" to "arm 1 has q" is (q / (1 − q))^(s₀ + f₁ − f₀ − s₁).
import type { BanditPrior } from '../core/types.ts';

/** The posterior over the arm means after some outcomes. */
export interface ArmPosterior {
  /** The posterior mean of every arm's reward probability. */
  mean: Float64Array;
  /** The posterior standard deviation of every arm's reward probability. */
  sd: Float64Array;
  /** For two arms, the posterior probability that arm 0's mean is the larger one; NaN for more arms. */
  pBetter0: number;
}

/** The posterior of every step of an episode: row t after the outcomes of steps 0 … t − 1. */
export interface ArmPosteriorSeries {
  /** steps × arms, row-major. */
  mean: Float64Array;
  /** steps × arms, row-major. */
  sd: Float64Array;
  /** One per step (NaN for more than two arms). */
  pBetter0: Float64Array;
}

/** log(n!) for n = 0, 1, …, grown on demand (outcome counts stay small: at most the episode's length). */
let logFactorials = new Float64Array([0, 0]);

function logFactorial(n: number): number {
  if (n >= logFactorials.length) {
    const grown = new Float64Array(Math.max(n + 1, 2 * logFactorials.length));
    grown.set(logFactorials);
    for (let i = logFactorials.length; i < grown.length; i++) grown[i] = grown[i - 1] + Math.log(i);
    logFactorials = grown;
  }
  return logFactorials[n];
}

/** log B(a, b) for positive integers a and b: log((a − 1)! (b − 1)! / (a + b − 1)!). */
function logBetaInt(a: number, b: number): number {
  return logFactorial(a - 1) + logFactorial(b - 1) - logFactorial(a + b - 1);
}

/** The standard deviation of Beta(a, b). */
function betaSd(a: number, b: number): number {
  const n = a + b;
  return Math.sqrt((a * b) / (n * n * (n + 1)));
}

/**
 * P(X > ½) for X ~ Beta(a, b), a and b positive integers: 1 − I_½(a, b), and for integers
 * I_x(a, b) = P(Binomial(a + b − 1, x) ≥ a), so P(X > ½) = Σ_{j<a} C(n, j) / 2ⁿ with n = a + b − 1.
 */
export function betaAboveHalf(a: number, b: number): number {
  const n = a + b - 1;
  const logN = logFactorial(n) - n * Math.LN2;
  let sum = 0;
  for (let j = 0; j < a; j++) sum += Math.exp(logN - logFactorial(j) - logFactorial(n - j));
  return Math.min(1, sum);
}

/**
 * P(X > Y) for independent X ~ Beta(a, b) and Y ~ Beta(c, d), positive integers: the closed form
 * Σ_{i<a} B(c + i, b + d) / ((b + i) B(1 + i, b) B(c, d)) (for the integer first shape of X).
 */
export function betaGreater(a: number, b: number, c: number, d: number): number {
  const base = logBetaInt(c, d);
  let sum = 0;
  for (let i = 0; i < a; i++) sum += Math.exp(logBetaInt(c + i, b + d) - Math.log(b + i) - logBetaInt(1 + i, b) - base);
  return Math.min(1, Math.max(0, sum));
}

/** 1 / (1 + e^(−x)), without overflow; ±∞ give 1 and 0. */
function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * The posterior over the arm means under `prior`, after `successes[i]` rewards of 1 and
 * `failures[i]` rewards of 0 on arm i. The mirrored priors are for two arms.
 */
export function armPosterior(
  prior: BanditPrior,
  successes: ArrayLike<number>,
  failures: ArrayLike<number>,
): ArmPosterior {
  const k = successes.length;
  if (failures.length !== k) throw new Error(`armPosterior: ${k} success counts but ${failures.length} failure counts`);
  const mean = new Float64Array(k);
  const sd = new Float64Array(k);
  if (prior.kind === 'independent-uniform') {
    for (let i = 0; i < k; i++) {
      const a = 1 + successes[i];
      const b = 1 + failures[i];
      mean[i] = a / (a + b);
      sd[i] = betaSd(a, b);
    }
    const pBetter0 = k === 2 ? betaGreater(1 + successes[0], 1 + failures[0], 1 + successes[1], 1 + failures[1]) : NaN;
    return { mean, sd, pBetter0 };
  }
  if (k !== 2) throw new Error(`armPosterior: the ${prior.kind} prior is defined for two arms, not ${k}`);
  // Evidence for "arm 0 is the high side": its successes and arm 1's failures.
  const forArm0 = successes[0] + failures[1];
  const againstArm0 = failures[0] + successes[1];
  if (prior.kind === 'mirrored-uniform') {
    const a = 1 + forArm0;
    const b = 1 + againstArm0;
    mean[0] = a / (a + b);
    mean[1] = 1 - mean[0];
    sd[0] = sd[1] = betaSd(a, b);
    return { mean, sd, pBetter0: betaAboveHalf(a, b) };
  }
  const q = prior.better;
  const excess = forArm0 - againstArm0;
  // P(arm 0 has mean q); an excess of 0 (no evidence either way) leaves the prior ½ even when q is 0 or 1.
  const pi = excess === 0 ? 0.5 : logistic(excess * (Math.log(q) - Math.log1p(-q)));
  mean[0] = pi * q + (1 - pi) * (1 - q);
  mean[1] = 1 - mean[0];
  sd[0] = sd[1] = Math.abs(2 * q - 1) * Math.sqrt(pi * (1 - pi));
  const pBetter0 = q > 0.5 ? pi : q < 0.5 ? 1 - pi : 0;
  return { mean, sd, pBetter0 };
}

/**
 * The posterior before every step of an episode of a k-armed Bernoulli bandit: row t after the
 * choices and rewards (0 or 1) of steps 0 … t − 1, so row 0 is the prior.
 */
export function armPosteriorSeries(
  prior: BanditPrior,
  arms: number,
  actions: readonly number[],
  rewards: readonly number[],
): ArmPosteriorSeries {
  const steps = actions.length;
  if (rewards.length !== steps) throw new Error(`armPosteriorSeries: ${steps} actions but ${rewards.length} rewards`);
  const successes = new Float64Array(arms);
  const failures = new Float64Array(arms);
  const out: ArmPosteriorSeries = {
    mean: new Float64Array(steps * arms),
    sd: new Float64Array(steps * arms),
    pBetter0: new Float64Array(steps),
  };
  for (let t = 0; t < steps; t++) {
    const posterior = armPosterior(prior, successes, failures);
    out.mean.set(posterior.mean, t * arms);
    out.sd.set(posterior.sd, t * arms);
    out.pBetter0[t] = posterior.pBetter0;
    const a = actions[t];
    if (!Number.isInteger(a) || a < 0 || a >= arms)
      throw new Error(`armPosteriorSeries: the action at step ${t} is ${a}, not an arm of ${arms}`);
    if (rewards[t] === 1) successes[a]++;
    else if (rewards[t] === 0) failures[a]++;
    else throw new Error(`armPosteriorSeries: the reward at step ${t} is ${rewards[t]}, not 0 or 1`);
  }
  return out;
}
