// The in-context regression models of von Oswald et al. (2022): they read a sequence of tokens
// e_i = (x_i, y_i) for the context and e_q = (x_q, 0) for the query, and predict y_q. Weights are
// trained across sequences (src/icl/train.ts) and fixed within one: whatever the model learns from
// the context lives in its activations.
//   `lsa`          linear self-attention layers (no softmax, no MLP), read out as ŷ = −(e_q)_y,
//                  the paper's convention, under which its construction is one GD step;
//   `transformer`  the softmax transformer blocks of the `transformer` agent (pre-LayerNorm,
//                  causal, one token per step over a key/value cache): the query comes last and
//                  attends to the whole context; a linear readout of its final state gives ŷ;
//   `lstm`, `gru`  a recurrent cell (the fused cells of the `lstm` and `gru` agents) reading the
//                  tokens one by one, as Hochreiter, Younger & Conwell (2001) had an LSTM read a
//                  function's examples; a linear readout of the hidden state after the query gives ŷ.
// Tokens are time-major ((N+1)·S rows; row t·S + s is token t of sequence s), as in the rollouts.
// The recurrent models (and the transformer with option `queryFlag`) also read a query flag, 1 on
// the query token and 0 on the context's, which they append to the tokens themselves
// (`withQueryFlag`): the query's label entry is 0, which a context label can be too, and a reader
// that folds every token into its state cannot otherwise tell the query from one more example.
import { z } from 'zod';
import type { SequenceBatch } from '../../tasks/icl-regression.ts';
import { UsageError } from '../core/errors.ts';
import { option, parseOptions } from '../core/options.ts';
import { Rng } from '../core/rng.ts';
import { GruCell } from '../nn/layers/gru.ts';
import { LayerNorm } from '../nn/layers/layer-norm.ts';
import { Linear } from '../nn/layers/linear.ts';
import { LinearSelfAttention } from '../nn/layers/linear-attention.ts';
import { LstmCell } from '../nn/layers/lstm.ts';
import { type TransformerBlock, transformerBlocks } from '../nn/layers/transformer.ts';
import { Module } from '../nn/module.ts';
import { scale } from '../nn/ops/elementwise.ts';
import type { LstmState } from '../nn/ops/recurrent.ts';
import { concatColumns, sliceColumns, sliceRows } from '../nn/ops/structure.ts';
import { Tensor } from '../nn/tensor.ts';

/** The kinds of in-context regression model (`model` in an experiment's `models`). */
export const REGRESSION_MODELS = ['lsa', 'transformer', 'lstm', 'gru'] as const;
export type RegressionModelKind = (typeof REGRESSION_MODELS)[number];

/**
 * A model that predicts y_q from tokens; `predict` records onto the active tape, if any. Every model
 * is a Module: `parameters()` for checkpoints, `parameterCount()` for tables.
 */
export interface RegressionModel extends Module {
  readonly model: RegressionModelKind;
  /** Predictions ŷ (S×1) from tokens ((examples+1)·S × (d+1), see `tokensOf`). */
  predict(tokens: Tensor, sequences: number, examples: number): Tensor;
  /** The resolved options (saved with the parameters). */
  options(): Record<string, unknown>;
}

/** The tokens of a batch, time-major: context tokens (x_i, y_i) for t < N, then the query (x_q, 0). */
export function tokensOf(batch: SequenceBatch): Tensor {
  const { sequences: S, examples: n, dim: d } = batch;
  const width = d + 1;
  const tokens = Tensor.zeros((n + 1) * S, width);
  const e = tokens.data;
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < n; i++) {
      const row = (i * S + s) * width;
      e.set(batch.xs.subarray((s * n + i) * d, (s * n + i + 1) * d), row);
      e[row + d] = batch.ys[s * n + i];
    }
    e.set(batch.queries.subarray(s * d, (s + 1) * d), (n * S + s) * width);
  }
  return tokens;
}

/**
 * The tokens with the query flag appended as a last column ((examples+1)·S × (d+2)): 0 on the
 * context tokens, 1 on the query's. Gradients flow back to `tokens`.
 */
export function withQueryFlag(tokens: Tensor, sequences: number, examples: number): Tensor {
  const flag = Tensor.zeros((examples + 1) * sequences, 1);
  flag.data.fill(1, examples * sequences);
  return concatColumns([tokens, flag]);
}

