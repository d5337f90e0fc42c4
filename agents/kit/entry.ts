// The shape of the agent registry (agents/index.ts): ids map to factories that validate options and
// build agents, and for learned agents the network the A2C trainer meta-trains, on the network
// engine's tensors. Only src/experiments and the layers above it look ids up; everything below
// receives agents and networks as values.
import type { OptionRecord } from '../../src/core/options.ts';
import type { PolicyNetwork } from '../../src/core/policy.ts';
import type { Rng } from '../../src/core/rng.ts';
import type { Agent, AgentKind, TaskFamily } from '../../src/core/types.ts';
import type { Tensor } from '../../src/nn/tensor.ts';

export interface AgentEntry {
  id: string;
  kind: AgentKind;
  description: string;
  /** The option record `create` validates against: names, defaults, ranges, units (docs/agents.md lists them). */
  options: OptionRecord;
  /** The papers the agent follows, as "Authors year, title". */
  papers: readonly string[];
  /** True for agents that read the instance's ground truth (the oracle): an upper bound, never a reference to beat. */
  privileged?: boolean;
  /** Null if the agent can play the family, otherwise the reason it cannot. */
  cannotPlay(family: TaskFamily): string | null;
  /** Builds the agent for a family; options are validated like task options. */
  create(family: TaskFamily, options: Record<string, unknown> | undefined, rng: Rng): Agent;
  /**
   * Learned and meta-trained plastic agents: builds the network the A2C trainer meta-trains, with
   * parameters initialised from `rng`. `create` then wraps a network for acting.
   */
  createNetwork?(
    family: TaskFamily,
    options: Record<string, unknown> | undefined,
    rng: Rng,
  ): PolicyNetwork<unknown, Tensor>;
}
