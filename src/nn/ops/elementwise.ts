// Elementwise operations, and the one documented broadcast: a 1×n row vector added to every row.

import { addColumnSums } from '../kernels.ts';
import { finishOp, recording } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import { rowVectorFor, sameShape } from './check.ts';

/** a + b (same shape). */
export function add(a: Tensor, b: Tensor): Tensor {
  sameShape('add', a, b);
  const out = new Tensor(a.rows, a.cols);
  const x = a.data;
  const y = b.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = x[i] + y[i];
  finishOp(
    'add',
    [a, b],
    [out],
    recording(a, b)
      ? () => {
          const g = out.grad!;
          if (a.requiresGrad) accumulate(a.gradBuffer(), g, 1);
          if (b.requiresGrad) accumulate(b.gradBuffer(), g, 1);
        }
      : null,
  );
  return out;
}

/** a − b (same shape). */
export function sub(a: Tensor, b: Tensor): Tensor {
  sameShape('sub', a, b);
  const out = new Tensor(a.rows, a.cols);
  const x = a.data;
  const y = b.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = x[i] - y[i];
  finishOp(
    'sub',
    [a, b],
    [out],
    recording(a, b)
      ? () => {
          const g = out.grad!;
          if (a.requiresGrad) accumulate(a.gradBuffer(), g, 1);
          if (b.requiresGrad) accumulate(b.gradBuffer(), g, -1);
        }
      : null,
  );
  return out;
}

/** a ⊙ b, the elementwise (Hadamard) product (same shape). */
export function mul(a: Tensor, b: Tensor): Tensor {
  sameShape('mul', a, b);
  const out = new Tensor(a.rows, a.cols);
  const x = a.data;
  const y = b.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = x[i] * y[i];
  finishOp(
    'mul',
    [a, b],
    [out],
    recording(a, b)
      ? () => {
          const g = out.grad!;
          if (a.requiresGrad) {
            const ga = a.gradBuffer();
            for (let i = 0; i < g.length; i++) ga[i] += g[i] * y[i];
          }
          if (b.requiresGrad) {
            const gb = b.gradBuffer();
            for (let i = 0; i < g.length; i++) gb[i] += g[i] * x[i];
          }
        }
      : null,
  );
  return out;
}

/** s · a for a constant s. */
export function scale(a: Tensor, s: number): Tensor {
  const out = new Tensor(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = s * x[i];
  finishOp('scale', [a], [out], recording(a) ? () => accumulate(a.gradBuffer(), out.grad!, s) : null);
  return out;
}

/**
 * Each row i of a (m×n) times the constant factors[i]: the episode-boundary mask
 * `(1 − done) ⊙ h` of recurrent agents. The factors are data, not tensors, and get no gradient.
 */
export function scaleRows(a: Tensor, factors: ArrayLike<number>): Tensor {
  if (factors.length !== a.rows)
    throw new Error(`scaleRows: ${factors.length} factors for a tensor of shape ${a.shape}`);
  const out = new Tensor(a.rows, a.cols);
  const n = a.cols;
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < a.rows; i++) {
    const f = factors[i];
    const row = i * n;
    for (let j = 0; j < n; j++) o[row + j] = f * x[row + j];
  }
  const saved = Float64Array.from(factors);
  finishOp(
    'scaleRows',
    [a],
    [out],
    recording(a)
      ? () => {
          const g = out.grad!;
          const ga = a.gradBuffer();
          for (let i = 0; i < a.rows; i++) {
            const f = saved[i];
            const row = i * n;
            for (let j = 0; j < n; j++) ga[row + j] += f * g[row + j];
          }
        }
      : null,
  );
  return out;
}

/** a + row, with the 1×n row vector added to every row of the m×n tensor a (the only broadcast). */
export function addRowVector(a: Tensor, row: Tensor): Tensor {
  rowVectorFor('addRowVector', a, row);
  const out = new Tensor(a.rows, a.cols);
  const n = a.cols;
  const x = a.data;
  const r = row.data;
  const o = out.data;
  for (let i = 0; i < a.rows; i++) {
    const off = i * n;
    for (let j = 0; j < n; j++) o[off + j] = x[off + j] + r[j];
  }
  finishOp(
    'addRowVector',
    [a, row],
    [out],
    recording(a, row)
      ? () => {
          const g = out.grad!;
          if (a.requiresGrad) accumulate(a.gradBuffer(), g, 1);
          if (row.requiresGrad) addColumnSums(g, row.gradBuffer(), a.rows, n);
        }
      : null,
  );
  return out;
}

/** a². */
export function square(a: Tensor): Tensor {
  const out = new Tensor(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = x[i] * x[i];
  finishOp(
    'square',
    [a],
    [out],
    recording(a)
      ? () => {
          const g = out.grad!;
          const ga = a.gradBuffer();
          for (let i = 0; i < g.length; i++) ga[i] += 2 * x[i] * g[i];
        }
      : null,
  );
  return out;
}

/** The logistic function 1 / (1 + e^−a). */
export function sigmoid(a: Tensor): Tensor {
  const out = new Tensor(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = 1 / (1 + Math.exp(-x[i]));
  finishOp(
    'sigmoid',
    [a],
    [out],
    recording(a)
      ? () => {
          const g = out.grad!;
          const ga = a.gradBuffer();
          for (let i = 0; i < g.length; i++) ga[i] += g[i] * o[i] * (1 - o[i]);
        }
      : null,
  );
  return out;
}

/** tanh a. */
export function tanh(a: Tensor): Tensor {
  const out = new Tensor(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.tanh(x[i]);
  finishOp(
    'tanh',
    [a],
    [out],
    recording(a)
      ? () => {
          const g = out.grad!;
          const ga = a.gradBuffer();
          for (let i = 0; i < g.length; i++) ga[i] += g[i] * (1 - o[i] * o[i]);
        }
      : null,
  );
  return out;
}

/** max(a, 0); the gradient at 0 is taken as 0. */
export function relu(a: Tensor): Tensor {
  const out = new Tensor(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.max(x[i], 0);
  finishOp(
    'relu',
    [a],
    [out],
    recording(a)
      ? () => {
          const g = out.grad!;
          const ga = a.gradBuffer();
          for (let i = 0; i < g.length; i++) if (x[i] > 0) ga[i] += g[i];
        }
      : null,
  );
  return out;
}

/** e^a. */
export function exp(a: Tensor): Tensor {
  const out = new Tensor(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.exp(x[i]);
  finishOp(
    'exp',
    [a],
    [out],
    recording(a)
      ? () => {
          const g = out.grad!;
          const ga = a.gradBuffer();
          for (let i = 0; i < g.length; i++) ga[i] += g[i] * o[i];
        }
      : null,
  );
  return out;
}

/** The natural logarithm (log 0 = −∞ and log of a negative number = NaN, as in IEEE arithmetic). */
export function log(a: Tensor): Tensor {
  const out = new Tensor(a.rows, a.cols);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.log(x[i]);
  finishOp(
    'log',
    [a],
    [out],
    recording(a)
      ? () => {
          const g = out.grad!;
          const ga = a.gradBuffer();
          for (let i = 0; i < g.length; i++) ga[i] += g[i] / x[i];
        }
      : null,
  );
  return out;
}

/** target += s · source. */
export function accumulate(target: Float64Array, source: Float64Array, s: number): void {
  if (s === 1) for (let i = 0; i < source.length; i++) target[i] += source[i];
  else for (let i = 0; i < source.length; i++) target[i] += s * source[i];
}
