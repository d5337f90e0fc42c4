// Analyses of recorded agent activity: what an agent's internal state encodes, and how two agents'
// states and choices compare. Cross-validated linear decoding of latent variables (ridge regression
// with folds by episode), principal components, linear CKA (Kornblith et al. 2019), representational
// similarity analysis (Kriegeskorte et al. 2008) and step-by-step agreement of choices and policies.
//
// The data are sample matrices: one row per (episode, step) of an evaluation, one column per unit of
// the agent's state (or per component of a latent variable), row-major in a Float64Array. Rows of one
// episode are not independent, so every interval here is over episodes or over disjoint sets of
// episodes, never over rows. Decompositions are ml-matrix's; the cross products around them are
// plain loops over the row-major buffers (no copy of the data into matrices).
import { EigenvalueDecomposition, WrapperMatrix1D } from 'ml-matrix';
import type { Rng } from '../core/rng.ts';
import { ci95, type Estimate, mean } from './stats.ts';

/** A sample matrix: `rows` samples × `cols` features, row-major (`data[r * cols + c]`). */
export interface Samples {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Which episode each row of a sample matrix belongs to, and its step index within the episode. */
export interface Groups {
  episode: Int32Array;
  step: Int32Array;
}

function checkSamples(fn: string, name: string, s: Samples): void {
  if (!Number.isInteger(s.rows) || !Number.isInteger(s.cols) || s.rows < 0 || s.cols < 0)
    throw new Error(`${fn}: ${name} has ${s.rows} × ${s.cols} entries (expected non-negative integers)`);
  if (s.data.length !== s.rows * s.cols)
    throw new Error(`${fn}: ${name} holds ${s.data.length} values, expected ${s.rows} × ${s.cols}`);
  for (let i = 0; i < s.data.length; i++)
    if (!Number.isFinite(s.data[i]))
      throw new Error(`${fn}: ${name} has a non-finite value at row ${Math.floor(i / s.cols)}`);
}

function checkSameRows(fn: string, x: Samples, y: Samples): void {
  if (x.rows !== y.rows) throw new Error(`${fn}: the two sample matrices have ${x.rows} and ${y.rows} rows`);
}

// --- Linear algebra on row-major buffers.

/** Eigenvalues (descending) and eigenvectors (column i of the row-major d × d `vectors`) of a symmetric matrix. */
interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array;
}

function symmetricEigen(matrix: Float64Array, d: number): SymmetricEigen {
  const values = new Float64Array(d);
  const vectors = new Float64Array(d * d);
  if (d === 0) return { values, vectors };
  const evd = new EigenvalueDecomposition(new WrapperMatrix1D(matrix, { rows: d }), { assumeSymmetric: true });
  const real = evd.realEigenvalues;
  const v = evd.eigenvectorMatrix;
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => real[b] - real[a]);
  for (let i = 0; i < d; i++) {
    const source = order[i];
    values[i] = real[source];
    for (let j = 0; j < d; j++) vectors[j * d + i] = v.get(j, source);
  }
  return { values, vectors };
}

/** XᵀX (d × d, full) of the rows of a row-major n × d buffer. */
function gramOfColumns(data: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(d * d);
  accumulateGram(out, data, d, allRows(n));
  mirrorUpper(out, d);
  return out;
}

/**
 * Adds Σ f fᵀ over the given rows of a row-major buffer to the upper triangle of `out` (d × d), four
 * rows at a time so that each entry of the sum is loaded and stored once per four rows.
 */
function accumulateGram(out: Float64Array, f: Float64Array, d: number, rows: ArrayLike<number>): void {
  let q = 0;
  for (; q + 4 <= rows.length; q += 4) {
    const o0 = rows[q] * d;
    const o1 = rows[q + 1] * d;
    const o2 = rows[q + 2] * d;
    const o3 = rows[q + 3] * d;
    for (let i = 0; i < d; i++) {
      const a0 = f[o0 + i];
      const a1 = f[o1 + i];
      const a2 = f[o2 + i];
      const a3 = f[o3 + i];
      const base = i * d;
      for (let j = i; j < d; j++) out[base + j] += a0 * f[o0 + j] + a1 * f[o1 + j] + a2 * f[o2 + j] + a3 * f[o3 + j];
    }
  }
  for (; q < rows.length; q++) {
    const o = rows[q] * d;
    for (let i = 0; i < d; i++) {
      const a = f[o + i];
      if (a === 0) continue;
      const base = i * d;
      for (let j = i; j < d; j++) out[base + j] += a * f[o + j];
    }
  }
}

function mirrorUpper(m: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) m[j * d + i] = m[i * d + j];
}

/** AᵀB (da × db) of row-major n × da and n × db buffers, four rows at a time (as {@link accumulateGram}). */
function crossProduct(a: Float64Array, da: number, b: Float64Array, db: number, n: number): Float64Array {
  const out = new Float64Array(da * db);
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    const [a0, a1, a2, a3] = [r * da, (r + 1) * da, (r + 2) * da, (r + 3) * da];
    const [b0, b1, b2, b3] = [r * db, (r + 1) * db, (r + 2) * db, (r + 3) * db];
    for (let i = 0; i < da; i++) {
      const x0 = a[a0 + i];
      const x1 = a[a1 + i];
      const x2 = a[a2 + i];
      const x3 = a[a3 + i];
      const base = i * db;
      for (let j = 0; j < db; j++) out[base + j] += x0 * b[b0 + j] + x1 * b[b1 + j] + x2 * b[b2 + j] + x3 * b[b3 + j];
    }
  }
  for (; r < n; r++) {
    for (let i = 0; i < da; i++) {
      const ai = a[r * da + i];
      if (ai === 0) continue;
      const base = i * db;
      for (let j = 0; j < db; j++) out[base + j] += ai * b[r * db + j];
    }
  }
  return out;
}

/** The rows `rows` of a sample matrix, with each column's mean (over those rows) subtracted. */
function centeredRows(x: Samples, rows: ArrayLike<number>): { data: Float64Array; mean: Float64Array } {
  const d = x.cols;
  const n = rows.length;
  const colMean = new Float64Array(d);
  for (let k = 0; k < n; k++) {
    const offset = rows[k] * d;
    for (let j = 0; j < d; j++) colMean[j] += x.data[offset + j];
  }
  for (let j = 0; j < d; j++) colMean[j] /= Math.max(1, n);
  const data = new Float64Array(n * d);
  for (let k = 0; k < n; k++) {
    const offset = rows[k] * d;
    for (let j = 0; j < d; j++) data[k * d + j] = x.data[offset + j] - colMean[j];
  }
  return { data, mean: colMean };
}

