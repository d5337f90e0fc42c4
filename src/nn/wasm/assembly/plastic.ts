// The plastic recurrent step (src/nn/ops/plastic.ts), forward and backward, with the arithmetic of
// its JavaScript twins (src/nn/js/plastic.ts, src/nn/js/plastic-rules.ts) element by
// element. The lanes run across postsynaptic units j, two at a time (an odd last one alone), so
// each element is computed by the same operations in the same order. The sums that JavaScript runs
// along j (a row's dot product, dL/dη, dL/dM) still take their terms one at a time in j order: the
// terms are computed two at a time, then added lane 0 first. Two sums that JavaScript keeps side
// by side share a vector, one per lane, so each new pair of terms is two vector additions (the
// pairs are gathered by a shuffle). A pointer of 0 stands for an absent buffer.
import { gemm } from './gemm';
import { tanh, tanhV } from './math';
import { broadcastRows } from './recurrent';

const HEBBIAN = 0;
const NEUROMODULATED = 1;

/** The byte offset of element k. */
export function off(k: i32): usize {
  return (<usize>k) << 3;
}

/** [x, y] */
export function pair(x: f64, y: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(x), 1, y);
}

/** acc + [a₀, b₀] + [a₁, b₁]: the next two terms of two sums, lane 0 of a and b first. */
export function addTerms(acc: v128, a: v128, b: v128): v128 {
  return f64x2.add(f64x2.add(acc, i64x2.shuffle(a, b, 0, 2)), i64x2.shuffle(a, b, 1, 3));
}

/** v > c ? c : Math.max(v, −c), as the JavaScript rules clip (f64.max is Math.max's operation). */
function clipScalar(v: f64, c: f64): f64 {
  return v > c ? c : max<f64>(v, -c);
}

/**
 * clipScalar on two lanes, for c > 0 and v not NaN: there Math.max(v, −c) is v < −c ? −c : v, which
 * is pmax(v, −c) (−c is not zero, so no sign of zero is at stake), and v > c ? c : that is pmin of it
 * with c. The callers collect ne(v, v) and redo a row with clipScalar when a lane was NaN (Math.max
 * returns a NaN of its own, not v) or when c is not positive.
 */
function clipV(v: v128, cv: v128, negCv: v128): v128 {
  return f64x2.pmin(f64x2.pmax(v, negCv), cv);
}

