// What the two kinds of supervised run (icl-regression and icl-sequence) share: a model trained by
// an AdamTrainer under checkpoints (`trainSupervised`), and shipped checkpoints — a model spec
// naming `checkpoint` is evaluated from `checkpoints/<name>.json` instead of being trained, when the
// file exists and fits the model (`engram run --train` trains it anyway).
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { AdamTrainer, SupervisedStepMetrics, SupervisedTrainerState } from '../icl/adam-trainer.ts';
import type { Tensor } from '../nn/tensor.ts';
import { type Checkpoint, loadCheckpointParameters, readCheckpoint, SHIPPED_CHECKPOINT_DIR } from './checkpoint.ts';
import { checkpointFile } from './run-dir.ts';
import { type CheckpointedTraining, type TrainContext, trainCheckpointed } from './training-loop.ts';

/** A supervised model's training under checkpoints. */
export interface SupervisedTraining {
  runDir: string;
  /** The model's id in the run (its checkpoint's file name and metrics key). */
  key: string;
  parameters: Map<string, Tensor>;
  /** What the checkpoint says it is (its identity). */
  identity: CheckpointedTraining['identity'];
  trainer: AdamTrainer;
  steps: number;
  batchSize: number;
  logEvery: number;
  checkpointEvery: number;
  /** Metrics logged at other steps than every logEvery-th (periodic evaluations). */
  logAt?: (update: number) => boolean;
  /** One step of training; default the trainer's (a run adds its periodic evaluations here). */
  step?: () => SupervisedStepMetrics & Record<string, number | null>;
}

/** Trains a supervised model from its checkpoint (or from scratch); a finished model is only loaded. */
export function trainSupervised(
  t: SupervisedTraining,
  context: TrainContext,
): Promise<{ stopped: boolean; wallSeconds: number }> {
  const { trainer } = t;
  return trainCheckpointed(
    {
      key: t.key,
      file: checkpointFile(t.runDir, t.key),
      parameters: t.parameters,
      identity: t.identity,
      loop: {
        updates: t.steps,
        logEvery: t.logEvery,
        checkpointEvery: t.checkpointEvery,
        watch: ['train/loss', 'train/gradNorm'],
        logAt: t.logAt,
        step: t.step ?? (() => trainer.step()),
      },
      trainerState: () => ({ ...trainer.state(), envSteps: trainer.update * t.batchSize, rng: null }),
      restore: (ck) =>
        trainer.restore({ update: ck.update, optimizer: ck.optimizer as SupervisedTrainerState['optimizer'] }),
    },
    context,
  );
}

/** What a shipped checkpoint must agree with, every option resolved with today's defaults. */
export interface ShippedModelQuery {
  experiment: string;
  /** The model's id in the experiment, its kind, its resolved options and the checkpoint it names. */
  model: { id: string; kind: string; options: Record<string, unknown>; checkpoint?: string };
  /** The run kind the checkpoint must come from, and how to name it in a refusal. */
  runKind: string;
  what: string;
  /** The task, its options resolved. */
  task: { id: string; options: Record<string, unknown> };
  /** The checkpoint's stored task and model options, resolved the same way. */
  resolveTask(raw: Record<string, unknown>): Record<string, unknown>;
  resolveModel(raw: Record<string, unknown>): Record<string, unknown>;
  checkpointDir?: string;
}

/**
 * The shipped checkpoint a model is evaluated from instead of being trained: the file
 * `<checkpointDir>/<checkpoint>.json`, when the spec names one and it exists (otherwise the model is
 * trained). One of another run kind, model kind, options or task, or unfinished, is a UsageError.
 */
export function shippedModelCheckpoint(q: ShippedModelQuery): { file: string; checkpoint: Checkpoint } | null {
  if (q.model.checkpoint === undefined) return null;
  const file = path.join(q.checkpointDir ?? SHIPPED_CHECKPOINT_DIR, `${q.model.checkpoint}.json`);
  if (!fs.existsSync(file)) return null;
  const ck = readCheckpoint(file);
  const mismatch = (what: string) =>
    new UsageError(`experiment ${q.experiment}: model '${q.model.id}': shipped checkpoint ${file} ${what}`);
  if (ck.kind !== q.runKind) throw mismatch(`is not ${q.what}`);
  if (ck.agent.id !== q.model.kind) throw mismatch(`holds a ${ck.agent.id} model, not ${q.model.kind}`);
  const same = (a: unknown, b: unknown) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
  // Both resolved with today's defaults, so an option added since the checkpoint was made is no mismatch.
  if (ck.task.id !== q.task.id || !same(q.resolveTask(ck.task.options), q.task.options))
    throw mismatch(`was trained on ${JSON.stringify(ck.task.options)}, not ${JSON.stringify(q.task.options)}`);
  if (!same(q.resolveModel(ck.agent.options), q.model.options))
    throw mismatch(`has options ${JSON.stringify(ck.agent.options)}, the spec ${JSON.stringify(q.model.options)}`);
  if (!ck.done) throw mismatch(`is unfinished (step ${ck.update})`);
  return { file, checkpoint: ck };
}

/** What a run records of each model it trained or loaded: training seconds, and the shipped checkpoints used. */
export interface ModelSources {
  trainingSeconds: Record<string, number>;
  shipped: Record<string, { file: string; checkpoint: Checkpoint }>;
}

/**
 * A model of a run: loaded from its shipped checkpoint (saying so on the event stream) when there is
 * one, else trained by `train`; returns whether training stopped before its end.
 */
export async function shippedOrTrained(
  key: string,
  shipped: { file: string; checkpoint: Checkpoint } | null,
  parameters: Map<string, Tensor>,
  train: () => Promise<{ stopped: boolean; wallSeconds: number }>,
  context: Pick<TrainContext, 'emit'>,
  record: ModelSources,
): Promise<boolean> {
  if (shipped !== null) {
    loadCheckpointParameters(parameters, shipped.checkpoint.params, shipped.file);
    const message = `${key}: evaluating the shipped checkpoint ${shipped.file} instead of training`;
    context.emit({ type: 'warning', message: `${message} (engram run --train retrains)` });
    record.trainingSeconds[key] = shipped.checkpoint.wallSeconds;
    record.shipped[key] = shipped;
    return false;
  }
  const trained = await train();
  record.trainingSeconds[key] = trained.wallSeconds;
  return trained.stopped;
}

function sorted(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sorted(v)]),
  );
}
