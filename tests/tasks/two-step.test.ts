import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import { Rng } from '../../src/core/rng.ts';
import type { EpisodeRecord, StepInfo } from '../../src/core/types.ts';
import { runBaseline } from '../../src/experiments/baseline.ts';
import { logisticRegression } from '../../src/measures/logistic.ts';
import { trialLayout, trialTable } from '../../src/measures/trials.ts';
import { stayProbabilities, type stayRegression } from '../../src/measures/two-step.ts';
import { createTwoStep } from '../../tasks/two-step.ts';
import { usageMessage } from '../helpers/engram.ts';

/** Plays one episode of `family` with actions from `rng`; returns the record. */
function playRandom(options: Record<string, unknown>, seed: string): EpisodeRecord {
  const family = createTwoStep(options);
  const instance = family.sample(Rng.fromSeed(seed));
  const rng = Rng.fromSeed(`${seed}/actions`);
  instance.reset();
  const record: EpisodeRecord = { actions: [], rewards: [], infos: [] };
  for (let done = false; !done; ) {
    const a = rng.int(2);
    const r = instance.step(a);
    record.actions.push(a);
    record.rewards.push(r.reward);
    record.infos.push(r.info);
    done = r.done;
  }
  return record;
}

const WANG = { trials: 100, commonProbability: 0.8, secondStageChoice: false, rewardDrift: 'switch' };

describe('two-step task', () => {
  it('has two steps per trial: a transition that is common with its probability, then the reward', () => {
    let common = 0;
    let trials = 0;
    for (let e = 0; e < 20; e++) {
      const r = playRandom(WANG, `t${e}`);
      expect(r.actions).toHaveLength(200);
      for (let s = 0; s < 200; s += 2) {
        const [first, second] = [r.infos[s], r.infos[s + 1]];
        expect(first).toMatchObject({ stage: 1, newTrial: true, trialEnd: false, trial: s / 2 });
        expect(second).toMatchObject({ stage: 2, newTrial: false, trialEnd: true, trial: s / 2 });
        expect(r.rewards[s]).toBe(0);
        // The first-stage choice, the state and the transition are reported at both steps.
        expect(first.chosenOption).toBe(r.actions[s]);
        expect(second.chosenOption).toBe(r.actions[s]);
        expect(second.secondState).toBe(first.secondState);
        expect(first.secondState === r.actions[s]).toBe(first.commonTransition);
        if (first.commonTransition) common++;
        trials++;
      }
    }
    // 2000 transitions at p = 0.8: the standard error is 0.009.
    expect(Math.abs(common / trials - 0.8)).toBeLessThan(0.03);
  });

  it('shows the state one-hot, and expected rewards whose regret is that of the best play after', () => {
    const family = createTwoStep(WANG);
    const instance = family.sample(Rng.fromSeed('obs'));
    expect(Array.from(instance.reset())).toEqual([1, 0, 0]);
    const truth = instance.groundTruth();
    const [v0, v1] = truth.expectedRewards as number[];
    // One state pays 0.9, the other 0.1: action a is worth 0.8 × its common state + 0.2 × the other.
    const [low, high] = [v0, v1].sort();
    expect(low).toBeCloseTo(0.8 * 0.1 + 0.2 * 0.9, 12);
    expect(high).toBeCloseTo(0.8 * 0.9 + 0.2 * 0.1, 12);
    const step = instance.step(0);
    expect(step.observation[1 + (step.info.secondState as number)]).toBe(1);
    expect(step.info.expectedRegret).toBeCloseTo(Math.max(v0, v1) - v0, 12);
    // Without a second-stage choice both actions there are worth the state's probability: no regret.
    const second = instance.step(1);
    expect(second.info.expectedRegret).toBe(0);
    expect(second.observation[0]).toBe(1);
  });

  it("keeps Daw's Gaussian walk inside its bounds and Wang's switches at 0.9 / 0.1", () => {
    const family = createTwoStep({ trials: 300, driftSd: 0.2 });
    const instance = family.sample(Rng.fromSeed('walk'));
    instance.reset();
    const seen = new Set<number>();
    for (let t = 0; t < 300; t++) {
      for (const p of instance.groundTruth().rewardProbabilities as number[]) {
        expect(p).toBeGreaterThanOrEqual(0.25);
        expect(p).toBeLessThanOrEqual(0.75);
        seen.add(Math.round(p * 100));
      }
      instance.step(0);
      instance.step(1);
    }
    expect(seen.size).toBeGreaterThan(20);
    const switching = createTwoStep({ ...WANG, switchProbability: 0.5 }).sample(Rng.fromSeed('switch'));
    switching.reset();
    let switches = 0;
    let last = (switching.groundTruth().rewardProbabilities as number[])[0];
    for (let t = 0; t < 100; t++) {
      switching.step(0);
      switching.step(0);
      const now = (switching.groundTruth().rewardProbabilities as number[])[0];
      expect([0.9, 0.1].some((p) => Math.abs(now - p) < 1e-12)).toBe(true);
      if (now !== last) switches++;
      last = now;
    }
    expect(switches).toBeGreaterThan(30);
    expect(switches).toBeLessThan(70);
  });

  it('refuses bounds in the wrong order, naming both options', () => {
    expect(usageMessage(() => createTwoStep({ rewardMin: 0.8, rewardMax: 0.2 }))).toBe(
      "two-step: option 'rewardMin' (0.8) must be below 'rewardMax' (0.2)",
    );
  });
});

