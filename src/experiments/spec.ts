// Experiment specs: JSON files validated by a zod schema. An unknown key or an out-of-range value
// is a UsageError naming the key. Built-in experiments are specs in scripts/experiments/.

import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import { packageRoot } from '../core/package.ts';
import { REGRESSION_MODELS } from '../icl/models.ts';
import { SEQUENCE_MODELS } from '../icl/sequence-models.ts';
import { SequenceTrainingSchema } from '../icl/sequence-train.ts';
import { IclTrainingSchema } from '../icl/train.ts';
import { type A2CArgs, A2CArgsSchema } from '../rl/a2c.ts';
import { readJsonFile } from './io.ts';
import { resolveSpecModules } from './plugins.ts';

const options = z.record(z.string(), z.unknown());

/**
 * Overrides of a training schema's settings: any subset of its keys, without defaults (a
 * `.partial()` would fill in the defaults of the keys not given, and they would override the
 * experiment's values).
 */
function overridesOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  return z.strictObject(
    Object.fromEntries(
      Object.entries(schema.shape).map(([key, field]) => [
        key,
        (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType)).optional(),
      ]),
    ) as unknown as { [K in keyof T]: z.ZodOptional<z.ZodType<z.output<T[K]>>> },
  );
}

/** An agent's overrides of the experiment's training settings (A2C's). */
const TrainingOverridesSchema = overridesOf(A2CArgsSchema);

/** A name for run directories and ids: lower-case letters, digits and dashes. */
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');

/** What every kind of experiment spec starts with: its name, what it is for, and its root seed. */
const identity = {
  name: slug,
  description: z.string().default(''),
  seed: z.int().min(0).max(0x7fffffff).default(0),
};

/** A module of one's own that defines the task or agent (src/experiments/plugins.ts), absolute once resolved. */
const moduleRef = z.string().min(1).optional();

export const AgentSpecSchema = z.strictObject({
  id: z.string().min(1),
  module: moduleRef,
  /**
   * The name the agent goes by in this experiment (checkpoints, metrics, eval.json, reports), when
   * one experiment holds the same agent twice with different options; default its id.
   */
  label: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes')
    .optional(),
  options: options.default({}),
  /** Overrides of the experiment's training settings for this agent. */
  training: TrainingOverridesSchema.optional(),
  /** Name of a shipped checkpoint (in checkpoints/) to evaluate instead of training, when not retraining. */
  checkpoint: z.string().optional(),
});
export type AgentSpec = z.infer<typeof AgentSpecSchema>;

/** The name an agent of a spec goes by: its label, or its id. */
export function agentKey(agent: { id: string; label?: string }): string {
  return agent.label ?? agent.id;
}

/** What a run records (RecordRequest of src/experiments/recording.ts). */
export const RecordSchema = z.strictObject({
  /** Record the first `episodes` held-out episodes (default: every evaluation episode). */
  episodes: z.number().int().min(1).max(1_000_000).optional(),
  /** Variables by name (default: what each agent records unasked; `all`: every one). */
  variables: z.array(z.string().min(1)).optional(),
  /** The most it may take before compression: bytes, or a quantity such as "500 MB" (default 2 GB). */
  limit: z.union([z.number().positive(), z.string().min(1)]).optional(),
  /** Record each network's untrained twin as a control (default true). */
  untrained: z.boolean().optional(),
  /** The reference policy recorded on each agent's history (default bayes-optimal where it plays; null: none). */
  reference: z.string().nullable().optional(),
  /** Record only these agents, by their names in the evaluation (labels or ids; default: every agent). */
  agents: z.array(z.string().min(1)).min(1).optional(),
});

export const EvaluationSchema = z.strictObject({
  /** Held-out episodes. */
  episodes: z.number().int().min(1).max(1_000_000).default(2000),
  /** Episodes played at once. */
  batchSize: z.number().int().min(1).max(4096).default(100),
  /** Classic agents evaluated on the very same instances, for paired comparisons. */
  compare: z.array(z.string()).default(['thompson', 'bayes-optimal']),
  /** Lesions every learning agent is also evaluated under (lesions.json, the report's lesion table). */
  lesions: z
    .array(z.enum(['reset-state', 'freeze-plasticity', 'reset-adaptation', 'reset-goal']))
    .default(['reset-state', 'freeze-plasticity']),
  /** Classic agents the report's by-trial figures show beside the learning agents and the best classic agent. */
  figureAgents: z.array(z.string()).optional(),
  /**
   * Record every agent's internal state on the first held-out episodes into recording/ (src/experiments/recording.ts),
   * and analyze it in the report (`engram analyze`).
   */
  record: RecordSchema.optional(),
  /**
   * The seed of the held-out instances and of the evaluation's action streams (default: the run's seed).
   * A suite's part with training seeds sets it to the suite's seed, so that every training seed
   * plays the same instances.
   */
  seed: z.int().min(0).max(0x7fffffff).optional(),
});

