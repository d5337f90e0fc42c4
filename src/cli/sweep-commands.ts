// The `sweep` and `merge` subcommands: option handling and output around sweep.ts, merge.ts and
// slurm.ts. Progress goes to the sweep dashboard on a terminal, plain lines elsewhere (to stderr
// with --json, whose one object is the only thing on stdout). A sweep of in-context experiments
// ends with its report (src/report/sweep-report.ts) once every run has finished, whether the
// sweep itself or a merge finished it; a meta-RL sweep points to `engram compare`.
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { sweepPlainProgress } from '../dashboard/sweep-plain.ts';
import { type MergeResult, mergeSweeps } from '../experiments/merge.ts';
import { timestampId } from '../experiments/run-dir.ts';
import { SharedRunControl } from '../experiments/shared-control.ts';
import { type SlurmFiles, type SlurmOptions, writeSlurmScripts } from '../experiments/slurm.ts';
import { runSweep, type SweepEvent, type SweepResult } from '../experiments/sweep.ts';
import { readSweepDir } from '../experiments/sweep-dir.ts';
import {
  type ExpandedSweep,
  loadSweep,
  parseShard,
  type Shard,
  type SweepExperimentSpec,
  sweepFile,
} from '../experiments/sweep-spec.ts';
import { writeSweepReport } from '../report/sweep-report.ts';
import { withProgress } from './progress.ts';

export interface SweepCommandOptions extends SlurmOptions {
  workers?: number;
  out?: string;
  resume?: string;
  shard?: string;
  plain?: boolean;
  json?: boolean;
  slurm?: boolean;
}

/** runs/sweep-<name>-<time>, with the shard for a shard's directory. */
function defaultSweepDir(sweep: ExpandedSweep<SweepExperimentSpec>, shard: Shard | null = null): string {
  return path.join(
    'runs',
    `sweep-${sweep.name}-${timestampId()}${shard === null ? '' : `-shard${shard.index}of${shard.count}`}`,
  );
}

/**
 * The report of a sweep of in-context experiments: its file, or null while runs are missing (or
 * for a shard, whose report is the merged sweep's). Meta-RL sweeps have none (engram compare).
 */
export interface SweepReport {
  file: string | null;
}

export type SweepCommandResult =
  | { kind: 'sweep'; result: SweepResult; report?: SweepReport }
  | { kind: 'slurm'; files: SlurmFiles };

/** Whether a sweep's runs are in-context experiments (which have a sweep report rather than engram compare). */
function inContext(sweep: ExpandedSweep<SweepExperimentSpec>): boolean {
  const kind = sweep.runs[0]?.spec.kind;
  return kind === 'icl-sequence' || kind === 'icl-regression';
}

/**
 * `engram sweep <sweep.json|name>`, `engram sweep --resume DIR` and `engram sweep <sweep.json|name>
 * --slurm`; a name that is no file is a built-in sweep (scripts/sweeps/).
 */
export async function sweepCommand(ref: string | undefined, opts: SweepCommandOptions): Promise<SweepCommandResult> {
  if (opts.resume !== undefined && ref !== undefined)
    throw new UsageError('give either a sweep spec or --resume DIR, not both');
  if (opts.resume === undefined && ref === undefined)
    throw new UsageError('missing sweep spec: engram sweep <sweep.json> (or --resume DIR)');
  if (opts.workers !== undefined && opts.workers < 1)
    throw new UsageError(`--workers must be at least 1, got ${opts.workers}`);
  if (!opts.slurm) {
    for (const flag of ['shards', 'cpus', 'partition', 'time'] as const) {
      if (opts[flag] !== undefined) throw new UsageError(`--${flag} goes with --slurm`);
    }
  }
  if (opts.resume !== undefined) {
    if (opts.out !== undefined || opts.shard !== undefined || opts.slurm)
      throw new UsageError(
        '--resume continues a sweep directory as it was started: no --out, --shard or --slurm with it',
      );
    const { sweep, shard } = readSweepDir<SweepExperimentSpec>(path.resolve(opts.resume));
    return withReport(sweep, shard, await execute(sweep, opts.resume, shard, opts));
  }
  const sweep = await loadSweep<SweepExperimentSpec>(ref!);
  if (opts.slurm) {
    if (opts.shard !== undefined)
      throw new UsageError('--slurm writes a job array that runs every shard: no --shard with it');
    // The scripts name the sweep's file, a built-in sweep's too, so every node reads the same spec.
    const files = writeSlurmScripts(sweepFile(ref!), sweep, opts.out ?? defaultSweepDir(sweep), opts);
    return { kind: 'slurm', files };
  }
  const shard = opts.shard !== undefined ? parseShard(opts.shard) : null;
  return withReport(sweep, shard, await execute(sweep, opts.out ?? defaultSweepDir(sweep, shard), shard, opts));
}

