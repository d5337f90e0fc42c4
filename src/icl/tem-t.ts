// TEM-t, the transformer form of the Tolman-Eichenbaum Machine (Whittington, Warren & Behrens 2021):
// a transformer whose position code is not a table but a recurrent path integrator driven by the
// moves, and whose attention separates the two streams the hippocampal formation binds:
//   position   g_{t+1} = f(W_{a_{t+1}} g_t), one learned matrix per move, from a learned g_0;
//   memory     after step t the pair (g_t, x_t) is stored: key W_k g_t, value W_v x_t;
//   retrieval  the query W_q g_{t+1} attends (softmax) over the memories 0 … t, and a linear
//              readout of what it retrieves gives the logits of the observation x_{t+1}.
// Keys and queries come from positions only and values from observations only, so what the model
// knows about an environment lives in its memories: its weights are shared by every environment.
// The attention weights over the memories are TEM-t's "memory neurons" (memory τ's neuron fires when
// the walk is where memory τ was formed), the units of g its position cells.
//
// It reads graph-walk's inputs (`walkInputs`): each row is the one-hot observation x_t (the first
// `outputSize` columns) followed by the one-hot move a_{t+1} (the remaining columns), and predicts
// x_{t+1}. Time-major like every sequence model (row t·S + s is position t of sequence s).
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import { option } from '../core/options.ts';
import type { Rng } from '../core/rng.ts';
import { KeyValueCache } from '../nn/layers/attention.ts';
import { Linear } from '../nn/layers/linear.ts';
import { Module } from '../nn/module.ts';
import { attendCachedWithWeights } from '../nn/ops/attention.ts';
import { addRowVector, relu, scaleRows, tanh } from '../nn/ops/elementwise.ts';
import { linear } from '../nn/ops/linear-algebra.ts';
import { concatColumns, concatRows, sliceColumns, sliceRows } from '../nn/ops/structure.ts';
import { Tensor } from '../nn/tensor.ts';
import type { AttentionPattern, SequenceModel } from './sequence-model.ts';

export const TRANSITION_ACTIVATIONS = ['identity', 'tanh', 'relu'] as const;

export const temTOptions = z.strictObject({
  position: option(z.int().min(1).max(1024).default(64), 'Units of the position code g'),
  activation: option(
    z.enum(TRANSITION_ACTIVATIONS).default('tanh'),
    'f of the path integration g ← f(W_a g) (Whittington et al. used a linear f; here it learned far slower)',
  ),
  width: option(z.int().min(1).max(1024).default(64), 'Width of queries, keys and values'),
  tiedKeys: option(
    z.boolean().default(true),
    'Queries and keys by one projection of g, so a query matches best the memories of its own position',
  ),
  heads: option(z.int().min(1).max(16).default(1), 'Attention heads; must divide `width`'),
  transitionNoise: option(
    z.number().min(0).max(10).default(0.3),
    'Each W_a starts at the identity plus uniform noise of this half-width / √position (ours)',
  ),
});
export type TemTOptions = z.output<typeof temTOptions>;

/** What one pass records: the position codes and the memory neurons' activity. */
export interface TemTTrace {
  /** g_{t+1} of every position, time-major (T·S × position): the code of the place predicted. */
  positions: Float64Array;
  /** Per head, the attention of position t over memories 0 … t (sequences × T × T, 0 past t). */
  memory: AttentionPattern[];
}

export class TemT extends Module implements SequenceModel {
  readonly model = 'tem-t' as const;
  /** Moves in an input row: inputSize − outputSize. */
  readonly moves: number;
  readonly initial: Tensor;
  /** The moves' matrices stacked: row block a is W_a (position × position, x·W layout). */
  readonly transition: Tensor;
  /** The query projection of g; with `tiedKeys`, the key projection too. */
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly readout: Linear;

