import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engram, root, tmp } from '../helpers/engram.ts';
import { tinySpec, writeSpec } from '../helpers/specs.ts';
import { readEventDir } from '../helpers/tfevents.ts';

const bin = path.join(
  root,
  'bin/engram.js',
); /** A tiny spec (LSTM-8, 30 updates) with `training` changed, written into `dir`. */
function cliSpec(dir: string, training: Record<string, unknown>): string {
  return writeSpec(dir, tinySpec({ updates: 30, batchSize: 8, checkpointEvery: 10, logEvery: 5, ...training }, 8));
}

describe('engram run and eval', () => {
  it('runs a spec end to end, then evaluates its checkpoint with --json', () => {
    const dir = tmp();
    const out = path.join(dir, 'run');
    const run = engram(['run', cliSpec(dir, {}), '--out', out, '--json']);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.runDir).toBe(out);
    expect(result.eval.agents.lstm.episodes).toBe(40);
    expect(run.stderr).not.toContain('\u001b');
    for (const f of ['config.json', 'metrics.jsonl', 'eval.json', 'checkpoints/lstm.json'])
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);

    const ev = engram([
      'eval',
      path.join(out, 'checkpoints/lstm.json'),
      '--episodes',
      '30',
      '--compare',
      'random,thompson',
      '--json',
    ]);
    expect(ev.status).toBe(0);
    const e = JSON.parse(ev.stdout);
    expect(e.paramsHashBefore).toBe(e.paramsHashAfter);
    expect(e.episodes).toBe(30);
    expect(e.pBestByTrial).toHaveLength(20);
    expect(Object.keys(e.compare)).toEqual(['random', 'thompson']);
    expect(typeof e.compare.thompson.expectedRegret.mean).toBe('number');
  });

  it('rejects truncated, corrupted and missing checkpoints and bad specs with one line and status 2', () => {
    const dir = tmp();
    const out = path.join(dir, 'run');
    expect(engram(['run', cliSpec(dir, { updates: 5 }), '--out', out, '--plain']).status).toBe(0);
    const good = fs.readFileSync(path.join(out, 'checkpoints/lstm.json'), 'utf8');
    const truncated = path.join(dir, 'truncated.json');
    fs.writeFileSync(truncated, good.slice(0, Math.floor(good.length / 2)));
    const wrongShape = path.join(dir, 'wrong-shape.json');
    const ck = JSON.parse(good);
    ck.params['core.weightHidden'].data.pop();
    fs.writeFileSync(wrongShape, JSON.stringify(ck));
    const notCheckpoint = path.join(dir, 'other.json');
    fs.writeFileSync(notCheckpoint, '{"hello": 1}');
    const cases: [string[], RegExp][] = [
      [['eval', truncated], /not valid JSON/],
      [['eval', wrongShape], /core\.weightHidden/],
      [['eval', notCheckpoint], /not an engram checkpoint/],
      [['eval', path.join(dir, 'missing.json')], /not found/],
      [['run', 'no-such-experiment'], /unknown experiment 'no-such-experiment'/],
      [['run', cliSpec(dir, { learningRate: -1 })], /training\.learningRate/],
      [['run', cliSpec(dir, { learnigRate: 0.1 })], /unknown key 'training\.learnigRate'/],
      [['run', '--resume', path.join(dir, 'nothing-here')], /no run directory/],
      [['run', cliSpec(dir, {}), '--out', out], /already holds a run/],
    ];
    for (const [args, message] of cases) {
      const r = engram(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    // Nothing already written was touched by the failed commands.
    expect(fs.readFileSync(path.join(out, 'checkpoints/lstm.json'), 'utf8')).toBe(good);
  });

  it('a run killed with SIGKILL resumes from its last checkpoint and ends like an uninterrupted one', async () => {
    const dir = tmp();
    const spec = cliSpec(dir, { updates: 400, checkpointEvery: 20 });
    const whole = path.join(dir, 'whole');
    expect(engram(['run', spec, '--out', whole, '--plain']).status).toBe(0);

    const killed = path.join(dir, 'killed');
    const child = spawn(process.execPath, [bin, 'run', spec, '--out', killed, '--plain'], {
      cwd: root,
      stdio: 'ignore',
    });
    const ckFile = path.join(killed, 'checkpoints/lstm.json');
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (fs.existsSync(ckFile)) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
    });
    await new Promise((r) => child.on('exit', r));
    expect(fs.existsSync(path.join(killed, 'eval.json'))).toBe(false);
    const resumed = engram(['run', '--resume', killed, '--plain']);
    expect(resumed.status).toBe(0);
    const a = JSON.parse(fs.readFileSync(path.join(whole, 'checkpoints/lstm.json'), 'utf8'));
    const b = JSON.parse(fs.readFileSync(ckFile, 'utf8'));
    expect(b.params).toEqual(a.params);
    const ea = JSON.parse(fs.readFileSync(path.join(whole, 'eval.json'), 'utf8'));
    const eb = JSON.parse(fs.readFileSync(path.join(killed, 'eval.json'), 'utf8'));
    // Everything but the training wall time is identical.
    delete ea.agents.lstm.trainingSeconds;
    delete eb.agents.lstm.trainingSeconds;
    expect(eb.agents).toEqual(ea.agents);
    // TensorBoard's curves too: one event file, the same steps, each once, with the same training scalars.
    const curves = (run: string) => {
      const { files, events } = readEventDir(path.join(run, 'tb', 'lstm'));
      expect(files).toHaveLength(1);
      return events[0].map((e) => ({ step: e.step, values: e.values.filter(([tag]) => !tag.startsWith('perf/')) }));
    };
    expect(curves(killed)).toEqual(curves(whole));
  });
});