function allRows(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

// --- Principal components.

/**
 * The top `k` principal axes of centered data (n × d, row-major): unit vectors (rows of `axes`,
 * k × d) and the sum of squares along each (`sums`, the eigenvalues of XᵀX), descending. When
 * n ≥ d they are the eigenvectors of XᵀX (d × d); when n < d, of the Gram matrix XXᵀ (n × n),
 * whose eigenvectors u give the axes Xᵀu/√e: the eigendecomposition is always of the smaller
 * matrix. Axes along which the data have no variance (beyond the Gram matrix's rank) complete the
 * basis deterministically, from the standard basis vectors by Gram–Schmidt. Each axis's sign makes
 * its largest-magnitude loading positive.
 */
function principalAxes(
  centered: Float64Array,
  n: number,
  d: number,
  k: number,
): { axes: Float64Array; sums: Float64Array; total: number } {
  const axes = new Float64Array(k * d);
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < centered.length; i++) total += centered[i] * centered[i];
  if (n >= d) {
    const { values, vectors } = symmetricEigen(gramOfColumns(centered, n, d), d);
    for (let c = 0; c < k; c++) {
      sums[c] = Math.max(0, values[c]);
      for (let j = 0; j < d; j++) axes[c * d + j] = vectors[j * d + c];
    }
  } else {
    const rowGram = new Float64Array(n * n);
    for (let a = 0; a < n; a++)
      for (let b = a; b < n; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += centered[a * d + j] * centered[b * d + j];
        rowGram[a * n + b] = s;
        rowGram[b * n + a] = s;
      }
    const { values, vectors } = symmetricEigen(rowGram, n);
    const tolerance = Math.max(n, d) * Number.EPSILON * Math.max(values[0] ?? 0, 0);
    let filled = 0;
    for (let c = 0; c < Math.min(k, n); c++) {
      if (!(values[c] > tolerance)) break;
      const scale = 1 / Math.sqrt(values[c]);
      for (let r = 0; r < n; r++) {
        const u = vectors[r * n + c] * scale;
        if (u === 0) continue;
        for (let j = 0; j < d; j++) axes[c * d + j] += u * centered[r * d + j];
      }
      sums[c] = values[c];
      filled++;
    }
    completeBasis(axes, filled, k, d);
  }
  for (let c = 0; c < k; c++) {
    let largest = 0;
    for (let j = 0; j < d; j++) if (Math.abs(axes[c * d + j]) > Math.abs(largest)) largest = axes[c * d + j];
    if (largest < 0) for (let j = 0; j < d; j++) axes[c * d + j] = -axes[c * d + j];
  }
  return { axes, sums, total };
}

/** Rows filled…k−1 of `axes` become unit vectors orthogonal to all rows before them (standard basis, Gram–Schmidt). */
function completeBasis(axes: Float64Array, filled: number, k: number, d: number): void {
  let candidate = 0;
  for (let c = filled; c < k; c++) {
    for (; candidate < d; candidate++) {
      const v = new Float64Array(d);
      v[candidate] = 1;
      // Twice, for orthogonality to rounding.
      for (let pass = 0; pass < 2; pass++)
        for (let p = 0; p < c; p++) {
          let dot = 0;
          for (let j = 0; j < d; j++) dot += axes[p * d + j] * v[j];
          for (let j = 0; j < d; j++) v[j] -= dot * axes[p * d + j];
        }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += v[j] * v[j];
      if (norm > 0.25) {
        norm = Math.sqrt(norm);
        for (let j = 0; j < d; j++) axes[c * d + j] = v[j] / norm;
        candidate++;
        break;
      }
    }
  }
}

/** Principal components of a sample matrix (see {@link pca}). */
export interface Pca {
  /** The column means the data were centered with (cols). */
  mean: Float64Array;
  /** The principal axes, one unit row per component (components × cols), by decreasing variance. */
  components: Float64Array;
  /** The fraction of the total variance along each component. */
  explained: Float64Array;
  /** Scores of rows (same columns as the fitted data): (row − mean) · componentsᵀ, rows × components. */
  project(rows: Samples): Samples;
}

/**
 * Principal component analysis: the eigenvectors of the covariance of the centered rows, by
 * decreasing eigenvalue. The eigendecomposition (ml-matrix) is of XᵀX (cols × cols) when there are
 * at least as many rows as columns, otherwise of the rows' Gram matrix XXᵀ (rows × rows), whose
 * eigenvectors u give the axes Xᵀu/√e. Components with no variance (beyond the centered data's rank,
 * at most rows − 1) complete the orthonormal basis deterministically. Each component's sign makes
 * its largest-magnitude loading positive, so the same data always give the same axes.
 * `explained[i]` is the component's variance over the total variance (the trace of the covariance).
 */
export function pca(x: Samples, components: number): Pca {
  checkSamples('pca', 'x', x);
  if (x.rows < 2) throw new Error(`pca: needs at least 2 rows, got ${x.rows}`);
  const d = x.cols;
  if (!Number.isInteger(components) || components < 1 || components > Math.min(x.rows, d))
    throw new Error(`pca: components must be an integer in [1, ${Math.min(x.rows, d)}], got ${components}`);
  const { data, mean: colMean } = centeredRows(x, allRows(x.rows));
  const { axes, sums, total } = principalAxes(data, x.rows, d, components);
  const explained = new Float64Array(components);
  for (let c = 0; c < components; c++) explained[c] = total > 0 ? sums[c] / total : Number.NaN;
  const project = (rows: Samples): Samples => {
    checkSamples('pca.project', 'rows', rows);
    if (rows.cols !== d) throw new Error(`pca.project: rows have ${rows.cols} columns, the components ${d}`);
    const out = new Float64Array(rows.rows * components);
    for (let r = 0; r < rows.rows; r++)
      for (let c = 0; c < components; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (rows.data[r * d + j] - colMean[j]) * axes[c * d + j];
        out[r * components + c] = s;
      }
    return { rows: rows.rows, cols: components, data: out };
  };
  return { mean: colMean, components: axes, explained, project };
}

// --- Cross-validated ridge decoding.

/** Options of {@link ridgeDecode}. */
export interface DecodeOptions {
  /** `continuous`: regression, scored by R². `categorical`: y has one column of class indices, scored by accuracy. */
  kind: 'continuous' | 'categorical';
  /** Number of classes (categorical); default: the largest label + 1 (at least 2). */
  classes?: number;
  /** Outer cross-validation folds, by episode (default 5). */
  folds?: number;
  /** Inner folds, by episode among an outer fold's training episodes, that choose λ (default 4). */
  innerFolds?: number;
  /** Candidate ridge penalties λ, in units of the standardized features' variance (default 10^−4 … 10^4, 17 values). */
  lambdas?: number[];
  /** The shuffled-target control: every episode's targets are those of another episode, rows paired by step. */
  shuffle?: boolean;
  /** Draws the folds, the episode permutation of `shuffle` and the subsamples of wide inputs (forked streams). */
  rng: Rng;
  /** Inputs with more columns are first projected onto this many principal components (default 512). */
  maxFeatures?: number;
}

