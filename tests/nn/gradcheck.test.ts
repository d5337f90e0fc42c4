import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { engram } from '../helpers/engram.ts';
import {
  builtinGradchecks,
  finishOpForTests,
  GRADCHECK_TOLERANCE,
  gradcheck,
  runBuiltinGradchecks,
  setCheckNumerics,
  Tensor,
} from './helpers.ts';

beforeAll(() => {
  setCheckNumerics(true);
});

describe('built-in gradient checks', () => {
  for (const check of builtinGradchecks()) {
    it(`${check.name}: analytic gradient matches finite differences`, () => {
      const result = check.run();
      expect(result.checked).toBeGreaterThan(0);
      // A gradient that is zero everywhere would pass trivially.
      expect(result.gradientNorm).toBeGreaterThan(1e-3);
      expect(result.maxRelError).toBeLessThan(GRADCHECK_TOLERANCE);
    });
  }

  it('covers every operation and layer', () => {
    const names = builtinGradchecks().map((c) => c.name);
    for (const expected of [
      'matmul',
      'add',
      'addRowVector',
      'mul',
      'sigmoid',
      'tanh',
      'relu',
      'exp',
      'log',
      'softmax',
      'logSoftmax',
      'concatColumns',
      'sliceColumns',
      'sum',
      'mean',
      'layerNorm',
      'causalMask+softmax',
      'transpose',
      'scale',
      'gatherColumns',
      'square',
      'sub',
      'lstmCell',
      'gruCell',
      'attendCached',
      'Linear',
      'LstmCell (4 steps)',
      'GruCell (4 steps)',
      'LayerNorm',
      'Mlp (tanh)',
      'MultiHeadSelfAttention (KV cache, 4 steps)',
      'logSoftmax+gatherColumns',
    ]) {
      expect(names).toContain(expected);
    }
  });
});

describe('gradcheck', () => {
  it('detects a wrong gradient', () => {
    // An op whose backward is off by a factor of 1.001 in one entry.
    const a = Tensor.from([
      [0.3, -0.7],
      [1.1, 0.4],
    ]);
    const wrongSquare = (x: Tensor) =>
      finishOpForTests(
        x,
        (_i, v) => v * v,
        (i, v) => (i === 3 ? 2.002 * v : 2 * v),
      );
    const result = gradcheck(() => wrongSquare(a), { a });
    expect(result.maxRelError).toBeGreaterThan(1e-4);
    expect(result.worst?.index).toBe(3);
  });

  it('reports an exactly zero gradient as zero error and restores the inputs', () => {
    const a = Tensor.from([[1, 2]]);
    const before = a.data.slice();
    const result = gradcheck(() => Tensor.scalar(5), { a });
    expect(result.maxRelError).toBe(0);
    expect(result.gradientNorm).toBe(0);
    expect(a.data).toEqual(before);
    expect(a.requiresGrad).toBe(false);
    expect(a.grad).toBeNull();
  });

  it('gives the same result twice (fixed projection weights)', () => {
    const check = builtinGradchecks().find((c) => c.name === 'softmax')!;
    const first = check.run();
    expect(first.maxRelError).toBeGreaterThan(0);
    expect(check.run()).toEqual(first);
  });
});

describe('engram gradcheck', () => {
  async function capture(argv: string[]): Promise<{ code: number; stdout: string }> {
    const chunks: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    (process.stdout as { write: unknown }).write = (chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    };
    try {
      const code = await main(argv);
      return { code, stdout: chunks.join('') };
    } finally {
      (process.stdout as { write: unknown }).write = original;
    }
  }

  it('--json prints exactly one JSON object and exits 0', async () => {
    const { code, stdout } = await capture(['gradcheck', '--json']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const parsed = JSON.parse(stdout) as { checks: { name: string; maxRelError: number }[]; ok: boolean };
    expect(Object.keys(parsed).sort()).toEqual(['checks', 'kernels', 'ok']);
    expect(parsed.ok).toBe(true);
    expect(parsed.checks.length).toBe(builtinGradchecks().length);
    for (const c of parsed.checks) {
      expect(Object.keys(c).sort()).toEqual(['maxRelError', 'name']);
      expect(c.maxRelError).toBeLessThan(1e-6);
    }
  });

  it('prints one line per check without --json', async () => {
    const { code, stdout } = await capture(['gradcheck']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(builtinGradchecks().length + 1);
    expect(lines[0]).toMatch(/^matmul\s+\d\.\d\de-\d+\s+ok$/);
    expect(runBuiltinGradchecks().ok).toBe(true);
  });

  it('passes with either kernels (ENGRAM_KERNELS=js and wasm)', () => {
    for (const kernels of ['js', 'wasm']) {
      const r = engram(['gradcheck', '--json'], { CI: 'true', ENGRAM_KERNELS: kernels });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ kernels, ok: true });
    }
    const bad = engram(['gradcheck'], { CI: 'true', ENGRAM_KERNELS: 'gpu' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe("engram: ENGRAM_KERNELS must be js or wasm, got 'gpu'");
  });
});
