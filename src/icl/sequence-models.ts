// Sequence models for in-context learning without meta-learning: models trained on ordinary
// next-token or query-label prediction, in which in-context learning may emerge (Chan et al. 2022;
// Olsson et al. 2022). Each reads a sequence of input vectors, time-major (row t·S + s is token t
// of sequence s), and returns logits at every position (T·S × outputs, time-major):
//   `transformer`  a linear embedding, learned or sinusoidal positions (or none), the softmax
//                  transformer blocks of src/nn (pre-LayerNorm, causal, one token per step over a
//                  key/value cache) — with `attentionOnly`, blocks without the MLP, the models of
//                  Elhage et al. (2021) and Olsson et al. — a final LayerNorm and a linear readout;
//   `lstm`, `gru`  the fused recurrent cells reading the inputs one by one, and a linear readout of
//                  the hidden state after each;
//   `tem-t`        TEM-t (tem-t.ts): attention over memories keyed by a path-integrated position.
// The inputs of the tasks: `inductionInputs` (one-hot tokens, targets the next token),
// `burstyInputs` (exemplar and label tokens interleaved, Chan et al.'s format; the target is the
// query's label, read at the last position) and `walkInputs` (graph-walk: the one-hot observation
// and the next move, targets the observation the move leads to).
import { z } from 'zod';
import type { WalkBatch } from '../../tasks/graph-walk.ts';
import type { BurstyBatch } from '../../tasks/icl-bursty.ts';
import { BURSTY_CONTEXT, BURSTY_ITEMS } from '../../tasks/icl-bursty.ts';
import type { InductionBatch } from '../../tasks/icl-induction.ts';
import { UsageError } from '../core/errors.ts';
import { option, parseOptions } from '../core/options.ts';
import type { Rng } from '../core/rng.ts';
import { type KeyValueCache, MultiHeadSelfAttention } from '../nn/layers/attention.ts';
import { GruCell } from '../nn/layers/gru.ts';
import { LayerNorm } from '../nn/layers/layer-norm.ts';
import { Linear } from '../nn/layers/linear.ts';
import { LstmCell } from '../nn/layers/lstm.ts';
import { sinusoidalPositions, TransformerBlock } from '../nn/layers/transformer.ts';
import { Module } from '../nn/module.ts';
import { add, addRowVector, scale } from '../nn/ops/elementwise.ts';
import { gatherColumns, mean } from '../nn/ops/reduce.ts';
import { logSoftmax } from '../nn/ops/softmax.ts';
import { concatRows, sliceRows } from '../nn/ops/structure.ts';
import { Tensor } from '../nn/tensor.ts';
import type { AttentionPattern, SequenceModel, SequenceModelKind } from './sequence-model.ts';
import { TemT, temTOptions } from './tem-t.ts';

export {
  type AttentionPattern,
  SEQUENCE_MODELS,
  type SequenceModel,
  type SequenceModelKind,
} from './sequence-model.ts';

// ---------------------------------------------------------------------------------------------
// Inputs and targets of the tasks.

/**
 * The inputs of an icl-induction batch: tokens 0 … L − 2 one-hot, ((L−1)·S × V), time-major; the
 * last token is only ever a target.
 */
export function inductionInputs(batch: InductionBatch): Tensor {
  const { sequences: S, length: L, vocabulary: V } = batch;
  const out = Tensor.zeros((L - 1) * S, V);
  for (let r = 0; r < (L - 1) * S; r++) out.data[r * V + batch.tokens[r]] = 1;
  return out;
}

/** The next-token targets of an icl-induction batch: targets[t·S + s] = token t + 1 of sequence s, t < L − 1. */
export function inductionTargets(batch: InductionBatch): Int32Array {
  return batch.tokens.slice(batch.sequences, batch.length * batch.sequences);
}

/**
 * The inputs of a graph-walk batch: at position t (t = 0 … T − 1) the one-hot observation x_t
 * followed by the one-hot move a_{t+1} about to be taken ((T·S) × (alphabet + moves), time-major).
 */
export function walkInputs(batch: WalkBatch, moves: number): Tensor {
  const { walks: S, steps: T, alphabet: A } = batch;
  const width = A + moves;
  const out = Tensor.zeros(T * S, width);
  for (let r = 0; r < T * S; r++) {
    out.data[r * width + batch.observations[r]] = 1;
    out.data[r * width + A + batch.moves[r + S]] = 1;
  }
  return out;
}

