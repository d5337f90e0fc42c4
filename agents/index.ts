// The registry of agents, by id (ids are stable: scripts rely on them).
import type { AgentEntry } from './kit/entry.ts';
import { UsageError } from '../src/core/errors.ts';
import { random } from './random.ts';
import { greedy } from './greedy.ts';
import { epsilonGreedy } from './epsilon-greedy.ts';
import { ucb1 } from './ucb1.ts';
import { thompson } from './thompson.ts';
import { oracle } from './oracle.ts';
import { gittins } from './gittins.ts';
import { bayesOptimal } from './bayes-optimal.ts';
import { lstm } from './lstm.ts';
import { gru } from './gru.ts';
import { plasticRnn } from './plastic-rnn.ts';
import { hebbian } from './hebbian.ts';
import { transformer } from './transformer.ts';
import { actorCritic } from './actor-critic.ts';

export const AGENTS: readonly AgentEntry[] = [lstm, gru, transformer, plasticRnn, hebbian, actorCritic, random, greedy, epsilonGreedy, ucb1, thompson, gittins, bayesOptimal, oracle];

export function findAgent(id: string): AgentEntry {
  const entry = AGENTS.find((a) => a.id === id);
  if (!entry) throw new UsageError(`unknown agent '${id}' (known: ${AGENTS.map((a) => a.id).join(', ') || 'none'})`);
  return entry;
}
