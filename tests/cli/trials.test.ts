// Trial tables from the command line: `engram eval --out` and `engram baseline --out` write every
// trial they played (the values of the episodes replayed here from the same seed), `--batch`
// still works as the old name of `--batch-size`, bad directories get one line and status 2, and
// the pandas example of docs/trials.md runs on what they write (when pandas is installed).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Lesion } from '../../src/core/policy.ts';
import type { EpisodeRecord, TaskFamily } from '../../src/core/types.ts';
import { runBaseline } from '../../src/experiments/baseline.ts';
import { networkFromCheckpoint, readCheckpoint } from '../../src/experiments/checkpoint.ts';
import { comparisonAgents } from '../../src/experiments/comparison.ts';
import { type TrialValue, trialLayout, trialTable } from '../../src/measures/trials.ts';
import { frozenEvaluation } from '../../src/rl/frozen-eval.ts';
import { engram, root, tmp } from '../helpers/engram.ts';
import { csvText, readTrialsCsv, readTrialsParquet, tableRows } from '../helpers/trials.ts';

const LSTM = path.join(root, 'checkpoints/bandit-wang2018-lstm.json');
const EPISODES = 6;
const TRIALS = 100;

const pandas = spawnSync('/usr/bin/python3', ['-c', 'import pandas']).status === 0;

/** The rows a table of these played episodes holds, in order. */
function expectedRows(family: TaskFamily, played: [string, string, readonly EpisodeRecord[]][]) {
  const layout = trialLayout(family, played[0][2]);
  return {
    layout,
    rows: tableRows(played.map(([agent, lesion, records]) => trialTable(layout, agent, lesion, records))),
  };
}

/** Both files of `dir` hold exactly `rows`, with the layout's columns. */
async function expectTables(dir: string, columns: string[], rows: Record<string, TrialValue>[]) {
  const csv = readTrialsCsv(path.join(dir, 'trials.csv.gz'));
  expect(csv.header).toEqual(columns);
  expect(csv.rows).toEqual(rows.map((r) => columns.map((c) => csvText(r[c]))));
  expect(await readTrialsParquet(path.join(dir, 'trials.parquet'))).toEqual(rows);
}

/** The eval of the shipped bandit LSTM, replayed in this process. */
function replayEval(lesion: Lesion) {
  const ck = readCheckpoint(LSTM);
  const { family, net } = networkFromCheckpoint(ck, LSTM);
  const played: [string, string, readonly EpisodeRecord[]][] = [];
  frozenEvaluation(family, net, {
    episodes: EPISODES,
    batchSize: 4,
    seed: 3,
    lesion,
    compare: comparisonAgents(family, ['random']),
    onPlayed: (agent, kind, records) => played.push([agent, kind, records]),
  });
  return { family, played };
}