describe('logistic regression', () => {
  it('gives the log-odds of each cell of a saturated 2 × 2 design, exactly', () => {
    // Cells (r, c) with stays out of trials; with ±1 coding the coefficients are sums of cell logits / 4.
    const cells = [
      { r: 1, c: 1, stay: 80, n: 100 },
      { r: 1, c: -1, stay: 30, n: 50 },
      { r: -1, c: 1, stay: 20, n: 60 },
      { r: -1, c: -1, stay: 45, n: 90 },
    ];
    const design: number[] = [];
    const y: number[] = [];
    const cluster: number[] = [];
    for (const cell of cells)
      for (let i = 0; i < cell.n; i++) {
        design.push(1, cell.r, cell.c, cell.r * cell.c);
        y.push(i < cell.stay ? 1 : 0);
        cluster.push(y.length % 37);
      }
    const fit = logisticRegression(Float64Array.from(design), y, cluster, 4);
    expect(fit.converged).toBe(true);
    const logit = (p: number) => Math.log(p / (1 - p));
    const L = cells.map((c) => logit(c.stay / c.n));
    const expected = [
      (L[0] + L[1] + L[2] + L[3]) / 4,
      (L[0] + L[1] - L[2] - L[3]) / 4,
      (L[0] - L[1] + L[2] - L[3]) / 4,
      (L[0] - L[1] - L[2] + L[3]) / 4,
    ];
    fit.coefficients.forEach((c, i) => {
      expect(c.estimate).toBeCloseTo(expected[i], 9);
      expect(c.ci95[0]).toBeLessThan(c.estimate);
      expect(c.ci95[1]).toBeGreaterThan(c.estimate);
    });
  });

  it('recovers known coefficients, and its intervals cover them about 95% of the time', () => {
    const truth = [0.5, -1, 0.8];
    let covered = 0;
    const fits = 40;
    for (let f = 0; f < fits; f++) {
      const rng = Rng.fromSeed(`logistic/${f}`);
      const design: number[] = [];
      const y: number[] = [];
      const cluster: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const x = [1, rng.normal(), rng.bernoulli(0.5) ? 1 : -1];
        const z = x.reduce((s, v, k) => s + v * truth[k], 0);
        design.push(...x);
        y.push(rng.bernoulli(1 / (1 + Math.exp(-z))) ? 1 : 0);
        cluster.push(i % 200);
      }
      const fit = logisticRegression(Float64Array.from(design), y, cluster, 3);
      const c = fit.coefficients[1];
      if (c.ci95[0] <= truth[1] && truth[1] <= c.ci95[1]) covered++;
      expect(Math.abs(c.estimate - truth[1])).toBeLessThan(0.25);
    }
    expect(covered / fits).toBeGreaterThan(0.8);
  });

  it('reports NaN rather than diverging when the data separate perfectly', () => {
    const fit = logisticRegression(Float64Array.from([1, -1, 1, -1, 1, 1, 1, 1]), [0, 0, 1, 1], [0, 1, 2, 3], 2);
    expect(fit.converged).toBe(false);
  });
});

