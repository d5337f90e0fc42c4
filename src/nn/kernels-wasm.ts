// The WebAssembly kernels (src/nn/wasm/assembly, built into src/nn/wasm/kernels.wasm), behind the
// same signatures as the JavaScript kernels. Each call copies its operands into the instance's
// linear memory above the module's static data, runs the kernel on their byte offsets, and copies
// the results back: the copies are linear in the operands while the products are not, and they
// leave the engine's tensors ordinary Float64Arrays. Every thread (training workers included)
// instantiates its own module and memory.
import fs from 'node:fs';
import type { Kernels, PlasticityMode } from './kernels-js.ts';
import * as js from './kernels-js.ts';

/** The plasticity rules as the module numbers them (src/nn/wasm/assembly/plastic.ts). */
const MODE_NUMBERS: Record<PlasticityMode, number> = { hebbian: 0, neuromodulated: 1, retroactive: 2 };

type Fn = (...args: number[]) => number | undefined;

/** The little of the WebAssembly API used here (its types are in the DOM library, which engram does not load). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** What the module exports (src/nn/wasm/assembly/index.ts). */
export interface WasmExports {
  memory: WasmMemory;
  heapBase(): number;
  /** out[i] = exp, tanh or the sigmoid (f = 0, 1, 2) of in[i], for tests and benchmarks. */
  mapMath(f: number, input: number, output: number, n: number): void;
  gemm: Fn;
  gemmNT: Fn;
  gemmTN: Fn;
  lstmForward: Fn;
  lstmBackward: Fn;
  gruForward: Fn;
  gruBackward: Fn;
  attendForward: Fn;
  attendBackward: Fn;
  plasticForward: Fn;
  plasticBackward: Fn;
}

const PAGE = 65536;

/** Operands laid out one after another in linear memory, 16-byte aligned, for one kernel call. */
class Operands {
  private top: number;
  private f64: Float64Array;

  constructor(
    private readonly memory: WasmMemory,
    private readonly base: number,
  ) {
    this.top = base;
    this.f64 = new Float64Array(memory.buffer);
  }

  /** Starts a call: its operands go from the base up. */
  begin(): void {
    this.top = this.base;
  }

  /** Room for `length` values (the memory grows when it must; offsets stay valid); returns its byte offset. */
  reserve(length: number): number {
    const at = this.top;
    this.top += ((length * 8 + 15) >> 4) << 4;
    if (this.top > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((this.top - this.memory.buffer.byteLength) / PAGE));
      this.f64 = new Float64Array(this.memory.buffer);
    }
    return at;
  }

  /** The first `length` values of `from`, copied in; returns their byte offset. */
  put(from: Float64Array, length: number): number {
    const at = this.reserve(length);
    this.f64.set(length === from.length ? from : from.subarray(0, length), at >> 3);
    return at;
  }

  /** Equal-length rows copied in one after another (T × n); returns the byte offset of the first. */
  putRows(rows: readonly Float64Array[], n: number): number {
    const at = this.reserve(rows.length * n);
    for (const [s, row] of rows.entries()) this.f64.set(row.length === n ? row : row.subarray(0, n), (at >> 3) + s * n);
    return at;
  }

  /** Copies the rows at byte offset `at` (T × n) back out into those of `rows` that are not null. */
  getRows(at: number, rows: readonly (Float64Array | null)[], n: number): void {
    for (const [s, row] of rows.entries()) {
      if (row !== null) row.set(this.f64.subarray((at >> 3) + s * n, (at >> 3) + (s + 1) * n));
    }
  }

  /** Small integers (indices, flags) as float64 values. */
  putNumbers(values: ArrayLike<number>): number {
    const at = this.reserve(values.length);
    for (let i = 0; i < values.length; i++) this.f64[(at >> 3) + i] = values[i];
    return at;
  }

  /** Room for `length` values, zero-filled. */
  zeros(length: number): number {
    const at = this.reserve(length);
    this.f64.fill(0, at >> 3, (at >> 3) + length);
    return at;
  }

  /** `from` copied in when present; 0 (no buffer) otherwise. */
  putOptional(from: Float64Array | null, length: number): number {
    return from === null ? 0 : this.put(from, length);
  }

  /** Copies `length` values at byte offset `at` out into `to`. */
  get(at: number, to: Float64Array, length: number): void {
    to.set(this.f64.subarray(at >> 3, (at >> 3) + length));
  }
}

