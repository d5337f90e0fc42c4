// The backward pass of the plastic recurrent step (plasticForward in plastic.ts), with the
// arithmetic of plasticBackward in src/nn/js/plastic.ts element by element: the rule's
// gradient (plastic-rules-backward.ts), then the neuromodulator's, then the activity's, lanes across
// postsynaptic units j as in plastic.ts. A pointer of 0 stands for an absent buffer (a gradient
// nobody asked for, or an output gradient that is zero).
import { gemmNT, gemmTN } from './gemm';
import { addTerms, off, pair } from './plastic';
import { hebbianBackward, neuromodulatedBackward, retroactiveBackward } from './plastic-rules-backward';
import { addColumnSums } from './recurrent';

const HEBBIAN = 0;
const NEUROMODULATED = 1;

/** The gradient through M = tanh(h_t · w_M + b_M): into w_M, b_M and, unless `stop`, dL/dh_t. */
function modulationBackward(
  B: i32,
  H: i32,
  post: usize,
  M: usize,
  modulationWeight: usize,
  dModulation: usize,
  stop: bool,
  dh: usize,
  dModulationWeight: usize,
  dModulationBias: usize,
): void {
  const H2 = H - (H & 1);
  let dbM: f64 = 0;
  for (let b = 0; b < B; b++) {
    const m = load<f64>(M + off(b));
    const dm = load<f64>(dModulation + off(b)) * (1 - m * m);
    if (dm === 0) continue;
    dbM += dm;
    const dmv = f64x2.splat(dm);
    const row = off(b * H);
    let j = 0;
    for (; j < H2; j += 2) {
      const o = off(j);
      if (!stop)
        v128.store(dh + row + o, f64x2.add(v128.load(dh + row + o), f64x2.mul(dmv, v128.load(modulationWeight + o))));
      if (dModulationWeight !== 0) {
        const w = f64x2.add(v128.load(dModulationWeight + o), f64x2.mul(dmv, v128.load(post + row + o)));
        v128.store(dModulationWeight + o, w);
      }
    }
    if (j < H) {
      const o = off(j);
      if (!stop) store<f64>(dh + row + o, load<f64>(dh + row + o) + dm * load<f64>(modulationWeight + o));
      if (dModulationWeight !== 0) {
        store<f64>(dModulationWeight + o, load<f64>(dModulationWeight + o) + dm * load<f64>(post + row + o));
      }
    }
  }
  if (dModulationBias !== 0) store<f64>(dModulationBias, load<f64>(dModulationBias) + dbM);
}

/**
 * The gradient through the activity from dL/dh_t = `dh`: da = dh ⊙ (1 − h_t²) into `da`, then every
 * input and weight. The α ⊙ Hebb part goes two presynaptic rows at a time, their sums along j
 * (into dL/dh_{t−1}) side by side in one vector.
 */
