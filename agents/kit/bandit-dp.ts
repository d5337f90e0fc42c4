// The dynamic programs of the exact Bayes-optimal bandit agent (agents/bayes-optimal.ts), by
// backward induction over posterior counts: independent arms (states are sorted multisets of the
// arms' (successes, failures)), and two arms with one shared unknown (states are (a, b)).
import { UsageError } from '../../src/core/errors.ts';
import type { ArmCounts } from './bandit-counts.ts';

/** What the dynamic program models, read off a task family. */
export type BanditModel =
  | { kind: 'independent'; arms: number; trials: number }
  | { kind: 'dependent'; trials: number }
  | { kind: 'hypotheses'; trials: number; better: number };

// ---------------------------------------------------------------------------------------------
// Independent arms: states are sorted multisets of per-arm pair codes.
//
// An arm's (s, f) with n = s + f is the code n(n+1)/2 + s, so codes grow with n. A state is its k
// codes in non-increasing order with Σ n ≤ T. States are ranked by their position in the
// lexicographic order of these sequences, through a counting table
//   count[j][c][w] = number of non-increasing sequences of length j, codes ≤ c, total n ≤ w,
// so that rank(c₁ … c_k) = Σ_j count[k − j + 1][c_j − 1][T − Σ_{i<j} n(c_i)]. Pulling an arm raises
// its code, and re-sorting a sequence after raising one element makes it lexicographically
// larger, so every successor has a larger rank: backward induction is one sweep over ranks from
// the last to the first.
// ---------------------------------------------------------------------------------------------

function binomial(n: number, r: number): number {
  if (r < 0 || r > n) return 0;
  let x = 1;
  for (let i = 1; i <= r; i++) x = (x * (n - r + i)) / i;
  return x;
}

/**
 * The number of posterior states of the k-armed independent model with horizon T (multisets of
 * k pairs (s, f) with Σ (s + f) ≤ T), or Infinity once it exceeds `cap`. It is first bounded from
 * below by C(T + 2k, 2k)/k! (ordered states over orderings), which refuses absurd sizes at once.
 */
export function independentStateCount(arms: number, trials: number, cap = Number.MAX_VALUE): number {
  let factorial = 1;
  for (let i = 2; i <= arms; i++) factorial *= i;
  if (binomial(trials + 2 * arms, 2 * arms) / factorial > cap) return Infinity;
  // Multisets of nonzero pairs (the rest of the arms are (0, 0)): add the pairs of each n ≥ 1
  // (there are n + 1 of them) as a class; t pairs from a class of m kinds: C(m + t − 1, t) ways.
  const maxItems = Math.min(arms, trials);
  const width = trials + 1;
  let ways = new Float64Array((maxItems + 1) * width);
  ways[0] = 1;
  for (let n = 1; n <= trials; n++) {
    const next = Float64Array.from(ways);
    const kinds = n + 1;
    for (let j = 0; j < maxItems; j++) {
      for (let w = 0; w + n <= trials; w++) {
        const base = ways[j * width + w];
        if (base === 0) continue;
        for (let t = 1; j + t <= maxItems && w + t * n <= trials; t++) {
          next[(j + t) * width + w + t * n] += base * binomial(kinds + t - 1, t);
        }
      }
    }
    ways = next;
    let total = 0;
    for (let i = 0; i < ways.length; i++) total += ways[i];
    if (total > cap) return Infinity;
  }
  let total = 0;
  for (let i = 0; i < ways.length; i++) total += ways[i];
  return total;
}

/**
 * Why a k-armed table with horizon T does not fit the budget (naming k, T and the state count),
 * or null when it fits. Counts up to 1e15 are exact; beyond that the message says "more than".
 */
export function budgetProblem(arms: number, trials: number, maxStates: number): string | null {
  const cap = 1e15;
  const states = independentStateCount(arms, trials, cap);
  if (states <= maxStates) return null;
  const shown = Number.isFinite(states) ? states.toLocaleString('en-US') : `more than ${cap.toExponential(0)}`;
  return (
    `${arms} arms and ${trials} trials need ${shown} posterior states, over the budget of ` +
    `${maxStates.toLocaleString('en-US')} (option maxStates); use fewer arms or trials`
  );
}

export function checkBudget(arms: number, trials: number, maxStates: number): void {
  const problem = budgetProblem(arms, trials, maxStates);
  if (problem) throw new UsageError(`bayes-optimal: ${problem}`);
}

