// The gradients through the three plasticity rules (the backward functions of
// src/nn/js/plastic-rules.ts), element by element, lanes across postsynaptic units j as in
// plastic.ts; plasticBackward (plastic-backward.ts) calls them first. dL/dη and dL/dM are single
// sums over many elements in JavaScript's order, so their terms are added one at a time however
// they are computed. A pointer of 0 stands for an absent buffer.
import { addTerms, off, pair } from './plastic';

/** The gradient through the hebbian rule from dL/dHebb_{t+1} = `gT`; returns dL/dη. */
export function hebbianBackward(
  B: i32,
  H: i32,
  pre: usize,
  post: usize,
  trace: usize,
  eta: f64,
  gT: usize,
  dh: usize,
  dPre: usize,
  dTrace: usize,
): f64 {
  const keep = 1 - eta;
  const keepV = f64x2.splat(keep);
  const etaV = f64x2.splat(eta);
  const H2 = H - (H & 1);
  // Lane 0: dL/dη over every element; lane 1: the row's Σ_j g·h_t[j].
  let sums = f64x2.splat(0);
  for (let b = 0; b < B; b++) {
    const row = off(b * H);
    for (let i = 0; i < H; i++) {
      const p = load<f64>(pre + row + off(i));
      const pv = f64x2.splat(p);
      const ti = off((b * H + i) * H);
      sums = f64x2.replace_lane(sums, 1, 0);
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const g = v128.load(gT + ti + o);
        if (dTrace !== 0) v128.store(dTrace + ti + o, f64x2.add(v128.load(dTrace + ti + o), f64x2.mul(keepV, g)));
        const ho = v128.load(post + row + o);
        const termEta = f64x2.mul(g, f64x2.sub(f64x2.mul(pv, ho), v128.load(trace + ti + o)));
        v128.store(dh + row + o, f64x2.add(v128.load(dh + row + o), f64x2.mul(f64x2.mul(etaV, g), pv)));
        sums = addTerms(sums, termEta, f64x2.mul(g, ho));
      }
      if (j < H) {
        const o = off(j);
        const g = load<f64>(gT + ti + o);
        if (dTrace !== 0) store<f64>(dTrace + ti + o, load<f64>(dTrace + ti + o) + keep * g);
        const ho = load<f64>(post + row + o);
        const termEta = g * (p * ho - load<f64>(trace + ti + o));
        store<f64>(dh + row + o, load<f64>(dh + row + o) + eta * g * p);
        sums = f64x2.add(sums, pair(termEta, g * ho));
      }
      if (dPre !== 0)
        store<f64>(dPre + row + off(i), load<f64>(dPre + row + off(i)) + eta * f64x2.extract_lane(sums, 1));
    }
  }
  return f64x2.extract_lane(sums, 0);
}

/**
 * The gradient through the neuromodulated rule from dL/dHebb_{t+1} = `gT` (zero where the clip was
 * active), presynaptic rows in fours as in JavaScript: the four rows' sums along j run in two
 * vectors, rows 0 and 1 in one, 2 and 3 in the other.
 */
