// Matrix products on the flat kernels, and the fused affine map used by every Linear layer (one
// tape node for x·W + b instead of two).

import { addColumnSums, broadcastRows, gemm, gemmNT, gemmTN } from '../kernels.ts';
import { finishOp, finishUnaryOp, recording } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import { rowVectorFor } from './check.ts';

/** a·b for a (m×k) and b (k×n). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.cols !== b.rows) throw new Error(`matmul: shapes ${a.shape} and ${b.shape} do not match`);
  const m = a.rows;
  const k = a.cols;
  const n = b.cols;
  const out = new Tensor(m, n);
  gemm(a.data, b.data, out.data, m, k, n, false);
  finishOp(
    'matmul',
    [a, b],
    [out],
    recording(a, b)
      ? () => {
          const g = out.grad!;
          if (a.requiresGrad) gemmNT(g, b.data, a.gradBuffer(), m, n, k, true);
          if (b.requiresGrad) gemmTN(a.data, g, b.gradBuffer(), k, m, n, true);
        }
      : null,
  );
  return out;
}

/** a·bᵀ for a (m×k) and b (n×k): attention scores q·kᵀ without materialising the transpose. */
export function matmulTransposed(a: Tensor, b: Tensor): Tensor {
  if (a.cols !== b.cols) throw new Error(`matmulTransposed: shapes ${a.shape} and ${b.shape} do not match`);
  const m = a.rows;
  const k = a.cols;
  const n = b.rows;
  const out = new Tensor(m, n);
  gemmNT(a.data, b.data, out.data, m, k, n, false);
  finishOp(
    'matmulTransposed',
    [a, b],
    [out],
    recording(a, b)
      ? () => {
          const g = out.grad!;
          // dA = G·B (m×n · n×k); dB = Gᵀ·A (n×m · m×k).
          if (a.requiresGrad) gemm(g, b.data, a.gradBuffer(), m, n, k, true);
          if (b.requiresGrad) gemmTN(g, a.data, b.gradBuffer(), n, m, k, true);
        }
      : null,
  );
  return out;
}

/** aᵀ. */
export function transpose(a: Tensor): Tensor {
  const m = a.rows;
  const n = a.cols;
  const out = new Tensor(n, m);
  const x = a.data;
  const o = out.data;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) o[j * m + i] = x[i * n + j];
  finishUnaryOp('transpose', a, out, (g, ga) => {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) ga[i * n + j] += g[j * m + i];
  });
  return out;
}

/** x·W + b for x (m×in), W (in×out) and an optional bias row b (1×out). */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  if (x.cols !== weight.rows) throw new Error(`linear: shapes ${x.shape} and ${weight.shape} do not match`);
  const m = x.rows;
  const k = x.cols;
  const n = weight.cols;
  const out = new Tensor(m, n);
  if (bias !== null) {
    rowVectorFor('linear', out, bias);
    broadcastRows(bias.data, out.data, m, n);
    gemm(x.data, weight.data, out.data, m, k, n, true);
  } else {
    gemm(x.data, weight.data, out.data, m, k, n, false);
  }
  finishOp(
    'linear',
    bias === null ? [x, weight] : [x, weight, bias],
    [out],
    recording(x, weight, bias)
      ? () => {
          const g = out.grad!;
          if (x.requiresGrad) gemmNT(g, weight.data, x.gradBuffer(), m, n, k, true);
          if (weight.requiresGrad) gemmTN(x.data, g, weight.gradBuffer(), k, m, n, true);
          if (bias?.requiresGrad) addColumnSums(g, bias.gradBuffer(), m, n);
        }
      : null,
  );
  return out;
}
