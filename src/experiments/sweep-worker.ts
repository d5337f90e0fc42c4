// One run of a sweep, in a worker thread of the sweep's pool: a whole ordinary run of its kind
// (meta-RL, in-context regression or sequence models), or the resume of one, on this thread, with
// its events sent to the main thread for the dashboard. Updates and
// repeated warnings are thinned to a few a second, since a small network makes hundreds of
// updates a second and the main thread shares the cores with the runs.
import type { MessagePort } from 'node:worker_threads';
import { UsageError } from '../core/errors.ts';
import type { RunControl, RunEvent } from './events.ts';
import { resumeIclRun, runIclExperiment } from './icl-run.ts';
import { resumeIclSequenceRun, runIclSequenceExperiment } from './icl-sequence-run.ts';
import { resumeRun, runExperiment } from './run.ts';
import { SharedRunControl } from './shared-control.ts';
import type { SweepExperimentSpec } from './sweep-spec.ts';

export interface SweepTask {
  runDir: string;
  spec: SweepExperimentSpec;
  /** Continue the run from its checkpoints (its directory already holds a config.json). */
  resume: boolean;
  /** The buffer of the sweep's SharedRunControl. */
  control: SharedArrayBuffer;
  /** Where the run's events go; TASK_END is the last message. */
  events: MessagePort;
  /** Where the run's shipped checkpoints are (default: the repository's checkpoints/). */
  checkpointDir?: string;
}

/** The last message of a task's event port: every event of the run was sent before it. */
export const TASK_END = 'engram-sweep-task-end';

export interface SweepTaskResult {
  /** `queued`: the sweep was stopping before this run began, so it did not start. */
  state: 'done' | 'stopped' | 'failed' | 'queued';
  error?: string;
  /** The failure was bad input (a UsageError: exit status 2), not a fault. */
  usage?: boolean;
}

/** Milliseconds between forwarded updates of one agent (its last update always goes). */
const FORWARD_MS = 250;
/** Milliseconds between forwarded copies of a warning that differs only in its numbers. */
const WARNING_MS = 5000;

export async function runSweepTask(task: SweepTask): Promise<SweepTaskResult> {
  const control = new SharedRunControl(task.control);
  try {
    if (control.stop) return { state: 'queued' };
    const result = await runOrResume(task, forwarder(task.events), control);
    return { state: result.stopped ? 'stopped' : 'done' };
  } catch (err) {
    return {
      state: 'failed',
      error: err instanceof Error ? err.message : String(err),
      ...(err instanceof UsageError ? { usage: true } : {}),
    };
  } finally {
    task.events.postMessage(TASK_END);
    task.events.close();
  }
}

/** Starts the task's run, or continues it, with the run function of its kind. */
function runOrResume(
  task: SweepTask,
  onEvent: (event: RunEvent) => void,
  control: RunControl,
): Promise<{ stopped: boolean }> {
  const { spec, runDir } = task;
  const common = { onEvent, control, checkpointDir: task.checkpointDir };
  if (spec.kind === 'icl-sequence')
    return task.resume
      ? resumeIclSequenceRun(runDir, common)
      : runIclSequenceExperiment(spec, { ...common, out: runDir });
  if (spec.kind === 'icl-regression')
    return task.resume ? resumeIclRun(runDir, common) : runIclExperiment(spec, { ...common, out: runDir });
  return task.resume ? resumeRun(runDir, common) : runExperiment(spec, { ...common, out: runDir });
}

function forwarder(port: MessagePort): (event: RunEvent) => void {
  const lastSent = new Map<string, number>();
  return (event) => {
    let key: string | null = null;
    let interval = 0;
    if (event.type === 'update' && event.metrics.update < event.updates) {
      key = `update/${event.agent}`;
      interval = FORWARD_MS;
    } else if (event.type === 'warning') {
      key = `warning/${event.message.replace(/(?<![\w-])-?\d+(\.\d+)?(e[-+]?\d+)?/gi, '#')}`;
      interval = WARNING_MS;
    }
    if (key !== null) {
      const now = performance.now();
      if (now - (lastSent.get(key) ?? -Infinity) < interval) return;
      lastSent.set(key, now);
    }
    port.postMessage(event);
  };
}
