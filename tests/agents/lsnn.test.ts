// The spiking agent: its options and their units, its lesions (reset-state, reset-adaptation, and
// the LIF control that has no adaptation to reset), its recorded variables, and the firing-rate
// regularizer's gradient against finite differences (with the smooth stand-in spike).
import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import type { RecurrentActorCritic } from '../../agents/kit/recurrent.ts';
import type { LsnnState } from '../../agents/lsnn.ts';
import { UsageError } from '../../src/core/errors.ts';
import { encodeInput, policyInputSize } from '../../src/core/policy.ts';
import { Rng } from '../../src/core/rng.ts';
import { noGrad, Tape } from '../../src/nn/tape.ts';
import { Tensor } from '../../src/nn/tensor.ts';
import { findTask } from '../../tasks/index.ts';

const family = findTask('bandit-correlated').create({ variant: 'uniform', trials: 20 });
const build = (options: Record<string, unknown>) =>
  findAgent('lsnn').createNetwork!(family, options, Rng.fromSeed('lsnn-test')) as RecurrentActorCritic<LsnnState>;

function inputs(steps: number, batch: number): Tensor[] {
  const size = policyInputSize(family);
  const rng = Rng.fromSeed('inputs');
  return Array.from({ length: steps }, (_, t) => {
    const x = new Tensor(batch, size);
    for (let b = 0; b < batch; b++)
      encodeInput(x.data, b * size, [1], 0, 1, 2, t === 0 ? -1 : rng.int(2), rng.int(2), t / steps);
    return x;
  });
}