export function neuromodulatedBackward(
  B: i32,
  H: i32,
  pre: usize,
  post: usize,
  trace: usize,
  M: usize,
  clip: f64,
  gT: usize,
  dh: usize,
  dPre: usize,
  dTrace: usize,
  dModulation: usize,
): void {
  const cv = f64x2.splat(clip);
  const negCv = f64x2.splat(-clip);
  const zero = f64x2.splat(0);
  const rowBytes = off(H);
  const H2 = H - (H & 1);
  const H4 = H - (H & 3);
  for (let b = 0; b < B; b++) {
    const row = off(b * H);
    const m = load<f64>(M + off(b));
    let dM: f64 = 0;
    let i = 0;
    for (; i < H4; i += 4) {
      const p0 = load<f64>(pre + row + off(i));
      const p1 = load<f64>(pre + row + off(i + 1));
      const p2 = load<f64>(pre + row + off(i + 2));
      const p3 = load<f64>(pre + row + off(i + 3));
      const m0 = m * p0;
      const m1 = m * p1;
      const m2 = m * p2;
      const m3 = m * p3;
      const mv0 = f64x2.splat(m0);
      const mv1 = f64x2.splat(m1);
      const mv2 = f64x2.splat(m2);
      const mv3 = f64x2.splat(m3);
      const o0 = off((b * H + i) * H);
      const o1 = o0 + rowBytes;
      const o2 = o1 + rowBytes;
      const o3 = o2 + rowBytes;
      let s01 = zero;
      let s23 = zero;
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const ho = v128.load(post + row + o);
        const v0 = f64x2.add(v128.load(trace + o0 + o), f64x2.mul(mv0, ho));
        const v1 = f64x2.add(v128.load(trace + o1 + o), f64x2.mul(mv1, ho));
        const v2 = f64x2.add(v128.load(trace + o2 + o), f64x2.mul(mv2, ho));
        const v3 = f64x2.add(v128.load(trace + o3 + o), f64x2.mul(mv3, ho));
        const g0 = v128.andnot(v128.load(gT + o0 + o), v128.or(f64x2.gt(v0, cv), f64x2.lt(v0, negCv)));
        const g1 = v128.andnot(v128.load(gT + o1 + o), v128.or(f64x2.gt(v1, cv), f64x2.lt(v1, negCv)));
        const g2 = v128.andnot(v128.load(gT + o2 + o), v128.or(f64x2.gt(v2, cv), f64x2.lt(v2, negCv)));
        const g3 = v128.andnot(v128.load(gT + o3 + o), v128.or(f64x2.gt(v3, cv), f64x2.lt(v3, negCv)));
        if (dTrace !== 0) {
          v128.store(dTrace + o0 + o, f64x2.add(v128.load(dTrace + o0 + o), g0));
          v128.store(dTrace + o1 + o, f64x2.add(v128.load(dTrace + o1 + o), g1));
          v128.store(dTrace + o2 + o, f64x2.add(v128.load(dTrace + o2 + o), g2));
          v128.store(dTrace + o3 + o, f64x2.add(v128.load(dTrace + o3 + o), g3));
        }
        const terms = f64x2.add(
          f64x2.add(f64x2.add(f64x2.mul(mv0, g0), f64x2.mul(mv1, g1)), f64x2.mul(mv2, g2)),
          f64x2.mul(mv3, g3),
        );
        v128.store(dh + row + o, f64x2.add(v128.load(dh + row + o), terms));
        s01 = addTerms(s01, f64x2.mul(g0, ho), f64x2.mul(g1, ho));
        s23 = addTerms(s23, f64x2.mul(g2, ho), f64x2.mul(g3, ho));
      }
      if (j < H) {
        const o = off(j);
        const ho = load<f64>(post + row + o);
        const v0 = load<f64>(trace + o0 + o) + m0 * ho;
        const v1 = load<f64>(trace + o1 + o) + m1 * ho;
        const v2 = load<f64>(trace + o2 + o) + m2 * ho;
        const v3 = load<f64>(trace + o3 + o) + m3 * ho;
        const g0: f64 = v0 > clip || v0 < -clip ? 0 : load<f64>(gT + o0 + o);
        const g1: f64 = v1 > clip || v1 < -clip ? 0 : load<f64>(gT + o1 + o);
        const g2: f64 = v2 > clip || v2 < -clip ? 0 : load<f64>(gT + o2 + o);
        const g3: f64 = v3 > clip || v3 < -clip ? 0 : load<f64>(gT + o3 + o);
        if (dTrace !== 0) {
          store<f64>(dTrace + o0 + o, load<f64>(dTrace + o0 + o) + g0);
          store<f64>(dTrace + o1 + o, load<f64>(dTrace + o1 + o) + g1);
          store<f64>(dTrace + o2 + o, load<f64>(dTrace + o2 + o) + g2);
          store<f64>(dTrace + o3 + o, load<f64>(dTrace + o3 + o) + g3);
        }
        store<f64>(dh + row + o, load<f64>(dh + row + o) + (m0 * g0 + m1 * g1 + m2 * g2 + m3 * g3));
        s01 = f64x2.add(s01, pair(g0 * ho, g1 * ho));
        s23 = f64x2.add(s23, pair(g2 * ho, g3 * ho));
      }
      const s0 = f64x2.extract_lane(s01, 0);
      const s1 = f64x2.extract_lane(s01, 1);
      const s2 = f64x2.extract_lane(s23, 0);
      const s3 = f64x2.extract_lane(s23, 1);
      dM += p0 * s0 + p1 * s1 + p2 * s2 + p3 * s3;
      if (dPre !== 0) {
        const q = dPre + row + off(i);
        store<f64>(q, load<f64>(q) + m * s0);
        store<f64>(q, load<f64>(q, 8) + m * s1, 8);
        store<f64>(q, load<f64>(q, 16) + m * s2, 16);
        store<f64>(q, load<f64>(q, 24) + m * s3, 24);
      }
    }
    for (; i < H; i++) {
      const p = load<f64>(pre + row + off(i));
      const mPre = m * p;
      const mv = f64x2.splat(mPre);
      const oi = off((b * H + i) * H);
      let sum: f64 = 0;
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const ho = v128.load(post + row + o);
        const v = f64x2.add(v128.load(trace + oi + o), f64x2.mul(mv, ho));
        const g = v128.andnot(v128.load(gT + oi + o), v128.or(f64x2.gt(v, cv), f64x2.lt(v, negCv)));
        if (dTrace !== 0) v128.store(dTrace + oi + o, f64x2.add(v128.load(dTrace + oi + o), g));
        v128.store(dh + row + o, f64x2.add(v128.load(dh + row + o), f64x2.mul(mv, g)));
        const t = f64x2.mul(g, ho);
        sum += f64x2.extract_lane(t, 0);
        sum += f64x2.extract_lane(t, 1);
      }
      if (j < H) {
        const o = off(j);
        const ho = load<f64>(post + row + o);
        const v = load<f64>(trace + oi + o) + mPre * ho;
        const g: f64 = v > clip || v < -clip ? 0 : load<f64>(gT + oi + o);
        if (dTrace !== 0) store<f64>(dTrace + oi + o, load<f64>(dTrace + oi + o) + g);
        store<f64>(dh + row + o, load<f64>(dh + row + o) + mPre * g);
        sum += g * ho;
      }
      dM += p * sum;
      if (dPre !== 0) store<f64>(dPre + row + off(i), load<f64>(dPre + row + off(i)) + m * sum);
    }
    store<f64>(dModulation + off(b), dM);
  }
}