export const lsaOptions = z.strictObject({
  // von Oswald et al.: 1, or several for GD++-like iterations.
  layers: option(z.int().min(1).max(16).default(1), 'Number of linear self-attention layers'),
  heads: option(z.int().min(1).max(16).default(1), 'Heads per layer (the construction needs 1)'),
  initBound: option(z.number().gt(0).max(10).default(0.1), 'Half-width of the uniform initialisation'),
});
export type LsaOptions = z.output<typeof lsaOptions>;

export class LsaModel extends Module implements RegressionModel {
  readonly model = 'lsa' as const;
  readonly layers: LinearSelfAttention[] = [];

  constructor(
    readonly dim: number,
    readonly resolved: LsaOptions,
    rng: Rng,
  ) {
    super();
    if ((dim + 1) % resolved.heads !== 0)
      throw new UsageError(`lsa: option 'heads' (${resolved.heads}) must divide the token width d + 1 = ${dim + 1}`);
    for (let l = 0; l < resolved.layers; l++) {
      this.layers.push(
        this.registerModule(
          `layer${l}`,
          new LinearSelfAttention(
            { modelSize: dim + 1, numHeads: resolved.heads, initBound: resolved.initBound },
            rng.fork(`layer${l}`),
          ),
        ),
      );
    }
  }

  /** The tokens after every layer (the last one carries the prediction). */
  forwardTokens(tokens: Tensor, sequences: number, examples: number): Tensor {
    let e = tokens;
    for (const layer of this.layers) e = layer.forward(e, sequences, examples);
    return e;
  }

  predict(tokens: Tensor, sequences: number, examples: number): Tensor {
    const e = this.forwardTokens(tokens, sequences, examples);
    const query = sliceRows(e, examples * sequences, (examples + 1) * sequences);
    return scale(sliceColumns(query, this.dim, this.dim + 1), -1);
  }

  options(): Record<string, unknown> {
    return { ...this.resolved };
  }
}

export const regressionTransformerOptions = z.strictObject({
  width: option(z.int().min(2).max(512).default(32), 'Width of the residual stream, d_model'),
  layers: option(z.int().min(1).max(8).default(2), 'Number of transformer blocks'),
  heads: option(z.int().min(1).max(16).default(2), 'Attention heads per block; must divide `width`'),
  mlp: option(z.int().min(1).max(4096).default(64), "Hidden width of each block's MLP, d_ff"),
  activation: z.enum(['relu', 'tanh']).default('relu'),
  queryFlag: option(
    z.boolean().default(false),
    'Read the query flag too (1 on the query token); off, as the models trained before it was added',
  ),
});
export type RegressionTransformerOptions = z.output<typeof regressionTransformerOptions>;

export class RegressionTransformer extends Module implements RegressionModel {
  readonly model = 'transformer' as const;
  readonly embed: Linear;
  readonly blocks: TransformerBlock[] = [];
  readonly finalNorm: LayerNorm;
  readonly readout: Linear;

  constructor(
    readonly dim: number,
    readonly resolved: RegressionTransformerOptions,
    rng: Rng,
  ) {
    super();
    const { width, layers, heads, mlp, activation } = resolved;
    if (width % heads !== 0)
      throw new UsageError(`transformer: option 'heads' (${heads}) must divide option 'width' (${width})`);
    const inputSize = resolved.queryFlag ? dim + 2 : dim + 1;
    this.embed = this.registerModule('embed', new Linear({ inputSize, outputSize: width }, rng.fork('embed')));
    const blocks = transformerBlocks({ modelSize: width, numHeads: heads, mlpSize: mlp, activation }, layers, rng);
    for (const [l, block] of blocks.entries()) this.blocks.push(this.registerModule(`block${l}`, block));
    this.finalNorm = this.registerModule('finalNorm', new LayerNorm({ size: width }));
    this.readout = this.registerModule('readout', new Linear({ inputSize: width, outputSize: 1 }, rng.fork('readout')));
  }