describe('stay analysis', () => {
  const info = (trial: number, choice: number, common: boolean): StepInfo => ({
    trial,
    chosenOption: choice,
    commonTransition: common,
  });
  /** An episode from (first choice, common, rewarded) per trial. */
  const episode = (trials: [number, boolean, boolean][]): EpisodeRecord => ({
    actions: trials.flatMap(([c]) => [c, 0]),
    rewards: trials.flatMap(([, , r]) => [0, r ? 1 : 0]),
    infos: trials.flatMap(([c, common], t) => [info(t, c, common), info(t, c, common)]),
  });

  it('counts stays after each outcome and transition of the previous trial', () => {
    const records = [
      episode([
        [0, true, true], // → stay: rewarded, common
        [0, false, true], // → switch: rewarded, rare
        [1, true, false], // → stay: unrewarded, common
        [1, false, false], // → switch: unrewarded, rare
        [0, true, true],
      ]),
      episode([
        [1, true, true], // → stay
        [1, true, true],
      ]),
    ];
    const p = stayProbabilities(records);
    expect(p.rewardedCommon).toMatchObject({ p: 1, n: 2, clusters: 2 });
    expect(p.rewardedRare).toMatchObject({ p: 0, n: 1 });
    expect(p.unrewardedCommon).toMatchObject({ p: 1, n: 1 });
    expect(p.unrewardedRare).toMatchObject({ p: 0, n: 1 });
  });

  it("tells Daw's model-based learner from the model-free one", () => {
    type Regression = ReturnType<typeof stayRegression>;
    const regression = (agent: string, taskOptions: Record<string, unknown>) =>
      runBaseline({ task: 'two-step', taskOptions, agent, episodes: 150, seed: 3 }).report.stayRegression as Regression;
    // On Daw's task, model-free SARSA(1): the main effect of reward, and no interaction.
    const daw = regression('sarsa-lambda', {});
    expect(daw.reward.ci95[0]).toBeGreaterThan(0.5);
    expect(Math.abs(daw.interaction.estimate)).toBeLessThan(0.1);
    // On Wang's, whose rewards persist, the model-based learner: the interaction, no effect of reward.
    const mb = regression('model-based', WANG);
    expect(mb.interaction.ci95[0]).toBeGreaterThan(0.5);
    expect(Math.abs(mb.reward.estimate)).toBeLessThan(0.15);
    // There the model-free one shows some interaction too (the longer history its values carry is correlated
    // with the last transition), but less than its effect of reward: the reverse of the model-based pattern.
    const mf = regression('sarsa-lambda', WANG);
    expect(mf.reward.ci95[0]).toBeGreaterThan(mf.interaction.ci95[1]);
  });

  it('the reference learners keep their values in synapses: frozen, they do not learn', () => {
    const { report } = runBaseline({
      task: 'two-step',
      taskOptions: WANG,
      agent: 'model-based',
      episodes: 100,
      seed: 4,
      lesion: 'freeze-plasticity',
    });
    expect(report.lesionEffect?.applies).toBe(true);
    expect(report.expectedRegret.mean).toBeGreaterThan((report.intact?.expectedRegret.mean ?? 0) + 5);
    expect(findAgent('sarsa-lambda').cannotPlay(createTwoStep())).toBeNull();
    expect(findAgent('sarsa-lambda').cannotPlay(findAgent('random') as never)).toMatch(/not a two-step task/);
  });
});

describe('two-step trial tables', () => {
  it('hold one row per trial: both choices, the state, the transition, and correct only if both choices were', () => {
    const family = createTwoStep(WANG);
    const record = playRandom(WANG, 'table');
    const layout = trialLayout(family, [record]);
    const table = trialTable(layout, 'random', 'none', [record]);
    expect(table.rows).toBe(100);
    const column = (name: string) => table.values[table.columns.findIndex((c) => c.name === name)];
    expect(column('steps').every((v) => v === 2)).toBe(true);
    for (let t = 0; t < 100; t++) {
      const [first, second] = [record.infos[2 * t], record.infos[2 * t + 1]];
      expect(column('chosenOption')[t]).toBe(record.actions[2 * t]);
      expect(column('secondChoice')[t]).toBe(record.actions[2 * t + 1]);
      expect(column('secondState')[t]).toBe(first.secondState);
      expect(column('commonTransition')[t]).toBe(first.commonTransition);
      expect(column('correct')[t]).toBe(first.correct === true && second.correct === true);
    }
    expect(column('correct').some((v) => v === false)).toBe(true);
  });
});
