// Sweep specs: the expansion (order, ids, settings, what a sweep forces), its validation, and the
// partition of a sweep into shards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentTraining, type ExperimentSpec, loadAnyExperiment, type SuiteSpec } from '../../src/experiments/spec.ts';
import { builtinSweeps, expandSweep, loadSweep, parseShard, shardRuns } from '../../src/experiments/sweep-spec.ts';
import { usageMessage } from '../helpers/engram.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/sweep');
const base = JSON.parse(fs.readFileSync(path.join(fixtures, 'tiny-bandit.json'), 'utf8'));

/** Expands a sweep whose base is the tiny bandit experiment (changed by `change`), from a file in a fresh directory. */
function expand(sweep: Record<string, unknown>, change: (b: Record<string, any>) => void = () => {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-sweep-spec-'));
  const b = structuredClone(base);
  change(b);
  fs.writeFileSync(path.join(dir, 'base.json'), JSON.stringify(b));
  return expandSweep({ name: 'test', base: 'base.json', ...sweep }, path.join(dir, 'sweep.json'));
}

describe('expanding a sweep', () => {
  it('is the cartesian product, first key slowest, with ids made of the settings', () => {
    const s = expand({
      vary: { seed: [0, 1, 2], 'agents.0.options.hidden': [8, 16], 'training.learningRate': [7e-4] },
    });
    expect(s.runs.map((r) => r.id)).toEqual([
      'seed=0,hidden=8,learningRate=0.0007',
      'seed=0,hidden=16,learningRate=0.0007',
      'seed=1,hidden=8,learningRate=0.0007',
      'seed=1,hidden=16,learningRate=0.0007',
      'seed=2,hidden=8,learningRate=0.0007',
      'seed=2,hidden=16,learningRate=0.0007',
    ]);
    expect(s.runs.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    const r = s.runs[3];
    expect(r.settings).toEqual({ seed: 1, 'agents.0.options.hidden': 16, 'training.learningRate': 7e-4 });
    expect(r.spec.seed).toBe(1);
    expect(r.spec.agents[0].options).toEqual({ hidden: 16 });
    expect(r.spec.training.learningRate).toBe(7e-4);
    // Everything not varied is the base's.
    expect(r.spec.training.updates).toBe(30);
    expect(r.spec.task).toEqual(base.task);
  });

  it(
    "names each run's experiment by its settings other than the seed, " + 'so compare groups the seeds of a setting',
    () => {
      const s = expand({ vary: { seed: [0, 1], 'agents.0.options.hidden': [8, 16], 'training.learningRate': [7e-4] } });
      expect(s.runs.map((r) => r.spec.name)).toEqual([
        'sweep-tiny-hidden-8-learningrate-0-0007',
        'sweep-tiny-hidden-16-learningrate-0-0007',
        'sweep-tiny-hidden-8-learningrate-0-0007',
        'sweep-tiny-hidden-16-learningrate-0-0007',
      ]);
      expect(expand({ vary: { seed: [0, 1] } }).runs.map((r) => r.spec.name)).toEqual(['sweep-tiny', 'sweep-tiny']);
      // Settings that would share a name once lower-cased get hashed names instead.
      const hashed = expand({ vary: { description: ['A', 'a'] } }).runs.map((r) => r.spec.name);
      expect(hashed[0]).toMatch(/^sweep-tiny-[0-9a-f]{8}$/);
      expect(hashed[1]).not.toBe(hashed[0]);
    },
  );

  it('gives the same ids and hash every time, and another hash when any run changes', () => {
    const a = expand({ vary: { seed: [0, 1] } });
    const b = expand({ vary: { seed: [0, 1] } });
    expect(b.runs.map((r) => r.id)).toEqual(a.runs.map((r) => r.id));
    expect(b.hash).toBe(a.hash);
    expect(expand({ vary: { seed: [0, 2] } }).hash).not.toBe(a.hash);
    expect(expand({ vary: { seed: [0, 1] } }, (x) => (x.training.updates = 31)).hash).not.toBe(a.hash);
  });

  it('trains every run on one thread and always trains (never a shipped checkpoint)', () => {
    const s = expand({ vary: { seed: [0] } }, (x) => {
      x.training.workers = 2;
      x.agents[0].checkpoint = 'bandit-wang2018-lstm';
      x.agents[0].training = { workers: 3 };
    });
    expect(s.runs[0].spec.training.workers).toBe(1);
    expect(s.runs[0].spec.agents[0].training?.workers).toBe(1);
    expect(s.runs[0].spec.agents[0].checkpoint).toBeUndefined();
  });

  it('deep-merges the overrides into the base before varying', () => {
    const s = expand({
      overrides: { training: { updates: 5 }, evaluation: { compare: ['thompson'] } },
      vary: { seed: [0] },
    });
    expect(s.runs[0].spec.training.updates).toBe(5);
    expect(s.runs[0].spec.training.learningRate).toBe(0.01);
    expect(s.runs[0].spec.evaluation.compare).toEqual(['thompson']);
    expect(s.runs[0].spec.evaluation.episodes).toBe(40);
  });

  it('names keys by their shortest distinct tail, and long or structured values by a short hash', () => {
    const s = expand(
      {
        vary: {
          'agents.0.options.hidden': [8],
          'agents.1.options.hidden': [16],
          'task.options.variant': ['easy', 'hard'],
          'agents.1.training': [{ learningRate: 0.001 }],
        },
      },
      (x) => x.agents.push({ id: 'gru', options: { hidden: 8 } }),
    );
    const id = s.runs[0].id;
    expect(id).toMatch(/^0\.options\.hidden=8,1\.options\.hidden=16,variant=easy,training=[0-9a-f]{8}$/);
    expect(s.runs[1].id).toContain('variant=hard');
    expect(s.runs[0].spec.agents[1].training).toEqual({ learningRate: 0.001 });
    // The override keeps the experiment's other settings, including the sweep's one thread per run.
    expect(agentTraining(s.runs[0].spec, s.runs[0].spec.agents[1])).toMatchObject({
      learningRate: 0.001,
      workers: 1,
      updates: s.runs[0].spec.training.updates,
    });
  });

  it('accepts a setting the base leaves at its default', () => {
    const s = expand({ vary: { 'training.entropyEnd': [0.01], 'evaluation.batchSize': [20] } });
    expect(s.runs[0].spec.training.entropyEnd).toBe(0.01);
    expect(s.runs[0].spec.evaluation.batchSize).toBe(20);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown sweep key', { vary: { seed: [0] }, varry: {} }, /unknown key 'varry'/],
    ['nothing to vary', { vary: {} }, /vary: name at least one setting to vary/],
    ['an empty list', { vary: { seed: [] } }, /vary\.seed/],
    [
      'a key that is no setting',
      { vary: { 'training.learnigRate': [0.1] } },
      new RegExp(
        "vary key 'training\\.learnigRate' is not in the base experiment and not an experiment setting " +
          "\\(unknown key 'training\\.learnigRate'\\)",
      ),
    ],
    [
      'an agent the base does not have',
      { vary: { 'agents.3.options.hidden': [8] } },
      /vary key 'agents\.3\.options\.hidden': 'agents' is a list of 1, so '3' is not one of its positions/,
    ],
    ['a path through a value', { vary: { 'seed.x': [1] } }, /vary key 'seed\.x': 'seed' is 0, not an object/],
    [
      'a task option the task does not take',
      { vary: { 'task.options.hiden': [3] } },
      /run hiden=3: bandit-correlated: unknown option 'hiden'/,
    ],
    [
      'an agent option out of range',
      { vary: { 'agents.0.options.hidden': [8, 0] } },
      /run hidden=0: lstm: option 'hidden'/,
    ],
    [
      'a value out of range',
      { vary: { 'training.learningRate': [-1] } },
      /run learningRate=-1\): training\.learningRate/,
    ],
    [
      'training.workers',
      { vary: { 'training.workers': [1, 2] } },
      /a sweep trains each run on one thread; set how many runs go at once with --workers/,
    ],
    [
      'two values with one id',
      { vary: { 'task.options.variant': ['a b', 'a-b'] } },
      /lists "a b" and "a-b", which give the same run id 'a-b'/,
    ],
    [
      'an unknown base',
      { base: 'nowhere.json', vary: { seed: [0] } },
      /base 'nowhere\.json' is neither a built-in experiment/,
    ],
    [
      'a suite as its base',
      { base: 'mechanisms', vary: { seed: [0] } },
      /base mechanisms is a suite experiment; a sweep varies one meta-RL experiment/,
    ],
  ];
  for (const [what, sweep, message] of bad) {
    it(`refuses ${what}, naming it`, () => {
      expect(usageMessage(() => expand(sweep))).toMatch(message);
    });
  }

  it('takes a built-in experiment as its base', () => {
    const s = expandSweep(
      { name: 'wang', base: 'bandit-wang2018', overrides: { training: { updates: 10 } }, vary: { seed: [0, 1] } },
      'inline.json',
    );
    expect(s.runs.map((r) => r.spec.agents[0].options)).toEqual([{ hidden: 48 }, { hidden: 48 }]);
    expect(s.runs[1].spec.training).toMatchObject({ updates: 10, workers: 1, learningRate: 0.0007 });
  });
});

describe('shards', () => {
  it('parses I/N from 0 and refuses anything else', () => {
    expect(parseShard('0/2')).toEqual({ index: 0, count: 2 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    for (const [text, message] of [
      ['2/2', /I counts from 0 and must be below N \(2\), got 2/],
      ['1/0', /N must be at least 1/],
      ['1', /must look like I\/N/],
      ['-1/2', /must look like I\/N/],
      ['a/b', /must look like I\/N/],
    ] as const) {
      expect(usageMessage(() => parseShard(text))).toMatch(message);
    }
  });

  it('cover every run exactly once, about equally', () => {
    const runs = Array.from({ length: 11 }, (_, index) => ({ index }));
    for (const count of [1, 2, 3, 4, 11, 13]) {
      const parts = Array.from({ length: count }, (_, index) => shardRuns(runs, { index, count }).map((r) => r.index));
      expect(parts.flat().sort((a, b) => a - b)).toEqual(runs.map((r) => r.index));
      const sizes = parts.map((p) => p.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(shardRuns(runs, null)).toEqual(runs);
  });
});

describe('the built-in sweeps', () => {
  it('all load and expand into valid runs', async () => {
    for (const { id } of builtinSweeps()) {
      const sweep = await loadSweep(id);
      expect(sweep.runs.length, id).toBeGreaterThan(0);
    }
  });

  it('train the mechanisms suite with equal budgets within each task', async () => {
    const bandit = await loadSweep('mechanisms-bandit-seeds');
    const spiking = await loadSweep('bandit-lsnn-seeds');
    const budget = (runs: typeof bandit.runs) =>
      runs.flatMap((r) =>
        r.spec.agents.map((a) => agentTraining(r.spec, a).updates * agentTraining(r.spec, a).batchSize),
      );
    expect(new Set([...budget(bandit.runs), ...budget(spiking.runs)])).toEqual(new Set([3000 * 32]));
    expect(bandit.runs.map((r) => r.spec.seed)).toEqual([0, 1, 2]);
    // The suite's bandit agents are the sweeps' recipes: the same options and training (but threads).
    const suite = (await loadAnyExperiment('mechanisms')) as SuiteSpec;
    const part = suite.parts.find((p) => p.name === 'bandit')!;
    const recipe = (spec: ExperimentSpec, a: ExperimentSpec['agents'][number]) => ({
      id: a.id,
      options: a.options,
      training: { ...agentTraining(spec, a), workers: 1, checkpointEvery: 0 },
    });
    const trained = [...bandit.runs[0].spec.agents.map((a) => recipe(bandit.runs[0].spec, a))];
    for (const run of [spiking.runs[0], spiking.runs[3]]) trained.push(recipe(run.spec, run.spec.agents[0]));
    const seeded = part.agents.filter((a) => a.checkpoint?.startsWith('mechanisms-bandit-'));
    expect(seeded.map((a) => recipe(part, a))).toEqual(trained);
    expect(part.seeds).toEqual([0, 1, 2]);
    expect(spiking.runs.map((r) => [r.spec.agents[0].options.beta, r.spec.seed])).toEqual([
      [50, 0],
      [50, 1],
      [50, 2],
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
  });

  it("train Harlow's part of the mechanisms suite: both agents at 24000 updates × 32 episodes, 3 seeds", async () => {
    const lstm = await loadSweep('mechanisms-harlow-seeds');
    const lsnn = await loadSweep('mechanisms-harlow-lsnn-seeds');
    const suite = (await loadAnyExperiment('mechanisms')) as SuiteSpec;
    const part = suite.parts.find((p) => p.name === 'harlow')!;
    const recipe = (spec: ExperimentSpec, a: ExperimentSpec['agents'][number]) => ({
      id: a.id,
      options: a.options,
      training: { ...agentTraining(spec, a), workers: 1, checkpointEvery: 0, logEvery: 0 },
    });
    for (const [sweep, checkpoint] of [
      [lstm, 'mechanisms-harlow-lstm-s{seed}'],
      [lsnn, 'mechanisms-harlow-lsnn-s{seed}'],
    ] as const) {
      const run = sweep.runs[0].spec;
      const agent = part.agents.find((a) => a.checkpoint === checkpoint)!;
      expect(recipe(part, agent)).toEqual(recipe(run, run.agents[0]));
      const training = agentTraining(run, run.agents[0]);
      expect(training.updates * training.batchSize).toBe(24000 * 32);
    }
    // Seed 0 of the LSNN is the shipped harlow-lsnn, trained by its experiment (seed 0).
    expect([...lstm.runs.map((r) => r.spec.seed), ...lsnn.runs.map((r) => r.spec.seed)]).toEqual([0, 1, 2, 1, 2]);
    expect(part.seeds).toEqual([0, 1, 2]);
  });
});
