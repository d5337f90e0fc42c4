// The JavaScript kernels: the reference that every WebAssembly kernel (kernels-wasm.ts) is tested
// against, and the kernels used when ENGRAM_KERNELS=js. They work on flat row-major Float64Arrays,
// take their output buffer from the caller, and keep every inner loop running over contiguous
// memory with row offsets hoisted out of it. This module has the recurrent cells and the softmax,
// and gathers the matrix products (kernels-gemm-js.ts) and the plastic recurrent step
// (kernels-plastic-js.ts), so that it lists every kernel.
//
// Shapes are the caller's responsibility (the ops in src/nn/ops check them and name the op).
import { addColumnSums, broadcastRows, gemm, gemmNT, gemmTN } from './kernels-gemm-js.ts';
import { plasticBackward, plasticForward } from './kernels-plastic-js.ts';

export type { PlasticGradients, PlasticityMode, PlasticStep } from './kernels-plastic-js.ts';
export { addColumnSums, broadcastRows, gemm, gemmNT, gemmTN, plasticBackward, plasticForward };

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * LSTM cell (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000; PyTorch's
 * gate order i, f, g, o). `gates` holds the pre-activations x·W_ih + h·W_hh + b on entry (B×4H) and
 * the gate activations on exit, kept for the backward pass together with tanh(c′).
 */
export function lstmForwardActivations(
  gates: Float64Array,
  cPrev: Float64Array,
  hOut: Float64Array,
  cOut: Float64Array,
  tanhC: Float64Array,
  batch: number,
  hidden: number,
): void {
  const h4 = 4 * hidden;
  for (let b = 0; b < batch; b++) {
    const g = b * h4;
    const s = b * hidden;
    for (let j = 0; j < hidden; j++) {
      const ig = sigmoid(gates[g + j]);
      const fg = sigmoid(gates[g + hidden + j]);
      const cg = Math.tanh(gates[g + 2 * hidden + j]);
      const og = sigmoid(gates[g + 3 * hidden + j]);
      gates[g + j] = ig;
      gates[g + hidden + j] = fg;
      gates[g + 2 * hidden + j] = cg;
      gates[g + 3 * hidden + j] = og;
      const c = fg * cPrev[s + j] + ig * cg;
      const tc = Math.tanh(c);
      cOut[s + j] = c;
      tanhC[s + j] = tc;
      hOut[s + j] = og * tc;
    }
  }
}

/**
 * Backward of the LSTM activations: from dL/dh′ and dL/dc′ (either may be null: zero) to the
 * pre-activation gradients `dGates` (B×4H, overwritten) and dL/dc (accumulated into `dcPrev`, if given).
 */
export function lstmBackwardActivations(
  dh: Float64Array | null,
  dc: Float64Array | null,
  gates: Float64Array,
  tanhC: Float64Array,
  cPrev: Float64Array,
  dGates: Float64Array,
  dcPrev: Float64Array | null,
  batch: number,
  hidden: number,
): void {
  const h4 = 4 * hidden;
  for (let b = 0; b < batch; b++) {
    const g = b * h4;
    const s = b * hidden;
    for (let j = 0; j < hidden; j++) {
      const ig = gates[g + j];
      const fg = gates[g + hidden + j];
      const cg = gates[g + 2 * hidden + j];
      const og = gates[g + 3 * hidden + j];
      const tc = tanhC[s + j];
      const dhj = dh === null ? 0 : dh[s + j];
      const dcj = (dc === null ? 0 : dc[s + j]) + dhj * og * (1 - tc * tc);
      dGates[g + j] = dcj * cg * ig * (1 - ig);
      dGates[g + hidden + j] = dcj * cPrev[s + j] * fg * (1 - fg);
      dGates[g + 2 * hidden + j] = dcj * ig * (1 - cg * cg);
      dGates[g + 3 * hidden + j] = dhj * tc * og * (1 - og);
      if (dcPrev !== null) dcPrev[s + j] += dcj * fg;
    }
  }
}

