// One step of multi-head attention over a key/value cache, with the arithmetic of its JavaScript
// twin (src/nn/js/attention.ts), element by element. The cache arrives as T × B × D blocks (step s
// at s·B·D); the scores and the gradient dot products run two cached steps per lane pair over a
// transposed copy (each dot product over d stays a sum in d order); the weighted sums and the
// gradient updates run two columns per lane pair (each a sum in step order).
import { exp, expV } from './math';

/** dst[e·steps + s] = src[s·n + e]: the T × n block transposed. */
function transposeSteps(src: usize, dst: usize, steps: i32, n: i32): void {
  for (let s = 0; s < steps; s++) {
    const row = src + ((<usize>(s * n)) << 3);
    for (let e = 0; e < n; e++) store<f64>(dst + ((<usize>(e * steps + s)) << 3), load<f64>(row + ((<usize>e) << 3)));
  }
}

/** out[j] = Σ_d x[d]·t[d·steps + j] for j in [s0, steps), d < hs, each sum from 0 in d order. */
function stepDots(x: usize, t: usize, out: usize, s0: i32, steps: i32, hs: i32, scale: f64, scaled: bool): void {
  const rowT = (<usize>steps) << 3;
  let s = s0;
  for (; s + 1 < steps; s += 2) {
    let acc = f64x2.splat(0);
    let pt = t + ((<usize>s) << 3);
    for (let d = 0; d < hs; d++) {
      acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(x + ((<usize>d) << 3)), v128.load(pt)));
      pt += rowT;
    }
    v128.store(out + ((<usize>s) << 3), scaled ? f64x2.mul(acc, f64x2.splat(scale)) : acc);
  }
  for (; s < steps; s++) {
    let acc: f64 = 0;
    for (let d = 0; d < hs; d++)
      acc += load<f64>(x + ((<usize>d) << 3)) * load<f64>(t + ((<usize>(d * steps + s)) << 3));
    store<f64>(out + ((<usize>s) << 3), scaled ? acc * scale : acc);
  }
}

/** y[d] += w·x[d] for d < hs. */
function addScaled(y: usize, w: f64, x: usize, hs: i32): void {
  const v = f64x2.splat(w);
  const h2 = hs - (hs & 1);
  let d = 0;
  for (; d < h2; d += 2) {
    const o = (<usize>d) << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(v, v128.load(x + o))));
  }
  for (; d < hs; d++) {
    const o = (<usize>d) << 3;
    store<f64>(y + o, load<f64>(y + o) + w * load<f64>(x + o));
  }
}

/**
 * The softmax of x[0 … n) in place, as softmaxRow computes it: the maximum, the exponentials, their
 * sum in order, the quotients.
 */
function softmaxInPlace(x: usize, n: i32): void {
  let max = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = load<f64>(x + ((<usize>j) << 3));
    if (v > max) max = v;
  }
  const n2 = n - (n & 1);
  const m = f64x2.splat(max);
  let j = 0;
  for (; j < n2; j += 2) {
    const o = (<usize>j) << 3;
    v128.store(x + o, expV(f64x2.sub(v128.load(x + o), m)));
  }
  for (; j < n; j++) {
    const o = (<usize>j) << 3;
    store<f64>(x + o, exp(load<f64>(x + o) - max));
  }
  let total: f64 = 0;
  for (let k = 0; k < n; k++) total += load<f64>(x + ((<usize>k) << 3));
  const t = f64x2.splat(total);
  j = 0;
  for (; j < n2; j += 2) {
    const o = (<usize>j) << 3;
    v128.store(x + o, f64x2.div(v128.load(x + o), t));
  }
  for (; j < n; j++) {
    const o = (<usize>j) << 3;
    store<f64>(x + o, load<f64>(x + o) / total);
  }
}

/**
 * out (B × D) and probs (B·heads × T), both zero on entry, from the query q (B × D) and the cache
 * K, V (T × B × D). first[b] (as f64) is row b's first visible step; kt is scratch of T·B·D.
 */
export function attendForward(
  q: usize,
  keys: usize,
  values: usize,
  first: usize,
  out: usize,
  probs: usize,
  batch: i32,
  width: i32,
  heads: i32,
  steps: i32,
  kt: usize,
): void {
  const hs = width / heads;
  const scale = 1 / Math.sqrt(<f64>hs);
  const bd = batch * width;
  transposeSteps(keys, kt, steps, bd);
  for (let b = 0; b < batch; b++) {
    const s0 = <i32>load<f64>(first + ((<usize>b) << 3));
    for (let h = 0; h < heads; h++) {
      const col = b * width + h * hs;
      const p = probs + ((<usize>((b * heads + h) * steps)) << 3);
      stepDots(q + ((<usize>col) << 3), kt + ((<usize>(col * steps)) << 3), p, s0, steps, hs, scale, true);
      softmaxInPlace(p + ((<usize>s0) << 3), steps - s0);
      const o = out + ((<usize>col) << 3);
      for (let s = s0; s < steps; s++) {
        addScaled(o, load<f64>(p + ((<usize>s) << 3)), values + ((<usize>(s * bd + col)) << 3), hs);
      }
    }
  }
}

/**
 * The backward of attendForward from g = dL/dout: gradients added into gq (B × D; 0: none) and into
 * the rows s of gk and gv (T × B × D) whose flag (kFlags[s], vFlags[s], as f64) is 1. vt is scratch
 * of T·B·D, dw of T.
 */
export function attendBackward(
  g: usize,
  q: usize,
  keys: usize,
  values: usize,
  probs: usize,
  first: usize,
  gq: usize,
  gk: usize,
  gv: usize,
  kFlags: usize,
  vFlags: usize,
  batch: i32,
  width: i32,
  heads: i32,
  steps: i32,
  vt: usize,
  dw: usize,
): void {
  const hs = width / heads;
  const scale = 1 / Math.sqrt(<f64>hs);
  const bd = batch * width;
  transposeSteps(values, vt, steps, bd);
  for (let b = 0; b < batch; b++) {
    const s0 = <i32>load<f64>(first + ((<usize>b) << 3));
    for (let h = 0; h < heads; h++) {
      const col = b * width + h * hs;
      const p = probs + ((<usize>((b * heads + h) * steps)) << 3);
      const gRow = g + ((<usize>col) << 3);
      stepDots(gRow, vt + ((<usize>(col * steps)) << 3), dw, s0, steps, hs, 0, false);
      let weighted: f64 = 0;
      for (let s = s0; s < steps; s++) weighted += load<f64>(p + ((<usize>s) << 3)) * load<f64>(dw + ((<usize>s) << 3));
      for (let s = s0; s < steps; s++) {
        if (load<f64>(vFlags + ((<usize>s) << 3)) !== 0) {
          addScaled(gv + ((<usize>(s * bd + col)) << 3), load<f64>(p + ((<usize>s) << 3)), gRow, hs);
        }
      }
      const qRow = q + ((<usize>col) << 3);
      for (let s = s0; s < steps; s++) {
        const dScore = load<f64>(p + ((<usize>s) << 3)) * (load<f64>(dw + ((<usize>s) << 3)) - weighted) * scale;
        if (gq !== 0) addScaled(gq + ((<usize>col) << 3), dScore, keys + ((<usize>(s * bd + col)) << 3), hs);
        if (load<f64>(kFlags + ((<usize>s) << 3)) !== 0)
          addScaled(gk + ((<usize>(s * bd + col)) << 3), dScore, qRow, hs);
      }
    }
  }
}
