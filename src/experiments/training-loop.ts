// The loop every trained agent or model of a run goes through, whatever trains it (the A2C trainer,
// the in-context regression trainer): stop and pause between steps, log every `logEvery` steps
// to metrics.jsonl, checkpoint every `checkpointEvery` steps and at the end, warn on non-finite
// numbers, and let the event loop breathe so the dashboard draws and signals arrive.
import fs from 'node:fs';
import path from 'node:path';
import { readCheckpoint } from './checkpoint.ts';
import { breathe, type MetricsRecord, type RunControl, type RunEvent, type RunHeader } from './events.ts';
import { JsonlWriter } from './io.ts';
import { checkpointFile, runStart, truncateMetrics, writeRunInfo } from './run-dir.ts';

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
}

export interface LoopProgress {
  update: number;
  wallSeconds: number;
  metricsRecords: number;
}

/** Runs the loop to its last update, or until `control.stop`; returns whether it stopped early. */
export async function runTrainingLoop(
  loop: TrainingLoop,
  metrics: JsonlWriter,
  emit: (e: RunEvent) => void,
  control: RunControl,
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
    if (m.update % loop.logEvery === 0 || m.update === loop.updates) {
      metrics.write({ agent: loop.key, ...m, wallSeconds: Math.round(progress.wallSeconds * 1000) / 1000 });
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

/** What a run does, whatever its kind: train its agents (or models) one after another, then evaluate. */
export interface RunSteps<E> {
  runDir: string;
  run: RunHeader;
  resumed: boolean;
  /** The agents in training order (those with nothing to train included: `train` skips them). */
  keys: readonly string[];
  /** Trains one agent, from its checkpoint if it has one; returns whether it stopped early. */
  train(key: string, metrics: JsonlWriter): Promise<boolean>;
  evaluate(): Promise<E>;
}

/**
 * Runs the steps with the events and files every run has: run-start, metrics.jsonl cut back to the
 * checkpoints when resuming, run.json at the end (or at a stop), and run-end.
 */
export async function executeRun<E>(
  s: RunSteps<E>,
  emit: (e: RunEvent) => void,
): Promise<{ stopped: boolean; eval: E | null }> {
  const started = runStart();
  emit({ type: 'run-start', runDir: s.runDir, run: s.run, resumed: s.resumed });
  const metricsFile = path.join(s.runDir, 'metrics.jsonl');
  if (s.resumed) {
    const covered = (key: string) => {
      const file = checkpointFile(s.runDir, key);
      return fs.existsSync(file) ? readCheckpoint(file).metricsRecords : 0;
    };
    truncateMetrics(metricsFile, 'agent', new Map(s.keys.map((key) => [key, covered(key)])));
  }
  const end = (stopped: boolean) => {
    writeRunInfo(s.runDir, started);
    emit({ type: 'run-end', runDir: s.runDir, stopped });
  };
  const metrics = new JsonlWriter(metricsFile);
  try {
    for (const key of s.keys) {
      if (await s.train(key, metrics)) {
        end(true);
        return { stopped: true, eval: null };
      }
    }
  } finally {
    metrics.close();
  }
  const evaluation = await s.evaluate();
  end(false);
  return { stopped: false, eval: evaluation };
}