/**
 * GRU cell (Cho et al. 2014, PyTorch's formulation and gate order r, z, n):
 *   r = σ(x W_ir + b_ir + h W_hr + b_hr),  z = σ(x W_iz + b_iz + h W_hz + b_hz),
 *   n = tanh(x W_in + b_in + r ⊙ (h W_hn + b_hn)),  h′ = (1 − z) ⊙ n + z ⊙ h.
 * On entry `gi` = x·W_ih + b_ih and `gh` = h·W_hh + b_hh (B×3H each). On exit `gi` holds r, z, n
 * and `gh` keeps h W_hn + b_hn in its third block, both needed by the backward pass.
 */
export function gruForwardActivations(
  gi: Float64Array,
  gh: Float64Array,
  hPrev: Float64Array,
  hOut: Float64Array,
  batch: number,
  hidden: number,
): void {
  const h3 = 3 * hidden;
  for (let b = 0; b < batch; b++) {
    const g = b * h3;
    const s = b * hidden;
    for (let j = 0; j < hidden; j++) {
      const r = sigmoid(gi[g + j] + gh[g + j]);
      const z = sigmoid(gi[g + hidden + j] + gh[g + hidden + j]);
      const n = Math.tanh(gi[g + 2 * hidden + j] + r * gh[g + 2 * hidden + j]);
      gi[g + j] = r;
      gi[g + hidden + j] = z;
      gi[g + 2 * hidden + j] = n;
      hOut[s + j] = (1 - z) * n + z * hPrev[s + j];
    }
  }
}

/**
 * Backward of the GRU activations: from dL/dh′ to the gradients of the input-side and hidden-side
 * pre-activations (`dGi`, `dGh`, B×3H, overwritten); the direct path z ⊙ dh′ is accumulated into
 * `dhPrev` if given.
 */
export function gruBackwardActivations(
  dh: Float64Array,
  act: Float64Array,
  gh: Float64Array,
  hPrev: Float64Array,
  dGi: Float64Array,
  dGh: Float64Array,
  dhPrev: Float64Array | null,
  batch: number,
  hidden: number,
): void {
  const h3 = 3 * hidden;
  for (let b = 0; b < batch; b++) {
    const g = b * h3;
    const s = b * hidden;
    for (let j = 0; j < hidden; j++) {
      const r = act[g + j];
      const z = act[g + hidden + j];
      const n = act[g + 2 * hidden + j];
      const dhj = dh[s + j];
      const dan = dhj * (1 - z) * (1 - n * n);
      const dar = dan * gh[g + 2 * hidden + j] * r * (1 - r);
      const daz = dhj * (hPrev[s + j] - n) * z * (1 - z);
      dGi[g + j] = dar;
      dGi[g + hidden + j] = daz;
      dGi[g + 2 * hidden + j] = dan;
      dGh[g + j] = dar;
      dGh[g + hidden + j] = daz;
      dGh[g + 2 * hidden + j] = dan * r;
      if (dhPrev !== null) dhPrev[s + j] += dhj * z;
    }
  }
}

/** One LSTM step: gates = bias + x·W_x + h·W_h (B×4H), then lstmForwardActivations. */
export function lstmForward(
  x: Float64Array,
  h: Float64Array,
  c: Float64Array,
  wx: Float64Array,
  wh: Float64Array,
  bias: Float64Array,
  gates: Float64Array,
  tanhC: Float64Array,
  hOut: Float64Array,
  cOut: Float64Array,
  batch: number,
  inputSize: number,
  hidden: number,
): void {
  const h4 = 4 * hidden;
  broadcastRows(bias, gates, batch, h4);
  gemm(x, wx, gates, batch, inputSize, h4, true);
  gemm(h, wh, gates, batch, hidden, h4, true);
  lstmForwardActivations(gates, c, hOut, cOut, tanhC, batch, hidden);
}

/** Where the gradients of an LSTM or GRU step go; null where one is not wanted. */
export interface CellGradients {
  x: Float64Array | null;
  h: Float64Array | null;
  /** The LSTM's previous cell state (unused by the GRU). */
  c: Float64Array | null;
  wx: Float64Array | null;
  wh: Float64Array | null;
  /** The LSTM's bias, or the GRU's input-side bias. */
  bias: Float64Array | null;
  /** The GRU's hidden-side bias (unused by the LSTM). */
  biasHidden: Float64Array | null;
}

/**
 * The backward of lstmForward from dL/dh′ and dL/dc′ (null: zero): the pre-activation gradients into
 * `dGates` (B×4H scratch), then every wanted gradient added into its buffer.
 */
