// Suites, reports and compare: a tiny suite (a bandit part with a meta-trained LSTM and a Hebbian
// agent, a water-maze part with the place-cell actor-critic) trains, evaluates, lesions and
// writes its report; run again from the shipped checkpoint it gives the same numbers without
// training; two seeds compare at the seed level; bad directories get one line and status 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { readCheckpoint, writeCheckpoint } from '../../src/experiments/checkpoint.ts';
import type { EpisodesFile, EvalFile, LesionsFile } from '../../src/experiments/evaluation.ts';
import { parseSuite } from '../../src/experiments/spec.ts';
import { runSuite } from '../../src/experiments/suite.ts';
import { compareRuns, formatCompare } from '../../src/report/compare.ts';
import { writeReport } from '../../src/report/report.ts';
import { knownMetricsColumns, metricsCsv } from '../../src/report/run-records.ts';
import { verdict } from '../../src/report/tables.ts';
import { inProcess } from '../helpers/engram.ts';
import { readEventDir } from '../helpers/tfevents.ts';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'engram-suite-'));
}

const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

function tinySuite(checkpoint?: string) {
  return parseSuite(
    {
      kind: 'suite',
      name: 'tiny-suite',
      seed: 5,
      parts: [
        {
          name: 'bandit',
          task: { id: 'bandit-correlated', options: { variant: 'easy', trials: 10 } },
          agents: [{ id: 'lstm', options: { hidden: 4 }, ...(checkpoint ? { checkpoint } : {}) }, { id: 'hebbian' }],
          training: { updates: 6, batchSize: 4, learningRate: 0.01, checkpointEvery: 3, logEvery: 1, workers: 1 },
          evaluation: { episodes: 30, compare: ['thompson', 'random', 'oracle'] },
        },
        {
          name: 'maze',
          task: { id: 'watermaze', options: { protocol: 'dmp', days: 1, timeStep: 1, timeout: 8, placeCells: 16 } },
          agents: [{ id: 'actor-critic' }],
          training: { updates: 1 },
          evaluation: { episodes: 12, compare: ['random'] },
        },
      ],
    },
    'test',
  );
}