/** The solved independent-arms program. */
export class IndependentArmsSolution {
  readonly arms: number;
  readonly trials: number;
  readonly states: number;
  /** V by rank: expected reward still to come under the optimal policy. */
  readonly values: Float64Array;
  private readonly codes: number;
  private readonly count: Float64Array;
  private readonly weight: Int32Array;
  private readonly codeS: Int32Array;
  private readonly successCode: Int32Array;
  private readonly failureCode: Int32Array;
  private readonly sequence: Int32Array;
  private readonly order: Int32Array;
  private readonly armCodes: Int32Array;

  constructor(arms: number, trials: number, maxStates: number) {
    const k = arms;
    const T = trials;
    this.arms = k;
    this.trials = T;
    checkBudget(k, T, maxStates);
    const P = ((T + 1) * (T + 2)) / 2;
    this.codes = P;
    this.weight = new Int32Array(P);
    this.codeS = new Int32Array(P);
    this.successCode = new Int32Array(P).fill(-1);
    this.failureCode = new Int32Array(P).fill(-1);
    for (let n = 0; n <= T; n++) {
      for (let s = 0; s <= n; s++) {
        const c = (n * (n + 1)) / 2 + s;
        this.weight[c] = n;
        this.codeS[c] = s;
        if (n < T) {
          const up = ((n + 1) * (n + 2)) / 2;
          this.successCode[c] = up + s + 1;
          this.failureCode[c] = up + s;
        }
      }
    }
    // count[j][c][w] for j = 1 … k, flattened as ((j − 1)·P + c)·(T + 1) + w; j = 0 counts 1.
    const W = T + 1;
    const count = new Float64Array(k * P * W);
    for (let j = 1; j <= k; j++) {
      const row = (j - 1) * P;
      for (let c = 0; c < P; c++) {
        const wc = this.weight[c];
        for (let w = 0; w <= T; w++) {
          let x = c > 0 ? count[(row + c - 1) * W + w] : 0;
          if (wc <= w) x += j === 1 ? 1 : count[((j - 2) * P + c) * W + w - wc];
          count[(row + c) * W + w] = x;
        }
      }
    }
    this.count = count;
    this.states = count[((k - 1) * P + P - 1) * W + T];
    this.values = new Float64Array(this.states);
    this.sequence = new Int32Array(k);
    this.order = new Int32Array(k);
    this.armCodes = new Int32Array(k);
    this.solve();
  }

  /** Rank of a non-increasing code sequence. */
  rankOf(sequence: Int32Array): number {
    const k = this.arms;
    const W = this.trials + 1;
    const P = this.codes;
    let budget = this.trials;
    let rank = 0;
    for (let j = 0; j < k; j++) {
      const c = sequence[j];
      if (c > 0) rank += this.count[((k - j - 1) * P + c - 1) * W + budget];
      budget -= this.weight[c];
    }
    return rank;
  }

  /**
   * Rank of `sequence` with its element at `position` (the first of its run of equal codes)
   * raised to `raised`, re-sorted: the raised code moves left past the smaller codes before it.
   */
  private rankRaised(sequence: Int32Array, position: number, raised: number): number {
    const k = this.arms;
    const W = this.trials + 1;
    const P = this.codes;
    let insert = position;
    while (insert > 0 && sequence[insert - 1] < raised) insert--;
    let budget = this.trials;
    let rank = 0;
    for (let j = 0; j < k; j++) {
      const c = j < insert ? sequence[j] : j === insert ? raised : j <= position ? sequence[j - 1] : sequence[j];
      if (c > 0) rank += this.count[((k - j - 1) * P + c - 1) * W + budget];
      budget -= this.weight[c];
    }
    return rank;
  }

  /** Q of raising the code at `position` (first of its run) in a sorted sequence. */
  private q(sequence: Int32Array, position: number): number {
    const c = sequence[position];
    const n = this.weight[c];
    const p = (this.codeS[c] + 1) / (n + 2);
    const win = this.values[this.rankRaised(sequence, position, this.successCode[c])];
    const loss = this.values[this.rankRaised(sequence, position, this.failureCode[c])];
    return p * (1 + win) + (1 - p) * loss;
  }

  private solve(): void {
    const k = this.arms;
    const T = this.trials;
    const sequence = this.sequence;
    const values = this.values;
    let rank = this.states;
    // Sequences in descending lexicographic order, so ranks come out as states − 1, …, 0.
    const visit = (j: number, maxCode: number, budget: number): void => {
      const top = Math.min(maxCode, ((budget + 1) * (budget + 2)) / 2 - 1);
      for (let c = top; c >= 0; c--) {
        sequence[j] = c;
        const left = budget - this.weight[c];
        if (j + 1 < k) {
          visit(j + 1, c, left);
          continue;
        }
        rank--;
        if (left === 0) {
          values[rank] = 0; // all T pulls made
          continue;
        }
        let best = -Infinity;
        for (let i = 0; i < k; i++) {
          if (i > 0 && sequence[i] === sequence[i - 1]) continue;
          const v = this.q(sequence, i);
          if (v > best) best = v;
        }
        values[rank] = best;
      }
    };
    visit(0, this.codes - 1, T);
    if (rank !== 0) throw new Error(`bayes-optimal: enumerated ${this.states - rank} of ${this.states} states`);
  }

