// The kernels the network engine runs on: the WebAssembly ones (kernels-wasm.ts) by default, the
// JavaScript ones (kernels-js.ts) with ENGRAM_KERNELS=js. Both give the same numbers, bit for bit
// (tests/nn/kernels-wasm.test.ts). The choice is made once per thread, from the environment, and
// can be changed with selectKernels (tests, benchmarks).
import { UsageError } from '../core/errors.ts';
import * as js from './kernels-js.ts';
import { wasmKernels } from './kernels-wasm.ts';

export type KernelsName = 'js' | 'wasm';
export const KERNELS_NAMES: readonly KernelsName[] = ['js', 'wasm'];

let wasm: js.Kernels | null = null;
let active: js.Kernels = js;
let activeName: KernelsName = 'js';

/** Switches every kernel to the `name` implementation. */
export function selectKernels(name: KernelsName): void {
  if (name === 'wasm') {
    wasm ??= wasmKernels();
    active = wasm;
  } else active = js;
  activeName = name;
}

/** The implementation in use. */
export function activeKernels(): KernelsName {
  return activeName;
}

/** The implementation ENGRAM_KERNELS asks for (default wasm); anything else is a UsageError. */
export function kernelsFromEnvironment(value = process.env.ENGRAM_KERNELS): KernelsName {
  if (value === undefined || value === '') return 'wasm';
  if ((KERNELS_NAMES as readonly string[]).includes(value)) return value as KernelsName;
  throw new UsageError(`ENGRAM_KERNELS must be js or wasm, got '${value}'`);
}

try {
  selectKernels(kernelsFromEnvironment());
} catch {
  // A bad ENGRAM_KERNELS: the command line reports it (checkKernelsEnvironment); until then, JavaScript.
}

/** Throws the UsageError of a bad ENGRAM_KERNELS (the command line calls it before anything runs). */
export function checkKernelsEnvironment(): void {
  kernelsFromEnvironment();
}

export const gemm: typeof js.gemm = (a, b, c, m, k, n, accumulate) => active.gemm(a, b, c, m, k, n, accumulate);
export const gemmNT: typeof js.gemmNT = (a, b, c, m, k, n, accumulate) => active.gemmNT(a, b, c, m, k, n, accumulate);
export const gemmTN: typeof js.gemmTN = (a, b, c, m, k, n, accumulate) => active.gemmTN(a, b, c, m, k, n, accumulate);
export const addColumnSums: typeof js.addColumnSums = (g, out, m, n) => active.addColumnSums(g, out, m, n);
export const broadcastRows: typeof js.broadcastRows = (row, out, m, n) => active.broadcastRows(row, out, m, n);
export const lstmForwardActivations: typeof js.lstmForwardActivations = (...args) =>
  active.lstmForwardActivations(...args);
export const lstmBackwardActivations: typeof js.lstmBackwardActivations = (...args) =>
  active.lstmBackwardActivations(...args);
export const gruForwardActivations: typeof js.gruForwardActivations = (...args) =>
  active.gruForwardActivations(...args);
export const gruBackwardActivations: typeof js.gruBackwardActivations = (...args) =>
  active.gruBackwardActivations(...args);
export const lstmForward: typeof js.lstmForward = (...args) => active.lstmForward(...args);
export const lstmBackward: typeof js.lstmBackward = (...args) => active.lstmBackward(...args);
export const gruForward: typeof js.gruForward = (...args) => active.gruForward(...args);
export const gruBackward: typeof js.gruBackward = (...args) => active.gruBackward(...args);
export const attendForward: typeof js.attendForward = (...args) => active.attendForward(...args);
export const attendBackward: typeof js.attendBackward = (...args) => active.attendBackward(...args);
export const plasticForward: typeof js.plasticForward = (step) => active.plasticForward(step);
export const plasticBackward: typeof js.plasticBackward = (step, grads, stopModulatorGradient) =>
  active.plasticBackward(step, grads, stopModulatorGradient);
export type {
  AttentionShape,
  CellGradients,
  Kernels,
  PlasticGradients,
  PlasticityMode,
  PlasticStep,
} from './kernels-js.ts';
export const softmaxRow: typeof js.softmaxRow = (...args) => active.softmaxRow(...args);
export const softmaxRows: typeof js.softmaxRows = (...args) => active.softmaxRows(...args);