export const ExperimentSchema = z.strictObject({
  /** The experiment kind: meta-reinforcement learning (the default; see IclExperimentSchema for the other). */
  kind: z.literal('meta-rl').optional(),
  ...identity,
  task: z.strictObject({ id: z.string().min(1), module: moduleRef, options: options.default({}) }),
  agents: z.array(AgentSpecSchema).min(1),
  training: A2CArgsSchema,
  evaluation: EvaluationSchema.default({
    episodes: 2000,
    batchSize: 100,
    compare: ['thompson', 'bayes-optimal'],
    lesions: ['reset-state', 'freeze-plasticity'],
  }),
});
export type ExperimentSpec = z.infer<typeof ExperimentSchema>;

export const IclModelSpecSchema = z.strictObject({
  /** The model's name in metrics, checkpoints and results (e.g. `lsa-1`). */
  id: slug,
  /**
   * `lsa`: linear self-attention layers; `transformer`: the softmax transformer blocks of the `transformer` agent;
   * `lstm`, `gru`: the recurrent cells of the `lstm` and `gru` agents reading the tokens one by one (option `hidden`).
   */
  model: z.enum(REGRESSION_MODELS),
  /** Model options (validated by src/icl/models.ts). */
  options: options.default({}),
  /** Overrides of the experiment's training settings for this model. */
  training: overridesOf(IclTrainingSchema).optional(),
  /** A shipped checkpoint (`checkpoints/<name>.json`) evaluated instead of training, unless `engram run --train`. */
  checkpoint: z.string().optional(),
});
export type IclModelSpec = z.infer<typeof IclModelSpecSchema>;

export const IclEvaluationSchema = z.strictObject({
  /** Held-out sequences for the headline comparison (at the task's N). */
  sequences: z.number().int().min(1).max(1_000_000).default(10_000),
  /** Training-stream sequences on which baseline step sizes and ridge's λ are line-searched. */
  lineSearchSequences: z.number().int().min(1).max(1_000_000).default(10_000),
  /** K of the K-step gradient-descent baseline. */
  gdSteps: z.number().int().min(1).max(1000).default(5),
  /** The model compared with one GD step (lossRatio, cosine, …); default the first model. */
  reference: z.string().optional(),
  /** Context sizes N′ of the loss-versus-examples curve. */
  curveExamples: z.array(z.number().int().min(1).max(1000)).default([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20]),
  /** Held-out (and line-search) sequences per point of the curve. */
  curveSequences: z.number().int().min(1).max(1_000_000).default(2000),
  /**
   * Which algorithm does each model run (Akyürek et al. 2022; src/icl/algorithms.ts)? SPD and ILWD against
   * GD-1, GD-K, least squares and ridge at these context sizes and noise levels.
   */
  algorithms: z
    .strictObject({
      /** Context sizes N′ (default: the curve's). */
      examples: z.array(z.number().int().min(1).max(1000)).min(1).optional(),
      /** Label noise levels σ of the held-out sequences (default: the task's). */
      noise: z.array(z.number().min(0).max(100)).min(1).optional(),
      /** Held-out sequences per (N′, σ), and as many for tuning the algorithms. */
      sequences: z.number().int().min(1).max(1_000_000).default(1000),
      /** Probe queries per sequence for the implicit weights (at least the number of features). */
      probes: z.number().int().min(1).max(10_000).default(20),
    })
    .optional(),
});

/** An in-context regression experiment (`"kind": "icl-regression"`): von Oswald et al. 2022. */
export const IclExperimentSchema = z.strictObject({
  kind: z.literal('icl-regression'),
  ...identity,
  task: z.strictObject({ id: z.literal('icl-regression'), options: options.default({}) }),
  models: z.array(IclModelSpecSchema).min(1),
  training: IclTrainingSchema,
  evaluation: IclEvaluationSchema.default({
    sequences: 10_000,
    lineSearchSequences: 10_000,
    gdSteps: 5,
    curveExamples: [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20],
    curveSequences: 2000,
  }),
});
export type IclExperimentSpec = z.infer<typeof IclExperimentSchema>;

/**
 * The training settings of an `icl-sequence` experiment: SequenceTrainingSchema's, and a periodic
 * evaluation on held-out sequences logged with the training metrics (`eval/…` keys).
 */
export const IclSequenceTrainingSchema = SequenceTrainingSchema.extend({
  /** Evaluate on `evalSequences` held-out sequences every this many steps (and at the last); 0: never. */
  evalEvery: z.number().int().min(0).default(0),
  /** Held-out sequences of each periodic evaluation (the same ones every time). */
  evalSequences: z.number().int().min(1).max(100_000).default(256),
});
export type IclSequenceTrainingSpec = z.infer<typeof IclSequenceTrainingSchema>;

