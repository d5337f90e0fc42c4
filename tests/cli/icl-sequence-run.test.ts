import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engram, root } from '../helpers/engram.ts';

/** A built-in sequence spec with a tiny budget and the given changes, written to `dir`. */
function tinySpec(dir: string, name: string, change: (spec: Record<string, any>) => void = () => {}): string {
  const spec = JSON.parse(fs.readFileSync(path.join(root, `scripts/experiments/${name}.json`), 'utf8'));
  spec.training = {
    ...spec.training,
    steps: 24,
    warmupSteps: 2,
    logEvery: 5,
    checkpointEvery: 10,
    evalEvery: 8,
    evalSequences: 16,
  };
  spec.evaluation = { ...spec.evaluation, sequences: 40 };
  for (const m of spec.models) {
    delete m.training;
    delete m.checkpoint;
    if ('hidden' in m.options) m.options.hidden = 12;
    if ('width' in m.options) m.options = { ...m.options, width: 16, ...('mlp' in m.options ? { mlp: 16 } : {}) };
  }
  if (name === 'induction-heads') {
    spec.task.options = { vocabulary: 12, length: 16, segment: 4 };
    for (const m of spec.models) if ('maxLength' in m.options) m.options.maxLength = 16;
  } else if (name === 'tem-t') {
    spec.task.options = { widths: [3, 4], alphabet: 8, steps: 16 };
    spec.evaluation = { sequences: 40, mapSteps: 40, memoryNeurons: 4 };
    for (const m of spec.models) {
      if ('maxLength' in m.options) m.options.maxLength = 16;
      if ('position' in m.options) m.options = { ...m.options, position: 8, width: 8 };
    }
  } else {
    spec.task.options = { ...spec.task.options, classes: 120, heldOutClasses: 12, dim: 6, labels: 6 };
  }
  change(spec);
  const file = path.join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}

