// Evaluation on held-out instances. A learned network plays with its parameters untouched (the
// record carries their hash before and after, which must be equal); any other agent plays as it
// is; comparison agents play the very same instances with the same action streams, so every
// difference is paired episode by episode. A lesion removes one kind of within-episode memory,
// and the intact agent is played beside the lesioned one on the same instances.
//
// Agents arrive as values (or factories): this layer never looks an id up in a registry.

import { NetworkAgent } from '../../agents/kit/network-agent.ts';
import { type Lesion, lesionApplies, type PolicyNetwork } from '../core/policy.ts';
import { Rng } from '../core/rng.ts';
import type { Agent, EpisodeRecord, TaskFamily } from '../core/types.ts';
import {
  type BehaviorSummary,
  expectedRegrets,
  hasExpectedRegret,
  summarize,
  totalRewards,
} from '../measures/behavior.ts';
import { ci95, type Estimate } from '../measures/stats.ts';
import { hashParameters } from '../nn/module.ts';
import type { Tensor } from '../nn/tensor.ts';
import { type EvaluateOptions, evaluate, STREAMS } from './rollout.ts';

/** The JSON form of one agent's evaluation (the fields `engram baseline` and `engram eval` print). */
export interface AgentResult extends BehaviorSummary {
  agent: string;
  kind: string;
  episodes: number;
  meanTotalReward: number;
  /** Anything the agent or the task adds (the exact Bayes-optimal value, plasticity measures, latencies, …). */
  [extra: string]: unknown;
}

/** An estimate with nothing behind it (a measure the task does not have). */
export const NO_ESTIMATE: Estimate = { mean: Number.NaN, ci95: [Number.NaN, Number.NaN], sem: Number.NaN, n: 0 };