/** The held-out score at one step index. */
export interface StepScore {
  step: number;
  /** Mean over the outer folds of the fold's score on its test rows at this step, with a 95% interval over folds. */
  score: Estimate;
  /** Rows at this step (each held out once). */
  n: number;
  /** The score of each outer fold at this step (NaN where it is undefined: no test rows, or no target variance). */
  perFold: number[];
}

/** The result of {@link ridgeDecode}. */
export interface DecodeResult {
  kind: 'continuous' | 'categorical';
  /** The score on each outer fold's test rows (R² or accuracy), mean with a 95% interval over folds. */
  score: Estimate;
  /** The per-fold overall scores behind `score`. */
  perFold: number[];
  /** The score at every step index present, ascending. */
  byStep: StepScore[];
  /** The λ chosen by the inner folds in each outer fold. */
  lambdas: number[];
  /**
   * The held-out prediction for every row: rows × y.cols for `continuous`, rows × 1 (the predicted
   * class) for `categorical`; NaN for rows that `shuffle` dropped (no partner at their step).
   */
  predictions: Float64Array;
  /** The outer fold each row was held out in (−1: dropped by `shuffle`). */
  fold: Int32Array;
}

const DEFAULT_LAMBDAS = Array.from({ length: 17 }, (_, i) => 10 ** (-4 + i / 2));
/** Rows of the training set that the principal components of wide inputs are computed from. */
const COMPONENT_SUBSAMPLE = 2000;

/**
 * Sufficient statistics of a set of rows of features f (d) and targets u (t): counts, sums Σf, Σu,
 * cross products Σffᵀ, Σfuᵀ and Σu². Every training and validation set of the nested cross-validation
 * is a union of "atoms" (outer fold × inner fold), so one pass over the data gives all of them.
 */
interface Moments {
  n: number;
  sf: Float64Array;
  sff: Float64Array;
  su: Float64Array;
  sfu: Float64Array;
  suu: Float64Array;
}

function emptyMoments(d: number, t: number): Moments {
  return {
    n: 0,
    sf: new Float64Array(d),
    sff: new Float64Array(d * d),
    su: new Float64Array(t),
    sfu: new Float64Array(d * t),
    suu: new Float64Array(t),
  };
}

function addMoments(into: Moments, m: Moments): void {
  into.n += m.n;
  for (const key of ['sf', 'sff', 'su', 'sfu', 'suu'] as const) {
    const a = into[key];
    const b = m[key];
    for (let i = 0; i < a.length; i++) a[i] += b[i];
  }
}

function atomMoments(
  f: Float64Array,
  d: number,
  u: Float64Array,
  t: number,
  atomOfRow: Int32Array,
  atoms: number,
): Moments[] {
  const members: number[][] = Array.from({ length: atoms }, () => []);
  atomOfRow.forEach((a, r) => {
    if (a >= 0) members[a].push(r);
  });
  return members.map((rows) => {
    const m = emptyMoments(d, t);
    const { sf, sff, su, sfu, suu } = m;
    m.n = rows.length;
    for (const r of rows) {
      const fo = r * d;
      const uo = r * t;
      for (let k = 0; k < t; k++) {
        su[k] += u[uo + k];
        suu[k] += u[uo + k] * u[uo + k];
      }
      for (let i = 0; i < d; i++) {
        const fi = f[fo + i];
        sf[i] += fi;
        for (let k = 0; k < t; k++) sfu[i * t + k] += fi * u[uo + k];
      }
    }
    accumulateGram(sff, f, d, Int32Array.from(rows));
    mirrorUpper(sff, d);
    return m;
  });
}

function sumMoments(atoms: Moments[], pick: (a: number) => boolean, d: number, t: number): Moments {
  const out = emptyMoments(d, t);
  atoms.forEach((m, a) => {
    if (pick(a)) addMoments(out, m);
  });
  return out;
}

/**
 * A ridge fit on a training set's moments, ready for any λ: the features' training means, the
 * columns kept (those that vary in training), their scales (1/SD when standardizing, else 1), the
 * targets' training means, and the eigendecomposition of the standardized covariance G = ZᵀZ/n with
 * P = Vᵀ(Zᵀu/n). Ridge on the per-row objective (1/n)‖u − Zw‖² + λ‖w‖² is then
 * w(λ) = V diag(1/(e + λ)) P for every λ and all target columns at once.
 */
interface RidgeFit {
  d: number;
  t: number;
  kept: Int32Array;
  featureMean: Float64Array;
  scale: Float64Array;
  targetMean: Float64Array;
  eigen: SymmetricEigen;
  projected: Float64Array;
}

function prepareFit(m: Moments, d: number, t: number, standardize: boolean): RidgeFit {
  const n = m.n;
  const featureMean = new Float64Array(d);
  const targetMean = new Float64Array(t);
  for (let i = 0; i < d; i++) featureMean[i] = m.sf[i] / n;
  for (let k = 0; k < t; k++) targetMean[k] = m.su[k] / n;
  const keptList: number[] = [];
  const scaleAll = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const second = m.sff[i * d + i] / n;
    const variance = second - featureMean[i] * featureMean[i];
    // A column constant over the training rows (up to the rounding of Σf² − n·mean²) carries nothing.
    if (!(variance > 1e-9 * second)) continue;
    keptList.push(i);
    scaleAll[i] = standardize ? 1 / Math.sqrt(variance) : 1;
  }
  const kept = Int32Array.from(keptList);
  const q = kept.length;
  const g = new Float64Array(q * q);
  const c = new Float64Array(q * t);
  for (let a = 0; a < q; a++) {
    const i = kept[a];
    for (let b = a; b < q; b++) {
      const j = kept[b];
      const v = ((m.sff[i * d + j] - n * featureMean[i] * featureMean[j]) / n) * scaleAll[i] * scaleAll[j];
      g[a * q + b] = v;
      g[b * q + a] = v;
    }
    for (let k = 0; k < t; k++)
      c[a * t + k] = ((m.sfu[i * t + k] - n * featureMean[i] * targetMean[k]) / n) * scaleAll[i];
  }
  const eigen = symmetricEigen(g, q);
  const projected = new Float64Array(q * t);
  for (let e = 0; e < q; e++)
    for (let k = 0; k < t; k++) {
      let s = 0;
      for (let a = 0; a < q; a++) s += eigen.vectors[a * q + e] * c[a * t + k];
      projected[e * t + k] = s;
    }
  return { d, t, kept, featureMean, scale: scaleAll, targetMean, eigen, projected };
}

