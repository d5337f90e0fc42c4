import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import {
  concatColumns,
  GruCell,
  gatherColumns,
  isCheckingNumerics,
  Linear,
  LstmCell,
  logSoftmax,
  mean,
  noGrad,
  sum,
  Tape,
  Tensor,
  tanh,
} from './helpers.ts';

function gradientsAfterUpdate(cell: LstmCell, gru: GruCell, head: Linear, xs: Tensor[]): Float64Array[] {
  for (const m of [cell, gru, head]) m.zeroGrad();
  const tape = new Tape();
  const loss = tape.record(() => {
    let s = cell.initialState(2);
    let h = gru.initialState(2);
    let total = Tensor.scalar(0);
    for (const x of xs) {
      s = cell.step(x, s);
      h = gru.step(s.h, h);
      total = sum(concatColumns([total, mean(gatherColumns(logSoftmax(head.forward(h)), [0, 2]))]));
    }
    return total;
  });
  tape.backward(loss);
  return [...cell.parameters().values(), ...gru.parameters().values(), ...head.parameters().values()].map((t) =>
    t.grad!.slice(),
  );
}

describe('Tape', () => {
  it('replays in reverse and gives bit-identical gradients when buffers are reused from the pool', () => {
    const rng = Rng.fromSeed('pool');
    const cell = new LstmCell({ inputSize: 3, hiddenSize: 4 }, rng);
    const gru = new GruCell({ inputSize: 4, hiddenSize: 5 }, rng);
    const head = new Linear({ inputSize: 5, outputSize: 3 }, rng);
    const xs = [0, 1, 2, 3].map(() =>
      Tensor.from([
        [rng.normal(), rng.normal(), rng.normal()],
        [rng.normal(), rng.normal(), rng.normal()],
      ]),
    );
    const first = gradientsAfterUpdate(cell, gru, head, xs);
    // Dirty pooled buffers with an unrelated computation of the same shapes, then repeat.
    const dirty = new Tape();
    dirty.record(() => gru.step(cell.step(Tensor.full(2, 3, 1e6), cell.initialState(2)).h, gru.initialState(2)));
    dirty.clear();
    const second = gradientsAfterUpdate(cell, gru, head, xs);
    expect(second).toEqual(first);
    expect(first.some((g) => g.some((v) => v !== 0))).toBe(true);
  });

  it('records one node per operation, and a fused node per recurrent step', () => {
    const rng = Rng.fromSeed('nodes');
    const cell = new LstmCell({ inputSize: 4, hiddenSize: 3 }, rng);
    const policy = new Linear({ inputSize: 3, outputSize: 2 }, rng);
    const value = new Linear({ inputSize: 3, outputSize: 1 }, rng);
    const tape = new Tape();
    tape.record(() => {
      const s = cell.step(concatColumns([Tensor.zeros(2, 2), Tensor.zeros(2, 2)]), cell.initialState(2));
      gatherColumns(logSoftmax(policy.forward(s.h)), [0, 1]);
      value.forward(s.h);
    });
    // concat inputs that need no gradient is not recorded at all.
    expect(tape.ops()).toEqual(['lstmCell', 'linear', 'logSoftmax', 'gatherColumns', 'linear']);
  });

  it('keeps leaf gradients and releases those of intermediate tensors after backward', () => {
    const w = Tensor.from([[0.5, -0.25]], true);
    const tape = new Tape();
    let hidden: Tensor | null = null;
    const loss = tape.record(() => {
      hidden = tanh(w);
      return sum(hidden);
    });
    tape.backward(loss);
    expect(w.grad).not.toBeNull();
    expect(w.grad![0]).toBeCloseTo(1 - Math.tanh(0.5) ** 2, 15);
    expect(hidden!.grad).toBeNull();
    expect(tape.length).toBe(0);
    // retain keeps the nodes and intermediate gradients for a second pass.
    const tape2 = new Tape();
    let h2: Tensor | null = null;
    const loss2 = tape2.record(() => {
      h2 = tanh(w);
      return sum(h2);
    });
    tape2.backward(loss2, undefined, { retain: true });
    expect(h2!.grad).not.toBeNull();
    expect(tape2.length).toBe(2);
  });

  it('records nothing outside a tape or inside noGrad, and nests tapes', () => {
    const w = Tensor.from([[1]], true);
    expect(tanh(w).requiresGrad).toBe(false);
    const outer = new Tape();
    const inner = new Tape();
    outer.record(() => {
      tanh(w);
      inner.record(() => tanh(w));
      noGrad(() => tanh(w));
      tanh(w);
    });
    expect(outer.length).toBe(2);
    expect(inner.length).toBe(1);
  });

  it('has the NaN check on unless ENGRAM_CHECK_NUMERICS=0', () => {
    expect(isCheckingNumerics()).toBe(process.env.ENGRAM_CHECK_NUMERICS !== '0');
  });
});
