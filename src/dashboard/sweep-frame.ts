// The sweep dashboard's frame: a header, the sweep's overall progress and ETA, one row per run
// (id, state, progress, steps per second, latest training regret or the evaluation's), the log
// and the keys. When the runs do not fit, the running, failed and stopped ones are shown first,
// then the next queued ones, and a line counts the rest.
import type { RunControl } from '../experiments/events.ts';
import { progressBar } from './chart.ts';
import { compact, duration, padTo, short } from './format.ts';
import { clip, type Line, lineLength, type Segment, seg } from './lines.ts';
import { rowFraction, type SweepRow, type SweepStore } from './sweep-store.ts';

export interface SweepFrameOptions {
  width: number;
  /** Lines the frame may take (one less than the terminal's rows). */
  height: number;
  /** `run`: this process runs the sweep and the keys act on it; `none`: stdin is not a terminal. */
  keys: 'run' | 'none';
  control?: RunControl;
}

const MIN_LOG = 3;
const STATE_WIDTH = 12;
const BAR_WIDTH = 10;

export function sweepFrame(store: SweepStore, o: SweepFrameOptions): Line[] {
  const width = Math.max(40, o.width);
  const height = Math.max(10, o.height);
  const idWidth = Math.min(Math.max(3, ...store.rows.map((r) => r.id.length)), Math.max(12, Math.floor(width * 0.4)));
  const room = height - 5 - MIN_LOG;
  const rows = table(store.rows, room, idWidth, width);
  const logRows = Math.max(MIN_LOG, height - 5 - rows.length);
  const lines = [
    header(store, o, width),
    overall(store, width),
    titles(idWidth),
    ...rows,
    [seg(`─ log ${'─'.repeat(width - 6)}`, { dim: true })],
    ...log(store, logRows),
    footer(store, o),
  ];
  return lines.slice(0, height).map((l) => clip(l, width));
}

function header(store: SweepStore, o: SweepFrameOptions, width: number): Line {
  const shard = store.shard ? ` · shard ${store.shard.index}/${store.shard.count}` : '';
  const left: Line = [
    seg('engram sweep ', { bold: true }),
    seg(
      store.phase === 'starting'
        ? 'starting…'
        : `${store.name} · ${store.rows.length} runs · ${store.workers} ` +
            `worker${store.workers === 1 ? '' : 's'}${shard}`,
    ),
  ];
  const badge = stateBadge(store, o.control);
  const gap = width - lineLength(left) - badge.text.length;
  return gap >= 1
    ? [...left, seg(' '.repeat(gap)), badge]
    : [...clip(left, Math.max(0, width - badge.text.length - 1)), seg(' '), badge];
}

function stateBadge(store: SweepStore, control?: RunControl): Segment {
  if (store.phase === 'done') return seg('DONE', { color: 'green', bold: true });
  if (store.phase === 'stopped') return seg('STOPPED', { color: 'yellow', bold: true });
  if (control?.stop) return seg('STOPPING', { color: 'yellow', bold: true });
  if (control?.paused) return seg('PAUSED', { color: 'yellow', bold: true });
  return seg(store.phase === 'running' ? 'RUNNING' : 'STARTING', { color: 'cyan', bold: true });
}

function overall(store: SweepStore, width: number): Line {
  const p = store.progress();
  const counts =
    `${p.done} done · ${p.running} running · ${p.queued} ` + `queued${p.failed > 0 ? ` · ${p.failed} failed` : ''}`;
  const eta = store.phase === 'done' ? 'finished' : `ETA ${duration(p.etaSeconds)}`;
  const tail =
    ` ${(100 * p.fraction).toFixed(1).padStart(5)}%  ${counts}  ` + `${duration(p.elapsedSeconds)} elapsed  ${eta}`;
  const bar = Math.max(10, Math.min(40, width - tail.length));
  return [seg(progressBar(p.fraction, bar), { color: p.failed > 0 ? 'yellow' : 'green' }), seg(tail)];
}

function titles(idWidth: number): Line {
  return [
    seg(
      `${padTo('run', idWidth)} ${padTo('state', STATE_WIDTH)} ` +
        `${padTo('progress', BAR_WIDTH + 5)} ${padTo('steps/s', 7)} latest`,
      { dim: true },
    ),
  ];
}