  /** V at the empty state: the exact expected total reward of the Bayes-optimal policy. */
  get expectedReward(): number {
    return this.values[0];
  }

  /**
   * Q-values of every arm of batch element `b` given its per-arm counts, into `out`. Returns false
   * when the counts already use up the horizon (no Q-values exist).
   */
  qValues(counts: ArmCounts, b: number, out: Float64Array): boolean {
    const k = this.arms;
    const sequence = this.sequence;
    const order = this.order;
    const codes = this.armCodes;
    let total = 0;
    for (let a = 0; a < k; a++) {
      const s = counts.successes[b * k + a];
      const n = counts.pulls[b * k + a];
      total += n;
      order[a] = a;
      codes[a] = (n * (n + 1)) / 2 + s;
    }
    if (total >= this.trials) return false;
    // Sort arms by code, descending (insertion sort: k is small).
    for (let i = 1; i < k; i++) {
      const a = order[i];
      let j = i - 1;
      while (j >= 0 && codes[order[j]] < codes[a]) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = a;
    }
    for (let i = 0; i < k; i++) sequence[i] = codes[order[i]];
    for (let i = 0; i < k; i++) {
      let first = i;
      while (first > 0 && sequence[first - 1] === sequence[i]) first--;
      out[order[i]] = first === i ? this.q(sequence, i) : out[order[first]];
    }
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Two arms with one shared unknown: the state is (a, b), a + b = n pulls so far, stored as the
// triangle n(n+1)/2 + a. A success on arm 1 or a failure on arm 2 raises a; the others raise b.
// ---------------------------------------------------------------------------------------------

export class SharedPosteriorSolution {
  readonly trials: number;
  readonly states: number;
  readonly values: Float64Array;
  /** Predictive probability that arm 1 pays, per state; arm 2 pays with 1 minus it. */
  private readonly predictive: Float64Array;

  constructor(model: Extract<BanditModel, { kind: 'dependent' | 'hypotheses' }>) {
    const T = model.trials;
    this.trials = T;
    this.states = ((T + 1) * (T + 2)) / 2;
    this.values = new Float64Array(this.states);
    this.predictive = new Float64Array(this.states);
    const logOdds = model.kind === 'hypotheses' ? Math.log(model.better / (1 - model.better)) : 0;
    for (let n = 0; n <= T; n++) {
      for (let a = 0; a <= n; a++) {
        let p: number;
        if (model.kind === 'dependent') {
          p = (a + 1) / (n + 2); // E[p | Beta(1 + a, 1 + b)]
        } else {
          const better = 1 / (1 + Math.exp(-(2 * a - n) * logOdds)); // P(arm 1 is the better one)
          p = better * model.better + (1 - better) * (1 - model.better);
        }
        this.predictive[(n * (n + 1)) / 2 + a] = p;
      }
    }
    for (let n = T - 1; n >= 0; n--) {
      const here = (n * (n + 1)) / 2;
      const next = ((n + 1) * (n + 2)) / 2;
      for (let a = 0; a <= n; a++) {
        const p = this.predictive[here + a];
        const raiseA = this.values[next + a + 1];
        const raiseB = this.values[next + a];
        const arm1 = p * (1 + raiseA) + (1 - p) * raiseB;
        const arm2 = (1 - p) * (1 + raiseB) + p * raiseA;
        this.values[here + a] = Math.max(arm1, arm2);
      }
    }
  }

  get expectedReward(): number {
    return this.values[0];
  }

  /** Q-values of both arms at (a, b) into out[0], out[1]; false when the horizon is used up. */
  qValues(a: number, b: number, out: Float64Array): boolean {
    const n = a + b;
    if (n >= this.trials) return false;
    const p = this.predictive[(n * (n + 1)) / 2 + a];
    const next = ((n + 1) * (n + 2)) / 2;
    const raiseA = this.values[next + a + 1];
    const raiseB = this.values[next + a];
    out[0] = p * (1 + raiseA) + (1 - p) * raiseB;
    out[1] = (1 - p) * (1 + raiseB) + p * raiseA;
    return true;
  }
}

export type BanditSolution = IndependentArmsSolution | SharedPosteriorSolution;
