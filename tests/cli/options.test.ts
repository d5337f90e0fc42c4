// Options on the command line: quantities with units (`--task-option timeStep="100 ms"`), and
// `engram list --task/--agent`, which explains them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engram, inProcess, tmp } from '../helpers/engram.ts';
import { writeSpec } from '../helpers/specs.ts';

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

/** A water maze run with no training (a plastic agent and the floor), its task options as given. */
function mazeSpec(options: Record<string, unknown>) {
  return {
    name: 'maze-units',
    seed: 3,
    task: { id: 'watermaze', options: { protocol: 'dmp', placeCells: 16, ...options } },
    agents: [{ id: 'actor-critic', options: { discount: 0.95 } }, { id: 'random' }],
    training: { updates: 1 },
    evaluation: { episodes: 4, compare: [], lesions: [] },
  };
}

describe('quantities with units in a spec', () => {
  it('run end to end like the same numbers in SI units, and the report prints them with their units', () => {
    const dir = tmp();
    const withUnits = { timeStep: '1 s', timeout: '0.5 min', placeFieldWidth: '20 cm', swimSpeed: '1.08 km/h' };
    const si = { timeStep: 1, timeout: 30, placeFieldWidth: 0.2, swimSpeed: 0.3 };
    const runs = [withUnits, si].map((options, i) => {
      const out = path.join(dir, `run-${i}`);
      const r = engram(['run', writeSpec(dir, mazeSpec(options)), '--out', out, '--json']);
      expect(r.status, r.stderr).toBe(0);
      return out;
    });
    const evaluation = (run: string) => fs.readFileSync(path.join(run, 'eval.json'), 'utf8');
    expect(JSON.parse(evaluation(runs[0])).taskOptions).toMatchObject(si);
    expect(evaluation(runs[0])).toBe(evaluation(runs[1]));
    // config.json keeps the spec as written.
    const config = JSON.parse(fs.readFileSync(path.join(runs[0], 'config.json'), 'utf8'));
    expect(config.task.options.timeStep).toBe('1 s');
    const report = fs.readFileSync(path.join(runs[0], 'report.md'), 'utf8');
    const line = report.split('\n').find((l) => l.startsWith('Task options: '));
    expect(line).toMatch(/^Task options: protocol dmp, days 1, .*poolRadius 1 m, platformRadius 0\.05 m, /);
    expect(line).toMatch(/, swimSpeed 0\.3 m\/s, timeStep 1 s, timeout 30 s, momentum 0\.333333\d*, /);
    expect(line).toMatch(/, placeCells 16, placeFieldWidth 0\.2 m, .*, reward 1, guide false\. /);
    expect(line).toMatch(/\. Agent options: actor-critic: discount 0\.95\. 4 held-out episodes/);
  });

  it('a quantity of the wrong dimension stops the run before it starts: one line, exit status 2', () => {
    const dir = tmp();
    const out = path.join(dir, 'never');
    const r = engram(['run', writeSpec(dir, mazeSpec({ timeout: '30 m' })), '--out', out, '--json']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^engram: watermaze: option 'timeout' .* in s .*got '30 m' \(m does not convert to s\)$/m);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('engram list --task, --agent', () => {
  it('--task prints every option with its description, default, range and unit, one line each', async () => {
    const out = await inProcess('list --task watermaze');
    expect(out.status).toBe(0);
    expect(out.stderr).toBe('');
    const lines = out.stdout.split('\n');
    expect(lines[0]).toMatch(/^watermaze: Morris water maze/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}option +type +default +range +unit +what it is$/));
    const line = (name: string) => lines.find((l) => l.startsWith(`  ${name} `));
    expect(line('timeStep')).toMatch(
      /^ {2}timeStep +number +0\.1 +\(0, 10\] +s +Δt, the time step \(Foster et al\. 2000: 0\.1\)$/,
    );
    expect(line('swimSpeed')).toMatch(/ 0\.3 +\(0, 10\] +m\/s +Swim speed/);
    expect(line('placeFieldWidth')).toMatch(/ 0\.16 +\(0, 10\] +m +σ, the place fields' width/);
    expect(line('protocol')).toMatch(/reference \| dmp +"reference" +— +— +reference or dmp/);
    expect(line('placeCells')).toMatch(/integer +493 +\[1, 10000\] +— +N, the number of place cells/);
    // One line per option, in the order of the record: 22 options (before the latent variables).
    const options = lines.slice(
      0,
      lines.findIndex((l) => l.startsWith('Latent variables')),
    );
    expect(options.filter((l) => /^ {2}[a-zA-Z]+ {2}/.test(l) && !l.startsWith('  option '))).toHaveLength(22);
    expect(out.stdout).toMatch(/a quantity in any unit of the same dimension.*poolRadius="1 m" on the command line/);
  });

  it("--task prints the task's latent variables, and --json gives them", async () => {
    const out = await inProcess('list --task watermaze');
    const lines = out.stdout.split('\n');
    const latents = lines.slice(lines.findIndex((l) => l.startsWith('Latent variables')) + 1);
    expect(latents[0]).toMatch(/^ {2}variable +size +kind +unit +what it is$/);
    expect(latents.slice(1).filter((l) => l !== '')).toEqual([
      expect.stringMatching(/^ {2}platform +2 +continuous +m +the trial's platform centre/),
      expect.stringMatching(/^ {2}position +2 +continuous +m +the agent's position/),
    ]);
    const bandit = await inProcess('list --task bandit-correlated');
    expect(bandit.stdout).toMatch(/\n {2}bestArm +1 +categorical \(2 classes\) +— +the arm with the highest/);
    expect(bandit.stdout).toMatch(/\n {2}pBetter0 +1 +continuous +— +.*\(a belief of bestArm\)\n/);
    expect((await inProcess('list --task icl-regression')).stdout).not.toMatch(/Latent variables/);
    const json = JSON.parse((await inProcess('list --task harlow --json')).stdout);
    expect(json.task.latentVariables).toEqual([
      expect.objectContaining({ name: 'rewardedSide', size: 1, kind: 'categorical', classes: 2 }),
      expect.objectContaining({ name: 'rewardedObject', size: 8, kind: 'continuous', unit: '' }),
    ]);
    const none = JSON.parse((await inProcess('list --task icl-regression --json')).stdout);
    expect(none.task.latentVariables).toEqual([]);
  });

  it('--agent prints the agent, its papers and its options', async () => {
    const out = await inProcess('list --agent lstm');
    expect(out.status).toBe(0);
    const lines = out.stdout.split('\n');
    expect(lines[0]).toMatch(/^lstm \(learned\): LSTM meta-trained by A2C/);
    expect(out.stdout).toMatch(/Papers: .*Wang et al\. 2018/);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}hidden +integer +48 +\[1, 1024\] +— +Number of hidden units \(Wang et al\. 2018: 48\)$/,
      ),
    );
    expect(out.stdout).not.toMatch(/a unit takes/);
    expect((await inProcess('list --agent random')).stdout).toMatch(/No options\./);
    const both = await inProcess('list --task bandit-bernoulli --agent ucb1');
    expect(both.stdout).toMatch(/^bandit-bernoulli: .*\n {2}arms .*\nucb1 \(classic\).*\n {2}c /s);
  });

  it('an unknown id is one line on stderr and exit status 2', () => {
    for (const args of [
      ['--task', 'nowhere'],
      ['--agent', 'nobody', '--json'],
    ]) {
      const out = engram(['list', ...args]);
      expect(out.status).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(/^engram: unknown (task 'nowhere'|agent 'nobody') \(known: /);
    }
  });

  it('--json gives every task and agent its options as JSON Schema, with descriptions and units', async () => {
    const out = await inProcess('list --json');
    expect(out.status).toBe(0);
    const list = JSON.parse(out.stdout);
    expect(Object.keys(list)).toEqual(['tasks', 'agents', 'experiments', 'sweeps']);
    expect(list.sweeps.map((s: { id: string }) => s.id)).toContain('emergent-icl');
    const maze = list.tasks.find((t: { id: string }) => t.id === 'watermaze');
    expect(maze.description).toMatch(/^Morris water maze/);
    expect(maze.options).toMatchObject({ type: 'object', additionalProperties: false });
    expect(maze.options.properties.timeStep).toEqual({
      type: 'number',
      default: 0.1,
      exclusiveMinimum: 0,
      maximum: 10,
      unit: 's',
      description: 'Δt, the time step (Foster et al. 2000: 0.1)',
    });
    expect(maze.options.properties.swimSpeed).toMatchObject({ unit: 'm/s', default: 0.3 });
    expect(maze.options.properties.protocol).toMatchObject({ enum: ['reference', 'dmp'], default: 'reference' });
    expect(maze.options.properties.placeCells.unit).toBeUndefined();
    for (const t of list.tasks) expect(Object.keys(t.options.properties).length, t.id).toBeGreaterThan(0);
    const lstm = list.agents.find((a: { id: string }) => a.id === 'lstm');
    expect(lstm).toMatchObject({
      kind: 'learned',
      options: { properties: { hidden: { type: 'integer', default: 48 } } },
    });
    expect(list.agents.find((a: { id: string }) => a.id === 'random').options.properties).toEqual({});
    expect(list.experiments.map((e: { id: string }) => e.id)).toContain('mechanisms');
  });

  it('--json with --task or --agent prints just those', async () => {
    const out = JSON.parse((await inProcess('list --task watermaze --agent epsilon-greedy --json')).stdout);
    expect(Object.keys(out)).toEqual(['task', 'agent']);
    expect(out.task.options.properties.poolRadius).toMatchObject({ unit: 'm', default: 1 });
    expect(out.agent.options.properties.epsilon).toMatchObject({
      type: 'number',
      default: 0.1,
      minimum: 0,
      maximum: 1,
    });
  });
});
