// Meta-training by advantage actor-critic with back-propagation through time over whole episodes
// (Mnih et al. 2016, as Wang et al. 2016/2018 and Duan et al. 2016 used it for meta-reinforcement
// learning). Read top to bottom: the arguments, the rollout, the loss, the update.
//
// Each update plays a batch of fresh task instances from the start of their episodes (the
// network's episode state starts fresh with every episode and never carries across), computes the
// A2C gradient, clips its global norm and takes one Adam step. With `workers` > 1 the batch is
// split over worker threads (src/rl/data-parallel.ts) and the gradients are summed in order.
//
// Randomness: batch element b of update u plays the instance sampled from
// `tasks.fork("u<u>/b<b>")` and draws its actions from `actions.fork("u<u>/b<b>")`, where `tasks`
// and `actions` are the agent's streams `train-tasks` and `train-actions`. Streams are derived by
// name, so the episodes of an update depend only on the run's seed and the update index: a resumed
// run replays the same episodes, and the split of the batch over threads changes nothing but the
// order in which gradients are summed.
import { z } from 'zod';
import { encodeInput, type PolicyNetwork, policyInputSize } from '../core/policy.ts';
import { Rng } from '../core/rng.ts';
import type { TaskFamily, TaskInstance } from '../core/types.ts';
import { Adam, type AdamState } from '../nn/adam.ts';
import { clipGradNorm } from '../nn/clip.ts';
import { softmaxRow, softmaxRows } from '../nn/kernels.ts';
import { Tape } from '../nn/tape.ts';
import { Tensor } from '../nn/tensor.ts';
import { batchSlices, serveWorker, WorkerGroup, type WorkerThreads, workerPayload } from './data-parallel.ts';
import { STREAMS } from './rollout.ts';

// ---------------------------------------------------------------------------------------------
// 1. Arguments

/** The trainer's settings (an experiment's `training`; defaults are Wang et al. 2018's bandit settings). */
export const A2CArgsSchema = z.strictObject({
  /** Number of parameter updates; each plays one batch of whole episodes. */
  updates: z.number().int().min(0).max(10_000_000),
  /** Episodes per update (B). */
  batchSize: z.number().int().min(1).max(4096).default(32),
  /** Adam step size α. */
  learningRate: z.number().gt(0).max(1).default(7e-4),
  /** Adam β₁ (decay of the first-moment estimate). */
  adamBeta1: z.number().min(0).lt(1).default(0.9),
  /** Adam β₂ (decay of the second-moment estimate). */
  adamBeta2: z.number().min(0).lt(1).default(0.999),
  /** Adam ε (added to the denominator). */
  adamEpsilon: z.number().gt(0).max(1).default(1e-8),
  /** Discount γ per step. */
  discount: z.number().min(0).max(1).default(0.9),
  /** GAE λ (1: the Monte-Carlo return minus the value baseline). */
  gaeLambda: z.number().min(0).max(1).default(1),
  /** Value-loss coefficient c_v. */
  valueCoef: z.number().min(0).max(100).default(0.05),
  /** Entropy coefficient β at the first update, annealed linearly to `entropyEnd` at the last. */
  entropyStart: z.number().min(0).max(10).default(0.05),
  /** Entropy coefficient β at the last update. */
  entropyEnd: z.number().min(0).max(10).default(0),
  /** Global gradient-norm clip (Pascanu et al. 2013). */
  gradClip: z.number().gt(0).default(50),
  /** Write a checkpoint every this many updates (and at the end). */
  checkpointEvery: z.number().int().min(1).default(100),
  /** Log metrics every this many updates. */
  logEvery: z.number().int().min(1).default(10),
  /** Threads sharing each batch (1: train on the calling thread). */
  workers: z.number().int().min(1).max(64).default(1),
});
export type A2CArgs = z.infer<typeof A2CArgsSchema>;

