import { describe, expect, it } from 'vitest';
import { Adam, clipGradNorm, Tensor } from './helpers.ts';

describe('Adam', () => {
  it('matches a hand-computed first and second step', () => {
    const p = Tensor.from([[1, -2]], true);
    const adam = new Adam(new Map([['p', p]]), { learningRate: 0.1 });
    p.grad = Float64Array.of(0.5, -3);
    adam.step();
    // Step 1: m̂ = g, v̂ = g², so p ← p − α·g/(|g| + ε) (ε divided through the bias correction as PyTorch does).
    expect(p.data[0]).toBeCloseTo(1 - (0.1 * 0.5) / (0.5 + 1e-8), 14);
    expect(p.data[1]).toBeCloseTo(-2 + (0.1 * 3) / (3 + 1e-8), 14);
    // Step 2 with gradient 1 for the first entry: m = 0.9·0.05 + 0.1·1 = 0.145, v = 0.999·0.00025 + 0.001·1.
    p.grad = Float64Array.of(1, 0);
    adam.step();
    const m = 0.9 * 0.05 + 0.1 * 1;
    const v = 0.999 * 0.00025 + 0.001 * 1;
    const expected =
      1 - (0.1 * 0.5) / (0.5 + 1e-8) - ((0.1 / (1 - 0.81)) * m) / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** 2) + 1e-8);
    expect(p.data[0]).toBeCloseTo(expected, 14);
    expect(adam.stepCount).toBe(2);
  });

  it('state round-trips through JSON and continues exactly', () => {
    const make = () => Tensor.from([[0.3, -0.1, 2]], true);
    const grads = [
      [0.1, -0.2, 0.3],
      [1, 2, -1],
      [-0.5, 0, 0.25],
      [0.7, 0.7, 0.7],
    ];
    const a = make();
    const adamA = new Adam(new Map([['w', a]]), { learningRate: 0.01 });
    for (const g of grads) {
      a.grad = Float64Array.from(g);
      adamA.step();
    }

    const b = make();
    const adamB = new Adam(new Map([['w', b]]), { learningRate: 0.01 });
    for (const g of grads.slice(0, 2)) {
      b.grad = Float64Array.from(g);
      adamB.step();
    }
    const saved = JSON.parse(JSON.stringify(adamB.state()));
    const c = Tensor.from([Array.from(b.data)], true);
    const adamC = new Adam(new Map([['w', c]]), { learningRate: 0.01 });
    adamC.loadState(saved);
    expect(adamC.stepCount).toBe(2);
    for (const g of grads.slice(2)) {
      c.grad = Float64Array.from(g);
      adamC.step();
    }
    expect(Array.from(c.data)).toEqual(Array.from(a.data));
    expect(() => adamC.loadState({ ...saved, firstMoment: { other: [1] } })).toThrow(/unknown parameter 'other'/);
    expect(() => new Adam(new Map(), { lr: 1 } as never)).toThrow(/unknown option 'lr'/);
  });
});

describe('clipGradNorm', () => {
  it('returns the norm before clipping and scales to the maximum', () => {
    const a = Tensor.zeros(1, 2, true);
    const b = Tensor.zeros(1, 1, true);
    a.grad = Float64Array.of(3, 0);
    b.grad = Float64Array.of(4);
    const norm = clipGradNorm(
      new Map([
        ['a', a],
        ['b', b],
      ]),
      1,
    );
    expect(norm).toBe(5);
    const after = Math.hypot(a.grad[0], a.grad[1], b.grad[0]);
    expect(after).toBeCloseTo(1, 5);
    expect(a.grad[0] / b.grad[0]).toBeCloseTo(0.75, 12);
  });

  it('leaves gradients below the maximum untouched, and skips tensors without gradients', () => {
    const a = Tensor.zeros(1, 2, true);
    a.grad = Float64Array.of(0.3, 0.4);
    const none = Tensor.zeros(1, 1, true);
    expect(clipGradNorm([a, none], 1)).toBeCloseTo(0.5, 15);
    expect(Array.from(a.grad)).toEqual([0.3, 0.4]);
    expect(() => clipGradNorm([a], 0)).toThrow(/maxNorm/);
  });
});