  constructor(
    readonly inputSize: number,
    readonly outputSize: number,
    readonly resolved: TemTOptions,
    rng: Rng,
  ) {
    super();
    const { position: G, width, heads } = resolved;
    this.moves = inputSize - outputSize;
    if (this.moves < 1)
      throw new UsageError(
        `tem-t: inputs of ${inputSize} columns leave no move columns beside ${outputSize} observations`,
      );
    if (width % heads !== 0)
      throw new UsageError(`tem-t: option 'heads' (${heads}) must divide option 'width' (${width})`);
    const initRng = rng.fork('initial');
    const g0 = Tensor.zeros(1, G, true);
    for (let i = 0; i < G; i++) g0.data[i] = initRng.normal(0, 1);
    this.initial = this.registerParameter('initial', g0);
    const w = Tensor.zeros(this.moves * G, G, true);
    const noise = resolved.transitionNoise / Math.sqrt(G);
    const transitionRng = rng.fork('transition');
    for (let a = 0; a < this.moves; a++)
      for (let i = 0; i < G; i++)
        for (let j = 0; j < G; j++)
          w.data[(a * G + i) * G + j] = (i === j ? 1 : 0) + transitionRng.uniformRange(-noise, noise);
    this.transition = this.registerParameter('transition', w);
    this.query = this.registerModule(
      'query',
      new Linear({ inputSize: G, outputSize: width, bias: false }, rng.fork('query')),
    );
    this.key = resolved.tiedKeys
      ? this.query
      : this.registerModule('key', new Linear({ inputSize: G, outputSize: width, bias: false }, rng.fork('key')));
    this.value = this.registerModule(
      'value',
      new Linear({ inputSize: outputSize, outputSize: width }, rng.fork('value')),
    );
    this.readout = this.registerModule('readout', new Linear({ inputSize: width, outputSize }, rng.fork('readout')));
  }

  logits(inputs: Tensor, sequences: number): Tensor {
    return this.run(inputs, sequences, { record: false, forget: false }).logits;
  }

  /** The logits and the trace (position codes, memory neurons) they came from. */
  logitsWithTrace(inputs: Tensor, sequences: number): { logits: Tensor; trace: TemTTrace } {
    const { logits, trace } = this.run(inputs, sequences, { record: true, forget: false });
    return { logits, trace: trace! };
  }

  /**
   * The `reset-state` lesion: every memory but the one just stored is forgotten at every step, so a
   * prediction can draw only on the place the walk is leaving.
   */
  logitsForgetting(inputs: Tensor, sequences: number): Tensor {
    return this.run(inputs, sequences, { record: false, forget: true }).logits;
  }

  /** g ← f(W_a g) row by row, a the row's move (a one-hot mask per move). */
  private integrate(g: Tensor, moveColumns: Float64Array, S: number): Tensor {
    const M = this.moves;
    const parts: Tensor[] = [];
    for (let a = 0; a < M; a++) {
      const mask = new Float64Array(S);
      for (let s = 0; s < S; s++) mask[s] = moveColumns[s * M + a];
      parts.push(scaleRows(g, mask));
    }
    const next = linear(concatColumns(parts), this.transition, null);
    switch (this.resolved.activation) {
      case 'identity':
        return next;
      case 'tanh':
        return tanh(next);
      case 'relu':
        return relu(next);
    }
  }

  private run(
    inputs: Tensor,
    sequences: number,
    how: { record: boolean; forget: boolean },
  ): { logits: Tensor; trace: TemTTrace | null } {
    const S = sequences;
    const A = this.outputSize;
    const M = this.moves;
    const G = this.resolved.position;
    const heads = this.resolved.heads;
    if (!Number.isInteger(S) || S < 1 || inputs.rows % S !== 0 || inputs.rows === 0)
      throw new Error(`tem-t: ${inputs.rows} input rows are not a whole number of positions of ${S} sequences`);
    if (inputs.cols !== this.inputSize)
      throw new Error(`tem-t: inputs of width ${inputs.cols}, expected ${this.inputSize}`);
    const T = inputs.rows / S;
    const trace: TemTTrace | null = how.record
      ? {
          positions: new Float64Array(T * S * G),
          memory: Array.from({ length: heads }, () => ({
            sequences: S,
            length: T,
            weights: new Float64Array(S * T * T),
          })),
        }
      : null;
    const cache = new KeyValueCache(S);
    const everyRow = new Uint8Array(S).fill(1);
    // g_0, the same for every sequence: a walk starts wherever it starts.
    let g = addRowVector(Tensor.zeros(S, G), this.initial);
    const outputs: Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const row = sliceRows(inputs, t * S, (t + 1) * S);
      const observation = sliceColumns(row, 0, A);
      const moveColumns = sliceColumns(row, A, A + M).data;
      if (how.forget) cache.resetRows(everyRow);
      cache.append(this.key.forward(g), this.value.forward(observation));
      g = this.integrate(g, moveColumns, S);
      const attended = attendCachedWithWeights(this.query.forward(g), cache.keys, cache.values, heads, cache.start);
      outputs.push(this.readout.forward(attended.output));
      if (trace !== null) {
        trace.positions.set(g.data, t * S * G);
        const n = t + 1;
        for (let s = 0; s < S; s++)
          for (let h = 0; h < heads; h++)
            trace.memory[h].weights.set(
              attended.weights.subarray((s * heads + h) * n, (s * heads + h + 1) * n),
              (s * T + t) * T,
            );
      }
    }
    return { logits: concatRows(outputs), trace };
  }

  options(): Record<string, unknown> {
    return { ...this.resolved };
  }
}
