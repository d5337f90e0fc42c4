// Running a sweep: every run of the sweep (or of one shard of it) that has not finished, each an
// ordinary run directory under <out>/runs/, on a pool of worker threads (piscina), one run per
// thread and one thread per core by default. Each run trains on its own thread (the expansion
// sets training.workers to 1), so N workers keep N cores busy with no thread waiting on another.
//
// Resuming is the same call: finished runs (eval.json present) are kept, runs with a config.json
// continue from their checkpoints, the rest start. A stop (q, Ctrl-C, SIGTERM from a cluster's
// time limit) reaches every running run through shared memory; each writes a checkpoint and ends,
// and runs not yet started stay queued.
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { findAgent } from '../../agents/index.ts';
import type { EvalFile } from './evaluation.ts';
import type { RunEvent } from './events.ts';
import type { IclEvalFile } from './icl-run.ts';
import type { IclSequenceEvalFile } from './icl-sequence-run.ts';
import { readJsonFile } from './io.ts';
import { SharedRunControl } from './shared-control.ts';
import { agentKey } from './spec.ts';
import { diskState, openSweepDir, type RunState, type RunStatus, runDir, writeStatus } from './sweep-dir.ts';
import { type ExpandedSweep, type Shard, type SweepExperimentSpec, type SweepRun, shardRuns } from './sweep-spec.ts';
import { type SweepTask, type SweepTaskResult, TASK_END } from './sweep-worker.ts';

/**
 * The number a run is judged by at a glance: its first trained agent's headline measure, frozen;
 * in an in-context experiment, its first model's.
 */
export interface Headline {
  /** The agent, or the model. */
  agent: string;
  /** The task's headline measure (`expected regret (T = 100)`, `trial-2 accuracy`, `in-context accuracy`, …). */
  measure: string;
  value: number;
}

/** What a sweep reports as it goes (the sweep dashboard and plain progress subscribe to these). */
export type SweepEvent =
  | {
      type: 'sweep-start';
      name: string;
      out: string;
      workers: number;
      shard: Shard | null;
      runs: {
        id: string;
        index: number;
        spec: SweepExperimentSpec;
        state: 'queued' | 'done';
        headline: Headline | null;
      }[];
    }
  | { type: 'run-event'; id: string; event: RunEvent }
  | {
      type: 'run-end';
      id: string;
      state: 'done' | 'failed' | 'stopped' | 'queued';
      error?: string;
      headline: Headline | null;
    }
  | { type: 'sweep-end'; out: string; stopped: boolean };

export interface SweepOptions {
  /** The sweep directory (made, or checked to hold this sweep and shard). */
  out: string;
  /** Runs at once (default: one per core). */
  workers?: number;
  /** Only this part of the sweep (cluster job arrays). */
  shard?: Shard | null;
  onEvent?: (event: SweepEvent) => void;
  /** Stops or pauses every run; the dashboard and signal handlers set it. */
  control?: SharedRunControl;
}

export interface SweepResult {
  out: string;
  shard: Shard | null;
  /** True when a stop ended the sweep before every run finished. */
  stopped: boolean;
  runs: { id: string; runDir: string; state: RunState; error?: string }[];
}

const WORKER_ENTRY = new URL('./sweep-worker.js', import.meta.url);

export async function runSweep(sweep: ExpandedSweep<SweepExperimentSpec>, options: SweepOptions): Promise<SweepResult> {
  const out = path.resolve(options.out);
  const shard = options.shard ?? null;
  const emit = options.onEvent ?? (() => {});
  const control = options.control ?? new SharedRunControl();
  openSweepDir(out, sweep, shard);
  const runs = shardRuns(sweep.runs, shard);
  const status = new Map<string, RunStatus>();
  const start: Extract<SweepEvent, { type: 'sweep-start' }>['runs'] = [];
  for (const r of runs) {
    const done = diskState(out, r.id) === 'done';
    status.set(r.id, { state: done ? 'done' : 'queued' });
    start.push({
      id: r.id,
      index: r.index,
      spec: r.spec,
      state: done ? 'done' : 'queued',
      headline: done ? headlineOf(out, r) : null,
    });
  }
  const pending = runs.filter((r) => status.get(r.id)!.state !== 'done');
  const workers = Math.max(1, Math.min(options.workers ?? os.availableParallelism(), pending.length));
  writeStatus(out, status);
  emit({ type: 'sweep-start', name: sweep.name, out, workers, shard, runs: start });

  const setStatus = (id: string, s: RunStatus) => {
    status.set(id, s);
    writeStatus(out, status);
  };
  if (pending.length > 0) {
    // stricterFIFO: runs start in the sweep's order (by default a task that found no free
    // worker goes to the back of the queue), so a sweep stopped early has its first runs done.
    const pool = runPool(workers);
    try {
      await Promise.all(pending.map((r) => runInPool(pool, out, r, control, emit, setStatus)));
    } finally {
      await pool.destroy();
    }
  }
  const stopped = [...status.values()].some((s) => s.state === 'stopped' || s.state === 'queued');
  emit({ type: 'sweep-end', out, stopped });
  return {
    out,
    shard,
    stopped,
    runs: runs.map((r) => ({ id: r.id, runDir: runDir(out, r.id), ...status.get(r.id)! })),
  };
}

