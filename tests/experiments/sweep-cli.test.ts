// `engram sweep` and `engram merge` as scripts and cluster jobs call them: exit statuses, the one
// JSON object, shards merged into the same results as the sweep run whole, and the Slurm scripts.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvalFile } from '../../src/experiments/evaluation.ts';
import { bin, engramAsync, inProcess, root, tmp } from '../helpers/engram.ts';

const fixtures = path.join(root, 'tests/fixtures/sweep');
const tinySweep = path.join(fixtures, 'tiny-sweep.json');

function writeSweep(dir: string, sweep: Record<string, unknown>): string {
  const file = path.join(dir, `sweep-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ name: 'cli', base: path.join(fixtures, 'tiny-bandit.json'), ...sweep }));
  return file;
}

function evaluation(runDir: string): EvalFile {
  const ev = JSON.parse(fs.readFileSync(path.join(runDir, 'eval.json'), 'utf8'));
  for (const a of Object.values(ev.agents) as Record<string, unknown>[]) delete a.trainingSeconds;
  return ev;
}

describe('engram sweep and merge on the command line', () => {
  it('shards merged together give the results of the sweep run whole', async () => {
    const dir = tmp();
    const [whole, shard0, shard1] = await Promise.all([
      engramAsync(['sweep', tinySweep, '--workers', '2', '--out', path.join(dir, 'whole'), '--json']),
      engramAsync([
        'sweep',
        tinySweep,
        '--shard',
        '0/2',
        '--workers',
        '1',
        '--out',
        path.join(dir, 'shard0'),
        '--plain',
      ]),
      engramAsync([
        'sweep',
        tinySweep,
        '--shard',
        '1/2',
        '--workers',
        '1',
        '--out',
        path.join(dir, 'shard1'),
        '--plain',
      ]),
    ]);
    expect(whole.status, whole.stderr).toBe(0);
    const lines = whole.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    expect(result).toMatchObject({
      out: path.join(dir, 'whole'),
      shard: null,
      stopped: false,
      done: 2,
      failed: 0,
      compare: `npx engram compare ${path.join(dir, 'whole')}/runs/*`,
    });
    expect(result.runs.map((r: { id: string }) => r.id)).toEqual(['seed=0', 'seed=1']);
    // Progress went to stderr, as plain lines.
    expect(whole.stderr).toMatch(/sweep tiny \(the whole sweep\): 2 runs, 0 already done, 2 to run on 2 workers/);
    expect(whole.stderr).toMatch(/seed=1: done, lstm /);
    expect(whole.stderr).not.toContain('\u001b');

    expect(shard0.status, shard0.stderr).toBe(0);
    expect(shard0.stdout).toMatch(/sweep tiny \(shard 0\/2\): 1 runs/);
    expect(shard0.stdout).toMatch(/sweep finished: 1 of 1 runs done in /);
    expect(fs.readdirSync(path.join(dir, 'shard0/runs'))).toEqual(['seed=0']);
    expect(shard1.status, shard1.stderr).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'shard1/runs'))).toEqual(['seed=1']);

    const merged = path.join(dir, 'merged');
    const merge = await inProcess([
      'merge',
      path.join(dir, 'shard0'),
      path.join(dir, 'shard1'),
      '--out',
      merged,
      '--json',
    ]);
    expect(merge.status, merge.stderr).toBe(0);
    expect(JSON.parse(merge.stdout)).toEqual({ out: merged, copied: ['seed=0', 'seed=1'], present: [], missing: [] });
    for (const id of ['seed=0', 'seed=1']) {
      expect(evaluation(path.join(merged, 'runs', id))).toEqual(evaluation(path.join(dir, 'whole/runs', id)));
    }

    // Running the finished sweep again (same --out) does nothing but report it.
    const again = await inProcess(['sweep', tinySweep, '--out', merged, '--plain']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/2 runs, 2 already done, 0 to run/);
    expect(again.stdout).toContain(`compare the runs: npx engram compare ${merged}/runs/*`);

    // A merge with a part missing says which runs are missing and exits 1.
    const partial = await inProcess(['merge', path.join(dir, 'shard0'), '--out', path.join(dir, 'partial')]);
    expect(partial.status).toBe(1);
    expect(partial.stdout).toMatch(/missing 1 of 2 runs: seed=1/);
    expect(partial.stdout).toContain(`finish them with: npx engram sweep --resume ${path.join(dir, 'partial')}`);
  });

  it('writes sbatch scripts for a job array over the shards and a dependent merge', async () => {
    const dir = tmp();
    const out = path.join(dir, 'cluster');
    const sweep = writeSweep(dir, { vary: { seed: [0, 1, 2], 'agents.0.options.hidden': [8, 16] } });
    const r = await inProcess([
      'sweep',
      sweep,
      '--slurm',
      '--shards',
      '3',
      '--cpus',
      '2',
      '--partition',
      'debug',
      '--time',
      '0:30:00',
      '--out',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`submit with: bash ${out}/submit.sh`);
    const array = fs.readFileSync(path.join(out, 'sweep.sbatch'), 'utf8');
    expect(array).toMatch(/^#!\/bin\/bash\n/);
    expect(array).toContain('#SBATCH --array=0-2\n');
    expect(array).toContain('#SBATCH --cpus-per-task=2\n');
    expect(array).toContain('#SBATCH --partition=debug\n');
    expect(array).toContain('#SBATCH --time=0:30:00\n');
    expect(array).toContain(`#SBATCH --chdir=${root}\n`);
    expect(array).toContain(`#SBATCH --output=${out}/slurm/sweep-%A_%a.out\n`);
    expect(array).toContain(
      `exec node ${bin} sweep ${sweep} --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" ` +
        `--workers 2 --out "${out}/shards/$SLURM_ARRAY_TASK_ID" --plain\n`,
    );
    const merge = fs.readFileSync(path.join(out, 'merge.sbatch'), 'utf8');
    expect(merge).toContain(`exec node ${bin} merge ${out}/shards/0 ${out}/shards/1 ${out}/shards/2 --out ${out}\n`);
    expect(merge).not.toContain('--array');
    const submit = fs.readFileSync(path.join(out, 'submit.sh'), 'utf8');
    expect(submit).toContain('array="$(sbatch --parsable "$here/sweep.sbatch")"');
    expect(submit).toContain('merge="$(sbatch --parsable --dependency=afterok:"$array" "$here/merge.sbatch")"');
    expect(fs.statSync(path.join(out, 'submit.sh')).mode & 0o111).not.toBe(0);
    for (const f of ['sweep.sbatch', 'merge.sbatch', 'submit.sh']) {
      const syntax = spawnSync('bash', ['-n', path.join(out, f)], { encoding: 'utf8' });
      expect(syntax.status, `${f}: ${syntax.stderr}`).toBe(0);
    }
    // The sweep directory is made, so the merge checks the shards against it; logs have a folder.
    expect(JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8')).runs).toHaveLength(6);
    expect(fs.existsSync(path.join(out, 'slurm'))).toBe(true);

    // One array task per run by default, one CPU each, no partition or time limit.
    const plain = await inProcess(['sweep', sweep, '--slurm', '--out', path.join(dir, 'default')]);
    expect(plain.status, plain.stderr).toBe(0);
    const defaults = fs.readFileSync(path.join(dir, 'default/sweep.sbatch'), 'utf8');
    expect(defaults).toContain('#SBATCH --array=0-5\n');
    expect(defaults).toContain('#SBATCH --cpus-per-task=1\n');
    expect(defaults).not.toMatch(/--partition|--time/);
  });

  it('bad specs and options: one line on stderr, exit status 2, nothing written', async () => {
    const dir = tmp();
    const good = writeSweep(dir, { vary: { seed: [0, 1] } });
    const taken = path.join(dir, 'taken');
    fs.mkdirSync(taken);
    fs.writeFileSync(path.join(taken, 'notes.txt'), 'mine');
    const cases: [string[], RegExp][] = [
      [['sweep', writeSweep(dir, { vary: { seed: [0] }, workers: 2 })], /invalid sweep spec .*: unknown key 'workers'/],
      [
        ['sweep', writeSweep(dir, { vary: { 'training.learnigRate': [0.1] } })],
        /vary key 'training\.learnigRate' is not in the base experiment/,
      ],
      [
        ['sweep', writeSweep(dir, { vary: { 'training.learningRate': [0.1, -1] } })],
        /run learningRate=-1\): training\.learningRate/,
      ],
      [
        ['sweep', writeSweep(dir, { vary: { 'agents.0.options.hidden': [8, 'big'] } })],
        /run hidden=big: lstm: option 'hidden'/,
      ],
      [['sweep', path.join(dir, 'missing.json')], /sweep spec not found/],
      [['sweep'], /missing sweep spec/],
      [['sweep', good, '--shard', '2/2'], /--shard 2\/2: I counts from 0 and must be below N \(2\)/],
      [['sweep', good, '--shard', 'half'], /--shard must look like I\/N/],
      [['sweep', good, '--workers', '0'], /--workers must be at least 1/],
      [['sweep', good, '--workers', 'many'], /--workers must be an integer/],
      [['sweep', good, '--resume', dir], /either a sweep spec or --resume DIR, not both/],
      [['sweep', '--resume', dir], /not a sweep directory \(no sweep\.json\)/],
      [['sweep', good, '--partition', 'debug'], /--partition goes with --slurm/],
      [['sweep', good, '--slurm', '--shard', '0/2'], /no --shard with it/],
      [['sweep', good, '--slurm', '--shards', '3'], /--shards must be between 1 and the sweep's 2 runs, got 3/],
      [['sweep', good, '--slurm', '--time', 'soon'], /--time must be a Slurm time limit/],
      [['sweep', good, '--out', taken], /exists and is not a sweep directory/],
      [['merge', dir], /not a sweep directory/],
    ];
    // The command line's own main() in this process (a process each would spend its second loading
    // TypeScript), and two of the cases in real processes, for the exit status itself.
    const runs: [string[], RegExp, 'process' | 'main'][] = [
      ...cases.slice(0, 2).map(([a, m]) => [a, m, 'process'] as [string[], RegExp, 'process']),
      ...cases.map(([a, m]) => [a, m, 'main'] as [string[], RegExp, 'main']),
    ];
    for (const [args, message, how] of runs) {
      const r = how === 'process' ? await engramAsync(args) : await inProcess(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(fs.readdirSync(taken)).toEqual(['notes.txt']);
    // No sweep directory was made under the default place either.
    const runsDir = path.join(root, 'runs');
    expect(fs.existsSync(runsDir) ? fs.readdirSync(runsDir).filter((d) => d.startsWith('sweep-cli-')) : []).toEqual([]);
  });
});
