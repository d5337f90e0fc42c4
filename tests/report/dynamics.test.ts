// engram analyze: what it computes from a recording of the shipped bandit LSTM, what it writes, the
// report's section for a run that recorded, and the bad inputs refused with exit status 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evalCommand } from '../../src/cli/run-commands.ts';
import { runExperiment } from '../../src/experiments/run.ts';
import { type ExperimentSpec, parseExperiment } from '../../src/experiments/spec.ts';
import { ANALYSIS_JSON, ANALYSIS_MD, type DynamicsAnalysis } from '../../src/report/dynamics.ts';
import { writeReport } from '../../src/report/report.ts';
import { inProcess, root } from '../helpers/engram.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'engram-analyze-'));
const lstmCheckpoint = path.join(root, 'checkpoints/bandit-wang2018-lstm.json');

describe('engram analyze', () => {
  let dir: string;
  let analysis: DynamicsAnalysis;
  beforeAll(async () => {
    dir = path.join(tmp(), 'rec');
    evalCommand(lstmCheckpoint, {
      episodes: 40,
      seed: 5,
      batchSize: 20,
      lesion: 'none',
      compare: ['thompson', 'bayes-optimal'],
      record: dir,
    });
    const r = await inProcess(['analyze', dir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    analysis = JSON.parse(r.stdout) as DynamicsAnalysis;
  }, 60_000);

  it('decodes the posterior from the frozen LSTM far above its controls, per trial and in the window', () => {
    expect(analysis.window).toEqual({ from: 9, to: 99 });
    expect(analysis.stepIsTrial).toBe(true);
    const row = analysis.decoding.find((d) => d.agent === 'lstm' && d.latent === 'posteriorMean');
    expect(row).toBeDefined();
    expect(row!.source).toBe('activity');
    expect(row!.features).toBe(96);
    expect(row!.window.mean).toBeGreaterThan(0.9);
    expect(row!.window.n).toBe(5);
    expect(Math.abs(row!.shuffled.mean)).toBeLessThan(0.2);
    expect(row!.untrained).not.toBeNull();
    expect(row!.window.mean).toBeGreaterThan(row!.untrained!.mean);
    expect(row!.byStep).toHaveLength(100);
    // Categorical variables score accuracy against the majority class.
    const best = analysis.decoding.find((d) => d.agent === 'lstm' && d.latent === 'posteriorBest')!;
    expect(best.metric).toBe('accuracy');
    expect(best.window.mean).toBeGreaterThan(best.chance!);
    // The classic agents record nothing and are not decoded, only compared by their choices.
    expect(analysis.decoding.every((d) => d.agent === 'lstm')).toBe(true);
  });

  it('compares the LSTM with the belief and every agent with the Bayes-optimal policy', () => {
    expect(analysis.belief).toEqual(['posteriorMean', 'posteriorSd', 'pBetter0']);
    expect(analysis.similarity.agents).toEqual(['lstm', 'belief']);
    const [pair] = analysis.similarity.pairs;
    expect(pair.cka.mean).toBeGreaterThan(0.3);
    expect(pair.cka.mean).toBeLessThanOrEqual(1);
    expect(pair.rsa.n).toBe(5);
    expect(analysis.withReference.map((r) => r.a)).toEqual(['lstm', 'thompson', 'bayes-optimal']);
    const lstm = analysis.withReference[0];
    expect(lstm.window.mean).toBeGreaterThan(0.9);
    expect(analysis.agreement.map((r) => `${r.a}|${r.b}`)).toEqual([
      'lstm|thompson',
      'lstm|bayes-optimal',
      'thompson|bayes-optimal',
    ]);
    expect(analysis.geometry[0].explained[0]).toBeGreaterThan(analysis.geometry[0].explained[1]);
  });

  it('writes analysis.json, analysis.md and SVG figures into the recording', () => {
    expect(JSON.parse(fs.readFileSync(path.join(dir, ANALYSIS_JSON), 'utf8')).decoding).toHaveLength(
      analysis.decoding.length,
    );
    const md = fs.readFileSync(path.join(dir, ANALYSIS_MD), 'utf8');
    expect(md).toMatch(/\| lstm \| activity \| 96 \| posteriorMean \(R²\) \| \*\*0\.9/);
    for (const f of analysis.figures) expect(fs.readFileSync(path.join(dir, f), 'utf8')).toMatch(/^<svg/);
    expect(analysis.figures).toEqual(
      expect.arrayContaining(['figures/pca-lstm.svg', 'figures/similarity.svg', 'figures/decoding.svg']),
    );
  });

  it('is the same analysis with the same seed', async () => {
    const again = await inProcess(['analyze', dir, '--json', '--no-figures']);
    const strip = (s: string) =>
      JSON.parse(s, (k, v) => (k === 'seconds' || k === 'figures' || k === 'figure' ? 0 : v));
    expect(strip(again.stdout)).toEqual(strip(JSON.stringify(analysis)));
  });

  it('refuses what is not a recording, and impossible options, with exit status 2', async () => {
    const cases: [string[], RegExp][] = [
      [['analyze', tmp()], /is not a recording: it has no record\.json/],
      [['analyze', dir, '--window', 'ten'], /--window must look like 10-100/],
      [['analyze', dir, '--window', '200-300'], /after the episode's 100 steps/],
      [['analyze', dir, '--folds', '1'], /folds must be an integer of at least 2/],
      [['analyze', dir, '--folds', '100'], /40 recorded episodes cannot be split into 100 folds/],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});

describe('a report of a run that recorded', () => {
  it('has a section on activity and belief, from the analysis kept beside the recording', async () => {
    const spec = parseExperiment(
      {
        name: 'report-dynamics',
        seed: 2,
        task: { id: 'bandit-correlated', options: { trials: 20 } },
        agents: [{ id: 'lstm', options: { hidden: 8 } }],
        training: { updates: 2, batchSize: 8, workers: 1, checkpointEvery: 2, logEvery: 1 },
        evaluation: { episodes: 20, batchSize: 10, compare: ['thompson'], lesions: [], record: { episodes: 10 } },
      },
      'test',
    ) as ExperimentSpec;
    const out = path.join(tmp(), 'run');
    await runExperiment(spec, { out });
    const report = fs.readFileSync(await writeReport(out), 'utf8');
    expect(report).toMatch(/### Activity and belief: bandit-correlated/);
    expect(report).toMatch(/\]\(recording\/figures\/pca-lstm\.svg\)/);
    expect(fs.existsSync(path.join(out, 'recording', ANALYSIS_JSON))).toBe(true);
  }, 60_000);
});
