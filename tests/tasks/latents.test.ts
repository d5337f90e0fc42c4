import { armPosterior, armPosteriorSeries } from 'engram';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import type { BanditPrior, EpisodeRecord, GroundTruth, TaskFamily } from '../../src/core/types.ts';
import { createBanditBernoulli } from '../../tasks/bandit-bernoulli.ts';
import { createBanditCorrelated } from '../../tasks/bandit-correlated.ts';
import { createBanditRestless } from '../../tasks/bandit-restless.ts';
import { createGridGoal } from '../../tasks/grid-goal.ts';
import { createHarlow } from '../../tasks/harlow.ts';
import { TASKS } from '../../tasks/index.ts';
import { createWatermaze } from '../../tasks/watermaze.ts';

/** A played episode, with the instance's ground truth just before every step. */
function play(
  family: TaskFamily,
  seed: string,
  policy: (t: number, rng: Rng) => number = (_t, rng) => rng.int(family.numActions),
): EpisodeRecord & { before: GroundTruth[] } {
  const instance = family.sample(Rng.fromSeed(seed));
  const actions = Rng.fromSeed(`${seed}/actions`);
  instance.reset();
  const record: EpisodeRecord & { before: GroundTruth[] } = {
    actions: [],
    rewards: [],
    infos: [],
    instance: instance.groundTruth(),
    before: [],
  };
  for (let t = 0; t < family.episodeLength; t++) {
    record.before.push(structuredClone(instance.groundTruth()));
    const a = policy(t, actions);
    const result = instance.step(a);
    record.actions.push(a);
    record.rewards.push(result.reward);
    record.infos.push(result.info);
    if (result.done) break;
  }
  return record;
}

/** Row t of a steps × size array. */
function row(values: Float64Array, size: number, t: number): number[] {
  return Array.from(values.subarray(t * size, (t + 1) * size));
}

// ---------------------------------------------------------------------------------------------
// Brute force: the posterior by numeric integration over the arm means on a fine midpoint grid.
// ---------------------------------------------------------------------------------------------

const GRID = 20000;

/** The midpoint grid on (0, 1) and the normalised posterior weights of a log-likelihood on it. */
function gridPosterior(logLikelihood: (p: number) => number): { p: Float64Array; w: Float64Array } {
  const p = new Float64Array(GRID);
  const log = new Float64Array(GRID);
  let max = -Infinity;
  for (let i = 0; i < GRID; i++) {
    p[i] = (i + 0.5) / GRID;
    log[i] = logLikelihood(p[i]);
    max = Math.max(max, log[i]);
  }
  const w = new Float64Array(GRID);
  let total = 0;
  for (let i = 0; i < GRID; i++) total += w[i] = Math.exp(log[i] - max);
  for (let i = 0; i < GRID; i++) w[i] /= total;
  return { p, w };
}

function gridMoments({ p, w }: { p: Float64Array; w: Float64Array }): { mean: number; sd: number } {
  let m = 0;
  for (let i = 0; i < GRID; i++) m += w[i] * p[i];
  let v = 0;
  for (let i = 0; i < GRID; i++) v += w[i] * (p[i] - m) ** 2;
  return { mean: m, sd: Math.sqrt(v) };
}

/** Outcome counts (successes, failures per arm) of the first `t` steps. */
function counts(actions: number[], rewards: number[], t: number, arms: number) {
  const s = new Array(arms).fill(0);
  const f = new Array(arms).fill(0);
  for (let i = 0; i < t; i++) (rewards[i] === 1 ? s : f)[actions[i]]++;
  return { s, f };
}

/** The log-likelihood of a history on arm means `means` (as a product over its steps). */
function logLikelihood(actions: number[], rewards: number[], t: number, means: number[]): number {
  let log = 0;
  for (let i = 0; i < t; i++) log += Math.log(rewards[i] === 1 ? means[actions[i]] : 1 - means[actions[i]]);
  return log;
}

/** A hand-made history: arm 0 mostly paying, arm 1 mostly not, with a few of each. */
function handHistory(steps: number, seed: string): { actions: number[]; rewards: number[] } {
  const rng = Rng.fromSeed(seed);
  const actions: number[] = [];
  const rewards: number[] = [];
  for (let t = 0; t < steps; t++) {
    const a = rng.bernoulli(0.6) ? 0 : 1;
    actions.push(a);
    rewards.push(rng.bernoulli(a === 0 ? 0.7 : 0.35) ? 1 : 0);
  }
  return { actions, rewards };
}

