// TEM-t (src/icl/tem-t.ts) and what is measured of models on graph-walk (src/icl/walk-evaluate.ts,
// src/icl/walk-representations.ts): gradients, the path integrator, the reset-state lesion,
// accuracy by kind, and the representation measures on maps whose values are known.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { createSequenceModel, crossEntropy, walkInputs, walkTargets } from '../../src/icl/sequence-models.ts';
import { walkSource } from '../../src/icl/sequence-train.ts';
import type { TemT } from '../../src/icl/tem-t.ts';
import { countWalkPredictions, emptyWalkCounts, evaluateWalks, walkAccuracies } from '../../src/icl/walk-evaluate.ts';
import {
  gridScore,
  pearson,
  rateMap,
  spatialInformation,
  spreadSteps,
  squareGridScore,
  walkRepresentations,
} from '../../src/icl/walk-representations.ts';
import { clusteredProportion, tQuantile975 } from '../../src/measures/stats.ts';
import { GRADCHECK_TOLERANCE } from '../../src/nn/checks.ts';
import { gradcheck } from '../../src/nn/gradcheck.ts';
import { noGrad } from '../../src/nn/tape.ts';
import { createGraphWalk, KIND_NEW_PATH, MOVES } from '../../tasks/graph-walk.ts';

const walk = createGraphWalk({ widths: [3], alphabet: 4, steps: 6 });
const source = walkSource(walk);

