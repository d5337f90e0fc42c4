// What the classic bandit agents share: Beta(1, 1) success/failure counts per arm and batch
// element, the rule that turns scores into probabilities (uniform over the tied best arms, so
// no arm is favored by its index), and the reason they cannot play non-bandit tasks. Not an
// agent itself.

import { z } from 'zod';
import { option } from '../../src/core/options.ts';
import { traitsOf } from '../../src/core/traits.ts';
import type { Agent, AgentInput, AgentOutput, TaskFamily } from '../../src/core/types.ts';

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

/** The `ties` option of the classic bandit agents. */
export const tiesOption = option(
  z.enum(TIE_BREAKS).default('random'),
  'Among arms with equal best scores: `random` (uniform) or `first` (lowest index, as in RL²)',
);

/**
 * Writes into probs[offset … offset+k) the uniform distribution over the arms whose score is the
 * maximum (exact equality by default: equal counts give bit-identical scores; `tolerance`, a number
 * or a function of the maximum, absorbs a solver's rounding), or with `ties = 'first'` the one-hot
 * of the first of them. Scores that are all NaN or −∞ give the uniform distribution.
 */
export function uniformOverBest(
  scores: ArrayLike<number>,
  scoreOffset: number,
  k: number,
  probs: Float64Array,
  offset: number,
  mode: TieBreak = 'random',
  tolerance: number | ((best: number) => number) = 0,
): void {
  let best = Number.NEGATIVE_INFINITY;
  for (let a = 0; a < k; a++) if (scores[scoreOffset + a] > best) best = scores[scoreOffset + a];
  if (best === Number.NEGATIVE_INFINITY) {
    for (let a = 0; a < k; a++) probs[offset + a] = 1 / k;
    return;
  }
  const floor = best - (typeof tolerance === 'number' ? tolerance : tolerance(best));
  let count = 0;
  for (let a = 0; a < k; a++) if (scores[scoreOffset + a] >= floor) count++;
  const first = mode === 'first';
  let taken = false;
  for (let a = 0; a < k; a++) {
    const tied = scores[scoreOffset + a] >= floor;
    probs[offset + a] = first ? (tied && !taken ? 1 : 0) : tied ? 1 / count : 0;
    if (tied) taken = true;
  }
}

/**
 * A classic bandit agent that acts on per-arm counts: at every step it counts the previous
 * outcome, then writes each batch element's choice probabilities (`chooseRow`). `options` holds
 * what it was made with: its settings, or the solution it acts on.
 */
export abstract class CountingBanditAgent<O extends object = Record<string, never>> implements Agent {
  abstract readonly id: string;
  readonly kind = 'classic' as const;
  protected readonly counts: ArmCounts;
  /** k scores, scratch for `chooseRow`. */
  protected readonly scores: Float64Array;

  constructor(
    readonly numActions: number,
    readonly options: O,
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
    const probs = new Float64Array(this.counts.batchSize * k);
    for (let b = 0; b < this.counts.batchSize; b++) this.chooseRow(b, probs, b * k);
    return { probs };
  }

  /** Writes batch element b's probabilities over the arms into probs[offset … offset + k). */
  protected abstract chooseRow(b: number, probs: Float64Array, offset: number): void;
}
