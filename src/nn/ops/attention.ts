// Attention primitives. `causalMask` serves the whole-sequence form (scores of T queries against T
// keys); `attendCached` is one step of multi-head attention of a batch of queries over a key/value
// cache held as one tensor per past step, fused into a single tape node whose inputs are the query
// and every cached key and value, so gradients flow through the cache back to the steps that
// produced them (Vaswani et al. 2017, eq. 1, with the 1/√d_k scaling).

import { attendBackward, attendForward } from '../kernels.ts';
import { finishOp, finishUnaryOp, recordingAny } from '../tape.ts';
import { Tensor } from '../tensor.ts';

/**
 * The score given to masked positions. It is finite so that finite differences and the NaN check
 * stay meaningful, and so negative that exp(MASKED − max) is exactly 0 in float64.
 */
export const MASKED_SCORE = -1e30;

/**
 * Scores (m×n) with future positions masked: entry (i, j) is replaced by MASKED_SCORE when
 * j > i + offset. The default offset n − m aligns the last query with the last key, which is the
 * causal mask both for a full sequence (m = n) and for the last m steps of a longer one.
 */
export function causalMask(scores: Tensor, offset = scores.cols - scores.rows): Tensor {
  if (!Number.isInteger(offset)) throw new Error(`causalMask: offset must be an integer, got ${offset}`);
  const m = scores.rows;
  const n = scores.cols;
  const out = new Tensor(m, n);
  const x = scores.data;
  const y = out.data;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    const visible = Math.max(0, Math.min(n, i + offset + 1));
    for (let j = 0; j < visible; j++) y[row + j] = x[row + j];
    for (let j = visible; j < n; j++) y[row + j] = MASKED_SCORE;
  }
  finishUnaryOp('causalMask', scores, out, (g, gs) => {
    for (let i = 0; i < m; i++) {
      const row = i * n;
      const visible = Math.max(0, Math.min(n, i + offset + 1));
      for (let j = 0; j < visible; j++) gs[row + j] += g[row + j];
    }
  });
  return out;
}

/**
 * One attention step: for every batch row b and head h, the query q[b, head h] attends over the
 * cached keys keys[s][b, head h] for s = start[b] … T−1 (softmax of the scaled dot products) and
 * returns the weighted sum of values[s][b, head h]. `query`, every key and every value are B×D,
 * with D = numHeads · headSize and head h in columns h·headSize … (h+1)·headSize − 1. `start`
 * (default all 0) lets each batch row forget the steps before its episode began.
 */
export function attendCached(
  query: Tensor,
  keys: readonly Tensor[],
  values: readonly Tensor[],
  numHeads: number,
  start?: Int32Array,
): Tensor {
  return attendCachedWithWeights(query, keys, values, numHeads, start).output;
}

/**
 * `attendCached`, and the attention weights it computed on the way: weights[(b·numHeads + h)·T + s]
 * is the weight of cached step s for batch row b and head h (0 for the steps before start[b]).
 * The buffer belongs to the tape's backward pass as well: read it, never write it.
 */
export function attendCachedWithWeights(
  query: Tensor,
  keys: readonly Tensor[],
  values: readonly Tensor[],
  numHeads: number,
  start?: Int32Array,
): { output: Tensor; weights: Float64Array } {
  const steps = keys.length;
  const batch = query.rows;
  const width = query.cols;
  if (steps === 0) throw new Error('attendCached: the key/value cache is empty');
  if (values.length !== steps) throw new Error(`attendCached: ${steps} keys but ${values.length} values`);
  if (!Number.isInteger(numHeads) || numHeads < 1 || width % numHeads !== 0) {
    throw new Error(`attendCached: ${numHeads} heads do not divide the query width (shape ${query.shape})`);
  }
  for (let s = 0; s < steps; s++) {
    if (keys[s].rows !== batch || keys[s].cols !== width)
      throw new Error(`attendCached: shapes ${query.shape} and ${keys[s].shape} do not match (key ${s})`);
    if (values[s].rows !== batch || values[s].cols !== width)
      throw new Error(`attendCached: shapes ${query.shape} and ${values[s].shape} do not match (value ${s})`);
  }
  if (start !== undefined) {
    if (start.length !== batch) throw new Error(`attendCached: ${start.length} start steps for a batch of ${batch}`);
    for (let b = 0; b < batch; b++) {
      if (start[b] < 0 || start[b] >= steps)
        throw new Error(
          `attendCached: start step ${start[b]} of row ${b} leaves no key to attend to (${steps} cached)`,
        );
    }
  }
  const out = new Tensor(batch, width);
  // probs[(b·numHeads + h)·steps + s]: the attention weights, kept for the backward pass.
  const probs = new Float64Array(batch * numHeads * steps);
  const shape = { batch, width, numHeads, first: start === undefined ? new Int32Array(batch) : Int32Array.from(start) };
  const keyData = keys.map((k) => k.data);
  const valueData = values.map((v) => v.data);
  attendForward(query.data, keyData, valueData, shape, out.data, probs);
  const inputs = [query, ...keys, ...values];
  finishOp(
    'attendCached',
    inputs,
    [out],
    recordingAny(inputs)
      ? () =>
          attendBackward(
            out.grad!,
            query.data,
            keyData,
            valueData,
            probs,
            shape,
            query.requiresGrad ? query.gradBuffer() : null,
            keys.map((k) => (k.requiresGrad ? k.gradBuffer() : null)),
            values.map((v) => (v.requiresGrad ? v.gradBuffer() : null)),
          )
      : null,
  );
  return { output: out, weights: probs };
}
