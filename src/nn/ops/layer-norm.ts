// Layer normalization (Ba, Kiros & Hinton 2016, eq. 4) over each row, with a learned gain and
// bias, as one tape node: y = γ ⊙ (x − μ) / √(σ² + ε) + β, σ² the biased variance of the row.

import { addColumnSums } from '../kernels.ts';
import { finishOp, recording } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import { rowVectorFor } from './check.ts';

export function layerNorm(x: Tensor, gain: Tensor, bias: Tensor, epsilon = 1e-5): Tensor {
  rowVectorFor('layerNorm', x, gain);
  rowVectorFor('layerNorm', x, bias);
  if (x.cols === 0) throw new Error(`layerNorm: rows of no columns cannot be normalized (shape ${x.shape})`);
  const m = x.rows;
  const n = x.cols;
  const out = new Tensor(m, n);
  const normalized = new Float64Array(m * n);
  const inverseStd = new Float64Array(m);
  const xs = x.data;
  const gamma = gain.data;
  const beta = bias.data;
  const y = out.data;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    let mu = 0;
    for (let j = 0; j < n; j++) mu += xs[row + j];
    mu /= n;
    let variance = 0;
    for (let j = 0; j < n; j++) {
      const d = xs[row + j] - mu;
      variance += d * d;
    }
    variance /= n;
    const rstd = 1 / Math.sqrt(variance + epsilon);
    inverseStd[i] = rstd;
    for (let j = 0; j < n; j++) {
      const xhat = (xs[row + j] - mu) * rstd;
      normalized[row + j] = xhat;
      y[row + j] = gamma[j] * xhat + beta[j];
    }
  }
  finishOp(
    'layerNorm',
    [x, gain, bias],
    [out],
    recording(x, gain, bias)
      ? () => {
          const g = out.grad!;
          if (gain.requiresGrad) {
            const gg = gain.gradBuffer();
            for (let i = 0; i < m; i++) {
              const row = i * n;
              for (let j = 0; j < n; j++) gg[j] += g[row + j] * normalized[row + j];
            }
          }
          if (bias.requiresGrad) addColumnSums(g, bias.gradBuffer(), m, n);
          if (x.requiresGrad) {
            const gx = x.gradBuffer();
            for (let i = 0; i < m; i++) {
              const row = i * n;
              let meanD = 0;
              let meanDX = 0;
              for (let j = 0; j < n; j++) {
                const d = g[row + j] * gamma[j];
                meanD += d;
                meanDX += d * normalized[row + j];
              }
              meanD /= n;
              meanDX /= n;
              const rstd = inverseStd[i];
              for (let j = 0; j < n; j++) {
                gx[row + j] += rstd * (g[row + j] * gamma[j] - meanD - normalized[row + j] * meanDX);
              }
            }
          }
        }
      : null,
  );
  return out;
}
