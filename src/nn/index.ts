// engram's network engine: tensors on flat Float64Arrays (viewed as ml-matrix matrices), a
// reverse-mode autodiff tape, layers, Adam, clipping and gradient checking.
export { Tensor } from './tensor.ts';
export { Tape, noGrad, currentTape, setCheckNumerics, isCheckingNumerics, withCheckNumerics, type TapeNode } from './tape.ts';
// For new operations outside src/nn: record a node and run the NaN check as the built-in ops do.
export { finishOp, recording, recordingAny, savedBuffer } from './tape.ts';
export * from './ops/index.ts';
export {
  Module,
  zeroGrad,
  parametersToJSON,
  loadParameters,
  hashParameters,
  tensorToJSON,
  encodeValues,
  decodeValues,
  type SerializedTensor,
  type SerializedParameters,
} from './module.ts';
export { uniformParameter, constantParameter, glorotBound } from './init.ts';
export { Linear, type LinearOptions } from './layers/linear.ts';
export { LstmCell, type LstmCellOptions } from './layers/lstm.ts';
export { GruCell, type GruCellOptions } from './layers/gru.ts';
export { LayerNorm, type LayerNormOptions } from './layers/layer-norm.ts';
export { Mlp, type MlpOptions, type Activation } from './layers/mlp.ts';
export { MultiHeadSelfAttention, KeyValueCache, type SelfAttentionOptions } from './layers/attention.ts';
export { TransformerBlock, sinusoidalPositions, type TransformerBlockOptions } from './layers/transformer.ts';
export { LinearSelfAttention, type LinearSelfAttentionOptions } from './layers/linear-attention.ts';
export { Adam, type AdamOptions, type AdamState } from './adam.ts';
export { clipGradNorm } from './clip.ts';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './gradcheck.ts';
export { builtinGradchecks, runBuiltinGradchecks, formatGradchecks, GRADCHECK_TOLERANCE, type GradcheckCase } from './checks.ts';
export * as kernels from './kernels.ts';
