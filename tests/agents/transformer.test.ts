// The transformer agent: gradients through its key/value caches, acting step by step equals the
// whole-episode forward pass, its options are validated, and a tiny meta-training run learns.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import type { TransformerActorCritic } from '../../agents/transformer.ts';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { runExperiment } from '../../src/experiments/run.ts';
import { parseExperiment } from '../../src/experiments/spec.ts';
import { GRADCHECK_TOLERANCE } from '../../src/nn/checks.ts';
import { gradcheck } from '../../src/nn/gradcheck.ts';
import { concatColumns, sliceRows } from '../../src/nn/ops/index.ts';
import { noGrad } from '../../src/nn/tape.ts';
import { Tensor } from '../../src/nn/tensor.ts';
import { findTask } from '../../tasks/index.ts';

const family = findTask('bandit-correlated').create({ variant: 'easy', trials: 6 });

function network(options: Record<string, unknown>, seed = 'net'): TransformerActorCritic {
  return findAgent('transformer').createNetwork!(family, options, Rng.fromSeed(seed)) as TransformerActorCritic;
}

function randomInputs(rng: Rng, steps: number, batch: number, size: number): Tensor[] {
  return Array.from({ length: steps }, () => {
    const x = Tensor.zeros(batch, size);
    for (let i = 0; i < x.size; i++) x.data[i] = rng.uniformRange(-1, 1);
    return x;
  });
}

describe('transformer agent', () => {
  for (const positions of ['learned', 'sinusoidal'] as const) {
    it(`gradients through the key/value caches over 4 steps match finite differences (${positions} positions)`, () => {
      // tanh MLPs keep finite differences away from relu kinks; 2 layers so gradients cross blocks.
      const net = network({ width: 4, layers: 2, heads: 2, mlp: 6, activation: 'tanh', positions });
      const rng = Rng.fromSeed('inputs');
      for (const t of net.parameters().values())
        for (let i = 0; i < t.size; i++) t.data[i] += rng.uniformRange(-0.2, 0.2);
      const inputs = randomInputs(rng, 4, 2, net.inputSize);
      const checked = new Map<string, Tensor>([
        ...net.parameters(),
        ...inputs.map((x, i) => [`x${i}`, x] as [string, Tensor]),
      ]);
      const result = gradcheck(
        () => {
          let state = net.initialState(2);
          const outputs: Tensor[] = [];
          for (const x of inputs) {
            const out = net.step(state, x);
            state = out.state;
            outputs.push(out.logits, out.value);
          }
          return concatColumns(outputs);
          // h = 1e-4: at width 4 the LayerNorms are curved enough that h = 1e-3 leaves a truncation
          // error of a few 1e-6 (the analytic gradient agrees with h = 1e-4 to about 1e-8).
        },
        checked,
        { step: 1e-4 },
      );
      expect(result.gradientNorm).toBeGreaterThan(1e-3);
      expect(result.maxRelError).toBeLessThan(GRADCHECK_TOLERANCE);
    });
  }

  it('acting one step at a time with the caches equals the causal forward pass over the whole episode', () => {
    for (const positions of ['learned', 'sinusoidal', 'none'] as const) {
      const net = network({ width: 8, layers: 2, heads: 2, mlp: 12, positions }, `eq-${positions}`);
      const B = 3;
      const T = family.episodeLength;
      const inputs = randomInputs(Rng.fromSeed('episode'), T, B, net.inputSize);
      const stepped = noGrad(() => {
        let state = net.initialState(B);
        return inputs.map((x) => {
          const out = net.step(state, x);
          state = out.state;
          return out;
        });
      });
      for (let b = 0; b < B; b++) {
        const episode = new Tensor(T, net.inputSize);
        for (const [t, x] of inputs.entries()) episode.data.set(sliceRows(x, b, b + 1).data, t * net.inputSize);
        const whole = noGrad(() => net.forwardSequence(episode));
        for (let t = 0; t < T; t++) {
          for (let a = 0; a < net.numActions; a++) {
            expect(stepped[t].logits.get(b, a)).toBeCloseTo(whole.logits.get(t, a), 12);
          }
          expect(stepped[t].value.get(b, 0)).toBeCloseTo(whole.value.get(t, 0), 12);
        }
      }
    }
  });

  it('keeps one cache entry per step and layer, and the reset-state lesion empties them', () => {
    const net = network({ width: 8, layers: 2, heads: 4, mlp: 8 });
    let state = net.initialState(2);
    for (const x of randomInputs(Rng.fromSeed('c'), 3, 2, net.inputSize))
      state = noGrad(() => net.step(state, x)).state;
    expect(state.caches.map((c) => c.length)).toEqual([3, 3]);
    expect(state.step).toBe(3);
    const lesioned = net.lesion('reset-state', state, 2)!;
    expect(lesioned.caches.map((c) => c.length)).toEqual([0, 0]);
    expect(lesioned.step).toBe(0);
    expect(net.lesion('freeze-plasticity', state, 2)).toBeNull();
  });

  it('rejects bad options with a UsageError naming the option', () => {
    const build = (options: Record<string, unknown>) => () => network(options);
    expect(build({ width: 10, heads: 4 })).toThrow(UsageError);
    expect(build({ width: 10, heads: 4 })).toThrow(/'heads' \(4\) must divide option 'width' \(10\)/);
    expect(build({ layers: 0 })).toThrow(/option 'layers'/);
    expect(build({ positions: 'rotary' })).toThrow(/option 'positions'/);
    expect(build({ hidden: 48 })).toThrow(/unknown option 'hidden'/);
    // The resolved options rebuild the same architecture (checkpoints store them).
    const net = network({ positions: 'learned' });
    expect(net.options()).toMatchObject({
      width: 32,
      layers: 1,
      heads: 2,
      mlp: 64,
      positions: 'learned',
      maxLength: 6,
    });
    expect(network(net.options()).parameterCount()).toBe(net.parameterCount());
  });

  it('a tiny meta-training run beats random on the easy correlated bandit, with frozen weights', async () => {
    const spec = parseExperiment(
      {
        name: 'tiny-transformer',
        seed: 1,
        task: { id: 'bandit-correlated', options: { variant: 'easy', trials: 20 } },
        agents: [{ id: 'transformer', options: { width: 16, layers: 1, heads: 2, mlp: 16 } }],
        training: { updates: 150, batchSize: 16, learningRate: 0.003, checkpointEvery: 1000, logEvery: 50, workers: 1 },
        evaluation: { episodes: 300, compare: ['random'] },
      },
      'test',
    );
    const result = await runExperiment(spec, { out: fs.mkdtempSync(path.join(os.tmpdir(), 'engram-transformer-')) });
    const own = result.eval!.agents.transformer;
    const random = result.eval!.agents.random;
    expect(own.expectedRegret.ci95[1]).toBeLessThan(random.expectedRegret.ci95[0]);
    expect(own.paramsHashBefore).toBe(own.paramsHashAfter);
  });
});
