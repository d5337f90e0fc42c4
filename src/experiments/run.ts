// A meta-reinforcement-learning run: meta-train every learned agent an experiment names, then
// evaluate all of them with frozen weights on the same held-out instances (evaluation.ts).
// Everything lands in the run directory:
//   config.json     the resolved spec
//   metrics.jsonl   one record per logged update ({ agent, update, envSteps, train/…, perf/… })
//   checkpoints/    <agent>.json: parameters, optimizer and generator state (atomic writes)
//   eval.json, episodes.json, lesions.json, paths.json   the frozen evaluation
//   tb/<agent>/     TensorBoard event files: train/… and perf/… scalars, eval/… headline measures
//   run.json        wall time and code version
// A run stopped at any moment continues with `resume`: each agent restarts from its last
// checkpoint, metrics (and their TensorBoard events) past it are dropped and replayed, and the run
// ends with the numbers of one that never stopped (episodes depend only on the seed and the update
// index; see src/rl/a2c.ts).

import path from 'node:path';
import { findAgent } from '../../agents/index.ts';
import { findTask } from '../../tasks/index.ts';
import { UsageError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import type { TaskFamily } from '../core/types.ts';
import { A2CTrainer } from '../rl/a2c.ts';
import { shippedCheckpoint, trainerStateOf } from './checkpoint.ts';
import { checkRecording, type EvalFile, evalScalars, evaluateRun } from './evaluation.ts';
import { runHeader } from './plan.ts';
import { loadModules, specModules } from './plugins.ts';
import { checkpointFile, createRunDir, openRunDir } from './run-dir.ts';
import { type AgentSpec, agentKey, agentTraining, type ExperimentSpec, parseExperiment } from './spec.ts';
import { trainingThreads } from './threads.ts';
import {
  type RunOptions as BaseRunOptions,
  executeRun,
  type TrainContext,
  trainCheckpointed,
} from './training-loop.ts';

export interface RunOptions extends BaseRunOptions {
  /** Meta-train every learned agent, even those whose spec names a shipped checkpoint (`engram run --train`). */
  train?: boolean;
  /** Where shipped checkpoints live (default: the repository's checkpoints/). */
  checkpointDir?: string;
}

export interface RunResult {
  runDir: string;
  stopped: boolean;
  eval: EvalFile | null;
}

/**
 * The checks made before anything trains: every agent (once per name) can play the task and accepts its options;
 * comparison agents exist.
 */
export function checkAgents(spec: ExperimentSpec, family: TaskFamily): void {
  const seen = new Set<string>();
  for (const a of spec.agents) {
    const key = agentKey(a);
    if (seen.has(key))
      throw new UsageError(`experiment ${spec.name}: agent '${key}' is listed twice (give one a distinct "label")`);
    seen.add(key);
    const entry = findAgent(a.id);
    const reason = entry.cannotPlay(family);
    if (reason !== null)
      throw new UsageError(`experiment ${spec.name}: agent '${a.id}' cannot play ${family.id}: ${reason}`);
    // Bad agent options fail now, not after hours of training the agents listed before them.
    if (entry.createNetwork) entry.createNetwork(family, a.options, Rng.fromSeed('validate-options'));
    else entry.create(family, a.options, Rng.fromSeed('validate-options'));
  }
  for (const id of spec.evaluation.compare) findAgent(id);
}

/** Starts a new run of `spec`. */
export async function runExperiment(specIn: ExperimentSpec, options: RunOptions = {}): Promise<RunResult> {
  let spec: ExperimentSpec = options.seed === undefined ? specIn : { ...specIn, seed: options.seed };
  // With --train the run's config records that every agent was trained (so a resume trains too).
  if (options.train) spec = { ...spec, agents: spec.agents.map(({ checkpoint: _shipped, ...a }) => a) };
  await loadModules(specModules(spec));
  const family = findTask(spec.task.id).create(spec.task.options);
  checkAgents(spec, family);
  checkRecording(spec, family, null, options.checkpointDir);
  return execute(spec, family, createRunDir(spec, options.out), false, options);
}

/** Continues the run in `runDir` from its checkpoints. */
export async function resumeRun(runDir: string, options: Omit<RunOptions, 'out' | 'seed'> = {}): Promise<RunResult> {
  const { dir, config } = openRunDir(runDir);
  const spec = parseExperiment(config, path.join(dir, 'config.json'));
  await loadModules(specModules(spec));
  const family = findTask(spec.task.id).create(spec.task.options);
  checkAgents(spec, family);
  return execute(spec, family, dir, true, options);
}

async function execute(
  spec: ExperimentSpec,
  family: TaskFamily,
  runDir: string,
  resumed: boolean,
  options: RunOptions,
): Promise<RunResult> {
  return executeRun(
    {
      runDir,
      run: runHeader(spec),
      resumed,
      keys: spec.agents.map(agentKey),
      train: async (key, context) => {
        const agentSpec = spec.agents.find((a) => agentKey(a) === key) as AgentSpec;
        if (!findAgent(agentSpec.id).createNetwork) return false;
        const shipped = shippedCheckpoint(spec, agentSpec, family, options.checkpointDir);
        if (shipped === null) return trainAgent(spec, agentSpec, family, runDir, context);
        const message = `${key}: evaluating the shipped checkpoint ${shipped} instead of training`;
        context.emit({ type: 'warning', message: `${message} (engram run --train retrains)` });
        return false;
      },
      evaluate: (emit) => evaluateRun(spec, family, runDir, emit, options.checkpointDir),
      evalScalars,
    },
    options,
  );
}

/** The `module` field of a task or agent reference, when it has one (for checkpoints). */
function moduleOf(ref: { module?: string }): { module?: string } {
  return ref.module === undefined ? {} : { module: ref.module };
}

/** Meta-trains one agent from its checkpoint (or from scratch); returns whether it stopped early. */
async function trainAgent(
  spec: ExperimentSpec,
  agentSpec: AgentSpec,
  family: TaskFamily,
  runDir: string,
  context: TrainContext,
): Promise<boolean> {
  const entry = findAgent(agentSpec.id);
  const key = agentKey(agentSpec);
  const training = agentTraining(spec, agentSpec);
  // Each agent has its own stream, derived from the run's seed and the agent's name.
  const agentRng = Rng.fromSeed(spec.seed).fork(`agent/${key}`);
  const net = entry.createNetwork!(family, agentSpec.options, agentRng.fork('init'));
  const recipe = {
    taskId: spec.task.id,
    taskOptions: spec.task.options,
    agentId: agentSpec.id,
    agentOptions: agentSpec.options,
    modules: specModules({ task: spec.task, agents: [agentSpec] }),
  };
  const trainer = new A2CTrainer(family, net, training, agentRng, trainingThreads(recipe));
  try {
    const trained = await trainCheckpointed(
      {
        key,
        file: checkpointFile(runDir, key),
        parameters: net.parameters(),
        identity: {
          experiment: spec.name,
          seed: spec.seed,
          task: { id: spec.task.id, options: family.options, ...moduleOf(spec.task) },
          agent: { id: agentSpec.id, options: net.options(), ...moduleOf(agentSpec) },
          training,
        },
        loop: { ...training, watch: ['train/gradNorm', 'train/policyLoss'], step: () => trainer.step() },
        trainerState: () => trainer.state(),
        restore: (ck) => trainer.restore(trainerStateOf(ck, checkpointFile(runDir, key))),
      },
      context,
    );
    return trained.stopped;
  } finally {
    await trainer.close();
  }
}
