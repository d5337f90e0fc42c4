// The spatial tasks through the command line: their measures in `engram baseline --json`, bad
// options as one line on stderr with exit status 2, and the built-in specs validate.

import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/experiments/spec.ts';
import { engram } from '../helpers/engram.ts';

describe('spatial tasks on the command line', () => {
  it('engram baseline reports escape latency by trial and day for the actor-critic in the water maze', () => {
    const out = engram(
      'baseline --agent actor-critic --task watermaze --task-option protocol=dmp --task-option ' +
        'days=2 --task-option timeStep=1 --task-option timeout=20 --task-option placeCells=64 ' +
        '--episodes 4 --json',
    );
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.escapeLatencyByTrial).toHaveLength(8);
    expect(report.escapeLatencyByDay).toHaveLength(2);
    expect(report.escapeLatencyByTrialOfDay).toHaveLength(4);
    for (const e of report.escapeLatencyByTrial) expect(e.mean).toBeLessThanOrEqual(20);
    expect(report.options).toMatchObject({ protocol: 'dmp', timeStep: 1, timeout: 20 });
  });

  it('engram baseline reports goal hits and steps between hits in grid-goal', () => {
    const out = engram('baseline --agent random --task grid-goal --episodes 20 --json');
    expect(out.status).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.goalHits.n).toBe(20);
    expect(report.meanTotalReward).toBeCloseTo(10 * report.goalHits.mean, 9);
  });

  it('bad options and agents that cannot play exit 2 with one line naming the problem', () => {
    for (const args of [
      ['--agent', 'random', '--task', 'watermaze', '--task-option', 'protocol=probe'],
      ['--agent', 'random', '--task', 'grid-goal', '--task-option', 'size=12'],
      ['--agent', 'actor-critic', '--task', 'grid-goal'],
    ]) {
      const out = engram(['baseline', ...args, '--episodes', '1']);
      expect(out.status, args.join(' ')).toBe(2);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('the built-in watermaze-dmp and grid-goal specs validate', async () => {
    expect((await loadExperiment('watermaze-dmp')).task.options).toMatchObject({ protocol: 'dmp', days: 1 });
    expect((await loadExperiment('grid-goal')).task.id).toBe('grid-goal');
  });
});