describe('lsnn', () => {
  it('takes its times as quantities, and refuses a step that is not a whole number of simulation steps', () => {
    const net = build({ tauMembrane: '30 ms', stepDuration: '5 ms', lif: 3, adaptive: 2 });
    expect(net.options()).toMatchObject({ tauMembrane: 0.03, stepDuration: 0.005, lif: 3, adaptive: 2 });
    expect(net.hidden).toBe(5);
    expect(() => build({ stepDuration: '2.5 ms' })).toThrow(UsageError);
    expect(() => build({ stepDuration: '2.5 ms' })).toThrow(/whole number of simulation steps/);
    expect(() => build({ tauAdaptation: '3 m' })).toThrow(/tauAdaptation/);
  });

  it('reset-adaptation returns only the thresholds to baseline; the LIF control has none to reset', () => {
    const net = build({ lif: 4, adaptive: 4 });
    let state = net.initialState(2);
    noGrad(() => {
      for (const x of inputs(6, 2)) state = net.step(state, x).state;
    });
    expect(state.neurons.a.data.some((a) => a > 0)).toBe(true);
    const reset = net.lesion('reset-adaptation', state, 2)!;
    expect(Array.from(reset.neurons.a.data)).toEqual(new Array(16).fill(0));
    expect(reset.neurons.v).toBe(state.neurons.v);
    expect(reset.neurons.o).toBe(state.neurons.o);
    const rest = net.lesion('reset-state', state, 2)!;
    expect(rest.neurons.v.data.every((v) => v === 0)).toBe(true);
    expect(net.lesion('freeze-plasticity', state, 2)).toBeNull();
    expect(build({ adaptive: 0 }).lesion('reset-adaptation', state, 2)).toBeNull();
    expect(build({ beta: 0 }).lesion('reset-adaptation', state, 2)).toBeNull();
  });

  it('records membranes, thresholds and firing rates in Hz', () => {
    const net = build({ lif: 2, adaptive: 3, beta: 10 });
    expect(net.recordable().map((v) => v.name)).toEqual(['h', 'v', 'threshold', 'spikes', 'rate']);
    expect(net.recordable().find((v) => v.name === 'spikes')).toMatchObject({ shape: [10, 5], onRequest: true });
    let state = net.initialState(1);
    noGrad(() => {
      for (const x of inputs(10, 1)) state = net.step(state, x).state;
    });
    const rate = net.readRecordable(state, 'rate');
    const spikes = state.spikes.reduce((s, z) => s + z.data.reduce((a, b) => a + b, 0), 0);
    expect(rate.reduce((a, b) => a + b, 0)).toBeCloseTo(spikes / 0.01, 9);
    const raster = net.readRecordable(state, 'spikes');
    expect(raster).toHaveLength(50);
    expect(raster.reduce((a, b) => a + b, 0)).toBe(spikes);
    expect(raster[3 * 5 + 4]).toBe(state.spikes[3].data[4]);
    const threshold = net.readRecordable(state, 'threshold');
    expect(threshold[0]).toBe(1);
    expect(threshold[2]).toBeCloseTo(1 + 10 * state.neurons.a.data[2], 12);
  });

  it("the firing-rate regularizer's gradient matches finite differences", () => {
    const net = build({ lif: 3, adaptive: 3, rateCost: 5, rateTarget: '20 Hz', stepDuration: '3 ms' });
    // The smooth stand-in makes the loss differentiable, so finite differences apply.
    (net.core as unknown as { constants: { spike: string } }).constants.spike = 'smooth';
    const xs = inputs(4, 2);
    const weight = 0.5;
    const lossOf = (record: boolean) => {
      let state = net.initialState(2);
      const states: LsnnState[] = [];
      for (const x of xs) {
        state = net.step(state, x).state;
        states.push(state);
      }
      const r = net.regularizer!(states, weight)!;
      return { loss: r.loss, seeds: record ? r.seeds : [] };
    };
    const w = net.parameters().get('core.weightInput')!;
    w.zeroGrad();
    const tape = new Tape();
    const { seeds } = tape.record(() => lossOf(true));
    tape.backwardFrom(seeds);
    const analytic = Float64Array.from(w.grad!);
    const h = 1e-5;
    let worst = 0;
    for (let i = 0; i < w.size; i++) {
      const keep = w.data[i];
      w.data[i] = keep + h;
      const up = noGrad(() => lossOf(false).loss);
      w.data[i] = keep - h;
      const down = noGrad(() => lossOf(false).loss);
      w.data[i] = keep;
      const numeric = (up - down) / (2 * h);
      worst = Math.max(
        worst,
        Math.abs(numeric - analytic[i]) / Math.max(1e-6, Math.abs(numeric) + Math.abs(analytic[i])),
      );
    }
    expect(worst).toBeLessThan(1e-5);
    expect(analytic.some((g) => g !== 0)).toBe(true);
  });

  it('the regularizer of two halves of a batch, each weighted by its share, is that of the whole batch', () => {
    const net = build({ lif: 3, adaptive: 3, rateCost: 2 });
    const xs = inputs(5, 4);
    const play = (rows: [number, number]) => {
      let state = net.initialState(rows[1] - rows[0]);
      const states: LsnnState[] = [];
      noGrad(() => {
        for (const x of xs) {
          const part = new Tensor(rows[1] - rows[0], x.cols, x.data.slice(rows[0] * x.cols, rows[1] * x.cols));
          state = net.step(state, part).state;
          states.push(state);
        }
      });
      return states;
    };
    const whole = net.regularizer!(play([0, 4]), 1)!;
    const first = net.regularizer!(play([0, 2]), 0.5)!;
    const second = net.regularizer!(play([2, 4]), 0.5)!;
    expect(first.loss + second.loss).toBeCloseTo(whole.loss, 12);
    // Every simulation step's gradient: the halves' rows are the whole's rows.
    whole.seeds.forEach(([, g], i) => {
      expect(Array.from(first.seeds[i][1])).toEqual(Array.from(g.slice(0, 12)));
      expect(
        Array.from(second.seeds[i][1])
          .map((v, k) => v - g[12 + k])
          .every((d) => Math.abs(d) < 1e-15),
      ).toBe(true);
    });
  });
});
