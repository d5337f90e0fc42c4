// One writer per run directory: a process that writes a run (a new run, a resume, a sweep's run)
// holds `lock` in it, so that a second `engram run --resume` of the same directory is refused
// instead of racing the first over metrics and checkpoints. The lock file names the process and
// its host and is touched every minute. A lock left by a process that died (killed, out of time on
// a cluster) is taken over: on the same host when its process is gone, on another host when it has
// not been touched for five minutes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';

const HEARTBEAT_MS = 60_000;
/** A lock from another host that has not been touched for this long belongs to a process that is gone. */
const STALE_MS = 5 * 60_000;

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** Whether the holder of a lock is gone, so that the lock may be taken over. */
function stale(file: string, info: LockInfo | null): boolean {
  if (info === null) return true;
  if (info.host === os.hostname()) return info.pid !== process.pid && !alive(info.pid);
  const age = Date.now() - fs.statSync(file).mtimeMs;
  return age > STALE_MS;
}

/** A held lock: release it when the run stops writing. */
export interface RunLock {
  release(): void;
}

/**
 * Takes the lock of the run directory `dir`, or throws a UsageError naming the process that holds
 * it. A lock this process already holds is shared (a suite's parts inside its directory).
 */
export function lockRunDir(dir: string): RunLock {
  const file = path.join(dir, 'lock');
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      const timer = setInterval(() => {
        const now = new Date();
        try {
          fs.utimesSync(file, now, now);
        } catch {
          // The directory was removed under the run; the run itself will report what fails.
        }
      }, HEARTBEAT_MS);
      timer.unref();
      return {
        release() {
          clearInterval(timer);
          if (readLock(file)?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const held = readLock(file);
      if (held !== null && held.pid === process.pid && held.host === mine.host) return { release() {} };
      if (!stale(file, held)) {
        throw new UsageError(
          `${dir} is being written by process ${held?.pid} on ${held?.host} (since ${held?.startedAt}); ` +
            `wait for it to finish or stop it (remove ${file} if that process is gone)`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new UsageError(`${dir}: could not take its lock (${file})`);
}
