// What the learned recurrent agents (lstm, gru) share: an actor-critic network whose memory is its
// recurrent activity — a core, a softmax policy head and a value head on the hidden state — and
// the registry entry that builds it and wraps it for frozen acting. Its input is the observation,
// the one-hot previous action, the previous reward and t/T (src/rl/policy.ts).
import { z } from 'zod';
import { option, parseOptions } from '../../src/core/options.ts';
import { type Lesion, type PolicyNetwork, policyInputSize, type StepOutput } from '../../src/core/policy.ts';
import { unknownRecordable } from '../../src/core/recordable.ts';
import type { Rng } from '../../src/core/rng.ts';
import type { RecordableVariable } from '../../src/core/types.ts';
import { Linear } from '../../src/nn/layers/linear.ts';
import { Module } from '../../src/nn/module.ts';
import type { Tensor } from '../../src/nn/tensor.ts';
import type { AgentEntry } from './entry.ts';
import { networkAgentEntry } from './network-agent.ts';

/** Options of a recurrent learned agent. */
export const recurrentOptions = z.strictObject({
  hidden: option(z.number().int().min(1).max(1024).default(48), 'Number of hidden units (Wang et al. 2018: 48)'),
});
export type RecurrentOptions = z.output<typeof recurrentOptions>;

/** A part of a recurrent core's state, B × hidden activity, that can be recorded (Agent.recordable). */
export interface RecurrentStateVariable<S> {
  /** Lower-case letters, digits, dashes and dots. */
  readonly name: string;
  /** What it is, in one sentence. */
  readonly description: string;
  read(state: S): Tensor;
  /** Its shape per batch element (default [hidden]). */
  readonly shape?: readonly number[];
  /** Recorded only when asked for by name. */
  readonly onRequest?: boolean;
}

/** A recurrent core: its state, how a step updates it, and which tensor is its output h. */
export interface RecurrentCore<S> extends Module {
  initialState(batchSize: number): S;
  advance(x: Tensor, state: S): S;
  output(state: S): Tensor;
  /** The parts of its state besides the output h that can be recorded (the LSTM's cell state c); none if absent. */
  readonly stateVariables?: readonly RecurrentStateVariable<S>[];
  /** Lesions of its own (default: `reset-state` returns the initial state, and nothing else applies). */
  lesion?(kind: Lesion, state: S, batchSize: number): S | null;
  /** Measures of its activity after a step (PolicyNetwork.activityReport). */
  activityReport?(state: S): Record<string, number>;
  /** A term of its own in the training loss (PolicyNetwork.regularizer). */
  regularizer?(states: readonly S[], weight: number): { loss: number; seeds: [Tensor, Float64Array][] } | null;
}

/** Every core records its output h, the activity the policy and value heads read. */
const OUTPUT_DESCRIPTION = 'the hidden state h after the step, which the policy and value heads read (unitless)';

export class RecurrentActorCritic<S> extends Module implements PolicyNetwork<S, Tensor> {
  readonly policy: Linear;
  readonly value: Linear;
  /** The core's activity measures and loss term, present only when the core has them (PolicyNetwork). */
  readonly activityReport?: (state: S) => Record<string, number>;
  readonly regularizer?: (
    states: readonly S[],
    weight: number,
  ) => { loss: number; seeds: [Tensor, Float64Array][] } | null;
  private readonly stateVariables: readonly RecurrentStateVariable<S>[];

  /** The size of the core's output h, which the heads read. */
  readonly hidden: number;

  /**
   * `resolved` are the agent's options (saved in checkpoints); `hidden` the core's output size,
   * by default the `hidden` option.
   */
  constructor(
    readonly agentId: string,
    readonly inputSize: number,
    readonly numActions: number,
    readonly resolved: Record<string, unknown>,
    readonly core: RecurrentCore<S>,
    rng: Rng,
    hidden = (resolved as RecurrentOptions).hidden,
  ) {
    super();
    this.hidden = hidden;
    this.registerModule('core', core);
    if (core.activityReport) this.activityReport = (state) => core.activityReport!(state);
    if (core.regularizer) this.regularizer = (states, weight) => core.regularizer!(states, weight);
    this.policy = this.registerModule(
      'policy',
      new Linear({ inputSize: hidden, outputSize: numActions }, rng.fork('policy')),
    );
    this.value = this.registerModule('value', new Linear({ inputSize: hidden, outputSize: 1 }, rng.fork('value')));
    this.stateVariables = [
      { name: 'h', description: OUTPUT_DESCRIPTION, read: (state) => core.output(state) },
      ...(core.stateVariables ?? []),
    ];
  }

  initialState(batchSize: number): S {
    return this.core.initialState(batchSize);
  }

  step(state: S, input: Tensor): StepOutput<S, Tensor> {
    const next = this.core.advance(input, state);
    const h = this.core.output(next);
    return { state: next, logits: this.policy.forward(h), value: this.value.forward(h) };
  }

  options(): Record<string, unknown> {
    return { ...this.resolved };
  }

  /**
   * Resetting the state removes the only within-episode memory a recurrent network has; it has no plasticity to freeze.
   */
  lesion(kind: Lesion, state: S, batchSize: number): S | null {
    if (this.core.lesion) return this.core.lesion(kind, state, batchSize);
    return kind === 'reset-state' ? this.core.initialState(batchSize) : null;
  }

  /** The core's state, h and whatever else it declares: activity, wiped by `reset-state`. */
  recordable(): readonly RecordableVariable[] {
    return this.stateVariables.map(({ name, description, shape, onRequest }) => ({
      name,
      shape: shape ?? [this.hidden],
      memory: 'activity',
      description,
      ...(onRequest ? { onRequest } : {}),
    }));
  }

  readRecordable(state: S, name: string): Float64Array {
    const variable = this.stateVariables.find((v) => v.name === name);
    if (variable === undefined) throw unknownRecordable(this.agentId, name, this.recordable());
    return Float64Array.from(variable.read(state).data);
  }
}

/** The registry entry of a recurrent learned agent built from `makeCore`. */
export function recurrentAgentEntry(
  entry: Pick<AgentEntry, 'id' | 'description' | 'papers'>,
  makeCore: (inputSize: number, hidden: number, rng: Rng) => RecurrentCore<unknown>,
): AgentEntry {
  const { id } = entry;
  return networkAgentEntry({
    ...entry,
    kind: 'learned',
    options: recurrentOptions,
    createNetwork: (family, options, rng) => {
      const resolved = parseOptions(id, recurrentOptions, options);
      const inputSize = policyInputSize(family);
      const core = makeCore(inputSize, resolved.hidden, rng.fork('core'));
      return new RecurrentActorCritic(id, inputSize, family.numActions, resolved, core, rng);
    },
  });
}