/** w(λ) over the kept columns (q × t), in standardized units. */
function ridgeWeights(fit: RidgeFit, lambda: number): Float64Array {
  const q = fit.kept.length;
  const t = fit.t;
  const { values, vectors } = fit.eigen;
  const shrunk = new Float64Array(q * t);
  for (let e = 0; e < q; e++) {
    const factor = 1 / (Math.max(0, values[e]) + lambda);
    for (let k = 0; k < t; k++) shrunk[e * t + k] = fit.projected[e * t + k] * factor;
  }
  const w = new Float64Array(q * t);
  for (let a = 0; a < q; a++)
    for (let e = 0; e < q; e++) {
      const v = vectors[a * q + e];
      if (v === 0) continue;
      for (let k = 0; k < t; k++) w[a * t + k] += v * shrunk[e * t + k];
    }
  return w;
}

/**
 * Summed squared error Σ‖u − û‖² on a validation set, from its moments, for each λ: with z and u
 * the validation rows standardized and centered by the training statistics,
 * SSE = Σu² − 2 Σ_k w_kᵀ(Σ z u_k) + Σ_k w_kᵀ(Σ zzᵀ) w_k.
 */
function validationErrors(fit: RidgeFit, v: Moments, lambdas: number[]): Float64Array {
  const { d, t, kept, featureMean: fm, scale, targetMean: tm } = fit;
  const q = kept.length;
  const n = v.n;
  const szz = new Float64Array(q * q);
  const szu = new Float64Array(q * t);
  for (let a = 0; a < q; a++) {
    const i = kept[a];
    for (let b = a; b < q; b++) {
      const j = kept[b];
      const s = (v.sff[i * d + j] - fm[i] * v.sf[j] - v.sf[i] * fm[j] + n * fm[i] * fm[j]) * scale[i] * scale[j];
      szz[a * q + b] = s;
      szz[b * q + a] = s;
    }
    for (let k = 0; k < t; k++)
      szu[a * t + k] = (v.sfu[i * t + k] - fm[i] * v.su[k] - v.sf[i] * tm[k] + n * fm[i] * tm[k]) * scale[i];
  }
  let suu = 0;
  for (let k = 0; k < t; k++) suu += v.suu[k] - 2 * tm[k] * v.su[k] + n * tm[k] * tm[k];
  const out = new Float64Array(lambdas.length);
  const zw = new Float64Array(q * t);
  lambdas.forEach((lambda, l) => {
    const w = ridgeWeights(fit, lambda);
    zw.fill(0);
    for (let a = 0; a < q; a++)
      for (let b = 0; b < q; b++) {
        const s = szz[a * q + b];
        for (let k = 0; k < t; k++) zw[a * t + k] += s * w[b * t + k];
      }
    let sse = suu;
    for (let i = 0; i < q * t; i++) sse += w[i] * (zw[i] - 2 * szu[i]);
    out[l] = sse;
  });
  return out;
}

/** Predictions u = intercept + f·β for rows `rows` of f, written to out (row-major, t columns). */
function predictRows(fit: RidgeFit, lambda: number, f: Float64Array, rows: Int32Array, out: Float64Array): void {
  const { d, t, kept, featureMean, scale, targetMean } = fit;
  const w = ridgeWeights(fit, lambda);
  const beta = new Float64Array(d * t);
  const intercept = Float64Array.from(targetMean);
  kept.forEach((i, a) => {
    for (let k = 0; k < t; k++) {
      beta[i * t + k] = w[a * t + k] * scale[i];
      intercept[k] -= featureMean[i] * beta[i * t + k];
    }
  });
  for (const r of rows) {
    for (let k = 0; k < t; k++) out[r * t + k] = intercept[k];
    for (const i of kept) {
      const fi = f[r * d + i];
      for (let k = 0; k < t; k++) out[r * t + k] += fi * beta[i * t + k];
    }
  }
}

/** Dense episode indices 0…E−1 for arbitrary episode ids, in order of first appearance. */
function denseEpisodes(episode: ArrayLike<number>): { index: Int32Array; count: number } {
  const ids = new Map<number, number>();
  const index = new Int32Array(episode.length);
  for (let r = 0; r < episode.length; r++) {
    let e = ids.get(episode[r]);
    if (e === undefined) {
      e = ids.size;
      ids.set(episode[r], e);
    }
    index[r] = e;
  }
  return { index, count: ids.size };
}

/** Episodes split at random into `parts` sets whose sizes differ by at most one. */
function balancedParts(episodes: number, parts: number, rng: Rng): Int32Array {
  const order = rng.shuffle(Array.from({ length: episodes }, (_, i) => i));
  const part = new Int32Array(episodes);
  order.forEach((e, position) => {
    part[e] = position % parts;
  });
  return part;
}

/**
 * The rows kept by the shuffled-target control and, for each, the row whose target it takes:
 * episodes are permuted by a random cycle (so no episode keeps its own targets), and a row at step s
 * takes the target of the partner episode's row at step s; rows whose partner has no such step are
 * dropped.
 */
function shuffledTargets(episode: Int32Array, step: Int32Array, rng: Rng): { rows: Int32Array; source: Int32Array } {
  const { index, count } = denseEpisodes(episode);
  const rowAt = Array.from({ length: count }, () => new Map<number, number>());
  for (let r = 0; r < index.length; r++) {
    if (rowAt[index[r]].has(step[r]))
      throw new Error(
        `ridgeDecode: episode ${episode[r]} has two rows at step ${step[r]} (shuffle pairs rows by step)`,
      );
    rowAt[index[r]].set(step[r], r);
  }
  const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  const partner = new Int32Array(count);
  for (let i = 0; i < count; i++) partner[order[i]] = order[(i + 1) % count];
  const rows: number[] = [];
  const source: number[] = [];
  for (let r = 0; r < index.length; r++) {
    const other = rowAt[partner[index[r]]].get(step[r]);
    if (other === undefined) continue;
    rows.push(r);
    source.push(other);
  }
  return { rows: Int32Array.from(rows), source: Int32Array.from(source) };
}

