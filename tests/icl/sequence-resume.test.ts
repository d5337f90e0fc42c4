import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { readCheckpoint } from '../../src/experiments/checkpoint.ts';
import type { RunControl } from '../../src/experiments/events.ts';
import {
  type IclSequenceEvalFile,
  resumeIclSequenceRun,
  runIclSequenceExperiment,
} from '../../src/experiments/icl-sequence-run.ts';
import { type IclSequenceExperimentSpec, parseAnyExperiment } from '../../src/experiments/spec.ts';
import { tmp } from '../helpers/engram.ts';

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

/** eval.json without the training times. */
function evalOf(e: IclSequenceEvalFile | null): unknown {
  return Object.fromEntries(Object.entries(e!.models).map(([id, { trainingSeconds: _t, ...m }]) => [id, m]));
}

function spec(raw: Record<string, unknown>): IclSequenceExperimentSpec {
  return parseAnyExperiment(
    { kind: 'icl-sequence', name: 'sequence-resume', seed: 4, ...raw },
    'test',
  ) as IclSequenceExperimentSpec;
}

const training = {
  steps: 24,
  batchSize: 8,
  learningRate: 0.01,
  logEvery: 5,
  checkpointEvery: 10,
  evalEvery: 6,
  evalSequences: 12,
};

/** Runs `s` whole, and stopped at `stopAt` of `stopModel` then resumed; both must end alike. */
async function expectExactResume(s: IclSequenceExperimentSpec, stopModel: string, stopAt: number): Promise<void> {
  const whole = await runIclSequenceExperiment(s, { out: tmp() });
  expect(whole.stopped).toBe(false);
  const dir = tmp();
  const control: RunControl = { stop: false, paused: false };
  const first = await runIclSequenceExperiment(s, {
    out: dir,
    control,
    onEvent: (e) => {
      if (e.type === 'update' && e.agent === stopModel && e.metrics.update === stopAt) control.stop = true;
    },
  });
  expect(first.stopped).toBe(true);
  const stoppedAt = readCheckpoint(path.join(dir, 'checkpoints', `${stopModel}.json`));
  expect([stoppedAt.update, stoppedAt.done]).toEqual([stopAt, false]);
  const resumed = await resumeIclSequenceRun(dir);
  expect(resumed.stopped).toBe(false);
  for (const m of s.models) {
    const a = readCheckpoint(path.join(whole.runDir, 'checkpoints', `${m.id}.json`));
    const b = readCheckpoint(path.join(dir, 'checkpoints', `${m.id}.json`));
    expect(b.params, m.id).toEqual(a.params);
    expect(b.optimizer, m.id).toEqual(a.optimizer);
  }
  const metrics = metricsOf(dir);
  expect(metrics).toEqual(metricsOf(whole.runDir));
  // The periodic evaluations are logged at every evalEvery-th step and the last, besides every logEvery-th.
  expect(metrics.filter((r) => r.agent === stopModel).map((r) => r.update)).toEqual([5, 6, 10, 12, 15, 18, 20, 24]);
  expect(evalOf(resumed.eval)).toEqual(evalOf(whole.eval));
  expect(resumed.eval!.models[stopModel].curve.map((p) => p.step)).toEqual([6, 12, 18, 24]);
  // positions.jsonl is cut back to the checkpoint too (the stopped run had logged past it).
  if (s.task.id === 'icl-induction')
    expect(resumed.eval!.models[stopModel].positionCurve.map((p) => p.step)).toEqual([6, 12, 18, 24]);
}

describe('sequence runs resume', () => {
  it('icl-induction: a transformer stopped between checkpoints ends as an uninterrupted run', async () => {
    const s = spec({
      task: { id: 'icl-induction', options: { vocabulary: 8, length: 12, segment: 3 } },
      models: [
        { id: 'lstm', model: 'lstm', options: { hidden: 8 } },
        {
          id: 'attn',
          model: 'transformer',
          options: { width: 8, layers: 2, heads: 2, attentionOnly: true, maxLength: 12 },
        },
      ],
      training,
      evaluation: { sequences: 20 },
    });
    await expectExactResume(s, 'attn', 13);
  });

  it('icl-bursty: an LSTM stopped between checkpoints ends with the numbers of an uninterrupted run', async () => {
    const s = spec({
      task: { id: 'icl-bursty', options: { classes: 60, heldOutClasses: 10, dim: 4, labels: 4 } },
      models: [{ id: 'lstm', model: 'lstm', options: { hidden: 8 } }],
      training,
      evaluation: { sequences: 20 },
    });
    await expectExactResume(s, 'lstm', 14);
  });

  it('graph-walk: TEM-t stopped between checkpoints ends with the numbers of an uninterrupted run', async () => {
    const s = spec({
      task: { id: 'graph-walk', options: { widths: [3, 4], alphabet: 6, steps: 10 } },
      models: [{ id: 'tem', model: 'tem-t', options: { position: 6, width: 6 } }],
      training,
      evaluation: { sequences: 20, mapSteps: 30, memoryNeurons: 3 },
    });
    await expectExactResume(s, 'tem', 13);
  });

  it('refuses bad model options before writing anything', async () => {
    const out = tmp();
    const s = spec({
      task: { id: 'icl-induction', options: { vocabulary: 8, length: 12, segment: 3 } },
      models: [{ id: 'attn', model: 'transformer', options: { width: 6, heads: 4 } }],
      training,
    });
    await expect(runIclSequenceExperiment(s, { out })).rejects.toThrow(UsageError);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});
