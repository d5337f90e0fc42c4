import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import { hebbianGridSearch } from '../../scripts/hebbian-grid.ts';
import type { Rng } from '../../src/core/rng.ts';
import { runBaseline } from '../../src/experiments/baseline.ts';
import { evaluationRng } from '../../src/rl/frozen-eval.ts';
import { evaluate, STREAMS } from '../../src/rl/rollout.ts';
import { findTask } from '../../tasks/index.ts';

describe('hebbian (three-factor rule, no meta-training)', () => {
  it('beats random on the easy correlated bandit, with non-overlapping 95% intervals', () => {
    const base = { task: 'bandit-correlated', taskOptions: { variant: 'easy', trials: 30 }, episodes: 200, seed: 5 };
    const hebbian = runBaseline({ ...base, agent: 'hebbian' }).report;
    const random = runBaseline({ ...base, agent: 'random' }).report;
    expect(hebbian.expectedRegret.ci95[1]).toBeLessThan(random.expectedRegret.ci95[0]);
    expect(hebbian.kind).toBe('plastic');
    // Its synapses changed within the episodes.
    expect((hebbian.plasticity as { meanAbsWeightChange: number }).meanAbsWeightChange).toBeGreaterThan(0);
  });

  it('keeps its weights as episode state: every episode starts from the uniform policy', () => {
    const family = findTask('bandit-correlated').create({ variant: 'easy', trials: 10 });
    const agent = findAgent('hebbian').create(family, {}, evaluationRng(0).fork(STREAMS.evalAgent));
    const firstProbs: number[][] = [];
    const original = agent.act.bind(agent);
    agent.act = (input) => {
      const out = original(input);
      if (input.step === 0) firstProbs.push(Array.from(out.probs));
      return out;
    };
    evaluate(family, agent, { episodes: 6, batchSize: 3, rng: evaluationRng(0) });
    expect(firstProbs).toHaveLength(2);
    for (const p of firstProbs) for (const x of p) expect(x).toBe(0.5);
  });

  it(
    'freeze-plasticity makes it a random chooser; the paired lesion ' + 'effect is reported beside the intact agent',
    () => {
      const { report } = runBaseline({
        agent: 'hebbian',
        task: 'bandit-correlated',
        taskOptions: { variant: 'easy', trials: 30 },
        episodes: 200,
        seed: 5,
        lesion: 'freeze-plasticity',
      });
      expect(report.lesion).toBe('freeze-plasticity');
      expect(report.intact).toBeDefined();
      expect(report.lesionEffect!.applies).toBe(true);
      expect(report.lesionEffect!.regretIncrease.ci95[0]).toBeGreaterThan(0);
      expect((report.plasticity as { meanAbsWeightChange: number }).meanAbsWeightChange).toBe(0);
      // Uniform choices on the easy variant: half of the 0.8 gap per trial.
      expect(report.expectedRegret.mean / 30).toBeCloseTo(0.4, 1);
    },
  );

  it('chooses its constants on training instances only (the train-tasks stream), never on evaluation instances', () => {
    const family = findTask('bandit-correlated').create({ variant: 'uniform', trials: 10 });
    const paths: string[] = [];
    const watched = {
      ...family,
      sample: (rng: Rng) => {
        paths.push(rng.path);
        return family.sample(rng);
      },
    };
    const result = hebbianGridSearch(watched, {
      seed: 9,
      episodes: 20,
      batchSize: 8,
      grid: { learningRate: [0.5, 2], eligibilityTime: [0.5], baselineRate: [0.3] },
    });
    expect(result.results).toHaveLength(2);
    expect(result.best).toBe(result.results[0]);
    // 2 configurations × 20 episodes, then 20 fresh ones for the best.
    expect(paths).toHaveLength(60);
    const training = `9/${STREAMS.trainTasks}/`;
    for (const p of paths) expect(p.startsWith(training), p).toBe(true);
    expect(paths.some((p) => p.includes(STREAMS.evalTasks))).toBe(false);
    // The confirmation block is disjoint from the search block.
    expect(new Set(paths.slice(40)).size).toBe(20);
    for (const p of paths.slice(40)) expect(paths.slice(0, 40)).not.toContain(p);
  });
});
