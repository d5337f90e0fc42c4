// A suite run: several experiments (parts) under one run directory, one report over all of them.
//   runs/<suite>-s<seed>-<time>/
//     config.json        the resolved suite spec
//     parts/<part>/      an ordinary run directory per part (config, metrics, checkpoints, eval, …)
//     run.json           wall time and code version of the whole suite
//     report.md, figures/ written by src/analysis/report.ts
// Parts run one after another with the suite's seed. A stopped suite resumes: finished parts are
// kept, a started part resumes from its checkpoints, the rest start fresh.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { atomicWriteJson, readJsonFile } from './io.ts';
import { resumeRun, runExperiment, timestampId, writeRunInfo, type RunControl, type RunEvent, type RunOptions } from './run.ts';
import { agentKey, parseSuite, type SuiteSpec } from './spec.ts';
import { SHIPPED_CHECKPOINT_DIR } from './checkpoint.ts';

export interface SuiteResult {
  runDir: string;
  stopped: boolean;
  /** The part directories that finished. */
  parts: string[];
}

export type SuiteOptions = RunOptions;

export function isSuiteRunDir(dir: string): boolean {
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file)) return false;
  return (readJsonFile(file, 'run configuration') as { kind?: unknown }).kind === 'suite';
}

/** Starts a new suite run. */
export async function runSuite(specIn: SuiteSpec, options: SuiteOptions = {}): Promise<SuiteResult> {
  const spec: SuiteSpec = options.seed === undefined ? specIn : { ...specIn, seed: options.seed };
  if (!options.train) requireShipped(spec, options.checkpointDir);
  const runDir = path.resolve(options.out ?? path.join('runs', `${spec.name}-s${spec.seed}-${timestampId()}`));
  if (fs.existsSync(path.join(runDir, 'config.json'))) {
    throw new UsageError(`${runDir} already holds a run; resume it with --resume ${runDir} or choose another --out`);
  }
  fs.mkdirSync(path.join(runDir, 'parts'), { recursive: true });
  atomicWriteJson(path.join(runDir, 'config.json'), spec, 2);
  return executeSuite(spec, runDir, options);
}

/**
 * A suite evaluates shipped checkpoints unless told to train: one it names but cannot find is an
 * error up front, not a long training nobody asked for.
 */
function requireShipped(spec: SuiteSpec, checkpointDir = SHIPPED_CHECKPOINT_DIR): void {
  const missing = spec.parts.flatMap((p) => p.agents.filter((a) => a.checkpoint !== undefined && !fs.existsSync(path.join(checkpointDir, `${a.checkpoint}.json`))).map((a) => `${p.name}/${agentKey(a)} (${a.checkpoint}.json)`));
  if (missing.length > 0) {
    throw new UsageError(`suite ${spec.name}: shipped checkpoints not found in ${checkpointDir}: ${missing.join(', ')}; train them with engram run ${spec.name} --train`);
  }
}

/** Continues the suite run in `runDir`. */
export async function resumeSuite(runDir: string, options: Omit<SuiteOptions, 'out' | 'seed'> = {}): Promise<SuiteResult> {
  const dir = path.resolve(runDir);
  const spec = parseSuite(readJsonFile(path.join(dir, 'config.json'), 'run configuration'), path.join(dir, 'config.json'));
  return executeSuite(spec, dir, options);
}

async function executeSuite(spec: SuiteSpec, runDir: string, options: SuiteOptions): Promise<SuiteResult> {
  const emit = options.onEvent ?? (() => {});
  const control: RunControl = options.control ?? { stop: false, paused: false };
  const started = { at: new Date(), ms: performance.now() };
  const done: string[] = [];
  for (const [index, part] of spec.parts.entries()) {
    const dir = path.join(runDir, 'parts', part.name);
    emit({ type: 'part-start', part: part.name, index, parts: spec.parts.length });
    if (fs.existsSync(path.join(dir, 'eval.json'))) {
      done.push(dir);
      continue;
    }
    // A part's own end is not the suite's: the suite reports one run-end, with its own directory.
    const partOptions = { onEvent: (e: RunEvent) => e.type !== 'run-end' && emit(e), control, train: options.train, checkpointDir: options.checkpointDir };
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
