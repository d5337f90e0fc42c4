import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  add,
  addRowVector,
  concatColumns,
  finishOpForTests,
  gatherColumns,
  layerNorm,
  log,
  logSoftmax,
  lstmCell,
  matmul,
  mean,
  mul,
  setCheckNumerics,
  sliceColumns,
  softmax,
  sum,
  Tape,
  Tensor,
} from './helpers.ts';

let previous = false;
beforeAll(() => {
  previous = setCheckNumerics(true);
});
afterAll(() => {
  setCheckNumerics(previous);
});

describe('shape errors name the operation and both shapes', () => {
  it('matmul', () => {
    expect(() => matmul(Tensor.zeros(3, 4), Tensor.zeros(5, 2))).toThrow('matmul: shapes 3x4 and 5x2 do not match');
  });
  it('elementwise operations never broadcast silently', () => {
    expect(() => add(Tensor.zeros(3, 4), Tensor.zeros(1, 4))).toThrow('add: shapes 3x4 and 1x4 do not match');
    expect(() => mul(Tensor.zeros(2, 2), Tensor.zeros(2, 1))).toThrow('mul: shapes 2x2 and 2x1 do not match');
    expect(() => addRowVector(Tensor.zeros(3, 4), Tensor.zeros(3, 4))).toThrow(
      /addRowVector: shapes 3x4 and 3x4 do not match/,
    );
    expect(() => addRowVector(Tensor.zeros(3, 4), Tensor.zeros(1, 3))).toThrow(/addRowVector: shapes 3x4 and 1x3/);
  });
  it('structure, gather and fused ops', () => {
    expect(() => concatColumns([Tensor.zeros(2, 1), Tensor.zeros(3, 1)])).toThrow(/concatColumns: shapes 2x1 and 3x1/);
    expect(() => sliceColumns(Tensor.zeros(2, 3), 1, 4)).toThrow(/sliceColumns: columns 1..4 .* 2x3/);
    expect(() => gatherColumns(Tensor.zeros(2, 3), [0, 3])).toThrow(/gatherColumns: index 3 in row 1 .* 2x3/);
    expect(() => gatherColumns(Tensor.zeros(2, 3), [0, 1.5])).toThrow(/gatherColumns: index 1.5/);
    expect(() => layerNorm(Tensor.zeros(2, 3), Tensor.zeros(1, 2), Tensor.zeros(1, 3))).toThrow(
      /layerNorm: shapes 2x3 and 1x2/,
    );
    expect(() =>
      lstmCell(
        Tensor.zeros(2, 3),
        Tensor.zeros(2, 4),
        Tensor.zeros(2, 4),
        Tensor.zeros(3, 15),
        Tensor.zeros(4, 16),
        Tensor.zeros(1, 16),
      ),
    ).toThrow(/lstmCell: shapes 2x3 and 3x15 do not match/);
    expect(() => new Tensor(2, 2, new Float64Array(3))).toThrow(/2x2 needs 4 values, got 3/);
  });
  it('backward needs a scalar or an explicit output gradient', () => {
    const a = Tensor.zeros(2, 2, true);
    const tape = new Tape();
    const y = tape.record(() => add(a, a));
    expect(() => tape.backward(y)).toThrow(/output is 2x2/);
    expect(() => tape.backward(y, [1, 2])).toThrow(/gradient of length 2 for an output of shape 2x2/);
  });
});

describe('NaN reporting', () => {
  it('names the operation where NaN first appears in the forward pass', () => {
    const a = Tensor.from([[1, -1]], true);
    const tape = new Tape();
    expect(() => tape.record(() => sum(log(a)))).toThrow('NaN in the forward pass of log (output 1x2)');
  });

  it('says when the NaN came in through an input', () => {
    expect(() => add(Tensor.from([[NaN]]), Tensor.from([[1]]))).toThrow(
      /forward pass of add .*input already contained NaN/,
    );
  });

  it('names the operation where NaN first appears in the backward pass', () => {
    // The forward value is fine; the derivative of this op is NaN at x = 0.
    const a = Tensor.from([[0, 1]], true);
    const tape = new Tape();
    const loss = tape.record(() =>
      mean(
        finishOpForTests(
          a,
          (_i, x) => Math.sqrt(Math.abs(x)),
          (_i, x) => (0.5 / Math.sqrt(x)) * (x === 0 ? NaN : 1),
          'sqrtAbs',
        ),
      ),
    );
    expect(() => tape.backward(loss)).toThrow(/NaN in the backward pass of sqrtAbs/);
  });

  it('is silent when the check is off', () => {
    setCheckNumerics(false);
    try {
      expect(Number.isNaN(log(Tensor.from([[-1]])).item())).toBe(true);
    } finally {
      setCheckNumerics(true);
    }
  });
});

describe('degenerate shapes', () => {
  it('1x1 tensors and batch 1 work through every kind of operation', () => {
    const x = Tensor.from([[0.5]], true);
    const tape = new Tape();
    const loss = tape.record(() => sum(logSoftmax(matmul(x, Tensor.from([[2]])))));
    expect(loss.item()).toBe(0); // one action: log-probability 0
    tape.backward(loss);
    expect(x.grad![0]).toBe(0);
    expect(softmax(Tensor.from([[3]])).item()).toBe(1);
    const s = lstmCell(
      Tensor.from([[1]]),
      Tensor.zeros(1, 1),
      Tensor.zeros(1, 1),
      Tensor.zeros(1, 4),
      Tensor.zeros(1, 4),
      Tensor.zeros(1, 4),
    );
    expect(s.c.item()).toBe(0); // g = tanh(0) = 0
    expect(s.h.item()).toBe(0);
  });

  it('empty tensors keep their shape and reduce sensibly', () => {
    const empty = Tensor.zeros(0, 3);
    expect(empty.matrix.rows).toBe(0);
    expect(empty.matrix.columns).toBe(3);
    expect(matmul(empty, Tensor.zeros(3, 2)).shape).toBe('0x2');
    expect(sum(empty).item()).toBe(0);
    expect(() => mean(empty)).toThrow(/mean: the tensor is empty \(0x3\)/);
    expect(() => softmax(Tensor.zeros(2, 0))).toThrow(/softmax: .* 2x0/);
    expect(sliceColumns(Tensor.zeros(2, 3), 1, 1).shape).toBe('2x0');
  });
});
