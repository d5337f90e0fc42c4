// The fused step of a recurrent network with plastic recurrent weights (Miconi et al. 2018
// "Differentiable plasticity"; Miconi et al. 2019 "Backpropamine"): one tape node per step, the
// activity and the plastic-trace update computed on flat buffers, and a hand-written backward
// pass that carries gradients through the traces (back-propagation through time).
//
// Activity (Miconi 2018, eq. 1, with the tanh nonlinearity of their recurrent experiments):
//   h_t = tanh(x_t W_in + b + h_{t−1} (W + α ⊙ Hebb_t))
// written in engram's row-vector layout, so entry (i, j) of W, α and Hebb connects presynaptic
// unit i (a component of h_{t−1}) to postsynaptic unit j (a component of h_t). The traces are
// episode state, one H×H matrix per batch element, stored as a B × H² tensor (row b holds element
// b's matrix row-major: entry (i, j) at i·H + j).
//
// The plasticity rules act after the activity step (so Hebb_t shapes h_t and h_t shapes
// Hebb_{t+1}), each a named forward and backward function in plastic-rules.ts: hebbian,
// neuromodulated (with M_t = tanh(h_t · w_M + b_M), Miconi 2019 eq. 3) and retroactive.
//
// Memory: nothing of size B × H² is saved for the backward pass. The clip mask is recomputed from
// the inputs (Hebb_t, E_t, h_{t−1}) and the output h_t, which the tape keeps anyway; only the B
// neuromodulation values are saved.
import { addColumnSums, broadcastRows, gemm, gemmNT, gemmTN } from '../kernels.ts';
import { finishOp, recordingAny } from '../tape.ts';
import { Tensor } from '../tensor.ts';
import {
  hebbianBackward,
  hebbianForward,
  neuromodulatedBackward,
  neuromodulatedForward,
  type RuleGradients,
  type RuleStep,
  retroactiveBackward,
  retroactiveForward,
  scratchSink,
} from './plastic-rules.ts';

export const PLASTICITY_MODES = ['hebbian', 'neuromodulated', 'retroactive'] as const;
export type PlasticityMode = (typeof PLASTICITY_MODES)[number];

/** The meta-trained parameters of a plastic recurrent step. */
export interface PlasticWeights {
  /** I × H input weights W_in. */
  weightInput: Tensor;
  /** 1 × H bias b. */
  bias: Tensor;
  /** H × H fixed recurrent weights W. */
  weightRecurrent: Tensor;
  /** H × H plasticity coefficients α. */
  alpha: Tensor;
  /** 1 × 1 trace rate η (hebbian and retroactive; null for neuromodulated). */
  eta: Tensor | null;
  /** H × 1 neuromodulator weights w_M (neuromodulated and retroactive; null for hebbian). */
  modulationWeight: Tensor | null;
  /** 1 × 1 neuromodulator bias b_M (with w_M). */
  modulationBias: Tensor | null;
}

/** The result of one plastic step. */
export interface PlasticStepOutput {
  /** B × H new activity h_t. */
  h: Tensor;
  /** B × H² plastic trace Hebb_{t+1}. */
  trace: Tensor;
  /** B × H² eligibility trace E_{t+1} (retroactive only). */
  eligibility: Tensor | null;
  /** The neuromodulation M_t per batch element (not differentiable output; null for hebbian). */
  modulation: Float64Array | null;
}

// Scratch for the backward pass (dL/dh_t in total, then dL/da), reused across calls.
let scratchDh = new Float64Array(0);
let scratchDa = new Float64Array(0);
function scratch(length: number): [Float64Array, Float64Array] {
  if (scratchDh.length < length) {
    scratchDh = new Float64Array(length);
    scratchDa = new Float64Array(length);
  }
  return [scratchDh.subarray(0, length), scratchDa.subarray(0, length)];
}

