// The built-in gradient checks: every differentiable operation and layer of src/nn against finite
// differences (see gradcheck.ts). `engram gradcheck` and tests/nn run the same list; whoever adds
// an operation or a layer adds its check here.

import { Rng } from '../core/rng.ts';
import { layerChecks } from './checks-layers.ts';
import { awayFromZero, binary, type GradcheckCase, gradcheck, randomTensor, unary } from './gradcheck.ts';
import { activeKernels, type KernelsName } from './kernels.ts';
import * as ops from './ops/index.ts';
import type { Tensor } from './tensor.ts';

/** The tolerance of the built-in checks. */
export const GRADCHECK_TOLERANCE = 1e-6;

/** Every built-in check, in a fixed order. */
export function builtinGradchecks(): GradcheckCase[] {
  const cases: GradcheckCase[] = [
    binary('matmul', ops.matmul, [3, 4], [4, 5]),
    binary('matmulTransposed', ops.matmulTransposed, [3, 4], [5, 4]),
    unary('transpose', ops.transpose, (r) => randomTensor(r, 3, 5)),
    {
      name: 'linear',
      run: () => {
        const rng = Rng.fromSeed('linear');
        const x = randomTensor(rng, 3, 5);
        const w = randomTensor(rng, 5, 6);
        const b = randomTensor(rng, 1, 6);
        return gradcheck(() => ops.linear(x, w, b), { x, w, b });
      },
    },
    binary('add', ops.add, [3, 4], [3, 4]),
    binary('sub', ops.sub, [3, 4], [3, 4]),
    binary('mul', ops.mul, [3, 4], [3, 4]),
    binary('addRowVector', ops.addRowVector, [3, 4], [1, 4]),
    unary(
      'scale',
      (a) => ops.scale(a, -1.7),
      (r) => randomTensor(r, 3, 4),
    ),
    unary(
      'scaleRows',
      (a) => ops.scaleRows(a, [1, 0, -0.5]),
      (r) => randomTensor(r, 3, 4),
    ),
    unary('square', ops.square, (r) => randomTensor(r, 3, 4)),
    unary('sigmoid', ops.sigmoid, (r) => randomTensor(r, 3, 4, -3, 3)),
    unary('tanh', ops.tanh, (r) => randomTensor(r, 3, 4, -2, 2)),
    unary('relu', ops.relu, (r) => awayFromZero(r, 3, 4)),
    unary('exp', ops.exp, (r) => randomTensor(r, 3, 4, -2, 2)),
    unary('log', ops.log, (r) => randomTensor(r, 3, 4, 0.5, 3)),
    unary('softmax', ops.softmax, (r) => randomTensor(r, 3, 5, -3, 3)),
    unary('logSoftmax', ops.logSoftmax, (r) => randomTensor(r, 3, 5, -3, 3)),
    {
      name: 'concatColumns',
      run: () => {
        const rng = Rng.fromSeed('concatColumns');
        const a = randomTensor(rng, 3, 2);
        const b = randomTensor(rng, 3, 1);
        const c = randomTensor(rng, 3, 4);
        return gradcheck(() => ops.concatColumns([a, b, c]), { a, b, c });
      },
    },
    unary(
      'sliceColumns',
      (a) => ops.sliceColumns(a, 1, 4),
      (r) => randomTensor(r, 3, 5),
    ),
    binary('concatRows', (a, b) => ops.concatRows([a, b]), [2, 3], [4, 3]),
    unary(
      'sliceRows',
      (a) => ops.sliceRows(a, 1, 3),
      (r) => randomTensor(r, 4, 3),
    ),
    unary('sum', ops.sum, (r) => randomTensor(r, 3, 4)),
    unary('mean', ops.mean, (r) => randomTensor(r, 3, 4)),
    unary(
      'gatherColumns',
      (a) => ops.gatherColumns(a, [2, 0, 3]),
      (r) => randomTensor(r, 3, 4),
    ),
    {
      name: 'logSoftmax+gatherColumns',
      run: () => {
        const logits = randomTensor(Rng.fromSeed('logSoftmax+gatherColumns'), 4, 3, -2, 2);
        const advantages = [0.5, -1.2, 2, 0.3];
        return gradcheck(
          () => ops.mean(ops.scaleRows(ops.gatherColumns(ops.logSoftmax(logits), [2, 0, 1, 1]), advantages)),
          { logits },
        );
      },
    },
    {
      name: 'layerNorm',
      run: () => {
        const rng = Rng.fromSeed('layerNorm');
        const x = randomTensor(rng, 3, 5, -2, 2);
        const gain = randomTensor(rng, 1, 5, 0.5, 1.5);
        const bias = randomTensor(rng, 1, 5);
        return gradcheck(() => ops.layerNorm(x, gain, bias), { x, gain, bias });
      },
    },
    unary(
      'causalMask+softmax',
      (a) => ops.softmax(ops.causalMask(a)),
      (r) => randomTensor(r, 4, 4, -2, 2),
    ),
    {
      name: 'attendCached',
      run: () => {
        const rng = Rng.fromSeed('attendCached');
        const q = randomTensor(rng, 2, 6);
        const keys = [0, 1, 2].map(() => randomTensor(rng, 2, 6));
        const values = [0, 1, 2].map(() => randomTensor(rng, 2, 6));
        const inputs: Record<string, Tensor> = { q };
        for (const [i, k] of keys.entries()) inputs[`k${i}`] = k;
        for (const [i, v] of values.entries()) inputs[`v${i}`] = v;
        return gradcheck(() => ops.attendCached(q, keys, values, 2, Int32Array.of(0, 1)), inputs);
      },
    },
    {
      name: 'linearAttention',
      run: () => {
        // 3 sequences × 4 steps, time-major, 2 heads; the first 3 steps are the context.
        const rng = Rng.fromSeed('linearAttention');
        const q = randomTensor(rng, 12, 4);
        const k = randomTensor(rng, 12, 4);
        const v = randomTensor(rng, 12, 4);
        return gradcheck(() => ops.linearAttention(q, k, v, 2, 3, 3, 0.7), { q, k, v });
      },
    },
    {
      name: 'lstmCell',
      run: () => {
        const rng = Rng.fromSeed('lstmCell');
        const x = randomTensor(rng, 2, 3);
        const h = randomTensor(rng, 2, 4);
        const c = randomTensor(rng, 2, 4);
        const wi = randomTensor(rng, 3, 16);
        const wh = randomTensor(rng, 4, 16);
        const b = randomTensor(rng, 1, 16);
        return gradcheck(
          () => {
            const s = ops.lstmCell(x, h, c, wi, wh, b);
            return ops.concatColumns([s.h, s.c]);
          },
          { x, h, c, wi, wh, b },
        );
      },
    },
    {
      name: 'gruCell',
      run: () => {
        const rng = Rng.fromSeed('gruCell');
        const x = randomTensor(rng, 2, 3);
        const h = randomTensor(rng, 2, 4);
        const wi = randomTensor(rng, 3, 12);
        const wh = randomTensor(rng, 4, 12);
        const bi = randomTensor(rng, 1, 12);
        const bh = randomTensor(rng, 1, 12);
        return gradcheck(() => ops.gruCell(x, h, wi, wh, bi, bh), { x, h, wi, wh, bi, bh });
      },
    },
    ...layerChecks(),
  ];
  return cases;
}

