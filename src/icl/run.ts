// An in-context regression run (`"kind": "icl-regression"`, e.g. the built-in `icl-lsa-gd`): train
// every model of the spec on fresh sequences, then compare them on held-out sequences with the
// learning algorithms of src/icl/baselines.ts, as von Oswald et al. (2022) compare a trained
// linear self-attention layer with one step of gradient descent. The run directory holds
//   config.json               the resolved spec
//   metrics.jsonl             one record per logged step ({ model, step, train/loss, … })
//   checkpoints/<model>.json  the trained parameters (written atomically when a model is done)
//   eval.json                 the comparison (lossRatio, cosine, predsDiff, learnedStep, …, the curve)
//   loss-vs-examples.svg      test loss against the number of in-context examples
// A stopped run resumes with `engram run --resume DIR`: finished models are loaded from their
// checkpoints and an unfinished one is trained again from its start; batches depend only on the
// seed and the step index, so the numbers equal those of a run that never stopped.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { Rng } from '../core/rng.ts';
import { UsageError } from '../core/errors.ts';
import { parametersToJSON } from '../nn/module.ts';
import { loadCheckpointParameters } from '../experiments/checkpoint.ts';
import { atomicWriteJson, atomicWriteText, JsonlWriter, readJsonFile, readJsonl } from '../experiments/io.ts';
import { IclTrainingSchema, parseAnyExperiment, describeIssues, type IclExperimentSpec, type IclModelSpec } from '../experiments/spec.ts';
import { createIclRegression, type IclRegressionFamily, type SequenceBatch } from '../../tasks/icl-regression.ts';
import { writeVegaLiteSvg, type TopLevelSpec } from '../analysis/figures.ts';
import { createRegressionModel, effectiveStep, LsaModel, type RegressionModel } from './models.ts';
import { modelPredictions, queryGradients, trainRegressionModel } from './train.ts';
import {
  gradientDescentWeights,
  leastSquaresWeights,
  lineSearchRidge,
  lineSearchStep,
  meanSquaredError,
  optimalOneStep,
  predictionsOf,
  ridgeWeights,
} from './baselines.ts';

export interface IclRunControl {
  stop: boolean;
}

export interface IclRunOptions {
  /** The run directory; by default runs/<experiment>-s<seed>-<time>. */
  out?: string;
  /** Overrides the spec's seed. */
  seed?: number;
  /** Progress lines. */
  write?: (line: string) => void;
  control?: IclRunControl;
}

/** The headline comparison of the reference model with one step of gradient descent, and the curve. */
export interface IclEvalFile {
  experiment: string;
  kind: 'icl-regression';
  seed: number;
  task: string;
  taskOptions: Record<string, unknown>;
  /** Held-out sequences of the headline numbers. */
  sequences: number;
  /** The model compared with one GD step. */
  reference: string;
  /** Reference model's test loss / one-step GD's test loss (mean squared error of ŷ_q). */
  lossRatio: number;
  /** Mean over sequences of the cosine between ∂ŷ/∂x_q of the model and of one GD step. */
  cosine: number;
  /** Mean |ŷ_model − ŷ_GD|. */
  predsDiff: number;
  /** The GD step size η read off the reference model's weights (one-layer LSA only, else null). */
  learnedStep: number | null;
  /** How far the reference model's step matrix is from η·I (relative Frobenius norm; null if not an LSA). */
  learnedStepOffScalar: number | null;
  /** The line-searched one-step η (L(w) = (1/2N) Σ (w·x_i − y_i)², w₁ = −η∇L(0)). */
  optimalStep: number;
  /** |learnedStep − optimalStep| / optimalStep. */
  stepRelativeError: number | null;
  /** Test losses at the task's N: every model, and `gd-1`, `gd-<K>`, `ridge`, `least-squares`, `zero` (ŷ = 0). */
  losses: Record<string, number>;
  /** Line-searched hyper-parameters of the baselines at the task's N. */
  baselines: { gdOneStep: number; gdSteps: number; gdKStep: number; ridgeLambda: number };
  /** Test loss against the number of in-context examples, one point per series and N′ (`gd-1-fixed`: one GD step with the η of the task's N). */
  curve: { examples: number; series: string; loss: number }[];
  /** Training wall time per model, in seconds. */
  trainingSeconds: Record<string, number>;
  figure: string;
}

