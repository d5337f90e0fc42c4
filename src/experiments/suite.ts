// A suite run: several experiments (parts) under one run directory, one report over all of them.
//   runs/<suite>-s<seed>-<time>/
//     config.json        the resolved suite spec
//     parts/<part>/      an ordinary run directory per part (config, metrics, checkpoints, eval, …)
//     parts/<part>-s<n>/ one per training seed n of a part with `seeds`
//     run.json           wall time and code version of the whole suite
//     report.md, figures/ written by src/report/report.ts
// Parts run with the suite's seed. A part with training seeds runs once per seed: each trains its
// learned agents with that seed (or reads the shipped checkpoint named for it) and evaluates them
// on the suite's seed, the same held-out instances for every seed; the agents that do not depend
// on a training seed (the classic algorithms, fixed rules) play in the first seed's run only.
// A suite that trains runs its parts one after another on this thread; one that only evaluates
// shipped checkpoints runs them several at once on worker threads. A stopped suite resumes:
// finished parts are kept, a started part resumes from its checkpoints, the rest start fresh.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findAgent } from '../../agents/index.ts';
import { UsageError } from '../core/errors.ts';
import { SHIPPED_CHECKPOINT_DIR } from './checkpoint.ts';
import type { RunControl, RunEvent } from './events.ts';
import { trainingPlan } from './plan.ts';
import { type RunOptions, resumeRun, runExperiment } from './run.ts';
import { createRunDir, openRunDir, runStart, writeRunInfo } from './run-dir.ts';
import { SharedRunControl } from './shared-control.ts';
import {
  agentKey,
  type ExperimentSpec,
  parseSuite,
  SEED_PLACEHOLDER,
  type SuitePartSpec,
  type SuiteSpec,
} from './spec.ts';
import { runOnPool, runPool } from './sweep.ts';

/** One run of a suite: a part, or one training seed of a part with seeds. */
export interface SuiteRun {
  /** Its directory under parts/: the part's name, with `-s<seed>` for a training seed. */
  dir: string;
  /** The part it belongs to. */
  part: string;
  /** Its training seed, for a part with seeds. */
  trainingSeed?: number;
  spec: ExperimentSpec;
}

/** The runs a suite is made of, in order: each part, or each training seed of a part with seeds. */
export function suiteRuns(spec: SuiteSpec): SuiteRun[] {
  return spec.parts.flatMap((part) => {
    const { seeds, ...experiment } = part;
    if (seeds === undefined) return [{ dir: part.name, part: part.name, spec: { ...experiment, seed: spec.seed } }];
    // A seed with nothing of its own to play (every network has one checkpoint for all seeds) is no run.
    return seeds
      .map((seed, i) => ({
        dir: `${part.name}-s${seed}`,
        part: part.name,
        trainingSeed: seed,
        spec: seedRun(experiment, seed, spec.seed, i === 0),
      }))
      .filter((r) => r.spec.agents.length > 0);
  });
}

/**
 * A part's run for one training seed: the checkpoint names take the seed, the evaluation the
 * suite's seed. After the first seed only the learned networks with a checkpoint per seed (or none,
 * to train) play: what else plays does not depend on the training seed. Nothing is recorded after
 * the first seed.
 */
function seedRun(part: Omit<SuitePartSpec, 'seeds'>, seed: number, evaluationSeed: number, first: boolean) {
  const agents = part.agents
    .filter((a) => first || (learnedNetwork(a.id) && (a.checkpoint?.includes(SEED_PLACEHOLDER) ?? true)))
    .map((a) =>
      a.checkpoint === undefined ? a : { ...a, checkpoint: a.checkpoint.split(SEED_PLACEHOLDER).join(String(seed)) },
    );
  const { record: _record, figureAgents: _figureAgents, ...evaluation } = part.evaluation;
  return {
    ...part,
    seed,
    agents,
    evaluation: first
      ? { ...part.evaluation, seed: evaluationSeed }
      : { ...evaluation, compare: [], seed: evaluationSeed },
  };
}

/** Whether an agent is a network whose weights come from training (an agent this build does not know counts as one). */
function learnedNetwork(id: string): boolean {
  try {
    return findAgent(id).createNetwork !== undefined;
  } catch {
    return true;
  }
}

export interface SuiteResult {
  runDir: string;
  stopped: boolean;
  /** The part directories that finished. */
  parts: string[];
}

export interface SuiteOptions extends RunOptions {
  /** Runs evaluated at once when none of them trains (default: one per core). */
  workers?: number;
}

/** Starts a new suite run. */
export async function runSuite(specIn: SuiteSpec, options: SuiteOptions = {}): Promise<SuiteResult> {
  const spec: SuiteSpec = options.seed === undefined ? specIn : { ...specIn, seed: options.seed };
  if (!options.train) requireShipped(spec, options.checkpointDir);
  return executeSuite(spec, createRunDir(spec, options.out, ['parts']), options);
}

/**
 * A suite evaluates shipped checkpoints unless told to train: one it names but cannot find is an
 * error up front, not a long training nobody asked for.
 */
function requireShipped(spec: SuiteSpec, checkpointDir = SHIPPED_CHECKPOINT_DIR): void {
  const missing = suiteRuns(spec).flatMap((r) =>
    r.spec.agents
      .filter((a) => a.checkpoint !== undefined && !fs.existsSync(path.join(checkpointDir, `${a.checkpoint}.json`)))
      .map((a) => `${r.dir}/${agentKey(a)} (${a.checkpoint}.json)`),
  );
  if (missing.length > 0) {
    throw new UsageError(
      `suite ${spec.name}: shipped checkpoints not found in ${checkpointDir}: ` +
        `${missing.join(', ')}; train them with engram run ${spec.name} --train`,
    );
  }
}

