// engram's WebAssembly kernels (AssemblyScript, built by `npm run build:wasm` into ../kernels.wasm).
// The JavaScript side (src/nn/kernels-wasm.ts) copies operands into linear memory above the heap
// base, calls a kernel with their byte offsets, and copies the results out.
export { attendBackward, attendForward } from './attention';
export { gemm, gemmNT, gemmTN } from './gemm';
export { exp, mapMath, sigmoid, tanh } from './math';
export { plasticForward } from './plastic';
export { plasticBackward } from './plastic-backward';
export {
  addColumnSums,
  broadcastRows,
  gruBackward,
  gruBackwardActivations,
  gruForward,
  gruForwardActivations,
  lstmBackward,
  lstmBackwardActivations,
  lstmForward,
  lstmForwardActivations,
} from './recurrent';

/** The first byte free for operands: everything below belongs to the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
