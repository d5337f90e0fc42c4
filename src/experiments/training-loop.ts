// The loop every trained agent or model of a run goes through, whatever trains it (the A2C trainer,
// the in-context regression trainer): stop and pause between steps, log every `logEvery` steps
// to metrics.jsonl and to TensorBoard's event files in tb/<agent>/, checkpoint every
// `checkpointEvery` steps and at the end, warn on non-finite numbers, and let the event loop
// breathe so the dashboard draws and signals arrive.
import fs from 'node:fs';
import path from 'node:path';
import { parametersToJSON } from '../nn/module.ts';
import type { Tensor } from '../nn/tensor.ts';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type Checkpoint,
  loadCheckpointParameters,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint.ts';
import { breathe, type MetricsRecord, type RunControl, type RunEvent, type RunHeader } from './events.ts';
import { JsonlWriter } from './io.ts';
import { lockRunDir } from './lock.ts';
import { checkpointFile, runStart, truncateMetrics, writeRunInfo } from './run-dir.ts';
import { type AgentScalars, ScalarLog, trainingScalars } from './tensorboard.ts';

/** How any run is started: where, with which seed, and who listens and steers. */
export interface RunOptions {
  /** The run directory; by default runs/<experiment>-s<seed>-<time>. */
  out?: string;
  /** Overrides the spec's seed. */
  seed?: number;
  onEvent?: (event: RunEvent) => void;
  control?: RunControl;
}

/**
 * What training an agent writes to and listens to: the run's metrics file and event files, its events, its stop and
 * pause.
 */
export interface TrainContext {
  metrics: JsonlWriter;
  scalars: ScalarLog;
  emit: (e: RunEvent) => void;
  control: RunControl;
}

export interface TrainingLoop {
  /** The agent's name in metrics, events and checkpoints. */
  key: string;
  updates: number;
  logEvery: number;
  checkpointEvery: number;
  /** Where a resumed agent stands: its update, training seconds and metrics records so far. */
  progress: LoopProgress;
  /** One update; its metrics. */
  step(): Promise<MetricsRecord> | MetricsRecord;
  /** Writes a checkpoint of the trainer as it stands now (`done` at the last update). */
  save(done: boolean, progress: LoopProgress): string;
  /** Metrics whose non-finite value is worth a warning. */
  watch: readonly string[];
  /** Updates logged besides every `logEvery`-th and the last (those with a periodic evaluation). */
  logAt?: (update: number) => boolean;
}

export interface LoopProgress {
  update: number;
  wallSeconds: number;
  metricsRecords: number;
}

/** Runs the loop to its last update, or until `control.stop`; returns whether it stopped early. */
export async function runTrainingLoop(
  loop: TrainingLoop,
  { metrics, scalars, emit, control }: TrainContext,
): Promise<boolean> {
  const progress = { ...loop.progress };
  const save = (done: boolean) => {
    const file = loop.save(done, progress);
    emit({ type: 'checkpoint', agent: loop.key, update: progress.update, file });
  };
  emit({ type: 'train-start', agent: loop.key, updates: loop.updates, fromUpdate: progress.update });
  let stopped = false;
  while (progress.update < loop.updates) {
    if (control.stop) {
      stopped = true;
      break;
    }
    if (control.paused) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const started = performance.now();
    const m = await loop.step();
    progress.wallSeconds += (performance.now() - started) / 1000;
    progress.update = m.update;
    if (loop.watch.some((key) => !Number.isFinite(m[key]))) {
      emit({ type: 'warning', message: `${loop.key}: non-finite loss or gradient at update ${m.update}` });
    }
    if (m.update % loop.logEvery === 0 || m.update === loop.updates || loop.logAt?.(m.update)) {
      metrics.write({ agent: loop.key, ...m, wallSeconds: Math.round(progress.wallSeconds * 1000) / 1000 });
      scalars.write(loop.key, m.update, trainingScalars(m));
      progress.metricsRecords++;
    }
    emit({ type: 'update', agent: loop.key, metrics: m, updates: loop.updates, wallSeconds: progress.wallSeconds });
    if (m.update % loop.checkpointEvery === 0 && m.update < loop.updates) save(false);
    // Without slowing training: a turn of the event loop every few updates.
    if (m.update % 4 === 0) await breathe();
  }
  save(!stopped);
  emit({ type: 'train-end', agent: loop.key, stopped });
  return stopped;
}

