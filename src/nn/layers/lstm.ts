// An LSTM cell (Hochreiter & Schmidhuber 1997; forget gate of Gers et al. 2000) stepped one time
// step at a time, as a meta-RL agent acts (Wang et al. 2018). Each step is one fused tape node.
// Initialised like PyTorch's nn.LSTM: every weight and bias uniform on ±1/√hiddenSize.
import type { Rng } from '../../core/rng.ts';
import { uniformParameter } from '../init.ts';
import { Module } from '../module.ts';
import { scaleRows } from '../ops/elementwise.ts';
import { type LstmState, lstmCell } from '../ops/recurrent.ts';
import { Tensor } from '../tensor.ts';
import { positiveInteger, rejectUnknownKeys } from './options.ts';

export interface LstmCellOptions {
  /** Number of input features per step. */
  inputSize: number;
  /** Number of hidden units H (the size of h and c). */
  hiddenSize: number;
  /** Added to the forget-gate bias after initialisation (default 0, as in PyTorch; Gers et al. suggest 1). */
  forgetBias?: number;
}

export class LstmCell extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** inputSize × 4H, gate blocks i, f, g, o. */
  readonly weightInput: Tensor;
  /** H × 4H. */
  readonly weightHidden: Tensor;
  /** 1 × 4H. */
  readonly bias: Tensor;

  constructor(options: LstmCellOptions, rng: Rng) {
    super();
    rejectUnknownKeys('LstmCell', options, ['inputSize', 'hiddenSize', 'forgetBias']);
    this.inputSize = positiveInteger('LstmCell', 'inputSize', options.inputSize);
    this.hiddenSize = positiveInteger('LstmCell', 'hiddenSize', options.hiddenSize);
    const h = this.hiddenSize;
    const bound = 1 / Math.sqrt(h);
    this.weightInput = this.registerParameter('weightInput', uniformParameter(this.inputSize, 4 * h, bound, rng));
    this.weightHidden = this.registerParameter('weightHidden', uniformParameter(h, 4 * h, bound, rng));
    this.bias = this.registerParameter('bias', uniformParameter(1, 4 * h, bound, rng));
    const forgetBias = options.forgetBias ?? 0;
    for (let j = h; j < 2 * h; j++) this.bias.data[j] += forgetBias;
  }

  /** The zero state for a batch (h = c = 0; no gradient). */
  initialState(batchSize: number): LstmState {
    return { h: Tensor.zeros(batchSize, this.hiddenSize), c: Tensor.zeros(batchSize, this.hiddenSize) };
  }

  /** One step: x (B×inputSize) and the previous state → the next state; h is the output. */
  step(x: Tensor, state: LstmState): LstmState {
    return lstmCell(x, state.h, state.c, this.weightInput, this.weightHidden, this.bias);
  }

  /** The state with the rows of finished episodes zeroed: (1 − done) ⊙ h, (1 − done) ⊙ c. */
  maskState(state: LstmState, keep: ArrayLike<number>): LstmState {
    return { h: scaleRows(state.h, keep), c: scaleRows(state.c, keep) };
  }
}
