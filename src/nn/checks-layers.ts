// The built-in gradient checks of the layers (checks.ts has the operations'): every layer, a whole
// actor-critic step, and the plastic recurrent step in each plasticity mode, against finite
// differences.
import { Rng } from '../core/rng.ts';
import { awayFromZero, type GradcheckCase, gradcheck, inputsOf, randomTensor } from './gradcheck.ts';
import { MultiHeadSelfAttention } from './layers/attention.ts';
import { GruCell } from './layers/gru.ts';
import { LayerNorm } from './layers/layer-norm.ts';
import { Linear } from './layers/linear.ts';
import { LinearSelfAttention } from './layers/linear-attention.ts';
import { LstmCell } from './layers/lstm.ts';
import { Mlp } from './layers/mlp.ts';
import { TransformerBlock } from './layers/transformer.ts';
import * as ops from './ops/index.ts';
import type { PlasticityMode, PlasticWeights } from './ops/plastic.ts';
import { Tensor } from './tensor.ts';

/**
 * The plastic recurrent step (src/nn/ops/plastic.ts) unrolled over `steps` steps from a random
 * state, so the gradient also flows back through the plastic traces. With `clipActive`, one step
 * whose traces straddle the clip bound c = 1: half the entries are far inside it, half far outside
 * (|v| ≥ 2 against 1, and |v| ≤ 0.8), so no finite-difference probe crosses the kink.
 */
function plasticCase(
  mode: PlasticityMode,
  steps: number,
  clipActive: boolean,
  separatePresynaptic = false,
): GradcheckCase {
  const name =
    `plasticRnnCell (${mode}, ` +
    `${clipActive ? 'clip active' : separatePresynaptic ? 'separate presynaptic activity' : `${steps} steps`})`;
  return {
    name,
    run: () => {
      const rng = Rng.fromSeed(name);
      // H = 5 runs both the four-row unrolled loops and their one-row tails.
      const B = 2;
      const I = 2;
      const H = 5;
      const clip = clipActive ? 1 : 5;
      const weights: PlasticWeights = {
        weightInput: randomTensor(rng, I, H),
        bias: randomTensor(rng, 1, H),
        weightRecurrent: randomTensor(rng, H, H),
        alpha: randomTensor(rng, H, H),
        eta: mode === 'neuromodulated' ? null : Tensor.scalar(0.3),
        modulationWeight: mode === 'hebbian' ? null : randomTensor(rng, H, 1),
        modulationBias: mode === 'hebbian' ? null : randomTensor(rng, 1, 1),
      };
      const xs = Array.from({ length: steps }, () => randomTensor(rng, B, I));
      const h0 = randomTensor(rng, B, H, -0.5, 0.5);
      const trace0 = randomTensor(rng, B, H * H, -0.3, 0.3);
      if (clipActive) {
        for (let k = 0; k < trace0.size; k += 2)
          trace0.data[k] = (rng.bernoulli(0.5) ? 1 : -1) * rng.uniformRange(2.5, 3);
      }
      const eligibility0 = mode === 'retroactive' ? randomTensor(rng, B, H * H, -0.5, 0.5) : null;
      const pre0 = separatePresynaptic ? randomTensor(rng, B, H, -0.5, 0.5) : h0;
      const inputs = new Map<string, Tensor>([
        ['h0', h0],
        ['trace0', trace0],
      ]);
      if (separatePresynaptic) inputs.set('presynaptic0', pre0);
      if (eligibility0 !== null) inputs.set('eligibility0', eligibility0);
      for (const [t, x] of xs.entries()) inputs.set(`x${t}`, x);
      for (const [key, t] of Object.entries(weights)) if (t !== null) inputs.set(key, t);
      return gradcheck(() => {
        let h = h0;
        let trace = trace0;
        let eligibility = eligibility0;
        const outputs: Tensor[] = [];
        for (const [t, x] of xs.entries()) {
          const out = ops.plasticRnnCell(mode, x, h, trace, eligibility, weights, clip, t === 0 ? pre0 : h);
          h = out.h;
          trace = out.trace;
          eligibility = out.eligibility;
          outputs.push(h);
        }
        outputs.push(trace);
        if (eligibility !== null) outputs.push(eligibility);
        return ops.concatColumns(outputs);
      }, inputs);
    },
  };
}