/** The targets of a graph-walk batch: targets[t·S + s] = the observation after move t + 1. */
export function walkTargets(batch: WalkBatch): Int32Array {
  return batch.observations.slice(batch.walks, (batch.steps + 1) * batch.walks);
}

/** Positions per icl-bursty sequence in `burstyInputs`: 8 (exemplar, label) pairs and the query. */
export const BURSTY_POSITIONS = 2 * BURSTY_CONTEXT + 1;

/**
 * The inputs of an icl-bursty batch, Chan et al.'s interleaving: 17 positions per sequence,
 * exemplar 0, label 0, …, exemplar 7, label 7, query exemplar ((17·S) × (D + labels), time-major).
 * An exemplar token is (x, 0); a label token is (0, one-hot label). The query's label is not read.
 */
export function burstyInputs(batch: BurstyBatch): Tensor {
  const { sequences: S, dim: D, labelCount: C } = batch;
  const width = D + C;
  const out = Tensor.zeros(BURSTY_POSITIONS * S, width);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < BURSTY_ITEMS; i++) {
      const row = (2 * i * S + s) * width;
      out.data.set(batch.exemplars.subarray((i * S + s) * D, (i * S + s + 1) * D), row);
      if (i < BURSTY_CONTEXT) out.data[((2 * i + 1) * S + s) * width + D + batch.labels[i * S + s]] = 1;
    }
  }
  return out;
}

/** The targets of an icl-bursty batch: the query labels (length S), read at the last position. */
export function burstyTargets(batch: BurstyBatch): Int32Array {
  const S = batch.sequences;
  return batch.labels.slice(BURSTY_CONTEXT * S, BURSTY_ITEMS * S);
}

/**
 * The mean cross-entropy −log softmax(logits)[target] over the rows of `logits` (m × C) and their
 * `targets` (length m): the training loss, on the tape.
 */
export function crossEntropy(logits: Tensor, targets: ArrayLike<number>): Tensor {
  return scale(mean(gatherColumns(logSoftmax(logits), targets)), -1);
}

// ---------------------------------------------------------------------------------------------
// The transformer.

export const POSITION_CODES = ['learned', 'sinusoidal', 'none'] as const;
export type PositionCode = (typeof POSITION_CODES)[number];

export const sequenceTransformerOptions = z.strictObject({
  width: option(z.int().min(2).max(1024).default(64), 'Width of the residual stream, d_model'),
  layers: option(z.int().min(1).max(12).default(2), 'Number of transformer blocks'),
  heads: option(z.int().min(1).max(16).default(4), 'Attention heads per block; must divide `width`'),
  attentionOnly: option(z.boolean().default(false), 'Blocks without the MLP (Olsson et al.: attention-only models)'),
  mlp: option(z.int().min(1).max(8192).default(256), "Hidden width of each block's MLP, d_ff (without attentionOnly)"),
  activation: z.enum(['relu', 'tanh']).default('relu'),
  positions: option(z.enum(POSITION_CODES).default('learned'), 'Position code added to the embedding'),
  maxLength: option(z.int().min(1).max(65_536).default(256), 'Longest sequence the learned positions cover'),
});
export type SequenceTransformerOptions = z.output<typeof sequenceTransformerOptions>;

/** A pre-LayerNorm block with attention only: x ← x + Attention(LN(x)). */
export class AttentionOnlyBlock extends Module {
  readonly attentionNorm: LayerNorm;
  readonly attention: MultiHeadSelfAttention;

  constructor(modelSize: number, numHeads: number, rng: Rng) {
    super();
    this.attentionNorm = this.registerModule('attentionNorm', new LayerNorm({ size: modelSize }));
    this.attention = this.registerModule(
      'attention',
      new MultiHeadSelfAttention({ modelSize, numHeads }, rng.fork('attention')),
    );
  }

  createCache(batchSize: number): KeyValueCache {
    return this.attention.createCache(batchSize);
  }

  step(x: Tensor, cache: KeyValueCache): Tensor {
    return add(x, this.attention.step(this.attentionNorm.forward(x), cache));
  }
}

type Block = TransformerBlock | AttentionOnlyBlock;