/** The activity a = b + x W_in + h W + Σ_i h_i (α ⊙ Hebb)_{i,:}, presynaptic rows in fours, then tanh, into `a`. */
function activityForward(
  B: i32,
  I: i32,
  H: i32,
  x: usize,
  h: usize,
  weightInput: usize,
  bias: usize,
  weightRecurrent: usize,
  alpha: usize,
  trace: usize,
  a: usize,
): void {
  broadcastRows(bias, a, B, H);
  gemm(x, weightInput, a, B, I, H, true);
  gemm(h, weightRecurrent, a, B, H, H, true);
  const rowBytes = off(H);
  const H2 = H - (H & 1);
  const H4 = H - (H & 3);
  for (let b = 0; b < B; b++) {
    const ar = a + off(b * H);
    const hr = h + off(b * H);
    const tb = trace + off(b * H * H);
    let i = 0;
    for (; i < H4; i += 4) {
      const h0 = load<f64>(hr + off(i));
      const h1 = load<f64>(hr + off(i + 1));
      const h2 = load<f64>(hr + off(i + 2));
      const h3 = load<f64>(hr + off(i + 3));
      const v0 = f64x2.splat(h0);
      const v1 = f64x2.splat(h1);
      const v2 = f64x2.splat(h2);
      const v3 = f64x2.splat(h3);
      const t0 = tb + off(i * H);
      const t1 = t0 + rowBytes;
      const t2 = t1 + rowBytes;
      const t3 = t2 + rowBytes;
      const a0 = alpha + off(i * H);
      const a1 = a0 + rowBytes;
      const a2 = a1 + rowBytes;
      const a3 = a2 + rowBytes;
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const p0 = f64x2.mul(f64x2.mul(v0, v128.load(a0 + o)), v128.load(t0 + o));
        const p1 = f64x2.mul(f64x2.mul(v1, v128.load(a1 + o)), v128.load(t1 + o));
        const p2 = f64x2.mul(f64x2.mul(v2, v128.load(a2 + o)), v128.load(t2 + o));
        const p3 = f64x2.mul(f64x2.mul(v3, v128.load(a3 + o)), v128.load(t3 + o));
        v128.store(ar + o, f64x2.add(v128.load(ar + o), f64x2.add(f64x2.add(f64x2.add(p0, p1), p2), p3)));
      }
      if (j < H) {
        const o = off(j);
        store<f64>(
          ar + o,
          load<f64>(ar + o) +
            (h0 * load<f64>(a0 + o) * load<f64>(t0 + o) +
              h1 * load<f64>(a1 + o) * load<f64>(t1 + o) +
              h2 * load<f64>(a2 + o) * load<f64>(t2 + o) +
              h3 * load<f64>(a3 + o) * load<f64>(t3 + o)),
        );
      }
    }
    for (; i < H; i++) {
      const hi = load<f64>(hr + off(i));
      const vi = f64x2.splat(hi);
      const ti = tb + off(i * H);
      const ai = alpha + off(i * H);
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const p = f64x2.mul(f64x2.mul(vi, v128.load(ai + o)), v128.load(ti + o));
        v128.store(ar + o, f64x2.add(v128.load(ar + o), p));
      }
      if (j < H) {
        const o = off(j);
        store<f64>(ar + o, load<f64>(ar + o) + hi * load<f64>(ai + o) * load<f64>(ti + o));
      }
    }
  }
  const n = B * H;
  const n2 = n - (n & 1);
  let k = 0;
  for (; k < n2; k += 2) v128.store(a + off(k), tanhV(v128.load(a + off(k))));
  if (k < n) store<f64>(a + off(k), tanh(load<f64>(a + off(k))));
}

/** M_t = tanh(h_t · w_M + b_M), one value per batch element (a sum along j: one term at a time). */
function modulationForward(B: i32, H: i32, post: usize, modulationWeight: usize, modulationBias: f64, M: usize): void {
  for (let b = 0; b < B; b++) {
    const row = post + off(b * H);
    let s = modulationBias;
    for (let j = 0; j < H; j++) s += load<f64>(row + off(j)) * load<f64>(modulationWeight + off(j));
    store<f64>(M + off(b), tanh(s));
  }
}

/** Hebb_{t+1} = (1 − η) Hebb_t + η h_{t−1} h_tᵀ, into `out`. */
function hebbianForward(B: i32, H: i32, pre: usize, post: usize, trace: usize, eta: f64, out: usize): void {
  const keep = 1 - eta;
  const keepV = f64x2.splat(keep);
  const H2 = H - (H & 1);
  for (let b = 0; b < B; b++) {
    const row = off(b * H);
    for (let i = 0; i < H; i++) {
      const p = eta * load<f64>(pre + row + off(i));
      const pv = f64x2.splat(p);
      const ti = off((b * H + i) * H);
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const v = f64x2.add(f64x2.mul(keepV, v128.load(trace + ti + o)), f64x2.mul(pv, v128.load(post + row + o)));
        v128.store(out + ti + o, v);
      }
      if (j < H) {
        const o = off(j);
        store<f64>(out + ti + o, keep * load<f64>(trace + ti + o) + p * load<f64>(post + row + o));
      }
    }
  }
}