/**
 * Cross-validated linear decoding of a latent variable y from activity x, with folds by episode.
 *
 * Episodes are split at random into `folds` balanced outer folds; each outer fold's training
 * episodes are split again into `innerFolds` (all rows of an episode always stay together, so an
 * episode's identity cannot be memorised across the split). In each outer fold the columns of x are
 * standardized with the training rows' mean and SD (columns constant in training are dropped) and y
 * is centered with the training mean; λ minimises the squared error summed over the inner folds
 * (each inner fit standardized by its own training rows); ridge, minimising
 * (1/n)‖y − Zw‖² + λ‖w‖², is fit on all training rows with that λ and predicts the test rows.
 * Every training and validation set is a union of (outer × inner) blocks of episodes, so one pass
 * over the data gives each block's sums and cross products, and each fit is one eigendecomposition
 * of ZᵀZ/n = V diag(e) Vᵀ, from which w(λ) = V diag(1/(e + λ)) VᵀZᵀy/n for every λ and target column.
 *
 * Inputs wider than `maxFeatures` are first reduced, in each outer fold, to the top `maxFeatures`
 * principal components of the standardized training rows, computed from a random subsample of at
 * most 2000 of them (the eigendecomposition of the smaller of their covariance and Gram matrices;
 * components without variance are dropped); the scores are then centered but not rescaled, so ridge
 * shrinks low-variance components more. The inner folds reuse the outer fold's components. Costs:
 * rows × cols × maxFeatures to project per fold, and folds × (innerFolds + 1) eigendecompositions
 * of maxFeatures² (25 by default, about a second each at 512 in ml-matrix).
 *
 * Scores: `continuous`, R² = 1 − SS_res/SS_tot with both sums over all target columns and SS_tot
 * around the training fold's mean (a decoder predicting that mean scores 0; worse ones are negative).
 * Per step, the same R² on that step's test rows, with SS_tot around the mean of the training rows at
 * that step (so a decoder that knows only the step index scores 0; the overall training mean if no
 * training row has that step). `categorical` (y: one column of class indices): ridge on one-hot
 * targets, the prediction is the class with the largest output (for two classes, the second output
 * above 0.5), the score accuracy; λ is still chosen by squared error.
 *
 * `shuffle`: the control. Before anything else, each episode's targets are replaced by those of
 * another episode (a random cyclic permutation of the episodes, rows paired by step index, rows
 * without a partner dropped), so x and y come from different episodes: R² should be ≈ 0 and accuracy
 * at chance, unless the latent is a function of the step index alone.
 */
export function ridgeDecode(x: Samples, y: Samples, groups: Groups, options: DecodeOptions): DecodeResult {
  const fn = 'ridgeDecode';
  checkSamples(fn, 'x', x);
  checkSamples(fn, 'y', y);
  checkSameRows(fn, x, y);
  if (groups.episode.length !== x.rows || groups.step.length !== x.rows)
    throw new Error(
      `${fn}: groups have ${groups.episode.length} episodes and ${groups.step.length} steps for ${x.rows} rows`,
    );
  const folds = options.folds ?? 5;
  const innerFolds = options.innerFolds ?? 4;
  const lambdas = options.lambdas ?? DEFAULT_LAMBDAS;
  const maxFeatures = options.maxFeatures ?? 512;
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`${fn}: folds must be an integer ≥ 2, got ${folds}`);
  if (lambdas.length === 0 || lambdas.some((l) => !(l > 0 && Number.isFinite(l))))
    throw new Error(`${fn}: lambdas must be a non-empty list of positive numbers`);
  if (lambdas.length > 1 && (!Number.isInteger(innerFolds) || innerFolds < 2))
    throw new Error(`${fn}: innerFolds must be an integer ≥ 2, got ${innerFolds}`);
  if (!Number.isInteger(maxFeatures) || maxFeatures < 1)
    throw new Error(`${fn}: maxFeatures must be a positive integer, got ${maxFeatures}`);
  const categorical = options.kind === 'categorical';
  let classes = 0;
  if (categorical) {
    if (y.cols !== 1) throw new Error(`${fn}: categorical targets have one column of class indices, got ${y.cols}`);
    let largest = 0;
    for (const label of y.data) {
      if (!Number.isInteger(label) || label < 0)
        throw new Error(`${fn}: class labels must be integers ≥ 0, got ${label}`);
      largest = Math.max(largest, label);
    }
    classes = options.classes ?? Math.max(2, largest + 1);
    if (!Number.isInteger(classes) || classes < 2 || largest >= classes)
      throw new Error(`${fn}: ${classes} classes for labels up to ${largest}`);
  }

  // The rows used and the row each takes its target from.
  const used = options.shuffle
    ? shuffledTargets(groups.episode, groups.step, options.rng.fork('shuffle'))
    : { rows: allRows(x.rows), source: allRows(x.rows) };
  const n = used.rows.length;
  const d = x.cols;
  const t = categorical ? classes : y.cols;
  const episode = new Int32Array(n);
  const step = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    episode[i] = groups.episode[used.rows[i]];
    step[i] = groups.step[used.rows[i]];
  }

  // Targets: one-hot classes, or y with its overall mean subtracted (a shift, for rounding only).
  const targets = new Float64Array(n * t);
  const targetShift = new Float64Array(t);
  if (categorical) {
    for (let i = 0; i < n; i++) targets[i * t + y.data[used.source[i]]] = 1;
  } else {
    for (let i = 0; i < n; i++) for (let k = 0; k < t; k++) targetShift[k] += y.data[used.source[i] * t + k] / n;
    for (let i = 0; i < n; i++)
      for (let k = 0; k < t; k++) targets[i * t + k] = y.data[used.source[i] * t + k] - targetShift[k];
  }

  // Folds by episode, and the (outer, inner) block of every row.
  const dense = denseEpisodes(episode);
  if (dense.count < folds) throw new Error(`${fn}: ${dense.count} episodes for ${folds} folds`);
  const foldRng = options.rng.fork('folds');
  const outerOf = balancedParts(dense.count, folds, foldRng);
  const innerOf = new Int32Array(dense.count);
  const inner = lambdas.length > 1 ? innerFolds : 1;
  for (let k = 0; k < folds; k++) {
    const members: number[] = [];
    for (let e = 0; e < dense.count; e++) if (outerOf[e] === k) members.push(e);
    balancedParts(members.length, inner, foldRng).forEach((part, i) => {
      innerOf[members[i]] = part;
    });
  }
  if (inner > 1 && dense.count - Math.ceil(dense.count / folds) < inner)
    throw new Error(`${fn}: ${dense.count} episodes are too few for ${folds} folds of ${inner} inner folds`);
  const fold = new Int32Array(n);
  const atomOfRow = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const e = dense.index[i];
    fold[i] = outerOf[e];
    atomOfRow[i] = outerOf[e] * inner + innerOf[e];
  }
  const atoms = folds * inner;
  const outerOfAtom = (a: number) => Math.floor(a / inner);
  const innerOfAtom = (a: number) => a % inner;

  // Features: x with its overall mean subtracted and scaled by its overall SD (for rounding only: every fit
  // standardizes again with its own training rows), or, for wide x, principal component scores per fold.
  const wide = d > maxFeatures;
  const conditioned = new Float64Array(wide ? 0 : n * d);
  if (!wide) {
    const { data } = centeredRows(x, used.rows);
    const scale = new Float64Array(d);
    for (let i = 0; i < n * d; i++) scale[i % d] += data[i] * data[i];
    for (let j = 0; j < d; j++) scale[j] = scale[j] > 0 ? 1 / Math.sqrt(scale[j] / n) : 0;
    for (let i = 0; i < n * d; i++) conditioned[i] = data[i] * scale[i % d];
  }
  const narrowMoments = wide ? [] : atomMoments(conditioned, d, targets, t, atomOfRow, atoms);

  const predictions = new Float64Array(n * t);
  const chosen: number[] = [];
  const trainingMean: Float64Array[] = [];
  for (let k = 0; k < folds; k++) {
    const testRows: number[] = [];
    for (let i = 0; i < n; i++) if (fold[i] === k) testRows.push(i);
    let features: Float64Array = conditioned;
    let width = d;
    let moments = narrowMoments;
    if (wide) {
      ({ features, width } = componentScores(x, used.rows, fold, k, maxFeatures, options.rng.fork(`components-${k}`)));
      const trainingAtoms = atomOfRow.map((a, i) => (fold[i] === k ? -1 : a));
      moments = atomMoments(features, width, targets, t, trainingAtoms, atoms);
    }
    let lambda = lambdas[0];
    if (lambdas.length > 1) {
      const total = new Float64Array(lambdas.length);
      for (let j = 0; j < inner; j++) {
        const train = sumMoments(moments, (a) => outerOfAtom(a) !== k && innerOfAtom(a) !== j, width, t);
        const validation = sumMoments(moments, (a) => outerOfAtom(a) !== k && innerOfAtom(a) === j, width, t);
        if (train.n === 0 || validation.n === 0) continue;
        const errors = validationErrors(prepareFit(train, width, t, !wide), validation, lambdas);
        for (let l = 0; l < lambdas.length; l++) total[l] += errors[l];
      }
      let best = 0;
      for (let l = 1; l < lambdas.length; l++) if (total[l] < total[best]) best = l;
      lambda = lambdas[best];
    }
    const train = sumMoments(moments, (a) => outerOfAtom(a) !== k, width, t);
    const fit = prepareFit(train, width, t, !wide);
    predictRows(fit, lambda, features, Int32Array.from(testRows), predictions);
    chosen.push(lambda);
    trainingMean.push(fit.targetMean);
  }

  const scores = foldScores(categorical, targets, predictions, t, fold, step, folds, trainingMean);

  const outCols = categorical ? 1 : t;
  const out = new Float64Array(x.rows * outCols).fill(Number.NaN);
  const foldOfRow = new Int32Array(x.rows).fill(-1);
  for (let i = 0; i < n; i++) {
    const r = used.rows[i];
    foldOfRow[r] = fold[i];
    if (categorical) out[r] = argmax(predictions, i * t, t);
    else for (let k = 0; k < t; k++) out[r * t + k] = predictions[i * t + k] + targetShift[k];
  }
  return {
    kind: options.kind,
    score: ci95(scores.overall.filter(Number.isFinite)),
    perFold: scores.overall,
    byStep: scores.byStep,
    lambdas: chosen,
    predictions: out,
    fold: foldOfRow,
  };
}

