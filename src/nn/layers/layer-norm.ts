// Layer normalization (Ba, Kiros & Hinton 2016) of each row, with gain initialised to 1 and bias to 0.

import { constantParameter } from '../init.ts';
import { Module } from '../module.ts';
import { layerNorm } from '../ops/layer-norm.ts';
import type { Tensor } from '../tensor.ts';
import { positiveInteger, rejectUnknownKeys } from './options.ts';

export interface LayerNormOptions {
  /** Number of features normalized together (columns of x). */
  size: number;
  /** ε added to the variance before the square root (default 1e-5, PyTorch's). */
  epsilon?: number;
}

export class LayerNorm extends Module {
  readonly size: number;
  readonly epsilon: number;
  /** γ, 1 × size. */
  readonly gain: Tensor;
  /** β, 1 × size. */
  readonly bias: Tensor;

  constructor(options: LayerNormOptions) {
    super();
    rejectUnknownKeys('LayerNorm', options, ['size', 'epsilon']);
    this.size = positiveInteger('LayerNorm', 'size', options.size);
    this.epsilon = options.epsilon ?? 1e-5;
    if (!(this.epsilon > 0)) throw new Error(`LayerNorm: option 'epsilon' must be > 0, got ${options.epsilon}`);
    this.gain = this.registerParameter('gain', constantParameter(1, this.size, 1));
    this.bias = this.registerParameter('bias', constantParameter(1, this.size, 0));
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.gain, this.bias, this.epsilon);
  }
}
