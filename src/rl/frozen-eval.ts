// Frozen-weight evaluation: a learned network plays held-out instances with its parameters
// untouched (the record carries their hash before and after, which must be equal), and the
// comparison agents play the very same instances with the same action streams, so every
// difference is paired episode by episode.
import { Rng } from '../core/rng.ts';
import type { Agent, EpisodeRecord, TaskFamily } from '../core/types.ts';
import { hashParameters } from '../nn/module.ts';
import { evaluate, STREAMS } from './rollout.ts';
import { expectedRegrets, summarize, type BehaviorSummary } from '../analysis/measures.ts';
import { ci95, type Estimate } from '../analysis/stats.ts';
import { findAgent } from '../../agents/index.ts';
import { NetworkAgent } from './network-agent.ts';
import type { Lesion, PolicyNetwork } from './policy.ts';

/** The JSON form of one agent's evaluation (the fields `engram baseline` and `engram eval` print). */
export interface AgentResult {
  agent: string;
  kind: string;
  episodes: number;
  meanTotalReward: number;
  totalReward: Estimate;
  expectedRegret: Estimate;
  /** P(best choice) at each trial, with its interval over the episodes that reached the trial. */
  pBestByTrial: Estimate[];
  stayAfterWin: Estimate;
  shiftAfterLose: Estimate;
  /** Anything the agent adds (the exact Bayes-optimal value, plasticity measures, …). */
  [extra: string]: unknown;
}

export function agentResult(agent: Agent, records: readonly EpisodeRecord[], family: TaskFamily<any>): AgentResult {
  const s: BehaviorSummary = summarize(records, family.trialsPerEpisode);
  const extra = agent.extraReport?.(records) ?? {};
  return {
    agent: agent.id,
    kind: agent.kind,
    episodes: records.length,
    meanTotalReward: s.totalReward.mean,
    totalReward: s.totalReward,
    expectedRegret: s.expectedRegret,
    pBestByTrial: s.pBestByTrial,
    stayAfterWin: s.stayAfterWin,
    shiftAfterLose: s.shiftAfterLose,
    ...extra,
  };
}

export interface FrozenEvalOptions {
  episodes: number;
  batchSize: number;
  seed: number;
  /** Classic agents to play the same instances. */
  compare: readonly string[];
  lesion?: Lesion;
}

export interface FrozenEvalResult extends AgentResult {
  task: string;
  taskOptions: Record<string, unknown>;
  seed: number;
  lesion: Lesion;
  paramsHashBefore: string;
  paramsHashAfter: string;
  /** The comparison agents on the same instances, and the paired regret difference (this agent − it). */
  compare: Record<string, (AgentResult & { regretDifference: Estimate }) | { skipped: string }>;
}

/**
 * The root stream of an evaluation seed. `engram baseline`, `engram eval` and a run's evaluation
 * all start from it, so the same seed gives the same held-out instances everywhere (held out from
 * training by the stream names of src/rl/rollout.ts).
 */
export function evaluationRng(seed: number): Rng {
  return Rng.fromSeed(seed);
}

export function frozenEvaluation(family: TaskFamily<any>, net: PolicyNetwork<any>, options: FrozenEvalOptions): FrozenEvalResult {
  const rng = evaluationRng(options.seed);
  const lesion = options.lesion ?? 'none';
  const paramsHashBefore = hashParameters(net.parameters());
  const agent = new NetworkAgent(family, net, 'learned', lesion);
  const records = evaluate(family, agent, { episodes: options.episodes, batchSize: options.batchSize, rng });
  const paramsHashAfter = hashParameters(net.parameters());
  const own = agentResult(agent, records, family);
  const ownRegret = hasRegret(records) ? expectedRegrets(records) : null;
  const compare: FrozenEvalResult['compare'] = {};
  for (const id of options.compare) {
    const entry = findAgent(id);
    const reason = entry.cannotPlay(family);
    if (reason !== null) {
      compare[id] = { skipped: reason };
      continue;
    }
    const other = entry.create(family, {}, rng.fork(STREAMS.evalAgent));
    const otherRecords = evaluate(family, other, { episodes: options.episodes, batchSize: options.batchSize, rng });
    const result = agentResult(other, otherRecords, family);
    let regretDifference: Estimate = { mean: NaN, ci95: [NaN, NaN], sem: NaN, n: 0 };
    if (ownRegret !== null) {
      const theirs = expectedRegrets(otherRecords);
      regretDifference = ci95(ownRegret.map((x, i) => x - theirs[i]));
    }
    compare[id] = { ...result, regretDifference };
  }
  return {
    ...own,
    task: family.id,
    taskOptions: family.options as Record<string, unknown>,
    seed: options.seed,
    lesion,
    paramsHashBefore,
    paramsHashAfter,
    compare,
  };
}

function hasRegret(records: readonly EpisodeRecord[]): boolean {
  return records.length > 0 && records[0].infos.length > 0 && typeof records[0].infos[0].expectedRegret === 'number';
}
