// The `run` and `eval` subcommands: option handling and output around src/experiments/run.ts and
// src/rl/frozen-eval.ts.
import path from 'node:path';
import { NetworkAgent } from '../../agents/kit/network-agent.ts';
import { findTask } from '../../tasks/index.ts';
import { UsageError } from '../core/errors.ts';
import { LESIONS, type Lesion, lesionApplies } from '../core/policy.ts';
import { Rng } from '../core/rng.ts';
import { plainProgress } from '../dashboard/plain.ts';
import { networkFromCheckpoint, readCheckpoint, untrainedNetwork } from '../experiments/checkpoint.ts';
import { comparisonAgents } from '../experiments/comparison.ts';
import type { RunControl, RunEvent } from '../experiments/events.ts';
import { type IclRunResult, resumeIclRun, runIclExperiment } from '../experiments/icl-run.ts';
import {
  type IclSequenceRunResult,
  resumeIclSequenceRun,
  runIclSequenceExperiment,
} from '../experiments/icl-sequence-run.ts';
import {
  type RecordRequest,
  type RecordSettings,
  type RecordTarget,
  recordSettings,
  recordTarget,
  recordUntrained,
  untrainedRng,
  withRecording,
} from '../experiments/recording.ts';
import { type RunResult, resumeRun, runExperiment } from '../experiments/run.ts';
import { openRunDir, runKind } from '../experiments/run-dir.ts';
import { SharedRunControl } from '../experiments/shared-control.ts';
import {
  type ExperimentSpec,
  type IclExperimentSpec,
  type IclSequenceExperimentSpec,
  loadAnyExperiment,
  type SuiteSpec,
} from '../experiments/spec.ts';
import { resumeSuite, runSuite, type SuiteResult } from '../experiments/suite.ts';
import { withTrialFiles } from '../experiments/trials-file.ts';
import { formatEstimate } from '../measures/stats.ts';
import { writeReport } from '../report/report.ts';
import { type FrozenEvalResult, frozenEvaluation } from '../rl/frozen-eval.ts';
import { withProgress } from './progress.ts';

export interface RunCommandOptions {
  out?: string;
  seed?: number;
  plain?: boolean;
  json?: boolean;
  resume?: string;
  /** Meta-train every learned agent even where the spec names a shipped checkpoint. */
  train?: boolean;
}

/** `engram run <experiment|spec.json>` or `engram run --resume DIR`, for experiments of every kind. */
export async function runCommand(ref: string | undefined, opts: RunCommandOptions): Promise<RunCommandResult> {
  if (opts.resume !== undefined && ref !== undefined)
    throw new UsageError('give either an experiment or --resume DIR, not both');
  if (opts.resume === undefined && ref === undefined)
    throw new UsageError('missing experiment: engram run <experiment|spec.json> (see engram list)');
  // Progress goes to stderr with --json (stdout carries exactly one JSON object).
  const write = opts.json
    ? (line: string) => process.stderr.write(`${line}\n`)
    : (line: string) => process.stdout.write(`${line}\n`);
  const spec = ref !== undefined ? await loadAnyExperiment(ref) : undefined;
  const resume = opts.resume;
  const kind = spec?.kind ?? (resume !== undefined ? runKind(openRunDir(resume).dir) : null) ?? 'meta-rl';
  const result = await withRunProgress(
    opts,
    write,
    (onEvent, control): Promise<RunResult | SuiteResult | IclRunResult | IclSequenceRunResult> => {
      const common = { onEvent, control };
      const fresh = { ...common, out: opts.out, seed: opts.seed };
      if (kind === 'icl-regression') {
        return resume !== undefined
          ? resumeIclRun(resume, common)
          : runIclExperiment(spec as IclExperimentSpec, { ...fresh, train: opts.train });
      }
      if (kind === 'icl-sequence') {
        return resume !== undefined
          ? resumeIclSequenceRun(resume, common)
          : runIclSequenceExperiment(spec as IclSequenceExperimentSpec, { ...fresh, train: opts.train });
      }
      if (kind === 'suite') {
        return resume !== undefined
          ? resumeSuite(resume, { ...common, train: opts.train })
          : runSuite(spec as SuiteSpec, { ...fresh, train: opts.train });
      }
      return resume !== undefined
        ? resumeRun(resume, common)
        : runExperiment(spec as ExperimentSpec, { ...fresh, train: opts.train });
    },
  );
  if (result.stopped) return result;
  // Every finished run gets its report (engram report remakes it).
  write('writing the report…');
  const report = await writeReport(result.runDir);
  write(`report: ${path.relative(process.cwd(), report) || report}`);
  return { ...result, report };
}