describe('the bandit posterior matches brute-force integration', () => {
  const { actions, rewards } = handHistory(40, 'hand');

  it('mirrored uniform (p, 1 − p): mean, SD and P(p > ½) at every step', () => {
    const prior: BanditPrior = { kind: 'mirrored-uniform' };
    const series = armPosteriorSeries(prior, 2, actions, rewards);
    for (const t of [0, 1, 2, 5, 17, 39]) {
      const post = gridPosterior((p) => logLikelihood(actions, rewards, t, [p, 1 - p]));
      const { mean, sd } = gridMoments(post);
      let above = 0;
      for (let i = 0; i < GRID; i++) if (post.p[i] > 0.5) above += post.w[i];
      expect(row(series.mean, 2, t)[0]).toBeCloseTo(mean, 6);
      expect(row(series.mean, 2, t)[1]).toBeCloseTo(1 - mean, 6);
      expect(row(series.sd, 2, t)[0]).toBeCloseTo(sd, 6);
      expect(row(series.sd, 2, t)[1]).toBeCloseTo(sd, 6);
      expect(series.pBetter0[t]).toBeCloseTo(above, 4);
    }
  });

  it('independent uniform arms: each arm by itself, and P(p₀ > p₁) from the joint', () => {
    const prior: BanditPrior = { kind: 'independent-uniform' };
    const series = armPosteriorSeries(prior, 2, actions, rewards);
    for (const t of [0, 3, 11, 39]) {
      const arm0 = gridPosterior((p) => logLikelihood(actions, rewards, t, [p, 0.5]));
      const arm1 = gridPosterior((p) => logLikelihood(actions, rewards, t, [0.5, p]));
      for (const [i, post] of [arm0, arm1].entries()) {
        const { mean, sd } = gridMoments(post);
        expect(row(series.mean, 2, t)[i]).toBeCloseTo(mean, 6);
        expect(row(series.sd, 2, t)[i]).toBeCloseTo(sd, 6);
      }
      // P(p₀ > p₁) = Σ_i w₀(i) P(p₁ < p_i): arm 1's cumulative weight below each grid point (half at it).
      let greater = 0;
      let below = 0;
      for (let i = 0; i < GRID; i++) {
        greater += arm0.w[i] * (below + arm1.w[i] / 2);
        below += arm1.w[i];
      }
      expect(series.pBetter0[t]).toBeCloseTo(greater, 4);
    }
  });

  it('independent uniform arms beyond two: Beta(1 + s, 1 + f) per arm, no pBetter0', () => {
    const actions3 = [0, 1, 2, 2, 0, 1, 2, 2, 2];
    const rewards3 = [1, 0, 1, 1, 0, 0, 1, 0, 1];
    const series = armPosteriorSeries({ kind: 'independent-uniform' }, 3, actions3, rewards3);
    const t = 9 - 1;
    const { s, f } = counts(actions3, rewards3, t, 3);
    for (let i = 0; i < 3; i++) {
      const means = [0.5, 0.5, 0.5];
      const post = gridPosterior((p) => {
        means[i] = p;
        return logLikelihood(actions3, rewards3, t, means);
      });
      expect(row(series.mean, 3, t)[i]).toBeCloseTo(gridMoments(post).mean, 6);
      expect(row(series.mean, 3, t)[i]).toBeCloseTo((1 + s[i]) / (2 + s[i] + f[i]), 12);
      expect(row(series.sd, 3, t)[i]).toBeCloseTo(gridMoments(post).sd, 6);
    }
    expect(Number.isNaN(series.pBetter0[t])).toBe(true);
  });

  it('mirrored pair (q, 1 − q) in either order: the two hypotheses weighed by their likelihoods', () => {
    const q = 0.6;
    const series = armPosteriorSeries({ kind: 'mirrored-pair', better: q }, 2, actions, rewards);
    for (const t of [0, 1, 8, 39]) {
      const l0 = Math.exp(logLikelihood(actions, rewards, t, [q, 1 - q]));
      const l1 = Math.exp(logLikelihood(actions, rewards, t, [1 - q, q]));
      const pi = l0 / (l0 + l1);
      const mean0 = pi * q + (1 - pi) * (1 - q);
      expect(series.pBetter0[t]).toBeCloseTo(pi, 12);
      expect(row(series.mean, 2, t)).toEqual([expect.closeTo(mean0, 12), expect.closeTo(1 - mean0, 12)]);
      const sd = Math.sqrt(pi * (q - mean0) ** 2 + (1 - pi) * (1 - q - mean0) ** 2);
      expect(row(series.sd, 2, t)).toEqual([expect.closeTo(sd, 12), expect.closeTo(sd, 12)]);
    }
    // The easy pair: one success on arm 0 already gives 9 to 1.
    const easy = armPosterior({ kind: 'mirrored-pair', better: 0.9 }, [1, 0], [0, 0]);
    expect(easy.pBetter0).toBeCloseTo(0.9, 12);
  });
});

