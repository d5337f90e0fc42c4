// The `run` and `eval` subcommands: option handling and output around src/experiments/run.ts and
// src/rl/frozen-eval.ts.
import { UsageError } from '../core/errors.ts';
import { findTask } from '../../tasks/index.ts';
import { frozenEvaluation, type FrozenEvalResult } from '../rl/frozen-eval.ts';
import type { Lesion } from '../rl/policy.ts';
import { plainProgress } from '../dashboard/plain.ts';
import { wantsDashboard } from '../dashboard/terminal.ts';
import { networkFromCheckpoint, readCheckpoint } from './checkpoint.ts';
import { loadExperiment } from './spec.ts';
import { resumeRun, runExperiment, type RunControl, type RunEvent, type RunResult } from './run.ts';

export interface RunCommandOptions {
  out?: string;
  seed?: number;
  plain?: boolean;
  json?: boolean;
  resume?: string;
}

/** `engram run <experiment|spec.json>` or `engram run --resume DIR`. */
export async function runCommand(ref: string | undefined, opts: RunCommandOptions): Promise<RunResult> {
  if (opts.resume !== undefined && ref !== undefined) throw new UsageError('give either an experiment or --resume DIR, not both');
  if (opts.resume === undefined && ref === undefined) throw new UsageError('missing experiment: engram run <experiment|spec.json> (see engram list)');
  const control: RunControl = { stop: false, paused: false };
  // Progress goes to stderr with --json (stdout carries exactly one JSON object).
  const write = opts.json ? (line: string) => process.stderr.write(line + '\n') : (line: string) => process.stdout.write(line + '\n');
  let onEvent = plainProgress(write);
  // The live dashboard on an interactive terminal (not CI, not --plain/--json). It mounts at the
  // run's first event, so a spec rejected before the run starts leaves just its error line.
  let dashboard: { close(): Promise<void> } | undefined;
  if (wantsDashboard(process.stdout, opts)) {
    const { mountRunDashboard } = await import('../dashboard/live.tsx');
    let listener: ((e: RunEvent) => void) | undefined;
    onEvent = (event) => {
      if (listener === undefined) {
        const mounted = mountRunDashboard(control);
        dashboard = mounted;
        listener = mounted.onEvent;
      }
      listener(event);
    };
  }
  // Ctrl-C: finish the current update, write a checkpoint, and exit so that --resume continues.
  const onSignal = () => {
    if (control.stop) process.exit(130);
    control.stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (opts.resume !== undefined) return await resumeRun(opts.resume, { onEvent, control });
    return await runExperiment(loadExperiment(ref!), { out: opts.out, seed: opts.seed, onEvent, control });
  } finally {
    // The dashboard's last frame stays on screen; its log ends with the run directory (or how to resume).
    await dashboard?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export interface EvalCommandOptions {
  task?: string;
  episodes: number;
  seed: number;
  batch: number;
  lesion: string;
  compare: string[];
}

const LESIONS: readonly Lesion[] = ['none', 'reset-state', 'freeze-plasticity'];

/** `engram eval <checkpoint>`: frozen evaluation with paired comparison agents. */
export function evalCommand(file: string, opts: EvalCommandOptions): FrozenEvalResult & { checkpoint: string; trainedUpdates: number; trainedEnvSteps: number } {
  if (!LESIONS.includes(opts.lesion as Lesion)) throw new UsageError(`unknown lesion '${opts.lesion}' (known: ${LESIONS.join(', ')})`);
  if (opts.episodes < 1) throw new UsageError(`--episodes must be at least 1, got ${opts.episodes}`);
  if (opts.batch < 1) throw new UsageError(`--batch must be at least 1, got ${opts.batch}`);
  const ck = readCheckpoint(file);
  // --task evaluates on another family with the checkpoint's task options where they apply.
  const family = opts.task === undefined || opts.task === ck.task.id ? undefined : findTask(opts.task).create({});
  const { family: f, net } = networkFromCheckpoint(ck, file, family);
  const result = frozenEvaluation(f, net, {
    episodes: opts.episodes,
    batchSize: opts.batch,
    seed: opts.seed,
    compare: opts.compare,
    lesion: opts.lesion as Lesion,
  });
  return { checkpoint: file, trainedUpdates: ck.update, trainedEnvSteps: ck.envSteps, ...result };
}

function pm(e: { mean: number; ci95: [number, number] }, digits = 2): string {
  const half = (e.ci95[1] - e.ci95[0]) / 2;
  return `${e.mean.toFixed(digits)} ± ${Number.isFinite(half) ? half.toFixed(digits) : '?'}`;
}

/** The human-readable form of an `engram eval` result. */
export function formatEval(r: ReturnType<typeof evalCommand>): string {
  const lines = [
    `${r.agent} from ${r.checkpoint} (${r.trainedUpdates} updates, ${r.trainedEnvSteps} env steps), frozen, on ${r.task} ` +
      `(${r.episodes} held-out episodes, seed ${r.seed}${r.lesion !== 'none' ? `, lesion ${r.lesion}` : ''})`,
    `  parameters unchanged: ${r.paramsHashBefore === r.paramsHashAfter ? 'yes' : 'NO'} (${r.paramsHashBefore.slice(0, 12)})`,
    `  ${r.agent.padEnd(14)} total reward ${pm(r.totalReward)}  expected regret ${pm(r.expectedRegret)}`,
  ];
  for (const [id, c] of Object.entries(r.compare)) {
    if ('skipped' in c) {
      lines.push(`  ${id.padEnd(14)} skipped: ${c.skipped}`);
      continue;
    }
    lines.push(
      `  ${id.padEnd(14)} total reward ${pm(c.totalReward)}  expected regret ${pm(c.expectedRegret)}  ` +
        `(${r.agent} − ${id}: ${pm(c.regretDifference)})`,
    );
  }
  return lines.join('\n');
}