/** Throws naming the op and the tensor whose shape does not fit. */
function checkShapes(
  mode: PlasticityMode,
  x: Tensor,
  h: Tensor,
  trace: Tensor,
  eligibility: Tensor | null,
  w: PlasticWeights,
  clip: number,
  presynaptic: Tensor,
): void {
  const [B, I, H] = [x.rows, x.cols, h.cols];
  const HH = H * H;
  const name = `plasticRnnCell(${mode})`;
  const fail = (what: string) => {
    throw new Error(`${name}: ${what}`);
  };
  if (w.weightInput.rows !== I || w.weightInput.cols !== H)
    fail(`shapes ${x.shape} and ${w.weightInput.shape} do not match (input weight must be ${I}x${H})`);
  if (h.rows !== B) fail(`shapes ${x.shape} and ${h.shape} do not match (batch sizes differ)`);
  if (w.bias.rows !== 1 || w.bias.cols !== H) fail(`bias is ${w.bias.shape}, expected 1x${H}`);
  if (w.weightRecurrent.rows !== H || w.weightRecurrent.cols !== H)
    fail(`recurrent weight is ${w.weightRecurrent.shape}, expected ${H}x${H}`);
  if (w.alpha.rows !== H || w.alpha.cols !== H) fail(`alpha is ${w.alpha.shape}, expected ${H}x${H}`);
  if (trace.rows !== B || trace.cols !== HH) fail(`trace is ${trace.shape}, expected ${B}x${HH}`);
  const usesModulation = mode !== 'hebbian';
  if (mode !== 'neuromodulated' && (w.eta === null || w.eta.size !== 1)) fail('needs eta (1x1)');
  if (usesModulation && (w.modulationWeight === null || w.modulationWeight.rows !== H || w.modulationWeight.cols !== 1))
    fail(`needs a modulation weight of shape ${H}x1`);
  if (usesModulation && (w.modulationBias === null || w.modulationBias.size !== 1))
    fail('needs a modulation bias (1x1)');
  if (mode === 'retroactive') {
    if (eligibility === null || eligibility.rows !== B || eligibility.cols !== HH)
      fail(`eligibility trace must be ${B}x${HH}`);
  } else if (eligibility !== null) fail('only the retroactive rule has an eligibility trace');
  if (presynaptic.rows !== B || presynaptic.cols !== H)
    fail(`presynaptic activity is ${presynaptic.shape}, expected ${B}x${H}`);
  if (usesModulation && !(clip > 0)) fail(`clip bound must be positive, got ${clip}`);
}

/** The activity a = b + x W_in + h W + Σ_i h_i (α ⊙ Hebb)_{i,:}, then tanh, into `a` (B × H). */
function activityForward(x: Tensor, h: Tensor, trace: Float64Array, w: PlasticWeights, a: Float64Array): void {
  const [B, I, H] = [x.rows, x.cols, h.cols];
  const HH = H * H;
  broadcastRows(w.bias.data, a, B, H);
  gemm(x.data, w.weightInput.data, a, B, I, H, true);
  gemm(h.data, w.weightRecurrent.data, a, B, H, H, true);
  const hp = h.data;
  const al = w.alpha.data;
  const T = trace;
  // Four presynaptic rows at a time: each pass over a[row, :] then does four products per load
  // and store of a (as gemm in kernels.ts; measured 2.5× faster than one row at a time at H = 48).
  const H4 = H - (H & 3);
  for (let b = 0; b < B; b++) {
    const row = b * H;
    const tb = b * HH;
    let i = 0;
    for (; i < H4; i += 4) {
      const h0 = hp[row + i];
      const h1 = hp[row + i + 1];
      const h2 = hp[row + i + 2];
      const h3 = hp[row + i + 3];
      const t0 = tb + i * H;
      const t1 = t0 + H;
      const t2 = t1 + H;
      const t3 = t2 + H;
      const a0 = i * H;
      const a1 = a0 + H;
      const a2 = a1 + H;
      const a3 = a2 + H;
      for (let j = 0; j < H; j++) {
        a[row + j] +=
          h0 * al[a0 + j] * T[t0 + j] +
          h1 * al[a1 + j] * T[t1 + j] +
          h2 * al[a2 + j] * T[t2 + j] +
          h3 * al[a3 + j] * T[t3 + j];
      }
    }
    for (; i < H; i++) {
      const hi = hp[row + i];
      const ti = tb + i * H;
      const ai = i * H;
      for (let j = 0; j < H; j++) a[row + j] += hi * al[ai + j] * T[ti + j];
    }
  }
  for (let k = 0; k < B * H; k++) a[k] = Math.tanh(a[k]);
}