describe('the bandit latents, step by step', () => {
  it('row 0 is the prior (mean ½, SD 1/√12 under uniform priors); row t uses only steps before t', () => {
    for (const family of [createBanditBernoulli({ arms: 3, trials: 30 }), createBanditCorrelated({ trials: 30 })]) {
      const k = family.numActions;
      const record = play(family, 'prior');
      const latents = family.latents!(record);
      expect(row(latents.posteriorMean, k, 0)).toEqual(new Array(k).fill(0.5));
      for (const sd of row(latents.posteriorSd, k, 0)) expect(sd).toBeCloseTo(1 / Math.sqrt(12), 12);
      // Changing the outcome of step t changes rows after t, never rows up to t.
      const t = 12;
      const flipped = { ...record, rewards: record.rewards.map((r, i) => (i === t ? 1 - r : r)) };
      const again = family.latents!(flipped);
      expect(row(again.posteriorMean, k, t)).toEqual(row(latents.posteriorMean, k, t));
      expect(row(again.posteriorSd, k, t)).toEqual(row(latents.posteriorSd, k, t));
      expect(row(again.posteriorMean, k, t + 1)).not.toEqual(row(latents.posteriorMean, k, t + 1));
      // And row t + 1 is the posterior of exactly the first t + 1 steps.
      const { s, f } = counts(record.actions, flipped.rewards, t + 1, k);
      const prior = family.traits!.banditPrior!;
      expect(row(again.posteriorMean, k, t + 1)).toEqual(Array.from(armPosterior(prior, s, f).mean));
    }
  });

  it('the posterior mean converges to the true arm means over a long episode of random play', () => {
    const cases: [TaskFamily, number][] = [
      [createBanditBernoulli({ arms: 3, trials: 1000 }), 3],
      [createBanditCorrelated({ trials: 1000 }), 2],
      [createBanditCorrelated({ trials: 1000, variant: 'hard' }), 2],
    ];
    for (const [family, k] of cases) {
      for (const seed of ['long/0', 'long/1']) {
        const record = play(family, seed);
        const latents = family.latents!(record);
        const last = record.actions.length - 1;
        const truth = record.instance!.expectedRewards!;
        const mean = row(latents.posteriorMean, k, last);
        const sd = row(latents.posteriorSd, k, last);
        for (let i = 0; i < k; i++) {
          expect(Math.abs(mean[i] - truth[i])).toBeLessThan(Math.max(4 * sd[i], 1e-9));
          expect(sd[i]).toBeLessThan(0.03);
        }
        if (k === 2) expect(latents.pBetter0[last] > 0.5).toBe(truth[0] > truth[1]);
        expect(latents.posteriorBest[last]).toBe(truth.indexOf(Math.max(...truth)));
      }
    }
  });

  it("stationary arms: armMeans and bestArm are the instance's at every step, and agree with the info", () => {
    const family = createBanditBernoulli({ arms: 4, trials: 25 });
    const record = play(family, 'stationary');
    const latents = family.latents!(record);
    for (let t = 0; t < record.actions.length; t++) {
      expect(row(latents.armMeans, 4, t)).toEqual(record.before[t].expectedRewards);
      expect(latents.armMeans[4 * t + record.actions[t]]).toBe(record.infos[t].expectedReward);
      expect(latents.bestArm[t]).toBe(record.infos[t].optimalAction);
    }
  });

  it('restless arms: armMeans follow the drift (reported in info), without a posterior', () => {
    const family = createBanditRestless({ trials: 40, volatility: 0.1 });
    expect(family.latentVariables!.map((v) => v.name)).toEqual(['armMeans', 'bestArm']);
    const record = play(family, 'restless');
    const latents = family.latents!(record);
    for (let t = 0; t < record.actions.length; t++) {
      expect(row(latents.armMeans, 2, t)).toEqual(record.before[t].expectedRewards);
      expect(latents.armMeans[2 * t + record.actions[t]]).toBe(record.infos[t].expectedReward);
      expect(latents.bestArm[t]).toBe(record.infos[t].optimalAction);
    }
    expect(row(latents.armMeans, 2, 39)).not.toEqual(row(latents.armMeans, 2, 0));
    // Without the per-step means a record of drifting arms has no armMeans to give.
    const bare = { ...record, infos: record.infos.map(({ armMeans: _, ...info }) => info), instance: undefined };
    expect(() => family.latents!(bare)).toThrow(/neither info.armMeans nor the instance/);
  });
});

