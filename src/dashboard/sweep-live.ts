// Mounting the sweep dashboard on a terminal for `engram sweep`.
// First, so that React loads as its production build (no JSX in this file for the same reason).
import './production.ts';
import { createElement } from 'react';
import type { RunControl } from '../experiments/events.ts';
import type { SweepEvent } from '../experiments/sweep.ts';
import { renderLive } from './live.ts';
import { SweepApp } from './SweepApp.tsx';
import { SweepStore } from './sweep-store.ts';

export interface MountedSweepDashboard {
  store: SweepStore;
  onEvent: (event: SweepEvent) => void;
  /** Draws the final frame, restores the terminal and returns once Ink has let go. */
  close(): Promise<void>;
}

/** `q` and the first Ctrl-C stop every run at a checkpoint; a second Ctrl-C exits at once. */
export function mountSweepDashboard(control: RunControl, frameMs = 250): MountedSweepDashboard {
  const store = new SweepStore();
  const onInterrupt = () => {
    if (control.stop) process.exit(130);
    control.stop = true;
    store.note('stopping: every running run writes a checkpoint (Ctrl-C again quits at once)');
  };
  const props = { store, control, onInterrupt, frameMs };
  return {
    store,
    onEvent: store.handle,
    close: renderLive((closing) => createElement(SweepApp, { ...props, closing }), frameMs),
  };
}