/** The neuromodulation M_t = tanh(h_t · w_M + b_M), one value per batch element. */
function modulationForward(post: Float64Array, B: number, H: number, w: PlasticWeights): Float64Array {
  const M = new Float64Array(B);
  const wM = (w.modulationWeight as Tensor).data;
  const bM = (w.modulationBias as Tensor).data[0];
  for (let b = 0; b < B; b++) {
    let s = bM;
    for (let j = 0; j < H; j++) s += post[b * H + j] * wM[j];
    M[b] = Math.tanh(s);
  }
  return M;
}

/** The gradient through M = tanh(h_t · w_M + b_M): into w_M, b_M and, unless stopped, dL/dh_t. */
function modulationBackward(
  s: RuleStep,
  dModulation: Float64Array,
  dh: Float64Array,
  w: PlasticWeights,
  stopGradient: boolean,
): void {
  const { B, H, post: ho } = s;
  const M = s.modulation as Float64Array;
  const modulationWeight = w.modulationWeight as Tensor;
  const modulationBias = w.modulationBias as Tensor;
  const wM = modulationWeight.data;
  const dwM = modulationWeight.requiresGrad ? modulationWeight.gradBuffer() : null;
  let dbM = 0;
  for (let b = 0; b < B; b++) {
    const m = M[b];
    const dm = dModulation[b] * (1 - m * m);
    if (dm === 0) continue;
    dbM += dm;
    const row = b * H;
    for (let j = 0; j < H; j++) {
      if (!stopGradient) dh[row + j] += dm * wM[j];
      if (dwM !== null) dwM[j] += dm * ho[row + j];
    }
  }
  if (modulationBias.requiresGrad) modulationBias.gradBuffer()[0] += dbM;
}

/** The gradient through the activity, from dL/dh_t = `dh`: da = dh ⊙ (1 − h_t²), then every input and weight. */
function activityBackward(
  x: Tensor,
  h: Tensor,
  trace: Tensor,
  w: PlasticWeights,
  s: RuleStep,
  dh: Float64Array,
  da: Float64Array,
  dTrace: Float64Array | null,
): void {
  const { B, H, post: ho } = s;
  const I = x.cols;
  const HH = H * H;
  const hp = h.data;
  const al = w.alpha.data;
  const T = trace.data;
  const dhPrev = h.requiresGrad ? h.gradBuffer() : null;
  for (let k = 0; k < B * H; k++) da[k] = dh[k] * (1 - ho[k] * ho[k]);
  // The α ⊙ Hebb part of the recurrent weights, in one pass over each batch element's trace.
  const dAlpha = w.alpha.requiresGrad ? w.alpha.gradBuffer() : scratchSink(HH);
  for (let b = 0; b < B; b++) {
    const row = b * H;
    const tb = b * HH;
    for (let i = 0; i < H; i++) {
      const pre = hp[row + i];
      const ti = tb + i * H;
      const ai = i * H;
      let sum = 0;
      if (dTrace !== null) {
        for (let j = 0; j < H; j++) {
          const d = da[row + j];
          const t = T[ti + j];
          const wij = al[ai + j];
          sum += d * wij * t;
          dAlpha[ai + j] += pre * d * t;
          dTrace[ti + j] += wij * pre * d;
        }
      } else {
        for (let j = 0; j < H; j++) {
          const d = da[row + j];
          const t = T[ti + j];
          sum += d * al[ai + j] * t;
          dAlpha[ai + j] += pre * d * t;
        }
      }
      if (dhPrev !== null) dhPrev[row + i] += sum;
    }
  }
  if (dhPrev !== null) gemmNT(da, w.weightRecurrent.data, dhPrev, B, H, H, true);
  if (w.weightRecurrent.requiresGrad) gemmTN(hp, da, w.weightRecurrent.gradBuffer(), H, B, H, true);
  if (w.weightInput.requiresGrad) gemmTN(x.data, da, w.weightInput.gradBuffer(), I, B, H, true);
  if (w.bias.requiresGrad) addColumnSums(da, w.bias.gradBuffer(), B, H);
  if (x.requiresGrad) gemmNT(da, w.weightInput.data, x.gradBuffer(), B, H, I, true);
}

