// Mounting the sweep dashboard on a terminal for `engram sweep`.
// First, so that React loads as its production build (no JSX in this file for the same reason).
import './production.ts';
import { createElement } from 'react';
import { render, type Instance } from 'ink';
import type { RunControl } from '../experiments/run.ts';
import type { SweepEvent } from '../experiments/sweep.ts';
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
  const instance: Instance = render(createElement(SweepApp, props), {
    stdout: process.stdout,
    stdin: process.stdin,
    exitOnCtrlC: false,
    // Anything else printing to the console goes above the frame instead of through it.
    patchConsole: true,
    maxFps: Math.max(1, Math.round(1000 / frameMs)),
  });
  let closed = false;
  return {
    store,
    onEvent: store.handle,
    async close() {
      if (closed) return;
      closed = true;
      // Draw the last events now, one row shorter so the shell's prompt does not scroll the header off.
      instance.rerender(createElement(SweepApp, { ...props, closing: true }));
      await new Promise((r) => setTimeout(r, frameMs + 10));
      instance.unmount();
      await instance.waitUntilExit().catch(() => {});
    },
  };
}
