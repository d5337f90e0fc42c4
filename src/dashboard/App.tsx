// The live dashboard. It reads the store on a timer, never per event, so a fast run does not
// render thousands of frames, and it redraws only when something changed; frames are paced to
// take a small share of the thread that trains (pacing.ts). Keys act only where stdin is a terminal.

import { useInput, useStdin } from 'ink';
import type React from 'react';
import { useRef, useState } from 'react';
import type { RunControl } from '../experiments/events.ts';
import { FrameLines } from './FrameLines.tsx';
import { frame, type View } from './frame.ts';
import { useFramePacing, useTerminalSize } from './pacing.ts';
import type { DashboardStore } from './store.ts';

export interface AppProps {
  store: DashboardStore;
  /** The running experiment's control (absent when following a run of another process). */
  control?: RunControl;
  /** Follow mode: `q` quits the dashboard. */
  onQuit?: () => void;
  /** Ctrl-C arrives as a key in raw mode rather than as SIGINT. */
  onInterrupt?: () => void;
  /** Milliseconds between frames at least (100 = at most 10 frames per second). */
  frameMs?: number;
  /** The share of the thread's time drawing may take (0.02 = 2%); frames space out to stay within it. */
  cpuBudget?: number;
  /** Called after each frame with what it took (render to layout effect, in ms); benchmarks read it. */
  onFrame?: (costMs: number) => void;
  /** The last frame: drawn one row shorter, to leave room for the shell prompt after exit. */
  closing?: boolean;
  /** The terminal's size; by default read from stdout (and followed on resize). */
  size?: { columns: number; rows: number };
}

const KEYS: Record<string, 'interrupt' | 'tab' | 'quit' | 'pause'> = {
  '\x03': 'interrupt',
  '\t': 'tab',
  q: 'quit',
  p: 'pause',
};

export function App({
  store,
  control,
  onQuit,
  onInterrupt,
  frameMs = 100,
  cpuBudget = 0.02,
  onFrame,
  closing = false,
  size,
}: AppProps): React.ReactElement {
  const redraw = useFramePacing(store, frameMs, cpuBudget, onFrame);
  const { isRawModeSupported } = useStdin();
  // null until tab is pressed: the view follows the run (the table once evaluation runs, or when attaching to a
  // finished run).
  const [chosenView, setChosenView] = useState<View | null>(null);
  const view: View =
    chosenView ?? (store.phase === 'evaluating' || store.evaluation.length > 0 ? 'evaluation' : 'training');
  // The key handler is re-subscribed in a passive effect, which can run after the next key; it reads the view from
  // here.
  const shownView = useRef(view);
  shownView.current = view;
  const measured = useTerminalSize();

  const keysActive = isRawModeSupported === true;
  const act = (action: 'interrupt' | 'tab' | 'quit' | 'pause') => {
    if (action === 'interrupt') onInterrupt?.();
    else if (action === 'tab') {
      shownView.current = shownView.current === 'training' ? 'evaluation' : 'training';
      setChosenView(shownView.current);
    } else if (action === 'quit') {
      if (!control) onQuit?.();
      else if (!control.stop) {
        control.stop = true;
        store.note(
          store.phase === 'evaluating'
            ? 'stop asked: evaluation finishes first'
            : 'stopping: writing a checkpoint, then exiting (continue with --resume)',
        );
      }
    } else if (control) {
      control.paused = !control.paused;
      store.note(control.paused ? 'paused (p resumes)' : 'resumed');
    }
    // A key shows its effect now, not at the next frame.
    redraw();
  };
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') act('interrupt');
      else if (key.tab) act('tab');
      else {
        // Keys pressed while training held the thread arrive together ("pp", "\x03\x03"): each counts.
        for (const ch of input) {
          const action = KEYS[ch];
          if (action) act(action);
        }
      }
    },
    { isActive: keysActive },
  );

  const { columns, rows } = size ?? measured;
  const lines = frame(store, {
    width: columns,
    // One row short of the terminal: a frame as tall as the screen makes Ink clear it every time.
    height: rows - (closing ? 2 : 1),
    view,
    keys: !keysActive ? 'none' : control ? 'run' : 'follow',
    control,
  });
  return <FrameLines lines={lines} />;
}
