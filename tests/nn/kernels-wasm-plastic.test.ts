// The WebAssembly plastic step gives the JavaScript one's numbers bit for bit, forward and
// backward, in every plasticity mode: on random shapes (odd sizes, 1×1, and sizes past the four-row
// and two-lane blocks), with the rule's presynaptic activity h itself or another, with every
// optional gradient absent or present (h's and the presynaptic one's the same buffer when they are
// the same tensor), with and without the neuromodulator's gradient into h_t, with traces that
// straddle the clip bound and entries exactly on it, −0 in gradient buffers, non-finite values, and
// bounds that are not positive.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import type { Kernels, PlasticGradients, PlasticityMode, PlasticStep } from '../../src/nn/kernels-js.ts';
import * as js from '../../src/nn/kernels-js.ts';
import { expectSame, random, same, sameUpToNaN, wasm } from '../helpers/kernels.ts';

const MODES: PlasticityMode[] = ['hebbian', 'neuromodulated', 'retroactive'];

/** Uniform on ±scale, with the given share of entries replaced by `special` values. */
function sprinkled(rng: Rng, n: number, scale: number, special: number[], share: number): Float64Array {
  const x = random(rng, n, scale);
  if (special.length === 0) return x;
  for (let k = 0; k < n; k++) if (rng.uniform() < share) x[k] = special[rng.int(special.length)];
  return x;
}

interface Case {
  label: string;
  step: PlasticStep;
  /** Fresh output buffers of the forward pass: post, traceOut, eligibilityOut, modulation (empty when absent). */
  forwardOutputs: Float64Array[];
}

/**
 * Random operands of one step. Traces are uniform on ±2c with a fifth of them exactly ±c, and some
 * presynaptic activities and eligibilities are exactly 0, so that Hebb_t + M_t h_{t−1} h_t and
 * Hebb_t + M_t E_t land exactly on the bound as well as on either side of it.
 */
function randomCase(
  rng: Rng,
  mode: PlasticityMode,
  B: number,
  I: number,
  H: number,
  special: number[] = [],
  clip = rng.uniformRange(0.2, 1.5),
): Case {
  const [bh, hh, bhh] = [B * H, H * H, B * H * H];
  const samePre = rng.bernoulli(0.5);
  const h = sprinkled(rng, bh, 1, [0, ...special], 0.1);
  const modulated = mode !== 'hebbian';
  const step: PlasticStep = {
    mode,
    B,
    I,
    H,
    x: random(rng, B * I),
    h,
    pre: samePre ? h : sprinkled(rng, bh, 1, [0, -0, ...special], 0.15),
    trace: sprinkled(
      rng,
      bhh,
      clip > 0 ? 2 * clip : 1,
      [...(Number.isNaN(clip) ? [] : [clip, -clip]), ...special],
      0.2,
    ),
    eligibility: mode === 'retroactive' ? sprinkled(rng, bhh, 1, [0, ...special], 0.15) : null,
    weightInput: random(rng, I * H),
    bias: random(rng, H),
    weightRecurrent: random(rng, hh),
    alpha: random(rng, hh, 2),
    eta: mode === 'neuromodulated' ? 0 : rng.uniformRange(0, 1),
    modulationWeight: modulated ? random(rng, H, 2) : null,
    modulationBias: modulated ? rng.uniformRange(-1, 1) : 0,
    clip,
    post: new Float64Array(bh),
    traceOut: new Float64Array(bhh),
    eligibilityOut: null,
    modulation: null,
  };
  const forwardOutputs = [bh, bhh, mode === 'retroactive' ? bhh : 0, modulated ? B : 0].map((n) => new Float64Array(n));
  const label = `${mode} B${B} I${I} H${H} c=${clip.toFixed(3)}${samePre ? '' : ' separate presynaptic'}`;
  return { label, step, forwardOutputs };
}

/** The step with its forward outputs in `out` (post, traceOut, eligibilityOut, modulation). */
function withOutputs(step: PlasticStep, out: Float64Array[]): PlasticStep {
  return {
    ...step,
    post: out[0],
    traceOut: out[1],
    eligibilityOut: out[2].length > 0 ? out[2] : null,
    modulation: out[3].length > 0 ? out[3] : null,
  };
}

const GRADIENTS = [
  'x',
  'h',
  'pre',
  'trace',
  'eligibility',
  'weightInput',
  'bias',
  'weightRecurrent',
  'alpha',
  'eta',
  'modulationWeight',
  'modulationBias',
] as const;

/**
 * Forward on both implementations, then backward from random output gradients into random buffers;
 * with `special` values, any NaN equals any NaN.
 */
