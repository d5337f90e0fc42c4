// Activity recordings: what engram eval --record, engram baseline --record and a spec's
// evaluation.record write, read back as the analyses read them; that recording changes no number
// of the evaluation; and the bad inputs that are refused before anything is played.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalCommand } from '../../src/cli/run-commands.ts';
import { UsageError } from '../../src/core/errors.ts';
import { readRecordedRun, readRecordingHeader } from '../../src/experiments/recording-read.ts';
import { runExperiment } from '../../src/experiments/run.ts';
import type { ExperimentSpec } from '../../src/experiments/spec.ts';
import { parseExperiment } from '../../src/experiments/spec.ts';
import { writeReport } from '../../src/report/report.ts';
import { findTask } from '../../tasks/index.ts';
import { inProcess, root } from '../helpers/engram.ts';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'engram-record-'));
}

const lstmCheckpoint = path.join(root, 'checkpoints/bandit-wang2018-lstm.json');

const evalOptions = {
  episodes: 30,
  seed: 3,
  batchSize: 16,
  lesion: 'none',
  compare: ['thompson', 'bayes-optimal'],
};

describe('engram eval --record', () => {
  it('records every agent on the first episodes, changes no number, and reads back', async () => {
    const dir = path.join(tmp(), 'rec');
    const plain = evalCommand(lstmCheckpoint, evalOptions);
    const recorded = evalCommand(lstmCheckpoint, { ...evalOptions, record: dir, recordOptions: { episodes: 20 } });
    expect(recorded).toEqual(plain);

    const header = readRecordingHeader(dir);
    expect(header).toMatchObject({ task: 'bandit-correlated', seed: 3, episodes: 20, episodeLength: 100 });
    expect(header.reference).toBe('bayes-optimal');
    const names = header.agents.map((a) => `${a.name}/${a.lesion}/${a.control}`);
    expect(names).toEqual(['lstm/none/null', 'thompson/none/null', 'bayes-optimal/none/null', 'lstm/none/untrained']);
    const family = findTask('bandit-correlated').create(header.taskOptions);
    for (const agent of header.agents) {
      const run = await readRecordedRun(dir, header, agent);
      expect(run.rows).toBe(20 * 100);
      expect(Array.from(new Set(run.episode))).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(run.step[0]).toBe(0);
      expect(run.step[99]).toBe(99);
      expect(run.trial[57]).toBe(57);
      for (const v of agent.variables) {
        const block = run.variable(v.name);
        expect(block.cols).toBe(v.shape.reduce((a, b) => a * b, 1));
        expect(block.rows).toBe(run.rows);
      }
      for (const latent of family.latentVariables ?? []) expect(run.latent(latent.name).cols).toBe(latent.size);
      // Every probability is a probability; the Bayes-optimal agent agrees with itself (ties: ½).
      if (agent.control === null) {
        const ref = run.reference as Float64Array;
        expect(ref.every((p) => p >= 0 && p <= 1)).toBe(true);
        if (agent.name === 'bayes-optimal') expect(ref.every((p) => p === 1 || p === 0.5)).toBe(true);
      } else {
        expect(run.reference).toBeNull();
      }
    }
    // The recorded choices are the evaluated ones: the lstm's total reward over the first 20 episodes.
    const lstm = await readRecordedRun(dir, header, header.agents[0]);
    expect(lstm.reward.reduce((a, b) => a + b, 0) / 20).toBeGreaterThan(55);
  });

  it('refuses bad requests with one line and exit status 2, before writing anything', async () => {
    const dir = path.join(tmp(), 'never');
    const cases: [string[], RegExp][] = [
      [['--record-episodes', '3'], /--record-episodes needs --record/],
      [['--record', dir, '--record-limit', '3 m'], /limit must be a number in B .*m does not convert to B/],
      [['--record', dir, '--record-limit', '10 kB'], /would take up to .* over the limit of 10\.0 kB/],
      [['--record', dir, '--record-variables', 'nonesuch'], /no agent records a variable 'nonesuch'/],
      [['--record', dir, '--record-episodes', '0'], /episodes must be a positive integer/],
      [['--record', dir, '--record-agents', 'lstm,nonesuch'], /no agent named 'nonesuch' is evaluated/],
      [['--record-agents', 'lstm'], /--record-agents needs --record/],
    ];
    for (const [flags, message] of cases) {
      const r = await inProcess(['eval', lstmCheckpoint, '--episodes', '10', ...flags]);
      expect(r.status, flags.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), flags.join(' ')).toHaveLength(1);
      expect(r.stderr, flags.join(' ')).toMatch(message);
      expect(fs.existsSync(dir), flags.join(' ')).toBe(false);
    }
  });

  it('a recording that is not one is refused by its reader', async () => {
    const dir = tmp();
    expect(() => readRecordingHeader(dir)).toThrow(UsageError);
    fs.writeFileSync(path.join(dir, 'record.json'), '{"format": "something else"}');
    expect(() => readRecordingHeader(dir)).toThrow(/expected engram-recording\/1/);
  });
});

