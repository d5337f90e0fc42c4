// The JavaScript kernels (src/nn/js/): the reference that every WebAssembly kernel
// (kernels-wasm.ts) is tested against, and the kernels used when ENGRAM_KERNELS=js.
import type * as attention from './js/attention.ts';
import type * as matmul from './js/matmul.ts';
import type * as plastic from './js/plastic.ts';
import type * as recurrent from './js/recurrent.ts';
import type * as softmax from './js/softmax.ts';

export * from './js/attention.ts';
export * from './js/matmul.ts';
export * from './js/plastic.ts';
export * from './js/recurrent.ts';
export * from './js/softmax.ts';

/** Every kernel, as both implementations provide it (src/nn/kernels.ts chooses one). */
export type Kernels = typeof attention & typeof matmul & typeof plastic & typeof recurrent & typeof softmax;
