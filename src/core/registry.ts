// The shapes of the task and agent registries (tasks/index.ts, agents/index.ts): ids map to
// factories that validate options and build families and agents.
import type { Agent, AgentKind, TaskFamily } from './types.ts';
import type { Rng } from './rng.ts';
import type { PolicyNetwork } from '../rl/policy.ts';

export interface TaskEntry {
  id: string;
  description: string;
  /** Builds a family from user options; unknown or out-of-range options throw a UsageError naming the key. */
  create(options?: Record<string, unknown>): TaskFamily<any>;
}

export interface AgentEntry {
  id: string;
  kind: AgentKind;
  description: string;
  /** True for agents that read the instance's ground truth (the oracle): an upper bound, never a reference to beat. */
  privileged?: boolean;
  /** Null if the agent can play the family, otherwise the reason it cannot. */
  cannotPlay(family: TaskFamily<any>): string | null;
  /** Builds the agent for a family; options are validated like task options. */
  create(family: TaskFamily<any>, options: Record<string, unknown> | undefined, rng: Rng): Agent;
  /**
   * Learned and meta-trained plastic agents: builds the network the A2C trainer meta-trains, with
   * parameters initialised from `rng`. `create` then wraps a network for acting.
   */
  createNetwork?(family: TaskFamily<any>, options: Record<string, unknown> | undefined, rng: Rng): PolicyNetwork<any>;
}
