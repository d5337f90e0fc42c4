// Checkpoints: a learned agent's parameters, optimizer state and generator state, with the ids
// and options that rebuild its task and network. A checkpoint is data, not code: plain JSON,
// validated on load, written atomically. Shipped checkpoints (checkpoints/*.json) are the same
// format without the optimizer state.

import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { findAgent } from '../../agents/index.ts';
import { findTask } from '../../tasks/index.ts';
import { UsageError } from '../core/errors.ts';
import { parseOptions } from '../core/options.ts';
import { packageRoot } from '../core/package.ts';
import type { PolicyNetwork } from '../core/policy.ts';
import { Rng } from '../core/rng.ts';
import type { TaskFamily } from '../core/types.ts';
import { loadParameters } from '../nn/module.ts';
import type { Tensor } from '../nn/tensor.ts';
import type { TrainerState } from '../rl/a2c.ts';
import { atomicWriteJson, readJsonFile } from './io.ts';
import { type AgentSpec, describeIssues, type ExperimentSpec } from './spec.ts';

export const CHECKPOINT_FORMAT = 'engram-checkpoint';
/**
 * The repository's shipped checkpoints (checkpoints/<name>.json), which experiment specs name in `agents[].checkpoint`.
 */
export const SHIPPED_CHECKPOINT_DIR = path.join(packageRoot(), 'checkpoints');
export const CHECKPOINT_VERSION = 1;

const TensorData = z.strictObject({
  rows: z.number().int().min(0),
  cols: z.number().int().min(0),
  data: z.array(z.union([z.number(), z.string()])),
});

const AleaStateSchema = z.strictObject({ c: z.number(), s0: z.number(), s1: z.number(), s2: z.number() });
const RngStateSchema = z.strictObject({ path: z.string(), alea: AleaStateSchema });

const CheckpointSchema = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_VERSION),
  /**
   * The kind of run that trained it: meta-RL (absent), an in-context regression model or a sequence model, whose
   * `agent.id` is the model kind.
   */
  kind: z.enum(['icl-regression', 'icl-sequence']).optional(),
  experiment: z.string(),
  seed: z.number().int(),
  /** `module`: the file of a task or agent of one's own (src/experiments/plugins.ts). */
  task: z.strictObject({ id: z.string(), options: z.record(z.string(), z.unknown()), module: z.string().optional() }),
  agent: z.strictObject({ id: z.string(), options: z.record(z.string(), z.unknown()), module: z.string().optional() }),
  training: z.record(z.string(), z.unknown()),
  /** Updates done and environment steps used so far. */
  update: z.number().int().min(0),
  envSteps: z.number().int().min(0),
  /** Training wall time so far, in seconds. */
  wallSeconds: z.number().min(0),
  /** True once training reached its last update. */
  done: z.boolean(),
  /** Number of metrics.jsonl records of this agent that this checkpoint covers. */
  metricsRecords: z.number().int().min(0),
  params: z.record(z.string(), TensorData),
  optimizer: z.unknown().nullable(),
  rng: z.strictObject({ tasks: RngStateSchema, actions: RngStateSchema }).nullable(),
  /**
   * Shipped checkpoints only: the training curve of the run that made it (its metrics.jsonl
   * records, thinned to a few hundred), so reports can draw it without the run directory.
   */
  history: z.array(z.record(z.string(), z.union([z.number(), z.string(), z.null()]))).optional(),
  /**
   * Shipped sequence models on icl-induction only: the loss by position at every periodic
   * evaluation of the run that made it (its positions.jsonl records), for the report's phase-change figure.
   */
  positions: z
    .array(z.strictObject({ step: z.number().int(), lossByPosition: z.array(z.number().nullable()) }))
    .optional(),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** Copies saved parameters into a network's tensors; a name or shape that does not match is a UsageError. */
export function loadCheckpointParameters(
  params: Map<string, Tensor>,
  saved: Checkpoint['params'],
  source: string,
): void {
  try {
    loadParameters(params, saved);
  } catch (err) {
    throw new UsageError(`checkpoint ${source}: ${(err as Error).message.replace(/^loadParameters: /, '')}`);
  }
}

