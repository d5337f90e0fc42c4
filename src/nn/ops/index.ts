// All differentiable operations.

export { attendCached, causalMask, MASKED_SCORE } from './attention.ts';
export { add, addRowVector, exp, log, mul, relu, scale, scaleRows, sigmoid, square, sub, tanh } from './elementwise.ts';
export { layerNorm } from './layer-norm.ts';
export { linear, matmul, matmulTransposed, transpose } from './linear-algebra.ts';
export { linearAttention } from './linear-attention.ts';
export {
  PLASTICITY_MODES,
  type PlasticityMode,
  type PlasticStepOutput,
  type PlasticWeights,
  plasticRnnCell,
} from './plastic.ts';
export { gruCell, type LstmState, lstmCell } from './recurrent.ts';
export { gatherColumns, mean, sum } from './reduce.ts';
export { logSoftmax, softmax } from './softmax.ts';
export { restingState, type SpikingConstants, type SpikingState, spikingStep } from './spiking.ts';
export { concatColumns, concatRows, sliceColumns, sliceRows } from './structure.ts';
