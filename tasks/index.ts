// The registry of task families, by id (ids are stable: scripts rely on them).

import { Registry, type TaskEntry } from '../src/core/registry.ts';
import { banditBernoulli } from './bandit-bernoulli.ts';
import { banditCorrelated } from './bandit-correlated.ts';
import { banditRestless } from './bandit-restless.ts';
import { graphWalk } from './graph-walk.ts';
import { gridGoal } from './grid-goal.ts';
import { harlow } from './harlow.ts';
import { iclBursty } from './icl-bursty.ts';
import { iclInduction } from './icl-induction.ts';
import { iclRegression } from './icl-regression.ts';
import { twoStep } from './two-step.ts';
import { watermaze } from './watermaze.ts';

const BANDITS = [banditBernoulli, banditCorrelated, banditRestless];
const NAVIGATION = [watermaze, gridGoal];

/** The registry: built-in tasks, and any a plugin registers. */
export const taskRegistry = new Registry<TaskEntry>('task', [
  ...BANDITS,
  harlow,
  twoStep,
  iclRegression,
  iclInduction,
  iclBursty,
  graphWalk,
  ...NAVIGATION,
]);

/** The registered tasks, in order. */
export const TASKS: readonly TaskEntry[] = taskRegistry.entries;

/** The task of `id` (a UsageError for an unknown id). */
export function findTask(id: string): TaskEntry {
  return taskRegistry.find(id);
}