/** What `engram run` did: the run (or suite) result, and the report it wrote when the run finished. */
export type RunCommandResult = (RunResult | SuiteResult | IclRunResult | IclSequenceRunResult) & { report?: string };

/**
 * The one JSON object `engram run --json` prints: the run directory and its evaluation (an in-context regression run
 * puts its headline numbers first).
 */
export function runResultJson(result: RunCommandResult): Record<string, unknown> {
  const ev = 'eval' in result ? (result.eval as { kind?: string } | null) : null;
  const report = result.report ?? null;
  if (ev !== null && ev.kind === 'icl-regression') {
    const e = (result as IclRunResult).eval as NonNullable<IclRunResult['eval']>;
    return {
      runDir: result.runDir,
      stopped: result.stopped,
      report,
      lossRatio: e.lossRatio,
      cosine: e.cosine,
      predsDiff: e.predsDiff,
      learnedStep: e.learnedStep,
      optimalStep: e.optimalStep,
      eval: e,
    };
  }
  if ('parts' in result) return { runDir: result.runDir, stopped: result.stopped, report, parts: result.parts };
  return { runDir: result.runDir, stopped: result.stopped, report, eval: result.eval };
}

/** Runs `start` with the dashboard or plain progress lines (src/experiments/progress.ts). */
function withRunProgress<R>(
  opts: RunCommandOptions,
  write: (line: string) => void,
  start: (onEvent: (e: RunEvent) => void, control: RunControl) => Promise<R>,
): Promise<R> {
  // In shared memory: a suite evaluates several of its runs at once on worker threads, which read it too.
  const control: RunControl = new SharedRunControl();
  return withProgress<RunEvent, R>(
    {
      ...opts,
      control,
      plainProgress: plainProgress(write),
      loadDashboard: async () => (await import('../dashboard/live.ts')).mountRunDashboard,
    },
    (onEvent) => start(onEvent, control),
  );
}

export interface EvalCommandOptions {
  task?: string;
  episodes: number;
  seed: number;
  batchSize: number;
  lesion: string;
  compare: string[];
  /** A directory for the trial tables and the result (created if need be). */
  out?: string;
  /** A directory for a recording of every agent's internal state, and what to record. */
  record?: string;
  recordOptions?: RecordRequest;
}

export type EvalCommandResult = FrozenEvalResult & {
  checkpoint: string;
  trainedUpdates: number;
  trainedEnvSteps: number;
};

/**
 * `engram eval <checkpoint>`: frozen evaluation with paired comparison agents; with `out`, the trials of every agent
 * played go to trials.csv.gz and trials.parquet there, beside summary.json (the result).
 */
