// Meta-training by advantage actor-critic with back-propagation through time over whole episodes
// (Wang et al. 2016/2018; Duan et al. 2016): each update plays a batch of fresh task instances,
// computes the A2C gradient (src/rl/a2c-loss.ts), clips its global norm and takes one Adam step.
// The network's episode state starts fresh with every episode and is never carried across.
import { Rng } from '../core/rng.ts';
import type { TaskFamily } from '../core/types.ts';
import type { Tensor } from '../nn/tensor.ts';
import { Adam, type AdamState } from '../nn/adam.ts';
import { clipGradNorm } from '../nn/clip.ts';
import type { TrainingSpec } from '../experiments/spec.ts';
import type { A2CCoefficients } from './a2c-loss.ts';
import { addSums, emptySums, rolloutAndBackward, type RolloutSums } from './rollout-train.ts';
import { batchSlices, WorkerGroup } from './data-parallel.ts';
import type { PolicyNetwork } from './policy.ts';

/** One logged update, with the namespaced metric names that the dashboard and reports read. */
export interface UpdateMetrics {
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
}

/** What a checkpoint stores of the trainer; with the seed, it determines every later update. */
export interface TrainerState {
  update: number;
  envSteps: number;
  optimizer: AdamState;
  rng: { tasks: ReturnType<Rng['state']>; actions: ReturnType<Rng['state']> };
}

export interface TrainerIdentity {
  taskId: string;
  taskOptions: Record<string, unknown>;
  agentId: string;
  agentOptions: Record<string, unknown>;
}

export class A2CTrainer {
  update = 0;
  envSteps = 0;
  readonly params: Tensor[];
  private readonly adam: Adam;
  private tasks: Rng;
  private actions: Rng;
  private workers: WorkerGroup | null = null;

  /**
   * `rng` is the agent's training stream; episodes come from its forks `train-tasks` and
   * `train-actions`. With `training.workers` > 1, `identity` lets worker threads rebuild the
   * family and the network.
   */
  constructor(
    readonly family: TaskFamily<any>,
    readonly net: PolicyNetwork<any>,
    readonly training: TrainingSpec,
    rng: Rng,
    private readonly identity?: TrainerIdentity,
  ) {
    this.params = [...net.parameters().values()];
    this.adam = new Adam(net.parameters(), {
      learningRate: training.learningRate,
      beta1: training.adamBeta1,
      beta2: training.adamBeta2,
      epsilon: training.adamEpsilon,
    });
    this.tasks = rng.fork('train-tasks');
    this.actions = rng.fork('train-actions');
  }

  /** Entropy coefficient β at update u: linear from entropyStart to entropyEnd over the run. */
  entropyCoef(u: number): number {
    const { entropyStart, entropyEnd, updates } = this.training;
    const frac = updates > 0 ? Math.min(1, u / updates) : 1;
    return entropyStart + (entropyEnd - entropyStart) * frac;
  }

  private ensureWorkers(): WorkerGroup | null {
    const threads = Math.min(this.training.workers, this.training.batchSize);
    if (threads <= 1) return null;
    if (this.workers === null) {
      if (!this.identity) throw new Error('A2CTrainer: training on worker threads needs the task and agent ids');
      this.workers = new WorkerGroup(threads - 1, this.params, {
        ...this.identity,
        tasksPath: this.tasks.path,
        actionsPath: this.actions.path,
      });
    }
    return this.workers;
  }

  /** Plays one batch and takes one optimizer step. */
  async step(): Promise<UpdateMetrics> {
    const started = performance.now();
    const B = this.training.batchSize;
    const coefficients: A2CCoefficients = {
      discount: this.training.discount,
      gaeLambda: this.training.gaeLambda,
      valueCoef: this.training.valueCoef,
      entropyCoef: this.entropyCoef(this.update),
    };
    for (const p of this.params) p.zeroGrad();
    const workers = this.ensureWorkers();
    const sums: RolloutSums = emptySums();
    if (workers === null) {
      addSums(sums, rolloutAndBackward(this.family, this.net, this.update, 0, B, B, coefficients, this.tasks, this.actions));
    } else {
      const slices = batchSlices(B, workers.size + 1);
      workers.publishParameters();
      const pending = slices.slice(1).map(([lo, hi], i) => workers.run(i, { update: this.update, lo, hi, batchSize: B, coefficients }));
      const [lo, hi] = slices[0];
      addSums(sums, rolloutAndBackward(this.family, this.net, this.update, lo, hi, B, coefficients, this.tasks, this.actions));
      const replies = await Promise.all(pending);
      replies.forEach((r, i) => {
        addSums(sums, r);
        workers.accumulateGradient(i);
      });
    }
    const gradNorm = clipGradNorm(this.params, this.training.gradClip);
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
      'train/expectedRegret': this.family.infoFields.includes('expectedRegret') ? sums.expectedRegret / sums.episodes : NaN,
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
