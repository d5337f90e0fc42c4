// Matrix products on f64x2 lanes. Every output element is computed with exactly the operations, in
// exactly the order, of its JavaScript twin in src/nn/js/matmul.ts: the lanes run across
// independent output columns, never along a dot product, and WebAssembly has no fused
// multiply-add, so each product and sum is rounded as JavaScript rounds it. Pointers are byte
// offsets into linear memory; matrices are row-major float64.

/** C[m×n] = A[m×k]·B[k×n], or C += A·B: c[i][j] += ((a0·b0j + a1·b1j) + a2·b2j) + a3·b3j over p in fours. */
export function gemm(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool): void {
  if (!accumulate) memory.fill(c, 0, (<usize>(m * n)) << 3);
  productInto(a, (<usize>k) << 3, 8, b, c, m, k, n);
}

/** C[m×n] = A[k×m]ᵀ·B[k×n], or C += Aᵀ·B, p in fours as in gemm. */
export function gemmTN(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool): void {
  if (!accumulate) memory.fill(c, 0, (<usize>(m * n)) << 3);
  productInto(a, 8, (<usize>m) << 3, b, c, m, k, n);
}

/**
 * C[m×n] += A·B where element (i, p) of A is at a + i·rowA + p·colA (bytes): row-major A for gemm,
 * transposed for gemmTN. For each c[i][j], the terms come in fours, ((a0·b0 + a1·b1) + a2·b2) + a3·b3,
 * each four added to c in p order, then the last k mod 4 terms one by one: the JavaScript order. The
 * sums run in registers over two rows of C by four columns, the terms of B shared by both rows.
 */
function productInto(a: usize, rowA: usize, colA: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const k4 = k - (k & 3);
  const rowB = (<usize>n) << 3;
  const n4 = n - (n & 3);
  const m2 = m - (m & 1);
  let i = 0;
  for (; i < m2; i += 2) {
    const a0 = a + <usize>i * rowA;
    const a1 = a0 + rowA;
    const c0 = c + ((<usize>(i * n)) << 3);
    const c1 = c0 + rowB;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = (<usize>j) << 3;
      let s0 = v128.load(c0 + o);
      let s1 = v128.load(c0 + o, 16);
      let t0 = v128.load(c1 + o);
      let t1 = v128.load(c1 + o, 16);
      let pb = b + o;
      let p0 = a0;
      let p1 = a1;
      let p = 0;
      for (; p < k4; p += 4) {
        let y0 = v128.load(pb);
        let y1 = v128.load(pb, 16);
        let x = v128.load64_splat(p0);
        let w = v128.load64_splat(p1);
        let g0 = f64x2.mul(x, y0);
        let g1 = f64x2.mul(x, y1);
        let h0 = f64x2.mul(w, y0);
        let h1 = f64x2.mul(w, y1);
        // The other three terms of the four (a loop: measured faster than writing them out).
        for (let q = 1; q < 4; q++) {
          pb += rowB;
          p0 += colA;
          p1 += colA;
          y0 = v128.load(pb);
          y1 = v128.load(pb, 16);
          x = v128.load64_splat(p0);
          w = v128.load64_splat(p1);
          g0 = f64x2.add(g0, f64x2.mul(x, y0));
          g1 = f64x2.add(g1, f64x2.mul(x, y1));
          h0 = f64x2.add(h0, f64x2.mul(w, y0));
          h1 = f64x2.add(h1, f64x2.mul(w, y1));
        }
        pb += rowB;
        p0 += colA;
        p1 += colA;
        s0 = f64x2.add(s0, g0);
        s1 = f64x2.add(s1, g1);
        t0 = f64x2.add(t0, h0);
        t1 = f64x2.add(t1, h1);
      }
      for (; p < k; p++) {
        const y0 = v128.load(pb);
        const y1 = v128.load(pb, 16);
        const x = v128.load64_splat(p0);
        const w = v128.load64_splat(p1);
        s0 = f64x2.add(s0, f64x2.mul(x, y0));
        s1 = f64x2.add(s1, f64x2.mul(x, y1));
        t0 = f64x2.add(t0, f64x2.mul(w, y0));
        t1 = f64x2.add(t1, f64x2.mul(w, y1));
        pb += rowB;
        p0 += colA;
        p1 += colA;
      }
      v128.store(c0 + o, s0);
      v128.store(c0 + o, s1, 16);
      v128.store(c1 + o, t0);
      v128.store(c1 + o, t1, 16);
    }
    for (; j < n; j++) {
      columnInto(a0, colA, b + ((<usize>j) << 3), rowB, c0 + ((<usize>j) << 3), k);
      columnInto(a1, colA, b + ((<usize>j) << 3), rowB, c1 + ((<usize>j) << 3), k);
    }
  }
  if (i < m) {
    const a0 = a + <usize>i * rowA;
    const c0 = c + ((<usize>(i * n)) << 3);
    const n2 = n - (n & 1);
    let j = 0;
    for (; j < n2; j += 2) {
      const o = (<usize>j) << 3;
      let acc = v128.load(c0 + o);
      let pb = b + o;
      let pa = a0;
      let p = 0;
      for (; p < k4; p += 4) {
        let g = f64x2.mul(v128.load64_splat(pa), v128.load(pb));
        for (let q = 1; q < 4; q++) {
          pb += rowB;
          pa += colA;
          g = f64x2.add(g, f64x2.mul(v128.load64_splat(pa), v128.load(pb)));
        }
        pb += rowB;
        pa += colA;
        acc = f64x2.add(acc, g);
      }
      for (; p < k; p++) {
        acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(pa), v128.load(pb)));
        pb += rowB;
        pa += colA;
      }
      v128.store(c0 + o, acc);
    }
    for (; j < n; j++) columnInto(a0, colA, b + ((<usize>j) << 3), rowB, c0 + ((<usize>j) << 3), k);
  }
}

