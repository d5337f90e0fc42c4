// Comparing the WebAssembly kernels with the JavaScript ones: random operands, bitwise equality, and
// a runner that gives both implementations copies of the same output buffers.
import { expect } from 'vitest';
import type { Rng } from '../../src/core/rng.ts';
import * as js from '../../src/nn/kernels-js.ts';
import { wasmKernels } from '../../src/nn/kernels-wasm.ts';

/** The WebAssembly kernels, one instance for the tests of a file. */
export const wasm = wasmKernels();

export function random(rng: Rng, n: number, scale = 1): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniformRange(-scale, scale);
  return x;
}

/** Bitwise equality (so −0 and 0, and NaN payloads, count). */
export function same(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}

/**
 * Bitwise equality, except that any NaN equals any NaN: JavaScript does not say which NaN an
 * operation on two different NaNs returns, and V8 does not always pick the same operand as
 * WebAssembly does (the processor returns its first operand's).
 */
export function sameUpToNaN(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  return a.every((v, i) => (Number.isNaN(v) ? Number.isNaN(b[i]) : same(a.subarray(i, i + 1), b.subarray(i, i + 1))));
}

/** Runs `kernel` of both implementations on copies of `outputs`; the outputs must end equal (bitwise by default). */
export function expectSame(
  label: string,
  outputs: Float64Array[],
  run: (k: js.Kernels, out: Float64Array[]) => void,
  equal: (a: Float64Array, b: Float64Array) => boolean = same,
): void {
  const a = outputs.map((o) => o.slice());
  const b = outputs.map((o) => o.slice());
  run(js, a);
  run(wasm, b);
  for (const [i, o] of a.entries()) expect(equal(o, b[i]), `${label}: output ${i}`).toBe(true);
}
