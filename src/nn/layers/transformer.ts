// The pre-LayerNorm transformer block (Vaswani et al. 2017 with the normalization moved inside the
// residual branches, as in GPT-2 and Xiong et al. 2020, which trains without a learning-rate
// warm-up): x ← x + Attention(LN(x)); x ← x + MLP(LN(x)). It runs one step at a time over a
// key/value cache (how the transformer agent acts, and how a batch of regression sequences is
// read), or over a whole sequence at once with a causal mask (the reference the cached path is
// tested against). Sinusoidal positions follow Vaswani et al. 2017, section 3.5.
import type { Rng } from '../../core/rng.ts';
import { Module } from '../module.ts';
import { add } from '../ops/elementwise.ts';
import { Tensor } from '../tensor.ts';
import { type KeyValueCache, MultiHeadSelfAttention } from './attention.ts';
import { LayerNorm } from './layer-norm.ts';
import { type Activation, Mlp } from './mlp.ts';
import { positiveInteger, rejectUnknownKeys } from './options.ts';

export interface TransformerBlockOptions {
  /** Width d_model of the residual stream. */
  modelSize: number;
  /** Number of attention heads; must divide modelSize. */
  numHeads: number;
  /** Hidden width d_ff of the position-wise MLP. */
  mlpSize: number;
  /** Nonlinearity of the MLP (default 'relu', as in Vaswani et al.). */
  activation?: Exclude<Activation, 'none'>;
}

export class TransformerBlock extends Module {
  readonly modelSize: number;
  readonly attentionNorm: LayerNorm;
  readonly attention: MultiHeadSelfAttention;
  readonly mlpNorm: LayerNorm;
  readonly mlp: Mlp;

  constructor(options: TransformerBlockOptions, rng: Rng) {
    super();
    rejectUnknownKeys('TransformerBlock', options, ['modelSize', 'numHeads', 'mlpSize', 'activation']);
    this.modelSize = positiveInteger('TransformerBlock', 'modelSize', options.modelSize);
    const mlpSize = positiveInteger('TransformerBlock', 'mlpSize', options.mlpSize);
    this.attentionNorm = this.registerModule('attentionNorm', new LayerNorm({ size: this.modelSize }));
    this.attention = this.registerModule(
      'attention',
      new MultiHeadSelfAttention({ modelSize: this.modelSize, numHeads: options.numHeads }, rng.fork('attention')),
    );
    this.mlpNorm = this.registerModule('mlpNorm', new LayerNorm({ size: this.modelSize }));
    this.mlp = this.registerModule(
      'mlp',
      new Mlp(
        { sizes: [this.modelSize, mlpSize, this.modelSize], activation: options.activation ?? 'relu' },
        rng.fork('mlp'),
      ),
    );
  }

  /** An empty cache for a batch. */
  createCache(batchSize: number): KeyValueCache {
    return this.attention.createCache(batchSize);
  }

  /** One step: tokens x (B×D) join the cache and attend over it; returns the new residual stream B×D. */
  step(x: Tensor, cache: KeyValueCache): Tensor {
    const h = add(x, this.attention.step(this.attentionNorm.forward(x), cache));
    return add(h, this.mlp.forward(this.mlpNorm.forward(h)));
  }

  /** A whole sequence of one episode (T×D, rows are time steps), causally masked; equals T calls of `step`. */
  forwardSequence(x: Tensor): Tensor {
    const h = add(x, this.attention.forwardSequence(this.attentionNorm.forward(x)));
    return add(h, this.mlp.forward(this.mlpNorm.forward(h)));
  }
}

/** A stack of `layers` blocks, each drawing its weights from the fork `block<l>` of `rng`. */
export function transformerBlocks(options: TransformerBlockOptions, layers: number, rng: Rng): TransformerBlock[] {
  return Array.from({ length: layers }, (_, l) => new TransformerBlock(options, rng.fork(`block${l}`)));
}

/**
 * The sinusoidal position codes of Vaswani et al. (2017, section 3.5), length × size:
 * PE(t, 2i) = sin(t / 10000^(2i/size)), PE(t, 2i+1) = cos(t / 10000^(2i/size)). A constant, not a parameter.
 */
export function sinusoidalPositions(length: number, size: number): Tensor {
  positiveInteger('sinusoidalPositions', 'length', length);
  positiveInteger('sinusoidalPositions', 'size', size);
  const table = Tensor.zeros(length, size);
  for (let t = 0; t < length; t++) {
    for (let j = 0; j < size; j++) {
      const frequency = 1 / 10000 ** ((2 * Math.floor(j / 2)) / size);
      table.data[t * size + j] = j % 2 === 0 ? Math.sin(t * frequency) : Math.cos(t * frequency);
    }
  }
  return table;
}
