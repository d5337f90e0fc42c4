// The command line in tests, as scripts and users run it: `node bin/engram.js …` in a child process
// (synchronously, or asynchronously when several must run at once), and `main()` in this process
// with what it writes captured.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { UsageError } from '../../src/core/errors.ts';

export const root = path.resolve(import.meta.dirname, '../..');
export const bin = path.join(root, 'bin/engram.js');

/** What a command printed and its exit status. */
export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Arguments as an array, or as one string split at spaces. */
function argv(args: string | readonly string[]): string[] {
  return typeof args === 'string' ? args.split(' ').filter((a) => a !== '') : [...args];
}

/** Runs the command to its end; CI is set (plain output) unless `env` says otherwise. */
export function engram(args: string | readonly string[], env: NodeJS.ProcessEnv = { CI: 'true' }): CommandResult {
  const r = spawnSync(process.execPath, [bin, ...argv(args)], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the command without waiting, so that several can run at once. */
export function engramAsync(args: string | readonly string[]): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...argv(args)], { cwd: root, env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** main() of the command line in this process, with what it writes captured. */
export async function inProcess(
  args: string | readonly string[],
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const status = await main(argv(args));
    return { status, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** A fresh temporary directory. */
export function tmp(prefix = 'engram-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The message of the UsageError `f` throws (the test fails if it throws nothing or something else). */
export function usageMessage(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return err.message;
  }
  throw new Error('expected a UsageError');
}

/** The message of the UsageError the promise `f` returns rejects with. */
export async function usageMessageAsync(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return err.message;
  }
  throw new Error('expected a UsageError');
}
