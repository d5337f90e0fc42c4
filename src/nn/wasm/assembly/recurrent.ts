// The LSTM and GRU cells, forward and backward, with the arithmetic of their JavaScript twins in
// src/nn/js/recurrent.ts, element by element. A pointer of 0 stands for an absent buffer (operands
// never start at 0: static data comes first).
import { gemm, gemmNT, gemmTN } from './gemm';
import { sigmoid, sigmoidV, tanh, tanhV } from './math';

/** Fills each of the m rows of `out` (m×n) with the row vector `row`. */
export function broadcastRows(row: usize, out: usize, m: i32, n: i32): void {
  const bytes = (<usize>n) << 3;
  for (let i = 0; i < m; i++) memory.copy(out + <usize>i * bytes, row, bytes);
}

/** out[j] += Σ_i g[i][j], rows in order. */
export function addColumnSums(g: usize, out: usize, m: i32, n: i32): void {
  const n2 = n - (n & 1);
  for (let i = 0; i < m; i++) {
    const row = g + ((<usize>(i * n)) << 3);
    let j = 0;
    for (; j < n2; j += 2) {
      const o = (<usize>j) << 3;
      v128.store(out + o, f64x2.add(v128.load(out + o), v128.load(row + o)));
    }
    for (; j < n; j++) {
      const o = (<usize>j) << 3;
      store<f64>(out + o, load<f64>(out + o) + load<f64>(row + o));
    }
  }
}

/**
 * LSTM gate activations in place (gates: B×4H pre-activations in, activations out), c′, tanh c′ and
 * h′. Hidden units go two at a time; an odd last one alone.
 */
export function lstmForwardActivations(
  gates: usize,
  cPrev: usize,
  hOut: usize,
  cOut: usize,
  tanhC: usize,
  batch: i32,
  hidden: i32,
): void {
  const hb = (<usize>hidden) << 3;
  const h2 = hidden - (hidden & 1);
  for (let b = 0; b < batch; b++) {
    const g = gates + ((<usize>(b * 4 * hidden)) << 3);
    const s = (<usize>(b * hidden)) << 3;
    // Gate by gate, so that the independent evaluations of one loop overlap in the processor.
    for (let j = 0; j < h2; j += 2) {
      const o = (<usize>j) << 3;
      v128.store(g + o, sigmoidV(v128.load(g + o)));
    }
    for (let j = 0; j < h2; j += 2) {
      const o = hb + ((<usize>j) << 3);
      v128.store(g + o, sigmoidV(v128.load(g + o)));
    }
    for (let j = 0; j < h2; j += 2) {
      const o = hb * 2 + ((<usize>j) << 3);
      v128.store(g + o, tanhV(v128.load(g + o)));
    }
    for (let j = 0; j < h2; j += 2) {
      const o = hb * 3 + ((<usize>j) << 3);
      v128.store(g + o, sigmoidV(v128.load(g + o)));
    }
    let j = 0;
    for (; j < h2; j += 2) {
      const o = (<usize>j) << 3;
      const ig = v128.load(g + o);
      const fg = v128.load(g + hb + o);
      const cg = v128.load(g + hb * 2 + o);
      const og = v128.load(g + hb * 3 + o);
      const c = f64x2.add(f64x2.mul(fg, v128.load(cPrev + s + o)), f64x2.mul(ig, cg));
      const tc = tanhV(c);
      v128.store(cOut + s + o, c);
      v128.store(tanhC + s + o, tc);
      v128.store(hOut + s + o, f64x2.mul(og, tc));
    }
    for (; j < hidden; j++) {
      const o = (<usize>j) << 3;
      const ig = sigmoid(load<f64>(g + o));
      const fg = sigmoid(load<f64>(g + hb + o));
      const cg = tanh(load<f64>(g + hb * 2 + o));
      const og = sigmoid(load<f64>(g + hb * 3 + o));
      store<f64>(g + o, ig);
      store<f64>(g + hb + o, fg);
      store<f64>(g + hb * 2 + o, cg);
      store<f64>(g + hb * 3 + o, og);
      const c = fg * load<f64>(cPrev + s + o) + ig * cg;
      const tc = tanh(c);
      store<f64>(cOut + s + o, c);
      store<f64>(tanhC + s + o, tc);
      store<f64>(hOut + s + o, og * tc);
    }
  }
}

