// Mounting the dashboard on a terminal, for `engram run` (events of this process's run) and
// `engram dashboard` (events read from a run directory).
// First, so that React loads as its production build (no JSX in this file for the same reason:
// the JSX runtime import would come before it).
import './production.ts';
import { type Instance, render } from 'ink';
import { createElement, type ReactElement } from 'react';
import type { RunControl, RunEvent } from '../experiments/events.ts';
import { App } from './App.tsx';
import { DashboardStore } from './store.ts';

export interface MountOptions {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  control?: RunControl;
  onQuit?: () => void;
  onInterrupt?: () => void;
  frameMs?: number;
  /** See AppProps.onFrame. */
  onFrame?: (costMs: number) => void;
}

export interface MountedDashboard {
  store: DashboardStore;
  /** The run-event listener. */
  onEvent: (event: RunEvent) => void;
  /** Draws the final frame, restores the terminal and returns once Ink has let go. */
  close(): Promise<void>;
}

export function mountDashboard(options: MountOptions = {}): MountedDashboard {
  const store = new DashboardStore();
  const frameMs = options.frameMs ?? 100;
  const props = {
    store,
    control: options.control,
    onQuit: options.onQuit,
    onInterrupt: options.onInterrupt,
    frameMs,
    onFrame: options.onFrame,
  };
  const close = renderLive(
    (closing) => createElement(App, { ...props, closing }),
    frameMs,
    options.stdout,
    options.stdin,
  );
  return { store, onEvent: store.handle, close };
}

/**
 * Renders a dashboard with Ink until the returned `close` is called: Ctrl-C is the caller's (the
 * first one stops at a checkpoint, like SIGINT without the dashboard), anything else printing to
 * the console goes above the frame, and closing draws the last events at once (the frame timer
 * may be a second away), one row shorter so the shell's prompt does not scroll the header off,
 * then unmounts, which keeps that frame on screen.
 */
export function renderLive(
  element: (closing: boolean) => ReactElement,
  frameMs: number,
  stdout: NodeJS.WriteStream = process.stdout,
  stdin: NodeJS.ReadStream = process.stdin,
): () => Promise<void> {
  const instance: Instance = render(element(false), {
    stdout,
    stdin,
    exitOnCtrlC: false,
    patchConsole: true,
    maxFps: Math.max(1, Math.round(1000 / frameMs)),
  });
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    instance.rerender(element(true));
    await new Promise((r) => setTimeout(r, frameMs + 10));
    instance.unmount();
    await instance.waitUntilExit().catch(() => {});
  };
}

/**
 * The dashboard of `engram run`: `q` and the first Ctrl-C stop at a checkpoint (resumable), a
 * second Ctrl-C exits at once, as SIGINT does without the dashboard.
 */
export function mountRunDashboard(
  control: RunControl,
  options: Omit<MountOptions, 'control' | 'onInterrupt' | 'onQuit'> = {},
): MountedDashboard {
  let dashboard: MountedDashboard | undefined;
  const onInterrupt = () => {
    if (control.stop) {
      void dashboard?.close().finally(() => process.exit(130));
      return;
    }
    control.stop = true;
    dashboard?.store.note('stopping: writing a checkpoint, then exiting (Ctrl-C again quits at once)');
  };
  dashboard = mountDashboard({ ...options, control, onInterrupt });
  return dashboard;
}
