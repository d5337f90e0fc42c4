// A sequence-model run (`"kind": "icl-sequence"`, e.g. the built-in `induction-heads`,
// `emergent-icl-bursty` and `tem-t`): train every model of the spec by plain cross-entropy on
// icl-induction, icl-bursty or graph-walk (src/icl/sequence-train.ts), evaluating it every
// `evalEvery` steps on a small set of held-out sequences, then evaluate it once more on many
// (src/icl/sequence-evaluate.ts; on graph-walk src/icl/walk-evaluate.ts, intact and under
// reset-state, and TEM-t's representations, src/icl/walk-representations.ts). The run
// directory is a run directory like any other (src/experiments/run-dir.ts):
//   config.json               the resolved spec
//   metrics.jsonl             one record per logged step ({ agent: <model>, update, train/loss, …, eval/… })
//   checkpoints/<model>.json  parameters and optimizer state (atomic writes, every checkpointEvery steps)
//   eval.json                 every model's parameters, final evaluation and curve of periodic evaluations
//   positions.jsonl           icl-induction: the loss by position at every periodic evaluation
//                             ({ model, step, lossByPosition }), for the figure before and after the phase change
//   tb/<model>/               TensorBoard event files: train/…, perf/… and eval/… scalars
// It shares the run machinery of icl-run.ts (executeRun, trainCheckpointed). The batches depend only
// on the seed and the step index, and every periodic evaluation reads the same held-out sequences,
// so a stopped run resumes to the numbers of a run that never stopped.
import fs from 'node:fs';
import path from 'node:path';
import { createGraphWalk, type GraphWalkFamily } from '../../tasks/graph-walk.ts';
import { createIclBursty, type IclBurstyFamily } from '../../tasks/icl-bursty.ts';
import { createIclInduction, type IclInductionFamily } from '../../tasks/icl-induction.ts';
import { UsageError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import {
  type AttentionExample,
  attentionExample,
  evaluateBursty,
  evaluateInduction,
} from '../icl/sequence-evaluate.ts';
import { createSequenceModel, type SequenceModel, SequenceTransformer } from '../icl/sequence-models.ts';
import {
  burstySource,
  inductionSource,
  type SequenceSource,
  SequenceTrainer,
  walkSource,
} from '../icl/sequence-train.ts';
import { TemT } from '../icl/tem-t.ts';
import {
  evaluateWalks,
  type NewPathPart,
  WALK_KINDS,
  type WalkAccuracy,
  type WalkKind,
  walkAccuracies,
} from '../icl/walk-evaluate.ts';
import { type WalkRepresentations, walkRepresentations } from '../icl/walk-representations.ts';
import { wilsonInterval } from '../measures/stats.ts';
import type { Checkpoint } from './checkpoint.ts';
import { atomicWriteJson, atomicWriteText, readJsonl } from './io.ts';
import { runHeader, sequenceTraining } from './plan.ts';
import { createRunDir, openRunDir } from './run-dir.ts';
import { type IclSequenceExperimentSpec, type IclSequenceModelSpec, parseAnyExperiment } from './spec.ts';
import { type ModelSources, shippedModelCheckpoint, shippedOrTrained, trainSupervised } from './supervised-models.ts';
import type { AgentScalars } from './tensorboard.ts';
import { executeRun, type RunOptions, type TrainContext } from './training-loop.ts';

/** The task of a sequence run: its family and the source the trainer draws batches from. */
export type SequenceTask =
  | { id: 'icl-induction'; family: IclInductionFamily; source: SequenceSource }
  | { id: 'icl-bursty'; family: IclBurstyFamily; source: SequenceSource }
  | { id: 'graph-walk'; family: GraphWalkFamily; source: SequenceSource };

/** A proportion with its 95% Wilson interval over the held-out sequences. */
export interface Proportion {
  p: number;
  ci95: [number, number];
  n: number;
}

/** The final evaluation of a model on icl-induction (evaluateInduction, arrays as plain lists). */
export interface InductionFinal {
  sequences: number;
  lossByPosition: number[];
  inContextLearningScore: number;
  repeatLoss: number;
  firstLoss: number;
  repeatByOffset: number[];
  firstByOffset: number[];
  /** Transformers: every head's prefix-matching and previous-token scores, [layer][head], and the best head. */
  prefixMatching: number[][] | null;
  previousToken: number[][] | null;
  bestHead: { layer: number; head: number; prefixMatching: number } | null;
  /** The offsets of `prefixMatchingByOffset` (the spec's `evaluation.prefixOffsets`). */
  prefixOffsets: number[];
  /** Transformers: every head's prefix-matching score at each offset, [offset][layer][head]. */
  prefixMatchingByOffset: number[][][] | null;
  /** The head with the highest prefix-matching score at any of the offsets, and that offset. */
  inductionHead: { layer: number; head: number; offset: number; prefixMatching: number } | null;
  /** That head's attention on one held-out sequence. */
  attention: AttentionExample | null;
}

/** The loss by position of one periodic evaluation (icl-induction). */
export interface PositionPoint {
  step: number;
  lossByPosition: number[];
}

/** The final evaluation of a model on icl-bursty, accuracies with 95% Wilson intervals. */
export interface BurstyFinal {
  sequences: number;
  inContextAccuracy: Proportion;
  inWeightsAccuracy: Proportion;
  trainAccuracy: Proportion;
}

/**
 * The final evaluation of a model on graph-walk: the accuracy of each kind of prediction (new place,
 * revisit by a walked route, revisit by a new route, stay), intact and under the reset-state
 * lesion, with 95% intervals that treat walks (each in an environment of its own), not predictions,
 * as independent (walkAccuracies).
 */
export interface WalkFinal {
  sequences: number;
  /** 1 / alphabet: guessing. */
  chance: number;
  accuracy: Record<WalkKind | NewPathPart, WalkAccuracy>;
  resetState: Record<WalkKind | NewPathPart, WalkAccuracy>;
  /** TEM-t: its position units and memory neurons in two held-out environments; null for other models. */
  representations: WalkRepresentations | null;
}

/** One periodic evaluation: the step and its `eval/…` values. */
export type CurvePoint = { step: number } & Record<string, number | null>;

/** eval.json of a sequence run. */
export interface IclSequenceEvalFile {
  experiment: string;
  kind: 'icl-sequence';
  seed: number;
  task: SequenceTask['id'];
  taskOptions: Record<string, unknown>;
  models: Record<
    string,
    {
      model: string;
      parameters: number;
      steps: number;
      trainingSeconds: number;
      final: InductionFinal | BurstyFinal | WalkFinal;
      /** The periodic evaluations on `evalSequences` held-out sequences, in step order. */
      curve: CurvePoint[];
      /** icl-induction: the loss by position at each periodic evaluation (a shipped model's from its checkpoint). */
      positionCurve: PositionPoint[];
    }
  >;
  /** The shipped checkpoint each model came from, for the models evaluated from one instead of trained. */
  shipped: Record<string, string>;
}

export interface IclSequenceRunOptions extends RunOptions {
  /** Train every model, even those whose spec names a shipped checkpoint (`engram run --train`). */
  train?: boolean;
  /** Where shipped checkpoints live (default: the repository's checkpoints/). */
  checkpointDir?: string;
}

export interface IclSequenceRunResult {
  runDir: string;
  stopped: boolean;
  eval: IclSequenceEvalFile | null;
}

/** The task of a spec (bad options are UsageErrors). */
export function sequenceTask(spec: IclSequenceExperimentSpec): SequenceTask {
  if (spec.task.id === 'icl-induction') {
    const family = createIclInduction(spec.task.options);
    return { id: 'icl-induction', family, source: inductionSource(family) };
  }
  if (spec.task.id === 'graph-walk') {
    const family = createGraphWalk(spec.task.options);
    return { id: 'graph-walk', family, source: walkSource(family) };
  }
  const family = createIclBursty(spec.task.options);
  return { id: 'icl-bursty', family, source: burstySource(family) };
}

/** The task's options as parsed from raw ones, for comparing a shipped checkpoint's task. */
function resolvedTaskOptions(id: SequenceTask['id'], raw: Record<string, unknown>): Record<string, unknown> {
  const family =
    id === 'icl-induction'
      ? createIclInduction(raw)
      : id === 'graph-walk'
        ? createGraphWalk(raw)
        : createIclBursty(raw);
  return family.options as unknown as Record<string, unknown>;
}

/** Every model built from the spec (so bad options fail before anything is written). */
function buildModels(spec: IclSequenceExperimentSpec, task: SequenceTask): Map<string, SequenceModel> {
  const models = new Map<string, SequenceModel>();
  const root = Rng.fromSeed(spec.seed);
  for (const m of spec.models) {
    if (models.has(m.id)) throw new UsageError(`experiment ${spec.name}: model '${m.id}' is listed twice`);
    const t = sequenceTraining(spec, m);
    if (t.warmupSteps > t.steps)
      throw new UsageError(
        `experiment ${spec.name}: model '${m.id}': training.warmupSteps (${t.warmupSteps}) ` +
          `exceeds its steps (${t.steps})`,
      );
    models.set(
      m.id,
      createSequenceModel(
        m.model,
        task.source.inputSize,
        task.source.outputSize,
        m.options,
        root.fork(`icl-sequence/init/${m.id}`),
        `${spec.name}: model '${m.id}'`,
      ),
    );
  }
  return models;
}

/**
 * The checks a sequence run makes before anything is written (the task accepts its options, every
 * model can be built from its own and its warm-up fits its steps), for a sweep to make on every
 * run before any starts. Throws a UsageError naming what is wrong.
 */
export function checkSequenceSpec(spec: IclSequenceExperimentSpec): void {
  buildModels(spec, sequenceTask(spec));
}

/** Starts a new sequence run. */
export async function runIclSequenceExperiment(
  specIn: IclSequenceExperimentSpec,
  options: IclSequenceRunOptions = {},
): Promise<IclSequenceRunResult> {
  let spec =
    options.seed === undefined
      ? specIn
      : (parseAnyExperiment({ ...specIn, seed: options.seed }, '--seed') as IclSequenceExperimentSpec);
  // With --train the run's config records that every model was trained (so a resume trains too).
  if (options.train) spec = { ...spec, models: spec.models.map(({ checkpoint: _shipped, ...m }) => m) };
  const task = sequenceTask(spec);
  const models = buildModels(spec, task);
  // A shipped checkpoint that does not fit its model is refused before anything is written.
  for (const m of spec.models) shippedSequenceCheckpoint(spec, m, models.get(m.id)!, task, options.checkpointDir);
  return execute(spec, task, models, createRunDir(spec, options.out), false, options);
}

/** The shipped checkpoint a model of the spec is evaluated from instead of being trained (see supervised-models.ts). */
export function shippedSequenceCheckpoint(
  spec: IclSequenceExperimentSpec,
  m: IclSequenceModelSpec,
  model: SequenceModel,
  task: SequenceTask,
  checkpointDir?: string,
): { file: string; checkpoint: Checkpoint } | null {
  const resolveTask = (raw: Record<string, unknown>) => resolvedTaskOptions(task.id, raw);
  return shippedModelCheckpoint({
    experiment: spec.name,
    model: { id: m.id, kind: m.model, options: model.options(), checkpoint: m.checkpoint },
    runKind: 'icl-sequence',
    what: 'a sequence model',
    task: { id: task.id, options: task.family.options as unknown as Record<string, unknown> },
    resolveTask,
    resolveModel: (raw) =>
      createSequenceModel(
        m.model,
        task.source.inputSize,
        task.source.outputSize,
        raw,
        Rng.fromSeed('shipped'),
      ).options() as Record<string, unknown>,
    checkpointDir,
  });
}

/** Continues a stopped sequence run. */
export async function resumeIclSequenceRun(
  runDir: string,
  options: Omit<IclSequenceRunOptions, 'out' | 'seed' | 'train'> = {},
): Promise<IclSequenceRunResult> {
  const { dir, config } = openRunDir(runDir);
  const spec = parseAnyExperiment(config, path.join(dir, 'config.json'));
  if (spec.kind !== 'icl-sequence') throw new UsageError(`${runDir} is not an icl-sequence run`);
  const task = sequenceTask(spec);
  return execute(spec, task, buildModels(spec, task), dir, true, options);
}

/**
 * The `eval/…` measures of a model on `count` held-out sequences drawn from `rng` (and, on
 * icl-induction, its loss by position).
 */
export function periodicEvaluation(
  model: SequenceModel,
  task: SequenceTask,
  rng: Rng,
  count: number,
): { scalars: Record<string, number | null>; lossByPosition: number[] | null } {
  if (task.id === 'graph-walk') {
    const a = walkAccuracies(evaluateWalks(model, task.family, rng, count).intact);
    return {
      scalars: Object.fromEntries(
        WALK_KINDS.map((k) => [`eval/${k}Accuracy`, Number.isFinite(a[k].p) ? a[k].p : null]),
      ),
      lossByPosition: null,
    };
  }
  if (task.id === 'icl-bursty') {
    const e = evaluateBursty(model, task.family, rng, count);
    return {
      scalars: {
        'eval/inContextAccuracy': e.inContextAccuracy,
        'eval/inWeightsAccuracy': e.inWeightsAccuracy,
        'eval/trainAccuracy': e.trainAccuracy,
      },
      lossByPosition: null,
    };
  }
  const e = evaluateInduction(model, task.family, rng, count);
  const best = bestHead(e.prefixMatching);
  return {
    scalars: {
      'eval/repeatLoss': e.segment.repeat,
      'eval/firstLoss': e.segment.first,
      'eval/iclScore': e.inContextLearningScore,
      ...(best === null ? {} : { 'eval/prefixMatching': best.prefixMatching }),
      ...headScalars(e.prefixMatching),
    },
    lossByPosition: Array.from(e.lossByPosition, (v) => (Number.isFinite(v) ? v : Number.NaN)),
  };
}

/** Every head's prefix-matching score as `eval/prefixMatching/layer<l>/head<h>` (numbered from 1). */
function headScalars(scores: number[][] | null): Record<string, number> {
  const out: Record<string, number> = {};
  scores?.forEach((layer, l) => {
    layer.forEach((v, h) => {
      out[`eval/prefixMatching/layer${l + 1}/head${h + 1}`] = v;
    });
  });
  return out;
}

/** The head with the highest prefix-matching score (NaN scores skipped); null without heads. */
function bestHead(scores: number[][] | null): InductionFinal['bestHead'] {
  let best: InductionFinal['bestHead'] = null;
  scores?.forEach((layer, l) => {
    layer.forEach((v, h) => {
      if (Number.isFinite(v) && (best === null || v > best.prefixMatching))
        best = { layer: l, head: h, prefixMatching: v };
    });
  });
  return best;
}

/** A model's final evaluation on `spec.evaluation.sequences` held-out sequences. */
function finalEvaluation(
  spec: IclSequenceExperimentSpec,
  model: SequenceModel,
  task: SequenceTask,
  rng: Rng,
): InductionFinal | BurstyFinal | WalkFinal {
  const n = spec.evaluation.sequences;
  if (task.id === 'graph-walk') {
    const e = evaluateWalks(model, task.family, rng, n, { forgetting: true });
    return {
      sequences: n,
      chance: 1 / task.family.options.alphabet,
      accuracy: walkAccuracies(e.intact),
      resetState: walkAccuracies(e.forgetting!),
      representations:
        model instanceof TemT
          ? walkRepresentations(model, task.family, rng.fork('maps'), {
              width: spec.evaluation.mapWidth ?? Math.max(...task.family.options.widths),
              steps: spec.evaluation.mapSteps,
              memoryNeurons: spec.evaluation.memoryNeurons,
            })
          : null,
    };
  }
  if (task.id === 'icl-bursty') {
    const e = evaluateBursty(model, task.family, rng, n);
    const proportion = (p: number) => wilsonInterval(Math.round(p * n), n);
    return {
      sequences: n,
      inContextAccuracy: proportion(e.inContextAccuracy),
      inWeightsAccuracy: proportion(e.inWeightsAccuracy),
      trainAccuracy: proportion(e.trainAccuracy),
    };
  }
  const prefixOffsets = spec.evaluation.prefixOffsets;
  const e = evaluateInduction(model, task.family, rng, n, { prefixOffsets });
  let inductionHead: InductionFinal['inductionHead'] = null;
  e.prefixMatchingByOffset?.forEach((scores, i) => {
    const best = bestHead(scores);
    if (best !== null && (inductionHead === null || best.prefixMatching > inductionHead.prefixMatching))
      inductionHead = { ...best, offset: prefixOffsets[i] };
  });
  const head = inductionHead as InductionFinal['inductionHead'];
  return {
    sequences: n,
    lossByPosition: [...e.lossByPosition],
    inContextLearningScore: e.inContextLearningScore,
    repeatLoss: e.segment.repeat,
    firstLoss: e.segment.first,
    repeatByOffset: [...e.segment.repeatByOffset],
    firstByOffset: [...e.segment.firstByOffset],
    prefixMatching: e.prefixMatching,
    previousToken: e.previousToken,
    bestHead: bestHead(e.prefixMatching),
    prefixOffsets: [...prefixOffsets],
    prefixMatchingByOffset: e.prefixMatchingByOffset,
    inductionHead: head,
    attention:
      head === null || !(model instanceof SequenceTransformer)
        ? null
        : attentionExample(model, task.family, rng, head.layer, head.head, head.offset),
  };
}

/** positions.jsonl of a run directory. */
const positionsFile = (runDir: string) => path.join(runDir, 'positions.jsonl');

/** A model's periodic losses by position, from positions.jsonl. */
function positionCurveOf(runDir: string, key: string): PositionPoint[] {
  const file = positionsFile(runDir);
  if (!fs.existsSync(file)) return [];
  return readJsonl(file)
    .filter((r) => r.model === key)
    .map((r) => ({
      step: r.step as number,
      lossByPosition: (r.lossByPosition as (number | null)[]).map((v) => v ?? Number.NaN),
    }));
}

/** Cuts a model's records of positions.jsonl back to the steps up to `update` (those its checkpoint covers). */
function truncatePositions(runDir: string, key: string, update: number): void {
  const file = positionsFile(runDir);
  if (!fs.existsSync(file)) return;
  const kept = readJsonl(file).filter((r) => r.model !== key || (r.step as number) <= update);
  atomicWriteText(file, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/**
 * The periodic evaluations of a model, read back from metrics records: the run's metrics.jsonl (so a
 * resumed run has them all), or a shipped checkpoint's history.
 */
function curveOf(records: readonly Record<string, unknown>[], key: string): CurvePoint[] {
  const points: CurvePoint[] = [];
  for (const r of records) {
    if (r.agent !== undefined && r.agent !== key) continue;
    const values = Object.entries(r).filter(([k]) => k.startsWith('eval/'));
    if (values.length === 0) continue;
    points.push({ step: r.update as number, ...(Object.fromEntries(values) as Record<string, number | null>) });
  }
  return points;
}

async function execute(
  spec: IclSequenceExperimentSpec,
  task: SequenceTask,
  models: Map<string, SequenceModel>,
  runDir: string,
  resumed: boolean,
  options: IclSequenceRunOptions,
): Promise<IclSequenceRunResult> {
  const sources: ModelSources = { trainingSeconds: {}, shipped: {} };
  const { shipped } = sources;
  return executeRun(
    {
      runDir,
      run: runHeader(spec),
      resumed,
      keys: spec.models.map((m) => m.id),
      train: (key, context) => {
        const m = spec.models.find((x) => x.id === key) as IclSequenceModelSpec;
        const model = models.get(key) as SequenceModel;
        return shippedOrTrained(
          key,
          shippedSequenceCheckpoint(spec, m, model, task, options.checkpointDir),
          model.parameters(),
          () => trainModel(spec, m, model, task, runDir, context),
          context,
          sources,
        );
      },
      evaluate: async (emit) => {
        emit({ type: 'eval-start', agent: 'held-out sequences' });
        const rng = Rng.fromSeed(spec.seed).fork('icl-sequence/eval');
        const metrics = readJsonl(path.join(runDir, 'metrics.jsonl'));
        const evalFile: IclSequenceEvalFile = {
          experiment: spec.name,
          kind: 'icl-sequence',
          seed: spec.seed,
          task: task.id,
          taskOptions: task.family.options as unknown as Record<string, unknown>,
          models: Object.fromEntries(
            spec.models.map((m) => {
              const model = models.get(m.id) as SequenceModel;
              return [
                m.id,
                {
                  model: m.model,
                  parameters: model.parameterCount(),
                  steps: shipped[m.id]?.checkpoint.update ?? sequenceTraining(spec, m).steps,
                  trainingSeconds: sources.trainingSeconds[m.id] ?? 0,
                  final: finalEvaluation(spec, model, task, rng),
                  curve: curveOf(shipped[m.id]?.checkpoint.history ?? metrics, m.id),
                  positionCurve:
                    shipped[m.id] === undefined
                      ? positionCurveOf(runDir, m.id)
                      : (shipped[m.id].checkpoint.positions ?? []).map((p) => ({
                          step: p.step,
                          lossByPosition: p.lossByPosition.map((v) => v ?? Number.NaN),
                        })),
                },
              ];
            }),
          ),
          shipped: Object.fromEntries(Object.entries(shipped).map(([k, ck]) => [k, ck.file])),
        };
        atomicWriteJson(path.join(runDir, 'eval.json'), evalFile, 2);
        emit({ type: 'note', message: sequenceHeadline(evalFile) });
        return evalFile;
      },
      evalScalars: (e) => sequenceEvalScalars(e),
    },
    options,
  );
}

/** The final evaluation as TensorBoard scalars (`final/…`), at each model's last step. */
function sequenceEvalScalars(e: IclSequenceEvalFile): AgentScalars[] {
  return Object.entries(e.models).map(([agent, m]) => {
    const f = m.final;
    const values: Record<string, number> =
      'resetState' in f
        ? Object.fromEntries(WALK_KINDS.map((k) => [`final/${k}Accuracy`, f.accuracy[k].p]))
        : 'inContextAccuracy' in f
          ? {
              'final/inContextAccuracy': f.inContextAccuracy.p,
              'final/inWeightsAccuracy': f.inWeightsAccuracy.p,
              'final/trainAccuracy': f.trainAccuracy.p,
            }
          : {
              'final/repeatLoss': f.repeatLoss,
              'final/firstLoss': f.firstLoss,
              'final/iclScore': f.inContextLearningScore,
              ...(f.bestHead === null ? {} : { 'final/prefixMatching': f.bestHead.prefixMatching }),
            };
    return {
      agent,
      step: m.steps,
      scalars: Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v))),
    };
  });
}

