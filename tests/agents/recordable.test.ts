// What the agents record (`engram eval --record`): every agent with internal state declares its
// variables, returns batch × size values after every step, and those values are its real state
// (checked against the LSTM and GRU equations by hand, the transformer's head and attention
// computed again from the recorded stream and keys, the Hebbian and TD rules, the trace norms);
// reading them changes nothing the agent does, shipped checkpoints included.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ActorCriticAgent } from '../../agents/actor-critic.ts';
import type { HebbianAgent } from '../../agents/hebbian.ts';
import { findAgent } from '../../agents/index.ts';
import { NetworkAgent } from '../../agents/kit/network-agent.ts';
import type { RecurrentActorCritic } from '../../agents/kit/recurrent.ts';
import type { PlasticRnnNetwork, PlasticState } from '../../agents/plastic-rnn.ts';
import type { TransformerActorCritic } from '../../agents/transformer.ts';
import { encodeInput, policyInputSize } from '../../src/core/policy.ts';
import { recordableSize } from '../../src/core/recordable.ts';
import { Rng } from '../../src/core/rng.ts';
import type { Agent, AgentInput, AgentOutput, EpisodeRecord, TaskFamily } from '../../src/core/types.ts';
import { networkFromCheckpoint, readCheckpoint } from '../../src/experiments/checkpoint.ts';
import type { GruCell } from '../../src/nn/layers/gru.ts';
import type { LstmCell } from '../../src/nn/layers/lstm.ts';
import type { LstmState } from '../../src/nn/ops/recurrent.ts';
import { noGrad } from '../../src/nn/tape.ts';
import { Tensor } from '../../src/nn/tensor.ts';
import { evaluate } from '../../src/rl/rollout.ts';
import { findTask } from '../../tasks/index.ts';

const bandit = findTask('bandit-correlated').create({ variant: 'uniform', trials: 12 });
const maze = findTask('watermaze').create({ timeStep: 2, timeout: 20, placeCells: 16 });

type Declared = [name: string, shape: number[], memory: string, onRequest?: boolean];

interface Case {
  label: string;
  agent: string;
  options: Record<string, unknown>;
  family: TaskFamily;
  declared: Declared[];
}

const H = 5;
const A = bandit.numActions;
const CASES: Case[] = [
  {
    label: 'lstm',
    agent: 'lstm',
    options: { hidden: H },
    family: bandit,
    declared: [
      ['h', [H], 'activity'],
      ['c', [H], 'activity'],
    ],
  },
  { label: 'gru', agent: 'gru', options: { hidden: H }, family: bandit, declared: [['h', [H], 'activity']] },
  {
    label: 'transformer',
    agent: 'transformer',
    options: { width: 8, layers: 2, heads: 2, mlp: 12 },
    family: bandit,
    declared: [0, 1].flatMap((l): Declared[] => [
      [`residual.${l}`, [8], 'activity'],
      [`attention.${l}`, [2, bandit.episodeLength], 'readout'],
      [`cache.${l}`, [2, bandit.episodeLength, 8], 'activity', true],
    ]),
  },
  ...(['hebbian', 'neuromodulated', 'retroactive'] as const).map(
    (plasticity): Case => ({
      label: `plastic-rnn (${plasticity})`,
      agent: 'plastic-rnn',
      options: { hidden: H, plasticity },
      family: bandit,
      declared: [
        ['h', [H], 'activity'],
        ['trace-norm', [1], 'synapses'],
        ['trace-mean-abs', [1], 'synapses'],
        ['traces', [H, H], 'synapses', true],
        ...(plasticity === 'hebbian' ? [] : [['modulation', [1], 'readout'] as Declared]),
        ...(plasticity === 'retroactive'
          ? [['eligibility-norm', [1], 'synapses'] as Declared, ['eligibility', [H, H], 'synapses', true] as Declared]
          : []),
      ],
    }),
  ),
  {
    label: 'hebbian',
    agent: 'hebbian',
    options: {},
    family: bandit,
    declared: [
      ['weights', [A, 1], 'synapses'],
      ['eligibility', [A, 1], 'activity'],
      ['baseline', [1], 'activity'],
    ],
  },
  {
    label: 'actor-critic',
    agent: 'actor-critic',
    options: {},
    family: maze,
    declared: [
      ['critic', [16], 'synapses'],
      ['actor', [maze.numActions, 16], 'synapses'],
      ['td-error', [1], 'readout'],
    ],
  },
];