/** Continues the suite run in `runDir`. */
export async function resumeSuite(
  runDir: string,
  options: Omit<SuiteOptions, 'out' | 'seed'> = {},
): Promise<SuiteResult> {
  const { dir, config } = openRunDir(runDir);
  return executeSuite(parseSuite(config, path.join(dir, 'config.json')), dir, options);
}

async function executeSuite(spec: SuiteSpec, runDir: string, options: SuiteOptions): Promise<SuiteResult> {
  const emit = options.onEvent ?? (() => {});
  const control: RunControl = options.control ?? new SharedRunControl();
  const started = runStart();
  const runs = suiteRuns(spec);
  const finished = (run: SuiteRun) => fs.existsSync(path.join(runDir, 'parts', run.dir, 'eval.json'));
  const pending = runs.filter((r) => !finished(r));
  // Runs that only evaluate (every network from a shipped checkpoint) go several at once, one per
  // thread; a run that trains goes alone, so that its training is that of the run on its own.
  const workers = Math.min(options.workers ?? os.availableParallelism(), pending.length);
  const evaluateOnly = !options.train && pending.every((r) => trainingPlan(r.spec).length === 0);
  const stopped =
    workers > 1 && evaluateOnly
      ? await evaluateAtOnce(spec, runs, pending, runDir, workers, options, emit, control)
      : await oneAfterAnother(runs, runDir, options, emit, control);
  writeRunInfo(runDir, started);
  emit({ type: 'run-end', runDir, stopped });
  const done = runs.filter(finished).map((r) => path.join(runDir, 'parts', r.dir));
  return { runDir, stopped, parts: done };
}

/** The suite's runs in order, each on this thread; true when a stop ended one. */
async function oneAfterAnother(
  runs: SuiteRun[],
  runDir: string,
  options: SuiteOptions,
  emit: (e: RunEvent) => void,
  control: RunControl,
): Promise<boolean> {
  for (const [index, run] of runs.entries()) {
    const dir = path.join(runDir, 'parts', run.dir);
    emit({ type: 'part-start', part: run.dir, index, parts: runs.length });
    if (fs.existsSync(path.join(dir, 'eval.json'))) continue;
    // A part's own end is not the suite's: the suite reports one run-end, with its own directory.
    const partOptions = {
      onEvent: (e: RunEvent) => e.type !== 'run-end' && emit(e),
      control,
      train: options.train,
      checkpointDir: options.checkpointDir,
    };
    const result = fs.existsSync(path.join(dir, 'config.json'))
      ? await resumeRun(dir, partOptions)
      : await runExperiment(run.spec, { ...partOptions, out: dir });
    if (result.stopped) return true;
  }
  return false;
}

/**
 * The runs still to do, evaluated `workers` at a time on worker threads (the sweep's pool). Their
 * events reach the dashboard with each agent named by its run (`bandit-s1/lstm`), under one
 * run-start for the whole suite.
 */
async function evaluateAtOnce(
  spec: SuiteSpec,
  runs: SuiteRun[],
  pending: SuiteRun[],
  runDir: string,
  workers: number,
  options: SuiteOptions,
  emit: (e: RunEvent) => void,
  control: RunControl,
): Promise<boolean> {
  emit({
    type: 'run-start',
    runDir,
    resumed: pending.length < runs.length,
    run: {
      name: spec.name,
      task: [...new Set(runs.map((r) => r.spec.task.id))].join(', '),
      seed: spec.seed,
      episodes: Math.max(...runs.map((r) => r.spec.evaluation.episodes)),
      plan: [],
    },
  });
  // The workers read stop and pause from shared memory: the control, or a copy kept current of one a caller made.
  const shared = control instanceof SharedRunControl ? control : new SharedRunControl();
  const mirror =
    shared === control
      ? null
      : setInterval(() => {
          shared.stop = control.stop;
          shared.paused = control.paused;
        }, 100);
  const pool = runPool(workers);
  try {
    const results = await Promise.all(
      pending.map((run) => {
        const dir = path.join(runDir, 'parts', run.dir);
        let begun = false;
        const task = {
          runDir: dir,
          spec: run.spec,
          resume: fs.existsSync(path.join(dir, 'config.json')),
          control: shared.buffer,
          checkpointDir: options.checkpointDir,
        };
        return runOnPool(pool, task, (event) => {
          if (!begun) {
            begun = true;
            emit({ type: 'part-start', part: run.dir, index: runs.indexOf(run), parts: runs.length });
          }
          if (event.type === 'run-start' || event.type === 'run-end') return;
          emit('agent' in event ? { ...event, agent: `${run.dir}/${event.agent}` } : event);
        });
      }),
    );
    const failed = results.map((r, i) => ({ r, run: pending[i] })).find(({ r }) => r.state === 'failed');
    if (failed !== undefined) {
      const message = `suite ${spec.name}, part ${failed.run.dir}: ${failed.r.error}`;
      throw failed.r.usage ? new UsageError(message) : new Error(message);
    }
    return results.some((r) => r.state !== 'done');
  } finally {
    if (mirror !== null) clearInterval(mirror);
    await pool.destroy();
  }
}
