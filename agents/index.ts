// The registry of agents, by id (ids are stable: scripts rely on them).

import { Registry } from '../src/core/registry.ts';
import { actorCritic } from './actor-critic.ts';
import { bayesOptimal } from './bayes-optimal.ts';
import { epsilonGreedy } from './epsilon-greedy.ts';
import { fmdCoordinate } from './fmd-coordinate.ts';
import { gittins } from './gittins.ts';
import { greedy } from './greedy.ts';
import { gru } from './gru.ts';
import { hebbian } from './hebbian.ts';
import type { AgentEntry } from './kit/entry.ts';
import { lsnn } from './lsnn.ts';
import { lstm } from './lstm.ts';
import { modelBased } from './model-based.ts';
import { oracle } from './oracle.ts';
import { plasticRnn } from './plastic-rnn.ts';
import { random } from './random.ts';
import { sarsaLambda } from './sarsa-lambda.ts';
import { thompson } from './thompson.ts';
import { transformer } from './transformer.ts';
import { ucb1 } from './ucb1.ts';

// Networks meta-trained with weights frozen at test: the memory of an episode is in their activity
// (lstm, gru, transformer; lsnn's membranes and adaptive thresholds) or in fast weights their learned
// rule writes (plastic-rnn).
const META_TRAINED = [lstm, gru, transformer, plasticRnn, lsnn];
// Learners whose synapses change within the episode by a fixed rule.
const SYNAPTIC = [hebbian, actorCritic, fmdCoordinate, sarsaLambda, modelBased];
// The classic bandit algorithms and references.
const CLASSIC = [random, greedy, epsilonGreedy, ucb1, thompson, gittins, bayesOptimal, oracle];

/** The registry: built-in agents, and any a plugin registers. */
export const agentRegistry = new Registry<AgentEntry>('agent', [...META_TRAINED, ...SYNAPTIC, ...CLASSIC]);

/** The registered agents, in order. */
export const AGENTS: readonly AgentEntry[] = agentRegistry.entries;

/** The agent of `id` (a UsageError for an unknown id). */
export function findAgent(id: string): AgentEntry {
  return agentRegistry.find(id);
}