/** The loss coefficients of one update: γ, λ and c_v, and the entropy coefficient β at this update. */
export type A2CCoefficients = Pick<A2CArgs, 'discount' | 'gaeLambda' | 'valueCoef'> & { entropyCoef: number };

// ---------------------------------------------------------------------------------------------
// 2. Rollout

/** The rollout of one slice of an update, time-major: index [t][b] or [t][b * numActions + j]. */
export interface RolloutBuffers {
  steps: number;
  batchSize: number;
  numActions: number;
  /** Policy logits per step, batch × numActions. */
  logits: Float64Array[];
  /** Value estimate per step. */
  values: Float64Array[];
  actions: Int32Array[];
  rewards: Float64Array[];
  /** 1 while the element is still in its episode at step t (the step counts), 0 after it ended. */
  alive: Float64Array[];
}

/** Batch elements [lo, hi) of update `update`, out of a batch of `batchSize`, and the loss coefficients. */
export interface Slice {
  update: number;
  lo: number;
  hi: number;
  batchSize: number;
  coefficients: A2CCoefficients;
}

/** Sums over a slice's episodes (the trainer divides by the batch size). */
export interface RolloutSums {
  episodes: number;
  envSteps: number;
  totalReward: number;
  expectedRegret: number;
  /** Loss terms summed over the slice's alive steps. */
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  steps: number;
}

const SUM_KEYS = [
  'episodes',
  'envSteps',
  'totalReward',
  'expectedRegret',
  'policyLoss',
  'valueLoss',
  'entropy',
  'steps',
];

function emptySums(): RolloutSums {
  return Object.fromEntries(SUM_KEYS.map((k) => [k, 0])) as unknown as RolloutSums;
}

function addSums(into: RolloutSums, x: RolloutSums): void {
  for (const k of Object.keys(into) as (keyof RolloutSums)[]) into[k] += x[k];
}

/**
 * Batch elements [lo, hi) of update `update`, played on `tape` with the network: the buffers and the recorded outputs.
 */
