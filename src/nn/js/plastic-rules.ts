// The three plasticity rules of the plastic recurrent step (src/nn/ops/plastic.ts), each as a
// named forward function (the trace update after the activity step) and backward function (the
// gradient through that update), on flat buffers: JavaScript kernels, called by plasticForward and
// plasticBackward (plastic.ts) and mirrored in src/nn/wasm/assembly/plastic.ts.
// Notation as in plastic.ts: for batch element b, presynaptic unit i and postsynaptic unit j,
// Hebb entry (i, j) sits at b·H² + i·H + j.
//   hebbian        Hebb_{t+1} = (1 − η) Hebb_t + η h_{t−1} h_tᵀ                  (Miconi 2018, eq. 2)
//   neuromodulated Hebb_{t+1} = clip(Hebb_t + M_t h_{t−1} h_tᵀ)                  (Miconi 2019, eq. 3)
//   retroactive    E_{t+1} = (1 − η) E_t + η h_{t−1} h_tᵀ,
//                  Hebb_{t+1} = clip(Hebb_t + M_t E_t)                          (Miconi 2019, eqs. 4–5)
// The clip's subgradient is 1 for −c ≤ v ≤ c (boundary included, as torch.clamp) and 0 outside;
// the backward passes recompute its mask from the inputs, so nothing of size B × H² is saved.

/** What a rule reads: shapes, the presynaptic and new activity, the old traces, η, M and the clip bound. */
export interface RuleStep {
  B: number;
  H: number;
  /** B × H presynaptic activity h_{t−1} of the rule. */
  pre: Float64Array;
  /** B × H new activity h_t. */
  post: Float64Array;
  /** B × H² plastic trace Hebb_t. */
  trace: Float64Array;
  /** B × H² eligibility E_t (retroactive only). */
  eligibility: Float64Array | null;
  /** Trace rate η (hebbian and retroactive; 0 otherwise). */
  eta: number;
  /** Neuromodulation M_t per batch element (neuromodulated and retroactive). */
  modulation: Float64Array | null;
  clip: number;
}

/** Where a rule's backward pass adds its gradients (null: nobody asked for that one). */
export interface RuleGradients {
  /** dL/dh_t, added to (B × H). */
  post: Float64Array;
  /** dL/dh_{t−1} of the rule (B × H). */
  pre: Float64Array | null;
  /** dL/dHebb_t (B × H²). */
  trace: Float64Array | null;
  /** dL/dE_t (B × H²). */
  eligibility: Float64Array | null;
  /** dL/dM_t per batch element, written (not added). */
  modulation: Float64Array | null;
}

function clipValue(v: number, c: number): number {
  return v > c ? c : Math.max(v, -c);
}

// A write-only buffer for gradients nobody asked for (keeps branches out of the hot loops).
let sinkBuffer = new Float64Array(0);
export function scratchSink(length: number): Float64Array {
  if (sinkBuffer.length < length) sinkBuffer = new Float64Array(length);
  return sinkBuffer;
}

/** Hebb_{t+1} = (1 − η) Hebb_t + η h_{t−1} h_tᵀ, into `out`. */
export function hebbianForward(s: RuleStep, out: Float64Array): void {
  const { B, H, pre: pp, post: ho, trace: T, eta: n } = s;
  const HH = H * H;
  const keep = 1 - n;
  for (let b = 0; b < B; b++) {
    const row = b * H;
    const tb = b * HH;
    for (let i = 0; i < H; i++) {
      const pre = n * pp[row + i];
      const ti = tb + i * H;
      for (let j = 0; j < H; j++) out[ti + j] = keep * T[ti + j] + pre * ho[row + j];
    }
  }
}

/** The gradient through the hebbian rule from dL/dHebb_{t+1} = `gT`; returns dL/dη. */
export function hebbianBackward(s: RuleStep, gT: Float64Array, d: RuleGradients): number {
  const { B, H, pre: pp, post: ho, trace: T, eta: n } = s;
  const HH = H * H;
  const keep = 1 - n;
  let dEta = 0;
  for (let b = 0; b < B; b++) {
    const row = b * H;
    const tb = b * HH;
    for (let i = 0; i < H; i++) {
      const pre = pp[row + i];
      const ti = tb + i * H;
      let sum = 0;
      for (let j = 0; j < H; j++) {
        const g = gT[ti + j];
        if (d.trace !== null) d.trace[ti + j] += keep * g;
        const post = ho[row + j];
        dEta += g * (pre * post - T[ti + j]);
        d.post[row + j] += n * g * pre;
        sum += g * post;
      }
      if (d.pre !== null) d.pre[row + i] += n * sum;
    }
  }
  return dEta;
}

