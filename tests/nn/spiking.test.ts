// The fused spiking step (src/nn/ops/spiking.ts): its forward pass against a trajectory of two
// neurons worked out by hand, and its backward pass against finite differences of the same step
// with the spike replaced by the smooth stand-in whose derivative is the pseudo-derivative.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { gradcheck } from '../../src/nn/gradcheck.ts';
import { restingState, type SpikingConstants, type SpikingState, spikingStep } from '../../src/nn/ops/spiking.ts';
import { concatColumns } from '../../src/nn/ops/structure.ts';
import { Tape } from '../../src/nn/tape.ts';
import { Tensor } from '../../src/nn/tensor.ts';

const constants = (beta: number[], spike: 'step' | 'smooth' = 'step'): SpikingConstants => ({
  alpha: 0.9,
  rho: 0.95,
  kappa: 0.8,
  threshold: 1,
  beta: Float64Array.from(beta),
  refractory: 2,
  dampening: 0.3,
  spike,
});

describe('spikingStep, forward', () => {
  it('follows a two-neuron trajectory worked out by hand', () => {
    // Neuron 0 is LIF (β = 0), neuron 1 adaptive (β = 0.5); a constant input of 1 drives them
    // through W_in = [3, 2]; neuron 0 excites neuron 1 (+0.5), neuron 1 inhibits neuron 0 (−0.2).
    const c = constants([0, 0.5]);
    const wIn = Tensor.from([[3, 2]]);
    const wRec = Tensor.from([
      [7, 0.5],
      [-0.2, 9],
    ]); // the diagonal (7, 9) is never read: no self-connections
    const x = Tensor.from([[1]]);
    let s: SpikingState = restingState(1, 2);
    const trajectory: SpikingState[] = [];
    for (let t = 0; t < 8; t++) {
      s = spikingStep(x, s, wIn, wRec, c);
      trajectory.push(s);
    }
    const v = (t: number) => Array.from(trajectory[t].v.data);
    const z = (t: number) => Array.from(trajectory[t].z.data);
    // Steps 1–3: v ← 0.9 v + 0.1 I with I = (3, 2), below threshold 1.
    expect(v(0)[0]).toBeCloseTo(0.3, 12);
    expect(v(1)[0]).toBeCloseTo(0.57, 12);
    expect(v(2)[0]).toBeCloseTo(0.813, 12);
    expect(v(2)[1]).toBeCloseTo(0.542, 12);
    // Step 4: neuron 0 crosses 1 (v = 1.0317) and spikes; its filtered spike jumps to 1.
    expect(v(3)[0]).toBeCloseTo(1.0317, 12);
    expect(z(3)).toEqual([1, 0]);
    expect(trajectory[3].o.data[0]).toBeCloseTo(1, 12);
    expect(trajectory[3].refractory[0]).toBe(2);
    // Step 5: reset by subtraction of its threshold (β = 0: still 1); neuron 1 gets +0.5 of current.
    expect(v(4)[0]).toBeCloseTo(0.9 * 1.0317 + 0.3 - 1, 12);
    expect(v(4)[1]).toBeCloseTo(0.9 * 0.6878 + 0.1 * 2.5, 12);
    expect(trajectory[4].a.data[0]).toBeCloseTo(0.05, 12);
    expect(trajectory[4].o.data[0]).toBeCloseTo(0.8, 12);
    // Step 6: neuron 0 is still refractory (no spike); neuron 1 is at 0.982118.
    expect(z(5)).toEqual([0, 0]);
    expect(v(5)[1]).toBeCloseTo(0.982118, 12);
    // Step 7: neuron 1 spikes at 1.0839062.
    expect(v(6)[1]).toBeCloseTo(1.0839062, 12);
    expect(z(6)).toEqual([0, 1]);
    // Step 8: neuron 1's threshold has risen to 1 + 0.5 · 0.05 = 1.025, which its reset subtracts;
    // neuron 0 receives its −0.2.
    expect(trajectory[7].a.data[1]).toBeCloseTo(0.05, 12);
    expect(v(7)[1]).toBeCloseTo(0.9 * 1.0839062 + 0.2 - 1.025, 12);
    expect(v(7)[0]).toBeCloseTo(0.9 * 0.7551093 + 0.1 * 2.8, 12);
  });

  it('an adaptive neuron fires less than a LIF neuron under the same drive', () => {
    const c = { ...constants([0, 10]), rho: 0.99 };
    const wIn = Tensor.from([[3, 3]]);
    const wRec = Tensor.zeros(2, 2);
    let s = restingState(1, 2);
    const counts = [0, 0];
    for (let t = 0; t < 400; t++) {
      s = spikingStep(Tensor.from([[1]]), s, wIn, wRec, c);
      counts[0] += s.z.data[0];
      counts[1] += s.z.data[1];
    }
    expect(counts[0]).toBeGreaterThan(1.5 * counts[1]);
    expect(counts[1]).toBeGreaterThan(0);
  });

  it('refuses mismatched shapes and a non-positive threshold', () => {
    const s = restingState(1, 2);
    expect(() => spikingStep(Tensor.zeros(1, 3), s, Tensor.zeros(2, 2), Tensor.zeros(2, 2), constants([0, 0]))).toThrow(
      /W_in must be 3x2/,
    );
    expect(() =>
      spikingStep(Tensor.zeros(1, 1), s, Tensor.zeros(1, 2), Tensor.zeros(2, 2), {
        ...constants([0, 0]),
        threshold: 0,
      }),
    ).toThrow(/threshold must be positive/);
  });
});

