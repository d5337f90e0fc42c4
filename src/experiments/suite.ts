// A suite run: several experiments (parts) under one run directory, one report over all of them.
//   runs/<suite>-s<seed>-<time>/
//     config.json        the resolved suite spec
//     parts/<part>/      an ordinary run directory per part (config, metrics, checkpoints, eval, …)
//     run.json           wall time and code version of the whole suite
//     report.md, figures/ written by src/report/report.ts
// Parts run one after another with the suite's seed. A stopped suite resumes: finished parts are
// kept, a started part resumes from its checkpoints, the rest start fresh.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { SHIPPED_CHECKPOINT_DIR } from './checkpoint.ts';
import type { RunControl, RunEvent } from './events.ts';
import { type RunOptions, resumeRun, runExperiment } from './run.ts';
import { createRunDir, openRunDir, runStart, writeRunInfo } from './run-dir.ts';
import { agentKey, parseSuite, type SuiteSpec } from './spec.ts';

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
  const missing = spec.parts.flatMap((p) =>
    p.agents
      .filter((a) => a.checkpoint !== undefined && !fs.existsSync(path.join(checkpointDir, `${a.checkpoint}.json`)))
      .map((a) => `${p.name}/${agentKey(a)} (${a.checkpoint}.json)`),
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
  for (const [index, part] of spec.parts.entries()) {
    const dir = path.join(runDir, 'parts', part.name);
    emit({ type: 'part-start', part: part.name, index, parts: spec.parts.length });
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
      : await runExperiment({ ...part, seed: spec.seed }, { ...partOptions, out: dir });
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