describe('suites and their reports', () => {
  it('trains, evaluates, lesions and reports; replays from shipped checkpoints; compares seeds', async () => {
    const first = await runSuite(tinySuite('tiny-lstm'), { out: path.join(tmp(), 'suite'), train: true });
    expect(first.stopped).toBe(false);
    const bandit = path.join(first.runDir, 'parts', 'bandit');
    const maze = path.join(first.runDir, 'parts', 'maze');
    const ev = readJson<EvalFile>(path.join(bandit, 'eval.json'));
    expect(Object.keys(ev.agents)).toEqual(['lstm', 'hebbian', 'thompson', 'random', 'oracle']);
    expect(ev.agents.lstm.mainMeasure).toMatchObject({ name: 'expected regret (T = 10)', better: 'lower' });
    const episodes = readJson<EpisodesFile>(path.join(bandit, 'episodes.json'));
    expect(episodes.agents.lstm).toHaveLength(30);
    const lesions = readJson<LesionsFile>(path.join(bandit, 'lesions.json'));
    expect(Object.keys(lesions.agents)).toEqual(['lstm', 'hebbian']);
    // An LSTM has no plastic synapses; the Hebbian agent has both kinds of memory.
    expect(lesions.agents.lstm['freeze-plasticity']!.applies).toBe(false);
    expect(lesions.agents.lstm['reset-state']!.applies).toBe(true);
    expect(lesions.agents.hebbian['freeze-plasticity']!.applies).toBe(true);
    expect(fs.existsSync(path.join(maze, 'paths.json'))).toBe(true);
    // Each part is a run with its TensorBoard files: one directory per agent.
    expect(fs.readdirSync(path.join(bandit, 'tb')).sort()).toEqual(['hebbian', 'lstm', 'oracle', 'random', 'thompson']);
    expect(fs.readdirSync(path.join(maze, 'tb')).sort()).toEqual(['actor-critic', 'random']);
    const steps = (dir: string, agent: string) =>
      readEventDir(path.join(dir, 'tb', agent)).events.flatMap((file) => file.slice(1).map((e) => e.step));
    expect(steps(bandit, 'lstm')).toEqual([1, 2, 3, 4, 5, 6, 6]);
    // Each part keeps every trial it played in its own directory.
    for (const dir of [bandit, maze])
      for (const file of ['trials.csv.gz', 'trials.parquet'])
        expect(fs.existsSync(path.join(dir, file)), file).toBe(true);
    expect(readJson<EvalFile>(path.join(maze, 'eval.json')).agents['actor-critic'].mainMeasure).toMatchObject({
      name: 'trial-2 escape latency',
      unit: 's',
    });

    const report = await writeReport(first.runDir);
    const text = fs.readFileSync(report, 'utf8');
    expect(text).toContain('## bandit: bandit-correlated');
    expect(text).toContain('− thompson (paired, bootstrap 95% CI)'); // the oracle is privileged: not the reference
    expect(text).toContain('| lstm | learned |');
    expect(text).toContain('learning lives in');
    expect(text).toMatch(/code version: [0-9a-f]{40}|code version: unknown/);
    const figures = [...text.matchAll(/\]\((figures\/[^)]+\.svg)\)/g)].map((m) => m[1]);
    expect(figures).toEqual(
      expect.arrayContaining([
        'figures/bandit-training.svg',
        'figures/bandit-p-best.svg',
        'figures/bandit-regret.svg',
        'figures/bandit-lesions.svg',
        'figures/maze-latency-by-trial.svg',
        'figures/maze-swim-paths.svg',
      ]),
    );
    for (const f of figures) expect(fs.readFileSync(path.join(first.runDir, f), 'utf8')).toMatch(/^<svg/);
    expect(fs.readFileSync(path.join(bandit, 'metrics.csv'), 'utf8').split('\n')[0]).toMatch(
      /^agent,update,envSteps,wallSeconds,/,
    );

    // The same suite from the shipped checkpoint: no training, the same numbers.
    const shipped = tmp();
    const ck = readCheckpoint(path.join(bandit, 'checkpoints', 'lstm.json'));
    writeCheckpoint(path.join(shipped, 'tiny-lstm.json'), { ...ck, optimizer: null, rng: null, history: [] });
    const events: string[] = [];
    const again = await runSuite(tinySuite('tiny-lstm'), {
      out: path.join(tmp(), 'suite'),
      checkpointDir: shipped,
      onEvent: (e) => events.push(e.type),
    });
    expect(events).not.toContain('train-start');
    expect(events.filter((e) => e === 'part-start')).toHaveLength(2);
    expect(events.filter((e) => e === 'run-end')).toHaveLength(1);
    const ev2 = readJson<EvalFile>(path.join(again.runDir, 'parts', 'bandit', 'eval.json'));
    expect(ev2.agents.lstm.expectedRegret).toEqual(ev.agents.lstm.expectedRegret);
    // A shipped checkpoint is not trained: its evaluation alone, at the update it was trained to.
    expect(steps(path.join(again.runDir, 'parts', 'bandit'), 'lstm')).toEqual([6]);
    expect(readJson<LesionsFile>(path.join(again.runDir, 'parts', 'bandit', 'lesions.json'))).toEqual(lesions);

    // Without the shipped file, a suite refuses rather than train unasked.
    await expect(
      runSuite(tinySuite('not-there'), { out: path.join(tmp(), 'suite'), checkpointDir: shipped }),
    ).rejects.toThrow(/not found.*--train/);

    // Another seed: compare gives seed-level intervals over the two runs.
    const other = await runSuite(tinySuite('tiny-lstm'), {
      out: path.join(tmp(), 'suite'),
      checkpointDir: shipped,
      seed: 6,
    });
    const compared = compareRuns([again.runDir, other.runDir]);
    expect(compared.groups.map((g) => g.experiment)).toEqual(['bandit', 'maze']);
    const g = compared.groups[0];
    expect(g.level).toBe('seeds');
    expect(g.runs.map((r) => r.seed)).toEqual([5, 6]);
    expect(g.reference).toBe('thompson');
    expect(g.agents.lstm.perRun[0]).toBeCloseTo(ev.agents.lstm.expectedRegret.mean, 12);
    expect(g.agents.lstm.estimate.n).toBe(2);
    expect(g.agents.lstm.difference!.n).toBe(2);
    expect(formatCompare(compared)).toContain('2 runs (seeds 5, 6)');
    // Each group's heading names its task options, the water maze's with their units.
    expect(formatCompare(compared)).toMatch(/^## maze: watermaze \(protocol dmp, .*timeStep 1 s, timeout 8 s, /m);
    // One run alone: episode-level intervals with bootstrap differences.
    const single = compareRuns([again.runDir]).groups[0];
    expect(single.level).toBe('episodes');
    expect(single.agents.lstm.difference!.n).toBe(30);
  }, 120_000);
});

