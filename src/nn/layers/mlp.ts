// A multilayer perceptron: Linear layers with a nonlinearity between them (and optionally after
// the last). Each Linear is initialised like PyTorch's.
import type { Rng } from '../../core/rng.ts';
import { Module } from '../module.ts';
import { relu, tanh } from '../ops/elementwise.ts';
import type { Tensor } from '../tensor.ts';
import { Linear } from './linear.ts';
import { positiveInteger, rejectUnknownKeys } from './options.ts';

export type Activation = 'tanh' | 'relu' | 'none';

export interface MlpOptions {
  /** Layer widths from input to output, e.g. [inputSize, 64, 64, outputSize]; at least two. */
  sizes: number[];
  /** Nonlinearity after every hidden layer (default 'tanh'). */
  activation?: Activation;
  /** Nonlinearity after the output layer (default 'none'). */
  outputActivation?: Activation;
}

function activate(x: Tensor, activation: Activation): Tensor {
  if (activation === 'tanh') return tanh(x);
  if (activation === 'relu') return relu(x);
  return x;
}

export class Mlp extends Module {
  readonly layers: Linear[] = [];
  readonly activation: Activation;
  readonly outputActivation: Activation;

  constructor(options: MlpOptions, rng: Rng) {
    super();
    rejectUnknownKeys('Mlp', options, ['sizes', 'activation', 'outputActivation']);
    if (!Array.isArray(options.sizes) || options.sizes.length < 2)
      throw new Error(`Mlp: option 'sizes' needs at least an input and an output size`);
    for (const [i, s] of options.sizes.entries()) positiveInteger('Mlp', `sizes[${i}]`, s);
    for (const key of ['activation', 'outputActivation'] as const) {
      const a = options[key];
      if (a !== undefined && a !== 'tanh' && a !== 'relu' && a !== 'none')
        throw new Error(`Mlp: option '${key}' must be 'tanh', 'relu' or 'none', got ${JSON.stringify(a)}`);
    }
    this.activation = options.activation ?? 'tanh';
    this.outputActivation = options.outputActivation ?? 'none';
    for (let i = 0; i + 1 < options.sizes.length; i++) {
      this.layers.push(
        this.registerModule(
          `layer${i}`,
          new Linear({ inputSize: options.sizes[i], outputSize: options.sizes[i + 1] }, rng),
        ),
      );
    }
  }

  forward(x: Tensor): Tensor {
    let y = x;
    this.layers.forEach((layer, i) => {
      y = activate(layer.forward(y), i + 1 < this.layers.length ? this.activation : this.outputActivation);
    });
    return y;
  }
}
