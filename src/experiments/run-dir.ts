// Run directories, whatever the kind of run: a new one is made with its resolved spec in
// config.json (never over another run), an old one is opened to resume, metrics.jsonl is cut back
// to what the checkpoints cover when a run resumes, and run.json records when the run started and
// finished, its wall time over every invocation, and the code version that made it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { atomicWriteJson, atomicWriteText, readJsonFile, readJsonl } from './io.ts';

/** A time stamp for directory names: UTC, to the second (20261126-141502). */
export function timestampId(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

/**
 * Makes the directory of a new run of `spec` (by default runs/<name>-s<seed>-<time>) and writes
 * config.json with `subdirs` inside; a directory that already holds a run is refused.
 */
export function createRunDir(
  spec: { name: string; seed: number },
  out: string | undefined,
  subdirs: readonly string[] = ['checkpoints'],
): string {
  const runDir = path.resolve(out ?? path.join('runs', `${spec.name}-s${spec.seed}-${timestampId()}`));
  if (fs.existsSync(path.join(runDir, 'config.json'))) {
    throw new UsageError(`${runDir} already holds a run; resume it with --resume ${runDir} or choose another --out`);
  }
  for (const sub of subdirs) fs.mkdirSync(path.join(runDir, sub), { recursive: true });
  fs.mkdirSync(runDir, { recursive: true });
  atomicWriteJson(path.join(runDir, 'config.json'), spec, 2);
  return runDir;
}

/** The absolute path of an existing run directory, and its parsed config.json (a UsageError when there is none). */
export function openRunDir(runDir: string): { dir: string; config: unknown } {
  const dir = path.resolve(runDir);
  if (!fs.existsSync(dir)) throw new UsageError(`no run directory at ${runDir}`);
  if (!fs.statSync(dir).isDirectory()) throw new UsageError(`not a run directory (it is a file): ${runDir}`);
  const config = path.join(dir, 'config.json');
  if (!fs.existsSync(config)) throw new UsageError(`not a run directory (no config.json): ${runDir}`);
  return { dir, config: readJsonFile(config, 'run configuration') };
}

/** The `kind` of the run in a directory (meta-rl when its config.json has none), or null if it holds no run. */
export function runKind(dir: string): string | null {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) return null;
  const kind = (readJsonFile(file, 'run configuration') as { kind?: unknown }).kind;
  return typeof kind === 'string' ? kind : 'meta-rl';
}

/** The checkpoint of one agent (or model) of a run. */
export function checkpointFile(runDir: string, key: string): string {
  return path.join(runDir, 'checkpoints', `${key}.json`);
}

/**
 * Cuts metrics.jsonl back to what the checkpoints cover: for each agent (the record's `field`),
 * its first `keep.get(agent)` records (none for an agent without a checkpoint). Returns the records kept.
 */
export function truncateMetrics(
  metricsFile: string,
  field: string,
  keep: ReadonlyMap<string, number>,
): Record<string, unknown>[] {
  const seen = new Map<string, number>();
  const kept = readJsonl(metricsFile).filter((r) => {
    const key = String(r[field]);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n <= (keep.get(key) ?? 0);
  });
  atomicWriteText(metricsFile, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return kept;
}

/** What a run records about itself when it ends (run.json). */
export interface RunInfo {
  startedAt: string;
  finishedAt: string;
  /** Wall time of the whole run, over every invocation (a resumed run adds up). */
  wallSeconds: number;
  gitCommit: string | null;
  node: string;
}

/**
 * The code version: the git commit of the working tree (marked when it has local changes), or null outside a
 * repository.
 */
export function codeVersion(cwd = process.cwd()): string | null {
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    const commit = git(['rev-parse', 'HEAD']);
    return git(['status', '--porcelain', '--untracked-files=no']) !== '' ? `${commit} (with local changes)` : commit;
  } catch {
    return null;
  }
}

/** When an invocation of a run started. */
export interface RunStart {
  at: Date;
  ms: number;
}

export function runStart(): RunStart {
  return { at: new Date(), ms: performance.now() };
}

/**
 * Records in run.json when the run ended, how long it took over all its invocations (a stopped
 * run's earlier time comes from the previous run.json), and the code version.
 */
export function writeRunInfo(runDir: string, started: RunStart): RunInfo {
  const file = path.join(runDir, 'run.json');
  const previous = fs.existsSync(file) ? (readJsonFile(file, 'run information') as RunInfo) : null;
  const info: RunInfo = {
    startedAt: previous?.startedAt ?? started.at.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: Math.round(((previous?.wallSeconds ?? 0) + (performance.now() - started.ms) / 1000) * 10) / 10,
    gitCommit: codeVersion(),
    node: process.version,
  };
  atomicWriteJson(file, info, 2);
  return info;
}
