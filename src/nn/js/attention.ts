// One step of multi-head attention over a key/value cache, in JavaScript (the reference of
// ../wasm/assembly/attention.ts). For batch row b and head h, the query attends over the cached
// keys of steps first[b] … T−1 (softmax of the dot products scaled by 1/√d_k, Vaswani et al. 2017,
// eq. 1) and returns the weighted sum of the cached values. Rows are B × D with D = heads · d_k,
// head h in columns h·d_k … (h+1)·d_k − 1; probs[(b·heads + h)·T + s] keeps the weights.
import { softmaxRow } from './softmax.ts';

/** The shape of one attention step: batch B, width D, heads, and each row's first visible step. */
export interface AttentionShape {
  batch: number;
  width: number;
  numHeads: number;
  first: Int32Array;
}

/** out (B × D, zero on entry) and probs (B·heads × T, zero on entry) from the query and the cache. */
export function attendForward(
  query: Float64Array,
  keys: readonly Float64Array[],
  values: readonly Float64Array[],
  shape: AttentionShape,
  out: Float64Array,
  probs: Float64Array,
): void {
  const { batch, width, numHeads, first } = shape;
  const steps = keys.length;
  const headSize = width / numHeads;
  const scale = 1 / Math.sqrt(headSize);
  for (let b = 0; b < batch; b++) {
    const s0 = first[b];
    for (let h = 0; h < numHeads; h++) {
      const col = b * width + h * headSize;
      const p = (b * numHeads + h) * steps;
      for (let s = s0; s < steps; s++) {
        const k = keys[s];
        let dot = 0;
        for (let d = 0; d < headSize; d++) dot += query[col + d] * k[col + d];
        probs[p + s] = dot * scale;
      }
      softmaxRow(probs, p + s0, steps - s0, probs, p + s0);
      for (let s = s0; s < steps; s++) {
        const w = probs[p + s];
        const v = values[s];
        for (let d = 0; d < headSize; d++) out[col + d] += w * v[col + d];
      }
    }
  }
}

/**
 * The backward of attendForward from dL/dout = `g`: gradients added into the query's (gQuery) and
 * into each cached key's and value's (gKeys[s], gValues[s]); null where one is not wanted.
 */
export function attendBackward(
  g: Float64Array,
  query: Float64Array,
  keys: readonly Float64Array[],
  values: readonly Float64Array[],
  probs: Float64Array,
  shape: AttentionShape,
  gQuery: Float64Array | null,
  gKeys: readonly (Float64Array | null)[],
  gValues: readonly (Float64Array | null)[],
): void {
  const { batch, width, numHeads, first } = shape;
  const steps = keys.length;
  const headSize = width / numHeads;
  const scale = 1 / Math.sqrt(headSize);
  const dWeights = new Float64Array(steps);
  for (let b = 0; b < batch; b++) {
    const s0 = first[b];
    for (let h = 0; h < numHeads; h++) {
      const col = b * width + h * headSize;
      const p = (b * numHeads + h) * steps;
      // dL/dw_s = g·v_s; softmax backward: dL/dscore_s = w_s (dL/dw_s − Σ_r w_r dL/dw_r).
      let weighted = 0;
      for (let s = s0; s < steps; s++) {
        const v = values[s];
        let dot = 0;
        for (let d = 0; d < headSize; d++) dot += g[col + d] * v[col + d];
        dWeights[s] = dot;
        weighted += probs[p + s] * dot;
        const gv = gValues[s];
        if (gv !== null) {
          const w = probs[p + s];
          for (let d = 0; d < headSize; d++) gv[col + d] += w * g[col + d];
        }
      }
      for (let s = s0; s < steps; s++) {
        const dScore = probs[p + s] * (dWeights[s] - weighted) * scale;
        const k = keys[s];
        if (gQuery !== null) for (let d = 0; d < headSize; d++) gQuery[col + d] += dScore * k[col + d];
        const gk = gKeys[s];
        if (gk !== null) for (let d = 0; d < headSize; d++) gk[col + d] += dScore * query[col + d];
      }
    }
  }
}