const STATE: Record<SweepRow['state'], Segment> = {
  queued: seg(padTo('· queued', STATE_WIDTH), { dim: true }),
  training: seg(padTo('▶ training', STATE_WIDTH), { color: 'cyan' }),
  evaluating: seg(padTo('◆ evaluating', STATE_WIDTH), { color: 'cyan' }),
  done: seg(padTo('✓ done', STATE_WIDTH), { color: 'green' }),
  failed: seg(padTo('✗ failed', STATE_WIDTH), { color: 'red', bold: true }),
  stopped: seg(padTo('■ stopped', STATE_WIDTH), { color: 'yellow' }),
};

function table(rows: SweepRow[], room: number, idWidth: number, width: number): Line[] {
  let shown = rows;
  let more: Line[] = [];
  if (rows.length > room) {
    const active = rows.filter((r) => r.state !== 'queued' && r.state !== 'done');
    const queued = rows.filter((r) => r.state === 'queued');
    const done = rows.filter((r) => r.state === 'done').reverse();
    const keep = new Set([...active, ...queued, ...done].slice(0, Math.max(0, room - 1)));
    shown = rows.filter((r) => keep.has(r));
    const hidden = rows.filter((r) => !keep.has(r));
    const hiddenDone = hidden.filter((r) => r.state === 'done').length;
    more = [
      [
        seg(`… ${hidden.length} more runs not shown (${hiddenDone} done, ${hidden.length - hiddenDone} queued)`, {
          dim: true,
        }),
      ],
    ];
  }
  return [...shown.map((r) => row(r, idWidth, width)), ...more];
}

function row(r: SweepRow, idWidth: number, width: number): Line {
  const id = seg(`${padTo(r.id, idWidth)} `, { bold: r.state === 'training' || r.state === 'evaluating' });
  if (r.state === 'queued') return [id, STATE.queued];
  const f = rowFraction(r);
  const progress = seg(` ${progressBar(f, BAR_WIDTH)} ${`${Math.floor(100 * f)}%`.padStart(4)} `, {
    color: r.state === 'failed' ? 'red' : r.state === 'stopped' ? 'yellow' : 'green',
  });
  const steps = seg(`${padTo(r.state === 'training' ? compact(r.stepsPerSecond) : '', 7)} `);
  const used = idWidth + 1 + STATE_WIDTH + BAR_WIDTH + 7 + 8;
  return [id, STATE[r.state], progress, steps, value(r, Math.max(8, width - used))];
}

function value(r: SweepRow, width: number): Segment {
  if (r.state === 'failed') return seg(padTo(r.error ?? 'failed', width), { color: 'red' });
  if (r.headline !== null)
    return seg(padTo(`${short(r.headline.value)} ${r.headline.measure} (frozen)`, width), { bold: true });
  if (Number.isFinite(r.latestRegret)) return seg(`${short(r.latestRegret)} training regret`);
  if (Number.isFinite(r.latestReward)) return seg(`${short(r.latestReward)} training reward`);
  if (Number.isFinite(r.latestLoss)) return seg(`${short(r.latestLoss)} training loss`);
  return seg('');
}

function log(store: SweepStore, rows: number): Line[] {
  const lines: Line[] = store.log
    .slice(-rows)
    .map((e) => [
      e.level === 'error'
        ? seg('✗ ', { color: 'red', bold: true })
        : e.level === 'warn'
          ? seg('! ', { color: 'yellow', bold: true })
          : seg('· ', { dim: true }),
      seg(e.text, e.level === 'error' ? { color: 'red' } : e.level === 'warn' ? { color: 'yellow' } : {}),
    ]);
  while (lines.length < rows) lines.push([seg('')]);
  return lines;
}

function footer(store: SweepStore, o: SweepFrameOptions): Line {
  if (store.phase === 'done')
    return [
      seg(
        store.inContext
          ? `finished: npx engram report ${store.out}`
          : `finished: npx engram compare ${store.out}/runs/*`,
        {
          dim: true,
        },
      ),
    ];
  if (store.phase === 'stopped')
    return [seg(`stopped: npx engram sweep --resume ${store.out} continues`, { dim: true })];
  if (o.keys === 'run') {
    return [
      seg('q', { bold: true }),
      seg(' stop (every run checkpoints; engram sweep --resume continues)  '),
      seg('p', { bold: true }),
      seg(` ${o.control?.paused ? 'resume' : 'pause'}`),
    ];
  }
  return [seg('keys need a terminal on stdin; Ctrl-C stops at a checkpoint', { dim: true })];
}
