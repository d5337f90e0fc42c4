import { describe, expect, it } from 'vitest';
import { builtinGradchecks, GRADCHECK_TOLERANCE, Tape, Tensor } from '../../src/nn/index.ts';
import { PLASTICITY_MODES, type PlasticWeights, plasticRnnCell } from '../../src/nn/ops/plastic.ts';

function weights(H: number, I: number, mode: string, fill: (k: number) => number): PlasticWeights {
  const t = (rows: number, cols: number, offset: number) => {
    const x = Tensor.zeros(rows, cols, true);
    for (let k = 0; k < x.size; k++) x.data[k] = fill(offset + k);
    return x;
  };
  return {
    weightInput: t(I, H, 0),
    bias: t(1, H, 100),
    weightRecurrent: t(H, H, 200),
    alpha: t(H, H, 300),
    eta: mode === 'neuromodulated' ? null : Tensor.scalar(0.25, true),
    modulationWeight: mode === 'hebbian' ? null : t(H, 1, 400),
    modulationBias: mode === 'hebbian' ? null : Tensor.scalar(0.1, true),
  };
}

describe('plasticRnnCell: the fused plastic step', () => {
  it('has a gradient check for every plasticity mode, through several steps, and with the clip active', () => {
    const names = builtinGradchecks().map((c) => c.name);
    for (const mode of PLASTICITY_MODES) expect(names).toContain(`plasticRnnCell (${mode}, 3 steps)`);
    expect(names).toContain('plasticRnnCell (neuromodulated, clip active)');
    expect(names).toContain('plasticRnnCell (retroactive, clip active)');
    for (const check of builtinGradchecks().filter((c) => c.name.startsWith('plasticRnnCell'))) {
      const result = check.run();
      expect(result.gradientNorm, check.name).toBeGreaterThan(1e-3);
      expect(result.maxRelError, check.name).toBeLessThan(GRADCHECK_TOLERANCE);
    }
  });

  it('computes h_t and the traces of each rule as written (a hand-computed 1-unit case)', () => {
    // H = 1, I = 1: every matrix is a number, so the formulas can be evaluated directly.
    const x = Tensor.from([[0.5]]);
    const h = Tensor.from([[0.4]]);
    const trace = Tensor.from([[0.3]]);
    const w: PlasticWeights = {
      weightInput: Tensor.from([[0.7]]),
      bias: Tensor.from([[-0.1]]),
      weightRecurrent: Tensor.from([[0.2]]),
      alpha: Tensor.from([[0.9]]),
      eta: Tensor.scalar(0.25),
      modulationWeight: Tensor.from([[1.5]]),
      modulationBias: Tensor.scalar(0.1),
    };
    const hNew = Math.tanh(-0.1 + 0.5 * 0.7 + 0.4 * (0.2 + 0.9 * 0.3));
    const hebbian = plasticRnnCell(
      'hebbian',
      x,
      h,
      trace,
      null,
      { ...w, modulationWeight: null, modulationBias: null },
      1,
    );
    expect(hebbian.h.data[0]).toBeCloseTo(hNew, 14);
    expect(hebbian.trace.data[0]).toBeCloseTo(0.75 * 0.3 + 0.25 * 0.4 * hNew, 14);
    const M = Math.tanh(hNew * 1.5 + 0.1);
    const neuromodulated = plasticRnnCell('neuromodulated', x, h, trace, null, { ...w, eta: null }, 1);
    expect(neuromodulated.modulation![0]).toBeCloseTo(M, 14);
    expect(neuromodulated.trace.data[0]).toBeCloseTo(0.3 + M * 0.4 * hNew, 14);
    const clipped = plasticRnnCell('neuromodulated', x, h, trace, null, { ...w, eta: null }, 0.32);
    expect(clipped.trace.data[0]).toBe(Math.min(0.3 + M * 0.4 * hNew, 0.32));
    const eligibility = Tensor.from([[-0.2]]);
    const retroactive = plasticRnnCell('retroactive', x, h, trace, eligibility, w, 1);
    expect(retroactive.trace.data[0]).toBeCloseTo(0.3 + M * -0.2, 14);
    expect(retroactive.eligibility!.data[0]).toBeCloseTo(0.75 * -0.2 + 0.25 * 0.4 * hNew, 14);
  });

  it('back-propagates through the clip with its subgradient: 1 inside [−c, c] (boundary included), 0 outside', () => {
    // α = 0 and no gradient on h_t: dL/dHebb_t then comes only through the trace update, and is
    // exactly dL/dHebb_{t+1} where the clip was inactive and 0 where it cut.
    const H = 2;
    const mode = 'neuromodulated';
    const w = weights(H, 1, mode, (k) => 0.1 * Math.sin(k + 1));
    w.alpha.data.fill(0);
    const x = Tensor.from([[1]]);
    // Presynaptic unit 0 silent: its row of the update is 0, so Hebb_{t+1} = clip(Hebb_t) there.
    const h = Tensor.from([[0, 0.5]]);
    const c = 1;
    // Row 0: exactly at the bound (passes), above it (cut); row 1: well inside, far below −c (cut).
    const trace = Tensor.from([[c, 1.3, 0.2, -2.5]], true);
    const tape = new Tape();
    const out = tape.record(() => plasticRnnCell(mode, x, h, trace, null, w, c));
    expect(Array.from(out.trace.data.subarray(0, 2))).toEqual([c, c]);
    expect(out.trace.data[3]).toBe(-c);
    const seed = [0.7, -0.4, 0.9, 0.6];
    tape.backwardFrom([[out.trace, seed]]);
    expect(Array.from(trace.grad!)).toEqual([0.7, 0, 0.9, 0]);
  });

  it('stopModulatorGradient keeps the gradient of w_M and b_M and cuts the one from M_t into the activity', () => {
    const grads = (stop: boolean) => {
      const w = weights(4, 3, 'neuromodulated', (k) => 0.3 * Math.sin(0.7 * k + 1));
      const x = Tensor.from(
        [
          [0.5, -0.2, 0.9],
          [0.1, 0.4, -0.6],
        ],
        true,
      );
      const h = Tensor.from([
        [0.3, -0.5, 0.2, 0.6],
        [-0.1, 0.4, 0.7, -0.3],
      ]);
      const trace = Tensor.zeros(2, 16);
      const tape = new Tape();
      const out = tape.record(() => plasticRnnCell('neuromodulated', x, h, trace, null, w, 1, h, stop));
      tape.backwardFrom([[out.trace, Array.from({ length: 32 }, (_, k) => Math.cos(k))]]);
      return { wM: Array.from(w.modulationWeight!.grad!), bM: w.modulationBias!.grad![0], x: Array.from(x.grad!) };
    };
    const full = grads(false);
    const stopped = grads(true);
    expect(stopped.wM).toEqual(full.wM);
    expect(stopped.bM).toBe(full.bM);
    expect(Math.max(...full.wM.map(Math.abs))).toBeGreaterThan(1e-3);
    expect(stopped.x).not.toEqual(full.x);
  });

  it('rejects mismatched shapes and missing rule parameters with the operation named', () => {
    const w = weights(3, 2, 'neuromodulated', () => 0.1);
    const x = Tensor.zeros(2, 2);
    const h = Tensor.zeros(2, 3);
    expect(() => plasticRnnCell('neuromodulated', x, h, Tensor.zeros(2, 8), null, w, 1)).toThrow(
      /plasticRnnCell\(neuromodulated\): trace is 2x8, expected 2x9/,
    );
    expect(() => plasticRnnCell('hebbian', x, h, Tensor.zeros(2, 9), null, w, 1)).toThrow(/needs eta/);
    expect(() =>
      plasticRnnCell('retroactive', x, h, Tensor.zeros(2, 9), null, { ...w, eta: Tensor.scalar(0.1) }, 1),
    ).toThrow(/eligibility trace must be 2x9/);
    expect(() => plasticRnnCell('neuromodulated', x, h, Tensor.zeros(2, 9), null, w, 0)).toThrow(
      /clip bound must be positive/,
    );
  });
});
