import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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

describe('in-context regression runs resume', () => {
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
