// A training worker thread: holds its own copy of the network and of the task family, and on
// each request plays its slice of the batch with the current parameters (read from shared
// memory), then writes its gradient into its own shared gradient buffer.
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../core/rng.ts';
import { findTask } from '../../tasks/index.ts';
import { findAgent } from '../../agents/index.ts';
import { rolloutAndBackward } from './rollout-train.ts';
import type { WorkerInit, WorkerRequest, WorkerReply } from './data-parallel.ts';

const init = workerData as WorkerInit;
const family = findTask(init.taskId).create(init.taskOptions);
const entry = findAgent(init.agentId);
if (!entry.createNetwork) throw new Error(`agent '${init.agentId}' has no trainable network`);
const net = entry.createNetwork(family, init.agentOptions, Rng.fromSeed('worker-init'));
const params = [...net.parameters().values()];
const shared = new Float64Array(init.sharedParams);
const grads = new Float64Array(init.sharedGrads);
const tasks = Rng.fromSeed(init.tasksPath);
const actions = Rng.fromSeed(init.actionsPath);

parentPort!.on('message', (req: WorkerRequest) => {
  let offset = 0;
  for (const p of params) {
    p.data.set(shared.subarray(offset, offset + p.size));
    p.zeroGrad();
    offset += p.size;
  }
  const sums = rolloutAndBackward(family, net, req.update, req.lo, req.hi, req.batchSize, req.coefficients, tasks, actions);
  offset = 0;
  for (const p of params) {
    if (p.grad) grads.set(p.grad, offset);
    else grads.fill(0, offset, offset + p.size);
    offset += p.size;
  }
  const reply: WorkerReply = { sums };
  parentPort!.postMessage(reply);
});