export function evalCommand(file: string, opts: EvalCommandOptions): EvalCommandResult {
  if (!LESIONS.includes(opts.lesion as Lesion))
    throw new UsageError(`unknown lesion '${opts.lesion}' (known: ${LESIONS.join(', ')})`);
  if (opts.episodes < 1) throw new UsageError(`--episodes must be at least 1, got ${opts.episodes}`);
  if (opts.batchSize < 1) throw new UsageError(`--batch-size must be at least 1, got ${opts.batchSize}`);
  const ck = readCheckpoint(file);
  // --task evaluates on another family with the checkpoint's task options where they apply.
  const family = opts.task === undefined || opts.task === ck.task.id ? undefined : findTask(opts.task).create({});
  const { family: f, net } = networkFromCheckpoint(ck, file, family);
  const compare = comparisonAgents(f, opts.compare);
  const metadata = { checkpoint: file, task: f.id, taskOptions: f.options, seed: opts.seed };
  const settings =
    opts.record !== undefined ? recordSettings(opts.record, opts.recordOptions ?? {}, opts.episodes) : undefined;
  const lesion = opts.lesion as Lesion;
  const name = net.agentId;
  // What is recorded: the agent as it plays (under its lesion when it applies), the intact agent
  // beside a lesioned one, the comparison agents, and the untrained twin.
  const targets = (s: RecordSettings): RecordTarget[] => {
    const played = lesion !== 'none' && lesionApplies(net, lesion) ? lesion : 'none';
    const probe = new NetworkAgent(f, net);
    const list = [recordTarget(s, name, probe, played)];
    if (played !== 'none') list.push(recordTarget(s, name, probe, 'none'));
    for (const c of compare)
      if (c.cannotPlay === null) list.push(recordTarget(s, c.id, c.create(Rng.fromSeed('record-probe')), 'none'));
    if (s.untrained) list.push(recordTarget(s, name, probe, 'none', 'untrained'));
    return list;
  };
  return withRecording(
    settings,
    f,
    opts.seed,
    { checkpoint: file },
    () => targets(settings as RecordSettings),
    (line) => process.stderr.write(`${line}\n`),
    (recording) =>
      withTrialFiles(
        opts.out,
        f,
        metadata,
        (onPlayed) => {
          const result = {
            checkpoint: file,
            trainedUpdates: ck.update,
            trainedEnvSteps: ck.envSteps,
            ...frozenEvaluation(f, net, {
              episodes: opts.episodes,
              batchSize: opts.batchSize,
              seed: opts.seed,
              compare,
              lesion,
              onPlayed,
              observe: recording !== undefined ? (n, l, a) => recording.observe(n, l, a) : undefined,
            }),
          };
          if (recording?.settings.untrained) {
            const twin = untrainedNetwork(ck, f, untrainedRng(opts.seed, name));
            recordUntrained(recording, name, f, twin, opts.batchSize);
          }
          return result;
        },
        (result) => result,
      ),
  );
}

/** The human-readable form of an `engram eval` result. */
/** A spiking network's activity measures (firing rates in Hz), when the evaluation has them. */
const activityOf = (r: EvalCommandResult) => r.activity as Record<string, number> | undefined;

export function formatEval(r: EvalCommandResult): string {
  const lines = [
    `${r.agent} from ${r.checkpoint} (${r.trainedUpdates} updates, ` +
      `${r.trainedEnvSteps} env steps), frozen, on ${r.task} ` +
      `(${r.episodes} held-out episodes, seed ${r.seed}${r.lesion !== 'none' ? `, lesion ${r.lesion}` : ''})`,
    `  parameters unchanged: ${r.paramsHashBefore === r.paramsHashAfter ? 'yes' : 'NO'} ` +
      `(${r.paramsHashBefore.slice(0, 12)})`,
    `  ${r.agent.padEnd(14)} total reward ${formatEstimate(r.totalReward)}  ` +
      `expected regret ${formatEstimate(r.expectedRegret)}` +
      (activityOf(r)?.firingRateHz !== undefined ? `  firing rate ${activityOf(r)!.firingRateHz.toFixed(1)} Hz` : ''),
  ];
  for (const [id, c] of Object.entries(r.compare)) {
    if ('skipped' in c) {
      lines.push(`  ${id.padEnd(14)} skipped: ${c.skipped}`);
      continue;
    }
    lines.push(
      `  ${id.padEnd(14)} total reward ${formatEstimate(c.totalReward)}  ` +
        `expected regret ${formatEstimate(c.expectedRegret)}  ` +
        `(${r.agent} − ${id}: ${formatEstimate(c.regretDifference)})`,
    );
  }
  if (r.intact !== undefined && r.lesionEffect !== undefined) {
    lines.push(
      `  lesion ${r.lesion}${r.lesionEffect.applies ? '' : ' (the network has no such memory: no effect)'}: ` +
        `intact expected regret ${formatEstimate(r.intact.expectedRegret)}, ` +
        `lesioned − intact ${formatEstimate(r.lesionEffect.regretIncrease)} (paired)`,
    );
  }
  const plasticity = r.plasticity as { meanAbsTraceChange: number } | undefined;
  if (plasticity !== undefined)
    lines.push(
      `  plastic traces: mean |Hebb_T − Hebb_0| = ${plasticity.meanAbsTraceChange.toFixed(4)} ` +
        `per synapse at episode end`,
    );
  return lines.join('\n');
}
