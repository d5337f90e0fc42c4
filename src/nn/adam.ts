// Adam (Kingma & Ba 2015, Algorithm 1) with bias correction, in PyTorch's arithmetic order so that
// runs can be compared step for step: p ← p − (α / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
// Its state (step count and both moment estimates) is plain JSON and restores bit-exactly, so a
// resumed run continues exactly.

import { decodeValues, encodeValues } from './module.ts';
import type { Tensor } from './tensor.ts';

export interface AdamOptions {
  /** Step size α (default 1e-3). */
  learningRate?: number;
  /** Decay β₁ of the first-moment estimate (default 0.9). */
  beta1?: number;
  /** Decay β₂ of the second-moment estimate (default 0.999). */
  beta2?: number;
  /** ε added to the denominator (default 1e-8). */
  epsilon?: number;
}

/** The optimizer's state as plain JSON-safe data (moments encoded like serialized parameters). */
export interface AdamState {
  step: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  firstMoment: Record<string, (number | string)[]>;
  secondMoment: Record<string, (number | string)[]>;
}

export class Adam {
  /** α; may be changed between steps (learning-rate schedules). */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Number of steps taken (t). */
  stepCount = 0;
  private readonly parameters: Map<string, Tensor>;
  private readonly firstMoment = new Map<string, Float64Array>();
  private readonly secondMoment = new Map<string, Float64Array>();

  constructor(parameters: Map<string, Tensor>, options: AdamOptions = {}) {
    for (const key of Object.keys(options)) {
      if (!['learningRate', 'beta1', 'beta2', 'epsilon'].includes(key))
        throw new Error(`Adam: unknown option '${key}'`);
    }
    this.parameters = parameters;
    this.learningRate = options.learningRate ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    if (!(this.learningRate >= 0)) throw new Error(`Adam: learningRate must be ≥ 0, got ${this.learningRate}`);
    if (!(this.beta1 >= 0 && this.beta1 < 1)) throw new Error(`Adam: beta1 must be in [0, 1), got ${this.beta1}`);
    if (!(this.beta2 >= 0 && this.beta2 < 1)) throw new Error(`Adam: beta2 must be in [0, 1), got ${this.beta2}`);
    if (!(this.epsilon >= 0)) throw new Error(`Adam: epsilon must be ≥ 0, got ${this.epsilon}`);
    for (const [name, t] of parameters) {
      this.firstMoment.set(name, new Float64Array(t.size));
      this.secondMoment.set(name, new Float64Array(t.size));
    }
  }

  /** One update from the parameters' current gradients (a parameter without a gradient counts as zero gradient). */
  step(): void {
    this.stepCount += 1;
    const t = this.stepCount;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const stepSize = this.learningRate / (1 - b1 ** t);
    const sqrtCorrection2 = Math.sqrt(1 - b2 ** t);
    const eps = this.epsilon;
    for (const [name, param] of this.parameters) {
      const m = this.firstMoment.get(name)!;
      const v = this.secondMoment.get(name)!;
      const g = param.grad;
      const p = param.data;
      for (let i = 0; i < p.length; i++) {
        const gi = g === null ? 0 : g[i];
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtCorrection2 + eps);
      }
    }
  }

  /** The state, as plain JSON-safe data. */
  state(): AdamState {
    const firstMoment: Record<string, (number | string)[]> = {};
    const secondMoment: Record<string, (number | string)[]> = {};
    for (const name of this.parameters.keys()) {
      firstMoment[name] = encodeValues(this.firstMoment.get(name)!);
      secondMoment[name] = encodeValues(this.secondMoment.get(name)!);
    }
    return {
      step: this.stepCount,
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      firstMoment,
      secondMoment,
    };
  }

  /** Restores a saved state; its parameter names and sizes must match this optimizer's. */
  loadState(state: AdamState): void {
    if (typeof state !== 'object' || state === null || !Number.isInteger(state.step) || state.step < 0)
      throw new Error('Adam.loadState: malformed state');
    if (state.beta1 !== this.beta1 || state.beta2 !== this.beta2 || state.epsilon !== this.epsilon) {
      throw new Error("Adam.loadState: the saved β₁, β₂, ε differ from this optimizer's");
    }
    const names = [...this.parameters.keys()];
    for (const key of Object.keys(state.firstMoment ?? {}))
      if (!this.parameters.has(key)) throw new Error(`Adam.loadState: unknown parameter '${key}'`);
    const m = new Map<string, Float64Array>();
    const v = new Map<string, Float64Array>();
    for (const name of names) {
      const size = this.parameters.get(name)!.size;
      m.set(name, decodeValues(state.firstMoment?.[name], size, `Adam.loadState: first moment of '${name}'`));
      v.set(name, decodeValues(state.secondMoment?.[name], size, `Adam.loadState: second moment of '${name}'`));
    }
    for (const name of names) {
      this.firstMoment.get(name)!.set(m.get(name)!);
      this.secondMoment.get(name)!.set(v.get(name)!);
    }
    this.stepCount = state.step;
    this.learningRate = state.learningRate;
  }
}
