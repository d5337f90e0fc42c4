// Gathering the parts of a sweep (the shard directories of a cluster job array, or any sweep
// directories of the same sweep) into one sweep directory. Everything is checked before anything
// is copied: the parts must carry the same expansion (hash), no run may come from two parts, and
// a run already in the target must be the same finished run, so a refused merge changes nothing
// and a repeated one is harmless. Run directories are copied (the parts stay as they were), each
// under a temporary name first, so a merge killed midway never leaves a half-copied run under a
// run's name.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { diskState, openSweepDir, readSweepDir, runDir, shardName, statusFromDisk, writeStatus } from './sweep-dir.ts';
import type { ExpandedSweep, SweepExperimentSpec } from './sweep-spec.ts';

export interface MergeResult {
  out: string;
  sweep: ExpandedSweep<SweepExperimentSpec>;
  /** Runs copied into `out` by this merge. */
  copied: string[];
  /** Runs `out` already held, identical to a part's. */
  present: string[];
  /** Runs of the sweep not finished in `out` (absent, or stopped before their evaluation). */
  missing: string[];
}

export function mergeSweeps(
  parts: readonly string[],
  outDir: string | undefined,
  defaultOut: (sweep: ExpandedSweep<SweepExperimentSpec>) => string,
): MergeResult {
  if (parts.length === 0) throw new UsageError('merge: name at least one sweep directory');
  const dirs = parts.map((p) => path.resolve(p));
  const read = dirs.map((dir) => ({ dir, ...readSweepDir<SweepExperimentSpec>(dir) }));
  const { sweep } = read[0];
  const out = path.resolve(outDir ?? defaultOut(sweep));
  const seenShards = new Map<string, string>();
  const seenDirs = new Set<string>();
  for (const part of read) {
    if (part.sweep.hash !== sweep.hash)
      throw new UsageError(
        `${part.dir} is part of another sweep than ${read[0].dir} ('${part.sweep.name}': other runs or settings)`,
      );
    if (part.dir === out) throw new UsageError(`${part.dir} is both a part and the target; merge into another --out`);
    if (seenDirs.has(part.dir)) throw new UsageError(`${part.dir} is named twice`);
    seenDirs.add(part.dir);
    if (part.shard !== null) {
      const key = `${part.shard.index}/${part.shard.count}`;
      const other = seenShards.get(key);
      if (other !== undefined) throw new UsageError(`${other} and ${part.dir} are both ${shardName(part.shard)}`);
      seenShards.set(key, part.dir);
    }
  }

  // Which part each run comes from: every run directory a part holds (finished or not, so that
  // a run stopped by a time limit can be resumed in the merged directory).
  const ids = new Set(sweep.runs.map((r) => r.id));
  const source = new Map<string, string>();
  for (const part of read) {
    const runsDir = path.join(part.dir, 'runs');
    if (!fs.existsSync(runsDir)) continue;
    for (const id of fs.readdirSync(runsDir).sort()) {
      if (id.startsWith('.')) continue;
      if (!ids.has(id)) throw new UsageError(`${path.join(runsDir, id)} is not a run of sweep '${sweep.name}'`);
      if (diskState(part.dir, id) === 'new') continue;
      const other = source.get(id);
      if (other !== undefined)
        throw new UsageError(`run ${id} is in both ${other} and ${part.dir}; merge only one of them`);
      source.set(id, part.dir);
    }
  }

  const copy: string[] = [];
  const present: string[] = [];
  const targetHolds = fs.existsSync(path.join(out, 'sweep.json'));
  if (targetHolds) {
    const target = readSweepDir<SweepExperimentSpec>(out);
    if (target.sweep.hash !== sweep.hash)
      throw new UsageError(
        `${out} holds another sweep ('${target.sweep.name}': other runs or settings); merge into another --out`,
      );
    if (target.shard !== null)
      throw new UsageError(`${out} holds ${shardName(target.shard)}; merge into a directory of the whole sweep`);
  }
  for (const [id, from] of source) {
    const target = runDir(out, id);
    if (!targetHolds || !fs.existsSync(target)) {
      copy.push(id);
      continue;
    }
    const same =
      diskState(out, id) === 'done' &&
      diskState(from, id) === 'done' &&
      sameFile(path.join(target, 'eval.json'), path.join(runDir(from, id), 'eval.json'));
    if (!same) throw new UsageError(`run ${id} is already in ${out} and differs from the one in ${from}`);
    present.push(id);
  }

  openSweepDir(out, sweep, null);
  for (const id of copy) {
    const from = runDir(source.get(id)!, id);
    const temporary = path.join(out, 'runs', `.${id}.merging-${process.pid}`);
    fs.rmSync(temporary, { recursive: true, force: true });
    fs.cpSync(from, temporary, { recursive: true });
    fs.renameSync(temporary, runDir(out, id));
  }
  const status = statusFromDisk(out, sweep.runs);
  writeStatus(out, status);
  const missing = sweep.runs.filter((r) => status.get(r.id)!.state !== 'done').map((r) => r.id);
  return { out, sweep, copied: copy, present, missing };
}

function sameFile(a: string, b: string): boolean {
  return fs.readFileSync(a).equals(fs.readFileSync(b));
}
