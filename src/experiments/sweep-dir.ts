// A sweep directory on disk:
//   sweep.json     the expansion: every run's id, settings and complete spec, the sweep's hash and,
//                  for a shard, which part of the sweep this directory holds
//   runs/<id>/     ordinary run directories (engram report, compare and dashboard read them)
//   status.json    the state of every run of this directory (queued, training, done, failed with
//                  its error, …), rewritten by the sweep as runs start and end
// A run is finished when its eval.json exists, and resumable when its config.json does; both
// facts come from the run directory itself, so a killed sweep leaves nothing to repair.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import { atomicWriteJson, readJsonFile } from './io.ts';
import type { ExperimentSpec } from './spec.ts';
import { describeIssues } from './spec.ts';
import {
  type ExpandedSweep,
  parseSweepExperiment,
  type Shard,
  type SweepExperimentSpec,
  type SweepRun,
} from './sweep-spec.ts';

const SWEEP_FORMAT = 'engram-sweep';

const ShardSchema = z.strictObject({ index: z.number().int().min(0), count: z.number().int().min(1) });

const SweepFileSchema = z.strictObject({
  format: z.literal(SWEEP_FORMAT),
  version: z.literal(1),
  name: z.string(),
  description: z.string(),
  source: z.string(),
  base: z.string(),
  hash: z.string(),
  /** The part of the sweep this directory runs (null: all of it). */
  shard: ShardSchema.nullable(),
  vary: z.record(z.string(), z.array(z.unknown())),
  runs: z.array(
    z.strictObject({
      index: z.number().int().min(0),
      id: z.string().min(1),
      settings: z.record(z.string(), z.unknown()),
      spec: z.unknown(),
    }),
  ),
});
type SweepFile = z.infer<typeof SweepFileSchema>;

/** Where a run of the sweep stands on disk. */
export type DiskState = 'done' | 'partial' | 'new';

export type RunState = 'queued' | 'training' | 'evaluating' | 'done' | 'failed' | 'stopped';

export interface RunStatus {
  state: RunState;
  /** Why a failed run failed. */
  error?: string;
}

export function runDir(out: string, id: string): string {
  return path.join(out, 'runs', id);
}

export function diskState(out: string, id: string): DiskState {
  const dir = runDir(out, id);
  if (fs.existsSync(path.join(dir, 'eval.json'))) return 'done';
  return fs.existsSync(path.join(dir, 'config.json')) ? 'partial' : 'new';
}

/**
 * Reads a sweep directory's sweep.json back into the expansion it was written from (`S` as in
 * SweepRun: the kind of experiment the caller expects, SweepExperimentSpec when any).
 */
export function readSweepDir<S extends SweepExperimentSpec = ExperimentSpec>(
  dir: string,
): { sweep: ExpandedSweep<S>; shard: Shard | null } {
  const file = path.join(dir, 'sweep.json');
  if (!fs.existsSync(file)) throw new UsageError(`not a sweep directory (no sweep.json): ${dir}`);
  const parsed = SweepFileSchema.safeParse(readJsonFile(file, 'sweep file'));
  if (!parsed.success) throw new UsageError(`${file} is not an engram sweep file: ${describeIssues(parsed.error)}`);
  const f = parsed.data;
  const runs: SweepRun<S>[] = f.runs.map((r) => ({
    index: r.index,
    id: r.id,
    settings: r.settings,
    spec: parseSweepExperiment(r.spec, `${file} (run ${r.id})`) as S,
  }));
  return {
    sweep: {
      name: f.name,
      description: f.description,
      source: f.source,
      base: f.base,
      vary: f.vary,
      runs,
      hash: f.hash,
    },
    shard: f.shard,
  };
}

export function writeSweepFile(dir: string, sweep: ExpandedSweep<SweepExperimentSpec>, shard: Shard | null): void {
  const file: SweepFile = {
    format: SWEEP_FORMAT,
    version: 1,
    name: sweep.name,
    description: sweep.description,
    source: sweep.source,
    base: sweep.base,
    hash: sweep.hash,
    shard,
    vary: sweep.vary,
    runs: sweep.runs.map((r) => ({ index: r.index, id: r.id, settings: r.settings, spec: r.spec })),
  };
  atomicWriteJson(path.join(dir, 'sweep.json'), file, 2);
}

export function shardName(shard: Shard | null): string {
  return shard === null ? 'the whole sweep' : `shard ${shard.index}/${shard.count}`;
}

/**
 * Makes `out` the directory of this sweep (or shard), or checks that it already is: a directory
 * holding another sweep, another shard of this one, or anything else is refused, so nothing in it
 * is overwritten.
 */
export function openSweepDir(out: string, sweep: ExpandedSweep<SweepExperimentSpec>, shard: Shard | null): void {
  if (fs.existsSync(path.join(out, 'sweep.json'))) {
    const existing = readSweepDir(out);
    if (existing.sweep.hash !== sweep.hash) {
      throw new UsageError(
        `${out} holds another sweep ('${existing.sweep.name}', other runs or settings); choose another --out`,
      );
    }
    if (JSON.stringify(existing.shard) !== JSON.stringify(shard)) {
      throw new UsageError(
        `${out} holds ${shardName(existing.shard)} of this sweep, not ${shardName(shard)}; choose another --out`,
      );
    }
    return;
  }
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0)) {
    throw new UsageError(`${out} exists and is not a sweep directory; choose another --out`);
  }
  fs.mkdirSync(path.join(out, 'runs'), { recursive: true });
  writeSweepFile(out, sweep, shard);
}

export function writeStatus(out: string, status: ReadonlyMap<string, RunStatus>): void {
  atomicWriteJson(path.join(out, 'status.json'), { runs: Object.fromEntries(status) }, 2);
}

/** The status of every run of a directory as its files show it (for runs no sweep process is running). */
export function statusFromDisk(out: string, runs: readonly SweepRun<SweepExperimentSpec>[]): Map<string, RunStatus> {
  return new Map(
    runs.map((r) => [r.id, { state: diskState(out, r.id) === 'done' ? 'done' : 'queued' } satisfies RunStatus]),
  );
}