export class SequenceTransformer extends Module implements SequenceModel {
  readonly model = 'transformer' as const;
  readonly embed: Linear;
  readonly positionTable: Tensor | null;
  readonly blocks: Block[] = [];
  readonly finalNorm: LayerNorm;
  readonly readout: Linear;

  constructor(
    readonly inputSize: number,
    readonly outputSize: number,
    readonly resolved: SequenceTransformerOptions,
    rng: Rng,
  ) {
    super();
    const { width, layers, heads, mlp, activation } = resolved;
    if (width % heads !== 0)
      throw new UsageError(`transformer: option 'heads' (${heads}) must divide option 'width' (${width})`);
    this.embed = this.registerModule('embed', new Linear({ inputSize, outputSize: width }, rng.fork('embed')));
    if (resolved.positions === 'learned') {
      const table = Tensor.zeros(resolved.maxLength, width);
      const positionRng = rng.fork('positions');
      for (let i = 0; i < table.size; i++) table.data[i] = positionRng.normal(0, 0.1);
      this.positionTable = this.registerParameter('positions', table);
    } else {
      this.positionTable = resolved.positions === 'sinusoidal' ? sinusoidalPositions(resolved.maxLength, width) : null;
    }
    for (let l = 0; l < layers; l++) {
      const blockRng = rng.fork(`block${l}`);
      const block = resolved.attentionOnly
        ? new AttentionOnlyBlock(width, heads, blockRng)
        : new TransformerBlock({ modelSize: width, numHeads: heads, mlpSize: mlp, activation }, blockRng);
      this.blocks.push(this.registerModule(`block${l}`, block));
    }
    this.finalNorm = this.registerModule('finalNorm', new LayerNorm({ size: width }));
    this.readout = this.registerModule('readout', new Linear({ inputSize: width, outputSize }, rng.fork('readout')));
  }

  logits(inputs: Tensor, sequences: number): Tensor {
    return this.run(inputs, sequences, false).logits;
  }

  /** Each position attends only to itself: every cache is restarted before every position. */
  logitsForgetting(inputs: Tensor, sequences: number): Tensor {
    return this.run(inputs, sequences, false, true).logits;
  }

  /**
   * The logits and every head's attention pattern, attention[l][h] for block l and head h: the
   * weights the forward pass itself computed (the cache's `latestWeights` at each step), so they
   * are exactly those the logits came from.
   */
  logitsWithAttention(inputs: Tensor, sequences: number): { logits: Tensor; attention: AttentionPattern[][] } {
    const { logits, attention } = this.run(inputs, sequences, true);
    return { logits, attention: attention! };
  }

  private run(
    inputs: Tensor,
    sequences: number,
    record: boolean,
    forget = false,
  ): { logits: Tensor; attention: AttentionPattern[][] | null } {
    const S = sequences;
    const T = stepsOf(inputs, S, this.inputSize, 'transformer');
    if (this.positionTable !== null && T > this.positionTable.rows)
      throw new UsageError(
        `transformer: a sequence of ${T} positions is longer than option 'maxLength' (${this.positionTable.rows})`,
      );
    const heads = this.resolved.heads;
    const attention = record
      ? this.blocks.map(() =>
          Array.from({ length: heads }, () => ({ sequences: S, length: T, weights: new Float64Array(S * T * T) })),
        )
      : null;
    const caches = this.blocks.map((b) => b.createCache(S));
    const everyRow = new Uint8Array(S).fill(1);
    const outputs: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      if (forget) for (const cache of caches) cache.resetRows(everyRow);
      let x = this.embed.forward(sliceRows(inputs, t * S, (t + 1) * S));
      if (this.positionTable !== null) x = addRowVector(x, sliceRows(this.positionTable, t, t + 1));
      for (let l = 0; l < this.blocks.length; l++) {
        x = this.blocks[l].step(x, caches[l]);
        if (attention !== null) {
          // latestWeights[(s·heads + h)·(t+1) + u]
          const w = caches[l].latestWeights!;
          for (let s = 0; s < S; s++)
            for (let h = 0; h < heads; h++)
              attention[l][h].weights.set(
                w.subarray((s * heads + h) * (t + 1), (s * heads + h + 1) * (t + 1)),
                (s * T + t) * T,
              );
        }
      }
      outputs.push(this.readout.forward(this.finalNorm.forward(x)));
    }
    return { logits: concatRows(outputs), attention };
  }

  options(): Record<string, unknown> {
    return { ...this.resolved };
  }
}

