// Elementwise operations, and the one documented broadcast: a 1×n row vector added to every row.
// Each op writes its own loops (no call per element); `unaryOp` and `binaryOp` do the bookkeeping
// of allocating the output and recording the backward pass on the tape.

import { addColumnSums } from '../kernels.ts';
import { finishOp, finishUnaryOp, recording } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import { rowVectorFor, sameShape } from './check.ts';

/**
 * out = f(a) elementwise: `forward(x, o)` fills the output from the input; `backward(g, ga, x, o)`
 * adds the input's gradient from the output's.
 */
function unaryOp(
  name: string,
  a: Tensor,
  forward: (x: Float64Array, o: Float64Array) => void,
  backward: (g: Float64Array, ga: Float64Array, x: Float64Array, o: Float64Array) => void,
): Tensor {
  const out = new Tensor(a.rows, a.cols);
  forward(a.data, out.data);
  finishUnaryOp(name, a, out, (g, ga) => backward(g, ga, a.data, out.data));
  return out;
}

/** out = f(a, b) elementwise, for two tensors of the same shape; `backward` adds both inputs' gradients. */
function binaryOp(
  name: string,
  a: Tensor,
  b: Tensor,
  forward: (x: Float64Array, y: Float64Array, o: Float64Array) => void,
  backward: (g: Float64Array) => void,
): Tensor {
  sameShape(name, a, b);
  const out = new Tensor(a.rows, a.cols);
  forward(a.data, b.data, out.data);
  finishOp(name, [a, b], [out], recording(a, b) ? () => backward(out.grad!) : null);
  return out;
}

/** a + b (same shape). */
export function add(a: Tensor, b: Tensor): Tensor {
  return binaryOp(
    'add',
    a,
    b,
    (x, y, o) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i] + y[i];
    },
    (g) => {
      if (a.requiresGrad) accumulate(a.gradBuffer(), g, 1);
      if (b.requiresGrad) accumulate(b.gradBuffer(), g, 1);
    },
  );
}

/** a − b (same shape). */
export function sub(a: Tensor, b: Tensor): Tensor {
  return binaryOp(
    'sub',
    a,
    b,
    (x, y, o) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i] - y[i];
    },
    (g) => {
      if (a.requiresGrad) accumulate(a.gradBuffer(), g, 1);
      if (b.requiresGrad) accumulate(b.gradBuffer(), g, -1);
    },
  );
}

/** a ⊙ b, the elementwise (Hadamard) product (same shape). */
export function mul(a: Tensor, b: Tensor): Tensor {
  return binaryOp(
    'mul',
    a,
    b,
    (x, y, o) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i] * y[i];
    },
    (g) => {
      const [x, y] = [a.data, b.data];
      if (a.requiresGrad) {
        const ga = a.gradBuffer();
        for (let i = 0; i < g.length; i++) ga[i] += g[i] * y[i];
      }
      if (b.requiresGrad) {
        const gb = b.gradBuffer();
        for (let i = 0; i < g.length; i++) gb[i] += g[i] * x[i];
      }
    },
  );
}

/** s · a for a constant s. */
export function scale(a: Tensor, s: number): Tensor {
  return unaryOp(
    'scale',
    a,
    (x, o) => {
      for (let i = 0; i < o.length; i++) o[i] = s * x[i];
    },
    (g, ga) => accumulate(ga, g, s),
  );
}

/**
 * Each row i of a (m×n) times the constant factors[i]: the episode-boundary mask
 * `(1 − done) ⊙ h` of recurrent agents. The factors are data, not tensors, and get no gradient.
 */
export function scaleRows(a: Tensor, factors: ArrayLike<number>): Tensor {
  if (factors.length !== a.rows)
    throw new Error(`scaleRows: ${factors.length} factors for a tensor of shape ${a.shape}`);
  const n = a.cols;
  const saved = Float64Array.from(factors);
  // The same loop both ways: out = f ⊙ x, and ga += f ⊙ g.
  const rows = (from: Float64Array, to: Float64Array, add: boolean) => {
    for (let i = 0; i < a.rows; i++) {
      const f = saved[i];
      const row = i * n;
      if (add) for (let j = 0; j < n; j++) to[row + j] += f * from[row + j];
      else for (let j = 0; j < n; j++) to[row + j] = f * from[row + j];
    }
  };
  return unaryOp(
    'scaleRows',
    a,
    (x, o) => rows(x, o, false),
    (g, ga) => rows(g, ga, true),
  );
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
  const backward = () => {
    const g = out.grad!;
    if (a.requiresGrad) accumulate(a.gradBuffer(), g, 1);
    if (row.requiresGrad) addColumnSums(g, row.gradBuffer(), a.rows, n);
  };
  finishOp('addRowVector', [a, row], [out], recording(a, row) ? backward : null);
  return out;
}

/** a². */
export function square(a: Tensor): Tensor {
  return unaryOp(
    'square',
    a,
    (x, o) => {
      for (let i = 0; i < o.length; i++) o[i] = x[i] * x[i];
    },
    (g, ga, x) => {
      for (let i = 0; i < g.length; i++) ga[i] += 2 * x[i] * g[i];
    },
  );
}

/** The logistic function 1 / (1 + e^−a). */
export function sigmoid(a: Tensor): Tensor {
  return unaryOp(
    'sigmoid',
    a,
    (x, o) => {
      for (let i = 0; i < o.length; i++) o[i] = 1 / (1 + Math.exp(-x[i]));
    },
    (g, ga, _x, o) => {
      for (let i = 0; i < g.length; i++) ga[i] += g[i] * o[i] * (1 - o[i]);
    },
  );
}

/** tanh a. */
export function tanh(a: Tensor): Tensor {
  return unaryOp(
    'tanh',
    a,
    (x, o) => {
      for (let i = 0; i < o.length; i++) o[i] = Math.tanh(x[i]);
    },
    (g, ga, _x, o) => {
      for (let i = 0; i < g.length; i++) ga[i] += g[i] * (1 - o[i] * o[i]);
    },
  );
}

/** max(a, 0); the gradient at 0 is taken as 0. */
export function relu(a: Tensor): Tensor {
  return unaryOp(
    'relu',
    a,
    (x, o) => {
      for (let i = 0; i < o.length; i++) o[i] = Math.max(x[i], 0);
    },
    (g, ga, x) => {
      for (let i = 0; i < g.length; i++) if (x[i] > 0) ga[i] += g[i];
    },
  );
}

/** e^a. */
export function exp(a: Tensor): Tensor {
  return unaryOp(
    'exp',
    a,
    (x, o) => {
      for (let i = 0; i < o.length; i++) o[i] = Math.exp(x[i]);
    },
    (g, ga, _x, o) => {
      for (let i = 0; i < g.length; i++) ga[i] += g[i] * o[i];
    },
  );
}

/** The natural logarithm (log 0 = −∞ and log of a negative number = NaN, as in IEEE arithmetic). */
export function log(a: Tensor): Tensor {
  return unaryOp(
    'log',
    a,
    (x, o) => {
      for (let i = 0; i < o.length; i++) o[i] = Math.log(x[i]);
    },
    (g, ga, x) => {
      for (let i = 0; i < g.length; i++) ga[i] += g[i] / x[i];
    },
  );
}

/** target += s · source. */
export function accumulate(target: Float64Array, source: Float64Array, s: number): void {
  if (s === 1) for (let i = 0; i < source.length; i++) target[i] += source[i];
  else for (let i = 0; i < source.length; i++) target[i] += s * source[i];
}
