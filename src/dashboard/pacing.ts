// What the dashboards share about drawing: frame pacing and the terminal's size. A frame is not cheap (Ink lays out and
// measures every character: 5–20 ms for a 100×30 frame on this machine) and it runs on a thread that has other work, so
// a view reads its store on a timer, never per event, redraws only when the store's version moved, and spaces frames
// out to keep drawing within a share of the thread's time (`cpuBudget`): frames come at most every `frameMs`, and
// further apart when they cost more.

import { useStdout } from 'ink';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

/** Frames are never further apart than this, however slow they are. */
const MAX_FRAME_MS = 1000;

/**
 * Call at the top of the view's render. `onFrame` gets each frame's cost (render to layout
 * effect, in ms). Returns a function that redraws at once (for keys, whose effect should show now).
 */
export function useFramePacing(
  store: { version: number },
  frameMs: number,
  cpuBudget: number,
  onFrame?: (costMs: number) => void,
): () => void {
  const [, setFrameCount] = useState(0);
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

  return useCallback(() => setFrameCount((n) => n + 1), []);
}

function terminalSize(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

/** The terminal's columns and rows, followed on resize. */
export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => terminalSize(stdout));
  useEffect(() => {
    const onResize = () => setSize(terminalSize(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