/** Gradients of the LSTM pre-activations from dL/dh′ and dL/dc′ (0: zero); dL/dc added into dcPrev (0: none). */
export function lstmBackwardActivations(
  dh: usize,
  dc: usize,
  gates: usize,
  tanhC: usize,
  cPrev: usize,
  dGates: usize,
  dcPrev: usize,
  batch: i32,
  hidden: i32,
): void {
  const hb = (<usize>hidden) << 3;
  const h2 = hidden - (hidden & 1);
  const one = f64x2.splat(1);
  const zero = f64x2.splat(0);
  for (let b = 0; b < batch; b++) {
    const g = (<usize>(b * 4 * hidden)) << 3;
    const s = (<usize>(b * hidden)) << 3;
    let j = 0;
    for (; j < h2; j += 2) {
      const o = (<usize>j) << 3;
      const ig = v128.load(gates + g + o);
      const fg = v128.load(gates + g + hb + o);
      const cg = v128.load(gates + g + hb * 2 + o);
      const og = v128.load(gates + g + hb * 3 + o);
      const tc = v128.load(tanhC + s + o);
      const dhj = dh === 0 ? zero : v128.load(dh + s + o);
      const dcIn = dc === 0 ? zero : v128.load(dc + s + o);
      const dcj = f64x2.add(dcIn, f64x2.mul(f64x2.mul(dhj, og), f64x2.sub(one, f64x2.mul(tc, tc))));
      v128.store(dGates + g + o, f64x2.mul(f64x2.mul(f64x2.mul(dcj, cg), ig), f64x2.sub(one, ig)));
      const cp = v128.load(cPrev + s + o);
      v128.store(dGates + g + hb + o, f64x2.mul(f64x2.mul(f64x2.mul(dcj, cp), fg), f64x2.sub(one, fg)));
      v128.store(dGates + g + hb * 2 + o, f64x2.mul(f64x2.mul(dcj, ig), f64x2.sub(one, f64x2.mul(cg, cg))));
      v128.store(dGates + g + hb * 3 + o, f64x2.mul(f64x2.mul(f64x2.mul(dhj, tc), og), f64x2.sub(one, og)));
      if (dcPrev !== 0) v128.store(dcPrev + s + o, f64x2.add(v128.load(dcPrev + s + o), f64x2.mul(dcj, fg)));
    }
    for (; j < hidden; j++) {
      const o = (<usize>j) << 3;
      const ig = load<f64>(gates + g + o);
      const fg = load<f64>(gates + g + hb + o);
      const cg = load<f64>(gates + g + hb * 2 + o);
      const og = load<f64>(gates + g + hb * 3 + o);
      const tc = load<f64>(tanhC + s + o);
      const dhj: f64 = dh === 0 ? 0 : load<f64>(dh + s + o);
      const dcj = (dc === 0 ? 0 : load<f64>(dc + s + o)) + dhj * og * (1 - tc * tc);
      store<f64>(dGates + g + o, dcj * cg * ig * (1 - ig));
      store<f64>(dGates + g + hb + o, dcj * load<f64>(cPrev + s + o) * fg * (1 - fg));
      store<f64>(dGates + g + hb * 2 + o, dcj * ig * (1 - cg * cg));
      store<f64>(dGates + g + hb * 3 + o, dhj * tc * og * (1 - og));
      if (dcPrev !== 0) store<f64>(dcPrev + s + o, load<f64>(dcPrev + s + o) + dcj * fg);
    }
  }
}

/** One LSTM step: gates = bias + x·W_x + h·W_h, then lstmForwardActivations. */
export function lstmForward(
  x: usize,
  h: usize,
  c: usize,
  wx: usize,
  wh: usize,
  bias: usize,
  gates: usize,
  tanhC: usize,
  hOut: usize,
  cOut: usize,
  batch: i32,
  inputSize: i32,
  hidden: i32,
): void {
  const h4 = 4 * hidden;
  broadcastRows(bias, gates, batch, h4);
  gemm(x, wx, gates, batch, inputSize, h4, true);
  gemm(h, wh, gates, batch, hidden, h4, true);
  lstmForwardActivations(gates, c, hOut, cOut, tanhC, batch, hidden);
}

