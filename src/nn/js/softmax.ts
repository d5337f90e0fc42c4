// The softmax of the project, in JavaScript (the kernels' reference and fallback).

/**
 * Softmax of x[xOffset … xOffset + n) into out[outOffset …): exp(x − max) / Σ exp(x − max), the row
 * maximum subtracted so that large logits do not overflow. The one softmax of the project (ops,
 * attention, agents' policies, the A2C loss). `stats`, when given, receives [max, Σ exp(x − max)],
 * from which the log-probabilities x − max − log Σ follow.
 */
export function softmaxRow(
  x: ArrayLike<number>,
  xOffset: number,
  n: number,
  out: Float64Array,
  outOffset: number,
  stats?: Float64Array,
): void {
  let max = -Infinity;
  for (let j = 0; j < n; j++) if (x[xOffset + j] > max) max = x[xOffset + j];
  let total = 0;
  for (let j = 0; j < n; j++) {
    const e = Math.exp(x[xOffset + j] - max);
    out[outOffset + j] = e;
    total += e;
  }
  for (let j = 0; j < n; j++) out[outOffset + j] /= total;
  if (stats !== undefined) {
    stats[0] = max;
    stats[1] = total;
  }
}

/** Row-wise softmax of a rows × cols block (softmaxRow on every row). */
export function softmaxRows(x: ArrayLike<number>, out: Float64Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) softmaxRow(x, i * cols, cols, out, i * cols);
}
