// Parameter initialisation. Every draw comes from the Rng handed in (never an unseeded global generator), so the
// same seed gives the same network. The default is PyTorch's for Linear, LSTM and GRU layers:
// uniform on ±1/√fan_in (for recurrent cells fan_in is the hidden size, as in PyTorch).
import type { Rng } from '../core/rng.ts';
import { Tensor } from './tensor.ts';

/** A parameter (requires gradients) with values uniform on [−bound, bound). */
export function uniformParameter(rows: number, cols: number, bound: number, rng: Rng): Tensor {
  const t = Tensor.zeros(rows, cols, true);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.uniformRange(-bound, bound);
  return t;
}

/** A parameter filled with a constant. */
export function constantParameter(rows: number, cols: number, value: number): Tensor {
  return Tensor.full(rows, cols, value, true);
}

/** Glorot & Bengio (2010) uniform bound √(6 / (fan_in + fan_out)), for the attention projections. */
export function glorotBound(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}
