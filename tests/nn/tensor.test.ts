import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { matmul, Tensor } from './helpers.ts';

describe('Tensor', () => {
  it('keeps its values in one flat row-major buffer shared with its ml-matrix view', () => {
    const t = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const view = t.matrix;
    expect(view.rows).toBe(2);
    expect(view.columns).toBe(3);
    expect(view.get(1, 0)).toBe(4);
    view.set(0, 2, 30);
    expect(t.get(0, 2)).toBe(30); // no copy
    t.data[4] = 50;
    expect(view.get(1, 1)).toBe(50);
    expect(view.to2DArray()).toEqual([
      [1, 2, 30],
      [4, 50, 6],
    ]);
  });

  it('agrees with ml-matrix on a product', () => {
    const a = Tensor.from([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const b = Tensor.from([
      [0.5, -1, 2],
      [1.5, 0, -0.25],
    ]);
    const expected = new Matrix(a.toArray()).mmul(new Matrix(b.toArray()));
    expect(matmul(a, b).toArray()).toEqual(expected.to2DArray());
  });

  it('converts from ml-matrix and to arrays, and exposes gradients as matrices', () => {
    const m = new Matrix([
      [1, 2],
      [3, 4],
    ]);
    const t = Tensor.fromMatrix(m, true);
    expect(t.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(t.requiresGrad).toBe(true);
    expect(t.gradMatrix).toBeNull();
    t.gradBuffer()[3] = 7;
    expect(t.gradMatrix!.get(1, 1)).toBe(7);
    expect(t.detach().requiresGrad).toBe(false);
  });

  it('rejects malformed shapes and out-of-range access', () => {
    expect(() => new Tensor(-1, 2)).toThrow(/non-negative integers/);
    expect(() => Tensor.from([[1, 2], [3]])).toThrow(/row 1 has 1 values, expected 2/);
    expect(() => Tensor.zeros(2, 2).get(2, 0)).toThrow(/outside 2x2/);
    expect(() => Tensor.zeros(1, 2).item()).toThrow(/1x1/);
  });
});
