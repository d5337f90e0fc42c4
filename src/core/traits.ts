// What a task family offers beyond the Task contract (its `traits`, src/core/types.ts), so that
// agents can say whether they can play it and reports can say what to show, without knowing task
// ids. Families without traits offer nothing extra, and new families stay playable by every agent
// that needs no trait.
import type { TaskFamily, TaskTraits } from './types.ts';

/** The traits a family declares (none if it declares none). */
export function traitsOf(family: TaskFamily): TaskTraits {
  return family.traits ?? {};
}
