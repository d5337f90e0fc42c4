// The command line as scripts call it: `node bin/engram.js ...` in a child process.

import { describe, expect, it } from 'vitest';
import { engram } from '../helpers/engram.ts';

describe('engram baseline', () => {
  it('--json prints exactly one JSON object with the documented fields', () => {
    const out = engram(
      'baseline --agent thompson --task bandit-bernoulli --arms 3 --trials 20 --episodes 200 --seed 5 --json',
    );
    expect(out.status).toBe(0);
    expect(out.stderr).toBe('');
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]);
    expect(report).toMatchObject({
      task: 'bandit-bernoulli',
      agent: 'thompson',
      episodes: 200,
      seed: 5,
      options: { arms: 3, trials: 20 },
    });
    expect(report.meanTotalReward).toBe(report.totalReward.mean);
    expect(report.totalReward.ci95).toHaveLength(2);
    expect(report.expectedRegret.mean).toBeGreaterThan(0);
    expect(report.pBestByTrial).toHaveLength(20);
    expect(report.stayAfterWin.mean).toBeGreaterThan(0);
    expect(report.shiftAfterLose.mean).toBeGreaterThan(0);
    // Same seed, same numbers.
    const again = JSON.parse(
      engram('baseline --agent thompson --task bandit-bernoulli --arms 3 --trials 20 --episodes 200 --seed 5 --json')
        .stdout,
    );
    expect(again).toEqual(report);
  });

  it('without --json prints a readable summary', () => {
    const out = engram('baseline --agent random --task harlow --episodes 50');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/random on harlow/);
    expect(out.stdout).toMatch(/total reward/);
    expect(out.stdout).toMatch(/P\(best choice\) by trial/);
  });

  it('passes task and agent options through', () => {
    const out = engram(
      'baseline --agent epsilon-greedy --agent-option epsilon=0.3 ' +
        '--task bandit-correlated --variant hard --trials 10 --episodes 20 --json',
    );
    expect(out.status).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.options).toEqual({ trials: 10, variant: 'hard' });
    expect(report.agentOptions).toEqual({ epsilon: 0.3 });
  });

  const bad: [string, string[], RegExp][] = [
    [
      'one arm',
      ['--agent', 'random', '--task', 'bandit-bernoulli', '--arms', '1'],
      /option 'arms' must be between 2 and 50, got 1/,
    ],
    [
      'zero trials',
      ['--agent', 'random', '--task', 'bandit-bernoulli', '--trials', '0'],
      /option 'trials' must be between 1 and 1000, got 0/,
    ],
    [
      'an unknown variant',
      ['--agent', 'random', '--task', 'bandit-correlated', '--variant', 'wild'],
      /option 'variant' must be one of/,
    ],
    ['an unknown agent', ['--agent', 'nobody', '--task', 'bandit-bernoulli'], /unknown agent 'nobody'/],
    ['an unknown task', ['--agent', 'random', '--task', 'nowhere'], /unknown task 'nowhere'/],
    [
      'a non-numeric value',
      ['--agent', 'random', '--task', 'bandit-bernoulli', '--arms', 'many'],
      /--arms must be an integer, got 'many'/,
    ],
    [
      'an option the task does not take',
      ['--agent', 'random', '--task', 'harlow', '--arms', '3'],
      /harlow: unknown option 'arms'/,
    ],
    [
      'an agent that cannot play the task',
      ['--agent', 'ucb1', '--task', 'harlow'],
      /agent 'ucb1' cannot play task 'harlow'/,
    ],
    [
      'a bad agent option',
      ['--agent', 'ucb1', '--task', 'bandit-bernoulli', '--agent-option', 'c=-1'],
      /ucb1: option 'c' must be between 0 and 100, got -1/,
    ],
    [
      'zero episodes',
      ['--agent', 'random', '--task', 'bandit-bernoulli', '--episodes', '0'],
      /--episodes must be a positive integer/,
    ],
    ['a missing --agent', ['--task', 'bandit-bernoulli'], /--agent/],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: one line on stderr, exit status 2, nothing on stdout`, () => {
      const out = engram(['baseline', ...args, '--json']);
      expect(out.status).toBe(2);
      expect(out.stdout).toBe('');
      const lines = out.stderr.trim().split('\n');
      expect(lines, out.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    });
  }
});

describe('engram list', () => {
  it('shows the registered tasks and agents', () => {
    const out = engram('list --json');
    expect(out.status).toBe(0);
    const list = JSON.parse(out.stdout);
    const tasks = list.tasks.map((t: { id: string }) => t.id);
    const agents = list.agents.map((a: { id: string }) => a.id);
    expect(tasks).toEqual(
      expect.arrayContaining(['bandit-bernoulli', 'bandit-correlated', 'bandit-restless', 'harlow']),
    );
    expect(agents).toEqual(
      expect.arrayContaining(['random', 'greedy', 'epsilon-greedy', 'ucb1', 'thompson', 'oracle']),
    );
    expect(engram('list').stdout).toMatch(/bandit-restless/);
  });
});
