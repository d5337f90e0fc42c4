// Gradient checking: compares the tape's gradients with finite differences in float64.
//
// A non-scalar output y is reduced to the scalar L = Σ wᵢ yᵢ with fixed pseudo-random weights w
// (a plain sum would hide errors, e.g. every softmax row sums to 1, so Σ softmax has zero gradient).
// The numerical derivative is the fourth-order central difference
//   (8(L(x+h) − L(x−h)) − (L(x+2h) − L(x−2h))) / 12h,  h = 1e-3,
// whose truncation error O(h⁴) and rounding error O(ε_mach/h) are both near 1e-12 for well-scaled
// functions, far below the 1e-6 tolerance. The error of one entry is
//   |a − n| / max(|a| + |n|, floor),  floor = 1e-8,
// relative where the gradient is not tiny, and absolute-over-1e-8 where both are near zero (an
// exactly zero analytic and numeric gradient has error 0).
import { Rng } from '../core/rng.ts';
import { noGrad, Tape, withCheckNumerics } from './tape.ts';
import { Tensor } from './tensor.ts';

export interface GradcheckOptions {
  /** Finite-difference step h (default 1e-3). */
  step?: number;
  /** Denominator floor of the relative error (default 1e-8). */
  floor?: number;
  /** Seed of the projection weights w (default 'gradcheck'). */
  seed?: number | string;
}

export interface GradcheckResult {
  /** The largest relative error over all checked entries. */
  maxRelError: number;
  /** Number of scalar entries checked. */
  checked: number;
  /** The L2 norm of the analytic gradient (a check of a gradient that is zero everywhere proves little). */
  gradientNorm: number;
  /** Where the largest error occurred. */
  worst: { tensor: string; index: number; analytic: number; numeric: number } | null;
}

/**
 * Checks the gradient of `fn` with respect to every entry of `inputs`. `fn` must recompute its
 * output from the inputs' current values each time it is called (it is called 4 times per entry,
 * in inference mode, plus once on a tape). Input gradients and `requiresGrad` flags are restored
 * afterwards. The NaN check is on while it runs.
 */
export function gradcheck(
  fn: () => Tensor,
  inputs: Map<string, Tensor> | Record<string, Tensor>,
  options: GradcheckOptions = {},
): GradcheckResult {
  const h = options.step ?? 1e-3;
  const floor = options.floor ?? 1e-8;
  const named = inputs instanceof Map ? [...inputs] : Object.entries(inputs);
  const saved = named.map(([, t]) => ({ grad: t.grad, requiresGrad: t.requiresGrad }));
  return withCheckNumerics(() => {
    try {
      for (const [, t] of named) {
        t.requiresGrad = true;
        t.grad = null;
      }
      const tape = new Tape();
      const output = tape.record(fn);
      const weights = new Float64Array(output.size);
      if (output.size === 1) weights[0] = 1;
      else {
        const rng = Rng.fromSeed(options.seed ?? 'gradcheck');
        for (let i = 0; i < weights.length; i++) weights[i] = rng.uniformRange(-1, 1);
      }
      tape.backward(output, weights);
      const analytic = named.map(([, t]) => (t.grad === null ? new Float64Array(t.size) : t.grad.slice()));

      const loss = (): number => {
        const y = noGrad(fn);
        if (y.size !== weights.length) throw new Error(`gradcheck: the output changed shape to ${y.shape}`);
        let s = 0;
        for (let i = 0; i < weights.length; i++) s += weights[i] * y.data[i];
        return s;
      };

      let maxRelError = 0;
      let checked = 0;
      let squares = 0;
      let worst: GradcheckResult['worst'] = null;
      named.forEach(([name, t], k) => {
        for (let i = 0; i < t.size; i++) {
          const original = t.data[i];
          t.data[i] = original + h;
          const plus1 = loss();
          t.data[i] = original - h;
          const minus1 = loss();
          t.data[i] = original + 2 * h;
          const plus2 = loss();
          t.data[i] = original - 2 * h;
          const minus2 = loss();
          t.data[i] = original;
          const numeric = (8 * (plus1 - minus1) - (plus2 - minus2)) / (12 * h);
          const a = analytic[k][i];
          squares += a * a;
          const error = Math.abs(a - numeric) / Math.max(Math.abs(a) + Math.abs(numeric), floor);
          checked += 1;
          if (!(error <= maxRelError)) {
            maxRelError = Number.isNaN(error) ? Infinity : error;
            worst = { tensor: name, index: i, analytic: a, numeric };
          }
        }
      });
      return { maxRelError, checked, gradientNorm: Math.sqrt(squares), worst };
    } finally {
      named.forEach(([, t], k) => {
        t.grad = saved[k].grad;
        t.requiresGrad = saved[k].requiresGrad;
      });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Building blocks of the built-in checks (checks.ts, checks-layers.ts).

export interface GradcheckCase {
  name: string;
  run(): GradcheckResult;
}

export function randomTensor(rng: Rng, rows: number, cols: number, low = -1, high = 1): Tensor {
  const t = Tensor.zeros(rows, cols);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniformRange(low, high);
  return t;
}

/** Values of magnitude in [0.2, 1) with random signs: relu's kink at 0 stays farther than 2h away. */
export function awayFromZero(rng: Rng, rows: number, cols: number): Tensor {
  const t = Tensor.zeros(rows, cols);
  for (let i = 0; i < t.size; i++) t.data[i] = (rng.bernoulli(0.5) ? 1 : -1) * rng.uniformRange(0.2, 1);
  return t;
}

export function inputsOf(...modules: { parameters(): Map<string, Tensor> }[]): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  modules.forEach((m, i) => {
    for (const [name, t] of m.parameters()) out.set(`m${i}.${name}`, t);
  });
  return out;
}

export function unary(name: string, op: (a: Tensor) => Tensor, make: (rng: Rng) => Tensor): GradcheckCase {
  return {
    name,
    run: () => {
      const a = make(Rng.fromSeed(name));
      return gradcheck(() => op(a), { a });
    },
  };
}

export function binary(
  name: string,
  op: (a: Tensor, b: Tensor) => Tensor,
  shapeA: [number, number],
  shapeB: [number, number],
): GradcheckCase {
  return {
    name,
    run: () => {
      const rng = Rng.fromSeed(name);
      const a = randomTensor(rng, ...shapeA);
      const b = randomTensor(rng, ...shapeB);
      return gradcheck(() => op(a, b), { a, b });
    },
  };
}