/** The result, with the report of a sweep of in-context experiments written once every run of it has finished. */
async function withReport(
  sweep: ExpandedSweep<SweepExperimentSpec>,
  shard: Shard | null,
  result: SweepResult,
): Promise<SweepCommandResult> {
  if (!inContext(sweep)) return { kind: 'sweep', result };
  const finished = shard === null && result.runs.every((r) => r.state === 'done');
  return { kind: 'sweep', result, report: { file: finished ? await writeSweepReport(result.out) : null } };
}

async function execute(
  sweep: ExpandedSweep<SweepExperimentSpec>,
  out: string,
  shard: Shard | null,
  opts: SweepCommandOptions,
): Promise<SweepResult> {
  const control = new SharedRunControl();
  const write = opts.json
    ? (line: string) => process.stderr.write(`${line}\n`)
    : (line: string) => process.stdout.write(`${line}\n`);
  return withProgress<SweepEvent, SweepResult>(
    {
      ...opts,
      control,
      plainProgress: sweepPlainProgress(write),
      loadDashboard: async () => (await import('../dashboard/sweep-live.ts')).mountSweepDashboard,
    },
    (onEvent) => runSweep(sweep, { out, shard, workers: opts.workers ?? os.availableParallelism(), control, onEvent }),
  );
}

/**
 * What a finished (or stopped) sweep prints: counts, failures, and how to compare or continue (a
 * sweep of in-context experiments: its report, or how to make one of the runs that finished).
 */
export function formatSweepEnd(r: SweepResult, report?: SweepReport): string[] {
  const done = r.runs.filter((x) => x.state === 'done').length;
  const failed = r.runs.filter((x) => x.state === 'failed');
  const lines = [
    `sweep ${r.stopped ? 'stopped' : 'finished'}: ${done} of ${r.runs.length} runs ` +
      `done${failed.length > 0 ? `, ${failed.length} failed` : ''} in ${r.out}`,
  ];
  for (const f of failed) lines.push(`  failed: ${f.id}: ${f.error}`);
  if (r.stopped || failed.length > 0) lines.push(`continue with: npx engram sweep --resume ${r.out}`);
  if (report !== undefined) lines.push(...reportLines(r.out, report, done));
  else if (done > 0) lines.push(`compare the runs: npx engram compare ${r.out}/runs/*`);
  return lines;
}

function reportLines(out: string, report: SweepReport, done: number): string[] {
  if (report.file !== null) {
    const relative = path.relative(process.cwd(), report.file);
    return [`report: ${relative === '' || relative.startsWith('..') ? report.file : relative}`];
  }
  return done > 0 ? [`a report of the runs that finished: npx engram report ${out}`] : [];
}

/** The one object `engram sweep --json` prints (a sweep of in-context experiments: `report` for `compare`). */
export function sweepJson(r: SweepResult, report?: SweepReport): Record<string, unknown> {
  return {
    out: r.out,
    shard: r.shard,
    stopped: r.stopped,
    done: r.runs.filter((x) => x.state === 'done').length,
    failed: r.runs.filter((x) => x.state === 'failed').length,
    runs: r.runs,
    ...(report === undefined ? { compare: `npx engram compare ${r.out}/runs/*` } : { report: report.file }),
  };
}

export function formatSlurm(f: SlurmFiles): string[] {
  return [
    `wrote ${f.sweepScript} (a job array of ${f.shards} tasks), ${f.mergeScript} and ${f.submitScript}`,
    `submit with: bash ${f.submitScript}`,
    `(the merge starts once every task has succeeded; results in ${f.out}/runs/, logs in ${f.out}/slurm/)`,
  ];
}

/** `engram merge <dir>... [--out DIR]`; a sweep of in-context experiments gets its report once no run is missing. */
export async function mergeCommand(
  dirs: string[],
  out: string | undefined,
): Promise<{ merge: MergeResult; report?: SweepReport }> {
  const merge = mergeSweeps(dirs, out, (sweep) => defaultSweepDir(sweep));
  if (!inContext(merge.sweep)) return { merge };
  return { merge, report: { file: merge.missing.length === 0 ? await writeSweepReport(merge.out) : null } };
}

export function formatMerge(r: MergeResult, report?: SweepReport): string[] {
  const lines = [
    `merged ${r.copied.length} runs into ${r.out}` +
      (r.present.length > 0 ? ` (${r.present.length} were there already)` : ''),
  ];
  if (r.missing.length > 0) {
    lines.push(`missing ${r.missing.length} of ${r.sweep.runs.length} runs: ${r.missing.join(' ')}`);
    lines.push(`finish them with: npx engram sweep --resume ${r.out}`);
  }
  if (report !== undefined) lines.push(...reportLines(r.out, report, r.sweep.runs.length - r.missing.length));
  else lines.push(`compare the runs: npx engram compare ${r.out}/runs/*`);
  return lines;
}
