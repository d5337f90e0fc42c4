// `transformer`: a causal transformer over the episode so far, meta-trained by A2C like `lstm`
// (Mishra et al. 2018, SNAIL, matched RL² on bandits with attention; Whittington et al. 2021 relate
// transformers to the hippocampal formation). One token per step, built from the same input as the
// recurrent agents (observation, one-hot previous action, previous reward, t/T; src/rl/policy.ts)
// projected to the model width, plus a position code; pre-LayerNorm residual blocks; a softmax
// policy head and a value head on the last token. It acts one step at a time over per-layer
// key/value caches, so the past is never recomputed. With frozen weights, what it learns within an
// episode is held in those caches (its activity), which `initialState` — at every episode start —
// and the `reset-state` lesion replace by empty ones.
import { z } from 'zod';
import { UsageError } from '../src/core/errors.ts';
import { option, parseOptions } from '../src/core/options.ts';
import { type Lesion, type PolicyNetwork, policyInputSize, type StepOutput } from '../src/core/policy.ts';
import { unknownRecordable } from '../src/core/recordable.ts';
import type { Rng } from '../src/core/rng.ts';
import type { RecordableVariable, TaskFamily } from '../src/core/types.ts';
import { uniformParameter } from '../src/nn/init.ts';
import type { KeyValueCache } from '../src/nn/layers/attention.ts';
import { LayerNorm } from '../src/nn/layers/layer-norm.ts';
import { Linear } from '../src/nn/layers/linear.ts';
import { sinusoidalPositions, type TransformerBlock, transformerBlocks } from '../src/nn/layers/transformer.ts';
import { Module } from '../src/nn/module.ts';
import { add, addRowVector } from '../src/nn/ops/elementwise.ts';
import { sliceRows } from '../src/nn/ops/structure.ts';
import { Tensor } from '../src/nn/tensor.ts';
import { networkAgentEntry } from './kit/network-agent.ts';

/** Options of the transformer agent (symbols of Vaswani et al. 2017). */
export const transformerOptions = z.strictObject({
  // Keep it small: attention's cost per step grows with the episode.
  width: option(z.int().min(2).max(512).default(32), 'd_model, the width of the residual stream'),
  layers: option(z.int().min(1).max(8).default(1), 'Number of transformer blocks, N'),
  heads: option(z.int().min(1).max(16).default(2), 'Attention heads per block, h; must divide `width`'),
  mlp: option(z.int().min(1).max(4096).default(64), "Hidden width of each block's MLP, d_ff"),
  activation: option(z.enum(['relu', 'tanh']).default('relu'), 'Nonlinearity of the MLPs'),
  // `sinusoidal` (Vaswani et al., fixed), `learned` (one trained vector per step), or `none` (the
  // input's t/T is then the only clock).
  positions: option(z.enum(['sinusoidal', 'learned', 'none']).default('sinusoidal'), 'Position code'),
  maxLength: option(
    z.int().min(1).max(100_000).optional(),
    'Longest episode of the position table (default: the episode length)',
  ),
});
export type TransformerOptions = z.output<typeof transformerOptions>;

/**
 * The episode state: one key/value cache per block, the number of steps taken, and the residual
 * stream after every block at the latest step (for recording; empty before the first step).
 */
export interface TransformerState {
  readonly caches: KeyValueCache[];
  readonly step: number;
  /**
   * Per batch row, the step its position codes count from: a `reset-state` lesion restarts a row
   * at position 0 when its trial ends. Absent (every row from 0) outside lesioned evaluation.
   */
  readonly origin?: Int32Array;
  readonly residuals: readonly Tensor[];
}

/** Actor-critic transformer; also usable without heads on sequences (`encodeSequence`). */
export class TransformerActorCritic extends Module implements PolicyNetwork<TransformerState, Tensor> {
  readonly embed: Linear;
  readonly blocks: TransformerBlock[] = [];
  readonly finalNorm: LayerNorm;
  readonly policy: Linear;
  readonly value: Linear;
  /** Learned position vectors (maxLength × width), or null. */
  readonly learnedPositions: Tensor | null;
  /** Fixed sinusoidal codes (maxLength × width), or null. */
  private readonly fixedPositions: Tensor | null;
  readonly resolved: TransformerOptions & { maxLength: number };

