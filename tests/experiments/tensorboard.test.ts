import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunControl } from '../../src/experiments/events.ts';
import { runIclExperiment } from '../../src/experiments/icl-run.ts';
import { resumeRun, runExperiment } from '../../src/experiments/run.ts';
import { type IclExperimentSpec, parseAnyExperiment, parseExperiment } from '../../src/experiments/spec.ts';
import { tmp } from '../helpers/engram.ts';
import { tinySpec } from '../helpers/specs.ts';
import { type DecodedEvent, readEventDir } from '../helpers/tfevents.ts';

/** A tiny run with two trained agents (an LSTM and a labelled GRU) and a comparison agent. */
function spec(training: Record<string, unknown>) {
  const raw = tinySpec({ checkpointEvery: 20, logEvery: 5, ...training }, 8);
  return parseExperiment(
    { ...raw, agents: [...(raw.agents as object[]), { id: 'gru', label: 'gru-8', options: { hidden: 8 } }] },
    'test',
  );
}

const metricsOf = (runDir: string, agent: string) =>
  fs
    .readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.agent === agent);

/** The one event file of an agent, read independently: its version record first. */
function eventsOf(runDir: string, agent: string): DecodedEvent[] {
  const { files, events } = readEventDir(path.join(runDir, 'tb', agent));
  expect(files, agent).toHaveLength(1);
  expect(files[0]).toMatch(/^events\.out\.tfevents\.\d{10}\.\S+$/);
  expect(events[0][0]).toMatchObject({ step: 0, fileVersion: 'brain.Event:2', values: [] });
  return events[0].slice(1);
}

/** The scalar events TensorBoard would draw from each metrics.jsonl record: train/… and perf/…, as float32. */
function expectedTraining(runDir: string, agent: string) {
  return metricsOf(runDir, agent).map((r) => ({
    step: r.update,
    values: Object.entries(r)
      .filter(([k]) => k.startsWith('train/') || k.startsWith('perf/'))
      .map(([k, v]) => [k, v === null ? Number.NaN : Math.fround(v as number)]),
  }));
}

const scalarsOnly = (events: DecodedEvent[]) => events.map(({ step, values }) => ({ step, values }));

/** The training events of an agent equal its metrics.jsonl records, and its evaluation comes once, last. */
function expectRunEvents(runDir: string, agent: string, updates: number) {
  const events = eventsOf(runDir, agent);
  const training = expectedTraining(runDir, agent);
  expect(scalarsOnly(events.slice(0, -1)), agent).toEqual(training);
  const evaluation = events.at(-1)!;
  expect(evaluation.step).toBe(updates);
  expect(evaluation.values.every(([tag]) => tag.startsWith('eval/'))).toBe(true);
  return { events, evaluation: Object.fromEntries(evaluation.values) };
}

