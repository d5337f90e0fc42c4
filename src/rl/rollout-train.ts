// One training rollout over a slice of the batch, and the backward pass through time that turns
// it into parameter gradients. The main thread runs it for the whole batch, or each worker thread
// runs it for its slice (src/rl/train-worker.ts); both call this function, so one worker and many
// draw exactly the same episodes.
//
// Randomness: batch element b of update u plays the instance sampled from
// `tasks.fork("u<u>/b<b>")` and draws its actions from `actions.fork("u<u>/b<b>")`. Streams are
// derived by name, so the episodes of an update depend only on the run's seed and the update
// index: a resumed run replays the same episodes, and the split of the batch over workers changes
// nothing but the order in which gradients are summed.
import { Tape } from '../nn/tape.ts';
import { Tensor } from '../nn/tensor.ts';
import type { Rng } from '../core/rng.ts';
import type { TaskFamily, TaskInstance } from '../core/types.ts';
import { a2cGradients, type A2CCoefficients, type RolloutBuffers } from './a2c-loss.ts';
import { encodeInput, policyInputSize, softmaxRows, type PolicyNetwork } from './policy.ts';

/** Sums over the slice's episodes (the caller divides by the batch size). */
export interface RolloutSums {
  episodes: number;
  envSteps: number;
  totalReward: number;
  expectedRegret: number;
  /** Loss terms summed over the slice's alive steps (a2cGradients averages, so these are mean × count). */
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  steps: number;
}

export function emptySums(): RolloutSums {
  return { episodes: 0, envSteps: 0, totalReward: 0, expectedRegret: 0, policyLoss: 0, valueLoss: 0, entropy: 0, steps: 0 };
}

export function addSums(into: RolloutSums, x: RolloutSums): void {
  for (const k of Object.keys(into) as (keyof RolloutSums)[]) into[k] += x[k];
}

/**
 * Plays batch elements [lo, hi) of update `update` with the network, then accumulates the A2C
 * gradients into the parameters' grad buffers (which the caller zeroes). `batchSize` is the whole
 * batch's size: the loss is averaged over it, so the slices' gradients add up to the batch's.
 */
export function rolloutAndBackward(
  family: TaskFamily<any>,
  net: PolicyNetwork<any>,
  update: number,
  lo: number,
  hi: number,
  batchSize: number,
  coefficients: A2CCoefficients,
  tasks: Rng,
  actions: Rng,
): RolloutSums {
  const B = hi - lo;
  const T = family.episodeLength;
  const A = family.numActions;
  const O = family.observationSize;
  const inputSize = policyInputSize(family);
  const instances: TaskInstance[] = [];
  const actionRngs: Rng[] = [];
  for (let b = lo; b < hi; b++) {
    instances.push(family.sample(tasks.fork(`u${update}/b${b}`)));
    actionRngs.push(actions.fork(`u${update}/b${b}`));
  }
  const observations = new Float64Array(B * O);
  for (let i = 0; i < B; i++) observations.set(instances[i].reset(), i * O);
  const prevAction = new Int32Array(B).fill(-1);
  const prevReward = new Float64Array(B);
  const live = new Uint8Array(B).fill(1);
  const probs = new Float64Array(B * A);

  const buffers: RolloutBuffers = { steps: 0, batchSize: B, numActions: A, logits: [], values: [], actions: [], rewards: [], alive: [] };
  const logitTensors: Tensor[] = [];
  const valueTensors: Tensor[] = [];
  const sums = emptySums();
  sums.episodes = B;

  const tape = new Tape();
  let state = net.initialState(B);
  let liveCount = B;
  for (let t = 0; t < T && liveCount > 0; t++) {
    const input = new Tensor(B, inputSize);
    const timeFraction = t / T;
    for (let i = 0; i < B; i++) {
      encodeInput(input.data, i * inputSize, observations, i * O, O, A, prevAction[i], prevReward[i], timeFraction);
    }
    const out = tape.record(() => net.step(state, input));
    state = out.state;
    logitTensors.push(out.logits);
    valueTensors.push(out.value);
    softmaxRows(out.logits.data, probs, B, A);
    const stepActions = new Int32Array(B);
    const stepRewards = new Float64Array(B);
    const alive = new Float64Array(B);
    for (let i = 0; i < B; i++) {
      if (!live[i]) continue;
      alive[i] = 1;
      const a = actionRngs[i].categorical(probs, i * A, A);
      const result = instances[i].step(a);
      stepActions[i] = a;
      stepRewards[i] = result.reward;
      sums.totalReward += result.reward;
      sums.expectedRegret += result.info.expectedRegret ?? 0;
      sums.envSteps++;
      prevAction[i] = a;
      prevReward[i] = result.reward;
      observations.set(result.observation, i * O);
      if (result.done) {
        live[i] = 0;
        liveCount--;
      }
    }
    buffers.logits.push(out.logits.data);
    buffers.values.push(out.value.data);
    buffers.actions.push(stepActions);
    buffers.rewards.push(stepRewards);
    buffers.alive.push(alive);
    buffers.steps++;
  }

  const dLogits = buffers.logits.map((l) => new Float64Array(l.length));
  const dValues = buffers.values.map((v) => new Float64Array(v.length));
  const stats = a2cGradients(buffers, coefficients, dLogits, dValues, batchSize);
  const seeds: [Tensor, Float64Array][] = [];
  for (let t = 0; t < buffers.steps; t++) {
    seeds.push([logitTensors[t], dLogits[t]]);
    seeds.push([valueTensors[t], dValues[t]]);
  }
  tape.backwardFrom(seeds);
  sums.steps = stats.count;
  sums.policyLoss = stats.policyLoss * stats.count;
  sums.valueLoss = stats.valueLoss * stats.count;
  sums.entropy = stats.entropy * stats.count;
  return sums;
}
