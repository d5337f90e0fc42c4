// All differentiable operations.
export { add, sub, mul, scale, scaleRows, addRowVector, square, sigmoid, tanh, relu, exp, log } from './elementwise.ts';
export { matmul, matmulTransposed, transpose, linear } from './linear-algebra.ts';
export { concatColumns, sliceColumns, concatRows, sliceRows } from './structure.ts';
export { sum, mean, gatherColumns } from './reduce.ts';
export { softmax, logSoftmax } from './softmax.ts';
export { layerNorm } from './layer-norm.ts';
export { causalMask, attendCached, MASKED_SCORE } from './attention.ts';
export { linearAttention } from './linear-attention.ts';
export { lstmCell, gruCell, type LstmState } from './recurrent.ts';
export { plasticRnnCell, PLASTICITY_MODES, type PlasticityMode, type PlasticWeights, type PlasticStepOutput } from './plastic.ts';