describe('TensorBoard event files of a run', () => {
  it('hold every logged update of every agent and the headline measures of the evaluation', async () => {
    const started = Date.now() / 1000;
    const { runDir, eval: ev } = await runExperiment(spec({ updates: 30 }), { out: tmp() });
    expect(fs.readdirSync(path.join(runDir, 'tb')).sort()).toEqual(['gru-8', 'lstm', 'random']);
    for (const agent of ['lstm', 'gru-8']) {
      const { events, evaluation } = expectRunEvents(runDir, agent, 30);
      expect(events.map((e) => e.step)).toEqual([5, 10, 15, 20, 25, 30, 30]);
      expect(events[0].values.map(([tag]) => tag)).toContain('train/episodeReward');
      expect(events[0].values.map(([tag]) => tag)).toContain('perf/envStepsPerSecond');
      for (const e of events) expect(e.wallTime).toBeGreaterThanOrEqual(started - 1);
      const result = ev!.agents[agent];
      expect(evaluation['eval/expected_regret_T_20']).toBe(Math.fround(result.expectedRegret.mean));
      expect(evaluation['eval/expectedRegret']).toBe(Math.fround(result.expectedRegret.mean));
      expect(evaluation['eval/totalReward']).toBe(Math.fround(result.totalReward.mean));
      expect(evaluation['eval/stayAfterWin']).toBe(Math.fround(result.stayAfterWin.mean));
    }
    // A comparison agent has no training: its evaluation stands at the run's last update.
    const random = eventsOf(runDir, 'random');
    expect(random).toHaveLength(1);
    expect(random[0].step).toBe(30);
    expect(Object.fromEntries(random[0].values)['eval/expectedRegret']).toBe(
      Math.fround(ev!.agents.random.expectedRegret.mean),
    );
  });

  it('a run killed past a checkpoint, a record torn, resumes without repeating or losing a step', async () => {
    const s = spec({ updates: 60 });
    const dir = tmp();
    const saved = path.join(dir, 'lstm-at-40.json');
    const control: RunControl = { stop: false, paused: false };
    await runExperiment(s, {
      out: dir,
      control,
      onEvent: (e) => {
        if (e.type === 'checkpoint' && e.agent === 'lstm' && e.update === 40) fs.copyFileSync(e.file, saved);
        if (e.type === 'update' && e.agent === 'lstm' && e.metrics.update === 47) control.stop = true;
      },
    });
    // As if killed at update 47 while writing, its last checkpoint the one at update 40.
    fs.renameSync(saved, path.join(dir, 'checkpoints', 'lstm.json'));
    const before = eventsOf(dir, 'lstm');
    expect(before.map((e) => e.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45]);
    const [file] = fs.readdirSync(path.join(dir, 'tb', 'lstm'));
    fs.appendFileSync(path.join(dir, 'tb', 'lstm', file), Buffer.from([0x20, 0, 0, 0, 0, 0, 0, 0, 1, 2]));

    await resumeRun(dir);
    const { events } = expectRunEvents(dir, 'lstm', 60);
    expect(events.map((e) => e.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 60]);
    // What the checkpoint covered is kept as it was logged, wall times included.
    expect(events.slice(0, 8)).toEqual(before.slice(0, 8));
    expect(events[8].wallTime).toBeGreaterThan(before[8].wallTime);
    expectRunEvents(dir, 'gru-8', 60);
    expect(eventsOf(dir, 'random')).toHaveLength(1);

    // Resuming a finished run evaluates again: its evaluation replaces the old one.
    await resumeRun(dir);
    expect(eventsOf(dir, 'lstm').slice(0, -1)).toEqual(events.slice(0, -1));
    expectRunEvents(dir, 'gru-8', 60);
    expect(eventsOf(dir, 'random')).toHaveLength(1);
  });

  it('a run begun without tb/ gets the events of its metrics back when it resumes', async () => {
    const dir = tmp();
    const control: RunControl = { stop: false, paused: false };
    await runExperiment(spec({ updates: 30 }), {
      out: dir,
      control,
      onEvent: (e) => {
        if (e.type === 'update' && e.agent === 'lstm' && e.metrics.update === 12) control.stop = true;
      },
    });
    fs.rmSync(path.join(dir, 'tb'), { recursive: true });
    await resumeRun(dir);
    const { events } = expectRunEvents(dir, 'lstm', 30);
    expect(events.map((e) => e.step)).toEqual([5, 10, 15, 20, 25, 30, 30]);
    expectRunEvents(dir, 'gru-8', 30);
  });
});

describe('TensorBoard event files of an in-context regression run', () => {
  it('hold each model’s training and the comparison with the learning algorithms', async () => {
    const icl = parseAnyExperiment(
      {
        kind: 'icl-regression',
        name: 'icl-tb',
        seed: 3,
        task: { id: 'icl-regression', options: { dim: 3, examples: 4 } },
        models: [
          { id: 'lsa-1', model: 'lsa', options: { layers: 1 } },
          { id: 'lsa-2', model: 'lsa', options: { layers: 2 }, training: { steps: 10 } },
        ],
        training: { steps: 20, batchSize: 16, learningRate: 0.01, logEvery: 5, checkpointEvery: 10 },
        evaluation: { sequences: 50, lineSearchSequences: 50, gdSteps: 2, curveExamples: [2, 4], curveSequences: 10 },
      },
      'test',
    ) as IclExperimentSpec;
    const { runDir, eval: ev } = await runIclExperiment(icl, { out: tmp() });
    expect(fs.readdirSync(path.join(runDir, 'tb')).sort()).toEqual(
      ['gd-1', 'gd-2', 'least-squares', 'lsa-1', 'lsa-2', 'mean', 'ridge', 'zero'].sort(),
    );
    const reference = expectRunEvents(runDir, 'lsa-1', 20).evaluation;
    expect(reference).toEqual({
      'eval/loss': Math.fround(ev!.losses['lsa-1']),
      'eval/lossRatio': Math.fround(ev!.lossRatio),
      'eval/cosine': Math.fround(ev!.cosine),
      'eval/predsDiff': Math.fround(ev!.predsDiff),
      'eval/step': Math.fround(ev!.learnedStep!),
      'eval/stepRelativeError': Math.fround(ev!.stepRelativeError!),
    });
    expect(expectedTraining(runDir, 'lsa-1')[0].values.map(([tag]) => tag)).toContain('train/loss');
    expect(expectRunEvents(runDir, 'lsa-2', 10).evaluation).toEqual({ 'eval/loss': Math.fround(ev!.losses['lsa-2']) });
    const gd = eventsOf(runDir, 'gd-1');
    expect(gd).toHaveLength(1);
    expect(gd[0].step).toBe(20);
    expect(Object.fromEntries(gd[0].values)).toEqual({
      'eval/loss': Math.fround(ev!.losses['gd-1']),
      'eval/step': Math.fround(ev!.optimalStep),
    });
  });
});