/**
 * One step of a plastic recurrent network for a batch: x (B×I), h (B×H), trace (B×H²), and for
 * `retroactive` the eligibility trace (B×H²). `clip` is the bound c of the neuromodulated rules
 * (ignored by `hebbian`, whose trace is a running average of products of tanh units and stays in
 * [−1, 1] by itself). `presynaptic` is the h_{t−1} of the plasticity rules, h itself unless a
 * lesion has wiped the activity that drives h_t while the synapses still saw the activity
 * before the wipe (the `reset-state` lesion of agents/plastic-rnn.ts). With
 * `stopModulatorGradient`, the backward pass treats the input h_t of the neuromodulator as a
 * constant: w_M and b_M still receive their gradient, but none flows from M_t back into the
 * activity (a semi-gradient; see agents/plastic-rnn.ts for why one would want it).
 */
export function plasticRnnCell(
  mode: PlasticityMode,
  x: Tensor,
  h: Tensor,
  trace: Tensor,
  eligibility: Tensor | null,
  weights: PlasticWeights,
  clip: number,
  presynaptic: Tensor = h,
  stopModulatorGradient = false,
): PlasticStepOutput {
  checkShapes(mode, x, h, trace, eligibility, weights, clip, presynaptic);
  const B = x.rows;
  const H = h.cols;
  const usesEta = mode !== 'neuromodulated';
  const usesModulation = mode !== 'hebbian';
  const { eta, modulationWeight, modulationBias } = weights;
  const inputs: Tensor[] = [x, h, trace, weights.weightInput, weights.bias, weights.weightRecurrent, weights.alpha];
  if (eligibility !== null) inputs.push(eligibility);
  if (usesEta && eta !== null) inputs.push(eta);
  if (usesModulation && modulationWeight !== null && modulationBias !== null)
    inputs.push(modulationWeight, modulationBias);
  if (presynaptic !== h) inputs.push(presynaptic);

  const hOut = new Tensor(B, H);
  activityForward(x, h, trace.data, weights, hOut.data);
  const step: RuleStep = {
    B,
    H,
    pre: presynaptic.data,
    post: hOut.data,
    trace: trace.data,
    eligibility: eligibility?.data ?? null,
    eta: usesEta && eta !== null ? eta.data[0] : 0,
    modulation: usesModulation ? modulationForward(hOut.data, B, H, weights) : null,
    clip,
  };
  const traceOut = new Tensor(B, H * H);
  const eligibilityOut = mode === 'retroactive' ? new Tensor(B, H * H) : null;
  if (mode === 'hebbian') hebbianForward(step, traceOut.data);
  else if (mode === 'neuromodulated') neuromodulatedForward(step, traceOut.data);
  else retroactiveForward(step, traceOut.data, (eligibilityOut as Tensor).data);

  const outputs = eligibilityOut === null ? [hOut, traceOut] : [hOut, traceOut, eligibilityOut];
  const backward = () => {
    const [dh, da] = scratch(B * H);
    const gT = traceOut.grad;
    const gE = eligibilityOut?.grad ?? null;
    if (hOut.grad !== null) dh.set(hOut.grad.subarray(0, B * H));
    else dh.fill(0);
    const d: RuleGradients = {
      post: dh,
      pre: presynaptic.requiresGrad ? presynaptic.gradBuffer() : null,
      trace: trace.requiresGrad ? trace.gradBuffer() : null,
      eligibility: eligibility?.requiresGrad ? eligibility.gradBuffer() : null,
      modulation: usesModulation ? new Float64Array(B) : null,
    };
    let dEta = 0;
    if (mode === 'hebbian' && gT !== null) dEta = hebbianBackward(step, gT, d);
    else if (mode === 'neuromodulated' && gT !== null) neuromodulatedBackward(step, gT, d);
    else if (mode === 'retroactive' && (gT !== null || gE !== null)) dEta = retroactiveBackward(step, gT, gE, d);
    if (d.modulation !== null) modulationBackward(step, d.modulation, dh, weights, stopModulatorGradient);
    if (usesEta && eta?.requiresGrad) eta.gradBuffer()[0] += dEta;
    activityBackward(x, h, trace, weights, step, dh, da, d.trace);
  };
  finishOp(`plasticRnnCell(${mode})`, inputs, outputs, recordingAny(inputs) ? backward : null);
  return { h: hOut, trace: traceOut, eligibility: eligibilityOut, modulation: step.modulation };
}
