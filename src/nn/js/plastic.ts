// The plastic recurrent step (src/nn/ops/plastic.ts, which has the equations) as two JavaScript
// kernels on flat buffers: plasticForward (the activity, the neuromodulation and the trace update of
// the plasticity rule) and plasticBackward (the gradient through all of them). They are the
// reference of the WebAssembly kernels in ../wasm/assembly/plastic.ts; the rules themselves
// are in plastic-rules.ts.
import { addColumnSums, broadcastRows, gemm, gemmNT, gemmTN } from './matmul.ts';
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

export type PlasticityMode = 'hebbian' | 'neuromodulated' | 'retroactive';

/**
 * The operands of one plastic step: inputs, parameters, and the outputs that plasticForward writes
 * and plasticBackward reads. `pre` may be the same buffer as `h`.
 */
export interface PlasticStep extends RuleStep {
  mode: PlasticityMode;
  /** Input size. */
  I: number;
  /** B × I input x_t. */
  x: Float64Array;
  /** B × H activity h_{t−1} that drives h_t. */
  h: Float64Array;
  /** I × H input weights W_in. */
  weightInput: Float64Array;
  /** H bias b. */
  bias: Float64Array;
  /** H × H fixed recurrent weights W. */
  weightRecurrent: Float64Array;
  /** H × H plasticity coefficients α. */
  alpha: Float64Array;
  /** H neuromodulator weights w_M (null for hebbian). */
  modulationWeight: Float64Array | null;
  /** Neuromodulator bias b_M (0 for hebbian). */
  modulationBias: number;
  /** B × H² trace Hebb_{t+1}, written by the forward pass. */
  traceOut: Float64Array;
  /** B × H² eligibility E_{t+1}, written by the forward pass (retroactive only). */
  eligibilityOut: Float64Array | null;
}

/**
 * The gradients of one plastic step: those of its outputs (read; null: zero) and those of its
 * inputs (added to; null: not wanted). `pre` may be the same buffer as `h` (when the step's `pre`
 * is its `h`); the rule's part is added first, as the activity's.
 */
export interface PlasticGradients {
  /** dL/dh_t. */
  post: Float64Array | null;
  /** dL/dHebb_{t+1}. */
  traceOut: Float64Array | null;
  /** dL/dE_{t+1}. */
  eligibilityOut: Float64Array | null;
  x: Float64Array | null;
  h: Float64Array | null;
  pre: Float64Array | null;
  trace: Float64Array | null;
  eligibility: Float64Array | null;
  weightInput: Float64Array | null;
  bias: Float64Array | null;
  weightRecurrent: Float64Array | null;
  alpha: Float64Array | null;
  /** dL/dη in element 0. */
  eta: Float64Array | null;
  modulationWeight: Float64Array | null;
  /** dL/db_M in element 0. */
  modulationBias: Float64Array | null;
}

// Scratch for the backward pass (dL/dh_t in total, dL/da, dL/dM), reused across calls.
let scratchDh = new Float64Array(0);
let scratchDa = new Float64Array(0);
let scratchDm = new Float64Array(0);
function scratch(length: number, batch: number): [Float64Array, Float64Array, Float64Array] {
  if (scratchDh.length < length) {
    scratchDh = new Float64Array(length);
    scratchDa = new Float64Array(length);
  }
  if (scratchDm.length < batch) scratchDm = new Float64Array(batch);
  return [scratchDh.subarray(0, length), scratchDa.subarray(0, length), scratchDm.subarray(0, batch)];
}