  predict(tokensIn: Tensor, sequences: number, examples: number): Tensor {
    const tokens = this.resolved.queryFlag ? withQueryFlag(tokensIn, sequences, examples) : tokensIn;
    const caches = this.blocks.map((b) => b.createCache(sequences));
    let x: Tensor | null = null;
    // No position code: the context is a set, and the query is told apart by coming last (and by its flag).
    for (let t = 0; t <= examples; t++) {
      x = this.embed.forward(sliceRows(tokens, t * sequences, (t + 1) * sequences));
      this.blocks.forEach((block, l) => {
        x = block.step(x!, caches[l]);
      });
    }
    return this.readout.forward(this.finalNorm.forward(x!));
  }

  options(): Record<string, unknown> {
    return { ...this.resolved };
  }
}

export const recurrentRegressorOptions = z.strictObject({
  hidden: option(z.int().min(1).max(1024).default(64), 'Hidden units H of the recurrent cell'),
});
export type RecurrentRegressorOptions = z.output<typeof recurrentRegressorOptions>;

/**
 * `lstm` and `gru`: a recurrent cell reads the tokens with their query flag, (x_i, y_i, 0) for
 * t < N′ then (x_q, 0, 1), from the zero state, one fused cell step per token; ŷ is a linear
 * readout of the hidden state h after the query. Everything the model learns from the context is
 * in its state, so `hiddenStates` (h after every token) is what an analysis of its algorithm reads.
 */
export abstract class RecurrentRegressor<C extends Module = Module> extends Module implements RegressionModel {
  abstract readonly model: 'lstm' | 'gru';
  readonly cell: C;
  readonly readout: Linear;

  /** `cell` reads d + 2 inputs per step (`recurrentInputSize`): a token and its query flag. */
  constructor(
    readonly dim: number,
    readonly resolved: RecurrentRegressorOptions,
    cell: C,
    rng: Rng,
  ) {
    super();
    this.cell = this.registerModule('cell', cell);
    this.readout = this.registerModule(
      'readout',
      new Linear({ inputSize: resolved.hidden, outputSize: 1 }, rng.fork('readout')),
    );
  }

  /** The hidden state h (S×H) after each of the examples + 1 tokens, the last after the query. */
  abstract hiddenStates(tokens: Tensor, sequences: number, examples: number): Tensor[];

  predict(tokens: Tensor, sequences: number, examples: number): Tensor {
    const states = this.hiddenStates(tokens, sequences, examples);
    return this.readout.forward(states[states.length - 1]);
  }

  options(): Record<string, unknown> {
    return { ...this.resolved };
  }
}

/** The recurrent cells' input width: a token (x, y) and its query flag. */
function recurrentInputSize(dim: number): number {
  return dim + 2;
}

/** The LSTM in-context regressor (Hochreiter, Younger & Conwell 2001): the `lstm` agent's cell. */
export class LstmRegressor extends RecurrentRegressor<LstmCell> {
  readonly model = 'lstm' as const;

  constructor(dim: number, resolved: RecurrentRegressorOptions, rng: Rng) {
    const cell = new LstmCell({ inputSize: recurrentInputSize(dim), hiddenSize: resolved.hidden }, rng.fork('cell'));
    super(dim, resolved, cell, rng);
  }

  hiddenStates(tokens: Tensor, sequences: number, examples: number): Tensor[] {
    const inputs = withQueryFlag(tokens, sequences, examples);
    let state: LstmState = this.cell.initialState(sequences);
    const out: Tensor[] = [];
    for (let t = 0; t <= examples; t++) {
      state = this.cell.step(sliceRows(inputs, t * sequences, (t + 1) * sequences), state);
      out.push(state.h);
    }
    return out;
  }
}

/** The GRU in-context regressor: the `gru` agent's cell. */
export class GruRegressor extends RecurrentRegressor<GruCell> {
  readonly model = 'gru' as const;

  constructor(dim: number, resolved: RecurrentRegressorOptions, rng: Rng) {
    const cell = new GruCell({ inputSize: recurrentInputSize(dim), hiddenSize: resolved.hidden }, rng.fork('cell'));
    super(dim, resolved, cell, rng);
  }

  hiddenStates(tokens: Tensor, sequences: number, examples: number): Tensor[] {
    const inputs = withQueryFlag(tokens, sequences, examples);
    let h = this.cell.initialState(sequences);
    const out: Tensor[] = [];
    for (let t = 0; t <= examples; t++) {
      h = this.cell.step(sliceRows(inputs, t * sequences, (t + 1) * sequences), h);
      out.push(h);
    }
    return out;
  }
}

