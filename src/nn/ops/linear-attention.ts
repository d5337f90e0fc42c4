// Linear (softmax-free) attention over a context, for a batch of sequences at once: the attention
// of von Oswald et al. (2022, "Transformers learn in-context by gradient descent", eq. 4), where a
// query token's update is Σᵢ (q·kᵢ) vᵢ over the context tokens i. Without a softmax the sum factors
// through one head-size × head-size summary Mₕ = Σᵢ kᵢ vᵢᵀ per sequence and head, so the op is one
// tape node and costs O(tokens · headSize²).

import { finishOp, recordingAny } from '../tape.ts';
import { Tensor } from '../tensor.ts';

/**
 * Rows are time-major: row t·S + s is token t of sequence s (S = `sequences`), the layout of the
 * step-by-step rollouts. Every token t of sequence s gets, per head h (columns h·headSize …),
 *   out[t, s] = scale · Σ_{i < contextLength} (q[t, s] · k[i, s]) v[i, s],
 * i.e. only the first `contextLength` tokens of each sequence serve as keys and values.
 */
export function linearAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  numHeads: number,
  sequences: number,
  contextLength: number,
  scale = 1,
): Tensor {
  const rows = query.rows;
  const width = query.cols;
  if (key.rows !== rows || key.cols !== width || value.rows !== rows || value.cols !== width) {
    throw new Error(`linearAttention: shapes ${query.shape}, ${key.shape} and ${value.shape} do not match`);
  }
  if (!Number.isInteger(numHeads) || numHeads < 1 || width % numHeads !== 0) {
    throw new Error(`linearAttention: ${numHeads} heads do not divide the width (shape ${query.shape})`);
  }
  if (!Number.isInteger(sequences) || sequences < 1 || rows % sequences !== 0) {
    throw new Error(`linearAttention: ${rows} rows are not a whole number of steps of ${sequences} sequences`);
  }
  const steps = rows / sequences;
  if (!Number.isInteger(contextLength) || contextLength < 0 || contextLength > steps) {
    throw new Error(`linearAttention: context length ${contextLength} is outside 0..${steps}`);
  }
  const hs = width / numHeads;
  const S = sequences;
  const q = query.data;
  const k = key.data;
  const v = value.data;
  const out = new Tensor(rows, width);
  const o = out.data;
  // summary[((s·numHeads + h)·hs + a)·hs + b] = Σᵢ k[i,s,h,a] v[i,s,h,b], kept for the backward pass.
  const summary = new Float64Array(S * numHeads * hs * hs);
  for (let s = 0; s < S; s++) {
    for (let h = 0; h < numHeads; h++) {
      const m = (s * numHeads + h) * hs * hs;
      for (let i = 0; i < contextLength; i++) {
        const row = (i * S + s) * width + h * hs;
        for (let a = 0; a < hs; a++) {
          const ka = k[row + a];
          if (ka === 0) continue;
          const ma = m + a * hs;
          for (let b = 0; b < hs; b++) summary[ma + b] += ka * v[row + b];
        }
      }
      for (let t = 0; t < steps; t++) {
        const row = (t * S + s) * width + h * hs;
        for (let a = 0; a < hs; a++) {
          const qa = scale * q[row + a];
          if (qa === 0) continue;
          const ma = m + a * hs;
          for (let b = 0; b < hs; b++) o[row + b] += qa * summary[ma + b];
        }
      }
    }
  }
  const inputs = [query, key, value];
  finishOp(
    'linearAttention',
    inputs,
    [out],
    recordingAny(inputs)
      ? () => {
          const g = out.grad!;
          const gq = query.requiresGrad ? query.gradBuffer() : null;
          const gk = key.requiresGrad ? key.gradBuffer() : null;
          const gv = value.requiresGrad ? value.gradBuffer() : null;
          const dSummary = new Float64Array(hs * hs);
          for (let s = 0; s < S; s++) {
            for (let h = 0; h < numHeads; h++) {
              const m = (s * numHeads + h) * hs * hs;
              dSummary.fill(0);
              // out = scale · q M: dq = scale · M g; dM = scale · Σ_t q gᵀ.
              for (let t = 0; t < steps; t++) {
                const row = (t * S + s) * width + h * hs;
                for (let a = 0; a < hs; a++) {
                  const ma = m + a * hs;
                  let dq = 0;
                  for (let b = 0; b < hs; b++) {
                    dq += summary[ma + b] * g[row + b];
                    dSummary[a * hs + b] += scale * q[row + a] * g[row + b];
                  }
                  if (gq !== null) gq[row + a] += scale * dq;
                }
              }
              // M = Σᵢ kᵢ vᵢᵀ: dkᵢ = dM vᵢ; dvᵢ = dMᵀ kᵢ.
              for (let i = 0; i < contextLength; i++) {
                const row = (i * S + s) * width + h * hs;
                for (let a = 0; a < hs; a++) {
                  let dk = 0;
                  for (let b = 0; b < hs; b++) {
                    dk += dSummary[a * hs + b] * v[row + b];
                    if (gv !== null) gv[row + b] += dSummary[a * hs + b] * k[row + a];
                  }
                  if (gk !== null) gk[row + a] += dk;
                }
              }
            }
          }
        }
      : null,
  );
  return out;
}