function rollout(
  family: TaskFamily,
  net: PolicyNetwork<unknown, Tensor>,
  slice: Slice,
  tasks: Rng,
  actions: Rng,
  tape: Tape,
) {
  const { update, lo, hi } = slice;
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
  const buffers: RolloutBuffers = {
    steps: 0,
    batchSize: B,
    numActions: A,
    logits: [],
    values: [],
    actions: [],
    rewards: [],
    alive: [],
  };
  const outputs: { state: unknown; logits: Tensor; value: Tensor }[] = [];
  const sums = emptySums();
  sums.episodes = B;

  let state = net.initialState(B);
  let liveCount = B;
  for (let t = 0; t < T && liveCount > 0; t++) {
    const input = new Tensor(B, inputSize);
    for (let i = 0; i < B; i++) {
      encodeInput(input.data, i * inputSize, observations, i * O, O, A, prevAction[i], prevReward[i], t / T);
    }
    const out = tape.record(() => net.step(state, input));
    state = out.state;
    outputs.push(out);
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
  return { buffers, outputs, sums };
}

// ---------------------------------------------------------------------------------------------
// 3. Loss
//
// Per batch element, summed over the steps t of the episode and averaged over the batch:
//   L = Σ_t [ −log π(a_t | h_t) · Â_t  +  c_v · (R_t − V_t)²  −  β · H(π(· | h_t)) ]
// with Â_t from generalized advantage estimation (Schulman et al. 2016, eq. 16):
//   δ_t = r_t + γ V_{t+1} − V_t,   Â_t = δ_t + γ λ Â_{t+1},   R_t = Â_t + V_t,
// treated as constants (no gradient through the targets). Episodes end at a terminal step, after
// which V is 0; steps past an element's end are masked out. The trainer needs only ∂L/∂logits
// and ∂L/∂V of every step, written here in closed form, which it then sends backward through time.

export interface A2CLossStats {
  /** Means over the alive steps of the rollout. */
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  /** Number of alive (element, step) pairs. */
  count: number;
}

/**
 * Fills `dLogits[t]` and `dValues[t]` with ∂L/∂logits and ∂L/∂V and returns the loss terms
 * (averaged over alive steps) for logging. The loss is averaged over `batchNormalizer` episodes:
 * the whole batch's size when this rollout is one slice of it.
 */
export function a2cGradients(
  r: RolloutBuffers,
  c: A2CCoefficients,
  dLogits: Float64Array[],
  dValues: Float64Array[],
  batchNormalizer: number = r.batchSize,
): A2CLossStats {
  const { steps: T, batchSize: B, numActions: A } = r;
  const advantage = new Float64Array(B);
  const probs = new Float64Array(A);
  const logProbs = new Float64Array(A);
  const softmax = new Float64Array(2);
  let policyLoss = 0;
  let valueLoss = 0;
  let entropySum = 0;
  let count = 0;
  const invB = 1 / batchNormalizer;
  for (let t = T - 1; t >= 0; t--) {
    const logits = r.logits[t];
    const values = r.values[t];
    const nextValues = t + 1 < T ? r.values[t + 1] : null;
    const nextAlive = t + 1 < T ? r.alive[t + 1] : null;
    const dl = dLogits[t];
    const dv = dValues[t];
    for (let b = 0; b < B; b++) {
      const o = b * A;
      if (r.alive[t][b] === 0) {
        advantage[b] = 0;
        dv[b] = 0;
        for (let j = 0; j < A; j++) dl[o + j] = 0;
        continue;
      }
      // The element's episode goes on at t+1 only if it is alive then; otherwise t was terminal.
      const cont = nextAlive !== null && nextAlive[b] !== 0 ? 1 : 0;
      const vNext = cont && nextValues !== null ? nextValues[b] : 0;
      const delta = r.rewards[t][b] + c.discount * vNext - values[b];
      const adv = delta + c.discount * c.gaeLambda * cont * advantage[b];
      advantage[b] = adv;
      const target = adv + values[b];
      softmaxRow(logits, o, A, probs, 0, softmax);
      const logZ = Math.log(softmax[1]);
      let entropy = 0;
      for (let j = 0; j < A; j++) {
        logProbs[j] = logits[o + j] - softmax[0] - logZ;
        if (probs[j] > 0) entropy -= probs[j] * logProbs[j];
      }
      const a = r.actions[t][b];
      policyLoss -= logProbs[a] * adv;
      const err = target - values[b];
      valueLoss += err * err;
      entropySum += entropy;
      count++;
      // ∂(−log π_a Â)/∂z_j = (π_j − 1[j=a]) Â;  ∂(−βH)/∂z_j = β π_j (log π_j + H).
      for (let j = 0; j < A; j++) {
        const pg = (probs[j] - (j === a ? 1 : 0)) * adv;
        const eg = probs[j] > 0 ? c.entropyCoef * probs[j] * (logProbs[j] + entropy) : 0;
        dl[o + j] = (pg + eg) * invB;
      }
      dv[b] = -2 * c.valueCoef * err * invB;
    }
  }
  const n = Math.max(1, count);
  return { policyLoss: policyLoss / n, valueLoss: valueLoss / n, entropy: entropySum / n, count };
}

// ---------------------------------------------------------------------------------------------
// 4. Update

/**
 * Plays batch elements [lo, hi) of update `update` and accumulates their A2C gradients into the
 * parameters' grad buffers (which the caller zeroes). `batchSize` is the whole batch's size: the
 * loss is averaged over it, so the slices' gradients add up to the batch's. The calling thread
 * runs it for the whole batch, or each thread for its slice: both draw exactly the same episodes.
 */
export function rolloutAndBackward(
  family: TaskFamily,
  net: PolicyNetwork<unknown, Tensor>,
  slice: Slice,
  tasks: Rng,
  actions: Rng,
): RolloutSums {
  const tape = new Tape();
  const { buffers, outputs, sums } = rollout(family, net, slice, tasks, actions, tape);
  const { batchSize, coefficients } = slice;
  const dLogits = buffers.logits.map((l) => new Float64Array(l.length));
  const dValues = buffers.values.map((v) => new Float64Array(v.length));
  const stats = a2cGradients(buffers, coefficients, dLogits, dValues, batchSize);
  const seeds: (readonly [Tensor, ArrayLike<number>])[] = outputs.flatMap((out, t) => [
    [out.logits, dLogits[t]] as const,
    [out.value, dValues[t]] as const,
  ]);
  // A regularizer of the network's own (the spiking network's firing rates), weighted by this
  // slice's share of the batch.
  const regularizer = net.regularizer?.(
    outputs.map((out) => out.state),
    (slice.hi - slice.lo) / batchSize,
  );
  if (regularizer) seeds.push(...regularizer.seeds);
  tape.backwardFrom(seeds);
  sums.steps = stats.count;
  sums.policyLoss = stats.policyLoss * stats.count;
  sums.valueLoss = stats.valueLoss * stats.count;
  sums.entropy = stats.entropy * stats.count;
  return sums;
}

/** One logged update, with the namespaced metric names that the dashboard and reports read. */
export type UpdateMetrics = {
  update: number;
  envSteps: number;
  'train/episodeReward': number;
  'train/expectedRegret': number;
  'train/entropy': number;
  'train/valueLoss': number;
  'train/policyLoss': number;
  'train/gradNorm': number;
  'train/entropyCoef': number;
  'perf/envStepsPerSecond': number;
};

/** What a checkpoint stores of the trainer; with the seed, it determines every later update. */
export interface TrainerState {
  update: number;
  envSteps: number;
  optimizer: AdamState;
  rng: { tasks: ReturnType<Rng['state']>; actions: ReturnType<Rng['state']> };
}

/** What a training worker thread is sent; the recipe is read by the worker's entry module. */
export interface A2CWorkerPayload {
  recipe: unknown;
  tasksPath: string;
  actionsPath: string;
}

export class A2CTrainer {
  update = 0;
  envSteps = 0;
  readonly params: Tensor[];
  private readonly adam: Adam;
  private tasks: Rng;
  private actions: Rng;
  private workers: WorkerGroup<Slice, RolloutSums> | null = null;

  /**
   * `rng` is the agent's training stream; episodes come from its forks `train-tasks` and `train-actions`.
   * With `args.workers` > 1, `threads` says how worker threads start and rebuild the family and the network.
   */
  constructor(
    readonly family: TaskFamily,
    readonly net: PolicyNetwork<unknown, Tensor>,
    readonly args: A2CArgs,
    rng: Rng,
    private readonly threads?: WorkerThreads,
  ) {
    this.params = [...net.parameters().values()];
    this.adam = new Adam(net.parameters(), {
      learningRate: args.learningRate,
      beta1: args.adamBeta1,
      beta2: args.adamBeta2,
      epsilon: args.adamEpsilon,
    });
    this.tasks = rng.fork(STREAMS.trainTasks);
    this.actions = rng.fork(STREAMS.trainActions);
  }

  /** Entropy coefficient β at update u: linear from entropyStart to entropyEnd over the run. */
  entropyCoef(u: number): number {
    const { entropyStart, entropyEnd, updates } = this.args;
    const frac = updates > 0 ? Math.min(1, u / updates) : 1;
    return entropyStart + (entropyEnd - entropyStart) * frac;
  }

  private ensureWorkers(): WorkerGroup<Slice, RolloutSums> | null {
    const threads = Math.min(this.args.workers, this.args.batchSize);
    if (threads <= 1) return null;
    if (this.workers === null) {
      if (!this.threads) throw new Error('A2CTrainer: training on worker threads needs their entry module and recipe');
      const payload: A2CWorkerPayload = {
        recipe: this.threads.recipe,
        tasksPath: this.tasks.path,
        actionsPath: this.actions.path,
      };
      this.workers = new WorkerGroup(threads - 1, this.params, this.threads.entry, payload);
    }
    return this.workers;
  }

  /** Plays one batch and takes one optimizer step. */
  async step(): Promise<UpdateMetrics> {
    const started = performance.now();
    const B = this.args.batchSize;
    const { discount, gaeLambda, valueCoef } = this.args;
    const coefficients = { discount, gaeLambda, valueCoef, entropyCoef: this.entropyCoef(this.update) };
    for (const p of this.params) p.zeroGrad();
    const workers = this.ensureWorkers();
    const sums = emptySums();
    const slices = batchSlices(B, (workers?.size ?? 0) + 1);
    workers?.publishParameters();
    const parts = slices.map(([lo, hi]): Slice => ({ update: this.update, lo, hi, batchSize: B, coefficients }));
    const pending = parts.slice(1).map((part, i) => (workers as WorkerGroup<Slice, RolloutSums>).run(i, part));
    addSums(sums, rolloutAndBackward(this.family, this.net, parts[0], this.tasks, this.actions));
    const replies = await Promise.all(pending);
    replies.forEach((r, i) => {
      addSums(sums, r);
      workers?.accumulateGradient(i);
    });
    const gradNorm = clipGradNorm(this.params, this.args.gradClip);
    this.adam.step();
    this.update++;
    this.envSteps += sums.envSteps;
    const seconds = (performance.now() - started) / 1000;
    const steps = Math.max(1, sums.steps);
    return {
      update: this.update,
      envSteps: this.envSteps,
      'train/episodeReward': sums.totalReward / sums.episodes,
      // Tasks without an expected reward (the spatial ones) have no regret: NaN, not a misleading 0.
      'train/expectedRegret': this.family.infoFields.includes('expectedRegret')
        ? sums.expectedRegret / sums.episodes
        : Number.NaN,
      'train/entropy': sums.entropy / steps,
      'train/valueLoss': sums.valueLoss / steps,
      'train/policyLoss': sums.policyLoss / steps,
      'train/gradNorm': gradNorm,
      'train/entropyCoef': coefficients.entropyCoef,
      'perf/envStepsPerSecond': sums.envSteps / Math.max(seconds, 1e-9),
    };
  }

  state(): TrainerState {
    return {
      update: this.update,
      envSteps: this.envSteps,
      optimizer: this.adam.state(),
      rng: { tasks: this.tasks.state(), actions: this.actions.state() },
    };
  }

  /** Continues from a checkpointed state (the parameters are loaded separately, into the network). */
  restore(state: TrainerState): void {
    this.update = state.update;
    this.envSteps = state.envSteps;
    this.adam.loadState(state.optimizer);
    this.tasks = Rng.fromState(state.rng.tasks);
    this.actions = Rng.fromState(state.rng.actions);
  }

  async close(): Promise<void> {
    if (this.workers) await this.workers.close();
    this.workers = null;
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Worker threads

/** The payload a training worker thread was started with (its entry module reads the recipe). */
export function a2cWorkerPayload(): A2CWorkerPayload {
  return workerPayload<A2CWorkerPayload>();
}

/** Inside a training worker thread: plays the slices the trainer sends, with the rebuilt family and network. */
export function serveA2CWorker(
  family: TaskFamily,
  net: PolicyNetwork<unknown, Tensor>,
  payload: A2CWorkerPayload,
): void {
  const tasks = Rng.fromSeed(payload.tasksPath);
  const actions = Rng.fromSeed(payload.actionsPath);
  serveWorker<Slice, RolloutSums>([...net.parameters().values()], (slice) =>
    rolloutAndBackward(family, net, slice, tasks, actions),
  );
}