/** One element c += Σ_p a[p]·b[p] in the order of productInto (a and b strided by colA and rowB bytes). */
function columnInto(a: usize, colA: usize, b: usize, rowB: usize, c: usize, k: i32): void {
  const k4 = k - (k & 3);
  let s = load<f64>(c);
  let pa = a;
  let pb = b;
  let p = 0;
  for (; p < k4; p += 4) {
    const g =
      load<f64>(pa) * load<f64>(pb) +
      load<f64>(pa + colA) * load<f64>(pb + rowB) +
      load<f64>(pa + 2 * colA) * load<f64>(pb + 2 * rowB) +
      load<f64>(pa + 3 * colA) * load<f64>(pb + 3 * rowB);
    s += g;
    pa += 4 * colA;
    pb += 4 * rowB;
  }
  for (; p < k; p++) {
    s += load<f64>(pa) * load<f64>(pb);
    pa += colA;
    pb += rowB;
  }
  store<f64>(c, s);
}

/**
 * C[m×n] = A[m×k]·B[n×k]ᵀ, or C += A·Bᵀ. JavaScript accumulates each dot product from 0 one term at
 * a time in p order, then stores or adds it; here B is first transposed into `scratch` (k×n), and
 * the sums of two rows of A by eight columns run in registers, term by term in the same order.
 */