/** A pool of `workers` threads, each running one whole run at a time (sweep-worker.ts). */
export function runPool(workers: number): Piscina<SweepTask, SweepTaskResult> {
  return new Piscina<SweepTask, SweepTaskResult>({
    filename: WORKER_ENTRY.href,
    name: 'runSweepTask',
    minThreads: workers,
    maxThreads: workers,
    stricterFIFO: true,
  });
}

/**
 * Runs one task on a pool of sweep workers, handing each of the run's events to `onEvent`. Events
 * come on their own port, so they may arrive after the task's result: this resolves once the
 * port's last message (TASK_END) has come, after all of them. A worker that dies rejects.
 */
export async function runOnPool(
  pool: Piscina<SweepTask, SweepTaskResult>,
  task: Omit<SweepTask, 'events'>,
  onEvent: (event: RunEvent) => void,
): Promise<SweepTaskResult> {
  const { port1, port2 } = new MessageChannel();
  let allEvents!: () => void;
  const eventsDone = new Promise<void>((resolve) => (allEvents = resolve));
  port1.on('message', (event: RunEvent | typeof TASK_END) => {
    if (event === TASK_END) {
      port1.close();
      allEvents();
      return;
    }
    onEvent(event);
  });
  try {
    const result = await pool.run({ ...task, events: port2 }, { transferList: [port2] });
    await eventsDone;
    return result;
  } catch (err) {
    port1.close();
    throw err;
  }
}

async function runInPool(
  pool: Piscina<SweepTask, SweepTaskResult>,
  out: string,
  run: SweepRun<SweepExperimentSpec>,
  control: SharedRunControl,
  emit: (e: SweepEvent) => void,
  setStatus: (id: string, s: RunStatus) => void,
): Promise<void> {
  const task = {
    runDir: runDir(out, run.id),
    spec: run.spec,
    resume: diskState(out, run.id) === 'partial',
    control: control.buffer,
  };
  let result: SweepTaskResult;
  try {
    result = await runOnPool(pool, task, (event) => {
      if (event.type === 'run-start') setStatus(run.id, { state: 'training' });
      else if (event.type === 'eval-start') setStatus(run.id, { state: 'evaluating' });
      emit({ type: 'run-event', id: run.id, event });
    });
  } catch (err) {
    // The worker thread itself died (out of memory, a crash in native code).
    result = { state: 'failed', error: err instanceof Error ? err.message : String(err) };
  }
  setStatus(
    run.id,
    result.error === undefined ? { state: result.state } : { state: result.state, error: result.error },
  );
  emit({
    type: 'run-end',
    id: run.id,
    state: result.state,
    error: result.error,
    headline: result.state === 'done' ? headlineOf(out, run) : null,
  });
}

/**
 * The headline of a finished run, from its eval.json (expected regret where it names no measure).
 * Of an in-context experiment, its first model's: the in-context accuracy on icl-bursty, the loss
 * on the repeated segment over that on its first occurrence on icl-induction, the accuracy on places
 * revisited by a new route that is not straight back on graph-walk, the test loss of in-context
 * regression.
 */
export function headlineOf(out: string, run: SweepRun<SweepExperimentSpec>): Headline | null {
  const file = path.join(runDir(out, run.id), 'eval.json');
  const spec = run.spec;
  if (spec.kind === 'icl-sequence') {
    const agent = spec.models[0].id;
    const final = (readJsonFile(file, 'evaluation') as IclSequenceEvalFile).models?.[agent]?.final;
    if (final === undefined) return null;
    if ('inContextAccuracy' in final)
      return { agent, measure: 'in-context accuracy', value: final.inContextAccuracy.p };
    if ('resetState' in final) return { agent, measure: 'new-route accuracy', value: final.accuracy.newPathOther.p };
    return { agent, measure: 'repeat/first loss', value: final.repeatLoss / final.firstLoss };
  }
  if (spec.kind === 'icl-regression') {
    const agent = spec.models[0].id;
    const loss = (readJsonFile(file, 'evaluation') as IclEvalFile).losses?.[agent];
    return loss === undefined ? null : { agent, measure: 'test loss', value: loss };
  }
  const ev = readJsonFile(file, 'evaluation') as EvalFile;
  const trained = spec.agents.find((a) => findAgent(a.id).createNetwork !== undefined) ?? spec.agents[0];
  const agent = agentKey(trained);
  const r = ev.agents?.[agent];
  if (r === undefined) return null;
  const main = r.mainMeasure as { name: string; value: { mean: number | null } } | undefined;
  if (main !== undefined) return { agent, measure: main.name, value: main.value.mean ?? NaN };
  return { agent, measure: 'expected regret', value: r.expectedRegret?.mean ?? NaN };
}
