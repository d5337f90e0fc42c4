// A suite part with training seeds: it expands into one run per seed (checkpoint names take the
// seed, the evaluation the suite's seed, the seed-free agents play once), trains each seed apart,
// plays every seed on the same held-out instances, replays from per-seed shipped checkpoints, and
// reports the agents and their lesions over seeds, "mixed" where the seeds' verdicts disagree.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import type { EpisodesFile, EvalFile, LesionsFile } from '../../src/experiments/evaluation.ts';
import type { RunEvent } from '../../src/experiments/events.ts';
import { parseSuite } from '../../src/experiments/spec.ts';
import { runSuite, suiteRuns } from '../../src/experiments/suite.ts';
import { compareRuns } from '../../src/report/compare.ts';
import { writeReport } from '../../src/report/report.ts';
import { seedVerdict } from '../../src/report/seed-tables.ts';

const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

function seededSuite(checkpoint?: string, seeds: unknown = [3, 4]) {
  return parseSuite(
    {
      kind: 'suite',
      name: 'seeded',
      seed: 7,
      parts: [
        {
          name: 'bandit',
          ...(seeds === 'none' ? {} : { seeds }),
          task: { id: 'bandit-correlated', options: { variant: 'easy', trials: 10 } },
          agents: [{ id: 'lstm', options: { hidden: 4 }, ...(checkpoint ? { checkpoint } : {}) }, { id: 'hebbian' }],
          training: { updates: 4, batchSize: 4, learningRate: 0.01, checkpointEvery: 2, logEvery: 1, workers: 1 },
          evaluation: { episodes: 20, compare: ['thompson', 'random'], figureAgents: ['random'] },
        },
        {
          name: 'plain',
          task: { id: 'bandit-correlated', options: { variant: 'easy', trials: 5 } },
          agents: [{ id: 'hebbian' }],
          training: { updates: 1 },
          evaluation: { episodes: 10, compare: ['random'] },
        },
      ],
    },
    'test',
  );
}

