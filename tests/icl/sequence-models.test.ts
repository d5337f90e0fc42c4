// The sequence models of in-context learning without meta-learning: shapes, parameter counts,
// attention patterns and gradients.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import {
  type AttentionOnlyBlock,
  BURSTY_POSITIONS,
  burstyInputs,
  burstyTargets,
  createSequenceModel,
  crossEntropy,
  inductionInputs,
  inductionTargets,
  type SequenceTransformer,
} from '../../src/icl/sequence-models.ts';
import { GRADCHECK_TOLERANCE } from '../../src/nn/checks.ts';
import { gradcheck } from '../../src/nn/gradcheck.ts';
import { addRowVector, matmulTransposed, scale, sliceColumns, sliceRows, softmax } from '../../src/nn/ops/index.ts';
import { noGrad } from '../../src/nn/tape.ts';
import { Tensor } from '../../src/nn/tensor.ts';
import { BURSTY_CONTEXT, createIclBursty } from '../../tasks/icl-bursty.ts';
import { createIclInduction } from '../../tasks/icl-induction.ts';

const induction = createIclInduction({ vocabulary: 6, length: 8, segment: 2 });
const bursty = createIclBursty({ classes: 12, dim: 3, heldOutClasses: 4, labels: 4 });

describe('sequence inputs', () => {
  it('icl-induction: one-hot tokens 0 … L − 2, targets the next token', () => {
    const batch = induction.sampleSequences(Rng.fromSeed('in'), 3);
    const x = inductionInputs(batch);
    expect(x.shape).toBe('21x6');
    const y = inductionTargets(batch);
    expect(y.length).toBe(21);
    for (let t = 0; t < 7; t++) {
      for (let s = 0; s < 3; s++) {
        expect(x.data[(t * 3 + s) * 6 + batch.tokens[t * 3 + s]]).toBe(1);
        expect(y[t * 3 + s]).toBe(batch.tokens[(t + 1) * 3 + s]);
      }
    }
    expect(x.data.reduce((a, b) => a + b, 0)).toBe(21);
  });

  it('icl-bursty: exemplar and label tokens interleaved, then the query exemplar; targets the query labels', () => {
    const batch = bursty.sampleSequences(Rng.fromSeed('in'), 2);
    const x = burstyInputs(batch);
    expect(BURSTY_POSITIONS).toBe(17);
    expect(x.shape).toBe('34x7');
    const row = (p: number, s: number) => Array.from(x.data.subarray((p * 2 + s) * 7, (p * 2 + s + 1) * 7));
    const exemplar = (i: number, s: number) =>
      Array.from(batch.exemplars.subarray((i * 2 + s) * 3, (i * 2 + s + 1) * 3));
    expect(row(0, 1)).toEqual([...exemplar(0, 1), 0, 0, 0, 0]);
    const label = batch.labels[2 + 1];
    expect(row(3, 1)).toEqual([0, 0, 0, ...[0, 1, 2, 3].map((c) => (c === label ? 1 : 0))]);
    expect(row(16, 0)).toEqual([...exemplar(8, 0), 0, 0, 0, 0]);
    expect(Array.from(burstyTargets(batch))).toEqual([
      batch.labels[BURSTY_CONTEXT * 2],
      batch.labels[BURSTY_CONTEXT * 2 + 1],
    ]);
  });
});

