// engram's network engine: tensors on flat Float64Arrays (viewed as ml-matrix matrices), a
// reverse-mode autodiff tape, layers, Adam, clipping and gradient checking.

export { Adam, type AdamOptions, type AdamState } from './adam.ts';
export { builtinGradchecks, formatGradchecks, GRADCHECK_TOLERANCE, runBuiltinGradchecks } from './checks.ts';
export { clipGradNorm } from './clip.ts';
export { type GradcheckCase, type GradcheckOptions, type GradcheckResult, gradcheck } from './gradcheck.ts';
export { constantParameter, glorotBound, uniformParameter } from './init.ts';
export * as kernels from './kernels.ts';
export { KeyValueCache, MultiHeadSelfAttention, type SelfAttentionOptions } from './layers/attention.ts';
export { GruCell, type GruCellOptions } from './layers/gru.ts';
export { LayerNorm, type LayerNormOptions } from './layers/layer-norm.ts';
export { Linear, type LinearOptions } from './layers/linear.ts';
export { LinearSelfAttention, type LinearSelfAttentionOptions } from './layers/linear-attention.ts';
export { LstmCell, type LstmCellOptions } from './layers/lstm.ts';
export { type Activation, Mlp, type MlpOptions } from './layers/mlp.ts';
export {
  sinusoidalPositions,
  TransformerBlock,
  type TransformerBlockOptions,
  transformerBlocks,
} from './layers/transformer.ts';
export {
  decodeValues,
  encodeValues,
  hashParameters,
  loadParameters,
  Module,
  parametersToJSON,
  type SerializedParameters,
  type SerializedTensor,
  tensorToJSON,
  zeroGrad,
} from './module.ts';
export * from './ops/index.ts';
// For new operations outside src/nn: record a node and run the NaN check as the built-in ops do.
export {
  currentTape,
  finishOp,
  finishUnaryOp,
  isCheckingNumerics,
  noGrad,
  recording,
  recordingAny,
  savedBuffer,
  setCheckNumerics,
  Tape,
  type TapeNode,
  withCheckNumerics,
} from './tape.ts';
export { Tensor } from './tensor.ts';
