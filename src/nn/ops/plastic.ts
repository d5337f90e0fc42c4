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
// Plasticity rules, after the activity step (so Hebb_t shapes h_t and h_t shapes Hebb_{t+1}):
//   hebbian        Hebb_{t+1} = (1 − η) Hebb_t + η h_{t−1} h_tᵀ                  (Miconi 2018, eq. 2)
//   neuromodulated M_t = tanh(h_t · w_M + b_M),
//                  Hebb_{t+1} = clip(Hebb_t + M_t h_{t−1} h_tᵀ)                  (Miconi 2019, eq. 3)
//   retroactive    E_{t+1} = (1 − η) E_t + η h_{t−1} h_tᵀ,
//                  Hebb_{t+1} = clip(Hebb_t + M_t E_t)                          (Miconi 2019, eqs. 4–5)
// where clip(v) = min(c, max(−c, v)). Its subgradient is 1 for −c ≤ v ≤ c (boundary included, as
// torch.clamp) and 0 outside.
//
// Memory: nothing of size B × H² is saved for the backward pass. The clip mask is recomputed from
// the inputs (Hebb_t, E_t, h_{t−1}) and the output h_t, which the tape keeps anyway; only the B
// neuromodulation values are saved.
import { Tensor } from '../tensor.ts';
import { finishOp, recordingAny } from '../tape.ts';
import { addColumnSums, broadcastRows, gemm, gemmNT, gemmTN } from '../kernels.ts';

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

function clipValue(v: number, c: number): number {
  return v > c ? c : v < -c ? -c : v;
}

