import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/dashboard/App.tsx';
import { DashboardStore } from '../../src/dashboard/store.ts';
import type { RunControl } from '../../src/experiments/events.ts';
import { runIclExperiment } from '../../src/experiments/icl-run.ts';
import { type IclExperimentSpec, parseAnyExperiment } from '../../src/experiments/spec.ts';
import { tmp } from '../helpers/engram.ts';
import { evaluationEvents, strip, tick, trainingEvents, untilFrame } from './events.ts';

const FRAME_MS = 20;

function mount(
  options: {
    control?: RunControl;
    onQuit?: () => void;
    size?: { columns: number; rows: number };
    cpuBudget?: number;
  } = {},
) {
  const store = new DashboardStore();
  // Budget 1: frames every FRAME_MS whatever they cost (the tests check content, not pacing).
  const app = render(
    <App
      store={store}
      control={options.control}
      onQuit={options.onQuit}
      frameMs={FRAME_MS}
      cpuBudget={options.cpuBudget ?? 1}
      size={options.size ?? { columns: 100, rows: 30 }}
    />,
  );
  return { store, app, frame: () => strip(app.lastFrame()) };
}

afterEach(() => cleanup());
const until = (frame: () => string, check: (f: string) => boolean) => untilFrame(frame, check, FRAME_MS);

