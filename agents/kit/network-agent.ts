// A learned network as an Agent: frozen weights, acting one step at a time in inference mode (no
// tape, so no graph memory and no way for a parameter to change). Whatever improves within the
// episode lives in the network's episode state, which `begin` resets.

import { encodeInput, type Lesion, type PolicyNetwork, policyInputSize } from '../../src/core/policy.ts';
import type {
  Agent,
  AgentInput,
  AgentKind,
  AgentOutput,
  RecordableVariable,
  TaskFamily,
} from '../../src/core/types.ts';
import { softmaxRows } from '../../src/nn/kernels.ts';
import { mergeRows } from '../../src/nn/state-rows.ts';
import { noGrad } from '../../src/nn/tape.ts';
import { Tensor } from '../../src/nn/tensor.ts';
import type { AgentEntry } from './entry.ts';

export class NetworkAgent<S> implements Agent {
  readonly id: string;
  readonly kind: AgentKind;
  readonly numActions: number;
  private state: S | null = null;
  private batchSize = 0;
  private readonly inputSize: number;
  /** Per-step plasticity reports of the current episode (plastic networks only). */
  readonly plasticityTrace: Record<string, number>[] = [];
  /**
   * The plasticity reports of every batch since construction, summed per step and weighted by
   * batch size (`plasticitySums[t][key]`, `plasticityWeights[t]`), for src/rl/frozen-eval.ts.
   */
  readonly plasticitySums: Record<string, number>[] = [];
  readonly plasticityWeights: number[] = [];
  /** The activity reports of every step of every batch since construction, summed (weighted by batch size). */
  private readonly activitySums: Record<string, number> = {};
  private activityWeight = 0;

  constructor(
    readonly family: TaskFamily,
    readonly net: PolicyNetwork<S, Tensor>,
    readonly lesion: Lesion = 'none',
  ) {
    this.id = net.agentId;
    this.kind = net.kind ?? 'learned';
    this.numActions = family.numActions;
    this.inputSize = policyInputSize(family);
    if (net.inputSize !== this.inputSize || net.numActions !== family.numActions) {
      throw new Error(
        `${net.agentId}: the network takes ${net.inputSize} inputs and ${net.numActions} actions, ` +
          `but task ${family.id} gives ${this.inputSize} inputs and ${family.numActions} actions`,
      );
    }
  }

  begin(batchSize: number): void {
    this.batchSize = batchSize;
    this.state = this.net.initialState(batchSize);
    this.plasticityTrace.length = 0;
  }

  act(input: AgentInput): AgentOutput {
    if (this.state === null) throw new Error(`${this.id}: act() before begin()`);
    const B = this.batchSize;
    const O = this.family.observationSize;
    const A = this.numActions;
    const x = new Tensor(B, this.inputSize);
    for (let b = 0; b < B; b++) {
      encodeInput(
        x.data,
        b * this.inputSize,
        input.observation,
        b * O,
        O,
        A,
        input.prevAction[b],
        input.prevReward[b],
        input.timeFraction,
      );
    }
    // A `reset-state` lesion wipes within-episode activity whenever a trial has just ended, so only
    // what the weights and plastic traces hold carries over. Tasks whose trials span several
    // steps say so with `trialEnd: false` in info; otherwise every step is a trial. The episodes
    // of a batch end their trials at different steps, so only their own rows are wiped.
    if (this.lesion !== 'none' && this.net.lesion) {
      if (this.lesion === 'freeze-plasticity') {
        const lesioned = this.net.lesion(this.lesion, this.state, B);
        if (lesioned !== null) this.state = lesioned;
      } else if (input.step > 0) {
        const rows = Array.from({ length: B }, (_, b) => input.prevInfo[b]?.trialEnd !== false);
        if (rows.some(Boolean)) {
          if (this.net.lesionRows) {
            const lesioned = this.net.lesionRows(this.lesion, this.state, rows);
            if (lesioned !== null) this.state = lesioned;
          } else {
            const lesioned = this.net.lesion(this.lesion, this.state, B);
            if (lesioned !== null) this.state = mergeRows(this.state, lesioned, rows);
          }
        }
      }
    }
    const out = noGrad(() => this.net.step(this.state as S, x));
    this.state = out.state;
    if (this.net.plasticityReport) {
      const report = this.net.plasticityReport(this.state);
      this.plasticityTrace.push(report);
      const t = this.plasticityTrace.length - 1;
      if (this.plasticitySums.length <= t) {
        this.plasticitySums.push({});
        this.plasticityWeights.push(0);
      }
      const sums = this.plasticitySums[t];
      for (const [key, value] of Object.entries(report)) sums[key] = (sums[key] ?? 0) + value * B;
      this.plasticityWeights[t] += B;
    }
    if (this.net.activityReport) {
      for (const [key, value] of Object.entries(this.net.activityReport(this.state)))
        this.activitySums[key] = (this.activitySums[key] ?? 0) + value * B;
      this.activityWeight += B;
    }
    const probs = new Float64Array(B * A);
    softmaxRows(out.logits.data, probs, B, A);
    return { probs, value: Float64Array.from(out.value.data) };
  }

  /** The network's activity measures (a spiking network's firing rate), averaged over every step played. */
  extraReport(): Record<string, unknown> {
    if (this.activityWeight === 0) return {};
    const activity: Record<string, number> = {};
    for (const [key, sum] of Object.entries(this.activitySums)) activity[key] = sum / this.activityWeight;
    return { activity };
  }

  recordable(): readonly RecordableVariable[] {
    return this.net.recordable?.() ?? [];
  }

  readRecordable(name: string): Float64Array {
    if (this.state === null) throw new Error(`${this.id}: readRecordable() before act()`);
    if (this.net.readRecordable === undefined) throw new Error(`${this.id}: records nothing`);
    return this.net.readRecordable(this.state, name);
  }
}

/**
 * The registry entry of an agent that is a network meta-trained by A2C (learned, or plastic with
 * meta-trained plasticity): it plays any task with discrete actions, and acts with frozen weights.
 */
export function networkAgentEntry(
  entry: Pick<AgentEntry, 'id' | 'description' | 'options' | 'papers'> & {
    kind: 'learned' | 'plastic';
    createNetwork: NonNullable<AgentEntry['createNetwork']>;
  },
): AgentEntry {
  const { createNetwork } = entry;
  return {
    ...entry,
    cannotPlay: (family) => (family.actionSpace.kind === 'discrete' ? null : 'it needs a discrete action space'),
    create: (family, options, rng) => new NetworkAgent(family, createNetwork(family, options, rng)),
  };
}