describe('engram eval --out', () => {
  it('writes the trials of the checkpoint, its intact self and the comparison agents', async () => {
    const out = path.join(tmp(), 'eval-out');
    const args = ['eval', LSTM, '--episodes', String(EPISODES), '--seed', '3', '--lesion', 'reset-state'];
    const r = engram([...args, '--compare', 'random', '--batch-size', '4', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'))).toEqual(JSON.parse(r.stdout));

    const { family, played } = replayEval('reset-state');
    expect(played.map(([agent, lesion]) => `${agent}/${lesion}`)).toEqual([
      'lstm/reset-state',
      'lstm/none',
      'random/none',
    ]);
    const { layout, rows } = expectedRows(family, played);
    expect(rows).toHaveLength(3 * EPISODES * TRIALS);
    const columns = layout.columns.map((c) => c.name);
    expect(columns).toEqual([
      'agent',
      'lesion',
      'episode',
      'trial',
      'expectedRewards_0',
      'expectedRewards_1',
      'action',
      'reward',
      'expectedReward',
      'bestExpectedReward',
      'expectedRegret',
      'correct',
      'optimalAction',
    ]);
    await expectTables(out, columns, rows);
    // The rows are the records': trial t of episode e is step t.
    const [, , lesioned] = played[0];
    for (const e of [0, EPISODES - 1]) {
      const episode = rows.slice(e * TRIALS, (e + 1) * TRIALS);
      expect(episode.map((x) => x.action)).toEqual(lesioned[e].actions);
      expect(episode.map((x) => x.reward)).toEqual(lesioned[e].rewards);
      expect(episode.map((x) => x.expectedRegret)).toEqual(lesioned[e].infos.map((i) => i.expectedRegret));
      expect(episode[0].expectedRewards_1).toBe(
        (lesioned[e].instance as { expectedRewards: number[] }).expectedRewards[1],
      );
    }

    // --batch, the old name of --batch-size, gives the same evaluation and says it is deprecated.
    const old = engram([...args, '--compare', 'random', '--batch', '4', '--json']);
    expect(old.status).toBe(0);
    expect(JSON.parse(old.stdout)).toEqual(JSON.parse(r.stdout));
    expect(old.stderr).toMatch(/--batch is deprecated: use --batch-size/);
  });

  it('writes the water maze one row per trial, with its latency', async () => {
    const out = path.join(tmp(), 'maze');
    const ck = path.join(root, 'checkpoints/watermaze-dmp-lstm.json');
    const r = engram(['eval', ck, '--episodes', '5', '--compare', 'random', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const csv = readTrialsCsv(path.join(out, 'trials.csv.gz'));
    const trialsPerDay = readCheckpoint(ck).task.options.trialsPerDay as number;
    expect(csv.rows).toHaveLength(2 * 5 * trialsPerDay);
    for (const name of ['escapeLatency', 'start_0', 'end_1', 'platform_0', 'platformIndex', 'steps'])
      expect(csv.header).toContain(name);
    expect(csv.header).not.toContain('action');
  });

  it('refuses a file or a run directory as --out, with one line and status 2', () => {
    const dir = tmp();
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    const run = path.join(dir, 'run');
    fs.mkdirSync(run);
    fs.writeFileSync(path.join(run, 'config.json'), '{}');
    const cases: [string[], RegExp][] = [
      [['eval', LSTM, '--episodes', '2', '--out', file], /is not a directory/],
      [['eval', LSTM, '--episodes', '2', '--out', run], /holds a run/],
      [['baseline', '--agent', 'random', '--task', 'harlow', '--out', file], /is not a directory/],
      [['eval', LSTM, '--batch', '2', '--batch-size', '2'], /not both/],
      [['eval', LSTM, '--batch-size', '0'], /--batch-size must be at least 1/],
    ];
    for (const [args, message] of cases) {
      const r = engram(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
    expect(fs.readdirSync(run)).toEqual(['config.json']);
  });
});

describe('engram baseline --out', () => {
  it('writes the trials of the lesioned agent and of the intact one beside it', async () => {
    const out = path.join(tmp(), 'baseline-out');
    const base = { agent: 'hebbian', task: 'harlow', taskOptions: { trials: 4 }, episodes: 5, seed: 2, batchSize: 2 };
    const r = engram([
      'baseline',
      '--agent',
      'hebbian',
      '--task',
      'harlow',
      '--trials',
      '4',
      '--episodes',
      '5',
      '--seed',
      '2',
      '--batch-size',
      '2',
      '--lesion',
      'freeze-plasticity',
      '--out',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(true);
    const lesioned = runBaseline({ ...base, lesion: 'freeze-plasticity' });
    const intact = runBaseline(base);
    const { layout, rows } = expectedRows(lesioned.family, [
      ['hebbian', 'freeze-plasticity', lesioned.records],
      ['hebbian', 'none', intact.records],
    ]);
    expect(rows).toHaveLength(2 * 5 * 4);
    const columns = layout.columns.map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining(['rewardedObject', 'otherObject', 'chosenOption', 'rewardedSide']));
    await expectTables(out, columns, rows);
  });
});

describe.skipIf(!pandas)('with pandas', () => {
  it("the docs' stay-after-win example reads trials.csv.gz and agrees with the records", () => {
    const out = path.join(tmp(), 'pandas');
    const args = ['eval', LSTM, '--episodes', String(EPISODES), '--seed', '3', '--lesion', 'reset-state'];
    expect(engram([...args, '--compare', 'random', '--batch-size', '4', '--out', out]).status).toBe(0);
    const docs = fs.readFileSync(path.join(root, 'docs/trials.md'), 'utf8');
    const code = /```python\n([\s\S]*?)```/.exec(docs)?.[1] as string;
    expect(code.trim().split('\n').length).toBeLessThanOrEqual(10);
    const py = spawnSync('/usr/bin/python3', ['-c', code], { cwd: out, encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const printed = Object.fromEntries(
      py.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .map(([agent, p]) => [agent, Number(p)]),
    );
    // The same, from the episodes the intact agents played.
    const { played } = replayEval('reset-state');
    const expected: Record<string, number> = {};
    for (const [agent, lesion, records] of played) {
      if (lesion !== 'none') continue;
      let wins = 0;
      let stays = 0;
      for (const r of records)
        for (let t = 1; t < r.actions.length; t++) {
          if (r.rewards[t - 1] <= 0) continue;
          wins++;
          if (r.actions[t] === r.actions[t - 1]) stays++;
        }
      expected[agent] = stays / wins;
    }
    expect(Object.keys(printed).sort()).toEqual(['lstm', 'random']);
    for (const agent of Object.keys(expected)) expect(printed[agent]).toBeCloseTo(expected[agent], 5);
  });

  it('reads metrics.csv of a run that trained nothing: its header and no rows', () => {
    const dir = tmp();
    const spec = path.join(dir, 'spec.json');
    fs.writeFileSync(
      spec,
      JSON.stringify({
        name: 'shipped-only',
        task: { id: 'bandit-correlated', options: { variant: 'uniform', trials: 100 } },
        agents: [{ id: 'lstm', options: { hidden: 48 }, checkpoint: 'bandit-wang2018-lstm' }],
        training: { updates: 1 },
        evaluation: { episodes: 4, compare: ['random'], lesions: [] },
      }),
    );
    const out = path.join(dir, 'run');
    expect(engram(['run', spec, '--out', out, '--plain']).status).toBe(0);
    const code = [
      'import pandas as pd',
      "m = pd.read_csv('metrics.csv')",
      "t = pd.read_csv('trials.csv.gz')",
      'print(len(m), len(m.columns), len(t))',
    ].join('\n');
    const py = spawnSync('/usr/bin/python3', ['-c', code], { cwd: out, encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    expect(py.stdout.trim()).toBe(`0 12 ${2 * 4 * TRIALS}`);
  });
});
