// Measures of in-context learning in sequence models, on hand-made losses, attention patterns and logits.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import {
  crossEntropyByRow,
  inContextLearningScore,
  labelAccuracy,
  lastPositionLogits,
  meanByPosition,
  olssonWindows,
  prefixMatchingScore,
  prefixMatchingScores,
  previousTokenScore,
  repeatPositions,
  segmentLosses,
} from '../../src/icl/sequence-measures.ts';
import {
  createSequenceModel,
  inductionInputs,
  inductionTargets,
  type SequenceTransformer,
} from '../../src/icl/sequence-models.ts';
import { noGrad } from '../../src/nn/tape.ts';
import { createIclInduction } from '../../tasks/icl-induction.ts';

/** A one-sequence attention pattern from a function of (t, u). */
function pattern(T: number, weight: (t: number, u: number) => number) {
  const weights = new Float64Array(T * T);
  for (let t = 0; t < T; t++) for (let u = 0; u <= t; u++) weights[t * T + u] = weight(t, u);
  return { sequences: 1, length: T, weights };
}

describe('losses by position', () => {
  it('crossEntropyByRow is −log softmax of the target, per row', () => {
    const logits = Float64Array.from([0, 0, 0, 0, Math.log(3), 0, 0, 0, 0, 1000, 0, 0]);
    const loss = crossEntropyByRow(logits, [2, 0, 0], 4);
    expect(loss[0]).toBeCloseTo(Math.log(4), 12);
    expect(loss[1]).toBeCloseTo(Math.log(2), 12);
    expect(loss[2]).toBeCloseTo(1000, 9); // no overflow
    expect(() => crossEntropyByRow(logits, [4, 0, 0], 4)).toThrow(/not a class/);
  });

  it('meanByPosition averages over the sequences of time-major values', () => {
    expect(Array.from(meanByPosition([1, 3, 5, 7, 0, 2], 2))).toEqual([2, 6, 1]);
  });

  it("Olsson et al.'s score is the late loss minus the early loss", () => {
    expect(inContextLearningScore([3, 3, 2, 1], { early: 0, late: 3 })).toBe(-2);
    expect(inContextLearningScore([3, 3, 2, 1], { early: [0, 2], late: [2, 4] })).toBe(-1.5);
    expect(olssonWindows(512)).toEqual({ early: 50, late: 500 });
    expect(olssonWindows(63)).toEqual({ early: 6, late: 61 });
    expect(inContextLearningScore(Float64Array.from({ length: 512 }, (_, t) => 10 - t / 100))).toBeCloseTo(-4.5, 12);
    expect(() => inContextLearningScore([1, 2], { early: 0, late: 2 })).toThrow(/window/);
  });

  it('segmentLosses compares the repeat with the first occurrence, position by position', () => {
    // Two sequences of 8 tokens (7 predictions), segment 3: sequence 0 has it at 1 and 4, sequence 1 at 0 and 5.
    const family = createIclInduction({ vocabulary: 5, length: 8, segment: 3 });
    const batch = family.sampleSequences(Rng.fromSeed('seg'), 2);
    const S = 2;
    // A copying predictor: loss log 5 everywhere but 0.1 where the target lies in the repeat after its first token.
    const losses = new Float64Array(7 * S);
    for (let t = 0; t < 7; t++) {
      for (let s = 0; s < S; s++) {
        const b = batch.repeatStart[s];
        losses[t * S + s] = t >= b && t < b + 2 ? 0.1 : Math.log(5);
      }
    }
    const result = segmentLosses(losses, batch);
    expect(result.first).toBeCloseTo(Math.log(5), 12);
    expect(result.repeat).toBeCloseTo(0.1, 12);
    expect(result.difference).toBeCloseTo(0.1 - Math.log(5), 12);
    expect(Array.from(result.repeatByOffset)).toEqual([0.1, 0.1]);
    expect(result.firstByOffset.length).toBe(2);
  });

  it("segmentLosses counts each sequence's positions up to its own segment length", () => {
    // One sequence of 8 tokens (7 predictions): segment of 2 at 0 and 3 (the longest segment 4).
    const layout = {
      sequences: 1,
      segment: 4,
      segments: [2],
      regions: [1, 1, 0, 2, 2, 0, 0, 0],
      offsets: [0, 1, -1, 0, 1, -1, -1, -1],
    };
    const result = segmentLosses([5, 9, 9, 1, 9, 9, 9], layout);
    expect(result.first).toBe(5);
    expect(result.repeat).toBe(1);
    expect(Array.from(result.repeatByOffset)).toEqual([1, Number.NaN, Number.NaN]);
  });
});