describe('report helpers', () => {
  it('writes CSV with every key, quoting where needed', () => {
    const csv = metricsCsv([
      { agent: 'lstm', update: 1, envSteps: 40, 'train/x': 0.5 },
      { agent: 'a,b', update: 2, envSteps: 80, 'train/y': NaN },
    ]);
    expect(csv).toBe('agent,update,envSteps,train/x,train/y\nlstm,1,40,0.5,\n"a,b",2,80,,\n');
  });

  it('writes the header of metrics.csv even when nothing was trained', () => {
    expect(metricsCsv([], knownMetricsColumns('meta-rl'))).toBe(
      'agent,update,envSteps,wallSeconds,perf/envStepsPerSecond,train/entropy,train/entropyCoef,' +
        'train/episodeReward,train/expectedRegret,train/gradNorm,train/policyLoss,train/valueLoss\n',
    );
    expect(metricsCsv([], knownMetricsColumns('icl-regression'))).toBe(
      'agent,update,envSteps,wallSeconds,perf/sequencesPerSecond,train/gradNorm,train/learningRate,train/loss\n',
    );
    // Records with every known field come out as before.
    const record = {
      agent: 'lstm',
      wallSeconds: 1,
      ...Object.fromEntries(
        knownMetricsColumns('icl-regression')
          .slice(2)
          .map((k) => [k, 2]),
      ),
    };
    expect(metricsCsv([record], knownMetricsColumns('icl-regression'))).toBe(metricsCsv([record]));
  });

  it('says where learning lives from the lesions that hurt', () => {
    const e = (lo: number, hi: number, applies = true) => ({
      applies,
      value: { mean: 0, ci95: [0, 0] as [number, number], sem: 0, n: 9 },
      difference: { mean: (lo + hi) / 2, ci95: [lo, hi] as [number, number], n: 9, resamples: 100 },
    });
    const intact = { mean: 1, ci95: [0.9, 1.1] as [number, number], sem: 0.05, n: 9 };
    expect(
      verdict({ kind: 'learned', intact, 'reset-state': e(1, 2), 'freeze-plasticity': e(0, 0, false) }, 'lower'),
    ).toBe('activity');
    expect(
      verdict({ kind: 'plastic', intact, 'reset-state': e(-0.1, 0.2), 'freeze-plasticity': e(-3, -1) }, 'higher'),
    ).toBe('synapses');
    expect(
      verdict({ kind: 'plastic', intact, 'reset-state': e(0.5, 1), 'freeze-plasticity': e(0.1, 2) }, 'lower'),
    ).toBe('activity and synapses');
    expect(verdict({ kind: 'plastic', intact, 'reset-state': e(-1, 1), 'freeze-plasticity': e(-1, 1) }, 'lower')).toBe(
      'neither lesion hurt',
    );
  });
});

describe('report and compare on the command line', () => {
  it('rejects a directory that is not a finished run with one line and status 2', async () => {
    const dir = tmp();
    const report = await inProcess(['report', dir]);
    expect(report.status).toBe(2);
    expect(report.stderr).toMatch(/not a run directory/);
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        name: 'x',
        task: { id: 'bandit-bernoulli' },
        agents: [{ id: 'random' }],
        training: { updates: 1 },
      }),
    );
    const compare = await inProcess(['compare', dir]);
    expect(compare.status).toBe(2);
    expect(compare.stderr).toMatch(/has not finished/);
    expect(compare.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a suite spec with a part name used twice, naming it', () => {
    const part = { name: 'p', task: { id: 'bandit-bernoulli' }, agents: [{ id: 'random' }], training: { updates: 1 } };
    expect(() => parseSuite({ kind: 'suite', name: 's', parts: [part, part] }, 'spec')).toThrow(UsageError);
    expect(() => parseSuite({ kind: 'suite', name: 's', parts: [part, part] }, 'spec')).toThrow(
      /parts\.1\.name: part name 'p' is used twice/,
    );
  });
});

describe('agent training overrides', () => {
  it('override only the keys given; the experiment keeps the rest', async () => {
    const { agentTraining, parseExperiment } = await import('../../src/experiments/spec.ts');
    const s = parseExperiment(
      {
        name: 'x',
        task: { id: 'bandit-bernoulli' },
        agents: [{ id: 'lstm', training: { learningRate: 0.01 } }],
        training: { updates: 5, batchSize: 7, workers: 2, entropyStart: 0.2 },
      },
      'test',
    );
    expect(s.agents[0].training).toEqual({ learningRate: 0.01 });
    expect(agentTraining(s, s.agents[0])).toMatchObject({
      learningRate: 0.01,
      updates: 5,
      batchSize: 7,
      workers: 2,
      entropyStart: 0.2,
    });
    expect(() =>
      parseExperiment(
        {
          name: 'x',
          task: { id: 'bandit-bernoulli' },
          agents: [{ id: 'lstm', training: { learningRat: 1 } }],
          training: { updates: 5 },
        },
        'test',
      ),
    ).toThrow(/unknown key 'agents\.0\.training\.learningRat'/);
  });
});