  constructor(
    readonly agentId: string,
    readonly inputSize: number,
    readonly numActions: number,
    options: TransformerOptions & { maxLength: number },
    rng: Rng,
  ) {
    super();
    this.resolved = options;
    const { width, layers, heads, mlp, activation, positions, maxLength } = options;
    this.embed = this.registerModule('embed', new Linear({ inputSize, outputSize: width }, rng.fork('embed')));
    // Learned codes start small and random (±0.1), next to embeddings of order 1.
    this.learnedPositions =
      positions === 'learned'
        ? this.registerParameter('positions', uniformParameter(maxLength, width, 0.1, rng.fork('positions')))
        : null;
    this.fixedPositions = positions === 'sinusoidal' ? sinusoidalPositions(maxLength, width) : null;
    const blocks = transformerBlocks({ modelSize: width, numHeads: heads, mlpSize: mlp, activation }, layers, rng);
    for (const [l, block] of blocks.entries()) this.blocks.push(this.registerModule(`block${l}`, block));
    this.finalNorm = this.registerModule('finalNorm', new LayerNorm({ size: width }));
    this.policy = this.registerModule(
      'policy',
      new Linear({ inputSize: width, outputSize: numActions }, rng.fork('policy')),
    );
    this.value = this.registerModule('value', new Linear({ inputSize: width, outputSize: 1 }, rng.fork('value')));
  }

  initialState(batchSize: number): TransformerState {
    return { caches: this.blocks.map((b) => b.createCache(batchSize)), step: 0, residuals: [] };
  }

  /** The token of step t: the projected input plus the position code of t (of t − origin[b] for row b). */
  private token(input: Tensor, t: number, origin?: Int32Array): Tensor {
    const x = this.embed.forward(input);
    if (t >= this.resolved.maxLength && (this.learnedPositions || this.fixedPositions)) {
      throw new Error(`${this.agentId}: step ${t} is beyond the position table (maxLength ${this.resolved.maxLength})`);
    }
    const table = this.learnedPositions ?? this.fixedPositions;
    if (origin !== undefined && table !== null) {
      // Rows at different positions (only under a lesion, in frozen evaluation: no gradient flows here).
      const codes = new Tensor(x.rows, x.cols);
      for (let b = 0; b < x.rows; b++) {
        const p = t - origin[b];
        codes.data.set(table.data.subarray(p * x.cols, (p + 1) * x.cols), b * x.cols);
      }
      return add(x, codes);
    }
    if (this.learnedPositions) return addRowVector(x, sliceRows(this.learnedPositions, t, t + 1));
    if (this.fixedPositions)
      return addRowVector(x, new Tensor(1, x.cols, this.fixedPositions.data.subarray(t * x.cols, (t + 1) * x.cols)));
    return x;
  }

  /** The residual stream after every block at one step (each B×width), the caches extended by it. */
  encodeStep(state: TransformerState, input: Tensor): Tensor[] {
    let x = this.token(input, state.step, state.origin);
    return this.blocks.map((block, l) => {
      x = block.step(x, state.caches[l]);
      return x;
    });
  }

  step(state: TransformerState, input: Tensor): StepOutput<TransformerState, Tensor> {
    if (input.cols !== this.inputSize)
      throw new Error(`${this.agentId}: input of shape ${input.shape}, expected Bx${this.inputSize}`);
    // The state keeps the blocks' outputs, which exist anyway (and are on the tape when training),
    // so that they can be recorded.
    const residuals = this.encodeStep(state, input);
    const h = this.finalNorm.forward(residuals[residuals.length - 1]);
    return {
      state: { caches: state.caches, step: state.step + 1, origin: state.origin, residuals },
      logits: this.policy.forward(h),
      value: this.value.forward(h),
    };
  }

  /**
   * One whole episode at once (inputs T×inputSize, rows are steps), with causal masks instead of
   * caches: the reference that acting step by step must equal. Returns logits T×A and values T×1.
   */
  forwardSequence(inputs: Tensor): { logits: Tensor; value: Tensor } {
    if (inputs.rows > this.resolved.maxLength && this.resolved.positions !== 'none') {
      throw new Error(
        `${this.agentId}: ${inputs.rows} steps are beyond the position table (maxLength ${this.resolved.maxLength})`,
      );
    }
    let x = this.embed.forward(inputs);
    const width = this.resolved.width;
    if (this.learnedPositions) x = add(x, sliceRows(this.learnedPositions, 0, inputs.rows));
    if (this.fixedPositions)
      x = add(x, new Tensor(inputs.rows, width, this.fixedPositions.data.slice(0, inputs.rows * width)));
    for (const block of this.blocks) x = block.forwardSequence(x);
    const h = this.finalNorm.forward(x);
    return { logits: this.policy.forward(h), value: this.value.forward(h) };
  }

  options(): Record<string, unknown> {
    return { ...this.resolved };
  }

  /** Emptying the caches removes all within-episode memory; there is no plasticity to freeze. */
  lesion(kind: Lesion, _state: TransformerState, batchSize: number): TransformerState | null {
    return kind === 'reset-state' ? this.initialState(batchSize) : null;
  }