/** Every model's headline measures in a line. */
export function sequenceHeadline(e: IclSequenceEvalFile): string {
  return Object.entries(e.models)
    .map(([id, m]) => {
      const f = m.final;
      if ('resetState' in f)
        return (
          `${id}: accuracy on new places ${f.accuracy.new.p.toFixed(3)}, walked ${f.accuracy.walked.p.toFixed(3)}, ` +
          `new path ${f.accuracy.newPath.p.toFixed(3)}`
        );
      return 'inContextAccuracy' in f
        ? `${id}: in-context ${f.inContextAccuracy.p.toFixed(3)}, in-weights ${f.inWeightsAccuracy.p.toFixed(3)}`
        : `${id}: repeat loss ${f.repeatLoss.toFixed(3)} (first ${f.firstLoss.toFixed(3)}), ` +
            `ICL score ${f.inContextLearningScore.toFixed(3)}`;
    })
    .join('; ');
}

/** Trains one model from its checkpoint (or from scratch), evaluating it every `evalEvery` steps. */
async function trainModel(
  spec: IclSequenceExperimentSpec,
  m: IclSequenceModelSpec,
  model: SequenceModel,
  task: SequenceTask,
  runDir: string,
  context: TrainContext,
): Promise<{ stopped: boolean; wallSeconds: number }> {
  const training = sequenceTraining(spec, m);
  const { evalEvery, evalSequences, ...trainerArgs } = training;
  const root = Rng.fromSeed(spec.seed);
  const trainer = new SequenceTrainer(model, task.source, trainerArgs, root.fork(`icl-sequence/train/${m.id}`));
  const evalRng = root.fork('icl-sequence/periodic');
  const evaluatesAt = (update: number) =>
    evalEvery > 0 && (update % evalEvery === 0 || update === training.steps) && update > 0;
  // A resumed model's records of positions.jsonl past its checkpoint go before its first step.
  let positionsChecked = false;
  return trainSupervised(
    {
      runDir,
      key: m.id,
      parameters: model.parameters(),
      identity: {
        kind: 'icl-sequence',
        experiment: spec.name,
        seed: spec.seed,
        task: { id: task.id, options: task.family.options as unknown as Record<string, unknown> },
        agent: { id: m.model, options: model.options() },
        training,
      },
      trainer,
      ...trainerArgs,
      logAt: evaluatesAt,
      step: () => {
        if (!positionsChecked) {
          truncatePositions(runDir, m.id, trainer.update);
          positionsChecked = true;
        }
        const metrics = trainer.step();
        if (!evaluatesAt(metrics.update)) return metrics;
        const e = periodicEvaluation(model, task, evalRng, evalSequences);
        if (e.lossByPosition !== null) {
          const record = { model: m.id, step: metrics.update, lossByPosition: e.lossByPosition };
          fs.appendFileSync(positionsFile(runDir), `${JSON.stringify(record)}\n`);
        }
        return { ...metrics, ...e.scalars };
      },
    },
    context,
  );
}
