// Frozen evaluation of sequence models on icl-induction and icl-bursty.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { evaluateBursty, evaluateInduction, sliceInduction } from '../../src/icl/sequence-evaluate.ts';
import { createSequenceModel } from '../../src/icl/sequence-models.ts';
import { createIclBursty } from '../../tasks/icl-bursty.ts';
import { createIclInduction } from '../../tasks/icl-induction.ts';

describe('evaluateInduction', () => {
  const family = createIclInduction({ vocabulary: 6, length: 12, segment: 4 });

  it('measures losses by position, the repeat against the first occurrence, and every head, in any chunks', () => {
    const model = createSequenceModel(
      'transformer',
      6,
      6,
      { width: 8, heads: 2, layers: 2, attentionOnly: true },
      Rng.fromSeed('e'),
    );
    const whole = evaluateInduction(model, family, Rng.fromSeed('eval'), 10, { prefixOffsets: [2, 1, 4] });
    const chunked = evaluateInduction(model, family, Rng.fromSeed('eval'), 10, { chunk: 3, prefixOffsets: [2, 1, 4] });
    expect(whole.lossByPosition.length).toBe(11);
    for (let t = 0; t < 11; t++) expect(chunked.lossByPosition[t]).toBeCloseTo(whole.lossByPosition[t], 12);
    expect(chunked.segment.difference).toBeCloseTo(whole.segment.difference, 12);
    expect(whole.prefixMatching!.map((l) => l.length)).toEqual([2, 2]);
    for (let l = 0; l < 2; l++) {
      for (let h = 0; h < 2; h++) {
        expect(chunked.prefixMatching![l][h]).toBeCloseTo(whole.prefixMatching![l][h], 12);
        expect(chunked.previousToken![l][h]).toBeCloseTo(whole.previousToken![l][h], 12);
      }
    }
    expect(Number.isFinite(whole.inContextLearningScore)).toBe(true);
    // By offset, in the order asked for, each pooled over the chunks exactly.
    expect(whole.prefixOffsets).toEqual([2, 1, 4]);
    expect(whole.prefixMatchingByOffset![1]).toEqual(whole.prefixMatching);
    for (let i = 0; i < 3; i++)
      for (let l = 0; l < 2; l++)
        for (let h = 0; h < 2; h++)
          expect(chunked.prefixMatchingByOffset![i][l][h]).toBeCloseTo(whole.prefixMatchingByOffset![i][l][h], 12);
    const plain = evaluateInduction(model, family, Rng.fromSeed('eval'), 10);
    expect(plain.prefixMatching).toEqual(whole.prefixMatching);
    expect(plain.prefixMatchingByOffset).toEqual([whole.prefixMatching]);

    const lstm = evaluateInduction(
      createSequenceModel('lstm', 6, 6, { hidden: 4 }, Rng.fromSeed('l')),
      family,
      Rng.fromSeed('eval'),
      5,
    );
    expect(lstm.prefixMatching).toBeNull();
    expect(lstm.lossByPosition.length).toBe(11);
  });

  it('sliceInduction keeps each sequence whole', () => {
    const batch = family.sampleSequences(Rng.fromSeed('s'), 5);
    const part = sliceInduction(batch, 1, 3);
    expect(part.sequences).toBe(2);
    for (let t = 0; t < 12; t++) {
      for (let s = 0; s < 2; s++) {
        expect(part.tokens[t * 2 + s]).toBe(batch.tokens[t * 5 + s + 1]);
        expect(part.offsets[t * 2 + s]).toBe(batch.offsets[t * 5 + s + 1]);
      }
    }
    expect(Array.from(part.firstStart)).toEqual(Array.from(batch.firstStart.subarray(1, 3)));
  });
});

describe('evaluateBursty', () => {
  it('gives in-context, in-weights and training accuracies, the same in any chunks', () => {
    const family = createIclBursty({ classes: 30, dim: 4, heldOutClasses: 6, labels: 4 });
    const model = createSequenceModel('transformer', 8, 4, { width: 8, heads: 2, layers: 1 }, Rng.fromSeed('b'));
    const whole = evaluateBursty(model, family, Rng.fromSeed('eval'), 40);
    const chunked = evaluateBursty(model, family, Rng.fromSeed('eval'), 40, 7);
    expect(chunked).toEqual(whole);
    for (const a of [whole.inContextAccuracy, whole.inWeightsAccuracy, whole.trainAccuracy]) {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(1);
    }
  });
});
