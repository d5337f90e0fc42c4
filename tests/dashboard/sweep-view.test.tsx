// The sweep dashboard and the sweep's plain progress, fed a scripted stream of sweep events with
// a clock the test drives: one row per run, the overall progress and ETA, keys, and plain lines.

import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { SweepApp } from '../../src/dashboard/SweepApp.tsx';
import { sweepPlainProgress } from '../../src/dashboard/sweep-plain.ts';
import { SweepStore } from '../../src/dashboard/sweep-store.ts';
import { runHeader } from '../../src/experiments/plan.ts';
import { SharedRunControl } from '../../src/experiments/shared-control.ts';
import type { SweepEvent } from '../../src/experiments/sweep.ts';
import { metrics, spec, strip, tick, untilFrame } from './events.ts';

const FRAME_MS = 20;
const headline = { agent: 'lstm', measure: 'expected regret (T = 100)', value: 1.47 };

/**
 * A sweep of `runs` runs of the 400-update test spec: the first done, seed=1 trained to update 100 in 10 s, the rest
 * queued.
 */
function started(runs = 3): SweepEvent[] {
  return [
    {
      type: 'sweep-start',
      name: 'tiny-view',
      out: '/runs/sweep',
      workers: 2,
      shard: null,
      runs: Array.from({ length: runs }, (_, i) => ({
        id: `seed=${i}`,
        index: i,
        spec: { ...spec, seed: i },
        state: i === 0 ? ('done' as const) : ('queued' as const),
        headline: i === 0 ? headline : null,
      })),
    },
    {
      type: 'run-event',
      id: 'seed=1',
      event: { type: 'run-start', runDir: '/runs/sweep/runs/seed=1', run: runHeader(spec), resumed: false },
    },
    { type: 'run-event', id: 'seed=1', event: { type: 'train-start', agent: 'lstm', updates: 400, fromUpdate: 0 } },
    ...[1, 50, 100].map(
      (u): SweepEvent => ({
        type: 'run-event',
        id: 'seed=1',
        event: { type: 'update', agent: 'lstm', metrics: metrics(u), updates: 400, wallSeconds: u / 10 },
      }),
    ),
  ];
}

const finished: SweepEvent[] = [
  {
    type: 'run-event',
    id: 'seed=1',
    event: { type: 'warning', message: 'lstm: non-finite loss or gradient at update 120' },
  },
  { type: 'run-end', id: 'seed=1', state: 'done', headline: { ...headline, value: 2.5 } },
  { type: 'run-end', id: 'seed=2', state: 'failed', error: 'ENOTDIR: not a directory', headline: null },
  { type: 'sweep-end', out: '/runs/sweep', stopped: false },
];

/** A clock at 0 ms for the sweep's start and 10 s after, when the updates arrive. */
function clock() {
  let t = 0;
  return { now: () => t, set: (ms: number) => (t = ms) };
}

afterEach(() => cleanup());
const until = (frame: () => string, check: (f: string) => boolean) => untilFrame(frame, check, FRAME_MS);