export function lstmBackward(
  dh: Float64Array | null,
  dc: Float64Array | null,
  gates: Float64Array,
  tanhC: Float64Array,
  x: Float64Array,
  h: Float64Array,
  cPrev: Float64Array,
  wx: Float64Array,
  wh: Float64Array,
  dGates: Float64Array,
  grads: CellGradients,
  batch: number,
  inputSize: number,
  hidden: number,
): void {
  const h4 = 4 * hidden;
  lstmBackwardActivations(dh, dc, gates, tanhC, cPrev, dGates, grads.c, batch, hidden);
  if (grads.x !== null) gemmNT(dGates, wx, grads.x, batch, h4, inputSize, true);
  if (grads.h !== null) gemmNT(dGates, wh, grads.h, batch, h4, hidden, true);
  if (grads.wx !== null) gemmTN(x, dGates, grads.wx, inputSize, batch, h4, true);
  if (grads.wh !== null) gemmTN(h, dGates, grads.wh, hidden, batch, h4, true);
  if (grads.bias !== null) addColumnSums(dGates, grads.bias, batch, h4);
}

/** One GRU step: gi = b_i + x·W_x and gh = b_h + h·W_h (B×3H each), then gruForwardActivations. */
export function gruForward(
  x: Float64Array,
  h: Float64Array,
  wx: Float64Array,
  wh: Float64Array,
  biasInput: Float64Array,
  biasHidden: Float64Array,
  gi: Float64Array,
  gh: Float64Array,
  hOut: Float64Array,
  batch: number,
  inputSize: number,
  hidden: number,
): void {
  const h3 = 3 * hidden;
  broadcastRows(biasInput, gi, batch, h3);
  gemm(x, wx, gi, batch, inputSize, h3, true);
  broadcastRows(biasHidden, gh, batch, h3);
  gemm(h, wh, gh, batch, hidden, h3, true);
  gruForwardActivations(gi, gh, h, hOut, batch, hidden);
}

/**
 * The backward of gruForward from dL/dh′: the pre-activation gradients into dGi and dGh (scratch),
 * then every wanted gradient added into its buffer.
 */
export function gruBackward(
  dh: Float64Array,
  act: Float64Array,
  ghSaved: Float64Array,
  x: Float64Array,
  h: Float64Array,
  wx: Float64Array,
  wh: Float64Array,
  dGi: Float64Array,
  dGh: Float64Array,
  grads: CellGradients,
  batch: number,
  inputSize: number,
  hidden: number,
): void {
  const h3 = 3 * hidden;
  gruBackwardActivations(dh, act, ghSaved, h, dGi, dGh, grads.h, batch, hidden);
  if (grads.x !== null) gemmNT(dGi, wx, grads.x, batch, h3, inputSize, true);
  if (grads.h !== null) gemmNT(dGh, wh, grads.h, batch, h3, hidden, true);
  if (grads.wx !== null) gemmTN(x, dGi, grads.wx, inputSize, batch, h3, true);
  if (grads.wh !== null) gemmTN(h, dGh, grads.wh, hidden, batch, h3, true);
  if (grads.bias !== null) addColumnSums(dGi, grads.bias, batch, h3);
  if (grads.biasHidden !== null) addColumnSums(dGh, grads.biasHidden, batch, h3);
}

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

/** Every kernel, as both implementations provide it (src/nn/kernels.ts chooses one). */
export interface Kernels {
  gemm: typeof gemm;
  gemmNT: typeof gemmNT;
  gemmTN: typeof gemmTN;
  addColumnSums: typeof addColumnSums;
  broadcastRows: typeof broadcastRows;
  lstmForwardActivations: typeof lstmForwardActivations;
  lstmBackwardActivations: typeof lstmBackwardActivations;
  gruForwardActivations: typeof gruForwardActivations;
  gruBackwardActivations: typeof gruBackwardActivations;
  lstmForward: typeof lstmForward;
  lstmBackward: typeof lstmBackward;
  gruForward: typeof gruForward;
  gruBackward: typeof gruBackward;
  softmaxRow: typeof softmaxRow;
  softmaxRows: typeof softmaxRows;
  plasticForward: typeof plasticForward;
  plasticBackward: typeof plasticBackward;
}
