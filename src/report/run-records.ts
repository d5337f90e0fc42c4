// What a report reads of a run directory: the resolved spec, the evaluation, the per-episode
// measures, the lesions, the swim paths, the training curves (the run's own metrics, or a shipped
// checkpoint's history) and run.json; and metrics.csv beside metrics.jsonl for pandas and R.
import fs from 'node:fs';
import path from 'node:path';
import { findTask } from '../../tasks/index.ts';
import { readCheckpoint, SHIPPED_CHECKPOINT_DIR } from '../experiments/checkpoint.ts';
import type { EpisodesFile, EvalFile, LesionsFile } from '../experiments/evaluation.ts';
import { atomicWriteText, readJsonFile, readJsonl } from '../experiments/io.ts';
import type { RunInfo } from '../experiments/run-dir.ts';
import { agentKey, type ExperimentSpec, parseExperiment, parseSuite } from '../experiments/spec.ts';
import { suiteRuns } from '../experiments/suite.ts';
import type { IclStepMetrics } from '../icl/train.ts';
import type { SwimTrial } from '../measures/spatial.ts';
import type { UpdateMetrics } from '../rl/a2c.ts';
import type { MetricsRecord } from './chart-style.ts';

/** Everything the report needs of one run directory (a single experiment, or a part of a suite). */
export interface RunRecords {
  dir: string;
  spec: ExperimentSpec;
  eval: EvalFile;
  episodes: EpisodesFile | null;
  lesions: LesionsFile | null;
  paths: Record<string, SwimTrial[]> | null;
  metrics: MetricsRecord[];
  info: RunInfo | null;
}

export function readOptional<T>(file: string, what: string): T | null {
  return fs.existsSync(file) ? (readJsonFile(file, what) as T) : null;
}

/** Reads a finished run directory; a directory without eval.json is a UsageError-worthy state the caller reports. */
export function readRunRecords(dir: string): RunRecords {
  const spec = parseExperiment(
    readJsonFile(path.join(dir, 'config.json'), 'run configuration'),
    path.join(dir, 'config.json'),
  );
  const evalFile = readJsonFile(
    path.join(dir, 'eval.json'),
    'evaluation (the run has not finished: resume it first)',
  ) as EvalFile;
  const metricsFile = path.join(dir, 'metrics.jsonl');
  const metrics = (fs.existsSync(metricsFile) ? readJsonl(metricsFile) : []) as MetricsRecord[];
  return {
    dir,
    spec,
    eval: evalFile,
    episodes: readOptional<EpisodesFile>(path.join(dir, 'episodes.json'), 'per-episode measures'),
    lesions: readOptional<LesionsFile>(path.join(dir, 'lesions.json'), 'lesions'),
    paths: readOptional<Record<string, SwimTrial[]>>(path.join(dir, 'paths.json'), 'swim paths'),
    metrics,
    info: readOptional<RunInfo>(path.join(dir, 'run.json'), 'run information'),
  };
}

/** The training curve of every learned agent: the run's own metrics, or the shipped checkpoint's history. */
export function trainingRecords(run: RunRecords, checkpointDir = SHIPPED_CHECKPOINT_DIR): MetricsRecord[] {
  const out = [...run.metrics];
  // Runs made before the trainer logged NaN there logged a regret of 0 on tasks that have none.
  const hasRegret = findTask(run.spec.task.id).create(run.spec.task.options).infoFields.includes('expectedRegret');
  for (const a of run.spec.agents) {
    const key = agentKey(a);
    const shipped = (run.eval.agents[key] as { checkpoint?: string } | undefined)?.checkpoint;
    if (shipped === undefined || out.some((r) => r.agent === key)) continue;
    const file = path.isAbsolute(shipped)
      ? shipped
      : fs.existsSync(shipped)
        ? shipped
        : path.join(checkpointDir, path.basename(shipped));
    if (!fs.existsSync(file)) continue;
    for (const r of readCheckpoint(file).history ?? []) out.push({ ...(r as MetricsRecord), agent: key });
  }
  return hasRegret ? out : out.map(({ 'train/expectedRegret': _none, ...r }) => r as MetricsRecord);
}

// Every field a trainer logs (as a record, so that the compiler checks the list against the metrics' type), and what
// the training loop adds to each record.
const A2C_METRICS: Record<keyof UpdateMetrics, true> = {
  update: true,
  envSteps: true,
  'train/episodeReward': true,
  'train/expectedRegret': true,
  'train/entropy': true,
  'train/valueLoss': true,
  'train/policyLoss': true,
  'train/gradNorm': true,
  'train/entropyCoef': true,
  'perf/envStepsPerSecond': true,
};
const ICL_METRICS: Record<keyof IclStepMetrics, true> = {
  update: true,
  envSteps: true,
  'train/loss': true,
  'train/gradNorm': true,
  'train/learningRate': true,
  'perf/sequencesPerSecond': true,
};
const LOOP_FIELDS = ['agent', 'wallSeconds'];

/** The kinds of run whose trainers log metrics (a sequence run's trainer logs what a regression run's does). */
export type MetricsKind = 'meta-rl' | 'icl-regression' | 'icl-sequence';

/**
 * The columns metrics.csv has even without a record (a run whose agents all came from shipped checkpoints trained
 * nothing): what the run's kind of trainer logs.
 */
export function knownMetricsColumns(kind: MetricsKind): string[] {
  return [...LOOP_FIELDS, ...Object.keys(kind === 'meta-rl' ? A2C_METRICS : ICL_METRICS)];
}

/** The columns of metrics.csv: the `known` ones and every key any record has, the identifying ones first. */
export function metricsCsv(records: readonly Record<string, unknown>[], known: readonly string[] = []): string {
  const first = ['agent', 'update', 'envSteps', 'wallSeconds'];
  const keys = new Set<string>(known);
  for (const r of records) for (const k of Object.keys(r)) keys.add(k);
  const columns = [...first.filter((k) => keys.has(k)), ...[...keys].filter((k) => !first.includes(k)).sort()];
  const cell = (v: unknown) => {
    if (v === undefined || v === null) return '';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
    const text = String(v);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.join(','), ...records.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

/** The run directories of a suite run, in the suite's order (one per training seed of a part with seeds). */
export function suiteParts(runDir: string, config: unknown): string[] {
  return suiteRuns(parseSuite(config, path.join(runDir, 'config.json'))).map((r) => path.join(runDir, 'parts', r.dir));
}

/** metrics.csv beside metrics.jsonl (the same records, for pandas and R), with its header even when there are none. */
export function writeMetricsCsv(runDir: string, kind: MetricsKind = 'meta-rl'): void {
  const file = path.join(runDir, 'metrics.jsonl');
  atomicWriteText(path.join(runDir, 'metrics.csv'), metricsCsv(readJsonl(file), knownMetricsColumns(kind)));
}
