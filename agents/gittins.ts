// The Gittins index policy for Bernoulli arms (Gittins & Jones 1974; Gittins 1979, "Bandit
// processes and dynamic allocation indices"; Gittins, Glazebrook & Weber 2011, "Multi-armed Bandit
// Allocation Indices", ch. 8): every arm keeps a Beta(α, β) posterior, starting from Beta(1, 1),
// and the agent pulls the arm whose posterior has the highest index. Under geometric discounting γ
// and independent arms this is the Bayes-optimal policy for the infinite discounted problem; on
// the finite-horizon, undiscounted tasks of engram it is an index heuristic (bayes-optimal.ts is
// the exact answer there).
//
// The index is computed by calibration against a known arm (the retirement formulation of Whittle
// 1980; GGW 2011 §8.3): for a candidate per-step reward λ, solve the optimal-stopping problem
// "play the unknown arm, or retire for ever on λ/(1−γ)" by backward induction over the arm's
// future posterior states, truncated N pulls ahead; the index is the λ at which playing once more
// and retiring now are worth the same. Truncation: beyond depth N the arm is valued as if its mean
// were known (a lower bound), with N = ⌈ln(0.003)/ln γ⌉ (579 for γ = 0.99), which measured below
// 3e-7 from the N = 4000 value for γ ≤ 0.995 and states up to Beta(20, 20).
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { Rng } from '../src/core/rng.ts';
import { traitsOf } from '../src/core/traits.ts';
import type { Agent, TaskFamily } from '../src/core/types.ts';
import { CountingBanditAgent, uniformOverBest } from './kit/bandit-counts.ts';
import type { AgentEntry } from './kit/entry.ts';

export const gittinsOptions = z.strictObject({
  // The larger γ, the longer the outlook and the more it explores; capped at 0.995 because the
  // truncated calibration costs ∝ 1/(1−γ)² per state.
  discount: option(z.number().gt(0).max(0.995).default(0.99), 'γ, the discount of the calibration problem, per pull'),
});

export type GittinsOptions = z.output<typeof gittinsOptions>;

/** The truncation depth of the calibration DP for discount γ (see the header). */
export function gittinsHorizon(discount: number): number {
  return Math.max(30, Math.ceil(Math.log(0.003) / Math.log(discount)));
}

/**
 * One Newton solve of the calibration equation at truncation depth `depth`, starting from `start`
 * (which should not exceed the root). D(λ) = C(λ) − λ/(1−γ), the advantage of pulling once more
 * over retiring, is convex and decreasing in λ (C is a supremum over stopping rules of functions
 * affine in λ), so Newton from the left climbs monotonically to the root; the slope dC/dλ is
 * E[Σ γ^t over the retired pulls], carried through the same backward pass.
 */
