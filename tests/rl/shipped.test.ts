// The shipped checkpoints do what docs/results says they do (with fewer episodes, for speed).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { networkFromCheckpoint, readCheckpoint } from '../../src/experiments/checkpoint.ts';
import { comparisonAgents } from '../../src/experiments/comparison.ts';
import { frozenEvaluation } from '../../src/rl/frozen-eval.ts';

const root = path.resolve(import.meta.dirname, '../..');
const load = (name: string) => {
  const file = path.join(root, 'checkpoints', `${name}.json`);
  return networkFromCheckpoint(readCheckpoint(file), file);
};

describe('shipped checkpoints', () => {
  it(
    'bandit-wang2018-lstm: frozen expected regret well below 2.5 and ' +
      'below Thompson sampling on the same instances',
    () => {
      const { family, net } = load('bandit-wang2018-lstm');
      const r = frozenEvaluation(family, net, {
        episodes: 400,
        batchSize: 100,
        seed: 11,
        compare: comparisonAgents(family, ['thompson']),
      });
      expect(r.paramsHashAfter).toBe(r.paramsHashBefore);
      expect(r.expectedRegret.ci95[1]).toBeLessThan(2.5);
      const t = r.compare.thompson;
      if ('skipped' in t) throw new Error('thompson skipped');
      expect(t.regretDifference.ci95[1]).toBeLessThan(0);
    },
  );

  it('harlow-lstm: chance on trial 1, at least 95% correct on trial 2 of new object pairs', () => {
    const { family, net } = load('harlow-lstm');
    const r = frozenEvaluation(family, net, { episodes: 600, batchSize: 100, seed: 11, compare: [] });
    expect(r.pBestByTrial[0].ci95[0]).toBeLessThan(0.5);
    expect(r.pBestByTrial[0].ci95[1]).toBeGreaterThan(0.5);
    expect(r.pBestByTrial[1].mean).toBeGreaterThanOrEqual(0.95);
  });
});
