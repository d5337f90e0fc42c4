import { describe, expect, it } from 'vitest';
import { GittinsAgent, GittinsTable, gittins, gittinsHorizon, gittinsIndex } from '../../agents/gittins.ts';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { DRIFTING, fakeBandit, firstTwoSteps, playEpisodes } from '../helpers/bandits.ts';

describe('gittinsIndex', () => {
  // Published Gittins indices for a Bernoulli arm, from Gittins' tables as reproduced in Christian &
  // Griffiths 2016, "Algorithms to Live By", ch. 2 (tables of the index by wins–losses record with
  // a uniform prior, i.e. Beta(1 + wins, 1 + losses)), 4 decimals:
  //   γ = 0.9:  0–0 → 0.7029, 1–1 → 0.6346, 2–2 → 0.6010, 9 wins 1 loss → 0.8695
  //   γ = 0.99: 0–0 → 0.8699
  const published: [number, number, number, number][] = [
    [1, 1, 0.9, 0.7029],
    [2, 2, 0.9, 0.6346],
    [3, 3, 0.9, 0.601],
    [10, 2, 0.9, 0.8695],
    [1, 1, 0.99, 0.8699],
  ];
  for (const [alpha, beta, discount, value] of published) {
    it(`Beta(${alpha}, ${beta}) at γ = ${discount} is ${value} (published table)`, () => {
      expect(Math.abs(gittinsIndex(alpha, beta, discount) - value)).toBeLessThan(1e-4);
    });
  }

  it('the truncation is within 1e-6 of a four-times deeper calibration', () => {
    for (const discount of [0.9, 0.99]) {
      for (const [a, b] of [
        [1, 1],
        [1, 8],
        [8, 1],
        [15, 15],
      ]) {
        const deep = gittinsIndex(a, b, discount, 4 * gittinsHorizon(discount));
        expect(Math.abs(gittinsIndex(a, b, discount) - deep)).toBeLessThan(1e-6);
      }
    }
  });

  it('exceeds the posterior mean, rises with successes and falls with failures', () => {
    for (const [a, b] of [
      [1, 1],
      [3, 7],
      [12, 4],
    ]) {
      const g = gittinsIndex(a, b, 0.95);
      expect(g).toBeGreaterThan(a / (a + b));
      expect(gittinsIndex(a + 1, b, 0.95)).toBeGreaterThan(g);
      expect(gittinsIndex(a, b + 1, 0.95)).toBeLessThan(g);
    }
  });

  it('approaches the mean as the discount goes to 0 (a myopic player only sees the next pull)', () => {
    expect(Math.abs(gittinsIndex(2, 3, 1e-6) - 0.4)).toBeLessThan(1e-5);
  });

  it('rejects impossible arguments', () => {
    expect(() => gittinsIndex(0, 1, 0.9)).toThrow(RangeError);
    expect(() => gittinsIndex(1, 1, 1)).toThrow(RangeError);
  });
});

describe('GittinsTable', () => {
  it('agrees with the fully converged index to 1e-8', () => {
    const table = new GittinsTable(0.99);
    for (const [s, f] of [
      [0, 0],
      [5, 2],
      [0, 30],
      [40, 10],
      [20, 20],
    ]) {
      expect(Math.abs(table.index(s, f) - gittinsIndex(1 + s, 1 + f, 0.99))).toBeLessThan(1e-8);
    }
  });
});

describe('gittins agent', () => {
  it('splits ties evenly at the start and stays on an arm that just paid', () => {
    const agent = new GittinsAgent(3, { discount: 0.9 });
    // Episode 0: arm 1 paid; episode 1: arm 2 failed.
    const { first, second } = firstTwoSteps(agent, [1, 2], [1, 0]);
    expect(first).toEqual(new Array(6).fill(1 / 3));
    expect(second).toEqual([0, 1, 0, 0.5, 0.5, 0]);
  });

  it('earns more than random play on 5-armed bandits', () => {
    const family = fakeBandit('bandit-bernoulli', 5, 50);
    const rng = Rng.fromSeed(7);
    const agent = gittins.create(family, { discount: 0.95 }, rng.fork('agent'));
    const { totals, randomTotals } = playEpisodes(agent, family, 400, rng);
    const mean = (x: Float64Array) => x.reduce((u, v) => u + v) / x.length;
    // Random play earns 25 per episode on average; an index policy on 5 arms earns about 35.
    expect(mean(totals)).toBeGreaterThan(mean(randomTotals) + 5);
  });

  it('validates its options and says which families it cannot play', () => {
    const family = fakeBandit('bandit-bernoulli', 2, 10);
    expect(() => gittins.create(family, { discount: 1 }, Rng.fromSeed(1))).toThrow(UsageError);
    expect(() => gittins.create(family, { discount: 1 }, Rng.fromSeed(1))).toThrow(/discount/);
    expect(() => gittins.create(family, { gamma: 0.9 }, Rng.fromSeed(1))).toThrow(/gamma/);
    expect(gittins.cannotPlay(family)).toBeNull();
    expect(gittins.cannotPlay(fakeBandit('bandit-restless', 2, 10, DRIFTING))).toMatch(/stationary/);
    expect(gittins.cannotPlay(fakeBandit('harlow', 2, 10, {}))).toMatch(/Bernoulli/);
  });
});