/** The backward of lstmForward, gradients added into gx, gh, gc, gwx, gwh, gb (each 0 when not wanted). */
export function lstmBackward(
  dh: usize,
  dc: usize,
  gates: usize,
  tanhC: usize,
  x: usize,
  h: usize,
  cPrev: usize,
  wx: usize,
  wh: usize,
  dGates: usize,
  gx: usize,
  gh: usize,
  gc: usize,
  gwx: usize,
  gwh: usize,
  gb: usize,
  batch: i32,
  inputSize: i32,
  hidden: i32,
  scratch: usize,
): void {
  const h4 = 4 * hidden;
  lstmBackwardActivations(dh, dc, gates, tanhC, cPrev, dGates, gc, batch, hidden);
  if (gx !== 0) gemmNT(dGates, wx, gx, batch, h4, inputSize, true, scratch);
  if (gh !== 0) gemmNT(dGates, wh, gh, batch, h4, hidden, true, scratch);
  if (gwx !== 0) gemmTN(x, dGates, gwx, inputSize, batch, h4, true);
  if (gwh !== 0) gemmTN(h, dGates, gwh, hidden, batch, h4, true);
  if (gb !== 0) addColumnSums(dGates, gb, batch, h4);
}

/** GRU activations (PyTorch's formulation, gates r, z, n): gi holds r, z, n on exit, gh keeps h·W_hn + b_hn. */
export function gruForwardActivations(gi: usize, gh: usize, hPrev: usize, hOut: usize, batch: i32, hidden: i32): void {
  const hb = (<usize>hidden) << 3;
  const h2 = hidden - (hidden & 1);
  const one = f64x2.splat(1);
  for (let b = 0; b < batch; b++) {
    const g = (<usize>(b * 3 * hidden)) << 3;
    const s = (<usize>(b * hidden)) << 3;
    let j = 0;
    for (; j < h2; j += 2) {
      const o = (<usize>j) << 3;
      const r = sigmoidV(f64x2.add(v128.load(gi + g + o), v128.load(gh + g + o)));
      const z = sigmoidV(f64x2.add(v128.load(gi + g + hb + o), v128.load(gh + g + hb + o)));
      const n = tanhV(f64x2.add(v128.load(gi + g + hb * 2 + o), f64x2.mul(r, v128.load(gh + g + hb * 2 + o))));
      v128.store(gi + g + o, r);
      v128.store(gi + g + hb + o, z);
      v128.store(gi + g + hb * 2 + o, n);
      const hp = v128.load(hPrev + s + o);
      v128.store(hOut + s + o, f64x2.add(f64x2.mul(f64x2.sub(one, z), n), f64x2.mul(z, hp)));
    }
    for (; j < hidden; j++) {
      const o = (<usize>j) << 3;
      const r = sigmoid(load<f64>(gi + g + o) + load<f64>(gh + g + o));
      const z = sigmoid(load<f64>(gi + g + hb + o) + load<f64>(gh + g + hb + o));
      const n = tanh(load<f64>(gi + g + hb * 2 + o) + r * load<f64>(gh + g + hb * 2 + o));
      store<f64>(gi + g + o, r);
      store<f64>(gi + g + hb + o, z);
      store<f64>(gi + g + hb * 2 + o, n);
      store<f64>(hOut + s + o, (1 - z) * n + z * load<f64>(hPrev + s + o));
    }
  }
}