/**
 * Principal component scores of every used row for outer fold k: the columns standardized with the
 * training rows' mean and SD, projected onto the top components of a random subsample of training rows.
 */
function componentScores(
  x: Samples,
  rows: Int32Array,
  fold: Int32Array,
  k: number,
  components: number,
  rng: Rng,
): { features: Float64Array; width: number } {
  const d = x.cols;
  const n = rows.length;
  const training: number[] = [];
  for (let i = 0; i < n; i++) if (fold[i] !== k) training.push(i);
  const colMean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const i of training) for (let j = 0; j < d; j++) colMean[j] += x.data[rows[i] * d + j] / training.length;
  for (const i of training)
    for (let j = 0; j < d; j++) scale[j] += (x.data[rows[i] * d + j] - colMean[j]) ** 2 / training.length;
  for (let j = 0; j < d; j++) scale[j] = scale[j] > 0 ? 1 / Math.sqrt(scale[j]) : 0;
  const sample = rng.shuffle(training).slice(0, Math.min(COMPONENT_SUBSAMPLE, training.length));
  const m = sample.length;
  const standardized = new Float64Array(m * d);
  sample.forEach((i, s) => {
    for (let j = 0; j < d; j++) standardized[s * d + j] = (x.data[rows[i] * d + j] - colMean[j]) * scale[j];
  });
  // Centered on the subsample's own mean for the axes; the scores below use the training mean.
  const subsampleMean = new Float64Array(d);
  for (let s = 0; s < m; s++) for (let j = 0; j < d; j++) subsampleMean[j] += standardized[s * d + j] / m;
  for (let s = 0; s < m; s++) for (let j = 0; j < d; j++) standardized[s * d + j] -= subsampleMean[j];
  const wanted = Math.min(components, m, d);
  const { axes, sums } = principalAxes(standardized, m, d, wanted);
  let width = 0;
  while (width < wanted && sums[width] > Math.max(m, d) * Number.EPSILON * sums[0]) width++;
  const features = new Float64Array(n * width);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[j] = (x.data[rows[i] * d + j] - colMean[j]) * scale[j];
    for (let c = 0; c < width; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += z[j] * axes[c * d + j];
      features[i * width + c] = s;
    }
  }
  return { features, width };
}

function argmax(values: Float64Array, offset: number, length: number): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}

