// Shape checks shared by the operations. Nothing is broadcast or coerced silently: an operation
// either gets the shapes it documents or throws an Error naming itself and the shapes it got.
import type { Tensor } from '../tensor.ts';

/** Throws unless `a` and `b` have the same shape. */
export function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new Error(`${op}: shapes ${a.shape} and ${b.shape} do not match`);
}

/** Throws unless `row` is a 1×cols row vector matching `a`'s columns. */
export function rowVectorFor(op: string, a: Tensor, row: Tensor): void {
  if (row.rows !== 1 || row.cols !== a.cols) {
    throw new Error(`${op}: shapes ${a.shape} and ${row.shape} do not match (expected a 1x${a.cols} row vector)`);
  }
}
