// Fused recurrent cell steps: one tape node per LSTM or GRU step instead of a dozen elementwise
// nodes, with the gate arithmetic in src/nn/kernels.ts. Weights are laid out input × gates
// (x·W, the transpose of PyTorch's weight_ih) so the forward product runs along contiguous rows.

import { gruBackward, gruForward, lstmBackward, lstmForward } from '../kernels.ts';
import { finishOp, recordingAny, savedBuffer } from '../tape.ts';
import { Tensor } from '../tensor.ts';

// Scratch buffers: gate gradients live only inside one backward call, and gate activations in
// inference mode only inside one forward call, so both can reuse one growing buffer each.
let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);
function scratch(which: 'a' | 'b', length: number): Float64Array {
  if (which === 'a') {
    if (scratchA.length < length) scratchA = new Float64Array(length);
    return scratchA.subarray(0, length);
  }
  if (scratchB.length < length) scratchB = new Float64Array(length);
  return scratchB.subarray(0, length);
}

/** The new state of a recurrent cell. */
export interface LstmState {
  h: Tensor;
  c: Tensor;
}

/**
 * One LSTM step for a batch: x (B×I), h and c (B×H), weightInput (I×4H), weightHidden (H×4H),
 * bias (1×4H), gates in PyTorch's order i, f, g, o.
 */
export function lstmCell(
  x: Tensor,
  h: Tensor,
  c: Tensor,
  weightInput: Tensor,
  weightHidden: Tensor,
  bias: Tensor,
): LstmState {
  const batch = x.rows;
  const inputSize = x.cols;
  const hidden = h.cols;
  const h4 = 4 * hidden;
  if (weightInput.rows !== inputSize || weightInput.cols !== h4)
    throw new Error(
      `lstmCell: shapes ${x.shape} and ${weightInput.shape} do not match (input weight must be ${inputSize}x${h4})`,
    );
  if (h.rows !== batch) throw new Error(`lstmCell: shapes ${x.shape} and ${h.shape} do not match (batch sizes differ)`);
  if (c.rows !== batch || c.cols !== hidden)
    throw new Error(`lstmCell: shapes ${h.shape} and ${c.shape} do not match (h and c)`);
  if (weightHidden.rows !== hidden || weightHidden.cols !== h4)
    throw new Error(
      `lstmCell: shapes ${h.shape} and ${weightHidden.shape} do not match (hidden weight must be ${hidden}x${h4})`,
    );
  if (bias.rows !== 1 || bias.cols !== h4)
    throw new Error(`lstmCell: shapes ${weightHidden.shape} and ${bias.shape} do not match (bias must be 1x${h4})`);

  const inputs = [x, h, c, weightInput, weightHidden, bias];
  const record = recordingAny(inputs);
  const gates = record ? savedBuffer(batch * h4) : scratch('a', batch * h4);
  const tanhC = record ? savedBuffer(batch * hidden) : scratch('b', batch * hidden);
  const hOut = new Tensor(batch, hidden);
  const cOut = new Tensor(batch, hidden);
  lstmForward(
    x.data,
    h.data,
    c.data,
    weightInput.data,
    weightHidden.data,
    bias.data,
    gates,
    tanhC,
    hOut.data,
    cOut.data,
    batch,
    inputSize,
    hidden,
  );
  finishOp(
    'lstmCell',
    inputs,
    [hOut, cOut],
    record
      ? () =>
          lstmBackward(
            hOut.grad,
            cOut.grad,
            gates,
            tanhC,
            x.data,
            h.data,
            c.data,
            weightInput.data,
            weightHidden.data,
            scratch('a', batch * h4),
            {
              x: x.requiresGrad ? x.gradBuffer() : null,
              h: h.requiresGrad ? h.gradBuffer() : null,
              c: c.requiresGrad ? c.gradBuffer() : null,
              wx: weightInput.requiresGrad ? weightInput.gradBuffer() : null,
              wh: weightHidden.requiresGrad ? weightHidden.gradBuffer() : null,
              bias: bias.requiresGrad ? bias.gradBuffer() : null,
              biasHidden: null,
            },
            batch,
            inputSize,
            hidden,
          )
      : null,
  );
  return { h: hOut, c: cOut };
}

/**
 * One GRU step for a batch: x (B×I), h (B×H), weightInput (I×3H), weightHidden (H×3H), and the two
 * biases (1×3H) that PyTorch's formulation needs because r multiplies h·W_hn + b_hn. Gate order r, z, n.
 */
export function gruCell(
  x: Tensor,
  h: Tensor,
  weightInput: Tensor,
  weightHidden: Tensor,
  biasInput: Tensor,
  biasHidden: Tensor,
): Tensor {
  const batch = x.rows;
  const inputSize = x.cols;
  const hidden = h.cols;
  const h3 = 3 * hidden;
  if (weightInput.rows !== inputSize || weightInput.cols !== h3)
    throw new Error(
      `gruCell: shapes ${x.shape} and ${weightInput.shape} do not match (input weight must be ${inputSize}x${h3})`,
    );
  if (h.rows !== batch) throw new Error(`gruCell: shapes ${x.shape} and ${h.shape} do not match (batch sizes differ)`);
  if (weightHidden.rows !== hidden || weightHidden.cols !== h3)
    throw new Error(
      `gruCell: shapes ${h.shape} and ${weightHidden.shape} do not match (hidden weight must be ${hidden}x${h3})`,
    );
  if (biasInput.rows !== 1 || biasInput.cols !== h3)
    throw new Error(
      `gruCell: shapes ${weightInput.shape} and ${biasInput.shape} do not match (input bias must be 1x${h3})`,
    );
  if (biasHidden.rows !== 1 || biasHidden.cols !== h3)
    throw new Error(
      `gruCell: shapes ${weightHidden.shape} and ${biasHidden.shape} do not match (hidden bias must be 1x${h3})`,
    );

  const inputs = [x, h, weightInput, weightHidden, biasInput, biasHidden];
  const record = recordingAny(inputs);
  const gi = record ? savedBuffer(batch * h3) : scratch('a', batch * h3);
  const gh = record ? savedBuffer(batch * h3) : scratch('b', batch * h3);
  const hOut = new Tensor(batch, hidden);
  gruForward(
    x.data,
    h.data,
    weightInput.data,
    weightHidden.data,
    biasInput.data,
    biasHidden.data,
    gi,
    gh,
    hOut.data,
    batch,
    inputSize,
    hidden,
  );
  finishOp(
    'gruCell',
    inputs,
    [hOut],
    record
      ? () =>
          gruBackward(
            hOut.grad!,
            gi,
            gh,
            x.data,
            h.data,
            weightInput.data,
            weightHidden.data,
            scratch('a', batch * h3),
            scratch('b', batch * h3),
            {
              x: x.requiresGrad ? x.gradBuffer() : null,
              h: h.requiresGrad ? h.gradBuffer() : null,
              c: null,
              wx: weightInput.requiresGrad ? weightInput.gradBuffer() : null,
              wh: weightHidden.requiresGrad ? weightHidden.gradBuffer() : null,
              bias: biasInput.requiresGrad ? biasInput.gradBuffer() : null,
              biasHidden: biasHidden.requiresGrad ? biasHidden.gradBuffer() : null,
            },
            batch,
            inputSize,
            hidden,
          )
      : null,
  );
  return hOut;
}