// ---------------------------------------------------------------------------------------------
// The recurrent models.

export const sequenceRecurrentOptions = z.strictObject({
  hidden: option(z.int().min(1).max(4096).default(128), 'Hidden units H of the recurrent cell'),
});
export type SequenceRecurrentOptions = z.output<typeof sequenceRecurrentOptions>;

/** `lstm` and `gru`: the cell reads the inputs from the zero state; logits are a linear readout of h after each. */
export class SequenceRecurrent extends Module implements SequenceModel {
  readonly cell: LstmCell | GruCell;
  readonly readout: Linear;

  constructor(
    readonly model: 'lstm' | 'gru',
    readonly inputSize: number,
    readonly outputSize: number,
    readonly resolved: SequenceRecurrentOptions,
    rng: Rng,
  ) {
    super();
    const cellOptions = { inputSize, hiddenSize: resolved.hidden };
    this.cell = this.registerModule(
      'cell',
      model === 'lstm' ? new LstmCell(cellOptions, rng.fork('cell')) : new GruCell(cellOptions, rng.fork('cell')),
    );
    this.readout = this.registerModule(
      'readout',
      new Linear({ inputSize: resolved.hidden, outputSize }, rng.fork('readout')),
    );
  }

  /** The hidden state h (S×H) after each position. */
  hiddenStates(inputs: Tensor, sequences: number, forget = false): Tensor[] {
    const S = sequences;
    const T = stepsOf(inputs, S, this.inputSize, this.model);
    const out: Tensor[] = [];
    if (this.cell instanceof LstmCell) {
      let state = this.cell.initialState(S);
      for (let t = 0; t < T; t++) {
        state = this.cell.step(sliceRows(inputs, t * S, (t + 1) * S), forget ? this.cell.initialState(S) : state);
        out.push(state.h);
      }
    } else {
      let h = this.cell.initialState(S);
      for (let t = 0; t < T; t++) {
        h = this.cell.step(sliceRows(inputs, t * S, (t + 1) * S), forget ? this.cell.initialState(S) : h);
        out.push(h);
      }
    }
    return out;
  }

  logits(inputs: Tensor, sequences: number): Tensor {
    return this.readout.forward(concatRows(this.hiddenStates(inputs, sequences)));
  }

  /** Each position read from the zero state. */
  logitsForgetting(inputs: Tensor, sequences: number): Tensor {
    return this.readout.forward(concatRows(this.hiddenStates(inputs, sequences, true)));
  }

  options(): Record<string, unknown> {
    return { ...this.resolved };
  }
}

/** The number of positions T of time-major inputs, checked. */
function stepsOf(inputs: Tensor, sequences: number, inputSize: number, owner: string): number {
  if (!Number.isInteger(sequences) || sequences < 1 || inputs.rows % sequences !== 0 || inputs.rows === 0)
    throw new Error(
      `${owner}: ${inputs.rows} input rows are not a whole number of positions of ${sequences} sequences`,
    );
  if (inputs.cols !== inputSize) throw new Error(`${owner}: inputs of width ${inputs.cols}, expected ${inputSize}`);
  return inputs.rows / sequences;
}

/**
 * Builds a sequence model from its kind and options (unknown or out-of-range options are
 * UsageErrors): `inputSize` is the width of an input row (V for icl-induction, D + labels for
 * icl-bursty), `outputSize` the number of logits (V, or labels).
 */
export function createSequenceModel(
  kind: SequenceModelKind,
  inputSize: number,
  outputSize: number,
  options: Record<string, unknown> | undefined,
  rng: Rng,
  owner: string = kind,
): SequenceModel {
  switch (kind) {
    case 'transformer':
      return new SequenceTransformer(
        inputSize,
        outputSize,
        parseOptions(owner, sequenceTransformerOptions, options),
        rng,
      );
    case 'tem-t':
      return new TemT(inputSize, outputSize, parseOptions(owner, temTOptions, options), rng);
    case 'lstm':
    case 'gru':
      return new SequenceRecurrent(
        kind,
        inputSize,
        outputSize,
        parseOptions(owner, sequenceRecurrentOptions, options),
        rng,
      );
  }
}
