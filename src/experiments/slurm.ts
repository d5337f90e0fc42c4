// A sweep on a Slurm cluster: `engram sweep <sweep.json> --slurm` writes, into the sweep
// directory,
//   sweep.sbatch   a job array, one task per shard: `engram sweep <spec> --shard I/N` into shards/I
//   merge.sbatch   the merge of every shard into the sweep directory
//   submit.sh      submits the array, then the merge as a job that starts once every task of the
//                  array has succeeded (afterok)
// and submits nothing itself. Tasks run in the directory `engram sweep --slurm` ran in, with the
// node and environment of the submitting shell (sbatch exports it). A task stopped by its time
// limit (SIGTERM) checkpoints its runs; submitting again resumes every shard where it stopped.

import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { packageRoot } from '../core/package.ts';
import { openSweepDir } from './sweep-dir.ts';
import type { ExpandedSweep, SweepExperimentSpec } from './sweep-spec.ts';

export interface SlurmOptions {
  /** Array tasks (default: one per run). */
  shards?: number;
  /** CPUs per task; each task runs that many runs at once. */
  cpus?: number;
  partition?: string;
  /** Time limit per task, in any of Slurm's forms (`30`, `2:00:00`, `1-12`). */
  time?: string;
}

export interface SlurmFiles {
  out: string;
  shards: number;
  sweepScript: string;
  mergeScript: string;
  submitScript: string;
}

const ENGRAM_BIN = path.join(packageRoot(), 'bin/engram.js');

const TIME = /^(\d+-)?\d+(:\d{1,2}){0,2}$|^(infinite|unlimited)$/i;
const PARTITION = /^[\w.-]+(,[\w.-]+)*$/;

/** Writes the scripts (and the sweep's sweep.json) into `out`; returns their paths. */
export function writeSlurmScripts(
  sweepFile: string,
  sweep: ExpandedSweep<SweepExperimentSpec>,
  outDir: string,
  options: SlurmOptions = {},
): SlurmFiles {
  const out = path.resolve(outDir);
  const scripts = slurmScripts(path.resolve(sweepFile), sweep, out, process.cwd(), options);
  openSweepDir(out, sweep, null);
  fs.mkdirSync(path.join(out, 'slurm'), { recursive: true });
  const files: SlurmFiles = {
    out,
    shards: scripts.shards,
    sweepScript: path.join(out, 'sweep.sbatch'),
    mergeScript: path.join(out, 'merge.sbatch'),
    submitScript: path.join(out, 'submit.sh'),
  };
  fs.writeFileSync(files.sweepScript, scripts.sweep);
  fs.writeFileSync(files.mergeScript, scripts.merge);
  fs.writeFileSync(files.submitScript, scripts.submit, { mode: 0o755 });
  return files;
}

/** The three scripts' text. */
export function slurmScripts(
  sweepFile: string,
  sweep: ExpandedSweep<SweepExperimentSpec>,
  out: string,
  workdir: string,
  options: SlurmOptions = {},
): { shards: number; sweep: string; merge: string; submit: string } {
  const runs = sweep.runs.length;
  const shards = options.shards ?? runs;
  const cpus = options.cpus ?? 1;
  if (!Number.isInteger(shards) || shards < 1 || shards > runs)
    throw new UsageError(`--shards must be between 1 and the sweep's ${runs} runs, got ${shards}`);
  if (!Number.isInteger(cpus) || cpus < 1) throw new UsageError(`--cpus must be at least 1, got ${cpus}`);
  if (options.time !== undefined && !TIME.test(options.time))
    throw new UsageError(`--time must be a Slurm time limit such as 30, 2:00:00 or 1-12, got '${options.time}'`);
  if (options.partition !== undefined && !PARTITION.test(options.partition))
    throw new UsageError(
      `--partition must be a partition name (or a comma-separated list), got '${options.partition}'`,
    );
  // #SBATCH lines are split at blanks, so paths with blanks would break them.
  for (const [what, p] of [
    ['the sweep directory', out],
    ['the working directory', workdir],
    ['the sweep spec', sweepFile],
    ['engram', ENGRAM_BIN],
  ]) {
    if (/\s/.test(p)) throw new UsageError(`--slurm: ${what} has a blank in its path (${p}); choose one without`);
  }
  const common = [
    ...(options.partition !== undefined ? [`#SBATCH --partition=${options.partition}`] : []),
    ...(options.time !== undefined ? [`#SBATCH --time=${options.time}`] : []),
    `#SBATCH --chdir=${workdir}`,
  ];
  const sweepScript = [
    '#!/bin/bash',
    `# engram sweep '${sweep.name}': ${runs} runs in ${shards} array tasks, task I runs shard I/${shards}`,
    '# (every run whose index mod N is I) into shards/I. Written by engram sweep --slurm; submit with submit.sh.',
    `#SBATCH --job-name=engram-${sweep.name}`,
    `#SBATCH --array=0-${shards - 1}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --cpus-per-task=${cpus}`,
    ...common,
    `#SBATCH --output=${out}/slurm/sweep-%A_%a.out`,
    'set -euo pipefail',
    `exec node ${ENGRAM_BIN} sweep ${sweepFile} --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" ` +
      `--workers ${cpus} --out "${out}/shards/$SLURM_ARRAY_TASK_ID" --plain`,
    '',
  ].join('\n');
  const mergeScript = [
    '#!/bin/bash',
    `# Gathers the ${shards} shards of engram sweep '${sweep.name}' into ${out}. ` +
      `Submitted by submit.sh once every array task succeeded.`,
    `#SBATCH --job-name=engram-${sweep.name}-merge`,
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=1',
    ...common,
    `#SBATCH --output=${out}/slurm/merge-%j.out`,
    'set -euo pipefail',
    `exec node ${ENGRAM_BIN} merge ${Array.from({ length: shards }, (_, i) => `${out}/shards/${i}`).join(' ')} ` +
      `--out ${out}`,
    '',
  ].join('\n');
  const submitScript = [
    '#!/usr/bin/env bash',
    `# Submits engram sweep '${sweep.name}': the job array, then its merge once every task succeeded.`,
    'set -euo pipefail',
    'here="$(cd "$(dirname "$0")" && pwd)"',
    // --parsable prints "jobid" or "jobid;cluster".
    'array="$(sbatch --parsable "$here/sweep.sbatch")"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion in the generated script
    'array="${array%%;*}"',
    'merge="$(sbatch --parsable --dependency=afterok:"$array" "$here/merge.sbatch")"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: bash parameter expansion in the generated script
    'merge="${merge%%;*}"',
    'echo "array job $array"',
    'echo "merge job $merge"',
    `echo "follow with: squeue -j $array,$merge   logs: ${out}/slurm/   results: ${out}/runs/"`,
    '',
  ].join('\n');
  return { shards, sweep: sweepScript, merge: mergeScript, submit: submitScript };
}
