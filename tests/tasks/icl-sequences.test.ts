// The sequence tasks of in-context learning without meta-learning: icl-induction (repeated random
// tokens, Olsson et al. 2022) and icl-bursty (bursty, Zipfian classification, Chan et al. 2022).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { BURSTY_CONTEXT, BURSTY_ITEMS, createIclBursty, observationOf } from '../../tasks/icl-bursty.ts';
import { createIclInduction, REGION_FIRST, REGION_OTHER, REGION_REPEAT } from '../../tasks/icl-induction.ts';

describe('icl-induction', () => {
  const family = createIclInduction({ vocabulary: 20, length: 30, segment: 6 });

  it('repeats a segment of random tokens and records where both occurrences lie', () => {
    const batch = family.sampleSequences(Rng.fromSeed('induction'), 50);
    const S = 50;
    expect(batch.tokens.length).toBe(30 * S);
    for (let s = 0; s < S; s++) {
      const a = batch.firstStart[s];
      const b = batch.repeatStart[s];
      expect(a).toBeGreaterThanOrEqual(0);
      expect(b).toBeGreaterThanOrEqual(a + 6);
      expect(b + 6).toBeLessThanOrEqual(30);
      for (let t = 0; t < 30; t++) {
        const i = t * S + s;
        expect(batch.tokens[i]).toBeGreaterThanOrEqual(0);
        expect(batch.tokens[i]).toBeLessThan(20);
        if (t >= a && t < a + 6) {
          expect(batch.regions[i]).toBe(REGION_FIRST);
          expect(batch.offsets[i]).toBe(t - a);
        } else if (t >= b && t < b + 6) {
          expect(batch.regions[i]).toBe(REGION_REPEAT);
          expect(batch.offsets[i]).toBe(t - b);
          expect(batch.tokens[i]).toBe(batch.tokens[(t - b + a) * S + s]);
        } else {
          expect(batch.regions[i]).toBe(REGION_OTHER);
          expect(batch.offsets[i]).toBe(-1);
        }
      }
    }
  });

  it('a stream gives the same sequences, whatever the batch size', () => {
    const one = family.sampleSequences(Rng.fromSeed('same'), 3);
    const two = family.sampleSequences(Rng.fromSeed('same'), 7);
    for (let t = 0; t < 30; t++) for (let s = 0; s < 3; s++) expect(two.tokens[t * 7 + s]).toBe(one.tokens[t * 3 + s]);
    expect(Array.from(two.firstStart.subarray(0, 3))).toEqual(Array.from(one.firstStart));
  });

  it('tokens are uniform and the segment can start anywhere it fits', () => {
    const batch = createIclInduction({ vocabulary: 4, length: 12, segment: 3 }).sampleSequences(
      Rng.fromSeed('u'),
      2000,
    );
    const counts = new Float64Array(4);
    for (const t of batch.tokens) counts[t]++;
    for (const c of counts) expect(c / batch.tokens.length).toBeCloseTo(0.25, 1);
    expect(new Set(batch.firstStart)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    expect(Math.max(...batch.repeatStart)).toBe(9);
    // The gap between the occurrences is uniform on {3, …, 9}.
    const gaps = new Float64Array(10);
    for (let s = 0; s < 2000; s++) gaps[batch.repeatStart[s] - batch.firstStart[s]]++;
    expect(Array.from(gaps.subarray(0, 3))).toEqual([0, 0, 0]);
    for (let g = 3; g <= 9; g++) expect(gaps[g] / 2000).toBeCloseTo(1 / 7, 1);
  });

  it("with segmentMin, each sequence's segment length is uniform between segmentMin and segment", () => {
    const varied = createIclInduction({ vocabulary: 10, length: 20, segment: 6, segmentMin: 2 });
    const S = 1000;
    const batch = varied.sampleSequences(Rng.fromSeed('k'), S);
    const lengths = new Float64Array(7);
    for (let s = 0; s < S; s++) {
      const k = batch.segments[s];
      lengths[k]++;
      const gap = batch.repeatStart[s] - batch.firstStart[s];
      expect(gap).toBeGreaterThanOrEqual(k);
      expect(batch.repeatStart[s] + k).toBeLessThanOrEqual(20);
      let repeat = 0;
      for (let t = 0; t < 20; t++) {
        if (batch.regions[t * S + s] === REGION_REPEAT) {
          repeat++;
          expect(batch.tokens[t * S + s]).toBe(batch.tokens[(t - gap) * S + s]);
        }
      }
      expect(repeat).toBe(k);
    }
    expect(Array.from(lengths.subarray(0, 2))).toEqual([0, 0]);
    for (let k = 2; k <= 6; k++) expect(lengths[k] / S).toBeCloseTo(0.2, 1);
    // Without it, every segment has the option's length, and the draws are those of before.
    const fixed = family.sampleSequences(Rng.fromSeed('k'), 4);
    expect(Array.from(fixed.segments)).toEqual([6, 6, 6, 6]);
    expect(() => createIclInduction({ segment: 4, segmentMin: 5 })).toThrow(UsageError);
  });

  it('with gapMax, the gap is uniform on {k, …, gapMax}', () => {
    const capped = createIclInduction({ vocabulary: 10, length: 32, segment: 6, segmentMin: 2, gapMax: 8 });
    const S = 4000;
    const batch = capped.sampleSequences(Rng.fromSeed('g'), S);
    const byLength = new Map<number, number[]>();
    for (let s = 0; s < S; s++) {
      const k = batch.segments[s];
      const gap = batch.repeatStart[s] - batch.firstStart[s];
      expect(gap).toBeGreaterThanOrEqual(k);
      expect(gap).toBeLessThanOrEqual(8);
      byLength.set(k, [...(byLength.get(k) ?? []), gap]);
    }
    // k = 2: gaps 2 … 8, each about 1/7 of them.
    const twos = byLength.get(2) ?? [];
    for (let g = 2; g <= 8; g++) expect(twos.filter((x) => x === g).length / twos.length).toBeCloseTo(1 / 7, 1);
    expect(() => createIclInduction({ length: 32, segment: 6, gapMax: 5 })).toThrow(/gapMax/);
  });

  it('refuses a segment that does not fit twice', () => {
    expect(() => createIclInduction({ length: 10, segment: 6 })).toThrow(UsageError);
    expect(() => createIclInduction({ vocabulary: 1 })).toThrow(UsageError);
  });
});

describe('icl-bursty', () => {
  const family = createIclBursty({ classes: 60, dim: 8, heldOutClasses: 10, labels: 8, zipf: 1, bursty: 0.5 });

  it('draws the prototypes from poolSeed alone', () => {
    expect(family.prototypes).toEqual(createIclBursty({ classes: 60, dim: 8, heldOutClasses: 10 }).prototypes);
    expect(family.prototypes).not.toEqual(
      createIclBursty({ classes: 60, dim: 8, heldOutClasses: 10, poolSeed: 1 }).prototypes,
    );
  });

  it('gives training classes Zipfian frequencies and the held-out ones none', () => {
    const p = family.classProbabilities;
    expect(p.length).toBe(60);
    expect(p.subarray(0, 50).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[0] / p[1]).toBeCloseTo(2, 12);
    expect(p[0] / p[9]).toBeCloseTo(10, 12);
    for (let c = 50; c < 60; c++) expect(p[c]).toBe(0);
    const uniform = createIclBursty({ classes: 60, heldOutClasses: 10, zipf: 0 }).classProbabilities;
    expect(uniform[0]).toBeCloseTo(uniform[49], 15);
  });

  it('training sequences: bursty ones have the 3-3-1-1 structure, all have the fixed labels', () => {
    const S = 400;
    const batch = family.sampleSequences(Rng.fromSeed('train'), S);
    let bursty = 0;
    const queryCounts = new Float64Array(60);
    for (let s = 0; s < S; s++) {
      const classes = Array.from({ length: BURSTY_ITEMS }, (_, i) => batch.classes[i * S + s]);
      for (let i = 0; i < BURSTY_ITEMS; i++) {
        expect(classes[i]).toBeLessThan(50);
        expect(batch.labels[i * S + s]).toBe(classes[i] % 8);
      }
      const query = classes[BURSTY_CONTEXT];
      queryCounts[query]++;
      if (batch.burstyFlags[s]) {
        bursty++;
        const counts = new Map<number, number>();
        for (const c of classes.slice(0, BURSTY_CONTEXT)) counts.set(c, (counts.get(c) ?? 0) + 1);
        expect(counts.get(query)).toBe(3);
        expect([...counts.values()].sort()).toEqual([1, 1, 3, 3]);
      }
    }
    expect(bursty / S).toBeGreaterThan(0.4);
    expect(bursty / S).toBeLessThan(0.6);
    expect(queryCounts[0]).toBeGreaterThan(queryCounts[20]);
  });

  it('exemplars are the prototype plus noise of norm about σ', () => {
    const wide = createIclBursty({ classes: 20, dim: 200, heldOutClasses: 4, withinClassNoise: 0.5 });
    const batch = wide.sampleSequences(Rng.fromSeed('noise'), 20);
    let sq = 0;
    for (let r = 0; r < BURSTY_ITEMS * 20; r++) {
      const c = batch.classes[r];
      for (let k = 0; k < 200; k++) sq += (batch.exemplars[r * 200 + k] - wide.prototypes[c * 200 + k]) ** 2;
    }
    expect(Math.sqrt(sq / (BURSTY_ITEMS * 20))).toBeCloseTo(0.5, 1);
  });

  it('in-context sequences: 2 held-out classes, 4 each, labelled 0/1 per sequence, query from one of them', () => {
    const S = 300;
    const batch = family.sampleSequences(Rng.fromSeed('ic'), S, 'in-context');
    let queryLabelOne = 0;
    let firstClassLabelOne = 0;
    for (let s = 0; s < S; s++) {
      const counts = new Map<number, number>();
      const labelOfClass = new Map<number, number>();
      for (let i = 0; i < BURSTY_CONTEXT; i++) {
        const c = batch.classes[i * S + s];
        expect(c).toBeGreaterThanOrEqual(50);
        counts.set(c, (counts.get(c) ?? 0) + 1);
        const label = batch.labels[i * S + s];
        if (labelOfClass.has(c)) expect(labelOfClass.get(c)).toBe(label);
        labelOfClass.set(c, label);
      }
      expect([...counts.values()]).toEqual([4, 4]);
      expect(new Set(labelOfClass.values())).toEqual(new Set([0, 1]));
      const q = batch.classes[BURSTY_CONTEXT * S + s];
      expect(labelOfClass.get(q)).toBe(batch.labels[BURSTY_CONTEXT * S + s]);
      queryLabelOne += batch.labels[BURSTY_CONTEXT * S + s];
      firstClassLabelOne += labelOfClass.get(Math.min(...counts.keys()))!;
    }
    expect(queryLabelOne / S).toBeGreaterThan(0.4);
    expect(queryLabelOne / S).toBeLessThan(0.6);
    expect(firstClassLabelOne / S).toBeGreaterThan(0.4);
    expect(firstClassLabelOne / S).toBeLessThan(0.6);
  });

  it("in-weights sequences: training classes, none of the query's class in the context, fixed labels", () => {
    const S = 200;
    const batch = family.sampleSequences(Rng.fromSeed('iw'), S, 'in-weights');
    for (let s = 0; s < S; s++) {
      const q = batch.classes[BURSTY_CONTEXT * S + s];
      expect(q).toBeLessThan(50);
      expect(batch.labels[BURSTY_CONTEXT * S + s]).toBe(family.labelOf(q));
      for (let i = 0; i < BURSTY_CONTEXT; i++) {
        expect(batch.classes[i * S + s]).not.toBe(q);
        expect(batch.classes[i * S + s]).toBeLessThan(50);
      }
    }
  });

  it('a stream gives the same sequences at any batch size; the observation is the pairs then the query', () => {
    const one = family.sampleSequences(Rng.fromSeed('same'), 2, 'in-context');
    const two = family.sampleSequences(Rng.fromSeed('same'), 5, 'in-context');
    for (let i = 0; i < BURSTY_ITEMS; i++) {
      expect(two.classes[i * 5 + 1]).toBe(one.classes[i * 2 + 1]);
      expect(two.exemplars[(i * 5 + 1) * 8 + 3]).toBe(one.exemplars[(i * 2 + 1) * 8 + 3]);
    }
    const obs = observationOf(one, 1);
    expect(obs.length).toBe(8 * 9 + 8);
    expect(obs[8]).toBe(one.labels[1]);
    expect(obs[9 * 8 + 2]).toBe(one.exemplars[(8 * 2 + 1) * 8 + 2]);
  });

  it('refuses too few training or held-out classes', () => {
    expect(() => createIclBursty({ classes: 10, heldOutClasses: 8 })).toThrow(UsageError);
    expect(() => createIclBursty({ heldOutClasses: 1 })).toThrow(UsageError);
  });
});