export function agentResult(agent: Agent, records: readonly EpisodeRecord[], family: TaskFamily): AgentResult {
  const s = summarize(records, family.trialsPerEpisode);
  const extra = agent.extraReport?.(records) ?? {};
  const taskMeasures = family.report?.(records) ?? {};
  const plasticity = agent instanceof NetworkAgent ? summarizePlasticity(agent) : null;
  return {
    agent: agent.id,
    kind: agent.kind,
    episodes: records.length,
    meanTotalReward: s.totalReward.mean,
    ...s,
    ...taskMeasures,
    ...extra,
    ...(plasticity !== null ? { plasticity } : {}),
  };
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
export function summarizePlasticity(agent: NetworkAgent<unknown>): PlasticitySummary | null {
  const steps = agent.plasticityWeights.length;
  if (steps === 0) return null;
  const byStep: Record<string, number[]> = {};
  for (let t = 0; t < steps; t++) {
    for (const [key, sum] of Object.entries(agent.plasticitySums[t])) {
      byStep[key] ??= new Array<number>(steps).fill(Number.NaN);
      byStep[key][t] = sum / agent.plasticityWeights[t];
    }
  }
  const final: Record<string, number> = {};
  const meanOverSteps: Record<string, number> = {};
  for (const [key, values] of Object.entries(byStep)) {
    final[key] = values[steps - 1];
    meanOverSteps[key] = values.reduce((a, b) => a + b, 0) / steps;
  }
  return { meanAbsTraceChange: final.meanAbsTraceChange ?? Number.NaN, final, meanOverSteps, byStep };
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

export function compareLesion(
  lesioned: readonly EpisodeRecord[],
  intact: readonly EpisodeRecord[],
  applies: boolean,
): LesionComparison {
  const paired = (f: (r: readonly EpisodeRecord[]) => Float64Array) => {
    const a = f(lesioned);
    const b = f(intact);
    return ci95(a.map((x, i) => x - b[i]));
  };
  return {
    applies,
    regretIncrease: hasExpectedRegret(lesioned) && hasExpectedRegret(intact) ? paired(expectedRegrets) : NO_ESTIMATE,
    rewardChange: paired(totalRewards),
  };
}

/**
 * The root stream of an evaluation seed. `engram baseline`, `engram eval` and a run's evaluation
 * all start from it, so the same seed gives the same held-out instances everywhere (held out from
 * training by the stream names of src/rl/rollout.ts).
 */
export function evaluationRng(seed: number): Rng {
  return Rng.fromSeed(seed);
}

/**
 * An agent to play beside the evaluated one: built on demand from the evaluation's agent stream, or the reason it
 * cannot play.
 */
export interface ComparisonAgent {
  id: string;
  /** Null when the agent can play the task. */
  cannotPlay: string | null;
  create(rng: Rng): Agent;
}

export interface EvaluationOptions {
  episodes: number;
  batchSize: number;
  seed: number;
  /** Agents to play the same instances, with the paired regret difference (this agent − it). */
  compare?: readonly ComparisonAgent[];
  lesion?: Lesion;
  /** Receives the evaluated agent's episodes (for per-episode measures and example paths). */
  onRecords?: (records: readonly EpisodeRecord[]) => void;
  /**
   * Receives the episodes of every agent played, as it finishes: the evaluated one under its lesion (`none` when the
   * lesion does not apply), the intact one beside it, the comparison agents (for trial tables).
   */
  onPlayed?: (agent: string, lesion: Lesion, records: readonly EpisodeRecord[]) => void;
  /** The observers of an agent's batches (activity recording), by the name and lesion it plays under. */
  observe?: (agent: string, lesion: Lesion, played: Agent) => EvaluateOptions['observe'];
}

export interface EvaluationResult extends AgentResult {
  task: string;
  taskOptions: Record<string, unknown>;
  seed: number;
  /** The lesion the agent played under (its numbers above); with one, `intact` and `lesionEffect` follow. */
  lesion: Lesion;
  intact?: AgentResult;
  lesionEffect?: LesionComparison;
  /** The comparison agents on the same instances, and the paired regret difference (this agent − it). */
  compare: Record<string, (AgentResult & { regretDifference: Estimate }) | { skipped: string }>;
}

/**
 * Plays `makeAgent(lesion)` on the held-out instances of `options.seed`; with a lesion, the intact
 * agent (`makeAgent('none')`) on the same instances and action streams beside it, and every
 * comparison agent after them. `makeAgent` returns null when the agent has no memory of that kind:
 * it then plays intact, and the lesion is reported as not applying.
 */
export function evaluateAgent(
  family: TaskFamily,
  makeAgent: (lesion: Lesion, rng: Rng) => Agent | null,
  options: EvaluationOptions,
): EvaluationResult {
  const rng = evaluationRng(options.seed);
  const lesion = options.lesion ?? 'none';
  // `name` null: played again without being observed.
  const run = (agent: Agent, name: string | null, playedLesion: Lesion) =>
    evaluate(family, agent, {
      episodes: options.episodes,
      batchSize: options.batchSize,
      rng,
      observe: name !== null ? options.observe?.(name, playedLesion, agent) : undefined,
    });
  const lesioned = makeAgent(lesion, rng.fork(STREAMS.evalAgent));
  const agent = lesioned ?? (makeAgent('none', rng.fork(STREAMS.evalAgent)) as Agent);
  const records = run(agent, agent.id, lesioned !== null ? lesion : 'none');
  options.onRecords?.(records);
  options.onPlayed?.(agent.id, lesioned !== null ? lesion : 'none', records);
  let intact: AgentResult | undefined;
  let lesionEffect: LesionComparison | undefined;
  if (lesion !== 'none') {
    const intactAgent = makeAgent('none', rng.fork(STREAMS.evalAgent)) as Agent;
    // Recorded only when the lesion applied: otherwise these are the episodes just recorded.
    const intactRecords = run(intactAgent, lesioned !== null ? intactAgent.id : null, 'none');
    // Without the lesion the agent already played intact: these are the same episodes again.
    if (lesioned !== null) options.onPlayed?.(intactAgent.id, 'none', intactRecords);
    intact = agentResult(intactAgent, intactRecords, family);
    lesionEffect = compareLesion(records, intactRecords, lesioned !== null);
  }
  const own = agentResult(agent, records, family);
  const ownRegret = hasExpectedRegret(records) ? expectedRegrets(records) : null;
  const compare: EvaluationResult['compare'] = {};
  for (const other of options.compare ?? []) {
    if (other.cannotPlay !== null) {
      compare[other.id] = { skipped: other.cannotPlay };
      continue;
    }
    const otherAgent = other.create(rng.fork(STREAMS.evalAgent));
    const otherRecords = run(otherAgent, other.id, 'none');
    options.onPlayed?.(other.id, 'none', otherRecords);
    const theirs = ownRegret !== null ? expectedRegrets(otherRecords) : null;
    const regretDifference =
      theirs !== null && ownRegret !== null ? ci95(ownRegret.map((x, i) => x - theirs[i])) : NO_ESTIMATE;
    compare[other.id] = { ...agentResult(otherAgent, otherRecords, family), regretDifference };
  }
  return {
    ...own,
    task: family.id,
    taskOptions: family.options,
    seed: options.seed,
    lesion,
    ...(intact !== undefined ? { intact, lesionEffect } : {}),
    compare,
  };
}

export interface FrozenEvalResult extends EvaluationResult {
  paramsHashBefore: string;
  paramsHashAfter: string;
}

/** A learned network (or a meta-trained plastic one) evaluated with frozen weights. */
export function frozenEvaluation(
  family: TaskFamily,
  net: PolicyNetwork<unknown, Tensor>,
  options: EvaluationOptions,
): FrozenEvalResult {
  const paramsHashBefore = hashParameters(net.parameters());
  const result = evaluateAgent(
    family,
    (lesion) => (lesion === 'none' || lesionApplies(net, lesion) ? new NetworkAgent(family, net, lesion) : null),
    options,
  );
  return { ...result, paramsHashBefore, paramsHashAfter: hashParameters(net.parameters()) };
}