/** Builds a model from its kind and options (unknown or out-of-range options are UsageErrors). */
export function createRegressionModel(
  kind: RegressionModelKind,
  dim: number,
  options: Record<string, unknown> | undefined,
  rng: Rng,
  owner: string = kind,
): RegressionModel {
  switch (kind) {
    case 'lsa':
      return new LsaModel(dim, parseOptions(owner, lsaOptions, options), rng);
    case 'transformer':
      return new RegressionTransformer(dim, parseOptions(owner, regressionTransformerOptions, options), rng);
    case 'lstm':
      return new LstmRegressor(dim, parseOptions(owner, recurrentRegressorOptions, options), rng);
    case 'gru':
      return new GruRegressor(dim, parseOptions(owner, recurrentRegressorOptions, options), rng);
  }
}

/**
 * The construction of von Oswald et al. (2022, Proposition 1) with w₀ = 0, in the row convention:
 * W_Q = W_K = [[I_d, 0], [0, 0]], W_V = [[0, 0], [0, −1]] (the value of e_i is (0, −y_i)) and
 * P = η·I. Then the query's label entry becomes −(η/N) Σ_i y_i x_i·x_q, so ŷ = −(e_q)_y is the
 * prediction of w₁ = w₀ − η ∇L(w₀) with L(w) = (1/2N) Σ_i (w·x_i − y_i)²: one step of gradient
 * descent on the context's least-squares loss.
 */
export function constructGradientStepLsa(dim: number, eta: number): LsaModel {
  // The random initialisation is overwritten entry by entry below.
  const model = new LsaModel(dim, { layers: 1, heads: 1, initBound: 0.1 }, Rng.fromSeed('construction'));
  const D = dim + 1;
  const layer = model.layers[0];
  for (const p of [layer.query.weight, layer.key.weight, layer.value.weight, layer.output.weight]) p.data.fill(0);
  for (let k = 0; k < dim; k++) {
    layer.query.weight.data[k * D + k] = 1;
    layer.key.weight.data[k * D + k] = 1;
  }
  layer.value.weight.data[dim * D + dim] = -1;
  for (let k = 0; k < D; k++) layer.output.weight.data[k * D + k] = eta;
  return model;
}

/**
 * The gradient-descent step a one-layer LSA implements, read off its weights. Summing over heads h,
 * ŷ's term in Σ_i y_i x_iᵀ Γ x_q has Γ = −(1/N)·Σ_h u_h[y] · (W_Q,h W_K,hᵀ)[x, x] with
 * u_h = W_V,h P_h[·, y]: the GD construction has Γ = (η/N)·I. Returns η = N·tr(Γ)/d (in the units of
 * the step size η of L(w) = (1/2N) Σ (w·x_i − y_i)²) and how far Γ is from a multiple of I.
 */
export function effectiveStep(model: LsaModel): { step: number; offScalar: number } {
  if (model.layers.length !== 1) throw new Error('effectiveStep: defined for one-layer models');
  const d = model.dim;
  const D = d + 1;
  const layer = model.layers[0];
  const hs = D / layer.numHeads;
  const Wq = layer.query.weight.data;
  const Wk = layer.key.weight.data;
  const Wv = layer.value.weight.data;
  const P = layer.output.weight.data;
  // N·Γ = −Σ_h u_h[y] · (W_Q,h W_K,hᵀ)[:d, :d], since the layer averages over the N context tokens.
  const gamma = new Float64Array(d * d);
  for (let h = 0; h < layer.numHeads; h++) {
    let uy = 0;
    for (let c = 0; c < hs; c++) uy += Wv[d * D + h * hs + c] * P[(h * hs + c) * D + d];
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let qk = 0;
        for (let c = 0; c < hs; c++) qk += Wq[a * D + h * hs + c] * Wk[b * D + h * hs + c];
        gamma[a * d + b] -= uy * qk;
      }
    }
  }
  let trace = 0;
  for (let k = 0; k < d; k++) trace += gamma[k * d + k];
  const step = trace / d;
  let off = 0;
  let total = 0;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      const g = gamma[a * d + b];
      off += (g - (a === b ? step : 0)) ** 2;
      total += g * g;
    }
  }
  return { step, offScalar: total > 0 ? Math.sqrt(off / total) : 0 };
}
