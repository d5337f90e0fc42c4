import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockRunDir } from '../../src/experiments/lock.ts';
import { engram, tmp, usageMessage } from '../helpers/engram.ts';
import { tinySpec, writeSpec } from '../helpers/specs.ts';

function writeLock(dir: string, pid: number, host: string, ageMs = 0): void {
  const file = path.join(dir, 'lock');
  fs.writeFileSync(file, JSON.stringify({ pid, host, startedAt: '2026-11-30T00:00:00.000Z' }));
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(file, t, t);
}

describe('run directory locks', () => {
  it('refuse a second writer while the holder lives, and take over from one that is gone', () => {
    const dir = tmp();
    const holder = spawn('sleep', ['30']);
    try {
      writeLock(dir, holder.pid as number, os.hostname());
      expect(usageMessage(() => lockRunDir(dir))).toMatch(new RegExp(`is being written by process ${holder.pid}`));
    } finally {
      holder.kill();
    }
    const gone = spawnSync('true');
    writeLock(dir, gone.pid as number, os.hostname());
    const lock = lockRunDir(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'lock'), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(dir, 'lock'))).toBe(false);
  });

  it('from another host: refused while touched in the last five minutes, taken over after', () => {
    const dir = tmp();
    writeLock(dir, 1, 'another-node', 60_000);
    expect(usageMessage(() => lockRunDir(dir))).toMatch(/on another-node/);
    writeLock(dir, 1, 'another-node', 10 * 60_000);
    lockRunDir(dir).release();
  });

  it('engram run --resume on a directory another process is writing: one line, exit 2, nothing touched', () => {
    const out = path.join(tmp(), 'run');
    const first = engram(['run', writeSpec(tmp(), tinySpec({ updates: 4 })), '--out', out, '--json']);
    expect(first.status, first.stderr).toBe(0);
    const holder = spawn('sleep', ['30']);
    try {
      writeLock(out, holder.pid as number, os.hostname());
      const before = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8');
      const again = engram(['run', '--resume', out, '--json']);
      expect(again.status).toBe(2);
      expect(again.stderr.trim().split('\n')).toHaveLength(1);
      expect(again.stderr).toMatch(/is being written by process/);
      expect(fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')).toBe(before);
    } finally {
      holder.kill();
    }
  });
});