describe('engram baseline --record and evaluation.record', () => {
  it('a plastic agent under a lesion, and intact beside it', async () => {
    const dir = path.join(tmp(), 'hebbian');
    const r = await inProcess([
      'baseline',
      '--agent',
      'hebbian',
      '--task',
      'bandit-correlated',
      '--episodes',
      '12',
      '--lesion',
      'freeze-plasticity',
      '--record',
      dir,
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/recording 2 agents × 12 episodes into/);
    const header = readRecordingHeader(dir);
    expect(header.agents.map((a) => a.file).sort()).toEqual(['hebbian.freeze-plasticity.parquet', 'hebbian.parquet']);
  });

  it('a run records its agents, their lesions and untrained twins, and evaluates as without it', async () => {
    const base = parseExperiment(
      {
        name: 'record-run',
        seed: 1,
        task: { id: 'bandit-correlated', options: { trials: 20 } },
        agents: [{ id: 'lstm', options: { hidden: 8 } }, { id: 'hebbian' }],
        training: { updates: 4, batchSize: 8, workers: 1, checkpointEvery: 2, logEvery: 2 },
        evaluation: { episodes: 24, batchSize: 10, compare: ['thompson'] },
      },
      'test',
    ) as ExperimentSpec;
    const withRecord = { ...base, evaluation: { ...base.evaluation, record: { episodes: 6 } } };
    const dirs = [path.join(tmp(), 'plain'), path.join(tmp(), 'recorded')];
    const [plain, recorded] = [
      await runExperiment(base, { out: dirs[0] }),
      await runExperiment(withRecord, { out: dirs[1] }),
    ];
    const strip = (e: unknown) => JSON.parse(JSON.stringify(e), (k, v) => (k === 'trainingSeconds' ? undefined : v));
    expect(strip(recorded.eval)).toEqual(strip(plain.eval));
    expect(fs.existsSync(path.join(dirs[0], 'recording'))).toBe(false);
    const header = readRecordingHeader(path.join(dirs[1], 'recording'));
    expect(header.source).toEqual({ experiment: 'record-run' });
    expect(header.agents.map((a) => `${a.name}/${a.lesion}/${a.control}`).sort()).toEqual([
      'hebbian/freeze-plasticity/null',
      'hebbian/none/null',
      'hebbian/reset-state/null',
      'lstm/none/null',
      'lstm/none/untrained',
      'lstm/reset-state/null',
      'thompson/none/null',
    ]);
    for (const a of header.agents) expect(a.rows).toBe(6 * 20);
  });

  it('records only the agents it names; one episode of a spiking network gives its raster in the report', async () => {
    const spec = parseExperiment(
      {
        name: 'record-raster',
        seed: 2,
        task: { id: 'bandit-correlated', options: { trials: 8 } },
        agents: [
          { id: 'lsnn', options: { lif: 3, adaptive: 3 } },
          { id: 'lstm', options: { hidden: 4 } },
        ],
        training: { updates: 2, batchSize: 4, workers: 1, checkpointEvery: 2, logEvery: 1 },
        evaluation: {
          episodes: 10,
          batchSize: 5,
          compare: ['thompson'],
          lesions: ['reset-adaptation'],
          record: { episodes: 1, agents: ['lsnn'], variables: ['spikes', 'threshold'], untrained: false },
        },
      },
      'test',
    ) as ExperimentSpec;
    const dir = path.join(tmp(), 'run');
    await runExperiment(spec, { out: dir });
    await writeReport(dir);
    const header = readRecordingHeader(path.join(dir, 'recording'));
    expect(header.agents.map((a) => `${a.name}/${a.lesion}/${a.control}`).sort()).toEqual([
      'lsnn/none/null',
      'lsnn/reset-adaptation/null',
    ]);
    expect(header.agents[0].variables.map((v) => v.name).sort()).toEqual(['spikes', 'threshold']);
    const report = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    // Too few episodes to decode: no analysis, but the raster of the intact network.
    expect(report).not.toMatch(/Activity and belief/);
    expect(report).toMatch(/!\[lsnn: spikes over one held-out episode\]\(recording\/figures\/raster-lsnn\.svg\)/);
    const svg = fs.readFileSync(path.join(dir, 'recording/figures/raster-lsnn.svg'), 'utf8');
    expect(svg).toMatch(/spikes of 6 neurons in 8 environment steps/);
    expect(fs.existsSync(path.join(dir, 'recording/figures/raster-lsnn-reset-adaptation-.svg'))).toBe(false);

    const wrong = { ...spec, evaluation: { ...spec.evaluation, record: { episodes: 1, agents: ['gru'] } } };
    await expect(runExperiment(wrong, { out: path.join(tmp(), 'never') })).rejects.toThrow(
      /record: no agent named 'gru' is evaluated \(agents: lsnn, lstm, thompson\)/,
    );
  });
});