export function gemmNT(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: bool, scratch: usize): void {
  // bt[p][j] = b[j][p]
  for (let j = 0; j < n; j++) {
    const bj = b + ((<usize>(j * k)) << 3);
    for (let p = 0; p < k; p++) store<f64>(scratch + ((<usize>(p * n + j)) << 3), load<f64>(bj + ((<usize>p) << 3)));
  }
  const rowT = (<usize>n) << 3;
  const m2 = m - (m & 1);
  const n8 = n - (n & 7);
  let i = 0;
  for (; i < m2; i += 2) {
    const a0 = a + ((<usize>(i * k)) << 3);
    const a1 = a0 + ((<usize>k) << 3);
    const c0 = c + ((<usize>(i * n)) << 3);
    const c1 = c0 + rowT;
    let j = 0;
    for (; j < n8; j += 8) {
      const o = (<usize>j) << 3;
      let s0 = f64x2.splat(0);
      let s1 = f64x2.splat(0);
      let s2 = f64x2.splat(0);
      let s3 = f64x2.splat(0);
      let t0 = f64x2.splat(0);
      let t1 = f64x2.splat(0);
      let t2 = f64x2.splat(0);
      let t3 = f64x2.splat(0);
      let bt = scratch + o;
      for (let p = 0; p < k; p++) {
        const x0 = v128.load64_splat(a0 + ((<usize>p) << 3));
        const x1 = v128.load64_splat(a1 + ((<usize>p) << 3));
        const y0 = v128.load(bt);
        const y1 = v128.load(bt, 16);
        const y2 = v128.load(bt, 32);
        const y3 = v128.load(bt, 48);
        s0 = f64x2.add(s0, f64x2.mul(x0, y0));
        s1 = f64x2.add(s1, f64x2.mul(x0, y1));
        s2 = f64x2.add(s2, f64x2.mul(x0, y2));
        s3 = f64x2.add(s3, f64x2.mul(x0, y3));
        t0 = f64x2.add(t0, f64x2.mul(x1, y0));
        t1 = f64x2.add(t1, f64x2.mul(x1, y1));
        t2 = f64x2.add(t2, f64x2.mul(x1, y2));
        t3 = f64x2.add(t3, f64x2.mul(x1, y3));
        bt += rowT;
      }
      if (accumulate) {
        s0 = f64x2.add(v128.load(c0 + o), s0);
        s1 = f64x2.add(v128.load(c0 + o, 16), s1);
        s2 = f64x2.add(v128.load(c0 + o, 32), s2);
        s3 = f64x2.add(v128.load(c0 + o, 48), s3);
        t0 = f64x2.add(v128.load(c1 + o), t0);
        t1 = f64x2.add(v128.load(c1 + o, 16), t1);
        t2 = f64x2.add(v128.load(c1 + o, 32), t2);
        t3 = f64x2.add(v128.load(c1 + o, 48), t3);
      }
      v128.store(c0 + o, s0);
      v128.store(c0 + o, s1, 16);
      v128.store(c0 + o, s2, 32);
      v128.store(c0 + o, s3, 48);
      v128.store(c1 + o, t0);
      v128.store(c1 + o, t1, 16);
      v128.store(c1 + o, t2, 32);
      v128.store(c1 + o, t3, 48);
    }
    for (; j < n; j++) {
      const bj = b + ((<usize>(j * k)) << 3);
      let s0: f64 = 0;
      let s1: f64 = 0;
      for (let p = 0; p < k; p++) {
        const y = load<f64>(bj + ((<usize>p) << 3));
        s0 += load<f64>(a0 + ((<usize>p) << 3)) * y;
        s1 += load<f64>(a1 + ((<usize>p) << 3)) * y;
      }
      const o = (<usize>j) << 3;
      store<f64>(c0 + o, accumulate ? load<f64>(c0 + o) + s0 : s0);
      store<f64>(c1 + o, accumulate ? load<f64>(c1 + o) + s1 : s1);
    }
  }
  if (i < m) {
    const a0 = a + ((<usize>(i * k)) << 3);
    const c0 = c + ((<usize>(i * n)) << 3);
    for (let j = 0; j < n; j++) {
      const bj = b + ((<usize>(j * k)) << 3);
      let s: f64 = 0;
      for (let p = 0; p < k; p++) s += load<f64>(a0 + ((<usize>p) << 3)) * load<f64>(bj + ((<usize>p) << 3));
      const o = (<usize>j) << 3;
      store<f64>(c0 + o, accumulate ? load<f64>(c0 + o) + s : s);
    }
  }
}
