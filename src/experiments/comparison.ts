// Comparison agents by id: the registry lookup that src/rl leaves to the layers above it.

import { findAgent } from '../../agents/index.ts';
import type { TaskFamily } from '../core/types.ts';
import type { ComparisonAgent } from '../rl/frozen-eval.ts';

/** The registered agents `ids`, each with its default options, ready to play `family` beside an evaluated agent. */
export function comparisonAgents(family: TaskFamily, ids: readonly string[]): ComparisonAgent[] {
  return ids.map((id) => {
    const entry = findAgent(id);
    return { id, cannotPlay: entry.cannotPlay(family), create: (rng) => entry.create(family, {}, rng) };
  });
}