describe('spikingStep, backward', () => {
  const rng = Rng.fromSeed('spiking-gradcheck');
  const random = (rows: number, cols: number, scale: number) => {
    const t = new Tensor(rows, cols);
    for (let i = 0; i < t.size; i++) t.data[i] = rng.normal(0, scale);
    return t;
  };

  it('is the exact gradient of the smooth stand-in, through time, for every input and weight', () => {
    const B = 2;
    const I = 3;
    const N = 4;
    const c = { ...constants([0, 0.7, 0, 1.3], 'smooth'), refractory: 0 };
    const x = random(B, I, 1);
    const v0 = random(B, N, 0.5);
    const a0 = Tensor.from(Array.from({ length: B }, () => [0.2, 0.4, 0.1, 0.3]));
    const z0 = Tensor.from(Array.from({ length: B }, () => [0.1, 0.25, 0, 0.2]));
    const o0 = random(B, N, 0.1);
    const wIn = random(I, N, 0.8);
    const wRec = random(N, N, 0.6);
    const result = gradcheck(
      () => {
        let s: SpikingState = { v: v0, a: a0, z: z0, o: o0, refractory: new Float64Array(B * N) };
        for (let t = 0; t < 4; t++) s = spikingStep(x, s, wIn, wRec, c);
        return concatColumns([s.v, s.a, s.z, s.o]);
      },
      { x, v0, a0, z0, o0, wIn, wRec },
    );
    expect(result.maxRelError).toBeLessThan(1e-6);
    expect(result.gradientNorm).toBeGreaterThan(0.1);
  });

  it('gives no gradient through a refractory neuron, and none to the diagonal of W_rec', () => {
    const c = constants([0, 0.5]);
    const wIn = Tensor.from([[3, 2]], true);
    const wRec = Tensor.from(
      [
        [0, 0.5],
        [-0.2, 0],
      ],
      true,
    );
    const s = restingState(1, 2);
    s.refractory[0] = 1;
    s.v.data.set([0.95, 0.95]);
    s.z.data.set([1, 1]);
    const tape = new Tape();
    const out = tape.record(() => spikingStep(Tensor.from([[1]]), s, wIn, wRec, c));
    tape.backward(out.z, [1, 1]);
    // Neuron 0 is refractory: its spike has no gradient, so no current into it is credited.
    expect(wIn.grad![0]).toBe(0);
    expect(wIn.grad![1]).not.toBe(0);
    expect(wRec.grad![0]).toBe(0);
    expect(wRec.grad![3]).toBe(0);
  });
});
