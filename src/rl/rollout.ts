// The batched evaluation loop: an agent plays held-out task instances, a batch at a time, and
// every episode comes back as an EpisodeRecord for analysis. Classic and plastic agents learn only
// inside `act`; learned agents play with frozen weights.
//
// Randomness (the project's convention, in one place):
// - training instances come from `rng.fork('train-tasks')`, evaluation instances from
//   `rng.fork('eval-tasks')`: disjoint streams, so evaluation is always on held-out instances;
// - evaluation episode i plays the instance sampled from `evalTasks.fork(String(i))` and draws its
//   actions from `evalActions.fork(String(i))`. An instance owns its stream for all of its draws
//   (arm probabilities, rewards, positions), so with one seed episode i is the same instance for
//   every agent (paired comparisons), and the results do not depend on the batch size;
// - an agent that samples internally (Thompson) gets `rng.fork('eval-agent')` at creation.
import type { Rng } from '../core/rng.ts';
import type { Agent, AgentInput, EpisodeRecord, StepInfo, TaskFamily, TaskInstance } from '../core/types.ts';

/** Names of the derived streams (stable: changing one changes every published number). */
export const STREAMS = {
  trainTasks: 'train-tasks',
  trainActions: 'train-actions',
  evalTasks: 'eval-tasks',
  evalActions: 'eval-actions',
  evalAgent: 'eval-agent',
} as const;

/** Probability rows may be off by rounding, not by more. */
const PROB_TOLERANCE = 1e-6;

function checkRow(agent: Agent, probs: Float64Array, offset: number, k: number, step: number): void {
  let sum = 0;
  for (let a = 0; a < k; a++) {
    const p = probs[offset + a];
    if (!(p >= 0)) throw new Error(`agent '${agent.id}' returned probability ${p} at step ${step} (row ${offset / k})`);
    sum += p;
  }
  if (Math.abs(sum - 1) > PROB_TOLERANCE)
    throw new Error(`agent '${agent.id}' returned probabilities summing to ${sum} at step ${step} (row ${offset / k})`);
}

/**
 * What watches a batch being played, without changing it (activity recording): called after the
 * agent acted at each step and after the batch stepped, then with the finished records.
 */
export interface BatchObserver {
  /**
   * The agent has acted at `step` on `input` (what it saw) with `probs`; its state can be read now.
   * `input`'s arrays are overwritten after this call.
   */
  afterAct(step: number, input: AgentInput, probs: Float64Array): void;
  /** The batch stepped: the action each element took, and which elements were playing at this step. */
  afterStep(step: number, actions: Int32Array, active: Uint8Array): void;
  /** Every episode of the batch is over. */
  end(records: readonly EpisodeRecord[]): void;
}

/**
 * Plays one episode on each instance at once and returns one record per instance (in order).
 * Episodes may end at different steps: a finished element is masked out (its observation zeroed,
 * its previous action −1 and reward 0, as at an episode start, and the agent's output for it is
 * ignored) until the whole batch is done or the family's episode-length bound is reached.
 *
 * The input arrays handed to `agent.act` belong to the rollout and are overwritten at the next step.
 */