/** The checks of every layer. */
export function layerChecks(): GradcheckCase[] {
  return [
    {
      name: 'Linear',
      run: () => {
        const rng = Rng.fromSeed('Linear');
        const layer = new Linear({ inputSize: 4, outputSize: 3 }, rng);
        const x = randomTensor(rng, 5, 4);
        return gradcheck(() => layer.forward(x), new Map([...inputsOf(layer), ['x', x]]));
      },
    },
    {
      name: 'LstmCell (4 steps)',
      run: () => {
        const rng = Rng.fromSeed('LstmCell');
        const cell = new LstmCell({ inputSize: 3, hiddenSize: 4 }, rng);
        const xs = [0, 1, 2, 3].map(() => randomTensor(rng, 2, 3));
        return gradcheck(
          () => {
            let state = cell.initialState(2);
            const outputs: Tensor[] = [];
            xs.forEach((x, t) => {
              if (t === 2) state = cell.maskState(state, [1, 0]);
              state = cell.step(x, state);
              outputs.push(state.h);
            });
            return ops.concatColumns([...outputs, state.c]);
          },
          new Map([...inputsOf(cell), ...xs.map((x, i) => [`x${i}`, x] as [string, Tensor])]),
        );
      },
    },
    {
      name: 'GruCell (4 steps)',
      run: () => {
        const rng = Rng.fromSeed('GruCell');
        const cell = new GruCell({ inputSize: 3, hiddenSize: 4 }, rng);
        const xs = [0, 1, 2, 3].map(() => randomTensor(rng, 2, 3));
        return gradcheck(
          () => {
            let h = cell.initialState(2);
            const outputs: Tensor[] = [];
            for (const x of xs) {
              h = cell.step(x, h);
              outputs.push(h);
            }
            return ops.concatColumns(outputs);
          },
          new Map([...inputsOf(cell), ...xs.map((x, i) => [`x${i}`, x] as [string, Tensor])]),
        );
      },
    },
    {
      name: 'LayerNorm',
      run: () => {
        const rng = Rng.fromSeed('LayerNorm');
        const layer = new LayerNorm({ size: 5 });
        for (const t of layer.parameters().values())
          for (let i = 0; i < t.size; i++) t.data[i] += rng.uniformRange(-0.5, 0.5);
        const x = randomTensor(rng, 3, 5, -2, 2);
        return gradcheck(() => layer.forward(x), new Map([...inputsOf(layer), ['x', x]]));
      },
    },
    {
      name: 'Mlp (tanh)',
      run: () => {
        const rng = Rng.fromSeed('Mlp-tanh');
        const mlp = new Mlp({ sizes: [4, 6, 5, 2], activation: 'tanh', outputActivation: 'tanh' }, rng);
        const x = randomTensor(rng, 3, 4);
        return gradcheck(() => mlp.forward(x), new Map([...inputsOf(mlp), ['x', x]]));
      },
    },
    {
      name: 'Mlp (relu)',
      run: () => {
        // Check the weights only: relu pre-activations depend on x and W jointly, and the chosen
        // seed keeps every pre-activation farther than 2h from the kink (asserted by the test suite
        // through this check passing).
        const rng = Rng.fromSeed('Mlp-relu');
        const mlp = new Mlp({ sizes: [3, 5, 2], activation: 'relu' }, rng);
        const x = awayFromZero(rng, 2, 3);
        return gradcheck(() => mlp.forward(x), inputsOf(mlp));
      },
    },
    {
      name: 'MultiHeadSelfAttention (KV cache, 4 steps)',
      run: () => {
        const rng = Rng.fromSeed('attention-cache');
        const attention = new MultiHeadSelfAttention({ modelSize: 4, numHeads: 2 }, rng);
        for (const t of attention.parameters().values())
          for (let i = 0; i < t.size; i++) t.data[i] += rng.uniformRange(-0.3, 0.3);
        const xs = [0, 1, 2, 3].map(() => randomTensor(rng, 2, 4));
        return gradcheck(
          () => {
            const cache = attention.createCache(2);
            const outputs: Tensor[] = [];
            xs.forEach((x, t) => {
              if (t === 2) cache.resetRows([0, 1]);
              outputs.push(attention.step(x, cache));
            });
            return ops.concatColumns(outputs);
          },
          new Map([...inputsOf(attention), ...xs.map((x, i) => [`x${i}`, x] as [string, Tensor])]),
        );
      },
    },
    {
      name: 'MultiHeadSelfAttention (sequence)',
      run: () => {
        const rng = Rng.fromSeed('attention-sequence');
        const attention = new MultiHeadSelfAttention({ modelSize: 4, numHeads: 2 }, rng);
        for (const t of attention.parameters().values())
          for (let i = 0; i < t.size; i++) t.data[i] += rng.uniformRange(-0.3, 0.3);
        const x = randomTensor(rng, 4, 4);
        return gradcheck(() => attention.forwardSequence(x), new Map([...inputsOf(attention), ['x', x]]));
      },
    },
    {
      name: 'LinearSelfAttention (2 layers)',
      run: () => {
        const rng = Rng.fromSeed('LinearSelfAttention');
        const first = new LinearSelfAttention({ modelSize: 4, numHeads: 1 }, rng.fork('first'));
        const second = new LinearSelfAttention({ modelSize: 4, numHeads: 2 }, rng.fork('second'));
        const tokens = randomTensor(rng, 3 * 5, 4);
        return gradcheck(
          () => second.forward(first.forward(tokens, 3, 4), 3, 4),
          new Map([...inputsOf(first, second), ['tokens', tokens]]),
        );
      },
    },
    {
      name: 'TransformerBlock (KV cache, 4 steps)',
      run: () => {
        // tanh MLP: relu's kink would make finite differences through four steps seed-dependent.
        const rng = Rng.fromSeed('TransformerBlock-cache');
        const block = new TransformerBlock({ modelSize: 4, numHeads: 2, mlpSize: 6, activation: 'tanh' }, rng);
        for (const t of block.parameters().values())
          for (let i = 0; i < t.size; i++) t.data[i] += rng.uniformRange(-0.3, 0.3);
        const xs = [0, 1, 2, 3].map(() => randomTensor(rng, 2, 4));
        return gradcheck(
          () => {
            const cache = block.createCache(2);
            return ops.concatColumns(xs.map((x) => block.step(x, cache)));
          },
          new Map([...inputsOf(block), ...xs.map((x, i) => [`x${i}`, x] as [string, Tensor])]),
        );
      },
    },
    {
      name: 'TransformerBlock (sequence)',
      run: () => {
        const rng = Rng.fromSeed('TransformerBlock-sequence');
        const block = new TransformerBlock({ modelSize: 4, numHeads: 2, mlpSize: 6, activation: 'tanh' }, rng);
        for (const t of block.parameters().values())
          for (let i = 0; i < t.size; i++) t.data[i] += rng.uniformRange(-0.3, 0.3);
        const x = randomTensor(rng, 4, 4);
        return gradcheck(() => block.forwardSequence(x), new Map([...inputsOf(block), ['x', x]]));
      },
    },
    {
      name: 'actor-critic step (concat, LSTM, policy log-softmax+gather, value)',
      run: () => {
        const rng = Rng.fromSeed('actor-critic');
        const cell = new LstmCell({ inputSize: 6, hiddenSize: 5 }, rng);
        const policy = new Linear({ inputSize: 5, outputSize: 3 }, rng);
        const value = new Linear({ inputSize: 5, outputSize: 1 }, rng);
        const observations = [0, 1, 2].map(() => randomTensor(rng, 2, 2));
        const actions = [
          [0, 2],
          [1, 1],
          [2, 0],
        ];
        const returns = [
          [0.5, -0.2],
          [1, 0],
          [0.3, 0.7],
        ];
        const advantages = [
          [0.4, -0.6],
          [0.9, 0.1],
          [-0.3, 0.8],
        ];
        return gradcheck(
          () => {
            let state = cell.initialState(2);
            let loss = Tensor.scalar(0);
            observations.forEach((obs, t) => {
              const previousAction = Tensor.zeros(2, 3);
              if (t > 0) for (const [b, a] of actions[t - 1].entries()) previousAction.data[b * 3 + a] = 1;
              const input = ops.concatColumns([obs, previousAction, Tensor.full(2, 1, t * 0.5)]);
              state = cell.step(input, state);
              const logProb = ops.gatherColumns(ops.logSoftmax(policy.forward(state.h)), actions[t]);
              const v = value.forward(state.h);
              const advantage = ops.sub(Tensor.from(returns[t].map((r) => [r])), v);
              // The advantage weighting the log-probability is data (as after a detach), so it is fixed here.
              const policyLoss = ops.mean(ops.scaleRows(logProb, advantages[t]));
              loss = ops.add(loss, ops.sub(ops.scale(ops.mean(ops.square(advantage)), 0.5), policyLoss));
            });
            return loss;
          },
          inputsOf(cell, policy, value),
        );
      },
    },
    {
      // The spike replaced by its smooth stand-in, whose derivative is the pseudo-derivative.
      name: 'spikingStep (LIF and adaptive neurons, smooth spike, 4 steps)',
      run: () => {
        const rng = Rng.fromSeed('spikingStep');
        const B = 2;
        const I = 3;
        const N = 4;
        const x = randomTensor(rng, B, I);
        const v0 = randomTensor(rng, B, N);
        const a0 = Tensor.full(B, N, 0.2);
        const z0 = Tensor.full(B, N, 0.1);
        const o0 = randomTensor(rng, B, N);
        const wIn = randomTensor(rng, I, N);
        const wRec = randomTensor(rng, N, N);
        const constants: ops.SpikingConstants = {
          alpha: 0.9,
          rho: 0.95,
          kappa: 0.8,
          threshold: 1,
          beta: Float64Array.from([0, 0.7, 0, 1.3]),
          refractory: 0,
          dampening: 0.3,
          spike: 'smooth',
        };
        return gradcheck(
          () => {
            let s: ops.SpikingState = { v: v0, a: a0, z: z0, o: o0, refractory: new Float64Array(B * N) };
            for (let t = 0; t < 4; t++) s = ops.spikingStep(x, s, wIn, wRec, constants);
            return ops.concatColumns([s.v, s.a, s.z, s.o]);
          },
          { x, v0, a0, z0, o0, wIn, wRec },
        );
      },
    },
    plasticCase('hebbian', 3, false),
    plasticCase('neuromodulated', 3, false),
    plasticCase('retroactive', 3, false),
    plasticCase('neuromodulated', 1, true),
    plasticCase('retroactive', 1, true),
    plasticCase('hebbian', 2, false, true),
    plasticCase('neuromodulated', 2, false, true),
    plasticCase('retroactive', 2, false, true),
  ];
}
