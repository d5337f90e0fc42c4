// The registry of task families, by id (ids are stable: scripts rely on them).

import { UsageError } from '../src/core/errors.ts';
import type { TaskEntry } from '../src/core/registry.ts';
import { banditBernoulli } from './bandit-bernoulli.ts';
import { banditCorrelated } from './bandit-correlated.ts';
import { banditRestless } from './bandit-restless.ts';
import { gridGoal } from './grid-goal.ts';
import { harlow } from './harlow.ts';
import { iclRegression } from './icl-regression.ts';
import { watermaze } from './watermaze.ts';

export const TASKS: readonly TaskEntry[] = [
  banditBernoulli,
  banditCorrelated,
  banditRestless,
  harlow,
  iclRegression,
  watermaze,
  gridGoal,
];

export function findTask(id: string): TaskEntry {
  const entry = TASKS.find((t) => t.id === id);
  if (!entry) throw new UsageError(`unknown task '${id}' (known: ${TASKS.map((t) => t.id).join(', ') || 'none'})`);
  return entry;
}
