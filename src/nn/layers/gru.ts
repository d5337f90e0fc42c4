// A GRU cell (Cho et al. 2014) in PyTorch's formulation, stepped one time step at a time; each
// step is one fused tape node. Initialised like PyTorch's nn.GRU: uniform on ±1/√hiddenSize.
import type { Rng } from '../../core/rng.ts';
import { uniformParameter } from '../init.ts';
import { Module } from '../module.ts';
import { scaleRows } from '../ops/elementwise.ts';
import { gruCell } from '../ops/recurrent.ts';
import { Tensor } from '../tensor.ts';
import { positiveInteger, rejectUnknownKeys } from './options.ts';

export interface GruCellOptions {
  /** Number of input features per step. */
  inputSize: number;
  /** Number of hidden units H. */
  hiddenSize: number;
}

export class GruCell extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** inputSize × 3H, gate blocks r, z, n. */
  readonly weightInput: Tensor;
  /** H × 3H. */
  readonly weightHidden: Tensor;
  /** 1 × 3H, added to x·W_ih. */
  readonly biasInput: Tensor;
  /** 1 × 3H, added to h·W_hh (inside the reset gate's product for n). */
  readonly biasHidden: Tensor;

  constructor(options: GruCellOptions, rng: Rng) {
    super();
    rejectUnknownKeys('GruCell', options, ['inputSize', 'hiddenSize']);
    this.inputSize = positiveInteger('GruCell', 'inputSize', options.inputSize);
    this.hiddenSize = positiveInteger('GruCell', 'hiddenSize', options.hiddenSize);
    const h = this.hiddenSize;
    const bound = 1 / Math.sqrt(h);
    this.weightInput = this.registerParameter('weightInput', uniformParameter(this.inputSize, 3 * h, bound, rng));
    this.weightHidden = this.registerParameter('weightHidden', uniformParameter(h, 3 * h, bound, rng));
    this.biasInput = this.registerParameter('biasInput', uniformParameter(1, 3 * h, bound, rng));
    this.biasHidden = this.registerParameter('biasHidden', uniformParameter(1, 3 * h, bound, rng));
  }

  /** The zero state for a batch. */
  initialState(batchSize: number): Tensor {
    return Tensor.zeros(batchSize, this.hiddenSize);
  }

  /** One step: x (B×inputSize) and h (B×H) → the next h. */
  step(x: Tensor, h: Tensor): Tensor {
    return gruCell(x, h, this.weightInput, this.weightHidden, this.biasInput, this.biasHidden);
  }

  /** The state with the rows of finished episodes zeroed: (1 − done) ⊙ h. */
  maskState(h: Tensor, keep: ArrayLike<number>): Tensor {
    return scaleRows(h, keep);
  }
}
