// The live sweep dashboard: every run of the sweep on one screen, paced like the run dashboard
// (pacing.ts). It runs on the main thread, which only relays events while the runs train on
// worker threads, so drawing takes nothing from training beyond its share of a core.

import { useInput, useStdin } from 'ink';
import type React from 'react';
import type { RunControl } from '../experiments/events.ts';
import { FrameLines } from './FrameLines.tsx';
import { useFramePacing, useTerminalSize } from './pacing.ts';
import { sweepFrame } from './sweep-frame.ts';
import type { SweepStore } from './sweep-store.ts';

export interface SweepAppProps {
  store: SweepStore;
  control: RunControl;
  /** Ctrl-C arrives as a key in raw mode rather than as SIGINT. */
  onInterrupt?: () => void;
  /** Milliseconds between frames at least. */
  frameMs?: number;
  /** The share of the thread's time drawing may take; frames space out to stay within it. */
  cpuBudget?: number;
  /** The last frame: drawn one row shorter, to leave room for the shell prompt after exit. */
  closing?: boolean;
  /** The terminal's size; by default read from stdout (and followed on resize). */
  size?: { columns: number; rows: number };
}

export function SweepApp({
  store,
  control,
  onInterrupt,
  frameMs = 250,
  cpuBudget = 0.02,
  closing = false,
  size,
}: SweepAppProps): React.ReactElement {
  const redraw = useFramePacing(store, frameMs, cpuBudget);
  const { isRawModeSupported } = useStdin();
  const measured = useTerminalSize();
  const keysActive = isRawModeSupported === true;
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') onInterrupt?.();
      // Keys that arrive together ("pp", "\x03\x03") each count.
      else
        for (const ch of input) {
          if (ch === '\x03') onInterrupt?.();
          else if (ch === 'q' && !control.stop) {
            control.stop = true;
            store.note('stopping: every running run writes a checkpoint (engram sweep --resume continues)');
          } else if (ch === 'p') {
            control.paused = !control.paused;
            store.note(control.paused ? 'paused every run (p resumes)' : 'resumed');
          }
        }
      // A key shows its effect now, not at the next frame.
      redraw();
    },
    { isActive: keysActive },
  );
  const { columns, rows } = size ?? measured;
  // One row short of the terminal: a frame as tall as the screen makes Ink clear it every time.
  const lines = sweepFrame(store, {
    width: columns,
    height: rows - (closing ? 2 : 1),
    keys: keysActive ? 'run' : 'none',
    control,
  });
  return <FrameLines lines={lines} />;
}