function byLabel(label: string): Case {
  const c = CASES.find((c) => c.label === label);
  if (c === undefined) throw new Error(`no case ${label}`);
  return c;
}

function create(c: Case, seed = 'recordable'): Agent {
  return findAgent(c.agent).create(c.family, c.options, Rng.fromSeed(seed));
}

/** One step of a traced rollout: a copy of the input, the output, and every variable read after it. */
interface TracedStep {
  input: AgentInput;
  out: AgentOutput;
  read: Map<string, Float64Array>;
}

/**
 * The agent, wrapped to keep every step's input and output and, with `read`, to read every
 * recordable variable (on request or not) after every step.
 */
function traced(agent: Agent, read: boolean): { agent: Agent; steps: TracedStep[] } {
  const steps: TracedStep[] = [];
  const names = (agent.recordable?.() ?? []).map((v) => v.name);
  const wrapper: Agent = {
    id: agent.id,
    kind: agent.kind,
    numActions: agent.numActions,
    begin: (batchSize) => agent.begin(batchSize),
    act: (input) => {
      const out = agent.act(input);
      const values = new Map<string, Float64Array>();
      if (read) for (const name of names) values.set(name, agent.readRecordable!(name));
      steps.push({
        input: {
          ...input,
          observation: Float64Array.from(input.observation),
          prevAction: Int32Array.from(input.prevAction),
          prevReward: Float64Array.from(input.prevReward),
          prevInfo: [...input.prevInfo],
        },
        out: { probs: Float64Array.from(out.probs), value: out.value && Float64Array.from(out.value) },
        read: values,
      });
      return out;
    },
  };
  return { agent: wrapper, steps };
}

/** One batch of `batch` episodes, every variable read after every step. */
function rollout(agent: Agent, family: TaskFamily, batch = 3): TracedStep[] {
  const t = traced(agent, true);
  evaluate(family, t.agent, { episodes: batch, batchSize: batch, rng: Rng.fromSeed('rollout') });
  return t.steps;
}

