// The live dashboard. It reads the store on a timer, never per event, so a fast run does not
// render thousands of frames, and it redraws only when something changed. A frame is not cheap
// (Ink lays out and measures every character: 5–20 ms for a 100×30 frame on this machine), and
// it runs on the thread that trains, so the timer also keeps drawing within a share of that
// thread's time (`cpuBudget`): frames come at most every `frameMs`, and further apart when they
// cost more. Keys act only where stdin is a terminal.
import React, { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Box, Text, useInput, useStdin, useStdout } from 'ink';
import type { RunControl } from '../experiments/run.ts';
import { frame, type View } from './frame.ts';
import type { Line } from './lines.ts';
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

function terminalSize(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

const KEYS: Record<string, 'interrupt' | 'tab' | 'quit' | 'pause'> = { '\x03': 'interrupt', '\t': 'tab', q: 'quit', p: 'pause' };

/** Frames are never further apart than this, however slow they are. */
const MAX_FRAME_MS = 1000;

export function App({ store, control, onQuit, onInterrupt, frameMs = 100, cpuBudget = 0.02, onFrame, closing = false, size }: AppProps): React.ReactElement {
  const { stdout } = useStdout();
  const { isRawModeSupported } = useStdin();
  const [, setFrameCount] = useState(0);
  // null until tab is pressed: the view follows the run (the table once evaluation runs, or when attaching to a finished run).
  const [chosenView, setChosenView] = useState<View | null>(null);
  const view: View = chosenView ?? (store.phase === 'evaluating' || store.evaluation.length > 0 ? 'evaluation' : 'training');
  // The key handler is re-subscribed in a passive effect, which can run after the next key; it reads the view from here.
  const shownView = useRef(view);
  shownView.current = view;
  const [measured, setMeasured] = useState(() => terminalSize(stdout));

  useEffect(() => {
    const onResize = () => setMeasured(terminalSize(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);

  // From the start of a render to its layout effect: React, Yoga and Ink's output (Ink draws
  // inside the commit, before layout effects run).
  const renderStarted = performance.now();
  const frameCost = useRef(0);
  useLayoutEffect(() => {
    frameCost.current = performance.now() - renderStarted;
    onFrame?.(frameCost.current);
  });

  useEffect(() => {
    let shown = store.version;
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      if (store.version !== shown) {
        shown = store.version;
        setFrameCount((n) => n + 1);
      }
      timer = setTimeout(tick, Math.min(MAX_FRAME_MS, Math.max(frameMs, frameCost.current / cpuBudget)));
    };
    tick();
    return () => clearTimeout(timer);
  }, [store, frameMs, cpuBudget]);

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
        store.note(store.phase === 'evaluating' ? 'stop asked: evaluation finishes first' : 'stopping: writing a checkpoint, then exiting (continue with --resume)');
      }
    } else if (control) {
      control.paused = !control.paused;
      store.note(control.paused ? 'paused (p resumes)' : 'resumed');
    }
    // A key shows its effect now, not at the next frame.
    setFrameCount((n) => n + 1);
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
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <FrameLine key={i} line={line} />
      ))}
    </Box>
  );
}

function FrameLine({ line }: { line: Line }): React.ReactElement {
  return (
    <Text wrap="truncate">
      {line.length === 0 || line.every((s) => s.text === '')
        ? ' '
        : merged(line).map((s, i) => (
            <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
              {s.text}
            </Text>
          ))}
    </Text>
  );
}

/** Joins neighbouring segments of the same style: fewer Text nodes make a cheaper frame. */
function merged(line: Line): Line {
  const out: Line = [];
  for (const s of line) {
    if (s.text === '') continue;
    const last = out[out.length - 1];
    if (last && last.color === s.color && !!last.bold === !!s.bold && !!last.dim === !!s.dim && !!last.inverse === !!s.inverse) {
      out[out.length - 1] = { ...last, text: last.text + s.text };
    } else out.push(s);
  }
  return out;
}
