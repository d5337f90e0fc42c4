// Sweeps of in-context experiments: an icl-sequence sweep through the command line (its runs, their
// headlines and the sweep's report), a stopped one merged, reported in part and resumed, an
// icl-regression sweep on the worker threads, the errors refused before anything runs, and the
// built-in sweeps found by name.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IclSequenceEvalFile } from '../../src/experiments/icl-sequence-run.ts';
import { SharedRunControl } from '../../src/experiments/shared-control.ts';
import type { IclExperimentSpec, IclSequenceExperimentSpec } from '../../src/experiments/spec.ts';
import { runSweep, type SweepEvent } from '../../src/experiments/sweep.ts';
import { openSweepDir } from '../../src/experiments/sweep-dir.ts';
import { expandSweep, loadSweep } from '../../src/experiments/sweep-spec.ts';
import { inProcess, root, tmp } from '../helpers/engram.ts';

const fixtures = path.join(root, 'tests/fixtures/sweep');
const burstyBase = path.join(fixtures, 'tiny-bursty.json');
const TABLE_HEADER = '| cell | model | kind | parameters | seeds | in-context accuracy | in-weights accuracy |';

function writeSweep(dir: string, sweep: Record<string, unknown>): string {
  const file = path.join(dir, `sweep-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ name: 'cli-icl', base: burstyBase, ...sweep }));
  return file;
}

const read = (file: string) => fs.readFileSync(file, 'utf8');
const json = (file: string) => JSON.parse(read(file));

describe('sweeps of icl-sequence experiments', () => {
  it('run end to end on the command line, each run a sequence run, and end with the sweep report', async () => {
    const out = path.join(tmp(), 'sweep');
    const r = await inProcess([
      'sweep',
      path.join(fixtures, 'tiny-bursty-sweep.json'),
      '--workers',
      '2',
      '--out',
      out,
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    expect(result).toMatchObject({ out, shard: null, stopped: false, done: 2, failed: 0 });
    expect(result.report).toBe(path.join(out, 'report.md'));
    expect(result).not.toHaveProperty('compare');
    expect(result.runs.map((x: { id: string }) => x.id)).toEqual(['bursty=0', 'bursty=0.9']);
    // Each run's headline: its first model's in-context accuracy.
    expect(r.stderr).toMatch(/bursty=0\.9: done, transformer in-context accuracy \d\.\d{3}/);
    for (const [id, bursty] of [
      ['bursty=0', 0],
      ['bursty=0.9', 0.9],
    ] as const) {
      const dir = path.join(out, 'runs', id);
      const config = json(path.join(dir, 'config.json'));
      expect(config).toMatchObject({ kind: 'icl-sequence', task: { id: 'icl-bursty', options: { bursty } } });
      expect(config.training).not.toHaveProperty('workers');
      const ev: IclSequenceEvalFile = json(path.join(dir, 'eval.json'));
      expect(Object.keys(ev.models)).toEqual(['transformer', 'lstm']);
      expect(ev.models.lstm.curve.map((p) => p.step)).toEqual([10, 20]);
    }
    const report = read(path.join(out, 'report.md'));
    expect(report).toContain('- runs: 2 of 2 finished\n');
    expect(report).toContain(TABLE_HEADER);
    expect(report).toMatch(/\| bursty=0\.9 \| transformer \| transformer \| [\d,]+ \| 1 \| 0\.\d{3} \[0\.\d{3}, /);
    expect(report).toMatch(/\| bursty=0 \| lstm \| lstm \| [\d,]+ \| 1 \| /);
    expect(report).toContain('](figures/sweep-bursty-accuracy-vs-steps.svg)');
    const svg = read(path.join(out, 'figures/sweep-bursty-accuracy-vs-steps.svg'));
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('bursty=0.9');

    // engram report remakes it.
    fs.rmSync(path.join(out, 'report.md'));
    const again = await inProcess(['report', out]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(`report: ${path.join(out, 'report.md')}\n`);
    expect(read(path.join(out, 'report.md'))).toBe(report);
  });

  it('a stopped sweep merges with its runs missing, reports those that finished, and resumes', async () => {
    const sweep = expandSweep<IclSequenceExperimentSpec>(
      { name: 'resume-bursty', base: 'tiny-bursty.json', vary: { seed: [3, 4] } },
      path.join(fixtures, 'resume-bursty.json'),
    );
    const out = path.join(tmp(), 'sweep');
    const control = new SharedRunControl();
    // One worker: seed=3 finishes, then seed=4 is stopped at its first update.
    const first = await runSweep(sweep, {
      out,
      workers: 1,
      control,
      onEvent: (e: SweepEvent) => {
        if (e.type === 'run-event' && e.id === 'seed=4' && e.event.type === 'update') control.stop = true;
      },
    });
    expect(first.runs.map((x) => x.state)).toEqual(['done', 'stopped']);

    const merged = path.join(path.dirname(out), 'merged');
    const merge = await inProcess(['merge', out, '--out', merged, '--json']);
    expect(merge.status, merge.stderr).toBe(1);
    expect(JSON.parse(merge.stdout)).toEqual({
      out: merged,
      copied: ['seed=3', 'seed=4'],
      present: [],
      missing: ['seed=4'],
      report: null,
    });
    const partial = await inProcess(['report', merged]);
    expect(partial.status, partial.stderr).toBe(0);
    const some = read(path.join(merged, 'report.md'));
    expect(some).toContain('- runs: 1 of 2 finished; not finished: seed=4\n');
    expect(some).toMatch(/\| every run \| transformer \| transformer \| [\d,]+ \| 1 \| /);

    const resumed = await inProcess(['sweep', '--resume', merged, '--plain']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/2 runs, 1 already done, 1 to run/);
    expect(resumed.stdout).toContain(`report: ${path.join(merged, 'report.md')}`);
    const all = read(path.join(merged, 'report.md'));
    expect(all).toContain('- runs: 2 of 2 finished\n');
    expect(all).toContain('2 seeds per cell: each number the mean over seeds with its 95% t interval over seeds');
    expect(all).toMatch(/\| every run \| lstm \| lstm \| [\d,]+ \| 2 \| 0\.\d{3} \[-?\d\.\d{3}, \d\.\d{3}\] \|/);
    // The stopped run went on from its checkpoint: every logged step once.
    const metrics = read(path.join(merged, 'runs/seed=4/metrics.jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const model of ['transformer', 'lstm'])
      expect(metrics.filter((m) => m.agent === model).map((m) => m.update)).toEqual([5, 10, 15, 20]);
  });

  it('refuses a bad vary path or value before anything runs: one line on stderr, exit status 2', async () => {
    const dir = tmp();
    const out = path.join(dir, 'out');
    const cases: [string[], RegExp][] = [
      [
        ['sweep', writeSweep(dir, { vary: { 'task.options.burstyy': [0.5] } }), '--out', out],
        /run burstyy=0\.5: icl-bursty: unknown option 'burstyy'/,
      ],
      [
        ['sweep', writeSweep(dir, { vary: { 'models.0.options.widht': [8] } }), '--out', out],
        /run widht=8: .*model 'transformer': unknown option 'widht'/,
      ],
      [
        ['sweep', writeSweep(dir, { vary: { 'models.2.options.hidden': [8] } }), '--out', out],
        /vary key 'models\.2\.options\.hidden': 'models' is a list of 2, so '2' is not one of its positions/,
      ],
      [
        ['sweep', writeSweep(dir, { vary: { 'training.evalEvry': [5] } }), '--out', out],
        /vary key 'training\.evalEvry' is not in the base experiment and not an experiment setting/,
      ],
      [
        ['sweep', writeSweep(dir, { vary: { 'training.workers': [1] } }), '--out', out],
        /vary key 'training\.workers' is not in the base experiment and not an experiment setting/,
      ],
      [
        ['sweep', writeSweep(dir, { vary: { 'training.warmupSteps': [5, 50] } }), '--out', out],
        /run warmupSteps=50: .*training\.warmupSteps \(50\) exceeds its steps \(20\)/,
      ],
      [
        ['sweep', writeSweep(dir, { vary: { 'models.1.model': ['gpt'] } }), '--out', out],
        /run model=gpt\): models\.1\.model/,
      ],
      [['sweep', 'no-such-sweep'], /unknown sweep 'no-such-sweep' \(built-in sweeps: (.*, )?emergent-icl\b/],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(fs.existsSync(out)).toBe(false);

    // A meta-RL sweep's report is engram compare's tables.
    const metaRl = path.join(dir, 'meta-rl');
    openSweepDir(metaRl, await loadSweep(path.join(fixtures, 'tiny-sweep.json')), null);
    const r = await inProcess(['report', metaRl]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is a sweep of meta-RL runs: npx engram compare .*\/runs\/\* gives its tables/);
  });
});

describe('sweeps of icl-regression experiments', () => {
  it('train every model (shipped checkpoints dropped), give each run its test loss, and a report table', async () => {
    const dir = tmp();
    const base: Record<string, unknown> = {
      kind: 'icl-regression',
      name: 'sweep-tiny-regression',
      task: { id: 'icl-regression', options: { dim: 2, examples: 4, noise: 0 } },
      models: [{ id: 'lsa-1', model: 'lsa', options: { layers: 1, heads: 1 }, checkpoint: 'icl-algorithms-lsa-1' }],
      training: { steps: 10, batchSize: 16, logEvery: 5 },
      evaluation: {
        sequences: 50,
        lineSearchSequences: 50,
        gdSteps: 2,
        curveExamples: [2, 4],
        curveSequences: 20,
      },
    };
    fs.writeFileSync(path.join(dir, 'base.json'), JSON.stringify(base));
    const sweep = expandSweep<IclExperimentSpec>(
      { name: 'regression', base: 'base.json', vary: { 'training.learningRate': [0.01] } },
      path.join(dir, 'sweep.json'),
    );
    expect(sweep.runs[0].spec.models[0]).not.toHaveProperty('checkpoint');
    const out = path.join(dir, 'sweep');
    const events: SweepEvent[] = [];
    const result = await runSweep(sweep, { out, workers: 1, onEvent: (e) => events.push(e) });
    expect(result.runs.map((x) => x.state)).toEqual(['done']);
    const end = events.find((e) => e.type === 'run-end');
    expect(end).toMatchObject({ headline: { agent: 'lsa-1', measure: 'test loss' } });
    const ev = json(path.join(out, 'runs/learningRate=0.01/eval.json'));
    expect(ev.shipped).toEqual({});
    expect((end as Extract<SweepEvent, { type: 'run-end' }>).headline?.value).toBe(ev.losses['lsa-1']);
    const r = await inProcess(['report', out]);
    expect(r.status, r.stderr).toBe(0);
    const report = read(path.join(out, 'report.md'));
    expect(report).toContain('| cell | model | kind | parameters | seeds | test loss | loss / one GD step |');
    expect(report).toMatch(/\| learningRate=0\.01 \| lsa-1 \| lsa \| \d+ \| 1 \| \d\.\d{4} \| \d\.\d{3} \|/);
    expect(report).toMatch(/\| learningRate=0\.01 \| gd-1 \| algorithm \| – \| 1 \| \d\.\d{4} \| 1\.000 \|/);
  });
});

describe('built-in sweeps', () => {
  it('are found by name, listed, and named by their file in Slurm scripts', async () => {
    const sweep = await loadSweep<IclSequenceExperimentSpec>('emergent-icl');
    expect(sweep.name).toBe('emergent-icl');
    expect(sweep.source).toBe(path.join(root, 'scripts/sweeps/emergent-icl.json'));
    expect(sweep.runs.map((r) => r.id)).toEqual([
      'bursty=0,zipf=0',
      'bursty=0,zipf=1',
      'bursty=0.9,zipf=0',
      'bursty=0.9,zipf=1',
    ]);
    const base = json(path.join(root, 'scripts/experiments/emergent-icl-bursty.json'));
    for (const run of sweep.runs) {
      expect(run.spec.kind).toBe('icl-sequence');
      expect(run.spec.task.options).toEqual({
        bursty: run.settings['task.options.bursty'],
        zipf: run.settings['task.options.zipf'],
      });
      expect(run.spec.models.map((m) => m.id)).toEqual(['transformer', 'lstm']);
      expect(run.spec.training).toMatchObject(base.training);
    }
    expect(sweep.runs[2].spec.name).toBe('emergent-icl-bursty-bursty-0-9-zipf-0');

    const list = await inProcess(['list']);
    expect(list.stdout).toMatch(
      /Built-in sweeps \(npx engram sweep <name>\):\n(?: {2}.*\n)*? {2}emergent-icl +in-context/,
    );
    expect(list.stdout).toMatch(/\n {2}bandit-wang2018-seeds +bandit-wang2018's LSTM-48/);
    expect(list.stdout).toMatch(/\n {2}harlow-lstm-seeds +harlow-lstm's LSTM-48/);

    const out = path.join(tmp(), 'cluster');
    const slurm = await inProcess(['sweep', 'emergent-icl', '--slurm', '--out', out]);
    expect(slurm.status, slurm.stderr).toBe(0);
    const array = read(path.join(out, 'sweep.sbatch'));
    expect(array).toContain('#SBATCH --array=0-3\n');
    expect(array).toContain(`sweep ${path.join(root, 'scripts/sweeps/emergent-icl.json')} --shard `);
    expect(json(path.join(out, 'sweep.json')).runs).toHaveLength(4);
  });
});
