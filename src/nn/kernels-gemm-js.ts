// The matrix products and row broadcasts of the JavaScript kernels (re-exported by kernels-js.ts,
// which has the rest). They work on flat row-major Float64Arrays, allocate nothing, take their
// output buffer from the caller, and keep every inner loop running over contiguous memory with row
// offsets hoisted out of it. The reduction dimension is unrolled by four: each pass over an output
// row then does eight flops per load-and-store of the output instead of two (unrolling by eight was
// slower: register pressure).

/** C[m×n] = A[m×k]·B[k×n], or C += A·B when `accumulate`. */
export function gemm(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  m: number,
  k: number,
  n: number,
  accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  const k4 = k - (k & 3);
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    const cRow = i * n;
    let p = 0;
    for (; p < k4; p += 4) {
      const a0 = a[aRow + p];
      const a1 = a[aRow + p + 1];
      const a2 = a[aRow + p + 2];
      const a3 = a[aRow + p + 3];
      const b0 = p * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) {
        c[cRow + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
      }
    }
    for (; p < k; p++) {
      const a0 = a[aRow + p];
      const b0 = p * n;
      for (let j = 0; j < n; j++) c[cRow + j] += a0 * b[b0 + j];
    }
  }
}

/**
 * C[m×n] = A[m×k]·B[n×k]ᵀ, or C += A·Bᵀ when `accumulate` (rows of A dotted with rows of B).
 * Blocked two rows of A by four rows of B: each step of the dot products loads six values for
 * eight multiply-adds (measured 3.3 vs 2.1 GFLOP/s for one row by four at the LSTM's shapes).
 */
export function gemmNT(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  m: number,
  k: number,
  n: number,
  accumulate: boolean,
): void {
  const n4 = n - (n & 3);
  const m2 = m - (m & 1);
  let i = 0;
  for (; i < m2; i += 2) {
    const a0 = i * k;
    const a1 = a0 + k;
    const c0 = i * n;
    const c1 = c0 + n;
    let j = 0;
    for (; j < n4; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p];
        const x1 = a[a1 + p];
        const y0 = b[b0 + p];
        const y1 = b[b1 + p];
        const y2 = b[b2 + p];
        const y3 = b[b3 + p];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      if (accumulate) {
        c[c0 + j] += s00;
        c[c0 + j + 1] += s01;
        c[c0 + j + 2] += s02;
        c[c0 + j + 3] += s03;
        c[c1 + j] += s10;
        c[c1 + j + 1] += s11;
        c[c1 + j + 2] += s12;
        c[c1 + j + 3] += s13;
      } else {
        c[c0 + j] = s00;
        c[c0 + j + 1] = s01;
        c[c0 + j + 2] = s02;
        c[c0 + j + 3] = s03;
        c[c1 + j] = s10;
        c[c1 + j + 1] = s11;
        c[c1 + j + 2] = s12;
        c[c1 + j + 3] = s13;
      }
    }
    for (; j < n; j++) {
      const b0 = j * k;
      let s0 = 0;
      let s1 = 0;
      for (let p = 0; p < k; p++) {
        s0 += a[a0 + p] * b[b0 + p];
        s1 += a[a1 + p] * b[b0 + p];
      }
      c[c0 + j] = accumulate ? c[c0 + j] + s0 : s0;
      c[c1 + j] = accumulate ? c[c1 + j] + s1 : s1;
    }
  }
  // The odd last row of A, if any.
  if (i < m) {
    const a0 = i * k;
    const c0 = i * n;
    for (let j = 0; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p] * b[b0 + p];
      c[c0 + j] = accumulate ? c[c0 + j] + s : s;
    }
  }
}

/** C[m×n] = A[k×m]ᵀ·B[k×n], or C += Aᵀ·B when `accumulate` (weight gradients: inputsᵀ · output gradients). */
export function gemmTN(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  m: number,
  k: number,
  n: number,
  accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  const k4 = k - (k & 3);
  let p = 0;
  for (; p < k4; p += 4) {
    const a0 = p * m;
    const a1 = a0 + m;
    const a2 = a1 + m;
    const a3 = a2 + m;
    const b0 = p * n;
    const b1 = b0 + n;
    const b2 = b1 + n;
    const b3 = b2 + n;
    for (let i = 0; i < m; i++) {
      const x0 = a[a0 + i];
      const x1 = a[a1 + i];
      const x2 = a[a2 + i];
      const x3 = a[a3 + i];
      const cRow = i * n;
      for (let j = 0; j < n; j++) {
        c[cRow + j] += x0 * b[b0 + j] + x1 * b[b1 + j] + x2 * b[b2 + j] + x3 * b[b3 + j];
      }
    }
  }
  for (; p < k; p++) {
    const a0 = p * m;
    const b0 = p * n;
    for (let i = 0; i < m; i++) {
      const x0 = a[a0 + i];
      const cRow = i * n;
      for (let j = 0; j < n; j++) c[cRow + j] += x0 * b[b0 + j];
    }
  }
}

/** out[j] += Σ_i g[i, j]: the gradient of a row vector that was broadcast over m rows. */
export function addColumnSums(g: Float64Array, out: Float64Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) out[j] += g[row + j];
  }
}

/** Fills each of the m rows of `out` (m×n) with the row vector `row`. */
export function broadcastRows(row: Float64Array, out: Float64Array, m: number, n: number): void {
  for (let i = 0; i < m; i++) out.set(row, i * n);
}
