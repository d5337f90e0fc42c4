// Seeded randomness for all of engram. Every random draw in the project comes from an Rng that
// was handed in; nothing uses an unseeded global generator. The generator is seedrandom's Alea (Baagøe), whose
// whole state is four numbers, so a checkpoint can store it as plain JSON and a restored stream
// continues draw for draw.
import seedrandom from 'seedrandom';

/** Alea's internal state, as seedrandom exposes it. */
export interface AleaState {
  c: number;
  s0: number;
  s1: number;
  s2: number;
}

/** Everything needed to continue a stream exactly: its name (for deriving streams) and Alea's state. */
export interface RngState {
  path: string;
  alea: AleaState;
}

type AleaPrng = (() => number) & { state(): AleaState; int32(): number; double(): number };

function isAleaState(x: unknown): x is AleaState {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  return ['c', 's0', 's1', 's2'].every((k) => typeof s[k] === 'number' && Number.isFinite(s[k] as number));
}

export class Rng {
  /** The stream's name: the root seed, then one `/name` per fork. Derived streams depend only on it. */
  readonly path: string;
  private prng: AleaPrng;

  private constructor(path: string, prng: AleaPrng) {
    this.path = path;
    this.prng = prng;
  }

  /** A generator from a seed (an integer or a string). */
  static fromSeed(seed: number | string): Rng {
    if (typeof seed === 'number' && !Number.isFinite(seed))
      throw new Error(`Rng.fromSeed: seed must be finite, got ${seed}`);
    const path = String(seed);
    return new Rng(path, seedrandom.alea(path, { state: true }) as unknown as AleaPrng);
  }

  /** A generator that continues exactly where `state` was saved. */
  static fromState(state: RngState): Rng {
    if (typeof state !== 'object' || state === null || typeof state.path !== 'string' || !isAleaState(state.alea)) {
      throw new Error('Rng.fromState: malformed generator state (expected { path, alea: { c, s0, s1, s2 } })');
    }
    return new Rng(state.path, seedrandom.alea('', { state: { ...state.alea } }) as unknown as AleaPrng);
  }

  /**
   * An independent stream derived from this one's name and `name` (for example `rng.fork("train-tasks")`).
   * It does not consume draws from this stream and does not depend on how many draws were made, so
   * components can be added without shifting each other's randomness. Forking the same name twice
   * gives the same stream: name each consumer once.
   */
  fork(name: string): Rng {
    return Rng.fromSeed(`${this.path}/${name}`);
  }

  /** The state, as plain JSON-safe data. */
  state(): RngState {
    return { path: this.path, alea: { ...this.prng.state() } };
  }

  /** Overwrite this generator's state in place (for components that hold a reference to it). */
  restore(state: RngState): void {
    const other = Rng.fromState(state);
    (this as { path: string }).path = other.path;
    this.prng = other.prng;
  }

  /** Uniform on [0, 1) with 53 bits of resolution (Alea's `double`). */
  uniform(): number {
    return this.prng.double();
  }

  /** Uniform on [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.prng.double();
  }

  /** An integer uniform on {0, …, n−1}. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new Error(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.prng.double() * n);
  }

  /** An integer uniform on {low, …, high} (both included). */
  intRange(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.prng.double() < p;
  }

  /**
   * Standard normal by the Box–Muller transform. Both uniforms are drawn for every call and the
   * second normal of the pair is discarded, so the generator's state is Alea's state alone.
   */
  normal(mean = 0, std = 1): number {
    let u = this.prng.double();
    while (u === 0) u = this.prng.double();
    const v = this.prng.double();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Gamma(shape, 1) by Marsaglia & Tsang (2000); for shape < 1, Gamma(shape + 1) · U^(1/shape).
   */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new Error(`Rng.gamma: shape must be > 0, got ${shape}`);
    if (shape < 1) {
      const g = this.gamma(shape + 1);
      let u = this.prng.double();
      while (u === 0) u = this.prng.double();
      return g * u ** (1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.prng.double();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /** One element of a non-empty array, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.choice: empty array');
    return items[this.int(items.length)];
  }

  /** An index drawn from the (unnormalized, non-negative) weights. */
  categorical(weights: ArrayLike<number>, offset = 0, length = weights.length - offset): number {
    let total = 0;
    for (let i = 0; i < length; i++) total += weights[offset + i];
    if (!(total > 0)) throw new Error('Rng.categorical: weights must have a positive sum');
    let u = this.prng.double() * total;
    for (let i = 0; i < length; i++) {
      u -= weights[offset + i];
      if (u < 0) return i;
    }
    // Rounding left u at or just above 0: return the last index with positive weight.
    for (let i = length - 1; i >= 0; i--) if (weights[offset + i] > 0) return i;
    return length - 1;
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** A fresh integer seed in [0, 2^31), for seeding things that take integers. */
  seed(): number {
    return Math.floor(this.prng.double() * 2147483648);
  }
}
