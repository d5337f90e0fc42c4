// Meta-training on the WebAssembly kernels ends with exactly the parameters, optimizer state and
// metrics of the same training on the JavaScript kernels, for every network agent.
import { afterAll, describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { activeKernels, type KernelsName, selectKernels } from '../../src/nn/kernels.ts';
import { A2CArgsSchema, A2CTrainer } from '../../src/rl/a2c.ts';
import { findTask } from '../../tasks/index.ts';

const initial = activeKernels();
afterAll(() => selectKernels(initial));

async function train(kernels: KernelsName, agent: string, options: Record<string, unknown>, task: string) {
  selectKernels(kernels);
  const family = findTask(task).create(task === 'bandit-correlated' ? { trials: 20 } : {});
  const rng = Rng.fromSeed(`kernels-${agent}`);
  const net = findAgent(agent).createNetwork!(family, options, rng.fork('init'));
  const trainer = new A2CTrainer(family, net, A2CArgsSchema.parse({ updates: 6, batchSize: 4 }), rng);
  const metrics = [];
  for (let u = 0; u < 6; u++) {
    const { 'perf/envStepsPerSecond': _rate, ...m } = await trainer.step();
    metrics.push(m);
  }
  await trainer.close();
  const params = Object.fromEntries([...net.parameters()].map(([name, t]) => [name, Array.from(t.data)]));
  return { params, metrics, optimizer: trainer.state().optimizer };
}

describe('training on either kernels', () => {
  for (const [agent, options, task] of [
    ['lstm', { hidden: 7 }, 'bandit-correlated'],
    ['gru', { hidden: 5 }, 'bandit-correlated'],
    ['transformer', { width: 8, heads: 2, mlp: 6 }, 'bandit-correlated'],
    ['plastic-rnn', { hidden: 5 }, 'bandit-correlated'],
    ['plastic-rnn', { hidden: 6, plasticity: 'hebbian' }, 'bandit-correlated'],
    ['plastic-rnn', { hidden: 7, plasticity: 'retroactive', clip: 0.05 }, 'bandit-correlated'],
    ['plastic-rnn', { hidden: 9, modulatorGradient: 'stop', clip: 0.05 }, 'bandit-correlated'],
    ['lstm', { hidden: 6 }, 'harlow'],
  ] as const) {
    const name = `${agent} ${JSON.stringify(options)} on ${task}`;
    it(`${name}: the same parameters, optimizer state and metrics, bit for bit`, async () => {
      const a = await train('js', agent, options, task);
      const b = await train('wasm', agent, options, task);
      expect(b.metrics).toEqual(a.metrics);
      expect(b.params).toEqual(a.params);
      expect(b.optimizer).toEqual(a.optimizer);
    });
  }
});