export function playBatch(
  family: TaskFamily,
  agent: Agent,
  instances: readonly TaskInstance[],
  actionRngs: readonly Rng[],
  observer?: BatchObserver,
): EpisodeRecord[] {
  const batch = instances.length;
  const obsSize = family.observationSize;
  const k = family.numActions;
  const maxSteps = family.episodeLength;
  if (actionRngs.length !== batch)
    throw new Error(`playBatch: ${batch} instances but ${actionRngs.length} action streams`);
  if (agent.numActions !== k)
    throw new Error(`agent '${agent.id}' has ${agent.numActions} actions, task '${family.id}' has ${k}`);

  const observation = new Float64Array(batch * obsSize);
  const prevAction = new Int32Array(batch).fill(-1);
  const prevReward = new Float64Array(batch);
  const prevInfo: (StepInfo | undefined)[] = new Array(batch).fill(undefined);
  const active = new Uint8Array(batch).fill(1);
  const records: EpisodeRecord[] = [];
  for (let b = 0; b < batch; b++) {
    observation.set(instances[b].reset(), b * obsSize);
    // Read once per episode, so that trial tables can name the instance each episode played.
    records.push({ actions: [], rewards: [], infos: [], instance: instances[b].groundTruth() });
  }
  let running = batch;
  const taken = new Int32Array(observer !== undefined ? batch : 0).fill(-1);
  agent.begin(batch);

  for (let step = 0; step < maxSteps && running > 0; step++) {
    const input: AgentInput = {
      observation,
      prevAction,
      prevReward,
      timeFraction: step / maxSteps,
      step,
      prevInfo,
      instances,
    };
    const { probs } = agent.act(input);
    if (probs.length !== batch * k)
      throw new Error(`agent '${agent.id}' returned ${probs.length} probabilities, expected ${batch} × ${k}`);
    observer?.afterAct(step, input, probs);
    const playing = observer !== undefined ? Uint8Array.from(active) : active;
    for (let b = 0; b < batch; b++) {
      if (!active[b]) continue;
      checkRow(agent, probs, b * k, k, step);
      const action = actionRngs[b].categorical(probs, b * k, k);
      if (observer !== undefined) taken[b] = action;
      const result = instances[b].step(action);
      const record = records[b];
      record.actions.push(action);
      record.rewards.push(result.reward);
      record.infos.push(result.info);
      if (result.done) {
        active[b] = 0;
        running--;
        observation.fill(0, b * obsSize, (b + 1) * obsSize);
        prevAction[b] = -1;
        prevReward[b] = 0;
        prevInfo[b] = undefined;
      } else {
        observation.set(result.observation, b * obsSize);
        prevAction[b] = action;
        prevReward[b] = result.reward;
        prevInfo[b] = result.info;
      }
    }
    observer?.afterStep(step, taken, playing);
  }
  observer?.end(records);
  return records;
}

export interface EvaluateOptions {
  /** Number of held-out episodes. */
  episodes: number;
  /** Episodes played at once (does not change the results, only the speed). */
  batchSize?: number;
  /** The run's root stream; the evaluation streams are derived from it by name (see STREAMS). */
  rng: Rng;
  /** An observer for the batch of episodes first … first + count − 1 (activity recording), or none. */
  observe?: (first: number, count: number) => BatchObserver | undefined;
}

/** Instance i of the held-out set (the same for every agent under one root stream). */
export function evalInstance(family: TaskFamily, rng: Rng, episode: number): TaskInstance {
  return family.sample(rng.fork(STREAMS.evalTasks).fork(String(episode)));
}

/** Plays `episodes` held-out episodes and returns their records, in episode order. */
export function evaluate(family: TaskFamily, agent: Agent, options: EvaluateOptions): EpisodeRecord[] {
  const { episodes, rng } = options;
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(episodes) || episodes < 0)
    throw new Error(`evaluate: episodes must be a non-negative integer, got ${episodes}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`evaluate: batch size must be a positive integer, got ${batchSize}`);
  const tasks = rng.fork(STREAMS.evalTasks);
  const actions = rng.fork(STREAMS.evalActions);
  const records: EpisodeRecord[] = [];
  for (let first = 0; first < episodes; first += batchSize) {
    const count = Math.min(batchSize, episodes - first);
    const instances: TaskInstance[] = [];
    const actionRngs: Rng[] = [];
    for (let i = first; i < first + count; i++) {
      instances.push(family.sample(tasks.fork(String(i))));
      actionRngs.push(actions.fork(String(i)));
    }
    for (const r of playBatch(family, agent, instances, actionRngs, options.observe?.(first, count))) records.push(r);
  }
  return records;
}
