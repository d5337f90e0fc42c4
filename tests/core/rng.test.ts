import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.uniform());
}

describe('Rng', () => {
  it('gives identical draws for the same seed and different draws for another', () => {
    expect(draws(Rng.fromSeed(7), 50)).toEqual(draws(Rng.fromSeed(7), 50));
    expect(draws(Rng.fromSeed(7), 50)).not.toEqual(draws(Rng.fromSeed(8), 50));
  });

  it('continues identically after its state is saved to JSON and restored', () => {
    const a = Rng.fromSeed('run-1');
    draws(a, 123);
    a.normal();
    a.beta(0.5, 2);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const b = Rng.fromState(saved);
    expect(draws(b, 100)).toEqual(draws(a, 100));
    expect(b.path).toBe(a.path);
    const c = Rng.fromSeed(1);
    c.restore(saved);
    expect(c.normal()).toBe(Rng.fromState(saved).normal());
  });

  it('derives forks from names only, independent of draws already made', () => {
    const a = Rng.fromSeed(3);
    const before = draws(a.fork('train-tasks'), 10);
    draws(a, 1000);
    expect(draws(a.fork('train-tasks'), 10)).toEqual(before);
    expect(draws(a.fork('eval-tasks'), 10)).not.toEqual(before);
    expect(a.fork('x').path).toBe('3/x');
  });

  it('rejects malformed state', () => {
    expect(() => Rng.fromState({ path: 'x', alea: { c: 1, s0: 0.1, s1: 'no' } } as never)).toThrow(/malformed/);
    expect(() => Rng.fromState(null as never)).toThrow(/malformed/);
  });

  it('draws with the right moments', () => {
    const rng = Rng.fromSeed(11);
    const n = 40000;
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = (xs: number[]) => {
      const m = mean(xs);
      return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
    };
    const u = draws(rng, n);
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.01);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const z = Array.from({ length: n }, () => rng.normal(2, 3));
    expect(Math.abs(mean(z) - 2)).toBeLessThan(0.05);
    expect(Math.abs(variance(z) - 9)).toBeLessThan(0.25);
    // Beta(2, 5): mean 2/7, variance ab/((a+b)^2 (a+b+1)) = 10/392.
    const b = Array.from({ length: n }, () => rng.beta(2, 5));
    expect(Math.abs(mean(b) - 2 / 7)).toBeLessThan(0.005);
    expect(Math.abs(variance(b) - 10 / 392)).toBeLessThan(0.001);
    // Beta(0.5, 0.5) exercises the shape < 1 branch of the gamma sampler: mean 1/2, variance 1/8.
    const b2 = Array.from({ length: n }, () => rng.beta(0.5, 0.5));
    expect(Math.abs(mean(b2) - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(variance(b2) - 0.125)).toBeLessThan(0.004);
    const ints = Array.from({ length: n }, () => rng.int(4));
    for (let k = 0; k < 4; k++) expect(Math.abs(ints.filter((x) => x === k).length / n - 0.25)).toBeLessThan(0.01);
    const bern = Array.from({ length: n }, () => (rng.bernoulli(0.3) ? 1 : 0));
    expect(Math.abs(mean(bern) - 0.3)).toBeLessThan(0.01);
    const cat = Array.from({ length: n }, () => rng.categorical([1, 0, 3]));
    expect(cat.filter((x) => x === 1).length).toBe(0);
    expect(Math.abs(cat.filter((x) => x === 2).length / n - 0.75)).toBeLessThan(0.01);
  });

  it('rejects impossible arguments', () => {
    const rng = Rng.fromSeed(0);
    expect(() => rng.int(0)).toThrow(/positive integer/);
    expect(() => rng.gamma(0)).toThrow(/shape/);
    expect(() => rng.choice([])).toThrow(/empty/);
    expect(() => rng.categorical([0, 0])).toThrow(/positive sum/);
    expect(() => Rng.fromSeed(NaN)).toThrow(/finite/);
  });
});