/** An agent or model trained under checkpoints: what its checkpoint says it is, and its trainer. */
export interface CheckpointedTraining {
  key: string;
  /** Its checkpoint (the run directory's checkpoints/<key>.json). */
  file: string;
  parameters: Map<string, Tensor>;
  /** The checkpoint's identity: the run kind, experiment, seed, task, agent and training options. */
  identity: Pick<Checkpoint, 'kind' | 'experiment' | 'seed' | 'task' | 'agent' | 'training'>;
  loop: Pick<TrainingLoop, 'updates' | 'logEvery' | 'checkpointEvery' | 'watch' | 'step' | 'logAt'>;
  /** The trainer as checkpoint fields (update, environment steps, optimizer, generators). */
  trainerState(): Pick<Checkpoint, 'update' | 'envSteps' | 'optimizer' | 'rng'>;
  /** Puts the trainer back where a checkpoint left it. */
  restore(checkpoint: Checkpoint): void;
}

/**
 * Trains from the checkpoint where there is one (a finished one is only loaded), else from scratch,
 * writing checkpoints as it goes; returns whether it stopped early and its training seconds.
 */
export async function trainCheckpointed(
  t: CheckpointedTraining,
  context: TrainContext,
): Promise<{ stopped: boolean; wallSeconds: number }> {
  const progress = { update: 0, wallSeconds: 0, metricsRecords: 0 };
  if (fs.existsSync(t.file)) {
    const ck = readCheckpoint(t.file);
    loadCheckpointParameters(t.parameters, ck.params, t.file);
    if (ck.done) return { stopped: false, wallSeconds: ck.wallSeconds };
    t.restore(ck);
    Object.assign(progress, { update: ck.update, wallSeconds: ck.wallSeconds, metricsRecords: ck.metricsRecords });
  }
  let wallSeconds = progress.wallSeconds;
  const save = (done: boolean, p: LoopProgress) => {
    wallSeconds = p.wallSeconds;
    writeCheckpoint(t.file, {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      ...t.identity,
      ...t.trainerState(),
      wallSeconds: p.wallSeconds,
      done,
      metricsRecords: p.metricsRecords,
      params: parametersToJSON(t.parameters),
    });
    return t.file;
  };
  const stopped = await runTrainingLoop({ key: t.key, ...t.loop, progress, save }, context);
  return { stopped, wallSeconds };
}

/** What a run does, whatever its kind: train its agents (or models) one after another, then evaluate. */
export interface RunSteps<E> {
  runDir: string;
  run: RunHeader;
  resumed: boolean;
  /** The agents in training order (those with nothing to train included: `train` skips them). */
  keys: readonly string[];
  /** Trains one agent, from its checkpoint if it has one; returns whether it stopped early. */
  train(key: string, context: TrainContext): Promise<boolean>;
  evaluate(emit: (e: RunEvent) => void): Promise<E>;
  /** The evaluation's headline measures for TensorBoard: `eval/…` scalars per agent, at its last training step. */
  evalScalars(evaluation: E): AgentScalars[];
}

/**
 * Runs the steps with the events and files every run has: run-start, metrics.jsonl and tb/ cut back
 * to the checkpoints when resuming, the evaluation's scalars in tb/, run.json at the end (or at a
 * stop), and run-end; the run directory is locked meanwhile (a second process writing it is refused).
 */
export async function executeRun<E>(
  s: RunSteps<E>,
  options: RunOptions,
): Promise<{ runDir: string; stopped: boolean; eval: E | null }> {
  const lock = lockRunDir(s.runDir);
  try {
    return await executeLocked(s, options);
  } finally {
    lock.release();
  }
}

async function executeLocked<E>(
  s: RunSteps<E>,
  options: RunOptions,
): Promise<{ runDir: string; stopped: boolean; eval: E | null }> {
  const emit = options.onEvent ?? (() => {});
  const control = options.control ?? { stop: false, paused: false };
  const started = runStart();
  emit({ type: 'run-start', runDir: s.runDir, run: s.run, resumed: s.resumed });
  const metricsFile = path.join(s.runDir, 'metrics.jsonl');
  const scalars = new ScalarLog(path.join(s.runDir, 'tb'));
  if (s.resumed) {
    const covered = (key: string) => {
      const file = checkpointFile(s.runDir, key);
      return fs.existsSync(file) ? readCheckpoint(file).metricsRecords : 0;
    };
    scalars.rewriteForResume(truncateMetrics(metricsFile, 'agent', new Map(s.keys.map((key) => [key, covered(key)]))));
  }
  const end = (stopped: boolean) => {
    writeRunInfo(s.runDir, started);
    emit({ type: 'run-end', runDir: s.runDir, stopped });
  };
  try {
    const metrics = new JsonlWriter(metricsFile);
    try {
      for (const key of s.keys) {
        if (await s.train(key, { metrics, scalars, emit, control })) {
          end(true);
          return { runDir: s.runDir, stopped: true, eval: null };
        }
      }
    } finally {
      metrics.close();
    }
    const evaluation = await s.evaluate(emit);
    for (const { agent, step, scalars: values } of s.evalScalars(evaluation)) scalars.write(agent, step, values);
    end(false);
    return { runDir: s.runDir, stopped: false, eval: evaluation };
  } finally {
    scalars.close();
  }
}
