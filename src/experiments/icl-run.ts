// An in-context regression run (`"kind": "icl-regression"`, e.g. the built-in `icl-lsa-gd`): train
// every model of the spec on fresh sequences (src/icl/train.ts), then compare them on held-out
// sequences with the learning algorithms (src/icl/evaluate.ts), as von Oswald et al. (2022)
// compare a trained linear self-attention layer with one step of gradient descent. The run
// directory is a run directory like any other (src/experiments/run-dir.ts):
//   config.json               the resolved spec
//   metrics.jsonl             one record per logged step ({ agent: <model>, update, train/loss, … })
//   checkpoints/<model>.json  parameters and optimizer state (atomic writes, every checkpointEvery steps)
//   eval.json                 the comparison (lossRatio, cosine, predsDiff, learnedStep, …, the curve)
//   tb/<model>/, tb/<baseline>/   TensorBoard event files: train/… and perf/… scalars, the eval/… comparison
// and the report (engram report) adds the loss-against-examples figure. It emits the run events
// every run emits, so the dashboard follows it. A stopped run resumes from its checkpoints; the
// batches depend only on the seed and the step index, so it ends with the numbers of a run that
// never stopped.
import path from 'node:path';
import { createIclRegression, featureCount, type IclRegressionFamily } from '../../tasks/icl-regression.ts';
import { UsageError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { type AlgorithmIdentification, identifyAlgorithms } from '../icl/algorithms.ts';
import { evaluateRegressionModels, type IclEvaluation } from '../icl/evaluate.ts';
import { createRegressionModel, type RegressionModel } from '../icl/models.ts';
import { RegressionTrainer, trainingProblem } from '../icl/train.ts';
import type { Checkpoint } from './checkpoint.ts';
import { atomicWriteJson } from './io.ts';
import { modelTraining, runHeader } from './plan.ts';
import { createRunDir, openRunDir } from './run-dir.ts';
import { type IclExperimentSpec, type IclModelSpec, parseAnyExperiment } from './spec.ts';
import { type ModelSources, shippedModelCheckpoint, shippedOrTrained, trainSupervised } from './supervised-models.ts';
import type { AgentScalars } from './tensorboard.ts';
import { executeRun, type RunOptions, type TrainContext } from './training-loop.ts';

export interface IclRunOptions extends RunOptions {
  /** Train every model, even those whose spec names a shipped checkpoint (`engram run --train`). */
  train?: boolean;
  /** Where shipped checkpoints live (default: the repository's checkpoints/). */
  checkpointDir?: string;
}

/** eval.json of an in-context regression run. */
export interface IclEvalFile extends IclEvaluation {
  experiment: string;
  kind: 'icl-regression';
  seed: number;
  /** Every model's parameter count. */
  parameters: Record<string, number>;
  /** The shipped checkpoint each model came from, for the models evaluated from one instead of trained. */
  shipped: Record<string, string>;
  /** The context sizes each model was trained on: N′ from `from` to `to` (the task's N). */
  trainingExamples: Record<string, { from: number; to: number }>;
  /** Which algorithm each model runs, where the spec asks (evaluation.algorithms). */
  algorithms?: AlgorithmIdentification;
  /** Training wall time per model, in seconds. */
  trainingSeconds: Record<string, number>;
}

export interface IclRunResult {
  runDir: string;
  stopped: boolean;
  eval: IclEvalFile | null;
}

/** Every model built from the spec (so bad options fail before anything is written). */
function buildModels(spec: IclExperimentSpec, family: IclRegressionFamily): Map<string, RegressionModel> {
  const models = new Map<string, RegressionModel>();
  const root = Rng.fromSeed(spec.seed);
  for (const m of spec.models) {
    if (models.has(m.id)) throw new UsageError(`experiment ${spec.name}: model '${m.id}' is listed twice`);
    const problem = trainingProblem(modelTraining(spec, m), family, `experiment ${spec.name}: model '${m.id}'`);
    if (problem !== null) throw problem;
    models.set(
      m.id,
      createRegressionModel(
        m.model,
        family.options.dim,
        m.options,
        root.fork(`icl/init/${m.id}`),
        `${spec.name}: model '${m.id}'`,
      ),
    );
  }
  if (spec.evaluation.reference !== undefined && !models.has(spec.evaluation.reference)) {
    throw new UsageError(
      `experiment ${spec.name}: evaluation.reference '${spec.evaluation.reference}' ` +
        `is not one of its models (${[...models.keys()].join(', ')})`,
    );
  }
  const probes = spec.evaluation.algorithms?.probes;
  const features = featureCount(family.options.family, family.options.dim);
  if (probes !== undefined && probes < features)
    throw new UsageError(
      `experiment ${spec.name}: evaluation.algorithms.probes (${probes}) must be at least the number of ` +
        `features the task's functions are linear in (${features}), to read a model's implicit weights`,
    );
  return models;
}

/**
 * The checks an in-context regression run makes before anything is written (the task accepts its
 * options, every model can be built and trained as its spec says), for a sweep to make on every
 * run before any starts. Throws a UsageError naming what is wrong.
 */
export function checkIclSpec(spec: IclExperimentSpec): void {
  buildModels(spec, createIclRegression(spec.task.options));
}

/** Starts a new in-context regression run. */
export async function runIclExperiment(specIn: IclExperimentSpec, options: IclRunOptions = {}): Promise<IclRunResult> {
  // A --seed override is validated like the spec's own seed.
  let spec =
    options.seed === undefined
      ? specIn
      : (parseAnyExperiment({ ...specIn, seed: options.seed }, '--seed') as IclExperimentSpec);
  // With --train the run's config records that every model was trained (so a resume trains too).
  if (options.train) spec = { ...spec, models: spec.models.map(({ checkpoint: _shipped, ...m }) => m) };
  const family = createIclRegression(spec.task.options);
  const models = buildModels(spec, family);
  // A shipped checkpoint that does not fit its model is refused before anything is written.
  for (const m of spec.models) shippedIclCheckpoint(spec, m, models.get(m.id)!, family, options.checkpointDir);
  return execute(spec, family, models, createRunDir(spec, options.out), false, options);
}

/** Continues a stopped in-context regression run. */
export async function resumeIclRun(
  runDir: string,
  options: Omit<IclRunOptions, 'out' | 'seed'> = {},
): Promise<IclRunResult> {
  const { dir, config } = openRunDir(runDir);
  const spec = parseAnyExperiment(config, path.join(dir, 'config.json'));
  if (spec.kind !== 'icl-regression') throw new UsageError(`${runDir} is not an icl-regression run`);
  const family = createIclRegression(spec.task.options);
  return execute(spec, family, buildModels(spec, family), dir, true, options);
}

async function execute(
  spec: IclExperimentSpec,
  family: IclRegressionFamily,
  models: Map<string, RegressionModel>,
  runDir: string,
  resumed: boolean,
  options: IclRunOptions,
): Promise<IclRunResult> {
  const sources: ModelSources = { trainingSeconds: {}, shipped: {} };
  return executeRun(
    {
      runDir,
      run: runHeader(spec),
      resumed,
      keys: spec.models.map((m) => m.id),
      train: (key, context) => {
        const m = spec.models.find((x) => x.id === key) as IclModelSpec;
        const model = models.get(key) as RegressionModel;
        return shippedOrTrained(
          key,
          shippedIclCheckpoint(spec, m, model, family, options.checkpointDir),
          model.parameters(),
          () => trainModel(spec, m, model, family, runDir, context),
          context,
          sources,
        );
      },
      evaluate: async (emit) => {
        emit({ type: 'eval-start', agent: 'held-out sequences' });
        const ev = spec.evaluation;
        const reference = ev.reference ?? spec.models[0].id;
        const evaluation = evaluateRegressionModels(family, models, { ...ev, seed: spec.seed, reference });
        const algorithms =
          ev.algorithms === undefined
            ? undefined
            : identifyAlgorithms(family, models, {
                seed: spec.seed,
                examples: ev.algorithms.examples ?? ev.curveExamples,
                noise: ev.algorithms.noise ?? [family.options.noise],
                sequences: ev.algorithms.sequences,
                probes: ev.algorithms.probes,
                gdSteps: ev.gdSteps,
              });
        const evalFile: IclEvalFile = {
          experiment: spec.name,
          kind: 'icl-regression',
          seed: spec.seed,
          ...evaluation,
          parameters: Object.fromEntries([...models].map(([id, m]) => [id, m.parameterCount()])),
          shipped: Object.fromEntries(Object.entries(sources.shipped).map(([k, ck]) => [k, ck.file])),
          trainingExamples: Object.fromEntries(
            spec.models.map((m) => [
              m.id,
              { from: modelTraining(spec, m).examplesFrom ?? family.options.examples, to: family.options.examples },
            ]),
          ),
          ...(algorithms === undefined ? {} : { algorithms }),
          trainingSeconds: sources.trainingSeconds,
        };
        atomicWriteJson(path.join(runDir, 'eval.json'), evalFile, 2);
        emit({ type: 'note', message: headline(evalFile) });
        return evalFile;
      },
      evalScalars: (e) => iclEvalScalars(spec, e),
    },
    options,
  );
}

/**
 * The comparison as TensorBoard scalars: every model's and every learning algorithm's test loss
 * (`eval/loss` in tb/<model>/ and tb/gd-1/, tb/ridge/, …, so that one chart holds them all), the
 * reference model's agreement with one GD step (`eval/lossRatio`, `eval/cosine`, `eval/predsDiff`,
 * `eval/stepRelativeError`) and the step it learned beside the line-searched one (`eval/step` in
 * tb/<reference>/ and tb/gd-1/). A model's are at its last training step, the algorithms' at the
 * run's last.
 */
function iclEvalScalars(spec: IclExperimentSpec, e: IclEvalFile): AgentScalars[] {
  const steps = new Map(spec.models.map((m) => [m.id, modelTraining(spec, m).steps]));
  const last = Math.max(0, ...steps.values());
  const scalars = new Map<string, Record<string, number | null>>();
  for (const [agent, loss] of Object.entries(e.losses)) scalars.set(agent, { 'eval/loss': loss });
  Object.assign(scalars.get(e.reference) ?? {}, {
    'eval/lossRatio': e.lossRatio,
    'eval/cosine': e.cosine,
    'eval/predsDiff': e.predsDiff,
    'eval/step': e.learnedStep,
    'eval/stepRelativeError': e.stepRelativeError,
  });
  Object.assign(scalars.get('gd-1') ?? {}, { 'eval/step': e.optimalStep });
  return [...scalars].map(([agent, values]) => ({
    agent,
    step: steps.get(agent) ?? last,
    scalars: Object.fromEntries(
      Object.entries(values).filter((entry): entry is [string, number] => Number.isFinite(entry[1])),
    ),
  }));
}

/** The comparison with one GD step in a line. */
function headline(e: IclEvalFile): string {
  return (
    `${e.reference} vs one GD step: loss ratio ${e.lossRatio.toFixed(4)}, cosine ${e.cosine.toFixed(4)}, ` +
    `|Δŷ| ${e.predsDiff.toExponential(2)}, step ${e.learnedStep?.toFixed(3) ?? 'n/a'} ` +
    `(line search ${e.optimalStep.toFixed(3)})`
  );
}

/** The shipped checkpoint a model of the spec is evaluated from instead of being trained (see supervised-models.ts). */
export function shippedIclCheckpoint(
  spec: IclExperimentSpec,
  m: IclModelSpec,
  model: RegressionModel,
  family: IclRegressionFamily,
  checkpointDir?: string,
): { file: string; checkpoint: Checkpoint } | null {
  return shippedModelCheckpoint({
    experiment: spec.name,
    model: { id: m.id, kind: m.model, options: model.options(), checkpoint: m.checkpoint },
    runKind: 'icl-regression',
    what: 'an in-context regression model',
    task: { id: family.id, options: family.options as unknown as Record<string, unknown> },
    resolveTask: (raw) => createIclRegression(raw).options as unknown as Record<string, unknown>,
    resolveModel: (raw) =>
      createRegressionModel(m.model, family.options.dim, raw, Rng.fromSeed('shipped')).options() as Record<
        string,
        unknown
      >,
    checkpointDir,
  });
}

/** Trains one model from its checkpoint (or from scratch); a finished model is only loaded. */
async function trainModel(
  spec: IclExperimentSpec,
  m: IclModelSpec,
  model: RegressionModel,
  family: IclRegressionFamily,
  runDir: string,
  context: TrainContext,
): Promise<{ stopped: boolean; wallSeconds: number }> {
  const training = modelTraining(spec, m);
  const trainer = new RegressionTrainer(model, family, training, Rng.fromSeed(spec.seed).fork(`icl/train/${m.id}`));
  return trainSupervised(
    {
      runDir,
      key: m.id,
      parameters: model.parameters(),
      identity: {
        kind: 'icl-regression',
        experiment: spec.name,
        seed: spec.seed,
        task: { id: family.id, options: family.options },
        agent: { id: m.model, options: model.options() },
        training,
      },
      trainer,
      ...training,
    },
    context,
  );
}
