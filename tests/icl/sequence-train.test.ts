// Training sequence models by cross-entropy: resumable steps, both tasks, and induction emerging in
// a small two-layer attention-only transformer.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import {
  crossEntropyByRow,
  labelAccuracy,
  lastPositionLogits,
  prefixMatchingScores,
  repeatPositions,
  segmentLosses,
} from '../../src/icl/sequence-measures.ts';
import {
  createSequenceModel,
  inductionInputs,
  inductionTargets,
  type SequenceTransformer,
} from '../../src/icl/sequence-models.ts';
import {
  burstySource,
  inductionSource,
  SequenceTrainer,
  SequenceTrainingSchema,
  sequenceLogits,
} from '../../src/icl/sequence-train.ts';
import { noGrad } from '../../src/nn/tape.ts';
import { createIclBursty } from '../../tasks/icl-bursty.ts';
import { createIclInduction } from '../../tasks/icl-induction.ts';

const induction = createIclInduction({ vocabulary: 8, length: 16, segment: 5 });

function inductionModel(seed = 'm') {
  return createSequenceModel(
    'transformer',
    8,
    8,
    { width: 16, heads: 2, layers: 2, attentionOnly: true, maxLength: 16 },
    Rng.fromSeed(seed),
  ) as SequenceTransformer;
}

describe('SequenceTrainer', () => {
  it('continues exactly from a restored state', () => {
    const args = SequenceTrainingSchema.parse({ steps: 6, batchSize: 4, learningRate: 1e-2, warmupSteps: 2 });
    const straight = inductionModel();
    const a = new SequenceTrainer(straight, inductionSource(induction), args, Rng.fromSeed('t'));
    for (let k = 0; k < 6; k++) a.step();

    const first = inductionModel();
    const b = new SequenceTrainer(first, inductionSource(induction), args, Rng.fromSeed('t'));
    for (let k = 0; k < 3; k++) b.step();
    const saved = JSON.parse(JSON.stringify({ params: first.toJSON(), state: b.state() }));
    const resumed = inductionModel('other').fromJSON(saved.params);
    const c = new SequenceTrainer(resumed, inductionSource(induction), args, Rng.fromSeed('t'));
    c.restore(saved.state);
    for (let k = 0; k < 3; k++) c.step();
    expect(resumed.hash()).toBe(straight.hash());
    expect(c.update).toBe(6);
  });

  it('warms the step size up linearly, then holds or decays it', () => {
    const args = SequenceTrainingSchema.parse({ steps: 12, learningRate: 1e-2, learningRateEnd: 1e-3, warmupSteps: 2 });
    const trainer = new SequenceTrainer(inductionModel(), inductionSource(induction), args, Rng.fromSeed('t'));
    expect(trainer.learningRate(0)).toBeCloseTo(5e-3, 15);
    expect(trainer.learningRate(1)).toBeCloseTo(1e-2, 15);
    expect(trainer.learningRate(2)).toBeCloseTo(1e-2, 15);
    expect(trainer.learningRate(11)).toBeCloseTo(1e-3, 15);
  });

  it('trains on icl-bursty query labels and refuses a model of the wrong widths', () => {
    const family = createIclBursty({ classes: 40, dim: 6, heldOutClasses: 8, labels: 4 });
    const model = createSequenceModel('gru', 10, 4, { hidden: 8 }, Rng.fromSeed('g'));
    const trainer = new SequenceTrainer(
      model,
      burstySource(family),
      SequenceTrainingSchema.parse({ steps: 2, batchSize: 8 }),
      Rng.fromSeed('b'),
    );
    const metrics = trainer.step();
    expect(metrics['train/loss']).toBeGreaterThan(0);
    expect(metrics.envSteps).toBe(8);
    const data = burstySource(family, 'in-context').sample(Rng.fromSeed('ic'), 50);
    const logits = lastPositionLogits(sequenceLogits(model, data), 50, 4);
    const accuracy = labelAccuracy(logits, data.targets, 4, [0, 1]);
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(1);
    expect(
      () =>
        new SequenceTrainer(
          createSequenceModel('gru', 9, 4, {}, Rng.fromSeed('g')),
          burstySource(family),
          SequenceTrainingSchema.parse({ steps: 1 }),
          Rng.fromSeed('b'),
        ),
    ).toThrow(/reads 9/);
  });

  it('a two-layer attention-only transformer learns to copy: the repeat beats its first occurrence', () => {
    // 400 steps of 32 sequences (about 2 s): the repeat's loss falls well below log 8 = 2.08, the
    // first occurrence's does not (its next token is uniform). Which heads do it is not asserted:
    // at this size and length of training the prefix-matching scores do not yet single out an
    // induction head in the second layer.
    const model = inductionModel();
    const evalBatch = induction.sampleSequences(Rng.fromSeed('eval'), 200);
    const measure = () => {
      const { logits, attention } = noGrad(() => model.logitsWithAttention(inductionInputs(evalBatch), 200));
      const losses = crossEntropyByRow(logits.data, inductionTargets(evalBatch), 8);
      const prefix = prefixMatchingScores(evalBatch.tokens, attention, { include: repeatPositions(evalBatch) });
      return { segment: segmentLosses(losses, evalBatch), prefix };
    };
    const before = measure();
    expect(Math.abs(before.segment.difference)).toBeLessThan(0.1);
    const trainer = new SequenceTrainer(
      model,
      inductionSource(induction),
      SequenceTrainingSchema.parse({ steps: 400, batchSize: 32, learningRate: 1e-2 }),
      Rng.fromSeed('t'),
    );
    while (trainer.update < 400) trainer.step();
    const after = measure();
    expect(after.segment.first).toBeGreaterThan(Math.log(8) - 0.1);
    expect(after.segment.difference).toBeLessThan(-0.3);
    for (const layer of after.prefix) for (const score of layer) expect(score).toBeGreaterThan(0);
  }, 30_000);
});