/** The input of batch element b as the network agents encode it. */
function encoded(family: TaskFamily, input: AgentInput): Tensor {
  const B = input.prevAction.length;
  const size = policyInputSize(family);
  const x = new Tensor(B, size);
  for (let b = 0; b < B; b++) {
    const O = family.observationSize;
    encodeInput(
      x.data,
      b * size,
      input.observation,
      b * O,
      O,
      family.numActions,
      input.prevAction[b],
      input.prevReward[b],
      input.timeFraction,
    );
  }
  return x;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Row b of x (B×I) times W (I×n), plus row b of h (B×H) times U (H×n), plus a bias (n): column j. */
function affine(x: Float64Array, W: Tensor, b: number, j: number): number {
  let sum = 0;
  for (let i = 0; i < W.rows; i++) sum += x[b * W.rows + i] * W.data[i * W.cols + j];
  return sum;
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function softmax(logits: number[]): number[] {
  const top = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - top));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

describe('recordable variables', () => {
  for (const c of CASES) {
    it(`${c.label}: declares its variables, and returns batch × size finite values after every step`, () => {
      const agent = create(c);
      const declared = agent.recordable!().map((v): Declared => {
        expect(v.description.length, v.name).toBeGreaterThan(20);
        expect(v.name).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
        return v.onRequest ? [v.name, [...v.shape], v.memory, true] : [v.name, [...v.shape], v.memory];
      });
      expect(declared).toEqual(c.declared);
      const steps = rollout(agent, c.family);
      expect(steps.length).toBeGreaterThan(5);
      for (const [t, step] of steps.entries()) {
        for (const v of agent.recordable!()) {
          const values = step.read.get(v.name)!;
          expect(values.length, `${v.name} at step ${t}`).toBe(3 * recordableSize(v));
          expect(values.every(Number.isFinite), `${v.name} at step ${t}`).toBe(true);
        }
      }
    });

    it(`${c.label}: reading every variable after every step changes nothing it does (20 episodes)`, () => {
      const play = (read: boolean): [EpisodeRecord[], TracedStep[]] => {
        const t = traced(create(c), read);
        const records = evaluate(c.family, t.agent, { episodes: 20, batchSize: 7, rng: Rng.fromSeed('paired') });
        return [records, t.steps];
      };
      const [quiet, quietSteps] = play(false);
      const [reading, readingSteps] = play(true);
      expect(reading).toEqual(quiet);
      expect(readingSteps.map((s) => s.out)).toEqual(quietSteps.map((s) => s.out));
      expect(readingSteps.some((s) => s.read.size > 0)).toBe(true);
    });

    it(`${c.label}: an unknown variable is refused with an error naming the agent and the variable`, () => {
      const agent = create(c);
      rollout(agent, c.family, 1);
      for (const name of ['no-such-variable', 'h.0', 'residual.2', 'attention', 'residual.01', 'cache.-1']) {
        if (c.declared.some(([declared]) => declared === name)) continue;
        expect(() => agent.readRecordable!(name)).toThrow(new RegExp(`^${c.agent}: .*'${name.replace('.', '\\.')}'`));
      }
    });
  }

  it('plastic-rnn records no modulation without neuromodulation, no eligibility without the retroactive rule', () => {
    for (const [plasticity, refused] of [
      ['hebbian', ['modulation', 'eligibility', 'eligibility-norm']],
      ['neuromodulated', ['eligibility', 'eligibility-norm']],
    ] as const) {
      const agent = create({ ...byLabel('plastic-rnn (hebbian)'), options: { hidden: H, plasticity } });
      rollout(agent, bandit, 1);
      for (const name of refused)
        expect(() => agent.readRecordable!(name)).toThrow(/plastic-rnn: no recordable variable/);
    }
  });
});

describe('recorded values are the real state', () => {
  it('lstm: h and c are what the LSTM equations give on the same inputs, computed by hand', () => {
    const agent = create(byLabel('lstm')) as NetworkAgent<LstmState>;
    const cell = (agent.net as RecurrentActorCritic<LstmState>).core as unknown as LstmCell;
    const steps = rollout(agent, bandit);
    const B = 3;
    let h = new Float64Array(B * H);
    let c = new Float64Array(B * H);
    for (const step of steps) {
      const x = encoded(bandit, step.input).data;
      const nextH = new Float64Array(B * H);
      const nextC = new Float64Array(B * H);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          // Gate blocks i, f, g, o of x·W_ih + h·W_hh + b.
          const gate = (k: number) =>
            affine(x, cell.weightInput, b, k * H + j) +
            affine(h, cell.weightHidden, b, k * H + j) +
            cell.bias.data[k * H + j];
          const cj = sigmoid(gate(1)) * c[b * H + j] + sigmoid(gate(0)) * Math.tanh(gate(2));
          nextC[b * H + j] = cj;
          nextH[b * H + j] = sigmoid(gate(3)) * Math.tanh(cj);
        }
      }
      h = nextH;
      c = nextC;
      expect(maxAbsDifference(step.read.get('h')!, h)).toBeLessThan(1e-12);
      expect(maxAbsDifference(step.read.get('c')!, c)).toBeLessThan(1e-12);
    }
    expect(Math.max(...c.map(Math.abs))).toBeGreaterThan(0.01);
  });

  it("gru: h is what PyTorch's GRU equations give on the same inputs, computed by hand", () => {
    const agent = create(byLabel('gru')) as NetworkAgent<Tensor>;
    const cell = (agent.net as RecurrentActorCritic<Tensor>).core as unknown as GruCell;
    const steps = rollout(agent, bandit);
    const B = 3;
    let h = new Float64Array(B * H);
    for (const step of steps) {
      const x = encoded(bandit, step.input).data;
      const next = new Float64Array(B * H);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          // Gate blocks r, z, n: input part x·W_ih + b_ih, hidden part h·W_hh + b_hh.
          const input = (k: number) => affine(x, cell.weightInput, b, k * H + j) + cell.biasInput.data[k * H + j];
          const hidden = (k: number) => affine(h, cell.weightHidden, b, k * H + j) + cell.biasHidden.data[k * H + j];
          const r = sigmoid(input(0) + hidden(0));
          const z = sigmoid(input(1) + hidden(1));
          const n = Math.tanh(input(2) + r * hidden(2));
          next[b * H + j] = (1 - z) * n + z * h[b * H + j];
        }
      }
      h = next;
      expect(maxAbsDifference(step.read.get('h')!, h)).toBeLessThan(1e-12);
    }
  });

  it('transformer: attention sums to 1 over the steps taken, 0 after them; the heads read the last stream', () => {
    const agent = create(byLabel('transformer')) as NetworkAgent<unknown>;
    const net = agent.net as unknown as TransformerActorCritic;
    const steps = rollout(agent, bandit);
    const B = 3;
    const [width, heads, T] = [8, 2, bandit.episodeLength];
    const headSize = width / heads;
    for (const [t, step] of steps.entries()) {
      for (const l of [0, 1]) {
        const attention = step.read.get(`attention.${l}`)!;
        const cache = step.read.get(`cache.${l}`)!;
        for (let row = 0; row < B * heads; row++) {
          const weights = attention.subarray(row * T, (row + 1) * T);
          expect(weights.subarray(0, t + 1).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
          expect(weights.subarray(0, t + 1).every((v) => v > 0)).toBe(true);
          expect(weights.subarray(t + 1).every((v) => v === 0)).toBe(true);
        }
        for (let b = 0; b < B; b++) {
          // Keys and values of steps after t are padding.
          for (const part of [0, 1]) {
            const at = (b * 2 + part) * T * width;
            expect(cache.subarray(at + (t + 1) * width, at + T * width).every((v) => v === 0)).toBe(true);
          }
        }
      }
      // Block 1 attends from LN(residual.0): its weights are the softmax of the query against the recorded keys.
      const stream0 = new Tensor(B, width, step.read.get('residual.0')!);
      const block = net.blocks[1];
      const query = noGrad(() => block.attention.query.forward(block.attentionNorm.forward(stream0))).data;
      const key = noGrad(() => block.attention.key.forward(block.attentionNorm.forward(stream0))).data;
      const cache = step.read.get('cache.1')!;
      const attention = step.read.get('attention.1')!;
      for (let b = 0; b < B; b++) {
        // The key of the current step is the one its own stream gave.
        const keyNow = cache.subarray((b * 2 * T + t) * width, (b * 2 * T + t + 1) * width);
        expect(maxAbsDifference(keyNow, key.subarray(b * width, (b + 1) * width))).toBe(0);
        for (let h = 0; h < heads; h++) {
          const scores: number[] = [];
          for (let s = 0; s <= t; s++) {
            let dot = 0;
            for (let d = h * headSize; d < (h + 1) * headSize; d++)
              dot += query[b * width + d] * cache[(b * 2 * T + s) * width + d];
            scores.push(dot / Math.sqrt(headSize));
          }
          const row = (b * heads + h) * T;
          expect(maxAbsDifference(attention.subarray(row, row + t + 1), softmax(scores))).toBeLessThan(1e-12);
        }
      }
      // The policy head reads the final layer norm of residual.1.
      const last = new Tensor(B, width, step.read.get('residual.1')!);
      const logits = noGrad(() => net.policy.forward(net.finalNorm.forward(last))).data;
      for (let b = 0; b < B; b++) {
        const probs = softmax(Array.from(logits.subarray(b * A, (b + 1) * A)));
        expect(maxAbsDifference(step.out.probs.subarray(b * A, (b + 1) * A), probs)).toBeLessThan(1e-12);
      }
    }
  });

  it('transformer under the reset-state lesion: the cache holds the current trial only, with all the weight', () => {
    const agent = create(byLabel('transformer')) as NetworkAgent<unknown>;
    const lesioned = new NetworkAgent(bandit, agent.net, 'reset-state');
    const T = bandit.episodeLength;
    for (const step of rollout(lesioned, bandit).slice(1)) {
      const attention = step.read.get('attention.1')!;
      // One step per trial on a bandit: one cached step, at position 0.
      for (let row = 0; row < 3 * 2; row++) {
        expect(attention[row * T]).toBe(1);
        expect(attention.subarray(row * T + 1, (row + 1) * T).every((v) => v === 0)).toBe(true);
      }
    }
  });

  for (const plasticity of ['hebbian', 'neuromodulated', 'retroactive'] as const) {
    it(`plastic-rnn (${plasticity}): the state stepped by hand, and the norms of the recorded traces`, () => {
      const agent = create({
        ...byLabel('plastic-rnn (hebbian)'),
        options: { hidden: H, plasticity },
      }) as NetworkAgent<PlasticState>;
      const net = agent.net as unknown as PlasticRnnNetwork;
      const steps = rollout(agent, bandit);
      const B = 3;
      let state = net.initialState(B);
      for (const step of steps) {
        state = noGrad(() => net.step(state, encoded(bandit, step.input))).state;
        expect(step.read.get('h')).toEqual(state.h.data);
        expect(step.read.get('traces')).toEqual(state.trace.data);
        if (plasticity !== 'hebbian') expect(step.read.get('modulation')).toEqual(state.modulation);
        if (plasticity === 'retroactive') expect(step.read.get('eligibility')).toEqual(state.eligibility!.data);
        const norms = (name: string) => {
          const m = step.read.get(name)!;
          return Array.from({ length: B }, (_, b) => m.subarray(b * H * H, (b + 1) * H * H));
        };
        const frobenius = norms('traces').map((row) => Math.sqrt(row.reduce((s, v) => s + v * v, 0)));
        expect(maxAbsDifference(step.read.get('trace-norm')!, frobenius)).toBeLessThan(1e-12);
        const meanAbs = norms('traces').map((row) => row.reduce((s, v) => s + Math.abs(v), 0) / (H * H));
        expect(maxAbsDifference(step.read.get('trace-mean-abs')!, meanAbs)).toBeLessThan(1e-12);
        if (plasticity === 'retroactive') {
          const eligibility = norms('eligibility').map((row) => Math.sqrt(row.reduce((s, v) => s + v * v, 0)));
          expect(maxAbsDifference(step.read.get('eligibility-norm')!, eligibility)).toBeLessThan(1e-12);
        }
      }
      expect(Math.max(...steps[steps.length - 1].read.get('trace-norm')!)).toBeGreaterThan(1e-4);
    });
  }

  it('hebbian: after every step the weights, traces and baseline moved by the three-factor rule', () => {
    const agent = create(byLabel('hebbian')) as HebbianAgent;
    const { learningRate: eta, eligibilityTime, baselineRate: rho, temperature } = agent.options;
    const lambda = Math.exp(-1 / eligibilityTime);
    const steps = rollout(agent, bandit);
    const B = 3;
    const O = bandit.observationSize;
    let rewarded = 0;
    for (let t = 1; t < steps.length; t++) {
      const [before, now] = [steps[t - 1], steps[t]];
      for (let b = 0; b < B; b++) {
        const a = now.input.prevAction[b];
        const r = now.input.prevReward[b];
        const baseline = before.read.get('baseline')![b];
        for (let act = 0; act < A; act++) {
          for (let j = 0; j < O; j++) {
            const k = (b * A + act) * O + j;
            const e =
              lambda * before.read.get('eligibility')![k] + (act === a ? before.input.observation[b * O + j] : 0);
            expect(now.read.get('eligibility')![k]).toBeCloseTo(e, 12);
            const w = before.read.get('weights')![k] + eta * (r - baseline) * e;
            expect(now.read.get('weights')![k]).toBeCloseTo(w, 12);
          }
        }
        expect(now.read.get('baseline')![b]).toBeCloseTo(baseline + rho * (r - baseline), 12);
        if (r !== 0 && now.read.get('weights')![(b * A + a) * O] !== before.read.get('weights')![(b * A + a) * O])
          rewarded++;
        // The policy is the softmax of the recorded weights' drives.
        const drives = Array.from({ length: A }, (_, act) => {
          let sum = 0;
          for (let j = 0; j < O; j++)
            sum += now.read.get('weights')![(b * A + act) * O + j] * now.input.observation[b * O + j];
          return sum / temperature;
        });
        expect(maxAbsDifference(now.out.probs.subarray(b * A, (b + 1) * A), softmax(drives))).toBeLessThan(1e-12);
      }
    }
    expect(rewarded).toBeGreaterThan(3);
  });

  it('actor-critic: the value and policy come from the recorded weights, which moved by η δ f', () => {
    const agent = create(byLabel('actor-critic')) as ActorCriticAgent;
    const { criticLearningRate, actorLearningRate, inverseTemperature } = agent.options;
    const steps = rollout(agent, maze, 2);
    const [B, N, M] = [2, 16, maze.numActions];
    let learned = 0;
    for (const [t, now] of steps.entries()) {
      const critic = now.read.get('critic')!;
      const actor = now.read.get('actor')!;
      const f = now.input.observation;
      for (let b = 0; b < B; b++) {
        let value = 0;
        for (let i = 0; i < N; i++) value += critic[b * N + i] * f[b * N + i];
        expect(now.out.value![b]).toBeCloseTo(value, 12);
        const preferences = Array.from({ length: M }, (_, j) => {
          let s = 0;
          for (let i = 0; i < N; i++) s += actor[(b * M + j) * N + i] * f[b * N + i];
          return inverseTemperature * s;
        });
        expect(maxAbsDifference(now.out.probs.subarray(b * M, (b + 1) * M), softmax(preferences))).toBeLessThan(1e-12);
        if (t === 0) continue;
        const before = steps[t - 1];
        const delta = now.read.get('td-error')![b];
        const a = now.input.prevAction[b];
        if (delta !== 0) learned++;
        for (let i = 0; i < N; i++) {
          const fPrevious = before.input.observation[b * N + i];
          expect(critic[b * N + i]).toBeCloseTo(
            before.read.get('critic')![b * N + i] + criticLearningRate * delta * fPrevious,
            12,
          );
          for (let j = 0; j < M; j++) {
            const k = (b * M + j) * N + i;
            const change = j === a ? actorLearningRate * delta * fPrevious : 0;
            expect(actor[k]).toBeCloseTo(before.read.get('actor')![k] + change, 12);
          }
        }
      }
    }
    expect(learned).toBeGreaterThan(2);
  });
});

describe('shipped checkpoints evaluate the same when every variable is read', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  for (const name of ['bandit-wang2018-transformer', 'bandit-wang2018-plastic-rnn', 'bandit-wang2018-gru']) {
    it(name, () => {
      const file = path.join(root, 'checkpoints', `${name}.json`);
      const play = (read: boolean) => {
        const { family, net } = networkFromCheckpoint(readCheckpoint(file), file);
        const t = traced(new NetworkAgent(family, net), read);
        const records = evaluate(family, t.agent, { episodes: 20, batchSize: 10, rng: Rng.fromSeed(3) });
        return { records, outs: t.steps.map((s) => s.out) };
      };
      expect(play(true)).toEqual(play(false));
    });
  }
});
