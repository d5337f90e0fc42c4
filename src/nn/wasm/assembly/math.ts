// exp and tanh exactly as JavaScript computes them. V8's Math.exp and Math.tanh are fdlibm's
// e_exp.c and s_tanh.c (with s_expm1.c); these are the same algorithms with the same constants and
// the same operations in the same order, so they return the same doubles (tests/nn/kernels-wasm.test.ts
// compares them on millions of arguments). WebAssembly has no exp instruction.

const HALF: f64 = 0.5;
const O_THRESHOLD: f64 = 709.782712893384;
const U_THRESHOLD: f64 = -745.1332191019411;
const LN2_HI: f64 = 0.6931471803691238;
const LN2_LO: f64 = 1.9082149292705877e-10;
const INV_LN2: f64 = Math.LOG2E;
const P1: f64 = 0.16666666666666602;
const P2: f64 = -0.0027777777777015593;
const P3: f64 = 6.613756321437934e-5;
const P4: f64 = -1.6533902205465252e-6;
const P5: f64 = 4.1381367970572385e-8;
const E: f64 = Math.E;
const TWO_M1000: f64 = 9.332636185032189e-302;
const HUGE: f64 = 8.98846567431158e307;

function highWord(x: f64): i32 {
  return <i32>(reinterpret<u64>(x) >> 32);
}

function lowWord(x: f64): u32 {
  return <u32>reinterpret<u64>(x);
}

function fromHighWord(h: i32): f64 {
  return reinterpret<f64>((<u64>(<u32>h)) << 32);
}

/** fdlibm's exp (V8's Math.exp). */
export function exp(xIn: f64): f64 {
  let x = xIn;
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  let hx = highWord(x);
  const xsb = (hx >>> 31) & 1;
  hx &= 0x7fffffff;
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | lowWord(x)) !== 0) return x + x;
      return xsb === 0 ? x : 0.0;
    }
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      if (x === 1.0) return E;
      hi = xsb === 0 ? x - LN2_HI : x + LN2_HI;
      lo = xsb === 0 ? LN2_LO : -LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = <i32>(INV_LN2 * x + (xsb === 0 ? HALF : -HALF));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1 + x;
  }
  const t = x * x;
  const twopk = k >= -1021 ? fromHighWord(0x3ff00000 + (k << 20)) : fromHighWord(0x3ff00000 + ((k + 1000) << 20));
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2.0) - x);
  const y = 1 - (lo - (x * c) / (2.0 - c) - hi);
  if (k >= -1021) {
    if (k === 1024) return y * 2.0 * HUGE;
    return y * twopk;
  }
  return y * twopk * TWO_M1000;
}

const Q1: f64 = -0.03333333333333313;
const Q2: f64 = 0.0015873015872548146;
const Q3: f64 = -7.93650757867488e-5;
const Q4: f64 = 4.008217827329362e-6;
const Q5: f64 = -2.0109921818362437e-7;

/** fdlibm's expm1, as V8's tanh uses it. */
function expm1(xIn: f64): f64 {
  let x = xIn;
  let hi: f64 = 0;
  let lo: f64 = 0;
  let c: f64 = 0;
  let k: i32 = 0;
  let hx = highWord(x);
  const negative = hx < 0;
  hx &= 0x7fffffff;
  if (hx >= 0x4043687a) {
    if (hx >= 0x40862e42) {
      if (hx >= 0x7ff00000) {
        if (((hx & 0xfffff) | lowWord(x)) !== 0) return x + x;
        return negative ? -1.0 : x;
      }
      if (x > O_THRESHOLD) return Infinity;
    }
    if (negative) return -1;
  }
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      if (!negative) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = <i32>(INV_LN2 * x + (negative ? -HALF : HALF));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
    c = hi - x - lo;
  } else if (hx < 0x3c900000) {
    return x;
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k === 0) return x - (x * e - hxs);
  const twopk = fromHighWord(0x3ff00000 + (k << 20));
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) {
    if (x < -0.25) return -2.0 * (e - (x + 0.5));
    return 1 + 2.0 * (x - e);
  }
  let y: f64;
  if (k <= -2 || k > 56) {
    y = 1 - (e - x);
    if (k === 1024) y = y * 2.0 * HUGE;
    else y = y * twopk;
    return y - 1;
  }
  if (k < 20) {
    y = fromHighWord(0x3ff00000 - (0x200000 >> k)) - (e - x);
    return y * twopk;
  }
  y = x - (e + fromHighWord((0x3ff - k) << 20));
  y += 1;
  return y * twopk;
}

/** fdlibm's tanh (V8's Math.tanh). */
export function tanh(x: f64): f64 {
  const jx = highWord(x);
  const ix = jx & 0x7fffffff;
  if (ix >= 0x7ff00000) return jx >= 0 ? 1 / x + 1 : 1 / x - 1;
  let z: f64;
  if (ix < 0x40360000) {
    if (ix < 0x3e300000) return x;
    if (ix >= 0x3ff00000) {
      const t = expm1(2 * Math.abs(x));
      z = 1 - 2 / (t + 2);
    } else {
      const t = expm1(-2 * Math.abs(x));
      z = -t / (t + 2);
    }
  } else z = 1;
  return jx >= 0 ? z : -z;
}

