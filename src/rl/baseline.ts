// `engram baseline`: one agent (classic, or any agent that needs no training) evaluated on seeded
// held-out instances of one task, summarized with confidence intervals. Agents may add fields of
// their own through `Agent.extraReport` (the Bayes-optimal agent adds its exact expected reward).
import { UsageError } from '../core/errors.ts';
import type { EpisodeRecord, TaskFamily } from '../core/types.ts';
import { findTask } from '../../tasks/index.ts';
import { findAgent } from '../../agents/index.ts';
import type { Estimate } from '../analysis/stats.ts';
import { evaluate, STREAMS } from './rollout.ts';
import { agentResult, compareLesion, evaluationRng, type AgentResult, type LesionComparison } from './frozen-eval.ts';
import { isLesionable, LESIONS, type Lesion } from './policy.ts';

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
  /** A lesion (`reset-state`, `freeze-plasticity`) for agents that support one; the intact agent is reported beside it. */
  lesion?: string;
}

export interface BaselineReport extends AgentResult {
  task: string;
  seed: number;
  /** The task's resolved options (defaults filled in). */
  options: Record<string, unknown>;
  agentOptions: Record<string, unknown>;
  /** With a lesion: the numbers above are the lesioned agent's; `intact` and `lesionEffect` compare it with the intact one. */
  lesion?: Lesion;
  intact?: AgentResult;
  lesionEffect?: LesionComparison;
}

export interface BaselineRun {
  report: BaselineReport;
  family: TaskFamily<any>;
  records: EpisodeRecord[];
}

/** Builds the family and agent, checks the agent can play, evaluates, and summarizes. */
export function runBaseline(request: BaselineRequest): BaselineRun {
  if (!Number.isInteger(request.episodes) || request.episodes < 1) throw new UsageError(`--episodes must be a positive integer, got ${request.episodes}`);
  if (!Number.isSafeInteger(request.seed)) throw new UsageError(`--seed must be an integer, got ${request.seed}`);
  const batchSize = request.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size must be a positive integer, got ${batchSize}`);

  const taskEntry = findTask(request.task);
  const agentEntry = findAgent(request.agent);
  const family = taskEntry.create(request.taskOptions ?? {});
  if (agentEntry.createNetwork) {
    throw new UsageError(`agent '${agentEntry.id}' learns its weights by meta-training: train it with \`engram run\`, then evaluate its checkpoint with \`engram eval\``);
  }
  const reason = agentEntry.cannotPlay(family);
  if (reason !== null) throw new UsageError(`agent '${agentEntry.id}' cannot play task '${family.id}': ${reason}`);

  const lesion = request.lesion ?? 'none';
  if (!LESIONS.includes(lesion as Lesion)) throw new UsageError(`unknown lesion '${lesion}' (known: ${LESIONS.join(', ')})`);

  const rng = evaluationRng(request.seed);
  const agent = agentEntry.create(family, request.agentOptions ?? {}, rng.fork(STREAMS.evalAgent));
  let lesioned: { intact: AgentResult; lesionEffect: LesionComparison } | null = null;
  let records: EpisodeRecord[];
  if (lesion !== 'none') {
    if (!isLesionable(agent)) {
      throw new UsageError(`agent '${agentEntry.id}' has no lesion '${lesion}' (lesions apply to plastic agents such as hebbian here, and to checkpoints with \`engram eval --lesion\`)`);
    }
    const applies = agent.setLesion(lesion as Lesion);
    records = evaluate(family, agent, { episodes: request.episodes, batchSize, rng });
    // The intact agent on the same instances and action streams, for a paired comparison.
    const intactAgent = agentEntry.create(family, request.agentOptions ?? {}, rng.fork(STREAMS.evalAgent));
    const intactRecords = evaluate(family, intactAgent, { episodes: request.episodes, batchSize, rng });
    lesioned = { intact: agentResult(intactAgent, intactRecords, family), lesionEffect: compareLesion(records, intactRecords, applies) };
  } else {
    records = evaluate(family, agent, { episodes: request.episodes, batchSize, rng });
  }
  const report: BaselineReport = {
    ...agentResult(agent, records, family),
    task: family.id,
    seed: request.seed,
    options: { ...(family.options as Record<string, unknown>) },
    agentOptions: { ...(request.agentOptions ?? {}) },
    ...(lesioned !== null ? { lesion: lesion as Lesion, ...lesioned } : {}),
  };
  return { report, family, records };
}

function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function fmtEstimate(e: Estimate, digits = 2): string {
  return `${fmt(e.mean, digits)}  (95% CI ${fmt(e.ci95[0], digits)} to ${fmt(e.ci95[1], digits)}, n = ${e.n})`;
}

/** The readable form of a report (what `engram baseline` prints without --json). */
export function formatBaseline(report: BaselineReport): string {
  const opts = Object.entries(report.options)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const agentOpts = Object.entries(report.agentOptions)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const lines = [
    `${report.agent}${agentOpts ? ` (${agentOpts})` : ''} on ${report.task} (${opts}): ${report.episodes} held-out episodes, seed ${report.seed}`,
    `  total reward      ${fmtEstimate(report.totalReward)}`,
    `  expected regret   ${fmtEstimate(report.expectedRegret)}`,
    `  stay after win    ${fmtEstimate(report.stayAfterWin, 3)}`,
    `  shift after lose  ${fmtEstimate(report.shiftAfterLose, 3)}`,
  ];
  const trials = report.pBestByTrial.length;
  const shown = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000].filter((t) => t <= trials);
  if (trials > 0 && shown[shown.length - 1] !== trials) shown.push(trials);
  lines.push('  P(best choice) by trial:');
  for (const t of shown) lines.push(`    trial ${String(t).padStart(4)}  ${fmtEstimate(report.pBestByTrial[t - 1], 3)}`);
  if (report.lesion !== undefined && report.intact !== undefined && report.lesionEffect !== undefined) {
    lines.push(`  lesion ${report.lesion}${report.lesionEffect.applies ? '' : ' (the agent has no such memory: no effect)'}:`);
    lines.push(`    intact expected regret   ${fmtEstimate(report.intact.expectedRegret)}`);
    lines.push(`    regret increase (paired) ${fmtEstimate(report.lesionEffect.regretIncrease)}`);
  }
  const standard = new Set(['task', 'agent', 'kind', 'episodes', 'seed', 'options', 'agentOptions', 'meanTotalReward', 'totalReward', 'expectedRegret', 'pBestByTrial', 'stayAfterWin', 'shiftAfterLose', 'lesion', 'intact', 'lesionEffect']);
  for (const [k, v] of Object.entries(report)) {
    if (standard.has(k)) continue;
    if (k === 'plasticity' && typeof v === 'object' && v !== null) {
      // The step-by-step series belong to --json; the summary numbers fit on one line.
      const summary = Object.entries(v).filter(([, x]) => typeof x === 'number').map(([name, x]) => `${name} ${fmt(x as number, 3)}`);
      lines.push(`  ${k.padEnd(17)} ${summary.join(', ')}`);
      continue;
    }
    lines.push(`  ${k.padEnd(17)} ${typeof v === 'number' ? fmt(v, 3) : JSON.stringify(v)}`);
  }
  return lines.join('\n');
}
