// A suite run: several experiments (parts) under one run directory, one report over all of them.
//   runs/<suite>-s<seed>-<time>/
//     config.json        the resolved suite spec
//     parts/<part>/      an ordinary run directory per part (config, metrics, checkpoints, eval, …)
//     parts/<part>-s<n>/ one per training seed n of a part with `seeds`
//     run.json           wall time and code version of the whole suite
//     report.md, figures/ written by src/report/report.ts
// Parts run one after another with the suite's seed. A part with training seeds runs once per
// seed: each trains its learned agents with that seed (or reads the shipped checkpoint named for
// it) and evaluates them on the suite's seed, the same held-out instances for every seed; the
// agents that do not depend on a training seed (the classic algorithms, fixed rules) play in the
// first seed's run only. A stopped suite resumes: finished parts are
// kept, a started part resumes from its checkpoints, the rest start fresh.
import fs from 'node:fs';
import path from 'node:path';
import { findAgent } from '../../agents/index.ts';
import { UsageError } from '../core/errors.ts';
import { SHIPPED_CHECKPOINT_DIR } from './checkpoint.ts';
import type { RunControl, RunEvent } from './events.ts';
import { type RunOptions, resumeRun, runExperiment } from './run.ts';
import { createRunDir, openRunDir, runStart, writeRunInfo } from './run-dir.ts';
import {
  agentKey,
  type ExperimentSpec,
  parseSuite,
  SEED_PLACEHOLDER,
  type SuitePartSpec,
  type SuiteSpec,
} from './spec.ts';

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

export type SuiteOptions = RunOptions;

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
  const control: RunControl = options.control ?? { stop: false, paused: false };
  const started = runStart();
  const done: string[] = [];
  const runs = suiteRuns(spec);
  for (const [index, run] of runs.entries()) {
    const dir = path.join(runDir, 'parts', run.dir);
    emit({ type: 'part-start', part: run.dir, index, parts: runs.length });
    if (fs.existsSync(path.join(dir, 'eval.json'))) {
      done.push(dir);
      continue;
    }
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
    if (result.stopped) {
      writeRunInfo(runDir, started);
      emit({ type: 'run-end', runDir, stopped: true });
      return { runDir, stopped: true, parts: done };
    }
    done.push(dir);
  }
  writeRunInfo(runDir, started);
  emit({ type: 'run-end', runDir, stopped: false });
  return { runDir, stopped: false, parts: done };
}