/** 1 / (1 + exp(−x)), as the JavaScript kernels write it. */
export function sigmoid(x: f64): f64 {
  return 1 / (1 + exp(-x));
}

// Two lanes at a time. Each lane takes the branch its scalar twin would take: all branches are
// computed and the lanes pick theirs (the reduction, the polynomial and the final formula are the
// same expressions as above). Arguments the lanes cannot share (tiny, huge, infinite, NaN, and
// exp's x = 1) go to the scalar functions.

/** The high 32 bits of each lane's double, as i64 lanes, with the sign bit cleared. */
function magnitudeWords(x: v128): v128 {
  return v128.and(i64x2.shr_u(x, 32), i64x2.splat(0x7fffffff));
}

/** 2^k for integer-valued f64 lanes k (|k| < 1023). */
function powerOfTwo(k: v128): v128 {
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  return i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
}

/** The reduction of exp and expm1: k = 0 up to ½ln2, ±1 up to 1.5 ln2, then the nearest integer to x/ln2. */
function reductionK(x: v128, hx: v128): v128 {
  const one = v128.bitselect(f64x2.splat(-1), f64x2.splat(1), f64x2.lt(x, f64x2.splat(0)));
  const half = v128.bitselect(f64x2.splat(-HALF), f64x2.splat(HALF), f64x2.lt(x, f64x2.splat(0)));
  const nearest = f64x2.trunc(f64x2.add(f64x2.mul(f64x2.splat(INV_LN2), x), half));
  const k = v128.bitselect(one, nearest, i64x2.lt_s(hx, i64x2.splat(0x3ff0a2b2)));
  return v128.bitselect(f64x2.splat(0), k, i64x2.le_s(hx, i64x2.splat(0x3fd62e42)));
}

/** exp on two lanes. */
export function expV(x: v128): v128 {
  const hx = magnitudeWords(x);
  const special = v128.or(
    v128.or(i64x2.lt_s(hx, i64x2.splat(0x3e300000)), i64x2.ge_s(hx, i64x2.splat(0x40800000))),
    f64x2.eq(x, f64x2.splat(1)),
  );
  if (v128.any_true(special)) {
    return f64x2.replace_lane(f64x2.splat(exp(f64x2.extract_lane(x, 0))), 1, exp(f64x2.extract_lane(x, 1)));
  }
  const k = reductionK(x, hx);
  const hi = f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(k, f64x2.splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let poly = f64x2.add(f64x2.splat(P4), f64x2.mul(t, f64x2.splat(P5)));
  poly = f64x2.add(f64x2.splat(P3), f64x2.mul(t, poly));
  poly = f64x2.add(f64x2.splat(P2), f64x2.mul(t, poly));
  poly = f64x2.add(f64x2.splat(P1), f64x2.mul(t, poly));
  const c = f64x2.sub(r, f64x2.mul(t, poly));
  const one = f64x2.splat(1);
  // k = 0: 1 − ((x·c)/(c − 2) − x); otherwise (1 − ((lo − (x·c)/(2 − c)) − hi))·2^k. Rounding is
  // symmetric, so (x·c)/(c − 2) is exactly −q with q = (x·c)/(2 − c): one division serves both.
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(f64x2.splat(2), c));
  const atZero = f64x2.sub(one, f64x2.sub(f64x2.neg(q), r));
  const y = f64x2.sub(one, f64x2.sub(f64x2.sub(lo, q), hi));
  const scaled = f64x2.mul(y, powerOfTwo(k));
  return v128.bitselect(atZero, scaled, f64x2.eq(k, f64x2.splat(0)));
}

/**
 * tanh on two lanes. fdlibm's tanh calls expm1 on u = 2|x| when |x| ≥ 1 and on u = −2|x| below,
 * and for |x| < 22 those arguments stay in [2, 44) and (−2, 0): there expm1's reduction k is 3…64
 * or 0…−3, and only five of its final formulas can occur. This is expm1 restricted to those two
 * domains (the same operations, in the same order, as the scalar expm1 above).
 */
