// A fully connected layer y = x·W + b. Initialised like PyTorch's nn.Linear: W and b uniform on
// ±1/√inputSize.
import type { Rng } from '../../core/rng.ts';
import { uniformParameter } from '../init.ts';
import { Module } from '../module.ts';
import { linear } from '../ops/linear-algebra.ts';
import type { Tensor } from '../tensor.ts';
import { positiveInteger, rejectUnknownKeys } from './options.ts';

export interface LinearOptions {
  /** Number of input features (columns of x). */
  inputSize: number;
  /** Number of output features (columns of y). */
  outputSize: number;
  /** Whether to learn a bias b (default true). */
  bias?: boolean;
  /** Half-width of the uniform initialisation (default 1/√inputSize, PyTorch's). */
  initBound?: number;
}

export class Linear extends Module {
  readonly inputSize: number;
  readonly outputSize: number;
  /** inputSize × outputSize (x·W layout). */
  readonly weight: Tensor;
  /** 1 × outputSize, or null without bias. */
  readonly bias: Tensor | null;

  constructor(options: LinearOptions, rng: Rng) {
    super();
    rejectUnknownKeys('Linear', options, ['inputSize', 'outputSize', 'bias', 'initBound']);
    this.inputSize = positiveInteger('Linear', 'inputSize', options.inputSize);
    this.outputSize = positiveInteger('Linear', 'outputSize', options.outputSize);
    const bound = options.initBound ?? 1 / Math.sqrt(this.inputSize);
    this.weight = this.registerParameter('weight', uniformParameter(this.inputSize, this.outputSize, bound, rng));
    this.bias =
      options.bias === false ? null : this.registerParameter('bias', uniformParameter(1, this.outputSize, bound, rng));
  }

  /** x (B×inputSize) → B×outputSize. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
