// Softmax and log-softmax along rows (one distribution over actions per batch row), computed
// after subtracting the row maximum so that large logits do not overflow.
import { Tensor } from '../tensor.ts';
import { finishOp, recording } from '../tape.ts';

/** Each row mapped to exp(x − max) / Σ exp(x − max). */
export function softmax(a: Tensor): Tensor {
  if (a.cols === 0) throw new Error(`softmax: a row of no columns has no distribution (shape ${a.shape})`);
  const m = a.rows;
  const n = a.cols;
  const out = new Tensor(m, n);
  const x = a.data;
  const y = out.data;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (x[row + j] > max) max = x[row + j];
    let total = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(x[row + j] - max);
      y[row + j] = e;
      total += e;
    }
    const inv = 1 / total;
    for (let j = 0; j < n; j++) y[row + j] *= inv;
  }
  finishOp('softmax', [a], [out], recording(a) ? () => {
    const g = out.grad!;
    const ga = a.gradBuffer();
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += g[row + j] * y[row + j];
      for (let j = 0; j < n; j++) ga[row + j] += y[row + j] * (g[row + j] - dot);
    }
  } : null);
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
  for (let i = 0; i < m; i++) {
    const row = i * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (x[row + j] > max) max = x[row + j];
    let total = 0;
    for (let j = 0; j < n; j++) total += Math.exp(x[row + j] - max);
    const shift = max + Math.log(total);
    for (let j = 0; j < n; j++) y[row + j] = x[row + j] - shift;
  }
  finishOp('logSoftmax', [a], [out], recording(a) ? () => {
    const g = out.grad!;
    const ga = a.gradBuffer();
    for (let i = 0; i < m; i++) {
      const row = i * n;
      let total = 0;
      for (let j = 0; j < n; j++) total += g[row + j];
      for (let j = 0; j < n; j++) ga[row + j] += g[row + j] - Math.exp(y[row + j]) * total;
    }
  } : null);
  return out;
}
