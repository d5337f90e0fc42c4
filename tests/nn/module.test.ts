import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import {
  GruCell,
  hashParameters,
  LayerNorm,
  Linear,
  LstmCell,
  loadParameters,
  Mlp,
  Module,
  MultiHeadSelfAttention,
  noGrad,
  parametersToJSON,
  sum,
  Tape,
  Tensor,
} from './helpers.ts';

class ActorCritic extends Module {
  readonly core: LstmCell;
  readonly policy: Linear;
  readonly value: Linear;
  constructor(rng: Rng) {
    super();
    this.core = this.registerModule('core', new LstmCell({ inputSize: 4, hiddenSize: 6 }, rng));
    this.policy = this.registerModule('policy', new Linear({ inputSize: 6, outputSize: 2 }, rng));
    this.value = this.registerModule('value', new Linear({ inputSize: 6, outputSize: 1 }, rng));
  }
}

function bitsOf(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

describe('Module parameters', () => {
  it('names parameters by path, in registration order', () => {
    const model = new ActorCritic(Rng.fromSeed(1));
    expect([...model.parameters().keys()]).toEqual([
      'core.weightInput',
      'core.weightHidden',
      'core.bias',
      'policy.weight',
      'policy.bias',
      'value.weight',
      'value.bias',
    ]);
    expect(model.parameterCount()).toBe(4 * 24 + 6 * 24 + 24 + 6 * 2 + 2 + 6 + 1);
    for (const t of model.parameters().values()) expect(t.requiresGrad).toBe(true);
  });

  it('initialises from the Rng: same seed same values, PyTorch bounds ±1/√fan_in', () => {
    const a = new ActorCritic(Rng.fromSeed(7));
    const b = new ActorCritic(Rng.fromSeed(7));
    const c = new ActorCritic(Rng.fromSeed(8));
    expect(a.hash()).toBe(b.hash());
    expect(a.hash()).not.toBe(c.hash());
    const bound = 1 / Math.sqrt(6);
    const w = a.core.weightHidden.data;
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...w) - Math.min(...w)).toBeGreaterThan(bound); // spread over the range, not constant
  });

  it('serializes to plain JSON and loads back bit-exactly, including −0 and non-finite values', () => {
    const model = new ActorCritic(Rng.fromSeed(3));
    // Values that stress decimal round-tripping, plus the ones JSON numbers cannot hold.
    const special = [
      0.1 + 0.2,
      Number.MIN_VALUE,
      -Number.MAX_VALUE,
      1 / 3,
      5e-324,
      -0,
      NaN,
      Infinity,
      -Infinity,
      2 ** -1074 * 3,
    ];
    for (const [i, x] of special.entries()) model.core.bias.data[i] = x;
    const text = JSON.stringify(model.toJSON());
    const copy = new ActorCritic(Rng.fromSeed(99));
    expect(copy.hash()).not.toBe(model.hash());
    copy.fromJSON(JSON.parse(text));
    for (const [name, t] of model.parameters()) {
      const other = copy.parameters().get(name)!;
      for (let i = 0; i < t.size; i++) expect(bitsOf(other.data[i])).toBe(bitsOf(t.data[i]));
    }
    expect(Object.is(copy.core.bias.data[5], -0)).toBe(true);
    expect(copy.hash()).toBe(model.hash());
  });

  it('round-trips every layer type', () => {
    const rng = Rng.fromSeed(5);
    const layers: Module[] = [
      new GruCell({ inputSize: 3, hiddenSize: 2 }, rng),
      new Mlp({ sizes: [3, 4, 2] }, rng),
      new LayerNorm({ size: 3 }),
      new MultiHeadSelfAttention({ modelSize: 4, numHeads: 2 }, rng),
    ];
    for (const layer of layers) {
      const json = JSON.parse(JSON.stringify(layer.toJSON()));
      const before = layer.hash();
      for (const t of layer.parameters().values()) t.data.fill(0.5);
      expect(layer.hash()).not.toBe(before);
      layer.fromJSON(json);
      expect(layer.hash()).toBe(before);
    }
  });

  it('rejects checkpoints of another architecture and leaves the parameters intact', () => {
    const model = new ActorCritic(Rng.fromSeed(1));
    const before = model.hash();
    const json = model.toJSON();
    expect(() => model.fromJSON({ ...json, extra: json['policy.bias'] })).toThrow(/unknown parameter 'extra'/);
    const { 'value.bias': _dropped, ...missing } = json;
    expect(() => model.fromJSON(missing)).toThrow(/'value.bias' is missing/);
    expect(() => model.fromJSON({ ...json, 'policy.bias': { rows: 1, cols: 3, data: [0, 0, 0] } })).toThrow(
      /has shape 1x3, expected 1x2/,
    );
    const corrupted = JSON.parse(JSON.stringify(json));
    corrupted['value.weight'].data[2] = 'oops';
    expect(() => model.fromJSON(corrupted)).toThrow(/value.weight.*"oops"/);
    expect(model.hash()).toBe(before);
  });

  it('hashes deterministically over names, shapes and bytes', () => {
    const t = Tensor.from([[1, 2]]);
    const h1 = hashParameters(new Map([['a', t]]));
    expect(h1).toMatch(/^[0-9a-f]{64}$/);
    expect(hashParameters(new Map([['a', Tensor.from([[1, 2]])]]))).toBe(h1);
    expect(hashParameters(new Map([['b', Tensor.from([[1, 2]])]]))).not.toBe(h1);
    expect(hashParameters(new Map([['a', Tensor.from([[1], [2]])]]))).not.toBe(h1);
    expect(hashParameters(new Map([['a', Tensor.from([[1, 2 + 2 ** -51]])]]))).not.toBe(h1);
    // Order of insertion does not matter (sorted by name).
    const x = Tensor.scalar(1);
    const y = Tensor.scalar(2);
    expect(
      hashParameters(
        new Map([
          ['x', x],
          ['y', y],
        ]),
      ),
    ).toBe(
      hashParameters(
        new Map([
          ['y', y],
          ['x', x],
        ]),
      ),
    );
    const record = parametersToJSON(new Map([['a', t]]));
    const u = Tensor.zeros(1, 2);
    loadParameters(new Map([['a', u]]), record);
    expect(Array.from(u.data)).toEqual([1, 2]);
  });

  it('zeroGrad clears accumulated gradients; backward accumulates across calls', () => {
    const layer = new Linear({ inputSize: 2, outputSize: 1 }, Rng.fromSeed(2));
    const x = Tensor.from([[1, 2]]);
    for (let k = 0; k < 2; k++) {
      const tape = new Tape();
      tape.backward(tape.record(() => sum(layer.forward(x))));
    }
    expect(Array.from(layer.weight.grad!)).toEqual([2, 4]);
    expect(Array.from(layer.bias!.grad!)).toEqual([2]);
    layer.zeroGrad();
    expect(Array.from(layer.weight.grad!)).toEqual([0, 0]);
  });

  it('inference mode records nothing and leaves the parameters and their hash unchanged', () => {
    const model = new ActorCritic(Rng.fromSeed(4));
    const before = model.hash();
    const tape = new Tape();
    let recorded = -1;
    tape.record(() => {
      const out = noGrad(() => {
        let state = model.core.initialState(3);
        for (let t = 0; t < 5; t++) state = model.core.step(Tensor.full(3, 4, 0.5), state);
        return model.policy.forward(state.h);
      });
      expect(out.requiresGrad).toBe(false);
      recorded = tape.length;
    });
    expect(recorded).toBe(0);
    expect(model.hash()).toBe(before);
    // Without any tape, nothing is recorded either.
    const y = model.policy.forward(Tensor.zeros(1, 6));
    expect(y.requiresGrad).toBe(false);
  });

  it('rejects unknown and out-of-range options', () => {
    const rng = Rng.fromSeed(0);
    expect(() => new Linear({ inputSize: 2, outputSize: 3, bais: false } as never, rng)).toThrow(
      /unknown option 'bais'/,
    );
    expect(() => new LstmCell({ inputSize: 0, hiddenSize: 3 }, rng)).toThrow(/inputSize.*positive integer/);
    expect(() => new MultiHeadSelfAttention({ modelSize: 5, numHeads: 2 }, rng)).toThrow(/does not divide/);
    expect(() => new Mlp({ sizes: [3] }, rng)).toThrow(/at least/);
  });
});
