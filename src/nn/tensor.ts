// A tensor is a 2-D array of float64 kept in one flat, row-major Float64Array. The hot kernels
// (src/nn/kernels.ts) read and write these buffers directly; ml-matrix sees the same memory through
// a WrapperMatrix1D view, so inspection, analysis and tests can use ml-matrix without a copy.
// Everything in engram's networks is 2-D: a batch of vectors is batch × features.
import { type AbstractMatrix, Matrix, WrapperMatrix1D } from 'ml-matrix';
import { acquireZeroed } from './pool.ts';

export class Tensor {
  readonly rows: number;
  readonly cols: number;
  /** The values, row-major: element (i, j) is data[i * cols + j]. */
  readonly data: Float64Array;
  /**
   * The gradient of the last backward pass (same layout as `data`), or null before any gradient
   * reached this tensor. Gradients accumulate across backward passes until `zeroGrad`.
   */
  grad: Float64Array | null = null;
  /** True for parameters, and for results of recorded operations on tensors that require gradients. */
  requiresGrad: boolean;

  constructor(rows: number, cols: number, data?: Float64Array, requiresGrad = false) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new Error(`Tensor: shape must be two non-negative integers, got ${rows}x${cols}`);
    }
    if (data !== undefined && data.length !== rows * cols) {
      throw new Error(`Tensor: shape ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(rows * cols);
    this.requiresGrad = requiresGrad;
  }

  /** A zero-filled tensor. */
  static zeros(rows: number, cols: number, requiresGrad = false): Tensor {
    return new Tensor(rows, cols, undefined, requiresGrad);
  }

  /** A tensor filled with `value`. */
  static full(rows: number, cols: number, value: number, requiresGrad = false): Tensor {
    const t = new Tensor(rows, cols, undefined, requiresGrad);
    t.data.fill(value);
    return t;
  }

  /** A tensor from nested arrays (rows of equal length); the values are copied. */
  static from(values: ArrayLike<ArrayLike<number>>, requiresGrad = false): Tensor {
    const rows = values.length;
    const cols = rows === 0 ? 0 : values[0].length;
    const t = new Tensor(rows, cols, undefined, requiresGrad);
    for (let i = 0; i < rows; i++) {
      const row = values[i];
      if (row.length !== cols) throw new Error(`Tensor.from: row ${i} has ${row.length} values, expected ${cols}`);
      for (let j = 0; j < cols; j++) t.data[i * cols + j] = row[j];
    }
    return t;
  }

  /** A tensor from any ml-matrix matrix; the values are copied. */
  static fromMatrix(matrix: AbstractMatrix, requiresGrad = false): Tensor {
    const t = new Tensor(matrix.rows, matrix.columns, undefined, requiresGrad);
    for (let i = 0; i < matrix.rows; i++) {
      for (let j = 0; j < matrix.columns; j++) t.data[i * matrix.columns + j] = matrix.get(i, j);
    }
    return t;
  }

  /** A 1×1 tensor. */
  static scalar(value: number, requiresGrad = false): Tensor {
    return new Tensor(1, 1, Float64Array.of(value), requiresGrad);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The shape as `rows x cols`, the form error messages use. */
  get shape(): string {
    return `${this.rows}x${this.cols}`;
  }

  /** An ml-matrix view of the values (no copy: writing through it writes the tensor). */
  get matrix(): AbstractMatrix {
    return viewAsMatrix(this.data, this.rows, this.cols);
  }

  /** An ml-matrix view of the gradient, or null if there is none. */
  get gradMatrix(): AbstractMatrix | null {
    return this.grad === null ? null : viewAsMatrix(this.grad, this.rows, this.cols);
  }

  /** Element (i, j). */
  get(i: number, j: number): number {
    if (i < 0 || i >= this.rows || j < 0 || j >= this.cols)
      throw new Error(`Tensor.get: (${i}, ${j}) is outside ${this.shape}`);
    return this.data[i * this.cols + j];
  }

  /** The single value of a 1×1 tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`Tensor.item: expected a 1x1 tensor, got ${this.shape}`);
    return this.data[0];
  }

  /** The values as nested arrays (a copy). */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  /** A copy that does not require gradients and is not connected to any tape. */
  detach(): Tensor {
    return new Tensor(this.rows, this.cols, this.data.slice());
  }

  /** The gradient buffer, allocated (zero) on first use; backward passes accumulate into it. */
  gradBuffer(): Float64Array {
    if (this.grad === null) this.grad = acquireZeroed(this.data.length);
    return this.grad;
  }

  /** Forget the gradient (the next backward pass starts from zero). */
  zeroGrad(): void {
    if (this.grad !== null) this.grad.fill(0);
  }
}

function viewAsMatrix(data: Float64Array, rows: number, cols: number): AbstractMatrix {
  // WrapperMatrix1D derives the column count by dividing by the row count, which a 0-row or
  // 0-column shape cannot express; an empty Matrix has no memory to share anyway.
  if (rows === 0 || cols === 0) return new Matrix(rows, cols);
  return new WrapperMatrix1D(data, { rows });
}
