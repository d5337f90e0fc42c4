// Data-parallel training on worker threads: the batch of an update is split into contiguous
// slices; the main thread plays the first slice while each worker plays one of the others with
// the same parameters, then the gradients are summed in slice order. Parameters travel through
// one SharedArrayBuffer (written by the main thread after each optimizer step) and each worker
// writes its gradient into a SharedArrayBuffer of its own, so an update costs two short messages
// per worker and no copies of the network through the message channel.
import { Worker } from 'node:worker_threads';
import type { Tensor } from '../nn/tensor.ts';
import type { A2CCoefficients } from './a2c-loss.ts';
import type { RolloutSums } from './rollout-train.ts';

export interface WorkerInit {
  taskId: string;
  taskOptions: Record<string, unknown>;
  agentId: string;
  agentOptions: Record<string, unknown>;
  sharedParams: SharedArrayBuffer;
  sharedGrads: SharedArrayBuffer;
  tasksPath: string;
  actionsPath: string;
}

export interface WorkerRequest {
  update: number;
  lo: number;
  hi: number;
  batchSize: number;
  coefficients: A2CCoefficients;
}

export interface WorkerReply {
  sums: RolloutSums;
}

/** The contiguous slices [lo, hi) of a batch of `batchSize` over `parts` threads (earlier slices one larger). */
export function batchSlices(batchSize: number, parts: number): [number, number][] {
  const n = Math.min(parts, batchSize);
  const out: [number, number][] = [];
  let lo = 0;
  for (let i = 0; i < n; i++) {
    const size = Math.floor(batchSize / n) + (i < batchSize % n ? 1 : 0);
    out.push([lo, lo + size]);
    lo += size;
  }
  return out;
}

export class WorkerGroup {
  private readonly workers: Worker[] = [];
  private readonly sharedParams: Float64Array;
  private readonly grads: Float64Array[] = [];
  private readonly total: number;

  constructor(
    count: number,
    private readonly params: readonly Tensor[],
    init: Omit<WorkerInit, 'sharedParams' | 'sharedGrads'>,
  ) {
    this.total = params.reduce((s, p) => s + p.size, 0);
    const paramsBuffer = new SharedArrayBuffer(this.total * 8);
    this.sharedParams = new Float64Array(paramsBuffer);
    const entry = new URL('./train-worker.js', import.meta.url);
    for (let i = 0; i < count; i++) {
      const gradBuffer = new SharedArrayBuffer(this.total * 8);
      this.grads.push(new Float64Array(gradBuffer));
      const worker = new Worker(entry, { workerData: { ...init, sharedParams: paramsBuffer, sharedGrads: gradBuffer } satisfies WorkerInit });
      worker.unref();
      this.workers.push(worker);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Publishes the current parameter values to the workers. */
  publishParameters(): void {
    let offset = 0;
    for (const p of this.params) {
      this.sharedParams.set(p.data, offset);
      offset += p.size;
    }
  }

  /** Starts slice `i` on worker `i`; resolves with its sums once its gradient is in shared memory. */
  run(i: number, request: WorkerRequest): Promise<RolloutSums> {
    const worker = this.workers[i];
    return new Promise((resolve, reject) => {
      const onMessage = (reply: WorkerReply) => {
        worker.off('error', onError);
        resolve(reply.sums);
      };
      const onError = (err: Error) => {
        worker.off('message', onMessage);
        reject(err);
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.postMessage(request);
    });
  }

  /** Adds worker `i`'s gradient into the parameters' grad buffers. */
  accumulateGradient(i: number): void {
    const g = this.grads[i];
    let offset = 0;
    for (const p of this.params) {
      const target = p.gradBuffer();
      for (let j = 0; j < p.size; j++) target[j] += g[offset + j];
      offset += p.size;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