describe('suite parts with training seeds', () => {
  it('expands a part into one run per training seed', () => {
    const runs = suiteRuns(seededSuite('tiny-lstm-s{seed}'));
    expect(runs.map((r) => r.dir)).toEqual(['bandit-s3', 'bandit-s4', 'plain']);
    const [s3, s4, plain] = runs;
    expect([s3.spec.seed, s4.spec.seed, plain.spec.seed]).toEqual([3, 4, 7]);
    expect([s3.spec.evaluation.seed, s4.spec.evaluation.seed, plain.spec.evaluation.seed]).toEqual([7, 7, undefined]);
    expect(s3.spec.agents.map((a) => [a.id, a.checkpoint])).toEqual([
      ['lstm', 'tiny-lstm-s3'],
      ['hebbian', undefined],
    ]);
    // After the first seed only the learned network plays: nothing else depends on the training seed.
    expect(s4.spec.agents.map((a) => [a.id, a.checkpoint])).toEqual([['lstm', 'tiny-lstm-s4']]);
    expect(s4.spec.evaluation.compare).toEqual([]);
    expect(s3.spec.evaluation.compare).toEqual(['thompson', 'random']);
  });

  it('plays an agent with one checkpoint for every seed with the first seed only', () => {
    const runs = suiteRuns(seededSuite('one-lstm'));
    expect(runs.map((r) => r.dir)).toEqual(['bandit-s3', 'plain']);
    expect(runs[0].spec.agents.map((a) => a.checkpoint)).toEqual(['one-lstm', undefined]);
  });

  it('refuses seeds listed twice and checkpoint names that do not fit the seeds', () => {
    expect(() => seededSuite('x-s{seed}', [1, 1])).toThrow(/seeds: a training seed is listed twice/);
    expect(() => seededSuite('x-s{seed}', 'none')).toThrow(/names a checkpoint per training seed .* no seeds/);
    expect(() => seededSuite('x-s{seed}', [])).toThrow(UsageError);
  });

  it('trains each seed, plays all on the same instances, replays shipped checkpoints, reports over seeds', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-seeds-'));
    const first = await runSuite(seededSuite('tiny-lstm-s{seed}'), { out: path.join(root, 'trained'), train: true });
    const dir = (run: string, seed: string) => path.join(run, 'parts', `bandit-${seed}`);
    const s3 = readJson<EvalFile>(path.join(dir(first.runDir, 's3'), 'eval.json'));
    const s4 = readJson<EvalFile>(path.join(dir(first.runDir, 's4'), 'eval.json'));
    expect(Object.keys(s3.agents)).toEqual(['lstm', 'hebbian', 'thompson', 'random']);
    expect(Object.keys(s4.agents)).toEqual(['lstm']);
    expect([s3.seed, s3.evaluationSeed, s4.seed, s4.evaluationSeed]).toEqual([3, 7, 4, 7]);
    // Different trainings, the same instances: the two seeds' LSTMs differ, the instances' best arms do not.
    const e3 = readJson<EpisodesFile>(path.join(dir(first.runDir, 's3'), 'episodes.json'));
    const e4 = readJson<EpisodesFile>(path.join(dir(first.runDir, 's4'), 'episodes.json'));
    expect(e3.agents.lstm).not.toEqual(e4.agents.lstm);
    const ckpt = (seed: string) =>
      readJson<{ seed: number }>(path.join(dir(first.runDir, seed), 'checkpoints/lstm.json'));
    expect([ckpt('s3').seed, ckpt('s4').seed]).toEqual([3, 4]);

    // Shipped as tiny-lstm-s3 and tiny-lstm-s4, the suite replays them without training, to the same numbers.
    const shipped = path.join(root, 'shipped');
    fs.mkdirSync(shipped);
    for (const seed of ['s3', 's4'])
      fs.copyFileSync(
        path.join(dir(first.runDir, seed), 'checkpoints/lstm.json'),
        path.join(shipped, `tiny-lstm-${seed}.json`),
      );
    // Nothing to train: the runs are evaluated two at a time on worker threads, each agent named by its run.
    const events: RunEvent[] = [];
    const replay = await runSuite(seededSuite('tiny-lstm-s{seed}'), {
      out: path.join(root, 'replay'),
      checkpointDir: shipped,
      workers: 2,
      onEvent: (e) => events.push(e),
    });
    expect(events.filter((e) => e.type === 'run-start')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'run-end')).toEqual([
      { type: 'run-end', runDir: replay.runDir, stopped: false },
    ]);
    expect(
      events
        .filter((e) => e.type === 'part-start')
        .map((e) => (e as { part: string }).part)
        .sort(),
    ).toEqual(['bandit-s3', 'bandit-s4', 'plain']);
    expect(events.some((e) => e.type === 'eval' && e.agent === 'bandit-s4/lstm')).toBe(true);
    for (const seed of ['s3', 's4']) {
      const a = readJson<EpisodesFile>(path.join(dir(first.runDir, seed), 'episodes.json'));
      const b = readJson<EpisodesFile>(path.join(dir(replay.runDir, seed), 'episodes.json'));
      expect(b.agents.lstm).toEqual(a.agents.lstm);
      expect(fs.existsSync(path.join(dir(replay.runDir, seed), 'checkpoints/lstm.json'))).toBe(false);
    }
    // A missing seed's checkpoint is named up front.
    fs.rmSync(path.join(shipped, 'tiny-lstm-s4.json'));
    await expect(
      runSuite(seededSuite('tiny-lstm-s{seed}'), { out: path.join(root, 'missing'), checkpointDir: shipped }),
    ).rejects.toThrow(/bandit-s4\/lstm \(tiny-lstm-s4\.json\)/);
    // A seed's checkpoint of another network is bad input (exit 2), though its run was on a worker thread.
    const other = readJson<{ agent: { options: { hidden: number } } }>(path.join(shipped, 'tiny-lstm-s3.json'));
    other.agent.options.hidden = 5;
    fs.writeFileSync(path.join(shipped, 'tiny-lstm-s4.json'), JSON.stringify(other));
    const wrong = runSuite(seededSuite('tiny-lstm-s{seed}'), { out: path.join(root, 'wrong'), checkpointDir: shipped });
    await expect(wrong).rejects.toThrow(UsageError);
    await expect(wrong).rejects.toThrow(
      /part bandit-s4: .*shipped checkpoint .*tiny-lstm-s4\.json has lstm option hidden = 5/,
    );

    const report = fs.readFileSync(await writeReport(first.runDir), 'utf8');
    expect(report).toContain('## bandit: bandit-correlated (training seed 3; all 2 seeds below)');
    expect(report).toContain('### bandit over training seeds');
    const values = [e3, e4].map((e) => e.agents.lstm.reduce((s, x) => s + x, 0) / e.agents.lstm.length);
    const row = report.split('\n').find((l) => l.startsWith('| **lstm** | 2 |'));
    expect(row).toBeDefined();
    expect(row).toContain(values.map((v) => v.toFixed(2)).join(', '));
    // Only the lesions some seeded agent has a memory for get a column: an LSTM has no plastic synapses.
    expect(report).toContain('| agent | reset-state Δ | learning lives in |');
    expect(report).toMatch(
      /\| lstm \| [^|]+ \/ [^|]+ \| (activity|neither lesion hurt|mixed \(s3: [^;]+; s4: [^)]+\)) \|/,
    );
    expect(report).toContain('## plain: bandit-correlated');
    // compare reads every seed's run of the suite.
    const table = compareRuns([first.runDir]);
    expect(table.groups.map((g) => g.runs.length)).toContain(2);
  }, 120_000);

  it('calls a verdict mixed only where the seeds disagree', () => {
    const effect = (lo: number, hi: number) => ({
      applies: true,
      value: { mean: 0, ci95: [0, 0] as [number, number], sem: 0, n: 1 },
      difference: { mean: (lo + hi) / 2, ci95: [lo, hi] as [number, number], n: 1 },
    });
    const intact = { mean: 1, ci95: [1, 1] as [number, number], sem: 0, n: 1 };
    const activity = { kind: 'meta-learned', intact, 'reset-state': effect(5, 9) } as LesionsFile['agents'][string];
    const none = { kind: 'meta-learned', intact, 'reset-state': effect(-1, 2) } as LesionsFile['agents'][string];
    const verdictOf = (...rows: LesionsFile['agents'][string][]) =>
      seedVerdict(
        rows.map((row, seed) => ({ seed, row })),
        'lower',
      );
    expect(verdictOf(activity, activity)).toBe('activity');
    expect(verdictOf(activity, none)).toBe('mixed (s0: activity; s1: neither lesion hurt)');
  });
});
