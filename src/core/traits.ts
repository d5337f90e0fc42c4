// What a task family offers beyond the Task contract, so agents can say whether they can play it
// without knowing task ids. A family opts in by carrying a `traits` record; families without one
// offer nothing extra, and new families stay playable by every agent that needs no trait.
import type { TaskFamily } from './types.ts';

export interface TaskTraits {
  /**
   * Every action is an arm with a fixed (or slowly drifting) Bernoulli reward probability and the
   * observation carries no information: what classic bandit algorithms assume.
   */
  bernoulliArms?: boolean;
  /** `groundTruth().expectedRewards` gives the current expected reward of every action (for the oracle). */
  expectedRewards?: boolean;
  /** The observation is the activity of place cells (src/core/place-cells.ts): what the place-cell actor-critic reads. */
  placeCellObservation?: boolean;
}

/** The traits a family declares (none if it declares none). */
export function traitsOf(family: TaskFamily<any>): TaskTraits {
  const traits = (family as { traits?: unknown }).traits;
  return typeof traits === 'object' && traits !== null ? (traits as TaskTraits) : {};
}