/** The activity a = b + x W_in + h W + Σ_i h_i (α ⊙ Hebb)_{i,:}, then tanh, into `post` (B × H). */
function activityForward(s: PlasticStep): void {
  const { B, I, H, h: hp, alpha: al, trace: T, post: a } = s;
  const HH = H * H;
  broadcastRows(s.bias, a, B, H);
  gemm(s.x, s.weightInput, a, B, I, H, true);
  gemm(hp, s.weightRecurrent, a, B, H, H, true);
  // Four presynaptic rows at a time: each pass over a[row, :] then does four products per load
  // and store of a (as gemm; measured 2.5× faster than one row at a time at H = 48).
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

/** The neuromodulation M_t = tanh(h_t · w_M + b_M), one value per batch element, into `M`. */
function modulationForward(s: PlasticStep, M: Float64Array): void {
  const { B, H, post } = s;
  const wM = s.modulationWeight as Float64Array;
  const bM = s.modulationBias;
  for (let b = 0; b < B; b++) {
    let sum = bM;
    for (let j = 0; j < H; j++) sum += post[b * H + j] * wM[j];
    M[b] = Math.tanh(sum);
  }
}

/** The gradient through M = tanh(h_t · w_M + b_M): into w_M, b_M and, unless stopped, dL/dh_t. */
function modulationBackward(
  s: PlasticStep,
  dModulation: Float64Array,
  dh: Float64Array,
  g: PlasticGradients,
  stopGradient: boolean,
): void {
  const { B, H, post: ho } = s;
  const M = s.modulation as Float64Array;
  const wM = s.modulationWeight as Float64Array;
  const dwM = g.modulationWeight;
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
  if (g.modulationBias !== null) g.modulationBias[0] += dbM;
}

/** The gradient through the activity, from dL/dh_t = `dh`: da = dh ⊙ (1 − h_t²), then every input and weight. */
function activityBackward(s: PlasticStep, g: PlasticGradients, dh: Float64Array, da: Float64Array): void {
  const { B, I, H, post: ho, h: hp, alpha: al, trace: T } = s;
  const HH = H * H;
  const dhPrev = g.h;
  const dTrace = g.trace;
  for (let k = 0; k < B * H; k++) da[k] = dh[k] * (1 - ho[k] * ho[k]);
  // The α ⊙ Hebb part of the recurrent weights, in one pass over each batch element's trace.
  const dAlpha = g.alpha ?? scratchSink(HH);
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
  if (dhPrev !== null) gemmNT(da, s.weightRecurrent, dhPrev, B, H, H, true);
  if (g.weightRecurrent !== null) gemmTN(hp, da, g.weightRecurrent, H, B, H, true);
  if (g.weightInput !== null) gemmTN(s.x, da, g.weightInput, I, B, H, true);
  if (g.bias !== null) addColumnSums(da, g.bias, B, H);
  if (g.x !== null) gemmNT(da, s.weightInput, g.x, B, H, I, true);
}

/** One plastic step: h_t into `post`, M_t into `modulation`, the new traces into `traceOut` and `eligibilityOut`. */
export function plasticForward(s: PlasticStep): void {
  activityForward(s);
  if (s.modulation !== null) modulationForward(s, s.modulation);
  if (s.mode === 'hebbian') hebbianForward(s, s.traceOut);
  else if (s.mode === 'neuromodulated') neuromodulatedForward(s, s.traceOut);
  else retroactiveForward(s, s.traceOut, s.eligibilityOut as Float64Array);
}

/**
 * The backward of plasticForward: through the rule, then the neuromodulator (whose input h_t is
 * taken as a constant with `stopModulatorGradient`), then the activity.
 */
export function plasticBackward(s: PlasticStep, g: PlasticGradients, stopModulatorGradient: boolean): void {
  const { B, H, mode } = s;
  const [dh, da, dm] = scratch(B * H, B);
  const gT = g.traceOut;
  const gE = g.eligibilityOut;
  if (g.post !== null) dh.set(g.post.subarray(0, B * H));
  else dh.fill(0);
  dm.fill(0);
  const d: RuleGradients = {
    post: dh,
    pre: g.pre,
    trace: g.trace,
    eligibility: g.eligibility,
    modulation: s.modulation === null ? null : dm,
  };
  let dEta = 0;
  if (mode === 'hebbian' && gT !== null) dEta = hebbianBackward(s, gT, d);
  else if (mode === 'neuromodulated' && gT !== null) neuromodulatedBackward(s, gT, d);
  else if (mode === 'retroactive' && (gT !== null || gE !== null)) dEta = retroactiveBackward(s, gT, gE, d);
  if (d.modulation !== null) modulationBackward(s, d.modulation, dh, g, stopModulatorGradient);
  if (g.eta !== null) g.eta[0] += dEta;
  activityBackward(s, g, dh, da);
}