describe('sequence models', () => {
  it('give logits at every position and count their parameters', () => {
    const inputs = inductionInputs(induction.sampleSequences(Rng.fromSeed('x'), 3));
    const full = createSequenceModel(
      'transformer',
      6,
      6,
      { width: 8, heads: 2, mlp: 16, maxLength: 10 },
      Rng.fromSeed('a'),
    );
    const attentionOnly = createSequenceModel(
      'transformer',
      6,
      6,
      { width: 8, heads: 2, attentionOnly: true, positions: 'sinusoidal' },
      Rng.fromSeed('a'),
    );
    for (const model of [full, attentionOnly, createSequenceModel('lstm', 6, 6, { hidden: 5 }, Rng.fromSeed('a'))]) {
      expect(noGrad(() => model.logits(inputs, 3)).shape).toBe('21x6');
    }
    const attention = 3 * (8 * 8 + 8) + 8 * 8 + 8 - 8; // query, value, output with biases; key without
    const norm = 2 * 8;
    const embed = 6 * 8 + 8;
    const readout = 8 * 6 + 6;
    const mlp = 8 * 16 + 16 + 16 * 8 + 8;
    expect(attentionOnly.parameterCount()).toBe(embed + 2 * (norm + attention) + norm + readout);
    expect(full.parameterCount()).toBe(embed + 10 * 8 + 2 * (2 * norm + attention + mlp) + norm + readout);
    expect(createSequenceModel('gru', 6, 4, { hidden: 5 }, Rng.fromSeed('a')).parameterCount()).toBe(
      3 * 5 * (6 + 5) + 2 * 3 * 5 + 5 * 4 + 4,
    );
    expect(() => createSequenceModel('transformer', 6, 6, { width: 9, heads: 2 }, Rng.fromSeed('a'))).toThrow(
      UsageError,
    );
    expect(() => noGrad(() => full.logits(Tensor.zeros(33, 6), 3))).toThrow(/maxLength/);
  });

  it("expose each head's attention: causal rows summing to 1, the weights the forward pass used", () => {
    const model = createSequenceModel(
      'transformer',
      6,
      6,
      { width: 8, heads: 2, layers: 2, attentionOnly: true },
      Rng.fromSeed('att'),
    ) as SequenceTransformer;
    const S = 2;
    const inputs = inductionInputs(induction.sampleSequences(Rng.fromSeed('att'), S));
    const T = 7;
    const { logits, attention } = noGrad(() => model.logitsWithAttention(inputs, S));
    expect(Array.from(logits.data)).toEqual(Array.from(noGrad(() => model.logits(inputs, S)).data));
    expect(attention.length).toBe(2);
    expect(attention[0].length).toBe(2);
    for (const layer of attention) {
      for (const head of layer) {
        for (let s = 0; s < S; s++) {
          for (let t = 0; t < T; t++) {
            let total = 0;
            for (let u = 0; u < T; u++) {
              const w = head.weights[(s * T + t) * T + u];
              if (u > t) expect(w).toBe(0);
              total += w;
            }
            expect(total).toBeCloseTo(1, 12);
          }
        }
      }
    }
    // The first block's patterns recomputed from its weights, one sequence at a time.
    const block = model.blocks[0] as AttentionOnlyBlock;
    const attn = block.attention;
    noGrad(() => {
      for (let s = 0; s < S; s++) {
        const rows = Array.from({ length: T }, (_, t) => sliceRows(inputs, t * S + s, t * S + s + 1));
        let x = model.embed.forward(Tensor.from(rows.map((r) => Array.from(r.data))));
        x = Tensor.from(
          Array.from({ length: T }, (_, t) =>
            Array.from(addRowVector(sliceRows(x, t, t + 1), sliceRows(model.positionTable!, t, t + 1)).data),
          ),
        );
        const h = block.attentionNorm.forward(x);
        const q = attn.query.forward(h);
        const k = attn.key.forward(h);
        for (let head = 0; head < 2; head++) {
          const scores = scale(
            matmulTransposed(sliceColumns(q, head * 4, head * 4 + 4), sliceColumns(k, head * 4, head * 4 + 4)),
            1 / 2,
          );
          for (let t = 0; t < T; t++) {
            const p = softmax(sliceColumns(sliceRows(scores, t, t + 1), 0, t + 1)).data;
            for (let u = 0; u <= t; u++) expect(attention[0][head].weights[(s * T + t) * T + u]).toBeCloseTo(p[u], 12);
          }
        }
      }
    });
  });

  it('have the gradients of finite differences (cross-entropy of the next token)', () => {
    const S = 2;
    const batch = createIclInduction({ vocabulary: 4, length: 5, segment: 2 }).sampleSequences(Rng.fromSeed('g'), S);
    const inputs = inductionInputs(batch);
    const targets = inductionTargets(batch);
    const models = [
      createSequenceModel(
        'transformer',
        4,
        4,
        { width: 4, heads: 2, layers: 2, attentionOnly: true, maxLength: 4 },
        Rng.fromSeed('g1'),
      ),
      createSequenceModel(
        'transformer',
        4,
        4,
        { width: 4, heads: 1, layers: 1, mlp: 3, activation: 'tanh', positions: 'sinusoidal' },
        Rng.fromSeed('g2'),
      ),
      createSequenceModel('lstm', 4, 4, { hidden: 3 }, Rng.fromSeed('g3')),
      createSequenceModel('gru', 4, 4, { hidden: 3 }, Rng.fromSeed('g4')),
    ];
    for (const model of models) {
      // h = 1e-4: small LayerNorms are curved enough that h = 1e-3 leaves a truncation error of ~1e-6.
      const result = gradcheck(() => crossEntropy(model.logits(inputs, S), targets), model.parameters(), {
        step: 1e-4,
      });
      expect(result.maxRelError, `${model.model}: ${JSON.stringify(result.worst)}`).toBeLessThan(GRADCHECK_TOLERANCE);
      expect(result.gradientNorm).toBeGreaterThan(0);
    }
  });

  it('crossEntropy is the mean −log softmax of the targets', () => {
    const logits = Tensor.from([
      [0, 0],
      [Math.log(3), 0],
    ]);
    expect(crossEntropy(logits, [1, 0]).item()).toBeCloseTo((Math.log(2) + Math.log(4 / 3)) / 2, 12);
  });
});