/** Hebb_{t+1} = clip(Hebb_t + M_t h_{t−1} h_tᵀ), into `out`. */
function neuromodulatedForward(
  B: i32,
  H: i32,
  pre: usize,
  post: usize,
  trace: usize,
  M: usize,
  clip: f64,
  out: usize,
): void {
  const cv = f64x2.splat(clip);
  const negCv = f64x2.splat(-clip);
  const positive = clip > 0;
  const H2 = H - (H & 1);
  for (let b = 0; b < B; b++) {
    const row = off(b * H);
    const m = load<f64>(M + off(b));
    for (let i = 0; i < H; i++) {
      const p = m * load<f64>(pre + row + off(i));
      const pv = f64x2.splat(p);
      const ti = off((b * H + i) * H);
      let nan = f64x2.splat(0);
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const v = f64x2.add(v128.load(trace + ti + o), f64x2.mul(pv, v128.load(post + row + o)));
        v128.store(out + ti + o, clipV(v, cv, negCv));
        nan = v128.or(nan, f64x2.ne(v, v));
      }
      if (!positive || v128.any_true(nan)) j = 0;
      for (; j < H; j++) {
        const o = off(j);
        store<f64>(out + ti + o, clipScalar(load<f64>(trace + ti + o) + p * load<f64>(post + row + o), clip));
      }
    }
  }
}

/** Hebb_{t+1} = clip(Hebb_t + M_t E_t) into `out`, E_{t+1} = (1 − η) E_t + η h_{t−1} h_tᵀ into `outEligibility`. */
function retroactiveForward(
  B: i32,
  H: i32,
  pre: usize,
  post: usize,
  trace: usize,
  eligibility: usize,
  M: usize,
  eta: f64,
  clip: f64,
  out: usize,
  outEligibility: usize,
): void {
  const keep = 1 - eta;
  const keepV = f64x2.splat(keep);
  const cv = f64x2.splat(clip);
  const negCv = f64x2.splat(-clip);
  const positive = clip > 0;
  const H2 = H - (H & 1);
  for (let b = 0; b < B; b++) {
    const row = off(b * H);
    const m = load<f64>(M + off(b));
    const mv = f64x2.splat(m);
    for (let i = 0; i < H; i++) {
      const p = eta * load<f64>(pre + row + off(i));
      const pv = f64x2.splat(p);
      const ti = off((b * H + i) * H);
      let nan = f64x2.splat(0);
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const e = v128.load(eligibility + ti + o);
        const v = f64x2.add(v128.load(trace + ti + o), f64x2.mul(mv, e));
        v128.store(out + ti + o, clipV(v, cv, negCv));
        nan = v128.or(nan, f64x2.ne(v, v));
        v128.store(outEligibility + ti + o, f64x2.add(f64x2.mul(keepV, e), f64x2.mul(pv, v128.load(post + row + o))));
      }
      if (j < H) {
        const o = off(j);
        store<f64>(outEligibility + ti + o, keep * load<f64>(eligibility + ti + o) + p * load<f64>(post + row + o));
      }
      if (!positive || v128.any_true(nan)) j = 0;
      for (; j < H; j++) {
        const o = off(j);
        store<f64>(out + ti + o, clipScalar(load<f64>(trace + ti + o) + m * load<f64>(eligibility + ti + o), clip));
      }
    }
  }
}

/**
 * One plastic step (mode 0 hebbian, 1 neuromodulated, 2 retroactive): h_t into `post`, M_t into
 * `modulation` (0 for hebbian), the new traces into `traceOut` and `eligibilityOut` (retroactive).
 */
export function plasticForward(
  mode: i32,
  B: i32,
  I: i32,
  H: i32,
  x: usize,
  h: usize,
  pre: usize,
  trace: usize,
  eligibility: usize,
  weightInput: usize,
  bias: usize,
  weightRecurrent: usize,
  alpha: usize,
  eta: f64,
  modulationWeight: usize,
  modulationBias: f64,
  clip: f64,
  post: usize,
  traceOut: usize,
  eligibilityOut: usize,
  modulation: usize,
): void {
  activityForward(B, I, H, x, h, weightInput, bias, weightRecurrent, alpha, trace, post);
  if (modulation !== 0) modulationForward(B, H, post, modulationWeight, modulationBias, modulation);
  if (mode === HEBBIAN) hebbianForward(B, H, pre, post, trace, eta, traceOut);
  else if (mode === NEUROMODULATED) neuromodulatedForward(B, H, pre, post, trace, modulation, clip, traceOut);
  else retroactiveForward(B, H, pre, post, trace, eligibility, modulation, eta, clip, traceOut, eligibilityOut);
}
