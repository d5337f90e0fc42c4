import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import {
  add,
  addRowVector,
  concatColumns,
  gruCell,
  kernels,
  lstmCell,
  MultiHeadSelfAttention,
  matmul,
  mul,
  noGrad,
  setCheckNumerics,
  sigmoid,
  sliceColumns,
  sliceRows,
  sub,
  Tape,
  Tensor,
  tanh,
} from './helpers.ts';

beforeAll(() => {
  setCheckNumerics(true);
});

function random(rng: Rng, rows: number, cols: number, requiresGrad = false): Tensor {
  const t = Tensor.zeros(rows, cols, requiresGrad);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.uniformRange(-1, 1);
  return t;
}

function naive(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  }
  return c;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('matrix-product kernels', () => {
  // Shapes exercise the unrolled loops and every remainder (k, m, n not multiples of 4 or 2), and 1×1.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 1],
    [3, 5, 2],
    [2, 4, 8],
    [5, 9, 7],
    [32, 53, 192],
    [4, 3, 6],
  ];
  // Each variant with its operands' layout: A (m×k, or k×m transposed) and B (k×n, or n×k transposed).
  const variants = [
    { name: 'gemm', kernel: kernels.gemm, transA: false, transB: false },
    { name: 'gemmNT', kernel: kernels.gemmNT, transA: false, transB: true },
    { name: 'gemmTN', kernel: kernels.gemmTN, transA: true, transB: false },
  ];
  for (const [m, k, n] of shapes) {
    for (const { name, kernel, transA, transB } of variants) {
      it(`${name} agrees with the textbook triple loop at ${m}x${k}·${k}x${n}, and accumulates`, () => {
        const rng = Rng.fromSeed(`${name}-${m}-${k}-${n}`);
        const a = Float64Array.from({ length: m * k }, () => rng.uniformRange(-1, 1));
        const b = Float64Array.from({ length: k * n }, () => rng.uniformRange(-1, 1));
        const expected = naive(a, b, m, k, n, transA, transB);
        const c = new Float64Array(m * n).fill(7);
        kernel(a, b, c, m, k, n, false);
        expect(maxAbsDiff(c, expected)).toBeLessThan(1e-12);
        // Accumulation adds to what is there.
        kernel(a, b, c, m, k, n, true);
        expect(
          maxAbsDiff(
            c,
            expected.map((x) => 2 * x),
          ),
        ).toBeLessThan(1e-12);
      });
    }
  }

  it('matches a hand-computed product', () => {
    const c = new Float64Array(4);
    kernels.gemm(Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(7, 8, 9, 10, 11, 12), c, 2, 3, 2, false);
    expect(Array.from(c)).toEqual([58, 64, 139, 154]);
  });
});

describe('fused LSTM cell', () => {
  // The reference: the same cell from elementary operations (one node each).
  function composedLstm(x: Tensor, h: Tensor, c: Tensor, wi: Tensor, wh: Tensor, b: Tensor) {
    const H = h.cols;
    const gates = addRowVector(add(matmul(x, wi), matmul(h, wh)), b);
    const i = sigmoid(sliceColumns(gates, 0, H));
    const f = sigmoid(sliceColumns(gates, H, 2 * H));
    const g = tanh(sliceColumns(gates, 2 * H, 3 * H));
    const o = sigmoid(sliceColumns(gates, 3 * H, 4 * H));
    const cNext = add(mul(f, c), mul(i, g));
    return { h: mul(o, tanh(cNext)), c: cNext };
  }

  it('agrees with the composition of elementary operations, values and gradients, over 3 steps', () => {
    const rng = Rng.fromSeed('lstm-fused');
    const B = 3;
    const I = 4;
    const H = 5;
    const wi = random(rng, I, 4 * H, true);
    const wh = random(rng, H, 4 * H, true);
    const b = random(rng, 1, 4 * H, true);
    const xs = [0, 1, 2].map(() => random(rng, B, I, true));
    const seed = Float64Array.from({ length: B * 2 * H }, () => rng.uniformRange(-1, 1));

    const run = (cell: typeof composedLstm) => {
      for (const t of [wi, wh, b, ...xs]) t.grad = null;
      const tape = new Tape();
      const out = tape.record(() => {
        let s = { h: Tensor.zeros(B, H), c: Tensor.zeros(B, H) };
        for (const x of xs) s = cell(x, s.h, s.c, wi, wh, b);
        return concatColumns([s.h, s.c]);
      });
      const nodes = tape.length;
      tape.backward(out, seed);
      return { out: out.data.slice(), nodes, grads: [wi, wh, b, ...xs].map((t) => t.grad!.slice()) };
    };
    const fused = run((x, h, c, w1, w2, bb) => lstmCell(x, h, c, w1, w2, bb));
    const composed = run(composedLstm);
    expect(maxAbsDiff(fused.out, composed.out)).toBeLessThan(1e-14);
    for (const [k, g] of fused.grads.entries()) expect(maxAbsDiff(g, composed.grads[k])).toBeLessThan(1e-13);
    // One node per step (plus the final concat) instead of a dozen.
    expect(fused.nodes).toBe(4);
    expect(composed.nodes).toBeGreaterThan(30);
  });

  it('matches a hand-computed step (1 unit, batch 1)', () => {
    // All weights zero except the biases: gates i = σ(0.5), f = σ(−1), g = tanh(0.2), o = σ(1).
    const x = Tensor.from([[2]]);
    const zeroW = Tensor.zeros(1, 4);
    const b = Tensor.from([[0.5, -1, 0.2, 1]]);
    const s = lstmCell(x, Tensor.from([[0.3]]), Tensor.from([[0.7]]), zeroW, Tensor.zeros(1, 4), b);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const c = sig(-1) * 0.7 + sig(0.5) * Math.tanh(0.2);
    expect(s.c.item()).toBeCloseTo(c, 15);
    expect(s.h.item()).toBeCloseTo(sig(1) * Math.tanh(c), 15);
  });
});