export function tanhV(x: v128): v128 {
  const ix = magnitudeWords(x);
  const special = v128.or(i64x2.lt_s(ix, i64x2.splat(0x3e300000)), i64x2.ge_s(ix, i64x2.splat(0x7ff00000)));
  if (v128.any_true(special)) {
    return f64x2.replace_lane(f64x2.splat(tanh(f64x2.extract_lane(x, 0))), 1, tanh(f64x2.extract_lane(x, 1)));
  }
  const ax = f64x2.abs(x);
  const large = i64x2.ge_s(ix, i64x2.splat(0x3ff00000));
  const u = v128.bitselect(f64x2.mul(f64x2.splat(2), ax), f64x2.mul(f64x2.splat(-2), ax), large);
  // expm1(u)
  const hu = magnitudeWords(u);
  const nearest = f64x2.trunc(
    f64x2.add(f64x2.mul(f64x2.splat(INV_LN2), u), v128.bitselect(f64x2.splat(HALF), f64x2.splat(-HALF), large)),
  );
  let k = v128.bitselect(f64x2.splat(-1), nearest, i64x2.lt_s(hu, i64x2.splat(0x3ff0a2b2)));
  k = v128.bitselect(f64x2.splat(0), k, i64x2.le_s(hu, i64x2.splat(0x3fd62e42)));
  k = v128.bitselect(nearest, k, large);
  const reduced = f64x2.ne(k, f64x2.splat(0));
  const hi = f64x2.sub(u, f64x2.mul(k, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(k, f64x2.splat(LN2_LO));
  const rr = f64x2.sub(hi, lo);
  const r = v128.bitselect(rr, u, reduced);
  const c = v128.bitselect(f64x2.sub(f64x2.sub(hi, rr), lo), f64x2.splat(0), reduced);
  const hfx = f64x2.mul(f64x2.splat(0.5), r);
  const hxs = f64x2.mul(r, hfx);
  let poly = f64x2.add(f64x2.splat(Q4), f64x2.mul(hxs, f64x2.splat(Q5)));
  poly = f64x2.add(f64x2.splat(Q3), f64x2.mul(hxs, poly));
  poly = f64x2.add(f64x2.splat(Q2), f64x2.mul(hxs, poly));
  poly = f64x2.add(f64x2.splat(Q1), f64x2.mul(hxs, poly));
  const one = f64x2.splat(1);
  const r1 = f64x2.add(one, f64x2.mul(hxs, poly));
  const t = f64x2.sub(f64x2.splat(3), f64x2.mul(r1, hfx));
  const e0 = f64x2.mul(hxs, f64x2.div(f64x2.sub(r1, t), f64x2.sub(f64x2.splat(6), f64x2.mul(r, t))));
  const atZero = f64x2.sub(r, f64x2.sub(f64x2.mul(r, e0), hxs));
  const e = f64x2.sub(f64x2.sub(f64x2.mul(r, f64x2.sub(e0, c)), c), hxs);
  const twopk = powerOfTwo(k);
  const twomk = powerOfTwo(f64x2.neg(k));
  const atMinusOne = f64x2.sub(f64x2.mul(f64x2.splat(0.5), f64x2.sub(r, e)), f64x2.splat(0.5));
  const far = f64x2.sub(f64x2.mul(f64x2.sub(one, f64x2.sub(e, r)), twopk), one);
  const below20 = f64x2.mul(f64x2.sub(f64x2.sub(one, twomk), f64x2.sub(e, r)), twopk);
  const from20 = f64x2.mul(f64x2.add(f64x2.sub(r, f64x2.add(e, twomk)), one), twopk);
  let em1 = v128.bitselect(below20, from20, f64x2.lt(k, f64x2.splat(20)));
  em1 = v128.bitselect(far, em1, v128.or(f64x2.le(k, f64x2.splat(-2)), f64x2.gt(k, f64x2.splat(56))));
  em1 = v128.bitselect(atMinusOne, em1, f64x2.eq(k, f64x2.splat(-1)));
  em1 = v128.bitselect(atZero, em1, f64x2.eq(k, f64x2.splat(0)));
  // |x| ≥ 1: 1 − 2/(t + 2); below: −t/(t + 2), one division for both; |x| ≥ 22: 1.
  const two = f64x2.splat(2);
  const d = f64x2.div(v128.bitselect(two, f64x2.neg(em1), large), f64x2.add(em1, two));
  let z = v128.bitselect(f64x2.sub(one, d), d, large);
  z = v128.bitselect(one, z, i64x2.ge_s(ix, i64x2.splat(0x40360000)));
  return v128.bitselect(f64x2.neg(z), z, f64x2.lt(x, f64x2.splat(0)));
}

/** 1 / (1 + exp(−x)) on two lanes. */
export function sigmoidV(x: v128): v128 {
  return f64x2.div(f64x2.splat(1), f64x2.add(f64x2.splat(1), expV(f64x2.neg(x))));
}

/** out[i] = f(in[i]) for i < n with f = exp (0), tanh (1) or sigmoid (2), two at a time: for tests and benchmarks. */
export function mapMath(f: i32, input: usize, output: usize, n: i32): void {
  const n2 = n - (n & 1);
  let i = 0;
  for (; i < n2; i += 2) {
    const o = (<usize>i) << 3;
    const v = v128.load(input + o);
    v128.store(output + o, f === 0 ? expV(v) : f === 1 ? tanhV(v) : sigmoidV(v));
  }
  for (; i < n; i++) {
    const o = (<usize>i) << 3;
    const v = load<f64>(input + o);
    store<f64>(output + o, f === 0 ? exp(v) : f === 1 ? tanh(v) : sigmoid(v));
  }
}