/** The built module (src/nn/wasm/kernels.wasm). */
export function kernelsWasmBytes(): Uint8Array {
  return fs.readFileSync(new URL('./wasm/kernels.wasm', import.meta.url));
}

/** A new instance of the module: its exports, with a memory of its own. */
export function wasmExports(bytes: Uint8Array = kernelsWasmBytes()): WasmExports {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as WasmExports;
}

/** The kernels of one WebAssembly instance; those it does not implement are the JavaScript ones. */
export function wasmKernels(bytes: Uint8Array = kernelsWasmBytes()): Kernels {
  const x = wasmExports(bytes);
  const mem = new Operands(x.memory, x.heapBase());
  return {
    ...js,
    gemm(a, b, c, m, k, n, accumulate) {
      mem.begin();
      const pa = mem.put(a, m * k);
      const pb = mem.put(b, k * n);
      const pc = accumulate ? mem.put(c, m * n) : mem.reserve(m * n);
      x.gemm(pa, pb, pc, m, k, n, accumulate ? 1 : 0);
      mem.get(pc, c, m * n);
    },
    gemmTN(a, b, c, m, k, n, accumulate) {
      mem.begin();
      const pa = mem.put(a, k * m);
      const pb = mem.put(b, k * n);
      const pc = accumulate ? mem.put(c, m * n) : mem.reserve(m * n);
      x.gemmTN(pa, pb, pc, m, k, n, accumulate ? 1 : 0);
      mem.get(pc, c, m * n);
    },
    gemmNT(a, b, c, m, k, n, accumulate) {
      mem.begin();
      const pa = mem.put(a, m * k);
      const pb = mem.put(b, n * k);
      const pc = accumulate ? mem.put(c, m * n) : mem.reserve(m * n);
      const scratch = mem.reserve(n * k);
      x.gemmNT(pa, pb, pc, m, k, n, accumulate ? 1 : 0, scratch);
      mem.get(pc, c, m * n);
    },
    lstmForward(xs, h, c, wx, wh, bias, gates, tanhC, hOut, cOut, batch, inputSize, hidden) {
      const bh = batch * hidden;
      const h4 = 4 * hidden;
      mem.begin();
      const px = mem.put(xs, batch * inputSize);
      const ph = mem.put(h, bh);
      const pc = mem.put(c, bh);
      const pwx = mem.put(wx, inputSize * h4);
      const pwh = mem.put(wh, hidden * h4);
      const pb = mem.put(bias, h4);
      const pg = mem.reserve(batch * h4);
      const pt = mem.reserve(bh);
      const pho = mem.reserve(bh);
      const pco = mem.reserve(bh);
      x.lstmForward(px, ph, pc, pwx, pwh, pb, pg, pt, pho, pco, batch, inputSize, hidden);
      mem.get(pg, gates, batch * h4);
      mem.get(pt, tanhC, bh);
      mem.get(pho, hOut, bh);
      mem.get(pco, cOut, bh);
    },
    lstmBackward(dh, dc, gates, tanhC, xs, h, cPrev, wx, wh, _dGates, grads, batch, inputSize, hidden) {
      const bh = batch * hidden;
      const h4 = 4 * hidden;
      mem.begin();
      const pdh = mem.putOptional(dh, bh);
      const pdc = mem.putOptional(dc, bh);
      const pg = mem.put(gates, batch * h4);
      const pt = mem.put(tanhC, bh);
      const px = mem.put(xs, batch * inputSize);
      const ph = mem.put(h, bh);
      const pc = mem.put(cPrev, bh);
      const pwx = mem.put(wx, inputSize * h4);
      const pwh = mem.put(wh, hidden * h4);
      const pdg = mem.reserve(batch * h4);
      const gx = mem.putOptional(grads.x, batch * inputSize);
      const gh = mem.putOptional(grads.h, bh);
      const gc = mem.putOptional(grads.c, bh);
      const gwx = mem.putOptional(grads.wx, inputSize * h4);
      const gwh = mem.putOptional(grads.wh, hidden * h4);
      const gb = mem.putOptional(grads.bias, h4);
      const scratch = mem.reserve(h4 * Math.max(inputSize, hidden));
      x.lstmBackward(
        pdh,
        pdc,
        pg,
        pt,
        px,
        ph,
        pc,
        pwx,
        pwh,
        pdg,
        gx,
        gh,
        gc,
        gwx,
        gwh,
        gb,
        batch,
        inputSize,
        hidden,
        scratch,
      );
      if (grads.x !== null) mem.get(gx, grads.x, batch * inputSize);
      if (grads.h !== null) mem.get(gh, grads.h, bh);
      if (grads.c !== null) mem.get(gc, grads.c, bh);
      if (grads.wx !== null) mem.get(gwx, grads.wx, inputSize * h4);
      if (grads.wh !== null) mem.get(gwh, grads.wh, hidden * h4);
      if (grads.bias !== null) mem.get(gb, grads.bias, h4);
    },
    gruForward(xs, h, wx, wh, bi, bh, gi, gh, hOut, batch, inputSize, hidden) {
      const h3 = 3 * hidden;
      mem.begin();
      const px = mem.put(xs, batch * inputSize);
      const ph = mem.put(h, batch * hidden);
      const pwx = mem.put(wx, inputSize * h3);
      const pwh = mem.put(wh, hidden * h3);
      const pbi = mem.put(bi, h3);
      const pbh = mem.put(bh, h3);
      const pgi = mem.reserve(batch * h3);
      const pgh = mem.reserve(batch * h3);
      const pho = mem.reserve(batch * hidden);
      x.gruForward(px, ph, pwx, pwh, pbi, pbh, pgi, pgh, pho, batch, inputSize, hidden);
      mem.get(pgi, gi, batch * h3);
      mem.get(pgh, gh, batch * h3);
      mem.get(pho, hOut, batch * hidden);
    },
    attendForward(query, keys, values, shape, out, probs) {
      const { batch, width, numHeads, first } = shape;
      const steps = keys.length;
      const bd = batch * width;
      mem.begin();
      const pq = mem.put(query, bd);
      const pk = mem.putRows(keys, bd);
      const pv = mem.putRows(values, bd);
      const pf = mem.putNumbers(first);
      const po = mem.zeros(bd);
      const pp = mem.zeros(batch * numHeads * steps);
      const kt = mem.reserve(steps * bd);
      x.attendForward(pq, pk, pv, pf, po, pp, batch, width, numHeads, steps, kt);
      mem.get(po, out, bd);
      mem.get(pp, probs, batch * numHeads * steps);
    },
    attendBackward(g, query, keys, values, probs, shape, gQuery, gKeys, gValues) {
      const { batch, width, numHeads, first } = shape;
      const steps = keys.length;
      const bd = batch * width;
      const zero = new Float64Array(bd);
      mem.begin();
      const pg = mem.put(g, bd);
      const pq = mem.put(query, bd);
      const pk = mem.putRows(keys, bd);
      const pv = mem.putRows(values, bd);
      const pp = mem.put(probs, batch * numHeads * steps);
      const pf = mem.putNumbers(first);
      const gq = mem.putOptional(gQuery, bd);
      const gk = mem.putRows(
        gKeys.map((r) => r ?? zero),
        bd,
      );
      const gv = mem.putRows(
        gValues.map((r) => r ?? zero),
        bd,
      );
      const kf = mem.putNumbers(gKeys.map((r) => (r === null ? 0 : 1)));
      const vf = mem.putNumbers(gValues.map((r) => (r === null ? 0 : 1)));
      const vt = mem.reserve(steps * bd);
      const dw = mem.reserve(steps);
      x.attendBackward(pg, pq, pk, pv, pp, pf, gq, gk, gv, kf, vf, batch, width, numHeads, steps, vt, dw);
      if (gQuery !== null) mem.get(gq, gQuery, bd);
      mem.getRows(gk, gKeys, bd);
      mem.getRows(gv, gValues, bd);
    },
    gruBackward(dh, act, ghSaved, xs, h, wx, wh, _dGi, _dGh, grads, batch, inputSize, hidden) {
      const bh = batch * hidden;
      const h3 = 3 * hidden;
      mem.begin();
      const pdh = mem.put(dh, bh);
      const pa = mem.put(act, batch * h3);
      const pgs = mem.put(ghSaved, batch * h3);
      const px = mem.put(xs, batch * inputSize);
      const ph = mem.put(h, bh);
      const pwx = mem.put(wx, inputSize * h3);
      const pwh = mem.put(wh, hidden * h3);
      const pdgi = mem.reserve(batch * h3);
      const pdgh = mem.reserve(batch * h3);
      const gx = mem.putOptional(grads.x, batch * inputSize);
      const gh = mem.putOptional(grads.h, bh);
      const gwx = mem.putOptional(grads.wx, inputSize * h3);
      const gwh = mem.putOptional(grads.wh, hidden * h3);
      const gbi = mem.putOptional(grads.bias, h3);
      const gbh = mem.putOptional(grads.biasHidden, h3);
      const scratch = mem.reserve(h3 * Math.max(inputSize, hidden));
      x.gruBackward(
        pdh,
        pa,
        pgs,
        px,
        ph,
        pwx,
        pwh,
        pdgi,
        pdgh,
        gx,
        gh,
        gwx,
        gwh,
        gbi,
        gbh,
        batch,
        inputSize,
        hidden,
        scratch,
      );
      if (grads.x !== null) mem.get(gx, grads.x, batch * inputSize);
      if (grads.h !== null) mem.get(gh, grads.h, bh);
      if (grads.wx !== null) mem.get(gwx, grads.wx, inputSize * h3);
      if (grads.wh !== null) mem.get(gwh, grads.wh, hidden * h3);
      if (grads.bias !== null) mem.get(gbi, grads.bias, h3);
      if (grads.biasHidden !== null) mem.get(gbh, grads.biasHidden, h3);
    },
    plasticForward(s) {
      const { B, I, H } = s;
      const [bh, hh, bhh] = [B * H, H * H, B * H * H];
      mem.begin();
      const px = mem.put(s.x, B * I);
      const ph = mem.put(s.h, bh);
      const ppre = s.pre === s.h ? ph : mem.put(s.pre, bh);
      const pt = mem.put(s.trace, bhh);
      const pe = mem.putOptional(s.eligibility, bhh);
      const pwi = mem.put(s.weightInput, I * H);
      const pb = mem.put(s.bias, H);
      const pwr = mem.put(s.weightRecurrent, hh);
      const pa = mem.put(s.alpha, hh);
      const pwm = mem.putOptional(s.modulationWeight, H);
      const ppost = mem.reserve(bh);
      const pto = mem.reserve(bhh);
      const peo = s.eligibilityOut === null ? 0 : mem.reserve(bhh);
      const pm = s.modulation === null ? 0 : mem.reserve(B);
      x.plasticForward(
        MODE_NUMBERS[s.mode],
        B,
        I,
        H,
        px,
        ph,
        ppre,
        pt,
        pe,
        pwi,
        pb,
        pwr,
        pa,
        s.eta,
        pwm,
        s.modulationBias,
        s.clip,
        ppost,
        pto,
        peo,
        pm,
      );
      mem.get(ppost, s.post, bh);
      mem.get(pto, s.traceOut, bhh);
      if (s.eligibilityOut !== null) mem.get(peo, s.eligibilityOut, bhh);
      if (s.modulation !== null) mem.get(pm, s.modulation, B);
    },
    plasticBackward(s, g, stopModulatorGradient) {
      const { B, I, H } = s;
      const [bh, hh, bhh] = [B * H, H * H, B * H * H];
      mem.begin();
      const px = mem.put(s.x, B * I);
      const ph = mem.put(s.h, bh);
      const ppre = s.pre === s.h ? ph : mem.put(s.pre, bh);
      const ppost = mem.put(s.post, bh);
      const pt = mem.put(s.trace, bhh);
      const pe = mem.putOptional(s.eligibility, bhh);
      const pwi = mem.put(s.weightInput, I * H);
      const pwr = mem.put(s.weightRecurrent, hh);
      const pa = mem.put(s.alpha, hh);
      const pm = mem.putOptional(s.modulation, B);
      const pwm = mem.putOptional(s.modulationWeight, H);
      const gT = mem.putOptional(g.traceOut, bhh);
      const gE = mem.putOptional(g.eligibilityOut, bhh);
      const pdh = g.post === null ? mem.zeros(bh) : mem.put(g.post, bh);
      const pda = mem.reserve(bh);
      const pdm = mem.reserve(B);
      const dx = mem.putOptional(g.x, B * I);
      const dh = mem.putOptional(g.h, bh);
      // The rule's dL/dh_{t−1} and the activity's add into one buffer when the rule's h_{t−1} is h.
      const dPre = g.pre !== null && g.pre === g.h ? dh : mem.putOptional(g.pre, bh);
      const dT = mem.putOptional(g.trace, bhh);
      const dE = mem.putOptional(g.eligibility, bhh);
      const dwi = mem.putOptional(g.weightInput, I * H);
      const db = mem.putOptional(g.bias, H);
      const dwr = mem.putOptional(g.weightRecurrent, hh);
      const da = mem.putOptional(g.alpha, hh);
      const dEta = mem.putOptional(g.eta, 1);
      const dwm = mem.putOptional(g.modulationWeight, H);
      const dbm = mem.putOptional(g.modulationBias, 1);
      const scratch = mem.reserve(H * Math.max(H, I));
      x.plasticBackward(
        MODE_NUMBERS[s.mode],
        B,
        I,
        H,
        px,
        ph,
        ppre,
        ppost,
        pt,
        pe,
        pwi,
        pwr,
        pa,
        s.eta,
        pm,
        pwm,
        s.clip,
        stopModulatorGradient ? 1 : 0,
        gT,
        gE,
        pdh,
        pda,
        pdm,
        dx,
        dh,
        dPre,
        dT,
        dE,
        dwi,
        db,
        dwr,
        da,
        dEta,
        dwm,
        dbm,
        scratch,
      );
      if (g.x !== null) mem.get(dx, g.x, B * I);
      if (g.h !== null) mem.get(dh, g.h, bh);
      if (g.pre !== null && g.pre !== g.h) mem.get(dPre, g.pre, bh);
      if (g.trace !== null) mem.get(dT, g.trace, bhh);
      if (g.eligibility !== null) mem.get(dE, g.eligibility, bhh);
      if (g.weightInput !== null) mem.get(dwi, g.weightInput, I * H);
      if (g.bias !== null) mem.get(db, g.bias, H);
      if (g.weightRecurrent !== null) mem.get(dwr, g.weightRecurrent, hh);
      if (g.alpha !== null) mem.get(da, g.alpha, hh);
      if (g.eta !== null) mem.get(dEta, g.eta, 1);
      if (g.modulationWeight !== null) mem.get(dwm, g.modulationWeight, H);
      if (g.modulationBias !== null) mem.get(dbm, g.modulationBias, 1);
    },
  };
}