export interface IclRunResult {
  runDir: string;
  stopped: boolean;
  eval: IclEvalFile | null;
}

const ICL_CHECKPOINT_FORMAT = 'engram-icl-checkpoint';

const IclCheckpointSchema = z.strictObject({
  format: z.literal(ICL_CHECKPOINT_FORMAT),
  version: z.literal(1),
  experiment: z.string(),
  seed: z.number().int(),
  model: z.strictObject({ id: z.string(), kind: z.enum(['lsa', 'transformer']), options: z.record(z.string(), z.unknown()) }),
  dim: z.number().int().min(1),
  steps: z.number().int().min(0),
  wallSeconds: z.number().min(0),
  metricsRecords: z.number().int().min(0),
  params: z.record(z.string(), z.unknown()),
});
type IclCheckpoint = z.infer<typeof IclCheckpointSchema>;

function timestampId(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** Every model built from the spec (so bad options fail before anything is written). */
function buildModels(spec: IclExperimentSpec, family: IclRegressionFamily): Map<string, RegressionModel> {
  const models = new Map<string, RegressionModel>();
  const root = Rng.fromSeed(spec.seed);
  for (const m of spec.models) {
    if (models.has(m.id)) throw new UsageError(`experiment ${spec.name}: model '${m.id}' is listed twice`);
    models.set(m.id, createRegressionModel(m.model, family.options.dim, m.options, root.fork(`icl/init/${m.id}`), `${spec.name}: model '${m.id}'`));
  }
  if (spec.evaluation.reference !== undefined && !models.has(spec.evaluation.reference)) {
    throw new UsageError(`experiment ${spec.name}: evaluation.reference '${spec.evaluation.reference}' is not one of its models (${[...models.keys()].join(', ')})`);
  }
  return models;
}

/** Starts a new in-context regression run. */
export async function runIclExperiment(specIn: IclExperimentSpec, options: IclRunOptions = {}): Promise<IclRunResult> {
  // A --seed override is validated like the spec's own seed.
  const spec = options.seed === undefined ? specIn : (parseAnyExperiment({ ...specIn, seed: options.seed }, '--seed') as IclExperimentSpec);
  const family = createIclRegression(spec.task.options);
  const models = buildModels(spec, family);
  const runDir = path.resolve(options.out ?? path.join('runs', `${spec.name}-s${spec.seed}-${timestampId()}`));
  if (fs.existsSync(path.join(runDir, 'config.json'))) {
    throw new UsageError(`${runDir} already holds a run; resume it with --resume ${runDir} or choose another --out`);
  }
  fs.mkdirSync(path.join(runDir, 'checkpoints'), { recursive: true });
  atomicWriteJson(path.join(runDir, 'config.json'), spec, 2);
  return execute(spec, family, models, runDir, false, options);
}

/** True if the run directory holds an in-context regression run. */
export function isIclRunDir(dir: string): boolean {
  const config = path.join(dir, 'config.json');
  if (!fs.existsSync(config)) return false;
  const raw = readJsonFile(config, 'run configuration') as { kind?: unknown };
  return raw?.kind === 'icl-regression';
}

/** Continues a stopped in-context regression run. */
export async function resumeIclRun(runDir: string, options: Omit<IclRunOptions, 'out' | 'seed'> = {}): Promise<IclRunResult> {
  const dir = path.resolve(runDir);
  const config = path.join(dir, 'config.json');
  const spec = parseAnyExperiment(readJsonFile(config, 'run configuration'), config);
  if (spec.kind !== 'icl-regression') throw new UsageError(`${runDir} is not an icl-regression run`);
  const family = createIclRegression(spec.task.options);
  return execute(spec, family, buildModels(spec, family), dir, true, options);
}

function readIclCheckpoint(file: string): IclCheckpoint {
  const parsed = IclCheckpointSchema.safeParse(readJsonFile(file, 'checkpoint'));
  if (!parsed.success) throw new UsageError(`checkpoint ${file} is malformed: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function modelTraining(spec: IclExperimentSpec, m: IclModelSpec) {
  return IclTrainingSchema.parse({ ...spec.training, ...(m.training ?? {}) });
}

async function execute(
  spec: IclExperimentSpec,
  family: IclRegressionFamily,
  models: Map<string, RegressionModel>,
  runDir: string,
  resumed: boolean,
  options: IclRunOptions,
): Promise<IclRunResult> {
  const write = options.write ?? (() => {});
  const control = options.control ?? { stop: false };
  write(`${resumed ? 'resuming' : 'run'} ${spec.name} (seed ${spec.seed}) in ${runDir}`);
  const metricsFile = path.join(runDir, 'metrics.jsonl');
  const checkpointOf = (id: string) => path.join(runDir, 'checkpoints', `${id}.json`);
  if (resumed) {
    // Keep the records of finished models only; an unfinished model trains again from its start.
    const done = new Map<string, number>();
    for (const m of spec.models) if (fs.existsSync(checkpointOf(m.id))) done.set(m.id, readIclCheckpoint(checkpointOf(m.id)).metricsRecords);
    const seen = new Map<string, number>();
    const kept = readJsonl(metricsFile).filter((r) => {
      const id = String(r.model);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      return n <= (done.get(id) ?? 0);
    });
    atomicWriteText(metricsFile, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  }
  const root = Rng.fromSeed(spec.seed);
  const trainingSeconds: Record<string, number> = {};
  const metrics = new JsonlWriter(metricsFile);
  try {
    for (const m of spec.models) {
      const model = models.get(m.id)!;
      const file = checkpointOf(m.id);
      if (fs.existsSync(file)) {
        const ck = readIclCheckpoint(file);
        loadCheckpointParameters(model.parameters(), ck.params as never, file);
        trainingSeconds[m.id] = ck.wallSeconds;
        write(`${m.id}: loaded from ${file} (${ck.steps} steps)`);
        continue;
      }
      const training = modelTraining(spec, m);
      write(`${m.id}: training a ${m.model} (${model.parameterCount()} parameters) for ${training.steps} steps of ${training.batchSize} sequences`);
      let wall = 0;
      let records = 0;
      let lastLine = performance.now();
      const started = performance.now();
      const result = trainRegressionModel(
        model,
        family,
        training,
        root.fork(`icl/train/${m.id}`),
        (x) => {
          wall = (performance.now() - started) / 1000;
          if (x.step % training.logEvery === 0 || x.step === training.steps) {
            metrics.write({ model: m.id, ...x, wallSeconds: Math.round(wall * 1000) / 1000 });
            records++;
          }
          if (performance.now() - lastLine > 5000 || x.step === training.steps) {
            lastLine = performance.now();
            write(`${m.id}: step ${x.step}/${training.steps}  loss ${x['train/loss'].toFixed(4)}  (${(x.step / Math.max(wall, 1e-9)).toFixed(0)} steps/s)`);
          }
        },
        () => control.stop,
      );
      if (result.stopped) {
        write(`stopped; continue with: engram run --resume ${runDir}`);
        return { runDir, stopped: true, eval: null };
      }
      trainingSeconds[m.id] = wall;
      const ck: IclCheckpoint = {
        format: ICL_CHECKPOINT_FORMAT,
        version: 1,
        experiment: spec.name,
        seed: spec.seed,
        model: { id: m.id, kind: m.model, options: model.options() },
        dim: family.options.dim,
        steps: result.steps,
        wallSeconds: wall,
        metricsRecords: records,
        params: parametersToJSON(model.parameters()),
      };
      atomicWriteJson(file, ck);
    }
  } finally {
    metrics.close();
  }
  write('evaluating on held-out sequences');
  const evalFile = await evaluateIcl(spec, family, models, trainingSeconds, runDir);
  atomicWriteJson(path.join(runDir, 'eval.json'), evalFile, 2);
  write(
    `${evalFile.reference} vs one GD step: loss ratio ${evalFile.lossRatio.toFixed(4)}, cosine ${evalFile.cosine.toFixed(4)}, ` +
      `|Δŷ| ${evalFile.predsDiff.toExponential(2)}, step ${evalFile.learnedStep?.toFixed(3) ?? 'n/a'} (line search ${evalFile.optimalStep.toFixed(3)})`,
  );
  write(`figure: ${path.join(runDir, evalFile.figure)}`);
  return { runDir, stopped: false, eval: evalFile };
}

/** Test losses of every model and baseline on one held-out batch, with baselines tuned on `tuning`. */
function lossesOn(models: Map<string, RegressionModel>, test: SequenceBatch, tuning: SequenceBatch, gdSteps: number, fixedStep?: number) {
  const gdOneStep = optimalOneStep(tuning);
  const gdKStep = lineSearchStep(tuning, gdSteps);
  const ridgeLambda = lineSearchRidge(tuning);
  const losses: Record<string, number> = {};
  for (const [id, model] of models) losses[id] = meanSquaredError(test, modelPredictions(model, test));
  const gdPredictions = predictionsOf(test, gradientDescentWeights(test, gdOneStep, 1));
  losses['gd-1'] = meanSquaredError(test, gdPredictions);
  // The trained models keep the step they learned at the training N; this is GD doing the same.
  if (fixedStep !== undefined) losses['gd-1-fixed'] = meanSquaredError(test, predictionsOf(test, gradientDescentWeights(test, fixedStep, 1)));
  losses[`gd-${gdSteps}`] = meanSquaredError(test, predictionsOf(test, gradientDescentWeights(test, gdKStep, gdSteps)));
  losses.ridge = meanSquaredError(test, predictionsOf(test, ridgeWeights(test, ridgeLambda)));
  losses['least-squares'] = meanSquaredError(test, predictionsOf(test, leastSquaresWeights(test)));
  // The loss of ignoring the context (ŷ = 0): E[y_q²] = d/12 without noise.
  losses.zero = meanSquaredError(test, new Float64Array(test.sequences));
  return { losses, gdOneStep, gdKStep, ridgeLambda, gdPredictions };
}

export async function evaluateIcl(
  spec: IclExperimentSpec,
  family: IclRegressionFamily,
  models: Map<string, RegressionModel>,
  trainingSeconds: Record<string, number>,
  runDir: string,
): Promise<IclEvalFile> {
  const root = Rng.fromSeed(spec.seed);
  const ev = spec.evaluation;
  const n = family.options.examples;
  // Tuning sequences come from a training-side stream; test sequences from a held-out one.
  const tuning = family.sampleSequences(root.fork('icl/line-search'), ev.lineSearchSequences);
  const test = family.sampleSequences(root.fork('icl/eval'), ev.sequences);
  const { losses, gdOneStep, gdKStep, ridgeLambda, gdPredictions } = lossesOn(models, test, tuning, ev.gdSteps);

  const referenceId = ev.reference ?? spec.models[0].id;
  const reference = models.get(referenceId)!;
  const predictions = modelPredictions(reference, test);
  let predsDiff = 0;
  for (let s = 0; s < test.sequences; s++) predsDiff += Math.abs(predictions[s] - gdPredictions[s]);
  predsDiff /= test.sequences;
  // One GD step's ∂ŷ/∂x_q is its weight vector w₁ = (η/N) Σ_i y_i x_i.
  const gdGradients = gradientDescentWeights(test, gdOneStep, 1);
  const modelGradients = queryGradients(reference, test);
  const d = family.options.dim;
  let cosine = 0;
  for (let s = 0; s < test.sequences; s++) {
    let dot = 0;
    let a2 = 0;
    let b2 = 0;
    for (let k = 0; k < d; k++) {
      const a = modelGradients[s * d + k];
      const b = gdGradients[s * d + k];
      dot += a * b;
      a2 += a * a;
      b2 += b * b;
    }
    cosine += a2 > 0 && b2 > 0 ? dot / Math.sqrt(a2 * b2) : 0;
  }
  cosine /= test.sequences;
  const step = reference instanceof LsaModel && reference.layers.length === 1 ? effectiveStep(reference) : null;

  const curve: IclEvalFile['curve'] = [];
  for (const examples of ev.curveExamples) {
    const at = lossesOn(
      models,
      family.sampleSequences(root.fork(`icl/curve/${examples}`), ev.curveSequences, examples),
      family.sampleSequences(root.fork(`icl/curve-line-search/${examples}`), ev.curveSequences, examples),
      ev.gdSteps,
      gdOneStep,
    ).losses;
    for (const [series, loss] of Object.entries(at)) curve.push({ examples, series, loss });
  }
  const figure = 'loss-vs-examples.svg';
  await writeVegaLiteSvg(lossCurveFigure(curve, n, family.options.dim, ev.gdSteps), path.join(runDir, figure));
  return {
    experiment: spec.name,
    kind: 'icl-regression',
    seed: spec.seed,
    task: family.id,
    taskOptions: family.options as unknown as Record<string, unknown>,
    sequences: ev.sequences,
    reference: referenceId,
    lossRatio: losses[referenceId] / losses['gd-1'],
    cosine,
    predsDiff,
    learnedStep: step?.step ?? null,
    learnedStepOffScalar: step?.offScalar ?? null,
    optimalStep: gdOneStep,
    stepRelativeError: step === null ? null : Math.abs(step.step - gdOneStep) / Math.abs(gdOneStep),
    losses,
    baselines: { gdOneStep, gdSteps: ev.gdSteps, gdKStep, ridgeLambda },
    curve,
    trainingSeconds,
    figure,
  };
}

/** Readable names of the curve's series. */
function seriesLabel(series: string, gdSteps: number): string {
  if (series === 'gd-1') return 'GD, 1 step (line-searched η)';
  if (series === 'gd-1-fixed') return 'GD, 1 step (η of training N)';
  if (series === `gd-${gdSteps}`) return `GD, ${gdSteps} steps (line-searched η)`;
  if (series === 'ridge') return 'ridge (line-searched λ)';
  if (series === 'least-squares') return 'least squares (min. norm)';
  if (series === 'zero') return 'no learning (ŷ = 0)';
  return `trained: ${series}`;
}

/** Test loss against N′, one line per series, told apart by dash and point shape (black-and-white safe). */
export function lossCurveFigure(curve: IclEvalFile['curve'], trainedExamples: number, dim: number, gdSteps: number): TopLevelSpec {
  const values = curve.map((p) => ({ ...p, label: seriesLabel(p.series, gdSteps) }));
  // The axis ends a little above the loss of ignoring the context; a model that extrapolates worse
  // than that (deep LSA at N′ far from its training N) leaves the plot, as the subtitle says.
  const zero = Math.max(...curve.filter((p) => p.series === 'zero').map((p) => p.loss), 0);
  const top = zero > 0 ? Math.ceil(zero * 1.25 * 10) / 10 : undefined;
  const offScale = top === undefined ? [] : [...new Set(curve.filter((p) => p.loss > top).map((p) => p.series))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'In-context linear regression: test loss against context size',
      subtitle: [
        `d = ${dim}; trained models saw N = ${trainedExamples} examples (dotted line); baselines tuned at each N′ unless noted`,
        ...(offScale.length > 0 ? [`points above the axis are cut off (${offScale.join(', ')})`] : []),
      ],
    },
    width: 460,
    height: 300,
    data: { values },
    layer: [
      {
        mark: { type: 'line', point: { filled: false, size: 45 }, strokeWidth: 1.6, clip: true },
        encoding: {
          x: { field: 'examples', type: 'quantitative', title: 'in-context examples N′ (count)', axis: { tickMinStep: 1 } },
          y: {
            field: 'loss',
            type: 'quantitative',
            title: 'test loss: mean squared error of ŷ_q (y units²)',
            ...(top === undefined ? {} : { scale: { domain: [0, top] } }),
          },
          color: { field: 'label', type: 'nominal', title: null, scale: { scheme: 'dark2' }, legend: { orient: 'right', labelLimit: 320 } },
          strokeDash: { field: 'label', type: 'nominal', title: null, legend: { labelLimit: 320 } },
          shape: { field: 'label', type: 'nominal', title: null, legend: { labelLimit: 320 } },
        },
      },
      {
        data: { values: [{ examples: trainedExamples }] },
        mark: { type: 'rule', strokeDash: [2, 3], color: 'gray' },
        encoding: { x: { field: 'examples', type: 'quantitative' } },
      },
    ],
    config: { font: 'sans-serif', legend: { symbolStrokeWidth: 1.6, symbolSize: 120, labelLimit: 320 } },
  } as TopLevelSpec;
}
