import { describe, expect, it } from 'vitest';
import type { EpisodeRecord, StepInfo } from '../../src/core/types.ts';
import {
  cumulativeRegretByTrial,
  expectedRegrets,
  pBestByTrial,
  shiftAfterLose,
  stayAfterWin,
  summarize,
  totalRewards,
} from '../../src/measures/behavior.ts';
import {
  ci95,
  halfWidth,
  mean,
  pairedBootstrap,
  quantileSorted,
  sem,
  tQuantile975,
  variance,
  wilsonInterval,
} from '../../src/measures/stats.ts';

describe('stats', () => {
  it('mean, variance and SEM match hand computation', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(variance(xs)).toBeCloseTo(32 / 7, 12);
    expect(sem(xs)).toBeCloseTo(Math.sqrt(32 / 7 / 8), 12);
  });

  it('the 95% interval is t-based: mean ± t(0.975, n−1)·SEM', () => {
    const e = ci95([1, 2, 3]);
    // s = 1, SEM = 1/√3, t(0.975, 2) = 4.303.
    expect(e.mean).toBe(2);
    expect(halfWidth(e)).toBeCloseTo((4.303 * 1) / Math.sqrt(3), 10);
    expect(e.n).toBe(3);
  });

  it('the t quantile approaches 1.96 and is continuous at the end of the table', () => {
    expect(tQuantile975(30)).toBeCloseTo(2.042, 3);
    expect(tQuantile975(31)).toBeCloseTo(2.0395, 3);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 3);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 3);
    expect(tQuantile975(1e9)).toBeCloseTo(1.96, 3);
  });

  it('degenerate inputs: no values give NaN, one value has no interval, constant values a zero-width one', () => {
    expect(Number.isNaN(ci95([]).mean)).toBe(true);
    const one = ci95([3]);
    expect(one.mean).toBe(3);
    expect(one.ci95.every(Number.isNaN)).toBe(true);
    expect(ci95([1, 1, 1]).ci95).toEqual([1, 1]);
  });
});

function episode(
  actions: number[],
  rewards: number[],
  correct: boolean[],
  extra: Partial<StepInfo>[] = [],
): EpisodeRecord {
  return {
    actions,
    rewards,
    infos: actions.map((_, t) => ({
      trial: t,
      newTrial: true,
      correct: correct[t],
      expectedRegret: correct[t] ? 0 : 0.5,
      ...(extra[t] ?? {}),
    })),
  };
}

describe('measures', () => {
  const records = [
    // win on 0 → stay; lose on 0 → shift; win on 1 → shift (not a stay)
    episode([0, 0, 1, 0], [1, 0, 1, 0], [true, true, false, true]),
    // lose → stay; lose → shift
    episode([1, 1, 0, 0], [0, 0, 1, 1], [false, false, true, true]),
  ];

  it('total reward and expected regret per episode', () => {
    expect(Array.from(totalRewards(records))).toEqual([2, 2]);
    expect(Array.from(expectedRegrets(records))).toEqual([0.5, 1]);
  });

  it('stay after win and shift after lose are per-episode rates averaged over episodes', () => {
    // Episode 1: wins at trials 0 and 2 → stays 1 of 2; episode 2: win at trial 2 → stay 1 of 1.
    expect(stayAfterWin(records).mean).toBeCloseTo((0.5 + 1) / 2, 12);
    // Episode 1: loss at trial 1 → shift 1 of 1; episode 2: losses at 0, 1 → shifts 1 of 2.
    expect(shiftAfterLose(records).mean).toBeCloseTo((1 + 0.5) / 2, 12);
  });

  it('a chosenOption in info is the choice (Harlow: the object, not the side)', () => {
    const harlowLike = [episode([0, 1], [1, 0], [true, false], [{ chosenOption: 7 }, { chosenOption: 7 }])];
    expect(stayAfterWin(harlowLike).mean).toBe(1);
  });

  it('P(best) by trial averages `correct` over episodes at each trial index', () => {
    const p = pBestByTrial(records, 4).map((e) => e.mean);
    expect(p).toEqual([0.5, 0.5, 0.5, 1]);
    const summary = summarize(records, 4);
    expect(summary.pBestByTrial).toHaveLength(4);
    expect(summary.totalReward.mean).toBe(2);
  });

  it('episodes without a win are left out of stay-after-win', () => {
    const e = stayAfterWin([episode([0, 0], [0, 0], [true, true])]);
    expect(e.n).toBe(0);
  });
});

describe('paired bootstrap and regret by trial', () => {
  it('gives the mean difference and a reproducible percentile interval around it', () => {
    const a = Array.from({ length: 200 }, (_, i) => Math.sin(i) + 1);
    const b = Array.from({ length: 200 }, (_, i) => Math.sin(i));
    const constant = pairedBootstrap(a, b, 'seed');
    expect(constant.mean).toBeCloseTo(1, 12);
    expect(constant.ci95[0]).toBeCloseTo(1, 12);
    expect(constant.ci95[1]).toBeCloseTo(1, 12);
    const noisy = pairedBootstrap(
      a,
      b.map((x, i) => x + (i % 3) - 1),
      'seed',
    );
    expect(noisy.ci95[0]).toBeLessThan(noisy.mean);
    expect(noisy.ci95[1]).toBeGreaterThan(noisy.mean);
    // The interval is close to the normal one for a symmetric difference (SEM ≈ 0.058 here).
    const t = ci95(a.map((x, i) => x - (b[i] + (i % 3) - 1)));
    expect(Math.abs(noisy.ci95[0] - t.ci95[0])).toBeLessThan(0.03);
    expect(
      pairedBootstrap(
        a,
        b.map((x, i) => x + (i % 3) - 1),
        'seed',
      ),
    ).toEqual(noisy);
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
  });

  it('adds up expected regret trial by trial', () => {
    const r = (regrets: number[]): EpisodeRecord => ({
      actions: regrets.map(() => 0),
      rewards: regrets.map(() => 0),
      infos: regrets.map((x, t) => ({ trial: t, expectedRegret: x }) as StepInfo),
    });
    expect(cumulativeRegretByTrial([r([0.5, 0, 0.5]), r([0, 0, 0.5])], 3)).toEqual([0.25, 0.25, 0.75]);
  });
});

describe('wilsonInterval', () => {
  it('matches the textbook interval and stays inside [0, 1]', () => {
    const w = wilsonInterval(8, 10);
    expect(w.p).toBe(0.8);
    expect(w.ci95[0]).toBeCloseTo(0.4902, 4);
    expect(w.ci95[1]).toBeCloseTo(0.9433, 4);
    expect(wilsonInterval(0, 20).ci95[0]).toBe(0);
    expect(wilsonInterval(20, 20).ci95[1]).toBe(1);
    expect(wilsonInterval(20, 20).ci95[0]).toBeGreaterThan(0.8);
    expect(Number.isNaN(wilsonInterval(0, 0).p)).toBe(true);
  });
});
