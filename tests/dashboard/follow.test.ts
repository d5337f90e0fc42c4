import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { openFollowedRun as openRunDir, RunFollower } from '../../src/dashboard/follow.ts';
import { DashboardStore } from '../../src/dashboard/store.ts';
import type { RunEvent } from '../../src/experiments/events.ts';
import { runHeader } from '../../src/experiments/plan.ts';
import { engram } from '../helpers/engram.ts';
import { metrics, result, spec } from './events.ts';

function runDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-dash-'));
  fs.mkdirSync(path.join(dir, 'checkpoints'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec, null, 2));
  return dir;
}

function record(update: number, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ agent: 'lstm', ...metrics(update), wallSeconds: update / 10, ...extra })}\n`;
}

function finish(dir: string): void {
  fs.writeFileSync(path.join(dir, 'checkpoints', 'lstm.json'), JSON.stringify({ update: 400, done: true, params: {} }));
  fs.writeFileSync(
    path.join(dir, 'eval.json'),
    JSON.stringify({
      experiment: 'dash-test',
      agents: { lstm: result('lstm', 'learned', 68.5, 6.25), thompson: result('thompson', 'classic', 72.43, 2.87) },
    }),
  );
}

describe('following a run directory', () => {
  it('turns a growing metrics.jsonl, the checkpoints and eval.json into run events', () => {
    const dir = runDir();
    const events: RunEvent[] = [];
    const store = new DashboardStore();
    const follower = new RunFollower(dir, runHeader(spec), (e) => {
      events.push(e);
      store.handle(e);
    });
    expect(follower.poll()).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['run-start']);

    // A record cut mid-line waits for its end.
    const metricsFile = path.join(dir, 'metrics.jsonl');
    const r20 = record(20);
    fs.writeFileSync(metricsFile, record(10) + r20.slice(0, 30));
    follower.poll();
    expect(store.agents[0].update).toBe(10);
    fs.appendFileSync(metricsFile, r20.slice(30) + record(30, { 'train/gradNorm': null }));
    follower.poll();
    expect(store.agents[0]).toMatchObject({ update: 30, updates: 400, status: 'training' });
    expect(store.agents[0].wallSeconds).toBeCloseTo(3);
    expect(store.log.some((l) => l.level === 'warn' && l.text === 'lstm: non-finite train/gradNorm at update 30')).toBe(
      true,
    );

    fs.appendFileSync(metricsFile, record(400));
    finish(dir);
    expect(follower.poll()).toBe(true);
    expect(events.map((e) => e.type).slice(-5)).toEqual(['checkpoint', 'train-end', 'eval', 'eval', 'run-end']);
    expect(store.phase).toBe('done');
    expect(store.evaluation.map((r) => [r.agent, r.frozen])).toEqual([
      ['lstm', true],
      ['thompson', false],
    ]);
  });

  it('starts over when a resumed run rewrites metrics.jsonl', () => {
    const dir = runDir();
    const metricsFile = path.join(dir, 'metrics.jsonl');
    fs.writeFileSync(metricsFile, record(10) + record(20) + record(30));
    const store = new DashboardStore();
    const follower = new RunFollower(dir, runHeader(spec), store.handle);
    follower.poll();
    expect(store.agents[0].update).toBe(30);
    // What run.ts does on resume: an atomic rewrite with only the records the checkpoint covers.
    fs.writeFileSync(`${metricsFile}.tmp`, record(10));
    fs.renameSync(`${metricsFile}.tmp`, metricsFile);
    follower.poll();
    expect(store.resumed).toBe(true);
    expect(store.agents[0].update).toBe(10);
  });

  it('rejects a missing or non-run directory', () => {
    expect(() => openRunDir(path.join(os.tmpdir(), 'engram-no-such-run'))).toThrow(UsageError);
    expect(() => openRunDir(fs.mkdtempSync(path.join(os.tmpdir(), 'engram-empty-')))).toThrow(/no config\.json/);
  });
});

describe('engram dashboard', () => {
  it('prints a finished run as plain lines when stdout is not a terminal, and exits', () => {
    const dir = runDir();
    fs.writeFileSync(path.join(dir, 'metrics.jsonl'), record(10) + record(200) + record(400));
    finish(dir);
    const r = engram(['dashboard', dir], { CI: '' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain('lstm 100.0% update 400/400');
    expect(r.stdout).toContain('eval thompson: reward 72.43');
  });

  it('exits with status 2 and one line on stderr for a directory that is not a run', () => {
    const r = engram(['dashboard', path.join(os.tmpdir(), 'engram-no-such-run')], { CI: '' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no run directory at');
  });
});