/** Gradients of the GRU pre-activations from dL/dh′; the direct path z ⊙ dh′ added into dhPrev (0: none). */
export function gruBackwardActivations(
  dh: usize,
  act: usize,
  gh: usize,
  hPrev: usize,
  dGi: usize,
  dGh: usize,
  dhPrev: usize,
  batch: i32,
  hidden: i32,
): void {
  const hb = (<usize>hidden) << 3;
  const h2 = hidden - (hidden & 1);
  const one = f64x2.splat(1);
  for (let b = 0; b < batch; b++) {
    const g = (<usize>(b * 3 * hidden)) << 3;
    const s = (<usize>(b * hidden)) << 3;
    let j = 0;
    for (; j < h2; j += 2) {
      const o = (<usize>j) << 3;
      const r = v128.load(act + g + o);
      const z = v128.load(act + g + hb + o);
      const n = v128.load(act + g + hb * 2 + o);
      const dhj = v128.load(dh + s + o);
      const dan = f64x2.mul(f64x2.mul(dhj, f64x2.sub(one, z)), f64x2.sub(one, f64x2.mul(n, n)));
      const dar = f64x2.mul(f64x2.mul(f64x2.mul(dan, v128.load(gh + g + hb * 2 + o)), r), f64x2.sub(one, r));
      const hp = v128.load(hPrev + s + o);
      const daz = f64x2.mul(f64x2.mul(f64x2.mul(dhj, f64x2.sub(hp, n)), z), f64x2.sub(one, z));
      v128.store(dGi + g + o, dar);
      v128.store(dGi + g + hb + o, daz);
      v128.store(dGi + g + hb * 2 + o, dan);
      v128.store(dGh + g + o, dar);
      v128.store(dGh + g + hb + o, daz);
      v128.store(dGh + g + hb * 2 + o, f64x2.mul(dan, r));
      if (dhPrev !== 0) v128.store(dhPrev + s + o, f64x2.add(v128.load(dhPrev + s + o), f64x2.mul(dhj, z)));
    }
    for (; j < hidden; j++) {
      const o = (<usize>j) << 3;
      const r = load<f64>(act + g + o);
      const z = load<f64>(act + g + hb + o);
      const n = load<f64>(act + g + hb * 2 + o);
      const dhj = load<f64>(dh + s + o);
      const dan = dhj * (1 - z) * (1 - n * n);
      const dar = dan * load<f64>(gh + g + hb * 2 + o) * r * (1 - r);
      const daz = dhj * (load<f64>(hPrev + s + o) - n) * z * (1 - z);
      store<f64>(dGi + g + o, dar);
      store<f64>(dGi + g + hb + o, daz);
      store<f64>(dGi + g + hb * 2 + o, dan);
      store<f64>(dGh + g + o, dar);
      store<f64>(dGh + g + hb + o, daz);
      store<f64>(dGh + g + hb * 2 + o, dan * r);
      if (dhPrev !== 0) store<f64>(dhPrev + s + o, load<f64>(dhPrev + s + o) + dhj * z);
    }
  }
}

/** One GRU step: gi = b_i + x·W_x, gh = b_h + h·W_h, then gruForwardActivations. */
export function gruForward(
  x: usize,
  h: usize,
  wx: usize,
  wh: usize,
  bi: usize,
  bh: usize,
  gi: usize,
  gh: usize,
  hOut: usize,
  batch: i32,
  inputSize: i32,
  hidden: i32,
): void {
  const h3 = 3 * hidden;
  broadcastRows(bi, gi, batch, h3);
  gemm(x, wx, gi, batch, inputSize, h3, true);
  broadcastRows(bh, gh, batch, h3);
  gemm(h, wh, gh, batch, hidden, h3, true);
  gruForwardActivations(gi, gh, h, hOut, batch, hidden);
}

/** The backward of gruForward, gradients added into gx, gh, gwx, gwh, gbi, gbh (each 0 when not wanted). */
export function gruBackward(
  dh: usize,
  act: usize,
  ghSaved: usize,
  x: usize,
  h: usize,
  wx: usize,
  wh: usize,
  dGi: usize,
  dGh: usize,
  gx: usize,
  gh: usize,
  gwx: usize,
  gwh: usize,
  gbi: usize,
  gbh: usize,
  batch: i32,
  inputSize: i32,
  hidden: i32,
  scratch: usize,
): void {
  const h3 = 3 * hidden;
  gruBackwardActivations(dh, act, ghSaved, h, dGi, dGh, gh, batch, hidden);
  if (gx !== 0) gemmNT(dGi, wx, gx, batch, h3, inputSize, true, scratch);
  if (gh !== 0) gemmNT(dGh, wh, gh, batch, h3, hidden, true, scratch);
  if (gwx !== 0) gemmTN(x, dGi, gwx, inputSize, batch, h3, true);
  if (gwh !== 0) gemmTN(h, dGh, gwh, hidden, batch, h3, true);
  if (gbi !== 0) addColumnSums(dGi, gbi, batch, h3);
  if (gbh !== 0) addColumnSums(dGh, gbh, batch, h3);
}