/** Hebb_{t+1} = clip(Hebb_t + M_t h_{t−1} h_tᵀ), into `out`. */
export function neuromodulatedForward(s: RuleStep, out: Float64Array): void {
  const { B, H, pre: pp, post: ho, trace: T, clip } = s;
  const M = s.modulation as Float64Array;
  const HH = H * H;
  for (let b = 0; b < B; b++) {
    const row = b * H;
    const tb = b * HH;
    const m = M[b];
    for (let i = 0; i < H; i++) {
      const pre = m * pp[row + i];
      const ti = tb + i * H;
      for (let j = 0; j < H; j++) {
        const v = T[ti + j] + pre * ho[row + j];
        out[ti + j] = v > clip ? clip : Math.max(v, -clip);
      }
    }
  }
}

/**
 * The gradient through the neuromodulated rule from dL/dHebb_{t+1} = `gT` (zero where the clip was
 * active). Four presynaptic rows at a time, so dh[row, :] is loaded and stored once per four
 * products; without a trace gradient (the first step) it goes to a scratch buffer.
 */
export function neuromodulatedBackward(s: RuleStep, gT: Float64Array, d: RuleGradients): void {
  const { B, H, pre: pp, post: ho, trace: T, clip } = s;
  const M = s.modulation as Float64Array;
  const dModulation = d.modulation as Float64Array;
  const dh = d.post;
  const dPre = d.pre;
  const HH = H * H;
  const H4 = H - (H & 3);
  const sink = d.trace ?? scratchSink(HH);
  const sinkStride = d.trace === null ? 0 : HH;
  for (let b = 0; b < B; b++) {
    const row = b * H;
    const tb = b * HH;
    const db = b * sinkStride;
    const m = M[b];
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
      let sum = 0;
      for (let j = 0; j < H; j++) {
        const post = ho[row + j];
        const v = T[tb + o + j] + mPre * post;
        const g = v > clip || v < -clip ? 0 : gT[tb + o + j];
        sink[db + o + j] += g;
        dh[row + j] += mPre * g;
        sum += g * post;
      }
      dM += pre * sum;
      if (dPre !== null) dPre[row + i] += m * sum;
    }
    dModulation[b] = dM;
  }
}

/** Hebb_{t+1} = clip(Hebb_t + M_t E_t) into `out`, and E_{t+1} = (1 − η) E_t + η h_{t−1} h_tᵀ into `outEligibility`. */
export function retroactiveForward(s: RuleStep, out: Float64Array, outEligibility: Float64Array): void {
  const { B, H, pre: pp, post: ho, trace: T, eta: n, clip } = s;
  const M = s.modulation as Float64Array;
  const E = s.eligibility as Float64Array;
  const HH = H * H;
  const keep = 1 - n;
  for (let b = 0; b < B; b++) {
    const row = b * H;
    const tb = b * HH;
    const m = M[b];
    for (let i = 0; i < H; i++) {
      const pre = n * pp[row + i];
      const ti = tb + i * H;
      for (let j = 0; j < H; j++) {
        const e = E[ti + j];
        out[ti + j] = clipValue(T[ti + j] + m * e, clip);
        outEligibility[ti + j] = keep * e + pre * ho[row + j];
      }
    }
  }
}

/** The gradient through the retroactive rule from dL/dHebb_{t+1} = `gT` and dL/dE_{t+1} = `gE`; returns dL/dη. */
export function retroactiveBackward(
  s: RuleStep,
  gT: Float64Array | null,
  gE: Float64Array | null,
  d: RuleGradients,
): number {
  const { B, H, pre: pp, post: ho, trace: T, eta: n, clip } = s;
  const M = s.modulation as Float64Array;
  const E = s.eligibility as Float64Array;
  const dModulation = d.modulation as Float64Array;
  const HH = H * H;
  const keep = 1 - n;
  let dEta = 0;
  for (let b = 0; b < B; b++) {
    const row = b * H;
    const tb = b * HH;
    const m = M[b];
    let dM = 0;
    for (let i = 0; i < H; i++) {
      const pre = pp[row + i];
      const ti = tb + i * H;
      let sum = 0;
      for (let j = 0; j < H; j++) {
        const e = E[ti + j];
        let dE = 0;
        if (gT !== null) {
          const v = T[ti + j] + m * e;
          if (v <= clip && v >= -clip) {
            const g = gT[ti + j];
            if (d.trace !== null) d.trace[ti + j] += g;
            dM += g * e;
            dE += m * g;
          }
        }
        if (gE !== null) {
          const g = gE[ti + j];
          dE += keep * g;
          const post = ho[row + j];
          dEta += g * (pre * post - e);
          d.post[row + j] += n * g * pre;
          sum += g * post;
        }
        if (d.eligibility !== null) d.eligibility[ti + j] += dE;
      }
      if (d.pre !== null) d.pre[row + i] += n * sum;
    }
    dModulation[b] = dM;
  }
  return dEta;
}
