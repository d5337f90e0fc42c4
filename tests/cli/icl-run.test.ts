import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engram, root } from '../helpers/engram.ts';

/** The built-in icl-lsa-gd spec with a tiny budget and the given changes. */
function tinySpec(dir: string, change: (spec: Record<string, any>) => void = () => {}): string {
  const spec = JSON.parse(fs.readFileSync(path.join(root, 'scripts/experiments/icl-lsa-gd.json'), 'utf8'));
  spec.task.options = { dim: 4, examples: 5, noise: 0 };
  spec.models = [
    { id: 'lsa-1', model: 'lsa', options: { layers: 1 } },
    {
      id: 'transformer',
      model: 'transformer',
      options: { width: 8, layers: 1, heads: 2, mlp: 8 },
      training: { steps: 3, batchSize: 8 },
    },
  ];
  spec.training = { ...spec.training, steps: 30, batchSize: 32, learningRate: 0.01, logEvery: 10 };
  spec.evaluation = {
    sequences: 200,
    lineSearchSequences: 200,
    gdSteps: 2,
    reference: 'lsa-1',
    curveExamples: [1, 5],
    curveSequences: 50,
  };
  change(spec);
  const file = path.join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}

describe('engram run, icl-regression kind', () => {
  it('trains, compares with one GD step, writes the run directory and prints one JSON object', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-icl-'));
    const out = path.join(dir, 'run');
    const withAlgorithms = (spec: Record<string, any>) => {
      spec.evaluation.algorithms = { examples: [2], noise: [0, 0.5], sequences: 40, probes: 6 };
    };
    const run = engram(['run', tinySpec(dir, withAlgorithms), '--out', out, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    for (const key of ['lossRatio', 'cosine', 'predsDiff', 'learnedStep', 'optimalStep'])
      expect(Number.isFinite(result[key]), key).toBe(true);
    expect(result.runDir).toBe(out);
    expect(result.eval.curve.filter((p: { series: string }) => p.series === 'lsa-1')).toHaveLength(2);
    for (const f of [
      'config.json',
      'metrics.jsonl',
      'metrics.csv',
      'eval.json',
      'report.md',
      'figures/loss-vs-examples.svg',
      'checkpoints/lsa-1.json',
      'checkpoints/transformer.json',
    ]) {
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    }
    expect(fs.readFileSync(path.join(out, 'figures/loss-vs-examples.svg'), 'utf8')).toMatch(/^<svg/);
    // Every model's parameter count; the nearest algorithm of every model at every N′ and σ.
    expect(result.eval.parameters).toEqual({ 'lsa-1': 4 * 25, transformer: expect.any(Number) });
    const ids = result.eval.algorithms;
    expect(ids.algorithms).toEqual(['gd-1', 'gd-2', 'least-squares', 'ridge', 'ridge-bayes']);
    expect(
      ids.rows.map((r: { model: string; examples: number; noise: number }) => `${r.model}/${r.examples}/${r.noise}`),
    ).toEqual(['lsa-1/2/0', 'transformer/2/0', 'lsa-1/2/0.5', 'transformer/2/0.5']);
    for (const r of ids.rows) expect(ids.algorithms).toContain(r.nearest.spd);
    expect(fs.readFileSync(path.join(out, 'figures/algorithms-spd.svg'), 'utf8')).toMatch(/^<svg/);
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/### Which algorithm is it\?/);
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/lsa-1 against one step of gradient descent/);
    const metrics = fs
      .readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.filter((m) => m.agent === 'lsa-1').map((m) => m.update)).toEqual([10, 20, 30]);
    // Resuming a finished run loads the models and reproduces the evaluation.
    const again = engram(['run', '--resume', out, '--json']);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).lossRatio).toBe(result.lossRatio);
  });

  it('bad specs and options get one line on stderr and exit status 2', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-icl-'));
    const cases: [(s: Record<string, any>) => void, RegExp][] = [
      [(s) => (s.models[0].options = { depth: 2 }), /unknown option 'depth'/],
      [(s) => (s.models[1].options = { width: 6, heads: 4 }), /'heads' \(4\) must divide/],
      [(s) => (s.task.options = { dim: 0 }), /icl-regression: option 'dim'/],
      [(s) => (s.models[0].model = 'mamba'), /models\.0\.model/],
      [(s) => (s.models[0] = { id: 'lstm', model: 'lstm', options: { layers: 2 } }), /unknown option 'layers'/],
      [(s) => (s.training.examplesFrom = 99), /'examplesFrom' \(99\) must be at most/],
      [(s) => (s.task.options = { family: 'quadratic' }), /'quadratic' .* needs option 'dim' = 2/],
      [(s) => (s.evaluation.reference = 'nope'), /evaluation\.reference 'nope'/],
      [(s) => (s.evaluation.algorithms = { probes: 3 }), /algorithms\.probes \(3\) must be at least .* \(4\)/],
    ];
    for (const [change, message] of cases) {
      const r = engram(['run', tinySpec(dir, change), '--out', path.join(dir, 'never'), '--json']);
      expect(r.status, String(message)).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
    const badSeed = engram(['run', tinySpec(dir), '--seed', '-1', '--out', path.join(dir, 'never'), '--json']);
    expect(badSeed.status).toBe(2);
    expect(badSeed.stderr).toMatch(/--seed: seed/);
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('lists the task and the built-in experiment', () => {
    const list = JSON.parse(engram(['list', '--json']).stdout);
    expect(list.tasks.map((t: { id: string }) => t.id)).toContain('icl-regression');
    expect(list.agents.map((a: { id: string }) => a.id)).toContain('transformer');
    expect(list.experiments.map((e: { id: string }) => e.id)).toEqual(
      expect.arrayContaining(['icl-lsa-gd', 'bandit-wang2018-transformer']),
    );
  });
});