/** Reads and validates a checkpoint file; anything wrong is a UsageError naming the file. */
export function readCheckpoint(file: string): Checkpoint {
  const raw = readJsonFile(file, 'checkpoint');
  if (typeof raw === 'object' && raw !== null && (raw as { format?: unknown }).format !== CHECKPOINT_FORMAT) {
    throw new UsageError(`${file} is not an engram checkpoint (no "format": "${CHECKPOINT_FORMAT}")`);
  }
  const parsed = CheckpointSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`checkpoint ${file} is malformed: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function writeCheckpoint(file: string, checkpoint: Checkpoint): void {
  atomicWriteJson(file, checkpoint);
}

/** Rebuilds the task family and the network of a checkpoint, with its parameters loaded. */
export function networkFromCheckpoint(
  checkpoint: Checkpoint,
  source: string,
  family?: TaskFamily,
): { family: TaskFamily; net: PolicyNetwork<unknown, Tensor> } {
  if (checkpoint.kind === 'icl-regression' || checkpoint.kind === 'icl-sequence') {
    throw new UsageError(
      `checkpoint ${source} holds an ${checkpoint.kind} model: its evaluation is in its run's eval.json and report`,
    );
  }
  const f = family ?? findTask(checkpoint.task.id).create(checkpoint.task.options);
  const entry = findAgent(checkpoint.agent.id);
  if (!entry.createNetwork) throw new UsageError(`checkpoint ${source}: agent '${checkpoint.agent.id}' has no network`);
  const net = entry.createNetwork(f, checkpoint.agent.options, Rng.fromSeed('checkpoint-load'));
  loadCheckpointParameters(net.parameters(), checkpoint.params, source);
  return { family: f, net };
}

/** The checkpoint's network with initial weights from `rng` instead of its own: the untrained twin of a recording. */
export function untrainedNetwork(checkpoint: Checkpoint, family: TaskFamily, rng: Rng): PolicyNetwork<unknown, Tensor> {
  const entry = findAgent(checkpoint.agent.id);
  if (!entry.createNetwork) throw new UsageError(`agent '${checkpoint.agent.id}' has no network`);
  return entry.createNetwork(family, checkpoint.agent.options, rng);
}

/** The trainer part of a checkpoint, or a UsageError if it was stripped (a shipped checkpoint). */
export function trainerStateOf(checkpoint: Checkpoint, source: string): TrainerState {
  if (checkpoint.optimizer === null || checkpoint.rng === null) {
    throw new UsageError(`checkpoint ${source} has no optimizer state: it can be evaluated, not resumed`);
  }
  return {
    update: checkpoint.update,
    envSteps: checkpoint.envSteps,
    optimizer: checkpoint.optimizer as TrainerState['optimizer'],
    rng: checkpoint.rng,
  };
}

/**
 * The shipped checkpoint an agent of the spec is evaluated from instead of being trained: the file
 * `<checkpointDir>/<agent.checkpoint>.json`, when the spec names one and it exists (otherwise the
 * agent is trained). A shipped checkpoint of another agent, task or options is a UsageError.
 */
export function shippedCheckpoint(
  spec: ExperimentSpec,
  agent: AgentSpec,
  family: TaskFamily,
  checkpointDir = SHIPPED_CHECKPOINT_DIR,
): string | null {
  if (agent.checkpoint === undefined) return null;
  const file = path.join(checkpointDir, `${agent.checkpoint}.json`);
  if (!fs.existsSync(file)) return null;
  const ck = readCheckpoint(file);
  const mismatch = (what: string) => new UsageError(`experiment ${spec.name}: shipped checkpoint ${file} ${what}`);
  if (ck.agent.id !== agent.id) throw mismatch(`holds agent '${ck.agent.id}', not '${agent.id}'`);
  // Resolved again with today's defaults, so an option added since the checkpoint was made (at its default) is no
  // mismatch.
  const trainedOn =
    ck.task.id === family.id
      ? (findTask(ck.task.id).create(ck.task.options).options as Record<string, unknown>)
      : ck.task.options;
  if (ck.task.id !== family.id || JSON.stringify(sortKeys(trainedOn)) !== JSON.stringify(sortKeys(family.options))) {
    throw mismatch(
      `was trained on ${ck.task.id} ${JSON.stringify(ck.task.options)}, not ` +
        `${family.id} ${JSON.stringify(family.options)}`,
    );
  }
  // The spec's options as the agent resolves them (a quantity such as "20 ms" is 0.02 s, as a checkpoint stores it).
  const resolved = parseOptions(agent.id, findAgent(agent.id).options, agent.options) as Record<string, unknown>;
  for (const [key, value] of Object.entries(agent.options)) {
    if (JSON.stringify(ck.agent.options[key]) !== JSON.stringify(resolved[key]))
      throw mismatch(
        `has ${agent.id} option ${key} = ${JSON.stringify(ck.agent.options[key])}, the spec ${JSON.stringify(value)}`,
      );
  }
  return file;
}

function sortKeys(record: Record<string, unknown>): [string, unknown][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