describe('the sweep dashboard', () => {
  it('shows every run, the progress and ETA of the sweep, and its keys', async () => {
    const c = clock();
    const store = new SweepStore(c.now);
    const control = new SharedRunControl();
    const app = render(
      <SweepApp store={store} control={control} frameMs={FRAME_MS} cpuBudget={1} size={{ columns: 100, rows: 20 }} />,
    );
    const frame = () => strip(app.lastFrame());
    const [start, ...rest] = started();
    store.handle(start);
    c.set(10_000);
    for (const e of rest) store.handle(e);
    const f = await until(frame, (x) => x.includes('100/400') || x.includes('25%'));
    expect(f).toMatch(/engram sweep tiny-view · 3 runs · 2 workers\s+RUNNING/);
    // 1 of 3 runs done and 100 of 400 updates of another: 500/1200; 100 updates in 10 s, 700 to go.
    expect(f).toMatch(/41\.7%\s+1 done · 1 running · 1 queued\s+10s elapsed\s+ETA 1m10s/);
    expect(f).toMatch(/seed=0\s+✓ done\s+█{10}\s+100%\s+1\.470 expected regret \(T = 100\) \(frozen\)/);
    expect(f).toMatch(/seed=1\s+▶ training\s+██▌░{7}\s+25%\s+12\.0k\s+20\.000 training regret/);
    expect(f).toMatch(/seed=2\s+· queued/);
    expect(f).toContain('seed=1: started');
    expect(f).toMatch(/q stop \(every run checkpoints; engram sweep --resume continues\)\s+p pause/);

    await tick();
    app.stdin.write('p');
    expect(control.paused).toBe(true);
    expect(await until(frame, (x) => x.includes('PAUSED'))).toContain('paused every run (p resumes)');
    app.stdin.write('p');
    expect(control.paused).toBe(false);
    app.stdin.write('q');
    expect(control.stop).toBe(true);
    expect(await until(frame, (x) => x.includes('STOPPING'))).toContain(
      'stopping: every running run writes a checkpoint',
    );

    for (const e of finished) store.handle(e);
    const done = await until(frame, (x) => x.includes('DONE'));
    expect(done).toMatch(/seed=1\s+✓ done .*2\.500 expected regret/);
    expect(done).toMatch(/seed=2\s+✗ failed\s+\S*\s+0%\s+ENOTDIR: not a directory/);
    expect(done).toContain('! seed=1: lstm: non-finite loss or gradient at update 120');
    expect(done).toContain('finished: npx engram compare /runs/sweep/runs/*');
  });

  it('fits an 80×24 terminal however many runs, counting those it cannot show', async () => {
    const store = new SweepStore(clock().now);
    const app = render(
      <SweepApp
        store={store}
        control={new SharedRunControl()}
        frameMs={FRAME_MS}
        cpuBudget={1}
        size={{ columns: 80, rows: 24 }}
      />,
    );
    for (const e of started(40)) store.handle(e);
    const f = await until(
      () => strip(app.lastFrame()),
      (x) => x.includes('more runs not shown'),
    );
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    // The running run is shown first, then the next queued ones; the rest are counted.
    expect(f).toMatch(/seed=1\s+▶ training/);
    expect(f).toMatch(/… \d+ more runs not shown \(\d+ done, \d+ queued\)/);
  });
});

describe('plain sweep progress', () => {
  it('writes run starts and ends, warnings and the overall progress, never an escape character', () => {
    const c = clock();
    const lines: string[] = [];
    const onEvent = sweepPlainProgress((l) => lines.push(l), 0, c.now);
    const [start, ...rest] = started();
    onEvent(start);
    c.set(10_000);
    for (const e of [...rest, ...finished]) onEvent(e);
    const text = lines.join('\n');
    expect(text).not.toContain('\u001b');
    expect(lines[0]).toBe(
      'sweep tiny-view (the whole sweep): 3 runs, 1 already done, 2 to run on 2 workers in /runs/sweep',
    );
    expect(lines).toContain('seed=1: started');
    expect(lines).toContain('sweep 41.7%: 1 done, 1 running, 1 queued; ETA 1m10s (seed=1 25%)');
    expect(lines).toContain('warning: seed=1: lstm: non-finite loss or gradient at update 120');
    expect(lines).toContain('seed=1: done, lstm expected regret (T = 100) 2.500');
    expect(lines).toContain('seed=2: failed: ENOTDIR: not a directory');
  });

  it('writes the overall progress at most once per interval', () => {
    const lines: string[] = [];
    const onEvent = sweepPlainProgress((l) => lines.push(l), 3600, clock().now);
    for (const e of started()) onEvent(e);
    expect(lines.filter((l) => /^sweep [\d.]+%:/.test(l))).toHaveLength(1);
  });
});