/** Overall and per-step scores of every outer fold from the held-out predictions. */
function foldScores(
  categorical: boolean,
  targets: Float64Array,
  predictions: Float64Array,
  t: number,
  fold: Int32Array,
  step: Int32Array,
  folds: number,
  trainingMean: Float64Array[],
): { overall: number[]; byStep: StepScore[] } {
  const n = fold.length;
  const steps = [...new Set(step)].sort((a, b) => a - b);
  const stepIndex = new Map(steps.map((s, i) => [s, i]));
  const S = steps.length;
  // Per (fold, step): rows, target sums (for the training means at each step), and the score's sums.
  const count = new Float64Array(folds * S);
  const targetSum = new Float64Array(folds * S * t);
  for (let i = 0; i < n; i++) {
    const cell = fold[i] * S + stepIndex.get(step[i])!;
    count[cell]++;
    for (let k = 0; k < t; k++) targetSum[cell * t + k] += targets[i * t + k];
  }
  const stepTrainingMean = (k: number, s: number): Float64Array => {
    const m = new Float64Array(t);
    let rows = 0;
    for (let f = 0; f < folds; f++) {
      if (f === k) continue;
      rows += count[f * S + s];
      for (let c = 0; c < t; c++) m[c] += targetSum[(f * S + s) * t + c];
    }
    if (rows === 0) return trainingMean[k];
    for (let c = 0; c < t; c++) m[c] /= rows;
    return m;
  };
  const residual = new Float64Array(folds * S);
  const spread = new Float64Array(folds * S);
  const overallResidual = new Float64Array(folds);
  const overallSpread = new Float64Array(folds);
  const means = Array.from({ length: folds }, (_, k) => steps.map((_, s) => stepTrainingMean(k, s)));
  for (let i = 0; i < n; i++) {
    const k = fold[i];
    const s = stepIndex.get(step[i])!;
    const cell = k * S + s;
    if (categorical) {
      const correct = targets[i * t + argmax(predictions, i * t, t)] === 1 ? 1 : 0;
      residual[cell] += correct;
      overallResidual[k] += correct;
      continue;
    }
    for (let c = 0; c < t; c++) {
      const target = targets[i * t + c];
      const error = (target - predictions[i * t + c]) ** 2;
      residual[cell] += error;
      spread[cell] += (target - means[k][s][c]) ** 2;
      overallResidual[k] += error;
      overallSpread[k] += (target - trainingMean[k][c]) ** 2;
    }
  }
  const score = (res: number, tot: number, rows: number): number => {
    if (rows === 0) return Number.NaN;
    if (categorical) return res / rows;
    return tot > 0 ? 1 - res / tot : Number.NaN;
  };
  const overall: number[] = [];
  const foldRows = new Float64Array(folds);
  for (let i = 0; i < n; i++) foldRows[fold[i]]++;
  for (let k = 0; k < folds; k++) overall.push(score(overallResidual[k], overallSpread[k], foldRows[k]));
  const byStep = steps.map((stepValue, s) => {
    const perFold: number[] = [];
    let rows = 0;
    for (let k = 0; k < folds; k++) {
      rows += count[k * S + s];
      perFold.push(score(residual[k * S + s], spread[k * S + s], count[k * S + s]));
    }
    return { step: stepValue, score: ci95(perFold.filter(Number.isFinite)), n: rows, perFold };
  });
  return { overall, byStep };
}

/**
 * The mean score over the steps fromStep…toStep (inclusive) of a decoding: for each outer fold, the
 * mean of its per-step scores in the window (steps where it is defined), then the mean over folds with
 * a 95% interval over folds. Per-step R² is around each step's own training mean (see
 * {@link ridgeDecode}), so this is how much activity tells beyond the step index in that window.
 */
export function windowScore(result: DecodeResult, fromStep: number, toStep: number): Estimate {
  const inWindow = result.byStep.filter((s) => s.step >= fromStep && s.step <= toStep);
  const perFold: number[] = [];
  for (let k = 0; k < result.perFold.length; k++) {
    const values = inWindow.map((s) => s.perFold[k]).filter(Number.isFinite);
    if (values.length > 0) perFold.push(mean(values));
  }
  return ci95(perFold);
}

// --- Representational similarity.

/**
 * Linear centered kernel alignment (Kornblith et al. 2019, eq. 4) between two representations of the
 * same rows: with the columns of X and Y centered, CKA = ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F). It is 1 for
 * representations that differ by an orthogonal transformation and isotropic scaling, symmetric, and
 * near 0 for independent ones (its bias is of order d/n). Computed in feature space, O(n·d²); NaN
 * when either representation is constant.
 */
export function linearCka(x: Samples, y: Samples): number {
  checkSamples('linearCka', 'x', x);
  checkSamples('linearCka', 'y', y);
  checkSameRows('linearCka', x, y);
  return ckaOfRows(x, y, allRows(x.rows));
}

function ckaOfRows(x: Samples, y: Samples, rows: ArrayLike<number>): number {
  const cx = centeredRows(x, rows).data;
  const cy = centeredRows(y, rows).data;
  const n = rows.length;
  const frobeniusSquared = (m: Float64Array) => m.reduce((s, v) => s + v * v, 0);
  const cross = frobeniusSquared(crossProduct(cy, y.cols, cx, x.cols, n));
  const xx = Math.sqrt(frobeniusSquared(gramOfColumns(cx, n, x.cols)));
  const yy = Math.sqrt(frobeniusSquared(gramOfColumns(cy, n, y.cols)));
  return xx > 0 && yy > 0 ? cross / (xx * yy) : Number.NaN;
}

/** The rows of each of `subsets` random, balanced, disjoint sets of episodes. */
function episodeSubsets(episode: ArrayLike<number>, subsets: number, rng: Rng): Int32Array[] {
  const { index, count } = denseEpisodes(episode);
  if (!Number.isInteger(subsets) || subsets < 2 || subsets > count)
    throw new Error(`episode subsets: ${subsets} subsets of ${count} episodes (need an integer in [2, ${count}])`);
  const part = balancedParts(count, subsets, rng);
  const rows: number[][] = Array.from({ length: subsets }, () => []);
  for (let r = 0; r < index.length; r++) rows[part[index[r]]].push(r);
  return rows.map((r) => Int32Array.from(r));
}

/**
 * Linear CKA with a 95% interval: CKA computed separately on each of `subsets` (default 5) random
 * disjoint sets of episodes, then the mean over sets with a Student-t interval. CKA's small-sample
 * bias grows as the rows shrink, so the mean can sit slightly above the CKA of all rows.
 */
export function ckaEstimate(
  x: Samples,
  y: Samples,
  groups: { episode: Int32Array },
  options: { rng: Rng; subsets?: number },
): Estimate {
  checkSamples('ckaEstimate', 'x', x);
  checkSamples('ckaEstimate', 'y', y);
  checkSameRows('ckaEstimate', x, y);
  if (groups.episode.length !== x.rows)
    throw new Error(`ckaEstimate: ${groups.episode.length} episodes for ${x.rows} rows`);
  const subsets = episodeSubsets(groups.episode, options.subsets ?? 5, options.rng);
  return ci95(subsets.map((rows) => ckaOfRows(x, y, rows)));
}

/** Ranks 1…n with ties given their average rank. */
function averageRanks(values: Float64Array): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

function pearson(a: Float64Array, b: Float64Array): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

/** The upper triangle (i < j) of the squared-Euclidean dissimilarity matrix of the given rows. */
function dissimilarities(x: Samples, rows: ArrayLike<number>): Float64Array {
  const m = rows.length;
  const d = x.cols;
  const out = new Float64Array((m * (m - 1)) / 2);
  let p = 0;
  for (let a = 0; a < m; a++)
    for (let b = a + 1; b < m; b++) {
      let s = 0;
      const oa = rows[a] * d;
      const ob = rows[b] * d;
      for (let j = 0; j < d; j++) s += (x.data[oa + j] - x.data[ob + j]) ** 2;
      out[p++] = s;
    }
  return out;
}

function rsaOfRows(x: Samples, y: Samples, rows: ArrayLike<number>): number {
  if (rows.length < 3) return Number.NaN;
  return pearson(averageRanks(dissimilarities(x, rows)), averageRanks(dissimilarities(y, rows)));
}