describe('the live dashboard', () => {
  it('shows a scripted stream of run events with their values', async () => {
    const { store, app, frame } = mount({ control: { stop: false, paused: false } });
    for (const e of trainingEvents(100)) store.handle(e);
    const f = await until(frame, (x) => x.includes('checkpoint written'));
    expect(f).toContain('dash-test · bandit-correlated · seed 3');
    expect(f).toContain('TRAINING');
    // update 100 of 400, at 0.1 training seconds per update: 10 s elapsed, 30 s to go.
    expect(f).toMatch(/lstm █+[^\n]*25\.0%\s+100\/400\s+10s elapsed\s+ETA 30s/);
    // 3200 steps per update, 0.1 training seconds each (the run's timing, not the per-update perf metric).
    expect(f).toContain('32.0k steps/s');
    expect(f).toContain('320.0k env steps');
    expect(f).toMatch(/reward\s+latest 60\.000/); // 50 + 100/10
    expect(f).toMatch(/regret\s+latest 20\.000/); // 25 − 100/20
    expect(f).toMatch(/entropy 0\.500\s+value loss 1\.250\s+policy loss -0\.063\s+grad norm 4\.000/);
    expect(f).toContain('checkpoint written: lstm at update 100');
    expect(f).toMatch(/[▁▂▃▄▅▆▇█]{20,}/); // the history chart
    app.unmount();
  });

  it('shows an in-context regression run, fed its real events, with its loss chart', async () => {
    const { store, app, frame } = mount();
    const spec = parseAnyExperiment(
      {
        kind: 'icl-regression',
        name: 'icl-dash',
        task: { id: 'icl-regression', options: { dim: 3, examples: 4 } },
        models: [{ id: 'lsa-1', model: 'lsa' }],
        training: { steps: 60, batchSize: 16, learningRate: 0.01, logEvery: 10, checkpointEvery: 20 },
        evaluation: { sequences: 50, lineSearchSequences: 50, gdSteps: 2, curveExamples: [4], curveSequences: 10 },
      },
      'test',
    ) as IclExperimentSpec;
    await runIclExperiment(spec, { out: tmp(), onEvent: (e) => store.handle(e) });
    const f = await until(frame, (x) => x.includes('vs one GD step'));
    expect(f).toContain('icl-dash · icl-regression · seed 0');
    expect(f).toMatch(/lsa-1 █+[^\n]*100\.0%\s+60\/60/);
    expect(f).toMatch(/sequences\/s {2}960 sequences/);
    expect(f).toMatch(/loss\s+latest \d\.\d{3}/);
    expect(f).toContain('lsa-1: training for 60 updates');
    expect(f).not.toContain('exploding');
    expect(f).toMatch(/grad norm \d/);
    expect(f).not.toContain('regret');
    app.unmount();
  });

  it('switches to the evaluation table when evaluation runs, frozen agents beside classic ones', async () => {
    const { store, frame } = mount({ control: { stop: false, paused: false } });
    for (const e of [...trainingEvents(400), ...evaluationEvents()]) store.handle(e);
    const f = await until(frame, (x) => x.includes('DONE'));
    expect(f).toContain('DONE');
    expect(f).toMatch(/lstm \(frozen\)\s+learned\s+68\.50 ± 1\.25\s+6\.25 ± 0\.50/);
    expect(f).toMatch(/thompson\s+classic\s+72\.43 ± 1\.25\s+2\.87 ± 0\.50/);
    expect(f).toContain('evaluation done: thompson, expected regret 2.87 ± 0.50');
  });

  it('q stops the run gracefully, p pauses and resumes, tab switches the view', async () => {
    const control: RunControl = { stop: false, paused: false };
    const { store, app, frame } = mount({ control });
    for (const e of trainingEvents(50)) store.handle(e);
    expect(await until(frame, (f) => f.includes('50/400'))).toContain('p pause');

    app.stdin.write('p');
    expect(control.paused).toBe(true);
    expect(await until(frame, (f) => f.includes('PAUSED'))).toContain('p resume');
    app.stdin.write('p');
    expect(control.paused).toBe(false);
    expect(await until(frame, (f) => f.includes('TRAINING'))).toContain('p pause');

    expect(frame()).not.toContain('No evaluation yet');
    app.stdin.write('\t');
    expect(await until(frame, (f) => f.includes('No evaluation yet'))).toContain(
      'No evaluation yet: it runs when training ends.',
    );
    app.stdin.write('\t');
    expect(await until(frame, (f) => /reward\s+latest/.test(f))).toMatch(/reward\s+latest/);

    expect(control.stop).toBe(false);
    app.stdin.write('q');
    expect(control.stop).toBe(true);
    expect(await until(frame, (f) => f.includes('STOPPING'))).toContain('stopping: writing a checkpoint');
  });

  it('tab overrides the automatic switch to the evaluation table', async () => {
    const { store, app, frame } = mount({ control: { stop: false, paused: false } });
    for (const e of [...trainingEvents(400), ...evaluationEvents()]) store.handle(e);
    await until(frame, (f) => f.includes('thompson'));
    app.stdin.write('\t');
    expect(await until(frame, (f) => /reward\s+latest/.test(f))).toContain('training done');
  });

  it('keys that arrive together while training holds the thread each count', async () => {
    const control: RunControl = { stop: false, paused: false };
    let interrupts = 0;
    const store = new DashboardStore();
    const app = render(
      <App store={store} control={control} onInterrupt={() => interrupts++} frameMs={FRAME_MS} cpuBudget={1} />,
    );
    for (const e of trainingEvents(5)) store.handle(e);
    app.stdin.write('ppp');
    expect(control.paused).toBe(true);
    app.stdin.write('\u0003\u0003');
    expect(interrupts).toBe(2);
    app.stdin.write('\u0003');
    expect(interrupts).toBe(3);
    app.stdin.write('\t\t\t');
    expect(
      await until(
        () => strip(app.lastFrame()),
        (f) => f.includes('No evaluation yet'),
      ),
    ).toContain('No evaluation yet');
  });

  it('q quits a followed run (no control of it)', async () => {
    let quits = 0;
    const { store, app, frame } = mount({ onQuit: () => quits++ });
    for (const e of trainingEvents(10)) store.handle(e);
    await until(frame, (f) => f.includes('10/400'));
    expect(frame()).toContain('q quit');
    app.stdin.write('q');
    expect(quits).toBe(1);
  });

  it('fits an 80×24 terminal: no line wider than 80, no more than 23 lines', async () => {
    const { store, frame } = mount({ control: { stop: false, paused: false }, size: { columns: 80, rows: 24 } });
    for (const e of trainingEvents(300)) store.handle(e);
    for (let i = 0; i < 30; i++)
      store.note(`a long log line that would wrap on a narrow terminal if nobody cut it: ${'x'.repeat(60)} ${i}`);
    await tick(FRAME_MS * 3);
    for (const view of ['training', 'evaluation']) {
      const lines = frame().split('\n');
      expect(lines.length, view).toBeLessThanOrEqual(23);
      for (const line of lines) expect(line.length, `${view}: ${line}`).toBeLessThanOrEqual(80);
      (store as unknown as { handle: DashboardStore['handle'] }).handle(evaluationEvents()[2]);
      await tick(FRAME_MS * 3);
    }
  });

  it('renders on a timer, not per event: a burst of 2000 updates costs a frame or two', async () => {
    const { store, app } = mount({ control: { stop: false, paused: false } });
    await tick(FRAME_MS * 2);
    const before = app.frames.length;
    for (const e of trainingEvents(400)) store.handle(e);
    for (let u = 0; u < 1600; u++) store.note(`filler ${u}`);
    await tick(FRAME_MS * 3);
    expect(app.frames.length - before).toBeGreaterThanOrEqual(1);
    expect(app.frames.length - before).toBeLessThanOrEqual(3);
  });

  it('spaces frames out when they cost more than their share of the thread', async () => {
    // A budget no frame can meet: after the first frame, the next waits the longest interval (1 s).
    const { store, app, frame } = mount({ control: { stop: false, paused: false }, cpuBudget: 1e-9 });
    await tick(FRAME_MS * 2);
    for (const e of trainingEvents(10)) store.handle(e);
    await tick(FRAME_MS * 2);
    const before = app.frames.length;
    for (const e of trainingEvents(20).slice(12)) store.handle(e);
    await tick(300);
    expect(app.frames.length).toBe(before);
    await tick(1000);
    expect(app.frames.length).toBeGreaterThan(before);
    expect(frame()).toMatch(/20\/400/);
  });
});
