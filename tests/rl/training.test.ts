import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { networkFromCheckpoint, readCheckpoint } from '../../src/experiments/checkpoint.ts';
import { comparisonAgents } from '../../src/experiments/comparison.ts';
import type { RunControl } from '../../src/experiments/events.ts';
import { resumeRun, runExperiment } from '../../src/experiments/run.ts';
import { parseExperiment } from '../../src/experiments/spec.ts';
import { hashParameters } from '../../src/nn/module.ts';
import { frozenEvaluation } from '../../src/rl/frozen-eval.ts';
import { tinySpec } from '../helpers/specs.ts';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'engram-test-'));
}

const tiny = (training: Record<string, unknown> = {}) => parseExperiment(tinySpec(training), 'test');

describe('meta-training with A2C', () => {
  it('a tiny training run measurably beats random on the easy variant, with frozen weights', async () => {
    const dir = tmp();
    const result = await runExperiment(tiny(), { out: dir });
    const lstm = result.eval!.agents.lstm;
    const random = result.eval!.agents.random;
    // The 95% intervals of the expected regret do not overlap.
    expect(lstm.expectedRegret.ci95[1]).toBeLessThan(random.expectedRegret.ci95[0]);
    expect(lstm.paramsHashBefore).toBe(lstm.paramsHashAfter);
    const metrics = fs
      .readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(40);
    for (const key of [
      'train/episodeReward',
      'train/expectedRegret',
      'train/entropy',
      'train/valueLoss',
      'train/policyLoss',
      'train/gradNorm',
      'perf/envStepsPerSecond',
    ]) {
      expect(Number.isFinite(metrics[39][key]), key).toBe(true);
    }
  });

  it('a run stopped mid-way and resumed ends with exactly the numbers of an uninterrupted run', async () => {
    const spec = tiny({ updates: 120, checkpointEvery: 25 });
    const whole = await runExperiment(spec, { out: tmp() });

    const dir = tmp();
    const control: RunControl = { stop: false, paused: false };
    const first = await runExperiment(spec, {
      out: dir,
      control,
      onEvent: (e) => {
        if (e.type === 'update' && e.metrics.update === 61) control.stop = true;
      },
    });
    expect(first.stopped).toBe(true);
    expect(readCheckpoint(path.join(dir, 'checkpoints', 'lstm.json')).update).toBe(61);
    // A kill between checkpoints leaves metrics past the checkpoint; simulate a torn last line too.
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), '{"agent":"lstm","update":999,"tor');
    const resumed = await resumeRun(dir);
    expect(resumed.stopped).toBe(false);

    const a = readCheckpoint(path.join(whole.runDir, 'checkpoints', 'lstm.json'));
    const b = readCheckpoint(path.join(dir, 'checkpoints', 'lstm.json'));
    expect(b.params).toEqual(a.params);
    expect(b.optimizer).toEqual(a.optimizer);
    expect(resumed.eval!.agents.lstm.expectedRegret).toEqual(whole.eval!.agents.lstm.expectedRegret);
    const strip = (file: string) =>
      fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const { wallSeconds: _w, 'perf/envStepsPerSecond': _p, ...rest } = JSON.parse(l);
          return rest;
        });
    expect(strip(path.join(dir, 'metrics.jsonl'))).toEqual(strip(path.join(whole.runDir, 'metrics.jsonl')));
  });

  it('training on two threads equals itself after a resume, and learns', async () => {
    const spec = tiny({ updates: 40, checkpointEvery: 10, workers: 2 });
    const whole = await runExperiment(spec, { out: tmp() });
    const dir = tmp();
    const control: RunControl = { stop: false, paused: false };
    await runExperiment(spec, {
      out: dir,
      control,
      onEvent: (e) => {
        if (e.type === 'update' && e.metrics.update === 15) control.stop = true;
      },
    });
    await resumeRun(dir);
    const a = readCheckpoint(path.join(whole.runDir, 'checkpoints', 'lstm.json'));
    const b = readCheckpoint(path.join(dir, 'checkpoints', 'lstm.json'));
    expect(b.params).toEqual(a.params);
  });

  it('frozen evaluation leaves every parameter unchanged and is reproducible', async () => {
    const dir = tmp();
    await runExperiment(tiny({ updates: 20 }), { out: dir });
    const file = path.join(dir, 'checkpoints', 'lstm.json');
    const { family, net } = networkFromCheckpoint(readCheckpoint(file), file);
    const before = hashParameters(net.parameters());
    const r1 = frozenEvaluation(family, net, {
      episodes: 50,
      batchSize: 16,
      seed: 3,
      compare: comparisonAgents(family, ['thompson']),
    });
    const r2 = frozenEvaluation(family, net, { episodes: 50, batchSize: 25, seed: 3, compare: [] });
    expect(r1.paramsHashBefore).toBe(before);
    expect(r1.paramsHashAfter).toBe(before);
    expect(hashParameters(net.parameters())).toBe(before);
    expect(r2.expectedRegret.mean).toBeCloseTo(r1.expectedRegret.mean, 12);
    const t = r1.compare.thompson;
    expect('skipped' in t).toBe(false);
  });
});
