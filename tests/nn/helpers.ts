// Shared by the tests of src/nn: the public API, plus a way to build a deliberately broken
// operation (to show that the gradient checker and the NaN check can fail).
import { finishUnaryOp, Tensor } from '../../src/nn/index.ts';

export * from '../../src/nn/index.ts';

/** An elementwise op with the given forward f(i, x) and derivative df(i, x), recorded as 'brokenOp'. */
export function finishOpForTests(
  a: Tensor,
  f: (i: number, x: number) => number,
  df: (i: number, x: number) => number,
  op = 'brokenOp',
): Tensor {
  const out = new Tensor(a.rows, a.cols);
  for (let i = 0; i < a.size; i++) out.data[i] = f(i, a.data[i]);
  finishUnaryOp(op, a, out, (g, ga) => {
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * df(i, a.data[i]);
  });
  return out;
}