function calibrate(
  alpha: number,
  beta: number,
  discount: number,
  depth: number,
  start: number,
  tolerance: number,
  maxSteps: number,
  scratch: CalibrationScratch,
): number {
  const g = discount;
  const retireSlope = 1 / (1 - g);
  const mean0 = alpha / (alpha + beta);
  let value = scratch.value[0];
  let slope = scratch.slope[0];
  let nextValue = scratch.value[1];
  let nextSlope = scratch.slope[1];
  let lambda = start;
  for (let iteration = 0; iteration < maxSteps; iteration++) {
    const retire = lambda * retireSlope;
    // Depth N: the arm's mean is taken as known from here on. States at or below `retired`
    // retire (the advantage of playing grows with the successes i, so the stopping set is a
    // lower interval); their entries are never read, which skips most of the work when λ is high.
    const invN = 1 / (alpha + beta + depth);
    let retired = -1;
    for (let i = depth; i >= 0; i--) {
      const known = (alpha + i) * invN * retireSlope;
      if (retire >= known) {
        retired = i;
        break;
      }
      value[i] = known;
      slope[i] = 0;
    }
    // Depths N−1 … 1: state i (successes so far) moves to i+1 on a success, stays on a failure.
    const playRetiredSlope = g * retireSlope;
    for (let d = depth - 1; d >= 1; d--) {
      const inv = 1 / (alpha + beta + d);
      const below = retired;
      retired = -1;
      // Both successors still playing.
      let i = d;
      for (; i > below; i--) {
        const mean = (alpha + i) * inv;
        const play = mean + g * (mean * value[i + 1] + (1 - mean) * value[i]);
        if (retire >= play) break;
        nextValue[i] = play;
        nextSlope[i] = g * (mean * slope[i + 1] + (1 - mean) * slope[i]);
      }
      if (i > below) {
        retired = i;
      } else {
        // The failure successor retires.
        if (i === below && i >= 0) {
          const mean = (alpha + i) * inv;
          const play = mean + g * (mean * value[i + 1] + (1 - mean) * retire);
          if (retire >= play) retired = i;
          else {
            nextValue[i] = play;
            nextSlope[i] = g * (mean * slope[i + 1] + (1 - mean) * retireSlope);
            i--;
          }
        }
        // Both successors retire: playing once more is worth mean + γ·retire, better iff mean > λ.
        if (retired < 0 && i >= 0) {
          for (; i >= 0; i--) {
            const mean = (alpha + i) * inv;
            if (mean <= lambda) break;
            nextValue[i] = mean + g * retire;
            nextSlope[i] = playRetiredSlope;
          }
          retired = i;
        }
      }
      const v = value;
      value = nextValue;
      nextValue = v;
      const sl = slope;
      slope = nextSlope;
      nextSlope = sl;
    }
    const up = 1 <= retired ? retire : value[1];
    const stay = 0 <= retired ? retire : value[0];
    const upSlope = 1 <= retired ? retireSlope : slope[1];
    const staySlope = 0 <= retired ? retireSlope : slope[0];
    const advantage = mean0 + g * (mean0 * up + (1 - mean0) * stay) - retire;
    const advantageSlope = g * (mean0 * upSlope + (1 - mean0) * staySlope) - retireSlope;
    const step = -advantage / advantageSlope;
    lambda += step;
    if (Math.abs(step) < tolerance) break;
  }
  return lambda;
}

/** Two ping-pong rows of values and slopes for the backward pass (length ≥ depth + 2). */
interface CalibrationScratch {
  value: [Float64Array, Float64Array];
  slope: [Float64Array, Float64Array];
}

function calibrationScratch(depth: number): CalibrationScratch {
  const row = () => new Float64Array(depth + 2);
  return { value: [row(), row()], slope: [row(), row()] };
}

/**
 * Calibration at depth `depth` (scratch rows of length ≥ depth + 2). A shallower truncation
 * undervalues the future, so its index is a lower bound on the deeper one and a start from which
 * Newton climbs monotonically: solve at N/9, then N/3, then step at N. For the table (`exact`
 * false) one full-depth step is kept when it moved less than 1e-5 (Newton's error after a step
 * that small is far below it; measured: within 1e-8 of the converged index); otherwise steps
 * continue until one is below 1e-9.
 */
function solveIndex(
  alpha: number,
  beta: number,
  discount: number,
  depth: number,
  scratch: CalibrationScratch,
  exact: boolean,
): number {
  const mean = alpha / (alpha + beta);
  const ninth = calibrate(alpha, beta, discount, Math.max(2, Math.ceil(depth / 9)), mean, 1e-9, 100, scratch);
  const third = calibrate(alpha, beta, discount, Math.max(2, Math.ceil(depth / 3)), ninth, 1e-9, 100, scratch);
  if (exact) return calibrate(alpha, beta, discount, depth, third, 1e-12, 100, scratch);
  const once = calibrate(alpha, beta, discount, depth, third, 0, 1, scratch);
  return once - third > 1e-5 ? calibrate(alpha, beta, discount, depth, once, 1e-9, 100, scratch) : once;
}

/**
 * The Gittins index of a Bernoulli arm with posterior Beta(alpha, beta) under discount γ, in
 * reward units (a success pays 1): the constant per-pull reward a known arm must pay to be as
 * good as this one. For example Beta(1, 1) has index 0.7029 at γ = 0.9 and 0.8699 at γ = 0.99
 * (Gittins' tables as reproduced by Christian & Griffiths 2016, "Algorithms to Live By", ch. 2).
 * `depth` overrides the truncation N.
 */