describe('attention scores', () => {
  const tokens = [0, 1, 2, 0, 1, 2];

  it('a perfect induction head has prefix-matching score 1 and previous-token score 0 here', () => {
    const induction = pattern(6, (t, u) => (t < 3 ? (u === 0 ? 1 : 0) : u === t - 2 ? 1 : 0));
    expect(prefixMatchingScore(tokens, induction)).toBe(1);
    expect(previousTokenScore(induction)).toBeCloseTo(1 / 5, 12); // only t = 1 attends to t − 1 = 0
  });

  it('a previous-token head scores 1 on previous tokens and 0 on prefix matching', () => {
    const previous = pattern(6, (t, u) => (t === 0 || u === t - 1 ? 1 : 0));
    expect(previousTokenScore(previous)).toBe(1);
    expect(prefixMatchingScore(tokens, previous)).toBe(0);
  });

  it('uniform attention scores the mean of 1/(t + 1) over positions with an earlier occurrence', () => {
    const uniform = pattern(6, (t) => 1 / (t + 1));
    expect(prefixMatchingScore(tokens, uniform)).toBeCloseTo((1 / 4 + 1 / 5 + 1 / 6) / 3, 12);
    // Two earlier occurrences: their successors' weights add.
    const twice = [0, 1, 0, 1, 0];
    expect(
      prefixMatchingScore(
        twice,
        pattern(5, (t) => 1 / (t + 1)),
      ),
    ).toBeCloseTo((1 / 3 + 1 / 4 + 2 / 5) / 3, 12);
    expect(
      prefixMatchingScore(
        [0, 1, 2],
        pattern(3, (t) => 1 / (t + 1)),
      ),
    ).toBeNaN();
  });

  it('counts only the included positions', () => {
    const uniform = pattern(6, (t) => 1 / (t + 1));
    expect(prefixMatchingScore(tokens, uniform, { include: [0, 0, 0, 0, 1, 1] })).toBeCloseTo((1 / 5 + 1 / 6) / 2, 12);
    expect(prefixMatchingScore(tokens, uniform, { include: [1, 1, 1, 0, 0, 0] })).toBeNaN();
    expect(Array.from(repeatPositions({ regions: [0, 1, 2, 2, 0] }))).toEqual([0, 0, 1, 1, 0]);
  });

  it('with an offset c, scores the attention to c positions after an earlier occurrence', () => {
    // Tokens 0 1 2 0 1 2: a head at t = 3, 4, 5 attending to t − 1 is 2 after the occurrence at t − 3.
    const shifted = pattern(6, (t, u) => (t < 3 ? (u === 0 ? 1 : 0) : u === t - 1 ? 1 : 0));
    expect(prefixMatchingScore(tokens, shifted)).toBe(0);
    expect(prefixMatchingScore(tokens, shifted, { offset: 2 })).toBe(1);
    expect(prefixMatchingScore(tokens, shifted, { offset: 3 })).toBe(0);
    expect(() => prefixMatchingScore(tokens, shifted, { offset: 0 })).toThrow(/offset/);
  });

  it("reads a batch's sequences with their own tokens, and every head of a model", () => {
    // Sequence 0 is tokens above; sequence 1 never repeats, so only sequence 0 counts.
    const S = 2;
    const T = 6;
    const both = [0, 5, 1, 6, 2, 7, 0, 8, 1, 9, 2, 10];
    const weights = new Float64Array(S * T * T);
    for (let t = 3; t < T; t++) weights[(0 * T + t) * T + t - 2] = 1;
    expect(prefixMatchingScore(both, { sequences: S, length: T, weights })).toBe(1);

    const family = createIclInduction({ vocabulary: 5, length: 10, segment: 3 });
    const batch = family.sampleSequences(Rng.fromSeed('heads'), 4);
    const model = createSequenceModel(
      'transformer',
      5,
      5,
      { width: 8, heads: 2, layers: 2, attentionOnly: true },
      Rng.fromSeed('heads'),
    ) as SequenceTransformer;
    const { logits, attention } = noGrad(() => model.logitsWithAttention(inductionInputs(batch), 4));
    const scores = prefixMatchingScores(batch.tokens, attention);
    expect(scores.length).toBe(2);
    for (const layer of scores) {
      expect(layer.length).toBe(2);
      for (const score of layer) {
        expect(score).toBeGreaterThan(0);
        expect(score).toBeLessThan(1);
      }
    }
    const losses = crossEntropyByRow(logits.data, inductionTargets(batch), 5);
    expect(losses.length).toBe(36);
    expect(Number.isFinite(segmentLosses(losses, batch).difference)).toBe(true);
  });
});

describe('label accuracy', () => {
  it('counts argmax hits, among all labels or among the given ones', () => {
    const logits = Float64Array.from([0, 1, 5, 2, 1, 0]);
    expect(labelAccuracy(logits, [1, 0], 3)).toBe(0.5);
    expect(labelAccuracy(logits, [1, 0], 3, [0, 1])).toBe(1);
    expect(Array.from(lastPositionLogits(Float64Array.from([9, 9, 9, 9, 1, 2, 3, 4]), 2, 2))).toEqual([1, 2, 3, 4]);
  });
});
