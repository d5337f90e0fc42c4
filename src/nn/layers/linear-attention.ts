// A linear self-attention layer (von Oswald et al. 2022, eq. 4; no softmax, no biases):
//   e_j ← e_j + Σ_h P_h W_{V,h} (1/C) Σ_{i<C} e_i (e_iᵀ W_{K,h}ᵀ W_{Q,h} e_j),
// written here in the row convention (tokens are rows, a projection is e·W), with the context's C
// tokens as the only keys and values and the sum averaged over them. The average (instead of the
// paper's sum) makes one set of weights mean the same gradient-descent step size for every
// context length, so a model trained on N examples can be read at other N.
import type { Rng } from '../../core/rng.ts';
import { Module } from '../module.ts';
import { add } from '../ops/elementwise.ts';
import { linearAttention } from '../ops/linear-attention.ts';
import type { Tensor } from '../tensor.ts';
import { Linear } from './linear.ts';
import { positiveInteger, rejectUnknownKeys } from './options.ts';

export interface LinearSelfAttentionOptions {
  /** Token width D (d + 1 for regression tokens (x, y)). */
  modelSize: number;
  /** Number of heads; must divide modelSize (the paper's construction needs one). */
  numHeads: number;
  /** Half-width of the uniform initialisation of every projection (default 1/√modelSize). */
  initBound?: number;
}

export class LinearSelfAttention extends Module {
  readonly modelSize: number;
  readonly numHeads: number;
  /** W_Q, W_K, W_V and the output projection P, each D×D in the x·W layout. */
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly output: Linear;

  constructor(options: LinearSelfAttentionOptions, rng: Rng) {
    super();
    rejectUnknownKeys('LinearSelfAttention', options, ['modelSize', 'numHeads', 'initBound']);
    this.modelSize = positiveInteger('LinearSelfAttention', 'modelSize', options.modelSize);
    this.numHeads = positiveInteger('LinearSelfAttention', 'numHeads', options.numHeads);
    if (this.modelSize % this.numHeads !== 0) {
      throw new Error(`LinearSelfAttention: numHeads ${this.numHeads} does not divide modelSize ${this.modelSize}`);
    }
    const d = this.modelSize;
    const initBound = options.initBound;
    const projection = (name: string) =>
      this.registerModule(name, new Linear({ inputSize: d, outputSize: d, bias: false, initBound }, rng.fork(name)));
    this.query = projection('query');
    this.key = projection('key');
    this.value = projection('value');
    this.output = projection('output');
  }

  /**
   * Tokens e ((steps·S)×D, time-major: row t·S + s is token t of sequence s), of which the first
   * `contextLength` steps are the context; returns e + LSA(e), the same shape.
   */
  forward(tokens: Tensor, sequences: number, contextLength: number): Tensor {
    const attended = linearAttention(
      this.query.forward(tokens),
      this.key.forward(tokens),
      this.value.forward(tokens),
      this.numHeads,
      sequences,
      contextLength,
      1 / Math.max(1, contextLength),
    );
    return add(tokens, this.output.forward(attended));
  }
}
