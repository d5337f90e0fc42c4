// Tasks and agents of one's own, named by module in specs and on the command line: runs (on worker
// threads), resume, reports, eval of their checkpoints, sweeps, baselines, checks; and every way a
// module can be wrong gets one line and exit status 2.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/experiments/checkpoint.ts';
import { importPlugin, loadTaskModule, registerTask } from '../../src/experiments/plugins.ts';
import { findTask } from '../../tasks/index.ts';
import { engram, root, tmp, usageMessageAsync } from '../helpers/engram.ts';

const fixtures = path.join(root, 'tests/fixtures/plugins');
const fixture = (name: string) => path.join(fixtures, name);

describe('modules of tasks and agents', () => {
  it('are imported, checked and registered once; a taken id is refused', async () => {
    const plugin = await importPlugin(fixture('sure-bandit.ts'));
    expect(plugin.tasks.map((t) => t.id)).toEqual(['sure-bandit']);
    expect(await loadTaskModule(fixture('sure-bandit.ts'))).toBe('sure-bandit');
    expect(await loadTaskModule(fixture('sure-bandit.ts'))).toBe('sure-bandit');
    expect(findTask('sure-bandit').create({ trials: 3 }).episodeLength).toBe(3);
    const impostor = { ...findTask('harlow') };
    expect(() => registerTask(impostor)).toThrow(/a task with id 'harlow' is already registered/);
  });

  it('say what is wrong with a module, in one line naming it', async () => {
    expect(await usageMessageAsync(() => importPlugin(fixture('nope.ts')))).toMatch(/nope\.ts: no such file/);
    expect(await usageMessageAsync(() => importPlugin(fixture('not-a-task.ts')))).toMatch(
      /not-a-task\.ts exports no task or agent/,
    );
    expect(await usageMessageAsync(() => importPlugin(fixture('throws.ts')))).toMatch(
      /throws\.ts cannot be loaded: this module cannot start/,
    );
    expect(await usageMessageAsync(() => loadTaskModule(fixture('sure-bandit.ts'), 'other'))).toMatch(
      /has no task 'other' \(it has: sure-bandit\)/,
    );
  });
});

describe('the command line with modules', () => {
  it('engram check: a good module passes, a broken one gets one line and exit 2', () => {
    const ok = engram(['check', fixture('sure-bandit.ts'), '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).ok).toBe(true);
    const agent = engram(['check', fixture('stubborn-agent.ts'), '--task', fixture('sure-bandit.ts')]);
    expect(agent.status, agent.stderr).toBe(0);
    expect(agent.stdout).toMatch(/agent 'stubborn' on task 'sure-bandit': ok/);
    for (const [name, problem] of [
      ['broken-task.ts', /task 'leaky-bandit': the observation after reset has 2 at 0, outside its space \[1, 1\]/],
      ['not-a-task.ts', /exports no task or agent/],
      ['missing.ts', /missing\.ts: no such file/],
    ] as const) {
      const r = engram(['check', fixture(name)]);
      expect(r.status, name).toBe(2);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(r.stderr).toMatch(problem);
    }
  });

  it('a spec naming a module runs on two threads, resumes, reports, and its checkpoint evaluates', () => {
    const out = path.join(tmp(), 'run');
    const run = engram(['run', fixture('sure-spec.json'), '--out', out, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.task).toMatchObject({ id: 'sure-bandit', module: fixture('sure-bandit.ts') });
    const checkpoint = path.join(out, 'checkpoints', 'lstm.json');
    expect(readCheckpoint(checkpoint).task.module).toBe(fixture('sure-bandit.ts'));
    const evaluation = JSON.parse(run.stdout).eval;
    expect(evaluation.agents.thompson.totalReward.mean).toBeGreaterThan(evaluation.agents.random.totalReward.mean);

    const resumed = engram(['run', '--resume', out, '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(engram(['report', out]).status).toBe(0);
    const ev = engram(['eval', checkpoint, '--episodes', '20', '--compare', 'random', '--json']);
    expect(ev.status, ev.stderr).toBe(0);
    expect(JSON.parse(ev.stdout).episodes).toBe(20);
  });

  it('a sweep of a spec naming a module, and a baseline of a module agent on a module task', () => {
    const out = path.join(tmp(), 'sweep');
    const sweep = engram(['sweep', fixture('sure-sweep.json'), '--workers', '2', '--out', out, '--json']);
    expect(sweep.status, sweep.stderr).toBe(0);
    expect(JSON.parse(sweep.stdout).runs.map((r: { state: string }) => r.state)).toEqual(['done', 'done']);
    // A Slurm-style shard loads the module in its own process, and merges with the others.
    const shard = engram(['sweep', fixture('sure-sweep.json'), '--shard', '1/2', '--out', `${out}-1`, '--json']);
    expect(shard.status, shard.stderr).toBe(0);
    expect(JSON.parse(shard.stdout).runs.map((r: { id: string }) => r.id)).toEqual(['seed=1']);
    const merged = engram(['merge', `${out}-1`, '--out', `${out}-merged`]);
    expect(merged.status).toBe(1);
    expect(merged.stdout).toMatch(/missing 1 of 2 runs: seed=0/);
    // Resuming the merged sweep runs the missing shard's run, loading the module again.
    const resumed = engram(['sweep', '--resume', `${out}-merged`, '--json']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const evals = (dir: string, id: string) =>
      JSON.parse(fs.readFileSync(path.join(dir, 'runs', id, 'eval.json'), 'utf8'), (key, value) =>
        key === 'trainingSeconds' ? undefined : value,
      ).agents;
    for (const id of ['seed=0', 'seed=1']) expect(evals(`${out}-merged`, id)).toEqual(evals(out, id));
    const baseline = engram([
      'baseline',
      '--agent',
      fixture('stubborn-agent.ts'),
      '--task',
      fixture('sure-bandit.ts'),
      '--episodes',
      '40',
      '--json',
    ]);
    expect(baseline.status, baseline.stderr).toBe(0);
    // Always arm 0: on this bandit, half the episodes pay 0.9 and half 0.1.
    expect(JSON.parse(baseline.stdout).totalReward.mean).toBeGreaterThan(3);
  });
});
