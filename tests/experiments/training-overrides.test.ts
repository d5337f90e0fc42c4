// A model's or agent's `training` overrides only the keys it gives: the experiment's other settings
// hold for it (a default of the override schema must not replace them).
import { describe, expect, it } from 'vitest';
import { modelTraining, sequenceTraining } from '../../src/experiments/plan.ts';
import {
  type IclExperimentSpec,
  type IclSequenceExperimentSpec,
  parseAnyExperiment,
} from '../../src/experiments/spec.ts';

describe('training overrides', () => {
  it('a sequence model that gives only its steps keeps the experiment’s schedule and evaluations', () => {
    const spec = parseAnyExperiment(
      {
        kind: 'icl-sequence',
        name: 'overrides',
        seed: 0,
        task: { id: 'icl-induction' },
        models: [{ id: 'attn', model: 'transformer', training: { steps: 40 } }],
        training: { steps: 20, learningRate: 0.003, warmupSteps: 5, logEvery: 7, evalEvery: 10, evalSequences: 9 },
      },
      'test',
    ) as IclSequenceExperimentSpec;
    expect(spec.models[0].training).toEqual({ steps: 40 });
    expect(sequenceTraining(spec, spec.models[0])).toMatchObject({
      steps: 40,
      learningRate: 0.003,
      warmupSteps: 5,
      logEvery: 7,
      evalEvery: 10,
      evalSequences: 9,
    });
  });

  it('a regression model that gives only its learning rate keeps the experiment’s batch size', () => {
    const spec = parseAnyExperiment(
      {
        kind: 'icl-regression',
        name: 'overrides',
        seed: 0,
        task: { id: 'icl-regression' },
        models: [{ id: 'lsa', model: 'lsa', training: { learningRate: 0.01 } }],
        training: { steps: 20, batchSize: 16, logEvery: 5, learningRateEnd: 0.0001 },
      },
      'test',
    ) as IclExperimentSpec;
    expect(spec.models[0].training).toEqual({ learningRate: 0.01 });
    expect(modelTraining(spec, spec.models[0])).toMatchObject({
      steps: 20,
      batchSize: 16,
      logEvery: 5,
      learningRate: 0.01,
      learningRateEnd: 0.0001,
    });
  });
});