// A write-only buffer for gradients nobody asked for (keeps branches out of the hot loops).
let sinkBuffer = new Float64Array(0);
function scratchSink(length: number): Float64Array {
  if (sinkBuffer.length < length) sinkBuffer = new Float64Array(length);
  return sinkBuffer;
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
  const B = x.rows;
  const I = x.cols;
  const H = h.cols;
  const HH = H * H;
  const { weightInput, bias, weightRecurrent, alpha, eta, modulationWeight, modulationBias } = weights;
  const name = `plasticRnnCell(${mode})`;
  if (weightInput.rows !== I || weightInput.cols !== H) throw new Error(`${name}: shapes ${x.shape} and ${weightInput.shape} do not match (input weight must be ${I}x${H})`);
  if (h.rows !== B) throw new Error(`${name}: shapes ${x.shape} and ${h.shape} do not match (batch sizes differ)`);
  if (bias.rows !== 1 || bias.cols !== H) throw new Error(`${name}: bias is ${bias.shape}, expected 1x${H}`);
  if (weightRecurrent.rows !== H || weightRecurrent.cols !== H) throw new Error(`${name}: recurrent weight is ${weightRecurrent.shape}, expected ${H}x${H}`);
  if (alpha.rows !== H || alpha.cols !== H) throw new Error(`${name}: alpha is ${alpha.shape}, expected ${H}x${H}`);
  if (trace.rows !== B || trace.cols !== HH) throw new Error(`${name}: trace is ${trace.shape}, expected ${B}x${HH}`);
  const usesEta = mode !== 'neuromodulated';
  const usesModulation = mode !== 'hebbian';
  if (usesEta && (eta === null || eta.size !== 1)) throw new Error(`${name}: needs eta (1x1)`);
  if (usesModulation && (modulationWeight === null || modulationWeight.rows !== H || modulationWeight.cols !== 1)) throw new Error(`${name}: needs a modulation weight of shape ${H}x1`);
  if (usesModulation && (modulationBias === null || modulationBias.size !== 1)) throw new Error(`${name}: needs a modulation bias (1x1)`);
  if (mode === 'retroactive') {
    if (eligibility === null || eligibility.rows !== B || eligibility.cols !== HH) throw new Error(`${name}: eligibility trace must be ${B}x${HH}`);
  } else if (eligibility !== null) throw new Error(`${name}: only the retroactive rule has an eligibility trace`);
  if (presynaptic.rows !== B || presynaptic.cols !== H) throw new Error(`${name}: presynaptic activity is ${presynaptic.shape}, expected ${B}x${H}`);
  if (usesModulation && !(clip > 0)) throw new Error(`${name}: clip bound must be positive, got ${clip}`);

  const inputs: Tensor[] = [x, h, trace, weightInput, bias, weightRecurrent, alpha];
  if (eligibility !== null) inputs.push(eligibility);
  if (usesEta) inputs.push(eta!);
  if (usesModulation) inputs.push(modulationWeight!, modulationBias!);
  if (presynaptic !== h) inputs.push(presynaptic);
  const record = recordingAny(inputs);
  const pp = presynaptic.data;

  // Activity: a = b + x W_in + h W + Σ_i h_i (α ⊙ Hebb)_{i,:}.
  const hOut = new Tensor(B, H);
  const a = hOut.data;
  broadcastRows(bias.data, a, B, H);
  gemm(x.data, weightInput.data, a, B, I, H, true);
  gemm(h.data, weightRecurrent.data, a, B, H, H, true);
  const hp = h.data;
  const al = alpha.data;
  const T = trace.data;
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
        a[row + j] += h0 * al[a0 + j] * T[t0 + j] + h1 * al[a1 + j] * T[t1 + j] + h2 * al[a2 + j] * T[t2 + j] + h3 * al[a3 + j] * T[t3 + j];
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
  const ho = a;

  // Neuromodulation M_t = tanh(h_t · w_M + b_M), one value per batch element.
  let M: Float64Array | null = null;
  if (usesModulation) {
    M = new Float64Array(B);
    const wM = modulationWeight!.data;
    const bM = modulationBias!.data[0];
    for (let b = 0; b < B; b++) {
      let s = bM;
      for (let j = 0; j < H; j++) s += ho[b * H + j] * wM[j];
      M[b] = Math.tanh(s);
    }
  }

  // Plasticity.
  const traceOut = new Tensor(B, HH);
  const T1 = traceOut.data;
  let eligibilityOut: Tensor | null = null;
  const n = usesEta ? eta!.data[0] : 0;
  if (mode === 'hebbian') {
    const keep = 1 - n;
    for (let b = 0; b < B; b++) {
      const row = b * H;
      const tb = b * HH;
      for (let i = 0; i < H; i++) {
        const pre = n * pp[row + i];
        const ti = tb + i * H;
        for (let j = 0; j < H; j++) T1[ti + j] = keep * T[ti + j] + pre * ho[row + j];
      }
    }
  } else if (mode === 'neuromodulated') {
    for (let b = 0; b < B; b++) {
      const row = b * H;
      const tb = b * HH;
      const m = M![b];
      for (let i = 0; i < H; i++) {
        const pre = m * pp[row + i];
        const ti = tb + i * H;
        for (let j = 0; j < H; j++) {
          const v = T[ti + j] + pre * ho[row + j];
          T1[ti + j] = v > clip ? clip : v < -clip ? -clip : v;
        }
      }
    }
  } else {
    eligibilityOut = new Tensor(B, HH);
    const E = eligibility!.data;
    const E1 = eligibilityOut.data;
    const keep = 1 - n;
    for (let b = 0; b < B; b++) {
      const row = b * H;
      const tb = b * HH;
      const m = M![b];
      for (let i = 0; i < H; i++) {
        const pre = n * pp[row + i];
        const ti = tb + i * H;
        for (let j = 0; j < H; j++) {
          const e = E[ti + j];
          T1[ti + j] = clipValue(T[ti + j] + m * e, clip);
          E1[ti + j] = keep * e + pre * ho[row + j];
        }
      }
    }
  }

  const outputs = eligibilityOut === null ? [hOut, traceOut] : [hOut, traceOut, eligibilityOut];
  finishOp(name, inputs, outputs, record ? () => {
    const [dh, da] = scratch(B * H);
    const gH = hOut.grad;
    const gT = traceOut.grad;
    const gE = eligibilityOut === null ? null : eligibilityOut.grad;
    if (gH !== null) dh.set(gH.subarray(0, B * H));
    else dh.fill(0);
    const dhPrev = h.requiresGrad ? h.gradBuffer() : null;
    const dPre = presynaptic.requiresGrad ? presynaptic.gradBuffer() : null;
    const dTrace = trace.requiresGrad ? trace.gradBuffer() : null;
    const dElig = eligibility !== null && eligibility.requiresGrad ? eligibility.gradBuffer() : null;
    let dEta = 0;
    const dModulation = usesModulation ? new Float64Array(B) : null;

    // Through the plasticity rule.
    if (mode === 'hebbian' && gT !== null) {
      const keep = 1 - n;
      for (let b = 0; b < B; b++) {
        const row = b * H;
        const tb = b * HH;
        for (let i = 0; i < H; i++) {
          const pre = pp[row + i];
          const ti = tb + i * H;
          let s = 0;
          for (let j = 0; j < H; j++) {
            const g = gT[ti + j];
            if (dTrace !== null) dTrace[ti + j] += keep * g;
            const post = ho[row + j];
            dEta += g * (pre * post - T[ti + j]);
            dh[row + j] += n * g * pre;
            s += g * post;
          }
          if (dPre !== null) dPre[row + i] += n * s;
        }
      }
    } else if (mode === 'neuromodulated' && gT !== null) {
      // g = dL/dHebb_{t+1} through the clip (zero where it was active). Four presynaptic rows at
      // a time, so dh[row, :] is loaded and stored once per four products; without a trace
      // gradient (the first step) g goes to a scratch buffer.
      const H4 = H - (H & 3);
      const sink = dTrace ?? scratchSink(HH);
      const sinkStride = dTrace === null ? 0 : HH;
      for (let b = 0; b < B; b++) {
        const row = b * H;
        const tb = b * HH;
        const db = b * sinkStride;
        const m = M![b];
        let dM = 0;
        let i = 0;
        for (; i < H4; i += 4) {
          const p0 = pp[row + i];
          const p1 = pp[row + i + 1];
          const p2 = pp[row + i + 2];
          const p3 = pp[row + i + 3];
          const m0 = m * p0;
          const m1 = m * p1;
          const m2 = m * p2;
          const m3 = m * p3;
          const o0 = i * H;
          const o1 = o0 + H;
          const o2 = o1 + H;
          const o3 = o2 + H;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let j = 0; j < H; j++) {
            const post = ho[row + j];
            const v0 = T[tb + o0 + j] + m0 * post;
            const v1 = T[tb + o1 + j] + m1 * post;
            const v2 = T[tb + o2 + j] + m2 * post;
            const v3 = T[tb + o3 + j] + m3 * post;
            const g0 = v0 > clip || v0 < -clip ? 0 : gT[tb + o0 + j];
            const g1 = v1 > clip || v1 < -clip ? 0 : gT[tb + o1 + j];
            const g2 = v2 > clip || v2 < -clip ? 0 : gT[tb + o2 + j];
            const g3 = v3 > clip || v3 < -clip ? 0 : gT[tb + o3 + j];
            sink[db + o0 + j] += g0;
            sink[db + o1 + j] += g1;
            sink[db + o2 + j] += g2;
            sink[db + o3 + j] += g3;
            dh[row + j] += m0 * g0 + m1 * g1 + m2 * g2 + m3 * g3;
            s0 += g0 * post;
            s1 += g1 * post;
            s2 += g2 * post;
            s3 += g3 * post;
          }
          dM += p0 * s0 + p1 * s1 + p2 * s2 + p3 * s3;
          if (dPre !== null) {
            dPre[row + i] += m * s0;
            dPre[row + i + 1] += m * s1;
            dPre[row + i + 2] += m * s2;
            dPre[row + i + 3] += m * s3;
          }
        }
        for (; i < H; i++) {
          const pre = pp[row + i];
          const mPre = m * pre;
          const o = i * H;
          let s = 0;
          for (let j = 0; j < H; j++) {
            const post = ho[row + j];
            const v = T[tb + o + j] + mPre * post;
            const g = v > clip || v < -clip ? 0 : gT[tb + o + j];
            sink[db + o + j] += g;
            dh[row + j] += mPre * g;
            s += g * post;
          }
          dM += pre * s;
          if (dPre !== null) dPre[row + i] += m * s;
        }
        dModulation![b] = dM;
      }
    } else if (mode === 'retroactive' && (gT !== null || gE !== null)) {
      const E = eligibility!.data;
      const keep = 1 - n;
      for (let b = 0; b < B; b++) {
        const row = b * H;
        const tb = b * HH;
        const m = M![b];
        let dM = 0;
        for (let i = 0; i < H; i++) {
          const pre = pp[row + i];
          const ti = tb + i * H;
          let s = 0;
          for (let j = 0; j < H; j++) {
            const e = E[ti + j];
            let dE = 0;
            if (gT !== null) {
              const v = T[ti + j] + m * e;
              if (v <= clip && v >= -clip) {
                const g = gT[ti + j];
                if (dTrace !== null) dTrace[ti + j] += g;
                dM += g * e;
                dE += m * g;
              }
            }
            if (gE !== null) {
              const g = gE[ti + j];
              dE += keep * g;
              const post = ho[row + j];
              dEta += g * (pre * post - e);
              dh[row + j] += n * g * pre;
              s += g * post;
            }
            if (dElig !== null) dElig[ti + j] += dE;
          }
          if (dPre !== null) dPre[row + i] += n * s;
        }
        dModulation![b] = dM;
      }
    }

    // Through the neuromodulator M = tanh(h_t · w_M + b_M).
    if (dModulation !== null) {
      const wM = modulationWeight!.data;
      const dwM = modulationWeight!.requiresGrad ? modulationWeight!.gradBuffer() : null;
      let dbM = 0;
      for (let b = 0; b < B; b++) {
        const m = M![b];
        const dm = dModulation[b] * (1 - m * m);
        if (dm === 0) continue;
        dbM += dm;
        const row = b * H;
        for (let j = 0; j < H; j++) {
          if (!stopModulatorGradient) dh[row + j] += dm * wM[j];
          if (dwM !== null) dwM[j] += dm * ho[row + j];
        }
      }
      if (modulationBias!.requiresGrad) modulationBias!.gradBuffer()[0] += dbM;
    }
    if (usesEta && eta!.requiresGrad) eta!.gradBuffer()[0] += dEta;

    // Through the activity: da = dh ⊙ (1 − h_t²).
    for (let k = 0; k < B * H; k++) da[k] = dh[k] * (1 - ho[k] * ho[k]);
    // The α ⊙ Hebb part of the recurrent weights, in one pass over each batch element's trace.
    const dAlpha = alpha.requiresGrad ? alpha.gradBuffer() : scratchSink(HH);
    for (let b = 0; b < B; b++) {
      const row = b * H;
      const tb = b * HH;
      for (let i = 0; i < H; i++) {
        const pre = hp[row + i];
        const ti = tb + i * H;
        const ai = i * H;
        let s = 0;
        if (dTrace !== null) {
          for (let j = 0; j < H; j++) {
            const d = da[row + j];
            const t = T[ti + j];
            const w = al[ai + j];
            s += d * w * t;
            dAlpha[ai + j] += pre * d * t;
            dTrace[ti + j] += w * pre * d;
          }
        } else {
          for (let j = 0; j < H; j++) {
            const d = da[row + j];
            const t = T[ti + j];
            s += d * al[ai + j] * t;
            dAlpha[ai + j] += pre * d * t;
          }
        }
        if (dhPrev !== null) dhPrev[row + i] += s;
      }
    }
    if (dhPrev !== null) gemmNT(da, weightRecurrent.data, dhPrev, B, H, H, true);
    if (weightRecurrent.requiresGrad) gemmTN(hp, da, weightRecurrent.gradBuffer(), H, B, H, true);
    if (weightInput.requiresGrad) gemmTN(x.data, da, weightInput.gradBuffer(), I, B, H, true);
    if (bias.requiresGrad) addColumnSums(da, bias.gradBuffer(), B, H);
    if (x.requiresGrad) gemmNT(da, weightInput.data, x.gradBuffer(), B, H, I, true);
  } : null);
  return { h: hOut, trace: traceOut, eligibility: eligibilityOut, modulation: M };
}
