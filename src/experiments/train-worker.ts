// A training worker thread (src/rl/data-parallel.ts): rebuilds the task family and the network
// from the run's recipe, by registry id, and plays the slices of each batch the trainer sends.

import { findAgent } from '../../agents/index.ts';
import { findTask } from '../../tasks/index.ts';
import { Rng } from '../core/rng.ts';
import { a2cWorkerPayload, serveA2CWorker } from '../rl/a2c.ts';
import { loadModules } from './plugins.ts';
import type { TrainingRecipe } from './threads.ts';

const payload = a2cWorkerPayload();
const recipe = payload.recipe as TrainingRecipe;
await loadModules(recipe.modules);
const family = findTask(recipe.taskId).create(recipe.taskOptions);
const entry = findAgent(recipe.agentId);
if (!entry.createNetwork) throw new Error(`agent '${recipe.agentId}' has no trainable network`);
// The parameters are overwritten from shared memory before every request.
serveA2CWorker(family, entry.createNetwork(family, recipe.agentOptions, Rng.fromSeed('worker-init')), payload);
