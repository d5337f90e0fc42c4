// Options on the command line: quantities with units (`--task-option timeStep="100 ms"`), and
// `engram list --task/--agent`, which explains them.
import { describe, expect, it } from 'vitest';
import { engram } from '../helpers/engram.ts';

/** A tiny water maze run by `engram baseline` with extra arguments. */
function maze(...extra: string[]) {
  return engram([
    'baseline',
    '--task',
    'watermaze',
    '--agent',
    'random',
    '--episodes',
    '2',
    '--task-option',
    'timeout=5',
    ...extra,
  ]);
}

describe('quantities with units on the command line', () => {
  it('reach the task as text and are converted to its SI units', () => {
    // The shell has already removed the quotes of timeStep="500 ms": the argument is `timeStep=500 ms`.
    const out = maze('--task-option', 'timeStep=500 ms', '--task-option', 'placeFieldWidth=20cm', '--json');
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.options).toMatchObject({ timeStep: 0.5, placeFieldWidth: 0.2, timeout: 5 });
    // The same numbers as bare SI numbers give.
    const bare = JSON.parse(
      maze('--task-option', 'timeStep=0.5', '--task-option', 'placeFieldWidth=0.2', '--json').stdout,
    );
    expect(report).toEqual(bare);
  });

  it('print with their units in the readable summary', () => {
    const out = maze('--task-option', 'timeStep=500 ms');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/random on watermaze \(.*timeStep 0\.5 s, timeout 5 s,.*placeCells 493,/);
  });

  const bad: [string, string, RegExp][] = [
    ['the wrong dimension', 'timeStep=3 m', /^engram: watermaze: option 'timeStep' .* in s .*got '3 m'/],
    ['no quantity', 'swimSpeed=quickly', /^engram: watermaze: option 'swimSpeed' .* in m\/s .*got 'quickly'/],
    [
      'out of range once converted',
      'poolRadius=20 m',
      /^engram: watermaze: option 'poolRadius' must be between 0 and 10 m/,
    ],
  ];
  for (const [what, arg, message] of bad) {
    it(`${what}: one line on stderr naming the option and its unit, exit status 2`, () => {
      const out = maze('--task-option', arg, '--json');
      expect(out.status).toBe(2);
      expect(out.stdout).toBe('');
      const lines = out.stderr.trim().split('\n');
      expect(lines, out.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    });
  }
});
