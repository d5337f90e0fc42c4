// Which agents of an experiment get meta-trained, and for how long: what the dashboard lists
// before their first update arrives, and what `engram dashboard` needs to show progress of a
// run it only reads.
import { findAgent } from '../../agents/index.ts';
import { IclTrainingSchema, type IclTrainingSpec } from '../icl/train.ts';
import { A2C_DISPLAY, ICL_DISPLAY, type RunHeader, type TrainingPlan } from './events.ts';
import {
  agentKey,
  agentTraining,
  type ExperimentSpec,
  type IclExperimentSpec,
  type IclModelSpec,
  type IclSequenceExperimentSpec,
  type IclSequenceModelSpec,
  IclSequenceTrainingSchema,
  type IclSequenceTrainingSpec,
} from './spec.ts';

/** The agents of `spec` that a run meta-trains (those with a network and no shipped checkpoint), in training order. */
export function trainingPlan(spec: ExperimentSpec): TrainingPlan[] {
  const plan: TrainingPlan[] = [];
  for (const a of spec.agents) {
    let trainable = false;
    try {
      trainable = findAgent(a.id).createNetwork !== undefined;
    } catch {
      // An agent this build does not know (a run made by a newer engram): show nothing for it.
    }
    // An agent evaluated from a shipped checkpoint is not trained (a run with --train drops the name).
    if (!trainable || a.checkpoint !== undefined) continue;
    const t = agentTraining(spec, a);
    plan.push({
      agent: agentKey(a),
      updates: t.updates,
      gradClip: t.gradClip,
      logEvery: t.logEvery,
      display: A2C_DISPLAY,
    });
  }
  return plan;
}

/** The models of an in-context regression (or sequence) experiment, each trained for its own steps. */
export function iclTrainingPlan(spec: IclExperimentSpec | IclSequenceExperimentSpec): TrainingPlan[] {
  const models: (IclModelSpec | IclSequenceModelSpec)[] = spec.models;
  return models.map((m) => {
    const t =
      spec.kind === 'icl-sequence'
        ? sequenceTraining(spec, m as IclSequenceModelSpec)
        : modelTraining(spec, m as IclModelSpec);
    return { agent: m.id, updates: t.steps, gradClip: t.gradClip, logEvery: t.logEvery, display: ICL_DISPLAY };
  });
}

/** The training settings of one model: the experiment's, with the model's overrides. */
export function modelTraining(spec: IclExperimentSpec, model: IclModelSpec): IclTrainingSpec {
  return IclTrainingSchema.parse({ ...spec.training, ...(model.training ?? {}) });
}

/** The training settings of one model of a sequence experiment: the experiment's, with the model's overrides. */
export function sequenceTraining(
  spec: IclSequenceExperimentSpec,
  model: IclSequenceModelSpec,
): IclSequenceTrainingSpec {
  return IclSequenceTrainingSchema.parse({ ...spec.training, ...(model.training ?? {}) });
}

/** What the dashboard shows of a run of any kind before its first update. */
export function runHeader(spec: ExperimentSpec | IclExperimentSpec | IclSequenceExperimentSpec): RunHeader {
  if (spec.kind === 'icl-regression' || spec.kind === 'icl-sequence') {
    return {
      name: spec.name,
      task: spec.task.id,
      seed: spec.seed,
      episodes: spec.evaluation.sequences,
      plan: iclTrainingPlan(spec),
    };
  }
  return {
    name: spec.name,
    task: spec.task.id,
    seed: spec.seed,
    episodes: spec.evaluation.episodes,
    plan: trainingPlan(spec),
  };
}
