// Softmax and log-softmax along rows (one distribution over actions per batch row), computed
// after subtracting the row maximum so that large logits do not overflow.

import { softmaxRow, softmaxRows } from '../kernels.ts';
import { finishUnaryOp } from '../tape.ts';
import { Tensor } from '../tensor.ts';

/** Each row mapped to exp(x − max) / Σ exp(x − max). */
export function softmax(a: Tensor): Tensor {
  if (a.cols === 0) throw new Error(`softmax: a row of no columns has no distribution (shape ${a.shape})`);
  const m = a.rows;
  const n = a.cols;
  const out = new Tensor(m, n);
  const y = out.data;
  softmaxRows(a.data, y, m, n);
  finishUnaryOp('softmax', a, out, (g, ga) => {
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += g[row + j] * y[row + j];
      for (let j = 0; j < n; j++) ga[row + j] += y[row + j] * (g[row + j] - dot);
    }
  });
  return out;
}

/** Each row mapped to x − max − log Σ exp(x − max) (the log of its softmax, without underflow). */
export function logSoftmax(a: Tensor): Tensor {
  if (a.cols === 0) throw new Error(`logSoftmax: a row of no columns has no distribution (shape ${a.shape})`);
  const m = a.rows;
  const n = a.cols;
  const out = new Tensor(m, n);
  const x = a.data;
  const y = out.data;
  const stats = new Float64Array(2);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    softmaxRow(x, row, n, y, row, stats);
    const shift = stats[0] + Math.log(stats[1]);
    for (let j = 0; j < n; j++) y[row + j] = x[row + j] - shift;
  }
  finishUnaryOp('logSoftmax', a, out, (g, ga) => {
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let total = 0;
      for (let j = 0; j < n; j++) total += g[row + j];
      for (let j = 0; j < n; j++) ga[row + j] += g[row + j] - Math.exp(y[row + j]) * total;
    }
  });
  return out;
}