describe("Harlow's latents", () => {
  it('rewardedSide is info.rewardedSide; rewardedObject is the pool vector of the rewarded object', () => {
    const family = createHarlow({ trials: 6, features: 5 });
    for (const seed of ['h/0', 'h/1', 'h/2']) {
      const record = play(family, seed);
      const latents = family.latents!(record);
      const object = record.instance!.rewardedObject as number;
      const vector = Array.from(family.pool.subarray(object * 5, object * 5 + 5));
      for (let t = 0; t < 6; t++) {
        expect(latents.rewardedSide[t]).toBe(record.infos[t].rewardedSide);
        expect(latents.rewardedSide[t]).toBe(record.before[t].rewardedSide);
        expect(row(latents.rewardedObject, 5, t)).toEqual(vector);
      }
      // Without the instance, a correct choice names the rewarded object.
      const correct = (t: number) => record.infos[t].rewardedSide as number;
      const right = play(family, seed, correct);
      const fromInfo = family.latents!({ ...right, instance: undefined });
      expect(row(fromInfo.rewardedObject, 5, 0)).toEqual(vector);
    }
  });
});

describe('the water maze latents', () => {
  it("position is the start at a trial's first step, else the previous step's; platform is the trial's", () => {
    const family = createWatermaze({
      protocol: 'dmp',
      days: 2,
      trialsPerDay: 3,
      timeStep: 1,
      timeout: 12,
      observation: 'coordinates',
    });
    const record = play(family, 'maze');
    const latents = family.latents!(record);
    const steps = record.actions.length;
    expect(latents.position.length).toBe(2 * steps);
    expect(row(latents.position, 2, 0)).toEqual(record.infos[0].start);
    let firstSteps = 0;
    for (let t = 0; t < steps; t++) {
      const info = record.infos[t];
      expect(row(latents.platform, 2, t)).toEqual(info.platform);
      expect(row(latents.platform, 2, t)).toEqual(Array.from(record.before[t].platform as number[]));
      expect(row(latents.position, 2, t)).toEqual(record.before[t].position);
      if (info.newTrial) {
        firstSteps++;
        expect(row(latents.position, 2, t)).toEqual(info.start);
      } else {
        expect(row(latents.position, 2, t)).toEqual(record.infos[t - 1].position);
      }
    }
    expect(firstSteps).toBe(6);
  });
});

describe('the grid-goal latents', () => {
  it('position is the cell before the move, the teleport cell after a goal hit; goal is the goal cell', () => {
    // A 5 × 5 grid has 9 free cells: random moves hit the goal often.
    const family = createGridGoal({ size: 5, steps: 200 });
    const record = play(family, 'grid');
    const latents = family.latents!(record);
    const goal = record.instance!.goal as number[];
    let hits = 0;
    for (let t = 0; t < record.actions.length; t++) {
      const info = record.infos[t];
      expect(row(latents.goal, 2, t)).toEqual(goal);
      expect(row(latents.position, 2, t)).toEqual(record.before[t].position);
      if (t === 0) expect(row(latents.position, 2, t)).toEqual([2, 2]);
      else if (record.infos[t - 1].foundGoal) {
        hits++;
        expect(row(latents.position, 2, t)).toEqual(info.start);
        expect(row(latents.position, 2, t)).not.toEqual(goal);
      } else expect(row(latents.position, 2, t)).toEqual(record.infos[t - 1].position);
    }
    expect(hits).toBeGreaterThan(5);
  });
});

describe('every task with latents gives every declared variable, steps × size, and nothing else', () => {
  const SMALL: Record<string, Record<string, unknown>> = {
    watermaze: { timeStep: 2, timeout: 20, placeCells: 16 },
    'grid-goal': { steps: 30 },
  };
  for (const entry of TASKS) {
    it(entry.id, () => {
      const family = entry.create(SMALL[entry.id]);
      if (family.latentVariables === undefined) {
        expect(family.latents).toBeUndefined();
        return;
      }
      const record = play(family, `shapes/${entry.id}`);
      const latents = family.latents!(record);
      const steps = record.actions.length;
      expect(Object.keys(latents).sort()).toEqual(family.latentVariables.map((v) => v.name).sort());
      for (const v of family.latentVariables) {
        expect(latents[v.name].length, v.name).toBe(steps * v.size);
        for (const x of latents[v.name]) {
          expect(Number.isFinite(x)).toBe(true);
          if (v.kind === 'categorical') expect(Number.isInteger(x) && x >= 0 && x < v.classes!).toBe(true);
        }
      }
    });
  }
});
