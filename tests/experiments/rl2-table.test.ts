// The built-in rl2-table suite (RL²'s learned column, Duan et al. 2016): its parts name shipped
// checkpoints that load, and the shipped T = 10 LSTM, frozen, earns more than Thompson sampling
// on the same held-out bandits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/experiments/run.ts';
import { type ExperimentSpec, parseAnyExperiment, type SuiteSpec } from '../../src/experiments/spec.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('rl2-table', () => {
  it('evaluates the shipped k = 5, T = 10 LSTM above Thompson sampling', async () => {
    const raw = JSON.parse(fs.readFileSync(path.join(root, 'scripts/experiments/rl2-table.json'), 'utf8'));
    const suite = parseAnyExperiment(raw, 'rl2-table') as SuiteSpec;
    expect(suite.parts.map((p) => [p.task.options.arms, p.task.options.trials])).toEqual([
      [5, 10],
      [5, 100],
    ]);
    for (const part of suite.parts)
      expect(fs.existsSync(path.join(root, 'checkpoints', `${part.agents[0].checkpoint}.json`))).toBe(true);
    const part: ExperimentSpec = {
      ...suite.parts[0],
      evaluation: { ...suite.parts[0].evaluation, episodes: 2000, compare: ['thompson'], figureAgents: [] },
    };
    const result = await runExperiment(part, { out: fs.mkdtempSync(path.join(os.tmpdir(), 'engram-rl2-')) });
    const lstm = result.eval!.agents.lstm.totalReward;
    const thompson = result.eval!.agents.thompson.totalReward;
    expect(lstm.ci95[0]).toBeGreaterThan(thompson.ci95[1]);
    expect(lstm.mean).toBeGreaterThan(6.4);
  });
});
