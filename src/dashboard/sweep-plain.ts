// Plain progress of a sweep for pipes, files, CI, cluster job logs and --plain: a line when a run
// starts, ends or warns, and the sweep's overall progress at most once per interval. Never an
// escape sequence.
import type { SweepEvent } from '../experiments/sweep.ts';
import { shardName } from '../experiments/sweep-dir.ts';
import { duration } from './format.ts';
import { rowFraction, SweepStore } from './sweep-store.ts';

export function sweepPlainProgress(
  write: (line: string) => void,
  intervalSeconds = 10,
  now: () => number = () => performance.now(),
): (event: SweepEvent) => void {
  const store = new SweepStore(now);
  let lastLine = -Infinity;
  let logged = 0;
  return (event) => {
    store.handle(event);
    if (event.type === 'sweep-start') {
      const done = event.runs.filter((r) => r.state === 'done').length;
      write(
        `sweep ${event.name} (${shardName(event.shard)}): ${event.runs.length} runs, ${done} already done, ` +
          `${event.runs.length - done} to run on ${event.workers} ` +
          `worker${event.workers === 1 ? '' : 's'} in ${event.out}`,
      );
      logged = store.notes;
      return;
    }
    // Run starts, ends and warnings, as the store logged them.
    for (const entry of store.log.slice(store.log.length - Math.min(store.notes - logged, store.log.length))) {
      write(entry.level === 'warn' ? `warning: ${entry.text}` : entry.text);
    }
    logged = store.notes;
    if (event.type === 'sweep-end') return;
    const t = now();
    if (event.type !== 'run-event' || event.event.type !== 'update' || t - lastLine < intervalSeconds * 1000) return;
    lastLine = t;
    const p = store.progress();
    const running = store.rows
      .filter((r) => r.state === 'training' || r.state === 'evaluating')
      .map((r) => `${r.id} ${Math.floor(100 * rowFraction(r))}%`);
    write(
      `sweep ${(100 * p.fraction).toFixed(1)}%: ${p.done} done, ${p.running} running, ${p.queued} queued` +
        (p.failed > 0 ? `, ${p.failed} failed` : '') +
        `; ETA ${duration(p.etaSeconds)}` +
        (running.length > 0 ? ` (${running.join(', ')})` : ''),
    );
  };
}
