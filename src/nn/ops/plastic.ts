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
// Hebb_{t+1}): hebbian, neuromodulated (with M_t = tanh(h_t · w_M + b_M), Miconi 2019 eq. 3) and
// retroactive (src/nn/js/plastic-rules.ts has their equations).
//
// The arithmetic, forward and backward, is two kernels (plasticForward and plasticBackward in
// src/nn/kernels.ts, JavaScript or WebAssembly); this op checks shapes, allocates the outputs and
// gradient buffers, and records the step on the tape.
//
// Memory: nothing of size B × H² is saved for the backward pass. The clip mask is recomputed from
// the inputs (Hebb_t, E_t, h_{t−1}) and the output h_t, which the tape keeps anyway; only the B
// neuromodulation values are saved.
import {
  type PlasticGradients,
  type PlasticityMode,
  type PlasticStep,
  plasticBackward,
  plasticForward,
} from '../kernels.ts';
import { finishOp, recordingAny } from '../tape.ts';
import { Tensor } from '../tensor.ts';

export const PLASTICITY_MODES = [
  'hebbian',
  'neuromodulated',
  'retroactive',
] as const satisfies readonly PlasticityMode[];
export type { PlasticityMode };

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
  const traceOut = new Tensor(B, H * H);
  const eligibilityOut = mode === 'retroactive' ? new Tensor(B, H * H) : null;
  const step: PlasticStep = {
    mode,
    B,
    I: x.cols,
    H,
    x: x.data,
    h: h.data,
    pre: presynaptic.data,
    trace: trace.data,
    eligibility: eligibility?.data ?? null,
    weightInput: weights.weightInput.data,
    bias: weights.bias.data,
    weightRecurrent: weights.weightRecurrent.data,
    alpha: weights.alpha.data,
    eta: usesEta && eta !== null ? eta.data[0] : 0,
    modulationWeight: usesModulation && modulationWeight !== null ? modulationWeight.data : null,
    modulationBias: usesModulation && modulationBias !== null ? modulationBias.data[0] : 0,
    clip,
    post: hOut.data,
    traceOut: traceOut.data,
    eligibilityOut: eligibilityOut?.data ?? null,
    modulation: usesModulation ? new Float64Array(B) : null,
  };
  plasticForward(step);

  const outputs = eligibilityOut === null ? [hOut, traceOut] : [hOut, traceOut, eligibilityOut];
  const wanted = (t: Tensor | null) => (t?.requiresGrad ? t.gradBuffer() : null);
  const backward = () => {
    const g: PlasticGradients = {
      post: hOut.grad,
      traceOut: traceOut.grad,
      eligibilityOut: eligibilityOut?.grad ?? null,
      x: wanted(x),
      h: wanted(h),
      pre: wanted(presynaptic),
      trace: wanted(trace),
      eligibility: wanted(eligibility),
      weightInput: wanted(weights.weightInput),
      bias: wanted(weights.bias),
      weightRecurrent: wanted(weights.weightRecurrent),
      alpha: wanted(weights.alpha),
      eta: usesEta ? wanted(eta) : null,
      modulationWeight: usesModulation ? wanted(modulationWeight) : null,
      modulationBias: usesModulation ? wanted(modulationBias) : null,
    };
    plasticBackward(step, g, stopModulatorGradient);
  };
  finishOp(`plasticRnnCell(${mode})`, inputs, outputs, recordingAny(inputs) ? backward : null);
  return { h: hOut, trace: traceOut, eligibility: eligibilityOut, modulation: step.modulation };
}