/** One model of an `icl-sequence` experiment. */
export const IclSequenceModelSpecSchema = z.strictObject({
  id: slug,
  /** The model kind (src/icl/sequence-models.ts). */
  model: z.enum(SEQUENCE_MODELS),
  /** Model options (validated by src/icl/sequence-models.ts). */
  options: options.default({}),
  /** A shipped checkpoint (`checkpoints/<name>.json`) evaluated instead of training, unless `engram run --train`. */
  checkpoint: z.string().optional(),
  /** Overrides of the experiment's training settings for this model. */
  training: overridesOf(IclSequenceTrainingSchema).optional(),
});
export type IclSequenceModelSpec = z.infer<typeof IclSequenceModelSpecSchema>;

export const IclSequenceEvaluationSchema = z.strictObject({
  /** Held-out sequences of the final evaluation (of each kind, on icl-bursty). */
  sequences: z.number().int().min(1).max(1_000_000).default(2000),
  /** icl-induction: the offsets at which prefix matching is read (evaluateInduction's prefixOffsets). */
  prefixOffsets: z.array(z.number().int().min(1).max(1000)).min(1).default([1]),
  /** graph-walk, TEM-t models: moves of each walk the rate maps are drawn from (walkRepresentations). */
  mapSteps: z.number().int().min(1).max(100_000).default(500),
  /** graph-walk: the width of the two environments of the rate maps (default: the largest of the task's widths). */
  mapWidth: z.number().int().min(2).max(64).optional(),
  /** graph-walk: memory neurons mapped (memories 0 … memoryNeurons − 1). */
  memoryNeurons: z.number().int().min(1).max(10_000).default(16),
});

/**
 * Sequence models trained by plain cross-entropy on icl-induction or icl-bursty (`"kind":
 * "icl-sequence"`): whatever in-context learning appears emerges from the data (Olsson et al. 2022;
 * Chan et al. 2022).
 */
export const IclSequenceExperimentSchema = z.strictObject({
  kind: z.literal('icl-sequence'),
  ...identity,
  task: z.strictObject({ id: z.enum(['icl-induction', 'icl-bursty', 'graph-walk']), options: options.default({}) }),
  models: z.array(IclSequenceModelSpecSchema).min(1),
  training: IclSequenceTrainingSchema,
  evaluation: IclSequenceEvaluationSchema.default({
    sequences: 2000,
    prefixOffsets: [1],
    mapSteps: 500,
    memoryNeurons: 16,
  }),
});
export type IclSequenceExperimentSpec = z.infer<typeof IclSequenceExperimentSchema>;

/** The placeholder a checkpoint name of a part with training seeds holds: `bandit-lstm-s{seed}`. */
export const SEED_PLACEHOLDER = '{seed}';

/**
 * A part of a suite: a meta-RL experiment, optionally replicated over training seeds. With
 * `seeds`, every learned agent is trained (or read from the shipped checkpoint whose name has
 * `{seed}` replaced) once per seed, and every seed is evaluated on the same held-out instances,
 * those of the suite's seed. An agent whose shipped checkpoint names no seed is one training: it
 * plays with the first seed only.
 */
export const SuitePartSchema = ExperimentSchema.extend({
  /** Training seeds: the part runs once per seed, each in parts/<part>-s<seed>/. */
  seeds: z.array(z.int().min(0).max(0x7fffffff)).min(1).max(100).optional(),
});
export type SuitePartSpec = z.infer<typeof SuitePartSchema>;

/**
 * A suite (`"kind": "suite"`): several meta-RL experiments run as parts of one run, each in its
 * own run directory under parts/, with one report over all of them (the `mechanisms` experiment).
 * Every part takes the suite's seed, but for a part with training seeds (`seeds`), which trains with
 * each of them and evaluates on the suite's seed.
 */
export const SuiteSchema = z
  .strictObject({
    kind: z.literal('suite'),
    ...identity,
    parts: z.array(SuitePartSchema).min(1),
  })
  .superRefine((suite, ctx) => {
    const seen = new Set<string>();
    suite.parts.forEach((p, i) => {
      if (seen.has(p.name))
        ctx.addIssue({ code: 'custom', path: ['parts', i, 'name'], message: `part name '${p.name}' is used twice` });
      seen.add(p.name);
      if (p.seeds !== undefined && new Set(p.seeds).size !== p.seeds.length)
        ctx.addIssue({ code: 'custom', path: ['parts', i, 'seeds'], message: 'a training seed is listed twice' });
      p.agents.forEach((a, j) => {
        if (a.checkpoint === undefined) return;
        const templated = a.checkpoint.includes(SEED_PLACEHOLDER);
        if (templated && p.seeds === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['parts', i, 'agents', j, 'checkpoint'],
            message: `names a checkpoint per training seed (${SEED_PLACEHOLDER}), but the part has no seeds`,
          });
      });
    });
  });
