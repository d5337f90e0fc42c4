// Multi-head causal self-attention (Vaswani et al. 2017) for agents that act one step at a time,
// as transformer meta-learners do (Mishra et al. 2018; Whittington et al. 2021): each step projects
// the new token to a query, key and value, appends the key and value to a cache, and attends over
// everything cached. Gradients flow through the cache to the steps that produced it, so
// back-propagation through an episode works as it does for the LSTM. Projections are initialised
// Glorot-uniform with zero biases; the key projection has no bias (see below).
import type { Rng } from '../../core/rng.ts';
import { glorotBound } from '../init.ts';
import { Module } from '../module.ts';
import { attendCachedWithWeights, causalMask } from '../ops/attention.ts';
import { scale } from '../ops/elementwise.ts';
import { matmul, matmulTransposed } from '../ops/linear-algebra.ts';
import { softmax } from '../ops/softmax.ts';
import { concatColumns, sliceColumns } from '../ops/structure.ts';
import type { Tensor } from '../tensor.ts';
import { Linear } from './linear.ts';
import { positiveInteger, rejectUnknownKeys } from './options.ts';

export interface SelfAttentionOptions {
  /** Width D of tokens, queries, keys and values. */
  modelSize: number;
  /** Number of heads; must divide modelSize. */
  numHeads: number;
}

/** The keys and values of the steps seen so far, one B×D tensor per step. */
export class KeyValueCache {
  readonly batchSize: number;
  readonly keys: Tensor[] = [];
  readonly values: Tensor[] = [];
  /** Per batch row, the first step it may attend to (steps before its episode began are hidden). */
  readonly start: Int32Array;
  /**
   * The attention weights of the latest query over the cache (null before the first), kept for
   * recording at no cost (the backward pass holds them anyway): entry (b·heads + h)·length + s
   * is the weight of step s for batch row b and head h. Read-only.
   */
  latestWeights: Float64Array | null = null;

  constructor(batchSize: number) {
    this.batchSize = batchSize;
    this.start = new Int32Array(batchSize);
  }

  /** Number of cached steps. */
  get length(): number {
    return this.keys.length;
  }

  append(key: Tensor, value: Tensor): void {
    if (key.rows !== this.batchSize || value.rows !== this.batchSize) {
      throw new Error(
        `KeyValueCache: shapes ${key.shape} and ${value.shape} do not match a batch of ${this.batchSize}`,
      );
    }
    this.keys.push(key);
    this.values.push(value);
  }

  /** Forgets everything (all episodes restart). */
  reset(): void {
    this.keys.length = 0;
    this.values.length = 0;
    this.start.fill(0);
    this.latestWeights = null;
  }

  /**
   * A copy (sharing the cached tensors) in which the rows flagged in `rows` attend only to steps
   * appended from now on; this cache is left as it is.
   */
  withRowsRestarted(rows: ArrayLike<number | boolean>): KeyValueCache {
    const copy = new KeyValueCache(this.batchSize);
    copy.keys.push(...this.keys);
    copy.values.push(...this.values);
    copy.start.set(this.start);
    copy.resetRows(rows);
    return copy;
  }

  /** Rows whose episode ended (done[b] truthy) attend only to steps appended from now on. */
  resetRows(done: ArrayLike<number | boolean>): void {
    if (done.length !== this.batchSize)
      throw new Error(`KeyValueCache.resetRows: ${done.length} flags for a batch of ${this.batchSize}`);
    for (let b = 0; b < this.batchSize; b++) if (done[b]) this.start[b] = this.keys.length;
  }
}

export class MultiHeadSelfAttention extends Module {
  readonly modelSize: number;
  readonly numHeads: number;
  readonly headSize: number;
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly output: Linear;

  constructor(options: SelfAttentionOptions, rng: Rng) {
    super();
    rejectUnknownKeys('MultiHeadSelfAttention', options, ['modelSize', 'numHeads']);
    this.modelSize = positiveInteger('MultiHeadSelfAttention', 'modelSize', options.modelSize);
    this.numHeads = positiveInteger('MultiHeadSelfAttention', 'numHeads', options.numHeads);
    if (this.modelSize % this.numHeads !== 0) {
      throw new Error(`MultiHeadSelfAttention: numHeads ${this.numHeads} does not divide modelSize ${this.modelSize}`);
    }
    this.headSize = this.modelSize / this.numHeads;
    const d = this.modelSize;
    const bound = glorotBound(d, d);
    const projection = (name: string, bias: boolean) => {
      const layer = this.registerModule(name, new Linear({ inputSize: d, outputSize: d, initBound: bound, bias }, rng));
      layer.bias?.data.fill(0);
      return layer;
    };
    this.query = projection('query', true);
    // No key bias: it adds q·b_k to every score of a query alike, which the softmax ignores, so
    // its gradient is identically zero and it would only carry rounding noise.
    this.key = projection('key', false);
    this.value = projection('value', true);
    this.output = projection('output', true);
  }

  /** An empty cache for a batch. */
  createCache(batchSize: number): KeyValueCache {
    return new KeyValueCache(batchSize);
  }

  /**
   * One step: tokens x (B×D) are appended to the cache and attend over it; returns B×D. The cache
   * keeps the step's attention weights (`latestWeights`).
   */
  step(x: Tensor, cache: KeyValueCache): Tensor {
    if (x.cols !== this.modelSize)
      throw new Error(`MultiHeadSelfAttention.step: shapes ${x.shape} and Bx${this.modelSize} do not match`);
    cache.append(this.key.forward(x), this.value.forward(x));
    const attended = attendCachedWithWeights(
      this.query.forward(x),
      cache.keys,
      cache.values,
      this.numHeads,
      cache.start,
    );
    cache.latestWeights = attended.weights;
    return this.output.forward(attended.output);
  }

  /**
   * A whole sequence of one episode at once: x is T×D (rows are time steps) and row t attends to
   * rows 0…t. Equal to T calls of `step` with batch 1; built from elementary operations, it is
   * the reference the cached path is tested against.
   */
  forwardSequence(x: Tensor): Tensor {
    const q = this.query.forward(x);
    const k = this.key.forward(x);
    const v = this.value.forward(x);
    const heads: Tensor[] = [];
    for (let h = 0; h < this.numHeads; h++) {
      const from = h * this.headSize;
      const to = from + this.headSize;
      const scores = scale(
        matmulTransposed(sliceColumns(q, from, to), sliceColumns(k, from, to)),
        1 / Math.sqrt(this.headSize),
      );
      heads.push(matmul(softmax(causalMask(scores)), sliceColumns(v, from, to)));
    }
    return this.output.forward(heads.length === 1 ? heads[0] : concatColumns(heads));
  }
}
