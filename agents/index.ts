// The registry of agents, by id (ids are stable: scripts rely on them).
import type { AgentEntry } from '../src/core/registry.ts';
import { UsageError } from '../src/core/errors.ts';

export const AGENTS: readonly AgentEntry[] = [];

export function findAgent(id: string): AgentEntry {
  const entry = AGENTS.find((a) => a.id === id);
  if (!entry) throw new UsageError(`unknown agent '${id}' (known: ${AGENTS.map((a) => a.id).join(', ') || 'none'})`);
  return entry;
}