function activityBackward(
  B: i32,
  I: i32,
  H: i32,
  x: usize,
  h: usize,
  post: usize,
  weightInput: usize,
  weightRecurrent: usize,
  alpha: usize,
  trace: usize,
  dh: usize,
  da: usize,
  dx: usize,
  dhPrev: usize,
  dTrace: usize,
  dWeightInput: usize,
  dBias: usize,
  dWeightRecurrent: usize,
  dAlpha: usize,
  scratch: usize,
): void {
  const one = f64x2.splat(1);
  const n = B * H;
  const n2 = n - (n & 1);
  let k = 0;
  for (; k < n2; k += 2) {
    const ho = v128.load(post + off(k));
    v128.store(da + off(k), f64x2.mul(v128.load(dh + off(k)), f64x2.sub(one, f64x2.mul(ho, ho))));
  }
  if (k < n) {
    const ho = load<f64>(post + off(k));
    store<f64>(da + off(k), load<f64>(dh + off(k)) * (1 - ho * ho));
  }
  const rowBytes = off(H);
  const H2 = H - (H & 1);
  for (let b = 0; b < B; b++) {
    const row = off(b * H);
    let i = 0;
    for (; i < H2; i += 2) {
      const p0 = load<f64>(h + row + off(i));
      const p1 = load<f64>(h + row + off(i + 1));
      const pv0 = f64x2.splat(p0);
      const pv1 = f64x2.splat(p1);
      const t0 = off((b * H + i) * H);
      const t1 = t0 + rowBytes;
      const a0 = off(i * H);
      const a1 = a0 + rowBytes;
      let sums = f64x2.splat(0);
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const d = v128.load(da + row + o);
        const tr0 = v128.load(trace + t0 + o);
        const tr1 = v128.load(trace + t1 + o);
        const w0 = v128.load(alpha + a0 + o);
        const w1 = v128.load(alpha + a1 + o);
        sums = addTerms(sums, f64x2.mul(f64x2.mul(d, w0), tr0), f64x2.mul(f64x2.mul(d, w1), tr1));
        if (dAlpha !== 0) {
          v128.store(dAlpha + a0 + o, f64x2.add(v128.load(dAlpha + a0 + o), f64x2.mul(f64x2.mul(pv0, d), tr0)));
          v128.store(dAlpha + a1 + o, f64x2.add(v128.load(dAlpha + a1 + o), f64x2.mul(f64x2.mul(pv1, d), tr1)));
        }
        if (dTrace !== 0) {
          v128.store(dTrace + t0 + o, f64x2.add(v128.load(dTrace + t0 + o), f64x2.mul(f64x2.mul(w0, pv0), d)));
          v128.store(dTrace + t1 + o, f64x2.add(v128.load(dTrace + t1 + o), f64x2.mul(f64x2.mul(w1, pv1), d)));
        }
      }
      if (j < H) {
        const o = off(j);
        const d = load<f64>(da + row + o);
        const tr0 = load<f64>(trace + t0 + o);
        const tr1 = load<f64>(trace + t1 + o);
        const w0 = load<f64>(alpha + a0 + o);
        const w1 = load<f64>(alpha + a1 + o);
        sums = f64x2.add(sums, pair(d * w0 * tr0, d * w1 * tr1));
        if (dAlpha !== 0) {
          store<f64>(dAlpha + a0 + o, load<f64>(dAlpha + a0 + o) + p0 * d * tr0);
          store<f64>(dAlpha + a1 + o, load<f64>(dAlpha + a1 + o) + p1 * d * tr1);
        }
        if (dTrace !== 0) {
          store<f64>(dTrace + t0 + o, load<f64>(dTrace + t0 + o) + w0 * p0 * d);
          store<f64>(dTrace + t1 + o, load<f64>(dTrace + t1 + o) + w1 * p1 * d);
        }
      }
      if (dhPrev !== 0) {
        const q = dhPrev + row + off(i);
        store<f64>(q, load<f64>(q) + f64x2.extract_lane(sums, 0));
        store<f64>(q, load<f64>(q, 8) + f64x2.extract_lane(sums, 1), 8);
      }
    }
    if (i < H) {
      const p = load<f64>(h + row + off(i));
      const pv = f64x2.splat(p);
      const ti = off((b * H + i) * H);
      const ai = off(i * H);
      let sum: f64 = 0;
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const d = v128.load(da + row + o);
        const tr = v128.load(trace + ti + o);
        const w = v128.load(alpha + ai + o);
        const t = f64x2.mul(f64x2.mul(d, w), tr);
        sum += f64x2.extract_lane(t, 0);
        sum += f64x2.extract_lane(t, 1);
        if (dAlpha !== 0) {
          v128.store(dAlpha + ai + o, f64x2.add(v128.load(dAlpha + ai + o), f64x2.mul(f64x2.mul(pv, d), tr)));
        }
        if (dTrace !== 0) {
          v128.store(dTrace + ti + o, f64x2.add(v128.load(dTrace + ti + o), f64x2.mul(f64x2.mul(w, pv), d)));
        }
      }
      if (j < H) {
        const o = off(j);
        const d = load<f64>(da + row + o);
        const tr = load<f64>(trace + ti + o);
        const w = load<f64>(alpha + ai + o);
        sum += d * w * tr;
        if (dAlpha !== 0) store<f64>(dAlpha + ai + o, load<f64>(dAlpha + ai + o) + p * d * tr);
        if (dTrace !== 0) store<f64>(dTrace + ti + o, load<f64>(dTrace + ti + o) + w * p * d);
      }
      if (dhPrev !== 0) store<f64>(dhPrev + row + off(i), load<f64>(dhPrev + row + off(i)) + sum);
    }
  }
  if (dhPrev !== 0) gemmNT(da, weightRecurrent, dhPrev, B, H, H, true, scratch);
  if (dWeightRecurrent !== 0) gemmTN(h, da, dWeightRecurrent, H, B, H, true);
  if (dWeightInput !== 0) gemmTN(x, da, dWeightInput, I, B, H, true);
  if (dBias !== 0) addColumnSums(da, dBias, B, H);
  if (dx !== 0) gemmNT(da, weightInput, dx, B, H, I, true, scratch);
}

