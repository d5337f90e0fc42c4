// Reductions to a 1×1 scalar (losses), and the per-row gather of log-probabilities of the actions taken.

import { finishUnaryOp } from '../tape.ts';
import { Tensor } from '../tensor.ts';

/** Σ of all elements, as a 1×1 tensor. */
export function sum(a: Tensor): Tensor {
  const x = a.data;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const out = Tensor.scalar(s);
  finishUnaryOp('sum', a, out, (g, ga) => {
    const g0 = g[0];
    for (let i = 0; i < ga.length; i++) ga[i] += g0;
  });
  return out;
}

/** Mean of all elements, as a 1×1 tensor (the mean of no elements is an error, not NaN). */
export function mean(a: Tensor): Tensor {
  if (a.size === 0) throw new Error(`mean: the tensor is empty (${a.shape})`);
  const x = a.data;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const count = x.length;
  const out = Tensor.scalar(s / count);
  finishUnaryOp('mean', a, out, (g, ga) => {
    const g0 = g[0] / count;
    for (let i = 0; i < ga.length; i++) ga[i] += g0;
  });
  return out;
}

/** out[i] = a[i, indices[i]] as an m×1 column: the log-probability of the action chosen in each batch row. */
export function gatherColumns(a: Tensor, indices: ArrayLike<number>): Tensor {
  if (indices.length !== a.rows)
    throw new Error(`gatherColumns: ${indices.length} indices for a tensor of shape ${a.shape}`);
  const m = a.rows;
  const n = a.cols;
  const idx = Int32Array.from(indices);
  for (let i = 0; i < m; i++) {
    if (idx[i] !== indices[i] || idx[i] < 0 || idx[i] >= n) {
      throw new Error(`gatherColumns: index ${indices[i]} in row ${i} is outside a tensor of shape ${a.shape}`);
    }
  }
  const out = new Tensor(m, 1);
  for (let i = 0; i < m; i++) out.data[i] = a.data[i * n + idx[i]];
  finishUnaryOp('gatherColumns', a, out, (g, ga) => {
    for (let i = 0; i < m; i++) ga[i * n + idx[i]] += g[i];
  });
  return out;
}