function compare(rng: Rng, c: Case, special: number[] = []): void {
  const equal = special.length > 0 ? sameUpToNaN : same;
  const { step } = c;
  const { B, I, H, mode } = step;
  const [bh, hh, bhh] = [B * H, H * H, B * H * H];
  expectSame(
    `plasticForward ${c.label}`,
    c.forwardOutputs,
    (k: Kernels, out) => k.plasticForward(withOutputs(step, out)),
    equal,
  );
  const out = c.forwardOutputs.map((o) => o.slice());
  js.plasticForward(withOutputs(step, out));
  const forward = withOutputs(step, out);

  const want = (p: number) => rng.uniform() < p;
  const outputGradient = (n: number) => (n > 0 && want(0.8) ? sprinkled(rng, n, 1, [0, -0, ...special], 0.1) : null);
  const post = outputGradient(bh);
  const traceOut = outputGradient(bhh);
  const eligibilityOut = mode === 'retroactive' ? outputGradient(bhh) : null;
  const sizes: Record<(typeof GRADIENTS)[number], number> = {
    x: B * I,
    h: bh,
    pre: bh,
    trace: bhh,
    eligibility: mode === 'retroactive' ? bhh : 0,
    weightInput: I * H,
    bias: H,
    weightRecurrent: hh,
    alpha: hh,
    eta: mode === 'neuromodulated' ? 0 : 1,
    modulationWeight: mode === 'hebbian' ? 0 : H,
    modulationBias: mode === 'hebbian' ? 0 : 1,
  };
  const present = GRADIENTS.map((name) => sizes[name] > 0 && want(0.7));
  // The gradient buffers start from random sums, some entries −0 (adding 0 to −0 gives +0, so a lane
  // that JavaScript leaves alone must be left alone).
  const buffers = GRADIENTS.map((name) => sprinkled(rng, sizes[name], 1, [-0, 0], 0.1));
  const stop = want(0.5);
  const samePre = step.pre === step.h;
  const wanted = GRADIENTS.filter((_, i) => present[i]).join(' ');
  const label = `plasticBackward ${c.label}${stop ? ' stop' : ''} (${wanted})`;
  expectSame(
    label,
    buffers,
    (k, g) => {
      const at = (name: (typeof GRADIENTS)[number]) => {
        const i = GRADIENTS.indexOf(name);
        return present[i] ? g[i] : null;
      };
      const grads: PlasticGradients = {
        post,
        traceOut,
        eligibilityOut,
        ...(Object.fromEntries(GRADIENTS.map((name) => [name, at(name)])) as Omit<
          PlasticGradients,
          'post' | 'traceOut' | 'eligibilityOut'
        >),
      };
      // The same tensor: one gradient buffer.
      if (samePre) grads.pre = grads.h;
      k.plasticBackward(forward, grads, stop);
    },
    equal,
  );
}

const SMALL = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const LARGE = [16, 17, 32, 33];

describe('the WebAssembly plastic step equals the JavaScript one', () => {
  for (const mode of MODES) {
    it(`${mode}: forward and backward, bit for bit, on random shapes and operands`, () => {
      const rng = Rng.fromSeed(`plastic-${mode}`);
      for (let trial = 0; trial < 150; trial++) {
        const B = 1 + rng.int(5);
        const I = 1 + rng.int(7);
        const H = trial % 10 === 9 ? LARGE[rng.int(LARGE.length)] : SMALL[rng.int(SMALL.length)];
        compare(rng, randomCase(rng, mode, B, I, H));
      }
    });
  }

  it('with infinities and NaN among the operands', () => {
    const rng = Rng.fromSeed('plastic-special');
    const special = [Infinity, -Infinity, NaN];
    for (const mode of MODES) {
      for (let trial = 0; trial < 40; trial++) {
        const [B, I, H] = [1 + rng.int(3), 1 + rng.int(3), SMALL[rng.int(SMALL.length)]];
        compare(rng, randomCase(rng, mode, B, I, H, special), special);
      }
    }
  });

  it('with a bound that is not positive (which the op rejects)', () => {
    const rng = Rng.fromSeed('plastic-bound');
    for (const clip of [0, -0, -0.5, NaN]) {
      for (const mode of ['neuromodulated', 'retroactive'] as const) {
        for (let trial = 0; trial < 10; trial++) {
          const [B, I, H] = [1 + rng.int(3), 1 + rng.int(3), SMALL[rng.int(SMALL.length)]];
          compare(rng, randomCase(rng, mode, B, I, H, [], clip));
        }
      }
    }
  });

  it('a NaN clipped comes out as the NaN of Math.max, whatever NaN went in', () => {
    const rng = Rng.fromSeed('plastic-clip-nan');
    let clipped = 0;
    for (const mode of ['neuromodulated', 'retroactive'] as const) {
      for (let trial = 0; trial < 20; trial++) {
        const c = randomCase(rng, mode, 1 + rng.int(3), 2, 1 + rng.int(9), [NaN, Infinity - Infinity]);
        const [a, b] = [js, wasm].map((k) => {
          const out = c.forwardOutputs.map((o) => o.slice());
          k.plasticForward(withOutputs(c.step, out));
          return out[1];
        });
        clipped += a.filter(Number.isNaN).length;
        expect(same(a, b), c.label).toBe(true);
      }
    }
    expect(clipped).toBeGreaterThan(100);
  });

  it('the random operands put Hebb_t + M_t h_{t−1} h_t exactly on the clip bound, and on either side', () => {
    const rng = Rng.fromSeed('plastic-clip');
    const c = randomCase(rng, 'neuromodulated', 3, 2, 7);
    const out = c.forwardOutputs.map((o) => o.slice());
    js.plasticForward(withOutputs(c.step, out));
    const { B, H, pre, trace, clip } = c.step;
    const [post, M] = [out[0], out[3]];
    const count = { on: 0, inside: 0, outside: 0 };
    for (let b = 0; b < B; b++)
      for (let i = 0; i < H; i++)
        for (let j = 0; j < H; j++) {
          const v = trace[(b * H + i) * H + j] + M[b] * pre[b * H + i] * post[b * H + j];
          if (Math.abs(v) === clip) count.on++;
          else if (Math.abs(v) < clip) count.inside++;
          else count.outside++;
        }
    expect(count.on).toBeGreaterThan(0);
    expect(count.inside).toBeGreaterThan(10);
    expect(count.outside).toBeGreaterThan(10);
  });
});
