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
import { AGENTS, findAgent } from '../../agents/index.ts';
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
  /** Mean cumulative expected regret after each trial (bandits; empty elsewhere). */
  expectedRegretByTrial: number[];
  stayAfterWin: Estimate;
  shiftAfterLose: Estimate;
  /** Anything the agent adds (the exact Bayes-optimal value, plasticity measures, …). */
  [extra: string]: unknown;
}

export function agentResult(agent: Agent, records: readonly EpisodeRecord[], family: TaskFamily<any>): AgentResult {
  const s: BehaviorSummary = summarize(records, family.trialsPerEpisode);
  const extra = agent.extraReport?.(records) ?? {};
  const taskMeasures = family.report?.(records) ?? {};
  return {
    agent: agent.id,
    kind: agent.kind,
    episodes: records.length,
    meanTotalReward: s.totalReward.mean,
    totalReward: s.totalReward,
    expectedRegret: s.expectedRegret,
    pBestByTrial: s.pBestByTrial,
    expectedRegretByTrial: s.expectedRegretByTrial,
    stayAfterWin: s.stayAfterWin,
    shiftAfterLose: s.shiftAfterLose,
    ...taskMeasures,
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
  /** Receives the evaluated agent's episodes (for per-episode measures and example paths). */
  onRecords?: (records: readonly EpisodeRecord[]) => void;
}

/**
 * Within-episode plasticity of a plastic network (PolicyNetwork.plasticityReport), averaged over
 * the held-out episodes: `meanAbsTraceChange` is the mean |Hebb_T − Hebb_0| over trace entries at
 * the end of the episode; `final`, `meanOverSteps` and `byStep` give every measure the network
 * reports at the last step, averaged over the steps, and step by step.
 */
export interface PlasticitySummary {
  meanAbsTraceChange: number;
  final: Record<string, number>;
  meanOverSteps: Record<string, number>;
  byStep: Record<string, number[]>;
}

/** Aggregates the per-step plasticity reports a NetworkAgent collected over all its batches (null if none). */
export function summarizePlasticity(agent: NetworkAgent<any>): PlasticitySummary | null {
  const steps = agent.plasticityWeights.length;
  if (steps === 0) return null;
  const byStep: Record<string, number[]> = {};
  for (let t = 0; t < steps; t++) {
    for (const [key, sum] of Object.entries(agent.plasticitySums[t])) {
      (byStep[key] ??= new Array<number>(steps).fill(NaN))[t] = sum / agent.plasticityWeights[t];
    }
  }
  const final: Record<string, number> = {};
  const meanOverSteps: Record<string, number> = {};
  for (const [key, values] of Object.entries(byStep)) {
    final[key] = values[steps - 1];
    meanOverSteps[key] = values.reduce((a, b) => a + b, 0) / steps;
  }
  return { meanAbsTraceChange: final.meanAbsTraceChange ?? NaN, final, meanOverSteps, byStep };
}

/** What a lesion did: the intact agent on the same instances, and the paired difference. */
export interface LesionComparison {
  /** False when the agent has no memory of the lesioned kind (the lesion then changes nothing). */
  applies: boolean;
  /** Expected regret per episode, lesioned − intact, paired episode by episode. */
  regretIncrease: Estimate;
  /** Total reward per episode, lesioned − intact. */
  rewardChange: Estimate;
}

export function compareLesion(lesioned: readonly EpisodeRecord[], intact: readonly EpisodeRecord[], applies: boolean): LesionComparison {
  const total = (r: EpisodeRecord) => r.rewards.reduce((a, b) => a + b, 0);
  const regrets = hasRegret(lesioned) ? expectedRegrets(lesioned) : null;
  const intactRegrets = hasRegret(intact) ? expectedRegrets(intact) : null;
  const nan: Estimate = { mean: NaN, ci95: [NaN, NaN], sem: NaN, n: 0 };
  return {
    applies,
    regretIncrease: regrets !== null && intactRegrets !== null ? ci95(regrets.map((x, i) => x - intactRegrets[i])) : nan,
    rewardChange: ci95(lesioned.map((r, i) => total(r) - total(intact[i]))),
  };
}

export interface FrozenEvalResult extends AgentResult {
  task: string;
  taskOptions: Record<string, unknown>;
  seed: number;
  /** The lesion the agent played under (its numbers above); with one, `intact` and `lesionEffect` follow. */
  lesion: Lesion;
  intact?: AgentResult;
  lesionEffect?: LesionComparison;
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
  const kind = AGENTS.find((a) => a.id === net.agentId)?.kind ?? 'learned';
  const agent = new NetworkAgent(family, net, kind, lesion);
  const records = evaluate(family, agent, { episodes: options.episodes, batchSize: options.batchSize, rng });
  options.onRecords?.(records);
  let intact: AgentResult | undefined;
  let lesionEffect: LesionComparison | undefined;
  if (lesion !== 'none') {
    // The same network without the lesion, on the same instances and action streams.
    const intactAgent = new NetworkAgent(family, net, kind, 'none');
    const intactRecords = evaluate(family, intactAgent, { episodes: options.episodes, batchSize: options.batchSize, rng });
    intact = withPlasticity(agentResult(intactAgent, intactRecords, family), intactAgent);
    const applies = net.lesion?.(lesion, net.initialState(1), 1) != null;
    lesionEffect = compareLesion(records, intactRecords, applies);
  }
  const paramsHashAfter = hashParameters(net.parameters());
  const own = withPlasticity(agentResult(agent, records, family), agent);
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
    ...(intact !== undefined ? { intact, lesionEffect } : {}),
    paramsHashBefore,
    paramsHashAfter,
    compare,
  };
}

function withPlasticity(result: AgentResult, agent: NetworkAgent<any>): AgentResult {
  const plasticity = summarizePlasticity(agent);
  return plasticity === null ? result : { ...result, plasticity };
}

function hasRegret(records: readonly EpisodeRecord[]): boolean {
  return records.length > 0 && records[0].infos.length > 0 && typeof records[0].infos[0].expectedRegret === 'number';
}
