// The WebAssembly kernels give the JavaScript kernels' numbers bit for bit, on random shapes that
// include 1×1, odd sizes and sizes that are not multiples of the vector width, with and without
// accumulation and with every optional gradient absent; and exp and tanh are JavaScript's.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { kernelsFromEnvironment } from '../../src/nn/kernels.ts';
import * as js from '../../src/nn/kernels-js.ts';
import { wasmExports } from '../../src/nn/kernels-wasm.ts';
import { root } from '../helpers/engram.ts';
import { expectSame, random } from '../helpers/kernels.ts';

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 33];

describe('WebAssembly kernels equal the JavaScript ones', () => {
  it('matrix products in every transposition, accumulating or not', () => {
    const rng = Rng.fromSeed('gemm');
    for (let trial = 0; trial < 150; trial++) {
      const [m, k, n] = [0, 1, 2].map(() => SIZES[rng.int(SIZES.length)]);
      const accumulate = rng.uniform() < 0.5;
      const c = random(rng, m * n);
      const a = random(rng, m * k);
      const at = random(rng, k * m);
      const b = random(rng, k * n);
      const bt = random(rng, n * k);
      const shape = `${m}x${k}x${n}${accumulate ? ' +=' : ''}`;
      expectSame(`gemm ${shape}`, [c], (x, [o]) => x.gemm(a, b, o, m, k, n, accumulate));
      expectSame(`gemmTN ${shape}`, [c], (x, [o]) => x.gemmTN(at, b, o, m, k, n, accumulate));
      expectSame(`gemmNT ${shape}`, [c], (x, [o]) => x.gemmNT(a, bt, o, m, k, n, accumulate));
    }
  });

  it('the LSTM and GRU steps, forward and backward, with any gradient absent', () => {
    const rng = Rng.fromSeed('cells');
    for (let trial = 0; trial < 60; trial++) {
      const batch = 1 + rng.int(5);
      const input = 1 + rng.int(7);
      const hidden = 1 + rng.int(9);
      const label = `B${batch} I${input} H${hidden}`;
      const [bh, h4, h3] = [batch * hidden, 4 * hidden, 3 * hidden];
      const x = random(rng, batch * input);
      const h = random(rng, bh);
      const c = random(rng, bh, 3);
      const wx = random(rng, input * h4);
      const wh = random(rng, hidden * h4);
      const bias = random(rng, h4, 4);
      const fwd = [batch * h4, bh, bh, bh].map((n) => new Float64Array(n));
      expectSame(`lstmForward ${label}`, fwd, (kern, [g, t, ho, co]) =>
        kern.lstmForward(x, h, c, wx, wh, bias, g, t, ho, co, batch, input, hidden),
      );
      js.lstmForward(x, h, c, wx, wh, bias, fwd[0], fwd[1], fwd[2], fwd[3], batch, input, hidden);
      const want = (p: number) => rng.uniform() < p;
      const dh = want(0.8) ? random(rng, bh) : null;
      const dc = want(0.8) ? random(rng, bh) : null;
      const grads = [batch * input, bh, bh, input * h4, hidden * h4, h4].map((n) => random(rng, n));
      const present = grads.map(() => want(0.7));
      expectSame(`lstmBackward ${label}`, grads, (kern, g) =>
        kern.lstmBackward(
          dh,
          dc,
          fwd[0],
          fwd[1],
          x,
          h,
          c,
          wx,
          wh,
          new Float64Array(batch * h4),
          {
            x: present[0] ? g[0] : null,
            h: present[1] ? g[1] : null,
            c: present[2] ? g[2] : null,
            wx: present[3] ? g[3] : null,
            wh: present[4] ? g[4] : null,
            bias: present[5] ? g[5] : null,
            biasHidden: null,
          },
          batch,
          input,
          hidden,
        ),
      );

      const gwx = random(rng, input * h3);
      const gwh = random(rng, hidden * h3);
      const bi = random(rng, h3);
      const bhid = random(rng, h3);
      const gru = [batch * h3, batch * h3, bh].map((n) => new Float64Array(n));
      expectSame(`gruForward ${label}`, gru, (kern, [gi, gh, ho]) =>
        kern.gruForward(x, h, gwx, gwh, bi, bhid, gi, gh, ho, batch, input, hidden),
      );
      js.gruForward(x, h, gwx, gwh, bi, bhid, gru[0], gru[1], gru[2], batch, input, hidden);
      const dhg = random(rng, bh);
      const ggrads = [batch * input, bh, input * h3, hidden * h3, h3, h3].map((n) => random(rng, n));
      const gp = ggrads.map(() => want(0.7));
      expectSame(`gruBackward ${label}`, ggrads, (kern, g) =>
        kern.gruBackward(
          dhg,
          gru[0],
          gru[1],
          x,
          h,
          gwx,
          gwh,
          new Float64Array(batch * h3),
          new Float64Array(batch * h3),
          {
            x: gp[0] ? g[0] : null,
            h: gp[1] ? g[1] : null,
            c: null,
            wx: gp[2] ? g[2] : null,
            wh: gp[3] ? g[3] : null,
            bias: gp[4] ? g[4] : null,
            biasHidden: gp[5] ? g[5] : null,
          },
          batch,
          input,
          hidden,
        ),
      );
    }
  });

  it('one attention step over a key/value cache, forward and backward', () => {
    const rng = Rng.fromSeed('attention');
    for (let trial = 0; trial < 60; trial++) {
      const batch = 1 + rng.int(4);
      const numHeads = 1 + rng.int(3);
      const width = numHeads * (1 + rng.int(5));
      const steps = 1 + rng.int(9);
      const first = Int32Array.from({ length: batch }, () => rng.int(steps));
      const shape = { batch, width, numHeads, first };
      const label = `B${batch} D${width} heads ${numHeads} T${steps}`;
      const bd = batch * width;
      const query = random(rng, bd, 2);
      const keys = Array.from({ length: steps }, () => random(rng, bd, 2));
      const values = Array.from({ length: steps }, () => random(rng, bd));
      const probsLength = batch * numHeads * steps;
      expectSame(`attendForward ${label}`, [new Float64Array(bd), new Float64Array(probsLength)], (k, [o, p]) =>
        k.attendForward(query, keys, values, shape, o, p),
      );
      const probs = new Float64Array(probsLength);
      js.attendForward(query, keys, values, shape, new Float64Array(bd), probs);
      const g = random(rng, bd);
      const wantQuery = rng.uniform() < 0.7;
      const present = Array.from({ length: 2 * steps }, () => rng.uniform() < 0.7);
      const grads = [random(rng, bd), ...Array.from({ length: 2 * steps }, () => random(rng, bd))];
      expectSame(`attendBackward ${label}`, grads, (k, [gq, ...rest]) =>
        k.attendBackward(
          g,
          query,
          keys,
          values,
          probs,
          shape,
          wantQuery ? gq : null,
          rest.slice(0, steps).map((r, s) => (present[s] ? r : null)),
          rest.slice(steps).map((r, s) => (present[steps + s] ? r : null)),
        ),
      );
    }
  });

  it('exp, tanh and the sigmoid are JavaScript’s, two lanes at a time and one, on 3 million arguments', () => {
    const x = wasmExports(fs.readFileSync(path.join(root, 'src/nn/wasm/kernels.wasm')));
    const n = 1 << 18;
    const base = Math.ceil(x.heapBase() / 16) * 16;
    x.memory.grow(Math.ceil((base + 2 * n * 8) / 65536));
    const f64 = new Float64Array(x.memory.buffer);
    const rng = Rng.fromSeed('math');
    const edges = [
      0,
      -0,
      1,
      -1,
      0.5,
      -0.25,
      22,
      -22,
      19.4,
      38.8,
      709.7,
      -745.2,
      1e-300,
      5e-324,
      Infinity,
      -Infinity,
      NaN,
    ];
    const reference = [Math.exp, Math.tanh, (v: number) => 1 / (1 + Math.exp(-v))];
    let mismatches = 0;
    for (const scale of [1e-9, 0.3, 1, 3, 30, 800]) {
      const args = f64.subarray(base / 8, base / 8 + n);
      for (let i = 0; i < n; i++) args[i] = i < edges.length ? edges[i] : rng.uniformRange(-scale, scale);
      for (let fn = 0; fn < 3; fn++) {
        x.mapMath(fn, base, base + n * 8, n);
        const out = f64.subarray(base / 8 + n, base / 8 + 2 * n);
        for (let i = 0; i < n; i++) if (!Object.is(out[i], reference[fn](args[i]))) mismatches++;
      }
      // One at a time (the scalar path): an odd count leaves the last argument alone.
      x.mapMath(1, base + 8, base + n * 8 + 8, 1);
      if (!Object.is(f64[base / 8 + n + 1], Math.tanh(args[1]))) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});

describe('ENGRAM_KERNELS', () => {
  it('is wasm by default, js or wasm when set, and a UsageError otherwise', () => {
    expect(kernelsFromEnvironment(undefined)).toBe('wasm');
    expect(kernelsFromEnvironment('js')).toBe('js');
    expect(kernelsFromEnvironment('wasm')).toBe('wasm');
    expect(() => kernelsFromEnvironment('simd')).toThrow(/ENGRAM_KERNELS must be js or wasm, got 'simd'/);
  });
});