describe('fused GRU cell', () => {
  function composedGru(x: Tensor, h: Tensor, wi: Tensor, wh: Tensor, bi: Tensor, bh: Tensor): Tensor {
    const H = h.cols;
    const gi = addRowVector(matmul(x, wi), bi);
    const gh = addRowVector(matmul(h, wh), bh);
    const r = sigmoid(add(sliceColumns(gi, 0, H), sliceColumns(gh, 0, H)));
    const z = sigmoid(add(sliceColumns(gi, H, 2 * H), sliceColumns(gh, H, 2 * H)));
    const n = tanh(add(sliceColumns(gi, 2 * H, 3 * H), mul(r, sliceColumns(gh, 2 * H, 3 * H))));
    // h′ = (1 − z) ⊙ n + z ⊙ h = n − z ⊙ n + z ⊙ h.
    return add(sub(n, mul(z, n)), mul(z, h));
  }

  it('agrees with the composition of elementary operations, values and gradients, over 3 steps', () => {
    const rng = Rng.fromSeed('gru-fused');
    const B = 2;
    const I = 3;
    const H = 4;
    const params = [
      random(rng, I, 3 * H, true),
      random(rng, H, 3 * H, true),
      random(rng, 1, 3 * H, true),
      random(rng, 1, 3 * H, true),
    ];
    const xs = [0, 1, 2].map(() => random(rng, B, I, true));
    const seed = Float64Array.from({ length: B * H }, () => rng.uniformRange(-1, 1));
    const run = (cell: typeof composedGru) => {
      for (const t of [...params, ...xs]) t.grad = null;
      const tape = new Tape();
      const out = tape.record(() => {
        let h = Tensor.zeros(B, H);
        for (const x of xs) h = cell(x, h, params[0], params[1], params[2], params[3]);
        return h;
      });
      tape.backward(out, seed);
      return { out: out.data.slice(), grads: [...params, ...xs].map((t) => t.grad!.slice()) };
    };
    const fused = run(gruCell);
    const composed = run(composedGru);
    expect(maxAbsDiff(fused.out, composed.out)).toBeLessThan(1e-14);
    for (const [k, g] of fused.grads.entries()) expect(maxAbsDiff(g, composed.grads[k])).toBeLessThan(1e-13);
  });
});

describe('self-attention with a key/value cache', () => {
  it('stepping one token at a time equals the whole causal sequence, values and gradients', () => {
    const rng = Rng.fromSeed('attention-equivalence');
    const attention = new MultiHeadSelfAttention({ modelSize: 6, numHeads: 3 }, rng);
    const T = 5;
    const x = random(rng, T, 6, true);
    const seed = Float64Array.from({ length: T * 6 }, () => rng.uniformRange(-1, 1));
    const params = [...attention.parameters().values()];

    attention.zeroGrad();
    const tape1 = new Tape();
    const whole = tape1.record(() => attention.forwardSequence(x));
    tape1.backward(whole, seed);
    const wholeGrads = [...params, x].map((t) => t.grad!.slice());

    attention.zeroGrad();
    x.grad = null;
    const tape2 = new Tape();
    const stepped = tape2.record(() => {
      const cache = attention.createCache(1);
      const rows = [];
      for (let t = 0; t < T; t++) {
        // Row t of x is token t; gradients flow back into x through sliceRows.
        rows.push(attention.step(sliceRows(x, t, t + 1), cache));
      }
      return rows;
    });
    tape2.backwardFrom(stepped.map((r, t) => [r, seed.subarray(t * 6, (t + 1) * 6)] as const));
    const steppedValues = stepped.flatMap((r) => Array.from(r.data));
    expect(maxAbsDiff(steppedValues, whole.data)).toBeLessThan(1e-14);
    for (const [k, t] of [...params, x].entries()) expect(maxAbsDiff(t.grad!, wholeGrads[k])).toBeLessThan(1e-13);
    // The gradient reached the first token through the cache.
    expect(Math.abs(x.grad![0])).toBeGreaterThan(0);
  });

  it('a row whose episode restarts ignores the steps before', () => {
    const rng = Rng.fromSeed('attention-reset');
    const attention = new MultiHeadSelfAttention({ modelSize: 4, numHeads: 2 }, rng);
    const a = random(rng, 2, 4);
    const b = random(rng, 2, 4);
    const out = noGrad(() => {
      const cache = attention.createCache(2);
      attention.step(a, cache);
      cache.resetRows([false, true]);
      return attention.step(b, cache);
    });
    const fresh = noGrad(() => attention.step(sliceRows(b, 1, 2), attention.createCache(1)));
    expect(maxAbsDiff(out.data.subarray(4, 8), fresh.data)).toBeLessThan(1e-15);
    const notReset = noGrad(() => attention.step(sliceRows(b, 0, 1), attention.createCache(1)));
    expect(maxAbsDiff(out.data.subarray(0, 4), notReset.data)).toBeGreaterThan(1e-6);
  });
});
