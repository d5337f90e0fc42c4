// How a long command reports while it works: plain lines, or the live dashboard on an interactive
// terminal (not CI, not --plain or --json), mounted at the first event so that input refused
// before anything starts leaves just its error line. Ctrl-C and SIGTERM (a cluster's time limit)
// ask for a clean stop at the next checkpoint; a second signal quits at once.
import { wantsDashboard } from '../dashboard/terminal.ts';
import type { RunControl } from '../experiments/events.ts';

/** A mounted dashboard: it takes the events and keeps its last frame on screen when closed. */
export interface LiveView<E> {
  onEvent(event: E): void;
  close(): Promise<void>;
}

export interface ProgressOptions<E> {
  plain?: boolean;
  json?: boolean;
  control: RunControl;
  /** The listener for plain output. */
  plainProgress: (event: E) => void;
  /** Loads the dashboard module (only when it is wanted) and returns how to mount it. */
  loadDashboard: () => Promise<(control: RunControl) => LiveView<E>>;
}

export async function withProgress<E, R>(
  options: ProgressOptions<E>,
  start: (onEvent: (event: E) => void) => Promise<R>,
): Promise<R> {
  const { control } = options;
  let onEvent = options.plainProgress;
  let view: LiveView<E> | undefined;
  if (wantsDashboard(process.stdout, options)) {
    const mount = await options.loadDashboard();
    onEvent = (event) => {
      view ??= mount(control);
      view.onEvent(event);
    };
  }
  try {
    return await stoppingOnSignals(control, () => start((event) => onEvent(event)));
  } finally {
    // The dashboard's last frame stays on screen; its log ends with the run directory (or how to resume).
    await view?.close();
  }
}

/**
 * Runs `work` with Ctrl-C and SIGTERM setting `control.stop` (a clean stop at the next checkpoint); a second signal
 * quits at once.
 */
export async function stoppingOnSignals<R>(control: { stop: boolean }, work: () => Promise<R>): Promise<R> {
  const onSignal = () => {
    if (control.stop) process.exit(130);
    control.stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