export function gittinsIndex(alpha: number, beta: number, discount: number, depth = gittinsHorizon(discount)): number {
  if (!(alpha > 0) || !(beta > 0))
    throw new RangeError(`gittinsIndex: alpha and beta must be > 0, got ${alpha}, ${beta}`);
  if (!(discount > 0 && discount < 1))
    throw new RangeError(`gittinsIndex: discount must be in (0, 1), got ${discount}`);
  if (!Number.isInteger(depth) || depth < 2)
    throw new RangeError(`gittinsIndex: depth must be an integer ≥ 2, got ${depth}`);
  return solveIndex(alpha, beta, discount, depth, calibrationScratch(depth), true);
}

/**
 * Indices of the states Beta(1 + s, 1 + f) for one discount, computed on first use and kept for
 * the life of the process, in a flat triangle indexed by n = s + f (n(n+1)/2 + s).
 */
export class GittinsTable {
  readonly discount: number;
  private indices = new Float64Array(0);
  private capacity = 0;
  private readonly depth: number;
  private readonly scratch: CalibrationScratch;

  constructor(discount: number) {
    this.discount = discount;
    this.depth = gittinsHorizon(discount);
    this.scratch = calibrationScratch(this.depth);
  }

  /** The index of Beta(1 + successes, 1 + failures). */
  index(successes: number, failures: number): number {
    const n = successes + failures;
    if (n >= this.capacity) this.grow(n + 1);
    const slot = (n * (n + 1)) / 2 + successes;
    let v = this.indices[slot];
    if (Number.isNaN(v)) {
      v = solveIndex(1 + successes, 1 + failures, this.discount, this.depth, this.scratch, false);
      this.indices[slot] = v;
    }
    return v;
  }

  private grow(levels: number): void {
    const next = Math.max(levels, 2 * this.capacity, 64);
    const indices = new Float64Array((next * (next + 1)) / 2).fill(Number.NaN);
    indices.set(this.indices);
    this.indices = indices;
    this.capacity = next;
  }
}

const TABLES = new Map<number, GittinsTable>();

/** The process-wide table for a discount (agents and batches share it). */
export function gittinsTable(discount: number): GittinsTable {
  let table = TABLES.get(discount);
  if (!table) {
    table = new GittinsTable(discount);
    TABLES.set(discount, table);
  }
  return table;
}

/** Pulls the arm with the highest Gittins index; tied arms share the probability equally. */
export class GittinsAgent extends CountingBanditAgent<GittinsOptions> {
  readonly id = 'gittins';
  private readonly table = gittinsTable(this.options.discount);

  protected chooseRow(_b: number, probs: Float64Array, offset: number): void {
    const { successes, pulls } = this.counts;
    for (let a = 0; a < this.numActions; a++) {
      this.scores[a] = this.table.index(successes[offset + a], pulls[offset + a] - successes[offset + a]);
    }
    // Equal posteriors give bit-identical indices; the tolerance only absorbs the solver's 1e-11.
    uniformOverBest(this.scores, 0, this.numActions, probs, offset, 'random', 1e-10);
  }
}

export const gittins: AgentEntry = {
  id: 'gittins',
  kind: 'classic',
  description: 'Gittins index policy for Bernoulli arms, Beta(1,1) priors, indices by calibration (Gittins 1979)',
  options: gittinsOptions,
  papers: [
    'Gittins 1979, Bandit processes and dynamic allocation indices',
    'Gittins, Glazebrook & Weber 2011, Multi-armed Bandit Allocation Indices',
  ],
  cannotPlay(family: TaskFamily): string | null {
    const traits = traitsOf(family);
    if (!traits.bernoulliArms) return `gittins needs a bandit with Bernoulli arms; '${family.id}' is not one`;
    // Indices assume stationary arms: on a drifting bandit the counts go stale and the index
    // would keep trusting them, so the agent declines rather than play a policy it does not model.
    if (traits.stationaryArms === false)
      return `gittins assumes stationary arms; '${family.id}' drifts (its indices would trust stale counts)`;
    return null;
  },
  create(family: TaskFamily, options: Record<string, unknown> | undefined, _rng: Rng): Agent {
    return new GittinsAgent(family.numActions, parseOptions('gittins', gittinsOptions, options));
  },
};
