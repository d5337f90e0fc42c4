// What the classic bandit agents share: Beta(1, 1) success/failure counts per arm and batch
// element, the rule that turns scores into probabilities (uniform over the tied best arms, so
// no arm is favored by its index), and the reason they cannot play non-bandit tasks. Not an
// agent itself.

import { traitsOf } from '../../src/core/traits.ts';
import type { AgentInput, TaskFamily } from '../../src/core/types.ts';

/** Null if a classic bandit algorithm can play the family, otherwise why not. */
export function banditOnly(family: TaskFamily): string | null {
  if (traitsOf(family).bernoulliArms) return null;
  return (
    `it is a bandit algorithm: it treats every action as an arm with a fixed Bernoulli reward probability ` +
    `and has no notion of observations or objects, and '${family.id}' is not a Bernoulli bandit`
  );
}

/**
 * Per batch element and arm: pulls n and successes s (rewards summed; Bernoulli rewards make s the
 * success count). The Beta(1, 1) posterior of an arm is Beta(1 + s, 1 + n − s).
 */
export class ArmCounts {
  pulls = new Float64Array(0);
  successes = new Float64Array(0);
  /** Pulls so far in the episode, per batch element (t in UCB1). */
  totalPulls = new Float64Array(0);
  batchSize = 0;

  constructor(readonly arms: number) {}

  begin(batchSize: number): void {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`begin: batch size must be a positive integer, got ${batchSize}`);
    if (batchSize !== this.batchSize) {
      this.batchSize = batchSize;
      this.pulls = new Float64Array(batchSize * this.arms);
      this.successes = new Float64Array(batchSize * this.arms);
      this.totalPulls = new Float64Array(batchSize);
    } else {
      this.pulls.fill(0);
      this.successes.fill(0);
      this.totalPulls.fill(0);
    }
  }

  /** Counts the previous step's outcome; a previous action of −1 (episode start) counts nothing. */
  update(input: AgentInput): void {
    const k = this.arms;
    if (input.prevAction.length !== this.batchSize)
      throw new Error(`act: batch of ${input.prevAction.length}, but begin() was called with ${this.batchSize}`);
    for (let b = 0; b < this.batchSize; b++) {
      const a = input.prevAction[b];
      if (a < 0) continue;
      this.pulls[b * k + a] += 1;
      this.successes[b * k + a] += input.prevReward[b];
      this.totalPulls[b] += 1;
    }
  }

  /** Posterior mean (1 + s) / (2 + n) of arm a for batch element b. */
  posteriorMean(b: number, a: number): number {
    const i = b * this.arms + a;
    return (1 + this.successes[i]) / (2 + this.pulls[i]);
  }
}

/**
 * How an agent chooses among arms with equal best scores: `random` uniformly (no arm is favored
 * by its index), `first` the lowest index, as numpy's argmax does in the RL² baselines. They are
 * not equivalent: arms are tried in index order under `first`, so a tie between a tried arm and
 * an untried one goes to the tried arm, and the agent explores less.
 */
export const TIE_BREAKS = ['random', 'first'] as const;
export type TieBreak = (typeof TIE_BREAKS)[number];

/**
 * Writes into probs[offset … offset+k) the uniform distribution over the arms whose score equals
 * the maximum (exact equality: equal counts give bit-identical scores), or with `ties = 'first'`
 * the one-hot of the first of them.
 */
export function uniformOverBest(
  scores: ArrayLike<number>,
  scoreOffset: number,
  k: number,
  probs: Float64Array,
  offset: number,
  mode: TieBreak = 'random',
): void {
  let best = -Infinity;
  let count = 0;
  for (let a = 0; a < k; a++) {
    const s = scores[scoreOffset + a];
    if (s > best) {
      best = s;
      count = 1;
    } else if (s === best) count++;
  }
  if (count === 0) {
    // Every score was NaN or −∞: fall back to uniform rather than return an invalid distribution.
    for (let a = 0; a < k; a++) probs[offset + a] = 1 / k;
    return;
  }
  if (mode === 'first') {
    for (let a = 0; a < k; a++) probs[offset + a] = 0;
    for (let a = 0; a < k; a++) {
      if (scores[scoreOffset + a] === best) {
        probs[offset + a] = 1;
        break;
      }
    }
    return;
  }
  const p = 1 / count;
  for (let a = 0; a < k; a++) probs[offset + a] = scores[scoreOffset + a] === best ? p : 0;
}
