// Shipped in-context regression checkpoints: a model whose spec names one is evaluated from it
// instead of trained (the numbers of the run that made it), `--train` trains anyway, and a
// checkpoint of another model kind, options or task is refused before anything is written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../../src/experiments/checkpoint.ts';
import { runIclExperiment } from '../../src/experiments/icl-run.ts';
import { type IclExperimentSpec, parseAnyExperiment } from '../../src/experiments/spec.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'engram-icl-shipped-'));

const spec = (models: Record<string, unknown>[], task: Record<string, unknown> = {}) =>
  parseAnyExperiment(
    {
      kind: 'icl-regression',
      name: 'tiny-icl',
      seed: 4,
      task: { id: 'icl-regression', options: { dim: 3, examples: 4, ...task } },
      models,
      training: { steps: 20, batchSize: 16, learningRate: 0.01, logEvery: 10, examplesFrom: 2 },
      evaluation: {
        sequences: 100,
        lineSearchSequences: 100,
        gdSteps: 2,
        curveExamples: [2, 4],
        curveSequences: 40,
        algorithms: { examples: [4], sequences: 30, probes: 5 },
      },
    },
    'test',
  ) as IclExperimentSpec;

describe('shipped in-context regression checkpoints', () => {
  it('evaluates the shipped model instead of training it, and retrains under --train', async () => {
    const gru = { id: 'gru', model: 'gru', options: { hidden: 5 } };
    const first = await runIclExperiment(spec([gru]), { out: path.join(tmp(), 'run') });
    const shippedDir = tmp();
    const ck = readCheckpoint(path.join(first.runDir, 'checkpoints', 'gru.json'));
    writeCheckpoint(path.join(shippedDir, 'tiny-gru.json'), { ...ck, optimizer: null, rng: null });

    const events: string[] = [];
    const fromShipped = await runIclExperiment(spec([{ ...gru, checkpoint: 'tiny-gru' }]), {
      out: path.join(tmp(), 'run'),
      checkpointDir: shippedDir,
      onEvent: (e) => events.push(e.type),
    });
    expect(events).not.toContain('train-start');
    expect(fs.existsSync(path.join(fromShipped.runDir, 'checkpoints', 'gru.json'))).toBe(false);
    expect(fromShipped.eval!.losses.gru).toBe(first.eval!.losses.gru);
    expect(fromShipped.eval!.algorithms).toEqual(first.eval!.algorithms);
    expect(fromShipped.eval!.shipped).toEqual({ gru: path.join(shippedDir, 'tiny-gru.json') });

    const retrained = await runIclExperiment(spec([{ ...gru, checkpoint: 'tiny-gru' }]), {
      out: path.join(tmp(), 'run'),
      checkpointDir: shippedDir,
      train: true,
    });
    expect(retrained.eval!.shipped).toEqual({});
    expect(readCheckpoint(path.join(retrained.runDir, 'checkpoints', 'gru.json')).update).toBe(20);

    // Another kind, other options, another task: refused before the run directory is made.
    const never = path.join(tmp(), 'never');
    const cases: [IclExperimentSpec, RegExp][] = [
      [
        spec([{ id: 'gru', model: 'lstm', options: { hidden: 5 }, checkpoint: 'tiny-gru' }]),
        /holds a gru model, not lstm/,
      ],
      [spec([{ ...gru, options: { hidden: 6 }, checkpoint: 'tiny-gru' }]), /has options \{"hidden":5\}/],
      [spec([{ ...gru, checkpoint: 'tiny-gru' }], { noise: 0.1 }), /was trained on/],
    ];
    for (const [s, message] of cases) {
      await expect(runIclExperiment(s, { out: never, checkpointDir: shippedDir })).rejects.toThrow(message);
      expect(fs.existsSync(never)).toBe(false);
    }
  }, 60_000);
});