/** `count` distinct indices from `pool`, at random (all of them, shuffled, when the pool is smaller). */
function drawRows(pool: ArrayLike<number>, count: number, rng: Rng): Int32Array {
  return Int32Array.from(rng.shuffle(Array.from(pool)).slice(0, count));
}

/**
 * Representational similarity analysis (Kriegeskorte et al. 2008): the Spearman rank correlation
 * (ties at their average rank) between the upper triangles of the two representations'
 * dissimilarity matrices over the same `samples` rows (default 300, drawn once with `rng`). The
 * dissimilarity is the Euclidean distance between rows' feature vectors (its square, which ranks
 * the same): unlike the correlation distance it is defined for constant rows and, like CKA, invariant
 * to rotations, isotropic scaling and translation of either representation.
 */
export function rsa(x: Samples, y: Samples, options: { samples?: number; rng: Rng }): number {
  checkSamples('rsa', 'x', x);
  checkSamples('rsa', 'y', y);
  checkSameRows('rsa', x, y);
  return rsaOfRows(x, y, drawRows(allRows(x.rows), options.samples ?? 300, options.rng));
}

/**
 * RSA with a 95% interval: {@link rsa} on `samples` rows (default 300) drawn from each of `subsets`
 * (default 5) random disjoint sets of episodes, then the mean over sets with a Student-t interval.
 */
export function rsaEstimate(
  x: Samples,
  y: Samples,
  groups: { episode: Int32Array },
  options: { rng: Rng; samples?: number; subsets?: number },
): Estimate {
  checkSamples('rsaEstimate', 'x', x);
  checkSamples('rsaEstimate', 'y', y);
  checkSameRows('rsaEstimate', x, y);
  if (groups.episode.length !== x.rows)
    throw new Error(`rsaEstimate: ${groups.episode.length} episodes for ${x.rows} rows`);
  const subsets = episodeSubsets(groups.episode, options.subsets ?? 5, options.rng.fork('subsets'));
  const draws = options.rng.fork('rows');
  return ci95(subsets.map((rows) => rsaOfRows(x, y, drawRows(rows, options.samples ?? 300, draws))));
}

// --- Behavior, step by step.

/** The choices of an agent: one row per (episode, step). */
export interface ChoiceRows {
  episode: ArrayLike<number>;
  step: ArrayLike<number>;
  action: ArrayLike<number>;
}

/** A per-step agreement: its mean over episodes with a 95% interval, and the value of each episode. */
export interface StepAgreement {
  step: number;
  agreement: Estimate;
  /** The episodes with a value at this step… */
  episodes: Int32Array;
  /** …and their values (1/0 for choice agreement, a probability for policy agreement). */
  values: Float64Array;
}

function rowKeys(fn: string, episode: ArrayLike<number>, step: ArrayLike<number>): Map<string, number> {
  if (episode.length !== step.length) throw new Error(`${fn}: ${episode.length} episodes and ${step.length} steps`);
  const keys = new Map<string, number>();
  for (let r = 0; r < episode.length; r++) {
    const key = `${episode[r]}:${step[r]}`;
    if (keys.has(key)) throw new Error(`${fn}: two rows for episode ${episode[r]} at step ${step[r]}`);
    keys.set(key, r);
  }
  return keys;
}

function byStep(
  episode: ArrayLike<number>,
  step: ArrayLike<number>,
  value: (r: number) => number,
  rows: Iterable<number>,
): StepAgreement[] {
  const perStep = new Map<number, { episodes: number[]; values: number[] }>();
  for (const r of rows) {
    let entry = perStep.get(step[r]);
    if (entry === undefined) {
      entry = { episodes: [], values: [] };
      perStep.set(step[r], entry);
    }
    entry.episodes.push(episode[r]);
    entry.values.push(value(r));
  }
  return [...perStep.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([s, e]) => ({
      step: s,
      agreement: ci95(e.values),
      episodes: Int32Array.from(e.episodes),
      values: Float64Array.from(e.values),
    }));
}

/**
 * How often two agents made the same choice, step by step: over the (episode, step) rows present in
 * both (typically the same evaluation episodes, or one agent replayed on the other's history), the
 * fraction of episodes whose two actions are equal at each step, with a 95% interval over episodes.
 */
export function choiceAgreementByStep(a: ChoiceRows, b: ChoiceRows): StepAgreement[] {
  const fn = 'choiceAgreementByStep';
  if (a.action.length !== a.episode.length || b.action.length !== b.episode.length)
    throw new Error(`${fn}: every row needs an episode, a step and an action`);
  rowKeys(fn, a.episode, a.step);
  const inB = rowKeys(fn, b.episode, b.step);
  const partner = new Map<number, number>();
  for (let r = 0; r < a.episode.length; r++) {
    const other = inB.get(`${a.episode[r]}:${a.step[r]}`);
    if (other !== undefined) partner.set(r, other);
  }
  return byStep(a.episode, a.step, (r) => (a.action[r] === b.action[partner.get(r)!] ? 1 : 0), partner.keys());
}

/**
 * How well an agent's choices follow a reference policy, step by step: the mean over episodes of the
 * reference policy's probability of the action the agent chose (for example the Bayes-optimal policy
 * given the agent's own history), with a 95% interval over episodes.
 */
export function policyAgreementByStep(rows: {
  episode: ArrayLike<number>;
  step: ArrayLike<number>;
  probabilityOfChosen: Float64Array;
}): StepAgreement[] {
  const fn = 'policyAgreementByStep';
  if (rows.probabilityOfChosen.length !== rows.episode.length)
    throw new Error(`${fn}: ${rows.probabilityOfChosen.length} probabilities for ${rows.episode.length} rows`);
  rowKeys(fn, rows.episode, rows.step);
  for (const p of rows.probabilityOfChosen)
    if (!(p >= 0 && p <= 1)) throw new Error(`${fn}: probabilities must be in [0, 1], got ${p}`);
  return byStep(rows.episode, rows.step, (r) => rows.probabilityOfChosen[r], allRows(rows.episode.length));
}

/**
 * The mean of a per-step agreement over the steps fromStep…toStep (inclusive): each episode's mean
 * over the steps of the window it has values at, then the mean over episodes with a 95% interval.
 */
export function meanOverSteps(steps: readonly StepAgreement[], fromStep: number, toStep: number): Estimate {
  const sums = new Map<number, { sum: number; count: number }>();
  for (const s of steps) {
    if (s.step < fromStep || s.step > toStep) continue;
    s.episodes.forEach((e, i) => {
      const entry = sums.get(e) ?? { sum: 0, count: 0 };
      entry.sum += s.values[i];
      entry.count++;
      sums.set(e, entry);
    });
  }
  return ci95([...sums.values()].map((e) => e.sum / e.count));
}
