// `engram dashboard <run-dir>`: attaches to a run in progress, or a finished one, by following its
// files. With keys (stdin is a terminal) it stays until `q`; without, it exits once the run has
// finished, leaving the final frame. Plain lines when stdout is not a terminal, in CI, or --plain.
import { follow, openFollowedRun, RunFollower } from './follow.ts';
import { plainProgress } from './plain.ts';
import { wantsDashboard } from './terminal.ts';

export interface DashboardCommandOptions {
  plain?: boolean;
  /** Milliseconds between reads of the run's files. */
  pollMs?: number;
}

export async function dashboardCommand(runDir: string, opts: DashboardCommandOptions = {}): Promise<void> {
  const { dir, run } = openFollowedRun(runDir);
  const pollMs = opts.pollMs ?? 500;
  if (!wantsDashboard(process.stdout, opts)) {
    // A reader that goes away (`| head`) ends the command quietly; the write error arrives
    // asynchronously, possibly after following is done, so the handler stays.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(0);
    });
    const following = follow(
      new RunFollower(
        dir,
        run,
        plainProgress((line) => process.stdout.write(`${line}\n`)),
      ),
      pollMs,
    );
    const onSignal = () => following.stop();
    process.once('SIGINT', onSignal);
    try {
      await following.done;
    } finally {
      process.off('SIGINT', onSignal);
    }
    return;
  }
  // Loaded only here: React and Ink cost a noticeable start-up time that plain output does not need.
  const { mountDashboard } = await import('./live.ts');
  const keys = process.stdin.isTTY === true;
  let quit!: () => void;
  const quitting = new Promise<void>((r) => {
    quit = r;
  });
  const dashboard = mountDashboard({ onQuit: () => quit(), onInterrupt: () => quit() });
  const following = follow(new RunFollower(dir, run, dashboard.onEvent), pollMs);
  process.once('SIGINT', quit);
  try {
    await (keys ? quitting : Promise.race([following.done, quitting]));
  } finally {
    process.off('SIGINT', quit);
    following.stop();
    await dashboard.close();
  }
}