export type SuiteSpec = z.infer<typeof SuiteSchema>;

/** A spec of any kind. */
export type AnyExperimentSpec = ExperimentSpec | IclExperimentSpec | IclSequenceExperimentSpec | SuiteSpec;

/** Formats zod issues as "key.path: message" parts (the first three, and how many more). */
export function describeIssues(error: z.ZodError): string {
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return (
    error.issues
      .slice(0, 3)
      .map((issue) => {
        const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
        if (issue.code === 'unrecognized_keys') {
          const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
          return `unknown key ${issue.keys.map((k) => `'${prefix}${k}'`).join(', ')}`;
        }
        return `${where}: ${issue.message}`;
      })
      .join('; ') + more
  );
}

/** Validates a parsed spec; throws a UsageError naming every offending key. */
export function parseExperiment(raw: unknown, source: string): ExperimentSpec {
  if (kindOf(raw) === 'suite')
    throw new UsageError(`${source} is a suite of experiments, not one experiment (run it with engram run)`);
  if (isIclSpec(raw))
    throw new UsageError(`${source} is an ${kindOf(raw)} experiment, not a meta-RL one (run it with engram run)`);
  const result = ExperimentSchema.safeParse(raw);
  if (!result.success) throw new UsageError(`invalid experiment spec ${source}: ${describeIssues(result.error)}`);
  return result.data;
}

function isIclSpec(raw: unknown): boolean {
  return kindOf(raw) === 'icl-regression' || kindOf(raw) === 'icl-sequence';
}

function kindOf(raw: unknown): unknown {
  return typeof raw === 'object' && raw !== null ? (raw as { kind?: unknown }).kind : undefined;
}

/** Validates a parsed suite spec. */
export function parseSuite(raw: unknown, source: string): SuiteSpec {
  const result = SuiteSchema.safeParse(raw);
  if (!result.success) throw new UsageError(`invalid suite spec ${source}: ${describeIssues(result.error)}`);
  return result.data;
}

/** Validates a parsed spec of any kind (chosen by its `kind`, meta-RL when absent). */
export function parseAnyExperiment(raw: unknown, source: string): AnyExperimentSpec {
  if (kindOf(raw) === 'suite') return parseSuite(raw, source);
  if (!isIclSpec(raw)) return parseExperiment(raw, source);
  const result = (kindOf(raw) === 'icl-sequence' ? IclSequenceExperimentSchema : IclExperimentSchema).safeParse(raw);
  if (!result.success) throw new UsageError(`invalid experiment spec ${source}: ${describeIssues(result.error)}`);
  return result.data;
}

/** The folder of built-in experiment specs. */
export const BUILTIN_DIR = path.join(packageRoot(), 'scripts/experiments');

/** The built-in experiments: name → file. */
export function builtinExperiments(): { id: string; description: string; file: string }[] {
  if (!fs.existsSync(BUILTIN_DIR)) return [];
  return fs
    .readdirSync(BUILTIN_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = path.join(BUILTIN_DIR, f);
      const raw = readJsonFile(file, 'built-in experiment') as { description?: string };
      return { id: f.replace(/\.json$/, ''), description: raw.description ?? '', file };
    });
}

/** Resolves `<experiment|spec.json>`: a built-in name, or a path to a JSON spec (its modules loaded). */
export async function loadExperiment(ref: string): Promise<ExperimentSpec> {
  const { raw, source } = readExperiment(ref);
  return parseExperiment(await resolveSpecModules(raw, path.dirname(path.resolve(source))), source);
}

/** Resolves `<experiment|spec.json>` to a spec of either kind (its modules loaded). */
export async function loadAnyExperiment(ref: string): Promise<AnyExperimentSpec> {
  const { raw, source } = readExperiment(ref);
  return parseAnyExperiment(await resolveSpecModules(raw, path.dirname(path.resolve(source))), source);
}

function readExperiment(ref: string): { raw: unknown; source: string } {
  const builtin = builtinExperiments().find((e) => e.id === ref);
  if (builtin) return { raw: readJsonFile(builtin.file, 'built-in experiment'), source: builtin.file };
  if (ref.endsWith('.json') || fs.existsSync(ref)) return { raw: readJsonFile(ref, 'experiment spec'), source: ref };
  const known = builtinExperiments().map((e) => e.id);
  throw new UsageError(
    `unknown experiment '${ref}' (built-in: ${known.join(', ') || 'none'}; or give a path to a spec.json)`,
  );
}

/** The training settings of one agent: the experiment's, with the agent's overrides. */
export function agentTraining(spec: ExperimentSpec, agent: AgentSpec): A2CArgs {
  return A2CArgsSchema.parse({ ...spec.training, ...(agent.training ?? {}) });
}
