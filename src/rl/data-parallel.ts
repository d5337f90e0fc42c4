// Data-parallel training on worker threads: the batch of an update is split into contiguous
// slices; the main thread plays the first slice while each worker plays one of the others with
// the same parameters, then the gradients are summed in slice order. Parameters travel through
// one SharedArrayBuffer (written by the main thread after each optimizer step) and each worker
// writes its gradient into a SharedArrayBuffer of its own, so an update costs two short messages
// per worker and no copies of the network through the message channel.
//
// This file knows nothing of the algorithm: the trainer says which module a worker thread runs
// and what it rebuilds its task and network from (a recipe only the layer that made it reads).
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { Tensor } from '../nn/tensor.ts';

/**
 * How to start training workers: the worker's entry module, and the recipe it rebuilds the family and the network from.
 */
export interface WorkerThreads {
  entry: URL;
  recipe: unknown;
}

/** What a worker thread receives: the trainer's payload and the shared parameter and gradient buffers. */
export interface WorkerData<P> {
  payload: P;
  sharedParams: SharedArrayBuffer;
  sharedGrads: SharedArrayBuffer;
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

export class WorkerGroup<Request, Reply> {
  private readonly workers: Worker[] = [];
  private readonly sharedParams: Float64Array;
  private readonly grads: Float64Array[] = [];

  constructor(
    count: number,
    private readonly params: readonly Tensor[],
    entry: URL,
    payload: unknown,
  ) {
    const total = params.reduce((s, p) => s + p.size, 0);
    const paramsBuffer = new SharedArrayBuffer(total * 8);
    this.sharedParams = new Float64Array(paramsBuffer);
    for (let i = 0; i < count; i++) {
      const gradBuffer = new SharedArrayBuffer(total * 8);
      this.grads.push(new Float64Array(gradBuffer));
      const data: WorkerData<unknown> = { payload, sharedParams: paramsBuffer, sharedGrads: gradBuffer };
      const worker = new Worker(entry, { workerData: data });
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

  /** Starts a request on worker `i`; resolves with its reply once its gradient is in shared memory. */
  run(i: number, request: Request): Promise<Reply> {
    const worker = this.workers[i];
    return new Promise((resolve, reject) => {
      const onMessage = (reply: Reply) => {
        worker.off('error', onError);
        resolve(reply);
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

/** Inside a worker thread: the payload the trainer sent. */
export function workerPayload<P>(): P {
  return (workerData as WorkerData<P>).payload;
}

/**
 * Inside a worker thread: answers every request with `handle`, after loading the published
 * parameters into `params` (gradients zeroed) and before writing their gradients to shared memory.
 */
export function serveWorker<Request, Reply>(params: readonly Tensor[], handle: (request: Request) => Reply): void {
  const data = workerData as WorkerData<unknown>;
  const shared = new Float64Array(data.sharedParams);
  const grads = new Float64Array(data.sharedGrads);
  parentPort?.on('message', (request: Request) => {
    let offset = 0;
    for (const p of params) {
      p.data.set(shared.subarray(offset, offset + p.size));
      p.zeroGrad();
      offset += p.size;
    }
    const reply = handle(request);
    offset = 0;
    for (const p of params) {
      if (p.grad) grads.set(p.grad, offset);
      else grads.fill(0, offset, offset + p.size);
      offset += p.size;
    }
    parentPort?.postMessage(reply);
  });
}
