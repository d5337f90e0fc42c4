// A free list of Float64Arrays by length. Allocating fresh typed arrays at every time step costs
// more than the arithmetic: each step of a batch-32, 48-unit LSTM would take ~100 KB of new memory,
// which glibc returns to the OS after each garbage collection and then page-faults back in
// (measured: +135 µs per step, half again the kernels' time). Buffers that only the tape can reach
// (values saved for a backward pass, gradients of intermediate tensors) are taken from here and
// given back when the tape is cleared, so a training loop reuses the same memory every update.
// Tensors handed to the caller are never pooled.

const freeLists = new Map<number, Float64Array[]>();
let pooledValues = 0;
/** At most this many float64 values (64 MB) wait in the pool; the rest is left to the GC. */
const MAX_POOLED_VALUES = 8 * 1024 * 1024;

/** A buffer of `length` values with unspecified contents. */
export function acquire(length: number): Float64Array {
  const list = freeLists.get(length);
  if (list !== undefined && list.length > 0) {
    pooledValues -= length;
    return list.pop()!;
  }
  return new Float64Array(length);
}

/** A zero-filled buffer of `length` values. */
export function acquireZeroed(length: number): Float64Array {
  const list = freeLists.get(length);
  if (list !== undefined && list.length > 0) {
    pooledValues -= length;
    return list.pop()!.fill(0);
  }
  return new Float64Array(length);
}

/** Gives a buffer back; the caller must hold no other reference to it. */
export function release(buffer: Float64Array): void {
  const length = buffer.length;
  if (length === 0 || pooledValues + length > MAX_POOLED_VALUES) return;
  let list = freeLists.get(length);
  if (list === undefined) {
    list = [];
    freeLists.set(length, list);
  }
  list.push(buffer);
  pooledValues += length;
}

/** Empties the pool (for tests and memory-sensitive callers). */
export function drainPool(): void {
  freeLists.clear();
  pooledValues = 0;
}
