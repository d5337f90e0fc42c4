// Shipped in-context regression and sequence-model checkpoints: a model whose spec names one is evaluated from it
// instead of trained (the numbers of the run that made it), `--train` trains anyway, and a
// checkpoint of another model kind, options or task is refused before anything is written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../../src/experiments/checkpoint.ts';
import { runIclExperiment } from '../../src/experiments/icl-run.ts';
import { runIclSequenceExperiment, type WalkFinal } from '../../src/experiments/icl-sequence-run.ts';
import {
  type IclExperimentSpec,
  type IclSequenceExperimentSpec,
  parseAnyExperiment,
} from '../../src/experiments/spec.ts';
import { writeReport } from '../../src/report/report.ts';

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

const sequenceSpec = (models: Record<string, unknown>[], task: Record<string, unknown> = {}) =>
  parseAnyExperiment(
    {
      kind: 'icl-sequence',
      name: 'tiny-sequence',
      seed: 2,
      task: { id: 'icl-induction', options: { vocabulary: 8, length: 12, segment: 3, ...task } },
      models,
      training: { steps: 12, batchSize: 8, learningRate: 0.01, logEvery: 4, evalEvery: 6, evalSequences: 10 },
      evaluation: { sequences: 30 },
    },
    'test',
  ) as IclSequenceExperimentSpec;

describe('shipped sequence-model checkpoints', () => {
  it('evaluates the shipped model with its training curve, retrains under --train, refuses a misfit', async () => {
    const attn = { id: 'attn', model: 'transformer', options: { width: 8, layers: 2, heads: 2, maxLength: 12 } };
    const first = await runIclSequenceExperiment(sequenceSpec([attn]), { out: path.join(tmp(), 'run') });
    const shippedDir = tmp();
    const ck = readCheckpoint(path.join(first.runDir, 'checkpoints', 'attn.json'));
    const history = fs
      .readFileSync(path.join(first.runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const positions = fs
      .readFileSync(path.join(first.runDir, 'positions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .map(({ step, lossByPosition }) => ({ step, lossByPosition }));
    writeCheckpoint(path.join(shippedDir, 'tiny-attn.json'), {
      ...ck,
      optimizer: null,
      rng: null,
      history,
      positions,
    });

    const events: string[] = [];
    const fromShipped = await runIclSequenceExperiment(sequenceSpec([{ ...attn, checkpoint: 'tiny-attn' }]), {
      out: path.join(tmp(), 'run'),
      checkpointDir: shippedDir,
      onEvent: (e) => events.push(e.type),
    });
    expect(events).not.toContain('train-start');
    const a = first.eval!.models.attn;
    const b = fromShipped.eval!.models.attn;
    expect(b.final).toEqual(a.final);
    expect(b.curve).toEqual(a.curve);
    expect(b.positionCurve).toEqual(a.positionCurve);
    expect(b.positionCurve.map((p) => p.step)).toEqual([6, 12]);
    expect(fromShipped.eval!.shipped).toEqual({ attn: path.join(shippedDir, 'tiny-attn.json') });
    const report = fs.readFileSync(await writeReport(fromShipped.runDir), 'utf8');
    expect(report).toMatch(/attn: evaluated from the shipped checkpoint `tiny-attn\.json`/);

    const retrained = await runIclSequenceExperiment(sequenceSpec([{ ...attn, checkpoint: 'tiny-attn' }]), {
      out: path.join(tmp(), 'run'),
      checkpointDir: shippedDir,
      train: true,
    });
    expect(retrained.eval!.shipped).toEqual({});
    expect(retrained.eval!.models.attn.final).toEqual(a.final);

    const never = path.join(tmp(), 'never');
    const cases: [IclSequenceExperimentSpec, RegExp][] = [
      [sequenceSpec([{ ...attn, model: 'lstm', options: {}, checkpoint: 'tiny-attn' }]), /holds a transformer/],
      [sequenceSpec([{ ...attn, options: { ...attn.options, width: 12 }, checkpoint: 'tiny-attn' }]), /has options/],
      [sequenceSpec([{ ...attn, checkpoint: 'tiny-attn' }], { segment: 2 }), /was trained on/],
    ];
    for (const [s, message] of cases) {
      await expect(runIclSequenceExperiment(s, { out: never, checkpointDir: shippedDir })).rejects.toThrow(message);
      expect(fs.existsSync(never)).toBe(false);
    }
  }, 60_000);

  it('the shipped TEM-t reads new routes in held-out environments and forgets them under reset-state', async () => {
    const builtIn = JSON.parse(
      fs.readFileSync(path.resolve(import.meta.dirname, '../../scripts/experiments/tem-t.json'), 'utf8'),
    );
    const s = parseAnyExperiment(
      {
        ...builtIn,
        models: builtIn.models.filter((m: { id: string }) => m.id === 'tem-t'),
        evaluation: { sequences: 64, mapSteps: 200, memoryNeurons: 8 },
      },
      'test',
    ) as IclSequenceExperimentSpec;
    const run = await runIclSequenceExperiment(s, { out: path.join(tmp(), 'run') });
    const f = run.eval!.models['tem-t'].final as WalkFinal;
    expect(f.accuracy.newPathOther.p).toBeGreaterThan(0.95);
    expect(f.accuracy.walked.p).toBeGreaterThan(0.95);
    expect(f.accuracy.new.ci95[0]).toBeLessThan(0.1);
    expect(f.resetState.newPath.p).toBeLessThan(0.1);
    const r = f.representations!;
    // Position units keep their maps between environments; memory neurons do not.
    const meanOf = (xs: number[]) => xs.filter(Number.isFinite).reduce((a, b, _, all) => a + b / all.length, 0);
    expect(meanOf(r.positionCorrelation)).toBeGreaterThan(0.5);
    expect(meanOf(r.memoryCorrelation)).toBeLessThan(0.5);
  });
});