  /**
   * `reset-state` for the flagged rows only: they attend to the steps from now on and their
   * position codes restart at 0; the other rows keep their caches and positions.
   */
  lesionRows(kind: Lesion, state: TransformerState, rows: readonly boolean[]): TransformerState | null {
    if (kind !== 'reset-state') return null;
    if (rows.every(Boolean)) return this.initialState(rows.length);
    const caches = state.caches.map((cache) => cache.withRowsRestarted(rows));
    const origin = state.origin ? Int32Array.from(state.origin) : new Int32Array(rows.length);
    for (let b = 0; b < rows.length; b++) if (rows[b]) origin[b] = state.step;
    return { caches, step: state.step, origin, residuals: state.residuals };
  }

  /**
   * Per block l: `residual.l`, the stream after the block at the latest token; `attention.l`, the
   * block's attention weights from that token over the cached steps; and, on request, `cache.l`,
   * its cached keys and values. Steps are positions in the cache, padded with 0 up to maxLength.
   */
  recordable(): readonly RecordableVariable[] {
    const { width, heads, maxLength } = this.resolved;
    const last = this.blocks.length - 1;
    return this.blocks.flatMap((_, l): RecordableVariable[] => [
      {
        name: `residual.${l}`,
        shape: [width],
        memory: 'activity',
        description:
          `the residual stream at the latest token after block ${l}` +
          (l === last ? ', which the policy and value heads read through the final layer norm' : '') +
          ' (unitless)',
      },
      {
        name: `attention.${l}`,
        shape: [heads, maxLength],
        memory: 'readout',
        description:
          `the attention weights of block ${l}, per head, from the latest token over the steps in its cache ` +
          '(the episode so far, or the trial so far under the reset-state lesion), which sum to 1; ' +
          '0 at the positions not cached yet and, under the lesion, at the steps before the trial of its row',
      },
      {
        name: `cache.${l}`,
        shape: [2, maxLength, width],
        memory: 'activity',
        description:
          `the keys (row 0) and values (row 1) block ${l} has cached, by position; ` +
          '0 at the positions not cached yet',
        onRequest: true,
      },
    ]);
  }

  readRecordable(state: TransformerState, name: string): Float64Array {
    const [kind, index, ...rest] = name.split('.');
    const l = rest.length === 0 && /^(0|[1-9][0-9]*)$/.test(index ?? '') ? Number(index) : -1;
    if (l < 0 || l >= this.blocks.length || !['residual', 'attention', 'cache'].includes(kind))
      throw unknownRecordable(this.agentId, name, this.recordable());
    if (state.residuals.length === 0) throw new Error(`${this.agentId}: no '${name}' to record before the first step`);
    if (kind === 'residual') return Float64Array.from(state.residuals[l].data);
    const cache = state.caches[l];
    const { width, heads, maxLength } = this.resolved;
    const steps = cache.length;
    if (steps > maxLength)
      throw new Error(`${this.agentId}: ${steps} cached steps do not fit the ${maxLength} positions of '${name}'`);
    const B = cache.batchSize;
    if (kind === 'attention') {
      const weights = cache.latestWeights as Float64Array;
      const out = new Float64Array(B * heads * maxLength);
      for (let row = 0; row < B * heads; row++)
        out.set(weights.subarray(row * steps, (row + 1) * steps), row * maxLength);
      return out;
    }
    const out = new Float64Array(B * 2 * maxLength * width);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < steps; s++) {
        const at = b * width;
        out.set(cache.keys[s].data.subarray(at, at + width), (b * 2 * maxLength + s) * width);
        out.set(cache.values[s].data.subarray(at, at + width), ((b * 2 + 1) * maxLength + s) * width);
      }
    }
    return out;
  }
}

/** Validates options (including that the heads divide the width) and fills in the task-dependent default. */
export function resolveTransformerOptions(
  id: string,
  raw: Record<string, unknown> | undefined,
  episodeLength: number,
): TransformerOptions & { maxLength: number } {
  const options = parseOptions(id, transformerOptions, raw);
  if (options.width % options.heads !== 0) {
    throw new UsageError(`${id}: option 'heads' (${options.heads}) must divide option 'width' (${options.width})`);
  }
  return { ...options, maxLength: options.maxLength ?? episodeLength };
}

function createNetwork(
  family: TaskFamily,
  options: Record<string, unknown> | undefined,
  rng: Rng,
): TransformerActorCritic {
  const resolved = resolveTransformerOptions('transformer', options, family.episodeLength);
  return new TransformerActorCritic('transformer', policyInputSize(family), family.numActions, resolved, rng);
}

export const transformer = networkAgentEntry({
  id: 'transformer',
  kind: 'learned',
  description:
    'causal transformer with a key/value cache, meta-trained by A2C; ' +
    'in context with frozen weights (SNAIL, Mishra 2018)',
  options: transformerOptions,
  papers: [
    'Vaswani et al. 2017, Attention is all you need',
    'Mishra et al. 2018, A simple neural attentive meta-learner (SNAIL)',
  ],
  createNetwork,
});
