// How a run's training worker threads start: the entry module (train-worker.js, which registers
// the TypeScript loader and loads train-worker.ts) and the recipe it rebuilds the task family and
// the network from, by registry id.
import type { WorkerThreads } from '../rl/data-parallel.ts';

/** What a run's worker threads rebuild their family and network from. */
export interface TrainingRecipe {
  taskId: string;
  taskOptions: Record<string, unknown>;
  agentId: string;
  agentOptions: Record<string, unknown>;
  /** Modules of one's own the task or agent come from (loaded by each worker first). */
  modules: string[];
}

/** The worker threads of a run training `recipe.agentId` on `recipe.taskId`. */
export function trainingThreads(recipe: TrainingRecipe): WorkerThreads {
  return { entry: new URL('./train-worker.js', import.meta.url), recipe };
}
