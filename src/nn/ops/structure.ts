// Concatenation and slicing: of columns (joining observation, previous action and reward into one
// input; splitting heads), and of rows (stacking time steps).

import { finishOp, finishUnaryOp, recordingAny } from '../tape.ts';
import { Tensor } from '../tensor.ts';

/** [t₁ t₂ …] side by side; all parts must have the same number of rows. */
export function concatColumns(parts: readonly Tensor[]): Tensor {
  if (parts.length === 0) throw new Error('concatColumns: no tensors given');
  const m = parts[0].rows;
  let n = 0;
  for (const p of parts) {
    if (p.rows !== m)
      throw new Error(`concatColumns: shapes ${parts[0].shape} and ${p.shape} do not match (row counts differ)`);
    n += p.cols;
  }
  const out = new Tensor(m, n);
  const o = out.data;
  let offset = 0;
  for (const p of parts) {
    const w = p.cols;
    const x = p.data;
    for (let i = 0; i < m; i++) {
      const src = i * w;
      const dst = i * n + offset;
      for (let j = 0; j < w; j++) o[dst + j] = x[src + j];
    }
    offset += w;
  }
  finishOp(
    'concatColumns',
    parts,
    [out],
    recordingAny(parts)
      ? () => {
          const g = out.grad!;
          let off = 0;
          for (const p of parts) {
            const w = p.cols;
            if (p.requiresGrad) {
              const gp = p.gradBuffer();
              for (let i = 0; i < m; i++) {
                const src = i * n + off;
                const dst = i * w;
                for (let j = 0; j < w; j++) gp[dst + j] += g[src + j];
              }
            }
            off += w;
          }
        }
      : null,
  );
  return out;
}

/** Columns start … end−1 of a (end exclusive). */
export function sliceColumns(a: Tensor, start: number, end: number): Tensor {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > a.cols || start > end) {
    throw new Error(`sliceColumns: columns ${start}..${end} are outside a tensor of shape ${a.shape}`);
  }
  const m = a.rows;
  const n = a.cols;
  const w = end - start;
  const out = new Tensor(m, w);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < m; i++) {
    const src = i * n + start;
    const dst = i * w;
    for (let j = 0; j < w; j++) o[dst + j] = x[src + j];
  }
  finishUnaryOp('sliceColumns', a, out, (g, ga) => {
    for (let i = 0; i < m; i++) {
      const dst = i * n + start;
      const src = i * w;
      for (let j = 0; j < w; j++) ga[dst + j] += g[src + j];
    }
  });
  return out;
}

/** The parts stacked vertically; all must have the same number of columns. */
export function concatRows(parts: readonly Tensor[]): Tensor {
  if (parts.length === 0) throw new Error('concatRows: no tensors given');
  const n = parts[0].cols;
  let m = 0;
  for (const p of parts) {
    if (p.cols !== n)
      throw new Error(`concatRows: shapes ${parts[0].shape} and ${p.shape} do not match (column counts differ)`);
    m += p.rows;
  }
  const out = new Tensor(m, n);
  let offset = 0;
  for (const p of parts) {
    out.data.set(p.data, offset);
    offset += p.size;
  }
  finishOp(
    'concatRows',
    parts,
    [out],
    recordingAny(parts)
      ? () => {
          const g = out.grad!;
          let off = 0;
          for (const p of parts) {
            if (p.requiresGrad) {
              const gp = p.gradBuffer();
              for (let i = 0; i < gp.length; i++) gp[i] += g[off + i];
            }
            off += p.size;
          }
        }
      : null,
  );
  return out;
}

/** Rows start … end−1 of a (end exclusive). */
export function sliceRows(a: Tensor, start: number, end: number): Tensor {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > a.rows || start > end) {
    throw new Error(`sliceRows: rows ${start}..${end} are outside a tensor of shape ${a.shape}`);
  }
  const n = a.cols;
  const out = new Tensor(end - start, n, a.data.slice(start * n, end * n));
  finishUnaryOp('sliceRows', a, out, (g, ga) => {
    const off = start * n;
    for (let i = 0; i < g.length; i++) ga[off + i] += g[i];
  });
  return out;
}