/**
 * The gradient through the retroactive rule from dL/dHebb_{t+1} = `gT` and dL/dE_{t+1} = `gE`
 * (either 0: zero); returns dL/dη. Where the clip was active, JavaScript adds nothing: the lanes
 * keep dL/dHebb_t as it was and add 0 to dL/dM (which starts at +0 and so is never −0, for which
 * adding 0 would not be the identity).
 */
export function retroactiveBackward(
  B: i32,
  H: i32,
  pre: usize,
  post: usize,
  trace: usize,
  eligibility: usize,
  M: usize,
  eta: f64,
  clip: f64,
  gT: usize,
  gE: usize,
  dh: usize,
  dPre: usize,
  dTrace: usize,
  dEligibility: usize,
  dModulation: usize,
): f64 {
  const keep = 1 - eta;
  const keepV = f64x2.splat(keep);
  const etaV = f64x2.splat(eta);
  const cv = f64x2.splat(clip);
  const negCv = f64x2.splat(-clip);
  const zero = f64x2.splat(0);
  const H2 = H - (H & 1);
  // Lane 0: dL/dM of the batch element; lane 1: dL/dη over every element (each sum term by term).
  let sums = zero;
  for (let b = 0; b < B; b++) {
    const row = off(b * H);
    const m = load<f64>(M + off(b));
    const mv = f64x2.splat(m);
    sums = f64x2.replace_lane(sums, 0, 0);
    for (let i = 0; i < H; i++) {
      const p = load<f64>(pre + row + off(i));
      const pv = f64x2.splat(p);
      const ti = off((b * H + i) * H);
      let sum: f64 = 0;
      let j = 0;
      for (; j < H2; j += 2) {
        const o = off(j);
        const e = v128.load(eligibility + ti + o);
        let dE = zero;
        let termM = zero;
        let termEta = zero;
        if (gT !== 0) {
          const v = f64x2.add(v128.load(trace + ti + o), f64x2.mul(mv, e));
          const inside = v128.and(f64x2.le(v, cv), f64x2.ge(v, negCv));
          const g = v128.load(gT + ti + o);
          if (dTrace !== 0) {
            const t = v128.load(dTrace + ti + o);
            v128.store(dTrace + ti + o, v128.bitselect(f64x2.add(t, g), t, inside));
          }
          termM = v128.and(f64x2.mul(g, e), inside);
          dE = f64x2.add(zero, v128.and(f64x2.mul(mv, g), inside));
        }
        if (gE !== 0) {
          const g = v128.load(gE + ti + o);
          dE = f64x2.add(dE, f64x2.mul(keepV, g));
          const ho = v128.load(post + row + o);
          termEta = f64x2.mul(g, f64x2.sub(f64x2.mul(pv, ho), e));
          v128.store(dh + row + o, f64x2.add(v128.load(dh + row + o), f64x2.mul(f64x2.mul(etaV, g), pv)));
          const t = f64x2.mul(g, ho);
          sum += f64x2.extract_lane(t, 0);
          sum += f64x2.extract_lane(t, 1);
        }
        if (dEligibility !== 0) v128.store(dEligibility + ti + o, f64x2.add(v128.load(dEligibility + ti + o), dE));
        sums = addTerms(sums, termM, termEta);
      }
      if (j < H) {
        const o = off(j);
        const e = load<f64>(eligibility + ti + o);
        let dE: f64 = 0;
        let termM: f64 = 0;
        let termEta: f64 = 0;
        if (gT !== 0) {
          const v = load<f64>(trace + ti + o) + m * e;
          if (v <= clip && v >= -clip) {
            const g = load<f64>(gT + ti + o);
            if (dTrace !== 0) store<f64>(dTrace + ti + o, load<f64>(dTrace + ti + o) + g);
            termM = g * e;
            dE += m * g;
          }
        }
        if (gE !== 0) {
          const g = load<f64>(gE + ti + o);
          dE += keep * g;
          const ho = load<f64>(post + row + o);
          termEta = g * (p * ho - e);
          store<f64>(dh + row + o, load<f64>(dh + row + o) + eta * g * p);
          sum += g * ho;
        }
        if (dEligibility !== 0) store<f64>(dEligibility + ti + o, load<f64>(dEligibility + ti + o) + dE);
        sums = f64x2.add(sums, pair(termM, termEta));
      }
      if (dPre !== 0) store<f64>(dPre + row + off(i), load<f64>(dPre + row + off(i)) + eta * sum);
    }
    store<f64>(dModulation + off(b), f64x2.extract_lane(sums, 0));
  }
  return f64x2.extract_lane(sums, 1);
}