/**
 * The backward of plasticForward: through the rule, the neuromodulator (with `stop`, its input h_t
 * is a constant) and the activity. `dh` holds dL/dh_t on entry (the caller's copy: the rule and the
 * neuromodulator add to it); `da` (B × H), `dModulation` (B) and `scratch` (H × max(H, I)) are
 * scratch. Gradients are added into dx … dModulationBias, each 0 when not wanted; dPre may be dhPrev.
 */
export function plasticBackward(
  mode: i32,
  B: i32,
  I: i32,
  H: i32,
  x: usize,
  h: usize,
  pre: usize,
  post: usize,
  trace: usize,
  eligibility: usize,
  weightInput: usize,
  weightRecurrent: usize,
  alpha: usize,
  eta: f64,
  modulation: usize,
  modulationWeight: usize,
  clip: f64,
  stop: bool,
  gTrace: usize,
  gEligibility: usize,
  dh: usize,
  da: usize,
  dModulation: usize,
  dx: usize,
  dhPrev: usize,
  dPre: usize,
  dTrace: usize,
  dEligibility: usize,
  dWeightInput: usize,
  dBias: usize,
  dWeightRecurrent: usize,
  dAlpha: usize,
  dEta: usize,
  dModulationWeight: usize,
  dModulationBias: usize,
  scratch: usize,
): void {
  if (modulation !== 0) memory.fill(dModulation, 0, off(B));
  let etaGradient: f64 = 0;
  if (mode === HEBBIAN) {
    if (gTrace !== 0) etaGradient = hebbianBackward(B, H, pre, post, trace, eta, gTrace, dh, dPre, dTrace);
  } else if (mode === NEUROMODULATED) {
    if (gTrace !== 0)
      neuromodulatedBackward(B, H, pre, post, trace, modulation, clip, gTrace, dh, dPre, dTrace, dModulation);
  } else if (gTrace !== 0 || gEligibility !== 0) {
    etaGradient = retroactiveBackward(
      B,
      H,
      pre,
      post,
      trace,
      eligibility,
      modulation,
      eta,
      clip,
      gTrace,
      gEligibility,
      dh,
      dPre,
      dTrace,
      dEligibility,
      dModulation,
    );
  }
  if (modulation !== 0) {
    modulationBackward(
      B,
      H,
      post,
      modulation,
      modulationWeight,
      dModulation,
      stop,
      dh,
      dModulationWeight,
      dModulationBias,
    );
  }
  if (dEta !== 0) store<f64>(dEta, load<f64>(dEta) + etaGradient);
  activityBackward(
    B,
    I,
    H,
    x,
    h,
    post,
    weightInput,
    weightRecurrent,
    alpha,
    trace,
    dh,
    da,
    dx,
    dhPrev,
    dTrace,
    dWeightInput,
    dBias,
    dWeightRecurrent,
    dAlpha,
    scratch,
  );
}