function metrics(out: string): Record<string, any>[] {
  return fs
    .readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('engram run, icl-sequence kind', () => {
  it('icl-induction: trains every model, evaluates it periodically and at the end, writes the report', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-seq-'));
    const out = path.join(dir, 'run');
    const run = engram(['run', tinySpec(dir, 'induction-heads'), '--out', out, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const { eval: ev } = JSON.parse(lines[0]);
    expect(Object.keys(ev.models)).toEqual(['attn-1', 'attn-2', 'lstm']);
    for (const [id, m] of Object.entries<any>(ev.models)) {
      expect(m.parameters, id).toBeGreaterThan(0);
      expect(
        m.curve.map((p: { step: number }) => p.step),
        id,
      ).toEqual([8, 16, 24]);
      expect(m.final.lossByPosition, id).toHaveLength(15);
      expect(
        m.positionCurve.map((p: { step: number; lossByPosition: number[] }) => [p.step, p.lossByPosition.length]),
        id,
      ).toEqual([
        [8, 15],
        [16, 15],
        [24, 15],
      ]);
      for (const key of ['repeatLoss', 'firstLoss', 'inContextLearningScore'])
        expect(Number.isFinite(m.final[key]), `${id} ${key}`).toBe(true);
    }
    expect(ev.models['attn-2'].final.prefixMatching).toHaveLength(2);
    expect(ev.models.lstm.final.bestHead).toBeNull();
    // The best head at any offset, and its attention on one sequence (row t attends to 0 … t).
    const example = ev.models['attn-2'].final.attention;
    expect(example.weights.map((row: number[]) => row.length)).toEqual(Array.from({ length: 15 }, (_, t) => t + 1));
    expect(example.weights[14].reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 9);
    expect([example.layer, example.head]).toEqual([
      ev.models['attn-2'].final.inductionHead.layer,
      ev.models['attn-2'].final.inductionHead.head,
    ]);
    expect(ev.models.lstm.final.attention).toBeNull();
    const attn = metrics(out).filter((r) => r.agent === 'attn-2');
    expect(attn.map((r) => r.update)).toEqual([5, 8, 10, 15, 16, 20, 24]);
    const evaluated = attn.find((r) => r.update === 8)!;
    for (const key of ['eval/repeatLoss', 'eval/firstLoss', 'eval/iclScore', 'eval/prefixMatching'])
      expect(Number.isFinite(evaluated[key]), key).toBe(true);
    expect(metrics(out).find((r) => r.agent === 'lstm' && r.update === 8)).not.toHaveProperty('eval/prefixMatching');
    for (const f of [
      'config.json',
      'metrics.csv',
      'eval.json',
      'report.md',
      'checkpoints/attn-1.json',
      'checkpoints/lstm.json',
      'tb/attn-2',
    ])
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(out, 'metrics.csv'), 'utf8').split('\n')[0]).toMatch(/eval\/repeatLoss/);
    for (const f of [
      'induction-loss-vs-steps.svg',
      'induction-loss-by-position.svg',
      'induction-loss-by-position-phase.svg',
      'induction-heads-vs-steps.svg',
      'induction-attention-attn-1.svg',
      'induction-attention-attn-2.svg',
    ])
      expect(fs.readFileSync(path.join(out, 'figures', f), 'utf8')).toMatch(/^<svg/);
    const report = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| attn-2 \| transformer \| [\d,]+ \| 24 \|/);
    expect(report).toMatch(/figures\/induction-loss-by-position\.svg/);
    // Resuming a finished run only loads the models and evaluates them again, to the same numbers.
    const again = engram(['run', '--resume', out, '--json']);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).eval.models).toEqual(
      Object.fromEntries(
        Object.entries<any>(ev.models).map(([id, m]) => [id, { ...m, trainingSeconds: expect.any(Number) }]),
      ),
    );
  });

  it('icl-bursty: accuracies with 95% intervals and the accuracy-against-steps figure', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-seq-'));
    const out = path.join(dir, 'run');
    const run = engram(['run', tinySpec(dir, 'emergent-icl-bursty'), '--out', out, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const { eval: ev } = JSON.parse(run.stdout);
    expect(ev.task).toBe('icl-bursty');
    for (const [id, m] of Object.entries<any>(ev.models)) {
      for (const key of ['inContextAccuracy', 'inWeightsAccuracy', 'trainAccuracy']) {
        const { p, ci95, n } = m.final[key];
        expect(n, id).toBe(40);
        expect(ci95[0] <= p && p <= ci95[1] && ci95[0] >= 0 && ci95[1] <= 1, `${id} ${key}`).toBe(true);
      }
      expect(Object.keys(m.curve[0]).sort(), id).toEqual(
        ['eval/inContextAccuracy', 'eval/inWeightsAccuracy', 'eval/trainAccuracy', 'step'].sort(),
      );
    }
    expect(fs.readFileSync(path.join(out, 'figures/bursty-accuracy-vs-steps.svg'), 'utf8')).toMatch(/^<svg/);
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(
      /\| transformer \| transformer \| [\d,]+ \| 24 \| [\d.]+ \[[\d.]+, [\d.]+\] \|/,
    );
  });

  it('graph-walk: accuracy by kind intact and under reset-state, TEM-t rate maps, the report and its figures', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-seq-'));
    const out = path.join(dir, 'run');
    const run = engram(['run', tinySpec(dir, 'tem-t'), '--out', out, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const { eval: ev } = JSON.parse(run.stdout);
    expect(ev.task).toBe('graph-walk');
    expect(Object.keys(ev.models)).toEqual(['tem-t', 'lstm', 'transformer-learned', 'transformer-sinusoidal']);
    for (const [id, m] of Object.entries<any>(ev.models)) {
      expect(m.final.chance).toBe(1 / 8);
      let predictions = 0;
      for (const kind of ['new', 'walked', 'newPath', 'stay']) {
        for (const part of ['accuracy', 'resetState']) {
          const { p, ci95, n, clusters } = m.final[part][kind];
          expect(n, `${id} ${kind}`).toBeGreaterThan(0);
          expect(clusters).toBeLessThanOrEqual(40);
          expect(ci95[0] <= p && p <= ci95[1], `${id} ${part} ${kind}`).toBe(true);
        }
        predictions += m.final.accuracy[kind].n;
      }
      expect(predictions, id).toBe(40 * 16);
      expect(Object.keys(m.curve[0]).sort(), id).toEqual(
        ['eval/newAccuracy', 'eval/newPathAccuracy', 'eval/stayAccuracy', 'eval/walkedAccuracy', 'step'].sort(),
      );
      expect(m.final.representations === null, id).toBe(id !== 'tem-t');
    }
    const maps = ev.models['tem-t'].final.representations;
    expect(maps.width).toBe(4);
    expect(maps.positionMaps[1]).toHaveLength(8);
    expect(maps.memoryCorrelation).toHaveLength(4);
    for (const name of ['walk-accuracy-vs-steps', 'walk-position-maps-tem-t', 'walk-memory-maps-tem-t'])
      expect(fs.readFileSync(path.join(out, `figures/${name}.svg`), 'utf8'), name).toMatch(/^<svg/);
    const report = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| tem-t \| tem-t \| [\d,]+ \| 24 \| [\d.]+ \[[\d.]+, [\d.]+\] \|/);
    expect(report).toMatch(/\*\*reset-state\*\*/);
    expect(report).toMatch(/\| position units g \| 8 \|/);
  });

  it('bad specs and options get one line on stderr and exit status 2, before anything is written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-seq-'));
    const cases: [string, (s: Record<string, any>) => void, RegExp][] = [
      ['induction-heads', (s) => (s.models[0].options = { depth: 2 }), /unknown option 'depth'/],
      ['induction-heads', (s) => (s.models[0].options = { width: 6, heads: 4 }), /'heads' \(4\) must divide/],
      ['induction-heads', (s) => (s.models[2].model = 'lsa'), /models\.2\.model/],
      ['induction-heads', (s) => (s.task.options = { vocabulary: 1 }), /icl-induction: option 'vocabulary'/],
      ['induction-heads', (s) => (s.task.id = 'icl-regression'), /task\.id/],
      ['induction-heads', (s) => (s.training.evalEvery = -1), /training\.evalEvery/],
      ['emergent-icl-bursty', (s) => (s.task.options = { bursty: 2 }), /icl-bursty: option 'bursty'/],
      ['emergent-icl-bursty', (s) => (s.evaluation.curve = true), /unknown key 'evaluation\.curve'/],
      ['emergent-icl-bursty', (s) => (s.models[1].id = 'transformer'), /model 'transformer' is listed twice/],
      ['tem-t', (s) => (s.task.options = { widths: [3, 3] }), /graph-walk: option 'widths' lists a width twice/],
      ['tem-t', (s) => (s.models[0].options = { position: 0 }), /'position'/],
      ['tem-t', (s) => (s.evaluation.mapWidth = 1), /evaluation\.mapWidth/],
    ];
    for (const [name, change, message] of cases) {
      const r = engram(['run', tinySpec(dir, name, change), '--out', path.join(dir, 'never'), '--json']);
      expect(r.status, String(message)).toBe(2);
      expect(r.stderr.trim().split('\n'), String(message)).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('lists the built-in experiments', () => {
    const list = JSON.parse(engram(['list', '--json']).stdout);
    expect(list.experiments.map((e: { id: string }) => e.id)).toEqual(
      expect.arrayContaining(['induction-heads', 'emergent-icl-bursty', 'tem-t']),
    );
  });
});
