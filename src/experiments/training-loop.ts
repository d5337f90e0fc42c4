// The loop every trained agent or model of a run goes through, whatever trains it (the A2C trainer,
// the in-context regression trainer): stop and pause between steps, log every `logEvery` steps
// to metrics.jsonl, checkpoint every `checkpointEvery` steps and at the end, warn on non-finite
// numbers, and let the event loop breathe so the dashboard draws and signals arrive.
import { breathe, type MetricsRecord, type RunControl, type RunEvent } from './events.ts';
import type { JsonlWriter } from './io.ts';

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
