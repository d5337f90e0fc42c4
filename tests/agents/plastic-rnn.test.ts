import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import type { NetworkAgent } from '../../agents/kit/network-agent.ts';
import type { PlasticRnnNetwork, PlasticState } from '../../agents/plastic-rnn.ts';
import { Rng } from '../../src/core/rng.ts';
import { networkFromCheckpoint, readCheckpoint } from '../../src/experiments/checkpoint.ts';
import { runExperiment } from '../../src/experiments/run.ts';
import { parseExperiment } from '../../src/experiments/spec.ts';
import { hashParameters } from '../../src/nn/module.ts';
import { PLASTICITY_MODES } from '../../src/nn/ops/plastic.ts';
import { Tensor } from '../../src/nn/tensor.ts';
import { frozenEvaluation, type PlasticitySummary } from '../../src/rl/frozen-eval.ts';
import { findTask } from '../../tasks/index.ts';

const family = findTask('bandit-correlated').create({ variant: 'easy', trials: 20 });

function net(plasticity: string, hidden = 6): PlasticRnnNetwork {
  return findAgent('plastic-rnn').createNetwork!(
    family,
    { hidden, plasticity },
    Rng.fromSeed(`net-${plasticity}`),
  ) as PlasticRnnNetwork;
}

function input(batch: number, t: number): Tensor {
  const x = Tensor.zeros(batch, 5);
  for (let b = 0; b < batch; b++) {
    x.data[b * 5] = 1;
    x.data[b * 5 + 1 + ((b + t) % 2)] = t > 0 ? 1 : 0;
    x.data[b * 5 + 3] = (b + t) % 3 === 0 ? 1 : 0;
    x.data[b * 5 + 4] = t / 20;
  }
  return x;
}

function absSum(t: Tensor): number {
  return t.data.reduce((a, v) => a + Math.abs(v), 0);
}

describe('plastic-rnn', () => {
  it('starts every episode from zero traces and changes them within the episode, in every mode', () => {
    for (const mode of PLASTICITY_MODES) {
      const n = net(mode);
      let state: PlasticState = n.initialState(3);
      expect(absSum(state.trace), mode).toBe(0);
      for (let t = 0; t < 5; t++) state = n.step(state, input(3, t)).state;
      expect(absSum(state.trace), mode).toBeGreaterThan(1e-3);
      expect(n.plasticityReport(state).meanAbsTraceChange, mode).toBeGreaterThan(0);
      // The next episode's state is fresh: nothing of the last episode's traces survives.
      const fresh = n.initialState(3);
      expect(absSum(fresh.trace), mode).toBe(0);
      expect(fresh.trace).not.toBe(state.trace);
      if (mode === 'retroactive') expect(absSum(fresh.eligibility!)).toBe(0);
      else expect(fresh.eligibility).toBeNull();
    }
  });

  it(
    'a NetworkAgent resets the traces at begin(): the first report of ' + 'the second episode shows one step of change',
    () => {
      const agent = findAgent('plastic-rnn').create(
        family,
        { hidden: 6 },
        Rng.fromSeed(3),
      ) as NetworkAgent<PlasticState>;
      const play = () => {
        agent.begin(2);
        const prevInfo = [undefined, undefined];
        for (let step = 0; step < 6; step++) {
          agent.act({
            observation: new Float64Array([1, 1]),
            prevAction: Int32Array.of(step ? 1 : -1, step ? 0 : -1),
            prevReward: Float64Array.of(step % 2, 1),
            timeFraction: step / 20,
            step,
            prevInfo,
            instances: [],
          });
        }
        return agent.plasticityTrace.map((r) => r.meanAbsTraceChange);
      };
      const first = play();
      const second = play();
      expect(second).toEqual(first);
      expect(first[5]).toBeGreaterThan(first[0]);
      expect(agent.plasticityWeights).toEqual([4, 4, 4, 4, 4, 4]);
    },
  );

  it('frozen evaluation leaves the parameter hash unchanged and reports the within-episode trace change', () => {
    const n = net('neuromodulated');
    const before = hashParameters(n.parameters());
    const r = frozenEvaluation(family, n, { episodes: 12, batchSize: 5, seed: 4, compare: [] });
    expect(r.paramsHashBefore).toBe(before);
    expect(r.paramsHashAfter).toBe(before);
    expect(r.kind).toBe('plastic');
    const p = r.plasticity as PlasticitySummary;
    expect(p.meanAbsTraceChange).toBeGreaterThan(0);
    expect(p.meanAbsTraceChange).toBe(p.final.meanAbsTraceChange);
    expect(p.byStep.meanAbsTraceChange).toHaveLength(20);
    expect(p.byStep.meanAbsTraceChange[0]).toBe(0);
    expect(p.byStep.meanAbsModulation.every((m) => m > 0 && m <= 1)).toBe(true);
  });

  it(
    'lesions by construction: freeze-plasticity holds the traces at ' + '0, reset-state wipes h and keeps the traces',
    () => {
      const n = net('neuromodulated');
      let state = n.initialState(2);
      for (let t = 0; t < 4; t++) state = n.step(state, input(2, t)).state;
      const reset = n.lesion('reset-state', state, 2)!;
      expect(absSum(reset.h)).toBe(0);
      expect(reset.trace).toBe(state.trace);
      let frozen = n.lesion('freeze-plasticity', state, 2)!;
      expect(frozen.h).toBe(state.h);
      for (let t = 4; t < 8; t++) {
        frozen = n.step(n.lesion('freeze-plasticity', frozen, 2)!, input(2, t)).state;
        expect(absSum(frozen.trace)).toBe(0);
      }
      expect(n.plasticityReport(frozen).meanAbsTraceChange).toBe(0);
    },
  );

  it('lesions of a tiny trained plastic-rnn raise its regret, and the eval record says by how much', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-plastic-'));
    const spec = parseExperiment(
      {
        name: 'tiny-plastic',
        seed: 1,
        task: { id: 'bandit-correlated', options: { variant: 'easy', trials: 20 } },
        agents: [{ id: 'plastic-rnn', options: { hidden: 16 } }],
        training: { updates: 300, batchSize: 16, learningRate: 0.01, checkpointEvery: 300, logEvery: 50, workers: 1 },
        evaluation: { episodes: 200, compare: ['random'] },
      },
      'test',
    );
    const run = await runExperiment(spec, { out: dir });
    const trained = run.eval!.agents['plastic-rnn'];
    expect(trained.expectedRegret.ci95[1]).toBeLessThan(run.eval!.agents.random.expectedRegret.ci95[0]);
    const file = path.join(dir, 'checkpoints', 'plastic-rnn.json');
    const { family: f, net: n } = networkFromCheckpoint(readCheckpoint(file), file);
    for (const lesion of ['reset-state', 'freeze-plasticity'] as const) {
      const r = frozenEvaluation(f, n, { episodes: 200, batchSize: 100, seed: spec.seed, compare: [], lesion });
      expect(r.lesion).toBe(lesion);
      expect(r.paramsHashAfter).toBe(r.paramsHashBefore);
      expect(r.lesionEffect!.applies).toBe(true);
      // The intact network is the run's own evaluation (same seed, same instances).
      expect(r.intact!.expectedRegret).toEqual(trained.expectedRegret);
      expect(r.lesionEffect!.regretIncrease.ci95[0], lesion).toBeGreaterThan(0);
      const traces = (r.plasticity as PlasticitySummary).meanAbsTraceChange;
      if (lesion === 'freeze-plasticity') expect(traces).toBe(0);
      else expect(traces).toBeGreaterThan(0);
    }
  }, 60_000);
});
