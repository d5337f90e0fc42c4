import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { readCheckpoint } from '../../src/experiments/checkpoint.ts';
import type { RunControl, RunEvent } from '../../src/experiments/events.ts';
import { resumeIclRun, runIclExperiment } from '../../src/experiments/icl-run.ts';
import { type IclExperimentSpec, parseAnyExperiment } from '../../src/experiments/spec.ts';
import { tmp } from '../helpers/engram.ts';

const spec = parseAnyExperiment(
  {
    kind: 'icl-regression',
    name: 'icl-resume',
    seed: 3,
    task: { id: 'icl-regression', options: { dim: 3, examples: 4 } },
    models: [
      { id: 'lsa-1', model: 'lsa', options: { layers: 1 } },
      { id: 'lsa-2', model: 'lsa', options: { layers: 2 } },
    ],
    training: { steps: 40, batchSize: 16, learningRate: 0.01, logEvery: 5, checkpointEvery: 10 },
    evaluation: { sequences: 100, lineSearchSequences: 100, gdSteps: 2, curveExamples: [2, 4], curveSequences: 20 },
  },
  'test',
) as IclExperimentSpec;

/** metrics.jsonl without the timings. */
function metricsOf(runDir: string): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const { wallSeconds: _w, 'perf/sequencesPerSecond': _s, ...rest } = JSON.parse(line);
      return rest;
    });
}

/** Runs `spec` whole, and stopped at `stopAt` of its model `stopModel` then resumed; both must end alike. */
async function expectExactResume(spec: IclExperimentSpec, stopModel: string, stopAt: number): Promise<void> {
  const models = spec.models.map((m) => m.id);
  const whole = await runIclExperiment(spec, { out: tmp() });
  expect(whole.stopped).toBe(false);
  const dir = tmp();
  const control: RunControl = { stop: false, paused: false };
  const first = await runIclExperiment(spec, {
    out: dir,
    control,
    onEvent: (e) => {
      if (e.type === 'update' && e.agent === stopModel && e.metrics.update === stopAt) control.stop = true;
    },
  });
  expect(first.stopped).toBe(true);
  const stoppedAt = readCheckpoint(path.join(dir, 'checkpoints', `${stopModel}.json`));
  expect([stoppedAt.update, stoppedAt.done]).toEqual([stopAt, false]);
  const resumed = await resumeIclRun(dir);
  expect(resumed.stopped).toBe(false);
  for (const model of models) {
    const a = readCheckpoint(path.join(whole.runDir, 'checkpoints', `${model}.json`));
    const b = readCheckpoint(path.join(dir, 'checkpoints', `${model}.json`));
    expect(b.params, model).toEqual(a.params);
    expect(b.optimizer, model).toEqual(a.optimizer);
  }
  expect(metricsOf(dir)).toEqual(metricsOf(whole.runDir));
  const { trainingSeconds: _a, ...wholeEval } = whole.eval!;
  const { trainingSeconds: _b, ...resumedEval } = resumed.eval!;
  expect(resumedEval).toEqual(wholeEval);
}

describe('in-context regression runs resume', () => {
  it('recurrent models on the quadratic family under examplesFrom resume exactly too', async () => {
    const recurrent = parseAnyExperiment(
      {
        kind: 'icl-regression',
        name: 'icl-resume-recurrent',
        seed: 5,
        task: { id: 'icl-regression', options: { family: 'quadratic', dim: 2, examples: 7, noise: 0.1 } },
        models: [
          { id: 'lstm', model: 'lstm', options: { hidden: 6 } },
          { id: 'gru', model: 'gru', options: { hidden: 5 }, training: { examplesFrom: 6 } },
          { id: 'transformer', model: 'transformer', options: { width: 8, layers: 1, mlp: 8, queryFlag: true } },
        ],
        training: { steps: 30, batchSize: 8, learningRate: 0.01, examplesFrom: 2, logEvery: 5, checkpointEvery: 10 },
        evaluation: { sequences: 60, lineSearchSequences: 60, gdSteps: 2, curveExamples: [3, 7], curveSequences: 20 },
      },
      'test',
    ) as IclExperimentSpec;
    await expectExactResume(recurrent, 'gru', 17);
    await expectExactResume(recurrent, 'lstm', 12);
  });

  it('refuses examplesFrom above the task’s N before writing anything', async () => {
    const out = tmp();
    const bad = { ...spec, training: { ...spec.training, examplesFrom: 5 } };
    await expect(runIclExperiment(bad, { out })).rejects.toThrow(UsageError);
    await expect(runIclExperiment(bad, { out })).rejects.toThrow(
      "experiment icl-resume: model 'lsa-1': training option 'examplesFrom' (5) must be at most the task's " +
        'examples N (4)',
    );
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('a run stopped in the middle of its second model ends with the numbers of an uninterrupted one', async () => {
    const whole = await runIclExperiment(spec, { out: tmp() });
    expect(whole.stopped).toBe(false);

    const dir = tmp();
    const control: RunControl = { stop: false, paused: false };
    const events: RunEvent[] = [];
    const first = await runIclExperiment(spec, {
      out: dir,
      control,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'update' && e.agent === 'lsa-2' && e.metrics.update === 23) control.stop = true;
      },
    });
    expect(first.stopped).toBe(true);
    expect(events.some((e) => e.type === 'checkpoint' && e.agent === 'lsa-2' && e.update === 20)).toBe(true);
    expect(readCheckpoint(path.join(dir, 'checkpoints', 'lsa-1.json')).done).toBe(true);
    const stoppedAt = readCheckpoint(path.join(dir, 'checkpoints', 'lsa-2.json'));
    expect([stoppedAt.update, stoppedAt.done]).toEqual([23, false]);

    const resumed = await resumeIclRun(dir);
    expect(resumed.stopped).toBe(false);
    for (const model of ['lsa-1', 'lsa-2']) {
      const a = readCheckpoint(path.join(whole.runDir, 'checkpoints', `${model}.json`));
      const b = readCheckpoint(path.join(dir, 'checkpoints', `${model}.json`));
      expect(b.params, model).toEqual(a.params);
      expect(b.optimizer, model).toEqual(a.optimizer);
    }
    expect(metricsOf(dir)).toEqual(metricsOf(whole.runDir));
    const { trainingSeconds: _a, ...wholeEval } = whole.eval!;
    const { trainingSeconds: _b, ...resumedEval } = resumed.eval!;
    expect(resumedEval).toEqual(wholeEval);
  });
});