/** Runs every built-in check; `ok` is false when any error exceeds the tolerance (or is NaN). */
/** What `engram gradcheck` reports: every check's worst relative error, and the kernels that ran them. */
export interface GradcheckReport {
  kernels: KernelsName;
  checks: { name: string; maxRelError: number }[];
  ok: boolean;
}

export function runBuiltinGradchecks(): GradcheckReport {
  const checks = builtinGradchecks().map((c) => ({ name: c.name, maxRelError: c.run().maxRelError }));
  return { kernels: activeKernels(), checks, ok: checks.every((c) => c.maxRelError <= GRADCHECK_TOLERANCE) };
}

/** The result as human-readable lines: one per check, then a verdict. */
export function formatGradchecks(result: GradcheckReport): string {
  const width = Math.max(...result.checks.map((c) => c.name.length));
  const lines = result.checks.map(
    (c) =>
      `${c.name.padEnd(width)}  ${c.maxRelError.toExponential(2).padStart(9)}  ` +
      `${c.maxRelError <= GRADCHECK_TOLERANCE ? 'ok' : 'FAIL'}`,
  );
  lines.push(
    result.ok
      ? `all ${result.checks.length} gradient checks within ${GRADCHECK_TOLERANCE.toExponential(0)} ` +
          `(worst relative error, see src/nn/gradcheck.ts; ${result.kernels} kernels)`
      : `${result.checks.filter((c) => !(c.maxRelError <= GRADCHECK_TOLERANCE)).length} ` +
          `gradient check(s) exceed ${GRADCHECK_TOLERANCE.toExponential(0)}`,
  );
  return lines.join('\n');
}
