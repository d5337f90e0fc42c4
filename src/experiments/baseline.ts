// `engram baseline`: one agent that needs no training (classic, or plastic like the Hebbian agent)
// evaluated on seeded held-out instances of one task, summarized with confidence intervals, under
// a lesion when asked. Agents may add fields of their own through `Agent.extraReport` (the
// Bayes-optimal agent adds its exact expected reward). With `out`, the trials it played go to
// trials.csv.gz and trials.parquet there, beside summary.json (the report).

import { findAgent } from '../../agents/index.ts';
import type { AgentEntry } from '../../agents/kit/entry.ts';
import { findTask } from '../../tasks/index.ts';
import { UsageError } from '../core/errors.ts';
import { isLesionable, LESIONS, type Lesion } from '../core/policy.ts';
import { Rng } from '../core/rng.ts';
import type { EpisodeRecord, TaskFamily } from '../core/types.ts';
import { type AgentResult, type EvaluationOptions, evaluateAgent, type LesionComparison } from '../rl/frozen-eval.ts';
import {
  type RecordRequest,
  type RecordSettings,
  type RecordTarget,
  recordSettings,
  recordTarget,
  withRecording,
} from './recording.ts';
import { type PlayedCallback, withTrialFiles } from './trials-file.ts';

export interface BaselineRequest {
  agent: string;
  task: string;
  /** Task options as given (validated by the task). */
  taskOptions?: Record<string, unknown>;
  /** Agent options as given (validated by the agent). */
  agentOptions?: Record<string, unknown>;
  /** Held-out episodes. */
  episodes: number;
  seed: number;
  /** Episodes played at once (speed only; the numbers do not depend on it). */
  batchSize?: number;
  /**
   * A lesion (`reset-state`, `freeze-plasticity`) for agents that support one; the intact agent is reported beside it.
   */
  lesion?: string;
  /** A directory for the trial tables and the report (created if need be). */
  out?: string;
  /** A directory for a recording of the agent's internal state (src/experiments/recording.ts), and what to record. */
  record?: string;
  recordOptions?: RecordRequest;
}

export interface BaselineReport extends AgentResult {
  task: string;
  seed: number;
  /** The task's resolved options (defaults filled in). */
  options: Record<string, unknown>;
  agentOptions: Record<string, unknown>;
  /**
   * With a lesion: the numbers above are the lesioned agent's; `intact` and `lesionEffect` compare it with the intact
   * one.
   */
  lesion?: Lesion;
  intact?: AgentResult;
  lesionEffect?: LesionComparison;
}

export interface BaselineRun {
  report: BaselineReport;
  family: TaskFamily;
  records: readonly EpisodeRecord[];
}

/** Builds the family and agent, checks the agent can play, evaluates, and summarizes. */
export function runBaseline(request: BaselineRequest): BaselineRun {
  if (!Number.isInteger(request.episodes) || request.episodes < 1)
    throw new UsageError(`--episodes must be a positive integer, got ${request.episodes}`);
  if (!Number.isSafeInteger(request.seed)) throw new UsageError(`--seed must be an integer, got ${request.seed}`);
  const batchSize = request.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new UsageError(`--batch-size must be a positive integer, got ${batchSize}`);

  const entry = findAgent(request.agent);
  const family = findTask(request.task).create(request.taskOptions ?? {});
  if (entry.createNetwork) {
    throw new UsageError(
      `agent '${entry.id}' learns its weights by meta-training: train it with \`engram ` +
        `run\`, then evaluate its checkpoint with \`engram eval\``,
    );
  }
  const reason = entry.cannotPlay(family);
  if (reason !== null) throw new UsageError(`agent '${entry.id}' cannot play task '${family.id}': ${reason}`);
  const lesion = (request.lesion ?? 'none') as Lesion;
  if (!LESIONS.includes(lesion)) throw new UsageError(`unknown lesion '${lesion}' (known: ${LESIONS.join(', ')})`);

  const agentOptions = request.agentOptions ?? {};
  const metadata = { agent: entry.id, agentOptions, task: family.id, taskOptions: family.options, seed: request.seed };
  const settings =
    request.record !== undefined
      ? recordSettings(request.record, request.recordOptions ?? {}, request.episodes)
      : undefined;
  // The agent as it plays (under its lesion when it has that memory), and intact beside a lesioned one.
  const targets = (s: RecordSettings): RecordTarget[] => {
    const probe = entry.create(family, agentOptions, Rng.fromSeed('record-probe'));
    const applies = lesion !== 'none' && isLesionable(probe) && probe.setLesion(lesion);
    const list = [recordTarget(s, entry.id, probe, applies ? lesion : 'none')];
    if (applies) list.push(recordTarget(s, entry.id, probe, 'none'));
    return list;
  };
  return withRecording(
    settings,
    family,
    request.seed,
    { agent: entry.id, agentOptions },
    () => targets(settings as RecordSettings),
    (line) => process.stderr.write(`${line}\n`),
    (recording) =>
      withTrialFiles(
        request.out,
        family,
        metadata,
        (onPlayed) =>
          play(request, family, entry, agentOptions, batchSize, lesion, onPlayed, (name, l, agent) =>
            recording?.observe(name, l, agent),
          ),
        (run) => run.report,
      ),
  );
}

/** The evaluation itself, with the intact agent beside a lesioned one; `onPlayed` receives every agent's episodes. */
function play(
  request: BaselineRequest,
  family: TaskFamily,
  entry: AgentEntry,
  agentOptions: Record<string, unknown>,
  batchSize: number,
  lesion: Lesion,
  onPlayed: PlayedCallback | undefined,
  observe: EvaluationOptions['observe'],
): BaselineRun {
  let records: readonly EpisodeRecord[] = [];
  const result = evaluateAgent(
    family,
    (kind, rng) => {
      const agent = entry.create(family, agentOptions, rng);
      if (kind === 'none') return agent;
      if (!isLesionable(agent)) {
        throw new UsageError(
          `agent '${entry.id}' has no lesion '${kind}' (lesions apply to plastic agents such as ` +
            `hebbian here, and to checkpoints with \`engram eval --lesion\`)`,
        );
      }
      return agent.setLesion(kind) ? agent : null;
    },
    {
      episodes: request.episodes,
      batchSize,
      seed: request.seed,
      lesion,
      onRecords: (r) => {
        records = r;
      },
      onPlayed,
      observe,
    },
  );
  const { task, taskOptions, seed, lesion: _lesion, intact, lesionEffect, compare: _compare, ...own } = result;
  const report: BaselineReport = {
    ...own,
    task,
    seed,
    options: { ...taskOptions },
    agentOptions: { ...agentOptions },
    ...(lesion !== 'none' ? { lesion, intact, lesionEffect } : {}),
  };
  return { report, family, records };
}
