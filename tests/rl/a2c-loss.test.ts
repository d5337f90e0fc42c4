import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { a2cGradients, type RolloutBuffers } from '../../src/rl/a2c.ts';

function randomRollout(rng: Rng, T: number, B: number, A: number, endAt?: number[]): RolloutBuffers {
  const mk = (n: number, f: () => number) => Array.from({ length: T }, () => Float64Array.from({ length: n }, f));
  return {
    steps: T,
    batchSize: B,
    numActions: A,
    logits: mk(B * A, () => rng.normal()),
    values: mk(B, () => rng.normal()),
    actions: Array.from({ length: T }, () => Int32Array.from({ length: B }, () => rng.int(A))),
    rewards: mk(B, () => (rng.bernoulli(0.5) ? 1 : 0)),
    alive: Array.from({ length: T }, (_, t) =>
      Float64Array.from({ length: B }, (_, b) => (endAt && t > endAt[b] ? 0 : 1)),
    ),
  };
}

// The loss written directly, with the GAE targets computed from `targetValues` and held fixed.
function referenceLoss(
  r: RolloutBuffers,
  targetValues: Float64Array[],
  g: number,
  lam: number,
  cv: number,
  beta: number,
): number {
  const { steps: T, batchSize: B, numActions: A } = r;
  let loss = 0;
  for (let b = 0; b < B; b++) {
    let adv = 0;
    for (let t = T - 1; t >= 0; t--) {
      if (r.alive[t][b] === 0) continue;
      const cont = t + 1 < T && r.alive[t + 1][b] !== 0 ? 1 : 0;
      const vNext = cont ? targetValues[t + 1][b] : 0;
      adv = r.rewards[t][b] + g * vNext - targetValues[t][b] + g * lam * cont * adv;
      const target = adv + targetValues[t][b];
      const z = Array.from({ length: A }, (_, j) => r.logits[t][b * A + j]);
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, x) => s + Math.exp(x - m), 0));
      const logp = z.map((x) => x - lse);
      const H = -logp.reduce((s, lp) => s + Math.exp(lp) * lp, 0);
      loss += -logp[r.actions[t][b]] * adv + cv * (target - r.values[t][b]) ** 2 - beta * H;
    }
  }
  return loss / B;
}

describe('a2cGradients', () => {
  it('matches finite differences of the loss for logits and values, with masked episode ends', () => {
    const rng = Rng.fromSeed(5);
    const T = 6,
      B = 3,
      A = 3;
    const r = randomRollout(rng, T, B, A, [5, 3, 0]);
    const c = { discount: 0.9, gaeLambda: 0.8, valueCoef: 0.05, entropyCoef: 0.03 };
    const dl = Array.from({ length: T }, () => new Float64Array(B * A));
    const dv = Array.from({ length: T }, () => new Float64Array(B));
    a2cGradients(r, c, dl, dv);
    const fixed = r.values.map((v) => v.slice());
    const eps = 1e-6;
    let worst = 0;
    // The central difference of the loss in one entry of `values`, against the analytic gradient.
    const check = (values: Float64Array, i: number, analytic: number) => {
      const x = values[i];
      values[i] = x + eps;
      const up = referenceLoss(r, fixed, c.discount, c.gaeLambda, c.valueCoef, c.entropyCoef);
      values[i] = x - eps;
      const down = referenceLoss(r, fixed, c.discount, c.gaeLambda, c.valueCoef, c.entropyCoef);
      values[i] = x;
      worst = Math.max(worst, Math.abs((up - down) / (2 * eps) - analytic));
    };
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < B * A; i++) check(r.logits[t], i, dl[t][i]);
      for (let b = 0; b < B; b++) check(r.values[t], b, dv[t][b]);
    }
    expect(worst).toBeLessThan(1e-7);
    // Masked steps get no gradient.
    expect(Array.from(dl[4].subarray(3, 9))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(dv[1][2]).toBe(0);
  });

  it('with λ = 1 and no critic gives the discounted return as the advantage', () => {
    const T = 3;
    const r: RolloutBuffers = {
      steps: T,
      batchSize: 1,
      numActions: 2,
      logits: [new Float64Array(2), new Float64Array(2), new Float64Array(2)],
      values: [new Float64Array(1), new Float64Array(1), new Float64Array(1)],
      actions: [Int32Array.of(0), Int32Array.of(0), Int32Array.of(0)],
      rewards: [Float64Array.of(1), Float64Array.of(0), Float64Array.of(1)],
      alive: [Float64Array.of(1), Float64Array.of(1), Float64Array.of(1)],
    };
    const dl = Array.from({ length: T }, () => new Float64Array(2));
    const dv = Array.from({ length: T }, () => new Float64Array(1));
    a2cGradients(r, { discount: 0.5, gaeLambda: 1, valueCoef: 0.5, entropyCoef: 0 }, dl, dv);
    // Returns: R_2 = 1, R_1 = 0.5, R_0 = 1.25; with π = (½, ½), ∂/∂z_0 = (½ − 1) R_t.
    expect(dl[0][0]).toBeCloseTo(-0.625, 12);
    expect(dl[1][0]).toBeCloseTo(-0.25, 12);
    expect(dl[2][0]).toBeCloseTo(-0.5, 12);
    expect(dv[0][0]).toBeCloseTo(-1.25, 12);
  });
});
