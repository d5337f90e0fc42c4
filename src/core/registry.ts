// The shape of the task registry (tasks/index.ts; the agent registry's is agents/kit/entry.ts): ids
// map to factories that validate options and build families. Only src/experiments and the
// layers above it look ids up; everything below receives families, agents and networks as values.
import type { TaskFamily } from './types.ts';

export interface TaskEntry {
  id: string;
  description: string;
  /** Builds a family from user options; unknown or out-of-range options throw a UsageError naming the key. */
  create(options?: Record<string, unknown>): TaskFamily;
}
