// Episode states of a batch hold one row per episode, and the episodes of a batch do not reach
// their trial boundaries together (a water-maze trial ends when that rat finds the platform). A
// lesion applied at trial boundaries must therefore touch only the rows that are at one:
// `mergeRows` takes those rows from the lesioned state and every other row from the state as it was.
import { Tensor } from './tensor.ts';

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * The state whose batch rows b with `rows[b]` come from `lesioned` and the others from `kept`.
 * States are plain objects and arrays of B-row tensors (or of Float64Arrays of B equal rows);
 * leaves that are the same object (or equal values) in both are shared; a field only `lesioned`
 * has is taken from it. Anything else — a number or an object that differs between the two —
 * cannot be split by row, and is an error.
 */
export function mergeRows<S>(kept: S, lesioned: S, rows: readonly boolean[]): S {
  const B = rows.length;
  if (rows.every(Boolean)) return lesioned;
  if (!rows.some(Boolean)) return kept;
  const merge = (a: unknown, b: unknown, path: string): unknown => {
    if (a === b) return a;
    if (a === undefined || a === null) return b;
    if (b === undefined || b === null) return a;
    if (a instanceof Tensor && b instanceof Tensor) {
      if (a.rows !== B || b.rows !== B || a.cols !== b.cols)
        throw new Error(`mergeRows: ${path} is ${a.shape} and ${b.shape}, not ${B} rows each`);
      const out = Float64Array.from(a.data);
      const C = a.cols;
      for (let r = 0; r < B; r++) if (rows[r]) out.set(b.data.subarray(r * C, (r + 1) * C), r * C);
      return new Tensor(B, C, out);
    }
    if (a instanceof Float64Array && b instanceof Float64Array && a.length === b.length && a.length % B === 0) {
      const out = Float64Array.from(a);
      const C = a.length / B;
      for (let r = 0; r < B; r++) if (rows[r]) out.set(b.subarray(r * C, (r + 1) * C), r * C);
      return out;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length)
      return a.map((x, i) => merge(x, b[i], `${path}[${i}]`));
    if (isPlainObject(a) && isPlainObject(b)) {
      const out: Record<string, unknown> = {};
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        out[key] = merge(a[key], b[key], `${path}.${key}`);
      return out;
    }
    throw new Error(`mergeRows: ${path} differs between the two states and cannot be split by batch row`);
  };
  return merge(kept, lesioned, 'state') as S;
}