describe('tem-t', () => {
  it('has gradients that match finite differences, with tied or separate keys', () => {
    const data = source.sample(Rng.fromSeed('gc'), 2);
    // ReLU's kink would make finite differences through six steps depend on the seed; the relu op
    // itself is checked away from zero in src/nn/checks.ts.
    for (const activation of ['identity', 'tanh'])
      for (const tiedKeys of [true, false]) {
        const model = createSequenceModel(
          'tem-t',
          source.inputSize,
          source.outputSize,
          { position: 4, width: 4, heads: 2, activation, tiedKeys },
          Rng.fromSeed('m'),
        );
        const r = gradcheck(() => crossEntropy(model.logits(data.inputs, 2), data.targets), model.parameters());
        expect(r.maxRelError, `${activation}, tied ${tiedKeys}`).toBeLessThan(GRADCHECK_TOLERANCE);
        expect(r.gradientNorm).toBeGreaterThan(1e-4);
      }
  });

  it('counts its parameters: g_0, one matrix per move, the projections and the readout', () => {
    const count = (tiedKeys: boolean) =>
      createSequenceModel('tem-t', 50, 45, { position: 8, width: 6, tiedKeys }, Rng.fromSeed('p')).parameterCount();
    // g_0 8; transitions 5·8·8; query 8·6; values 45·6 + 6; readout 6·45 + 45.
    expect(count(true)).toBe(8 + 5 * 64 + 48 + 276 + 315);
    expect(count(false)).toBe(count(true) + 48);
    expect(() => createSequenceModel('tem-t', 45, 45, {}, Rng.fromSeed('p'))).toThrow(UsageError);
    expect(() => createSequenceModel('tem-t', 50, 45, { width: 6, heads: 4 }, Rng.fromSeed('p'))).toThrow(/divide/);
  });

  it('integrates moves only: its position code does not depend on what the walk sees', () => {
    const model = createSequenceModel('tem-t', 9, 4, { position: 5, width: 4 }, Rng.fromSeed('g')) as TemT;
    const batch = walk.sampleWalks(Rng.fromSeed('w'), 3);
    const inputs = walkInputs(batch, MOVES.length);
    const other = { ...batch, observations: batch.observations.map((o) => (o + 1) % 4) };
    const a = noGrad(() => model.logitsWithTrace(inputs, 3));
    const b = noGrad(() => model.logitsWithTrace(walkInputs(other, MOVES.length), 3));
    expect(Array.from(b.trace.positions)).toEqual(Array.from(a.trace.positions));
    expect(Array.from(b.logits.data)).not.toEqual(Array.from(a.logits.data));
    // The memory neurons of position t sum to 1 over memories 0 … t and are 0 after.
    const T = 6;
    for (let s = 0; s < 3; s++)
      for (let t = 0; t < T; t++) {
        const row = a.trace.memory[0].weights.subarray((s * T + t) * T, (s * T + t + 1) * T);
        expect(row.slice(0, t + 1).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
        expect(Array.from(row.slice(t + 1))).toEqual(new Array(T - t - 1).fill(0));
      }
  });

  it('under reset-state, every model reads a step without anything it saw before', () => {
    const batch = walk.sampleWalks(Rng.fromSeed('f'), 2);
    const changed = Int32Array.from(batch.observations);
    // The observation at step 2 of walk 0 changes; with memory, later predictions may change, without, never.
    changed[2 * 2] = (changed[2 * 2] + 1) % 4;
    const models = [
      createSequenceModel('tem-t', 9, 4, { position: 5, width: 4 }, Rng.fromSeed('a')),
      createSequenceModel('lstm', 9, 4, { hidden: 5 }, Rng.fromSeed('a')),
      createSequenceModel('transformer', 9, 4, { width: 8, heads: 2, mlp: 8, maxLength: 6 }, Rng.fromSeed('a')),
    ];
    for (const model of models) {
      const forget = (obs: Int32Array) =>
        noGrad(() => model.logitsForgetting(walkInputs({ ...batch, observations: obs }, MOVES.length), 2)).data;
      const intact = (obs: Int32Array) =>
        noGrad(() => model.logits(walkInputs({ ...batch, observations: obs }, MOVES.length), 2)).data;
      const [a, b] = [forget(batch.observations), forget(changed)];
      // Rows t·2 + 0 for t > 2 read only their own step.
      for (let t = 3; t < 6; t++)
        expect(Array.from(b.subarray(t * 2 * 4, t * 2 * 4 + 4)), model.model).toEqual(
          Array.from(a.subarray(t * 2 * 4, t * 2 * 4 + 4)),
        );
      expect(Array.from(intact(changed).subarray(3 * 8, 3 * 8 + 4)), model.model).not.toEqual(
        Array.from(intact(batch.observations).subarray(3 * 8, 3 * 8 + 4)),
      );
    }
  });
});

describe('accuracy by kind of place', () => {
  it('counts a perfect reader as right everywhere and splits the predictions by kind', () => {
    const batch = createGraphWalk({ widths: [4], alphabet: 6, steps: 40 }).sampleWalks(Rng.fromSeed('k'), 5);
    const S = 5;
    const A = 6;
    const perfect = new Float64Array(40 * S * A);
    const targets = walkTargets(batch);
    for (let r = 0; r < 40 * S; r++) perfect[r * A + targets[r]] = 1;
    const counts = emptyWalkCounts(S);
    countWalkPredictions(batch, perfect, counts);
    const a = walkAccuracies(counts);
    let total = 0;
    for (const k of ['new', 'walked', 'newPath', 'stay'] as const) {
      total += a[k].n;
      if (a[k].n > 0) expect(a[k].p).toBe(1);
    }
    expect(total).toBe(40 * S);
    let stays = 0;
    for (let r = S; r < 41 * S; r++) stays += batch.stays[r];
    expect(a.stay.n).toBe(stays);
    expect(a.new.n).toBeGreaterThan(0);
    expect(a.newPath.n).toBeGreaterThan(0);
    // New routes split into steps straight back (to the place of two steps before) and the rest.
    let back = 0;
    for (let r = 2 * S; r < 41 * S; r++)
      if (batch.kinds[r] === KIND_NEW_PATH && !batch.stays[r] && batch.places[r] === batch.places[r - 2 * S]) back++;
    expect(a.newPathBack.n).toBe(back);
    expect(back).toBeGreaterThan(0);
    expect(a.newPathBack.n + a.newPathOther.n).toBe(a.newPath.n);
  });

  it('sees the same walks for every model and chunking, and an untrained model near chance on new places', () => {
    const family = createGraphWalk({ widths: [4], alphabet: 10, steps: 30 });
    const model = createSequenceModel('tem-t', 15, 10, { position: 6, width: 6 }, Rng.fromSeed('u'));
    const a = evaluateWalks(model, family, Rng.fromSeed('e'), 20, { chunk: 20, forgetting: true });
    const b = evaluateWalks(model, family, Rng.fromSeed('e'), 20, { chunk: 20 });
    expect(Array.from(b.intact.newPath.correct)).toEqual(Array.from(a.intact.newPath.correct));
    expect(b.forgetting).toBeNull();
    expect(a.forgetting).not.toBeNull();
    expect(walkAccuracies(a.intact).new.p).toBeLessThan(0.3);
  });

  it('pools a proportion over clusters with an interval over clusters', () => {
    const p = clusteredProportion([3, 1, 2, 0], [4, 2, 2, 0]);
    expect(p.p).toBeCloseTo(6 / 8, 12);
    expect([p.n, p.clusters]).toEqual([8, 3]);
    // Residuals c − p·n: 0, −0.5, 0.5; se = √(0.5 / 6) / (8 / 3), on 2 degrees of freedom.
    const half = tQuantile975(2) * (Math.sqrt(0.5 / 6) / (8 / 3));
    expect(p.ci95[0]).toBeCloseTo(0.75 - half, 6);
    expect(p.ci95[1]).toBeCloseTo(Math.min(1, 0.75 + half), 6);
    expect(Number.isNaN(clusteredProportion([1], [2]).ci95[0])).toBe(true);
    expect(Number.isNaN(clusteredProportion([0, 0], [0, 0]).p)).toBe(true);
  });
});

describe('representation measures', () => {
  it('rate maps average per place; spatial information is log2 N for a single-place unit and 0 for a flat one', () => {
    expect(rateMap([0, 1, 1, 3], [2, 4, 6, 1], 4).map((v) => (Number.isNaN(v) ? null : v))).toEqual([2, 5, null, 1]);
    const occupancy = new Array(16).fill(10);
    const single = new Array(16).fill(0);
    single[5] = 3;
    expect(spatialInformation(single, occupancy)).toBeCloseTo(4, 12);
    expect(spatialInformation(new Array(16).fill(0.7), occupancy)).toBe(0);
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });

  it('scores a hexagonal pattern as a grid and a square one below it, and the square score the other way round', () => {
    const width = 25;
    const map = (angles: number[]) => {
      const out: number[] = [];
      for (let y = 0; y < width; y++)
        for (let x = 0; x < width; x++)
          out.push(angles.reduce((s, a) => s + Math.cos(((2 * Math.PI) / 7) * (x * Math.cos(a) + y * Math.sin(a))), 0));
      return out;
    };
    const hexagonal = gridScore(map([0, Math.PI / 3, (2 * Math.PI) / 3]), width);
    const square = gridScore(map([0, Math.PI / 2]), width);
    expect(hexagonal).toBeGreaterThan(0.3);
    expect(square).toBeLessThan(0);
    expect(squareGridScore(map([0, Math.PI / 2]), width)).toBeGreaterThan(0.3);
    expect(squareGridScore(map([0, Math.PI / 3, (2 * Math.PI) / 3]), width)).toBeLessThan(0);
  });

  it('maps an untrained TEM-t in two environments of one width', () => {
    const family = createGraphWalk({ widths: [3, 4], alphabet: 8, steps: 10 });
    const model = createSequenceModel('tem-t', 13, 8, { position: 5, width: 4, heads: 2 }, Rng.fromSeed('r')) as TemT;
    const r = walkRepresentations(model, family, Rng.fromSeed('maps'), { width: 4, steps: 60, memoryNeurons: 3 });
    expect(r.environments.map((e) => e.length)).toEqual([16, 16]);
    expect(r.positionMaps.map((e) => e.length)).toEqual([5, 5]);
    expect(r.memoryMaps.map((e) => e.length)).toEqual([3, 3]);
    expect(r.memorySteps).toEqual([10, 20, 30]);
    // More neurons than steps in the first half: each step once, never step 0.
    expect(spreadSteps(40, 10)).toEqual([1, 2, 3, 4, 5]);
    expect(r.positionMaps[0][0]).toHaveLength(16);
    expect(r.gridScores[0]).toHaveLength(5);
    expect(r.positionCorrelation).toHaveLength(5);
    expect(r.start).toBe(2 * 4 + 2);
    for (const info of r.positionInformation.flat()) expect(info).toBeGreaterThanOrEqual(0);
    // The same stream gives the same maps.
    const again = walkRepresentations(model, family, Rng.fromSeed('maps'), { width: 4, steps: 60, memoryNeurons: 3 });
    expect(again.positionCorrelation).toEqual(r.positionCorrelation);
  });
});
