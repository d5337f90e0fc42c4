// Experiment specs: JSON files validated by a zod schema. An unknown key or an out-of-range value
// is a UsageError naming the key. Built-in experiments are specs in scripts/experiments/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UsageError } from '../core/errors.ts';
import { readJsonFile } from './io.ts';

const options = z.record(z.string(), z.unknown());

/** Meta-training settings of the advantage actor-critic (src/rl/a2c.ts). */
export const TrainingSchema = z.strictObject({
  /** Number of parameter updates; each plays one batch of whole episodes. */
  updates: z.number().int().min(0).max(10_000_000),
  /** Episodes per update (B). */
  batchSize: z.number().int().min(1).max(4096).default(32),
  /** Adam step size. */
  learningRate: z.number().gt(0).max(1).default(7e-4),
  /** Adam β₁, β₂, ε. */
  adamBeta1: z.number().min(0).lt(1).default(0.9),
  adamBeta2: z.number().min(0).lt(1).default(0.999),
  adamEpsilon: z.number().gt(0).max(1).default(1e-8),
  /** Discount γ. */
  discount: z.number().min(0).max(1).default(0.9),
  /** GAE λ. */
  gaeLambda: z.number().min(0).max(1).default(1),
  /** Value-loss coefficient. */
  valueCoef: z.number().min(0).max(100).default(0.05),
  /** Entropy coefficient at the first update, annealed linearly to `entropyEnd` at the last. */
  entropyStart: z.number().min(0).max(10).default(0.05),
  entropyEnd: z.number().min(0).max(10).default(0),
  /** Global gradient-norm clip. */
  gradClip: z.number().gt(0).default(50),
  /** Write a checkpoint every this many updates (and at the end). */
  checkpointEvery: z.number().int().min(1).default(100),
  /** Log metrics every this many updates. */
  logEvery: z.number().int().min(1).default(10),
  /** Worker threads sharing each batch (1 = train on the main thread). */
  workers: z.number().int().min(1).max(64).default(1),
});
export type TrainingSpec = z.infer<typeof TrainingSchema>;

export const AgentSpecSchema = z.strictObject({
  id: z.string().min(1),
  options: options.default({}),
  /** Overrides of the experiment's training settings for this agent. */
  training: TrainingSchema.partial().optional(),
  /** Name of a shipped checkpoint (in checkpoints/) to evaluate instead of training, when not retraining. */
  checkpoint: z.string().optional(),
});
export type AgentSpec = z.infer<typeof AgentSpecSchema>;

export const EvaluationSchema = z.strictObject({
  /** Held-out episodes. */
  episodes: z.number().int().min(1).max(1_000_000).default(2000),
  /** Episodes played at once. */
  batchSize: z.number().int().min(1).max(4096).default(100),
  /** Classic agents evaluated on the very same instances, for paired comparisons. */
  compare: z.array(z.string()).default(['thompson', 'bayes-optimal']),
});

export const ExperimentSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  description: z.string().default(''),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  task: z.strictObject({ id: z.string().min(1), options: options.default({}) }),
  agents: z.array(AgentSpecSchema).min(1),
  training: TrainingSchema,
  evaluation: EvaluationSchema.default({ episodes: 2000, batchSize: 100, compare: ['thompson', 'bayes-optimal'] }),
});
export type ExperimentSpec = z.infer<typeof ExperimentSchema>;

/** Formats zod issues as "key.path: message" parts (the first three, and how many more). */
export function describeIssues(error: z.ZodError): string {
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      if (issue.code === 'unrecognized_keys') {
        const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
        return `unknown key ${issue.keys.map((k) => `'${prefix}${k}'`).join(', ')}`;
      }
      return `${where}: ${issue.message}`;
    })
    .join('; ') + more;
}

/** Validates a parsed spec; throws a UsageError naming every offending key. */
export function parseExperiment(raw: unknown, source: string): ExperimentSpec {
  const result = ExperimentSchema.safeParse(raw);
  if (!result.success) throw new UsageError(`invalid experiment spec ${source}: ${describeIssues(result.error)}`);
  return result.data;
}

/** The folder of built-in experiment specs. */
export const BUILTIN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/experiments');

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

/** Resolves `<experiment|spec.json>`: a built-in name, or a path to a JSON spec. */
export function loadExperiment(ref: string): ExperimentSpec {
  const builtin = builtinExperiments().find((e) => e.id === ref);
  if (builtin) return parseExperiment(readJsonFile(builtin.file, 'built-in experiment'), builtin.file);
  if (ref.endsWith('.json') || fs.existsSync(ref)) return parseExperiment(readJsonFile(ref, 'experiment spec'), ref);
  const known = builtinExperiments().map((e) => e.id);
  throw new UsageError(`unknown experiment '${ref}' (built-in: ${known.join(', ') || 'none'}; or give a path to a spec.json)`);
}

/** The training settings of one agent: the experiment's, with the agent's overrides. */
export function agentTraining(spec: ExperimentSpec, agent: AgentSpec): TrainingSpec {
  return TrainingSchema.parse({ ...spec.training, ...(agent.training ?? {}) });
}
