import { describe, expect, it } from 'vitest';
import { type FrameOptions, frame } from '../../src/dashboard/frame.ts';
import { plainText } from '../../src/dashboard/lines.ts';
import { DashboardStore } from '../../src/dashboard/store.ts';
import { runHeader } from '../../src/experiments/plan.ts';
import { spec as fixtureSpec, metrics, trainingEvents } from './events.ts';

function text(store: DashboardStore, o: Partial<FrameOptions>): string[] {
  return frame(store, { width: 80, height: 23, view: 'training', keys: 'run', ...o }).map(plainText);
}

/** The columns of the reward chart (its top-left label row is followed by the chart). */
function chartColumns(lines: string[]): number {
  const row = lines.find((l) => /reward\s+latest/.test(l))!;
  return row.length - row.search(/reward/) - 24 - 1;
}

describe('the frame layout', () => {
  const store = new DashboardStore();
  for (const e of trainingEvents(300)) store.handle(e);

  it('a wider terminal draws the history wider (finer detail of the same run)', () => {
    const narrow = text(store, { width: 80 });
    const wide = text(store, { width: 160 });
    expect(chartColumns(wide)).toBe(chartColumns(narrow) + 80);
    const bars = (lines: string[]) => Math.max(...lines.map((l) => (l.match(/[▁▂▃▄▅▆▇█]/g) ?? []).length));
    expect(bars(wide)).toBeGreaterThan(bars(narrow));
  });

  it('a taller terminal gets taller charts and a longer log, never more lines than it has', () => {
    for (const height of [8, 12, 23, 29, 49]) {
      const lines = text(store, { height });
      expect(lines.length).toBe(height);
      expect(lines[lines.length - 1]).toContain('q stop');
    }
    const chartRows = (lines: string[]) => lines.filter((l) => /^\s{10}/.test(l) || /reward|regret/.test(l)).length;
    expect(chartRows(text(store, { height: 49 }))).toBeGreaterThan(chartRows(text(store, { height: 12 })));
  });

  it(
    'shows several agents in full where they fit, otherwise the training ' + 'one in full and the rest on a line each',
    () => {
      const many = new DashboardStore();
      const spec = { ...trainingEvents(0)[0] } as Extract<
        ReturnType<typeof trainingEvents>[number],
        { type: 'run-start' }
      >;
      many.handle({
        ...spec,
        run: runHeader({
          ...fixtureSpec,
          agents: ['lstm', 'gru'].map((id) => ({ id, options: {} })),
        }),
      });
      many.handle({ type: 'train-start', agent: 'lstm', updates: 400, fromUpdate: 0 });
      const small = text(many, { height: 23 });
      expect(small.some((l) => /^gru\s+waiting · 400 updates/.test(l))).toBe(true);
      expect(small.filter((l) => /reward\s+latest/.test(l)).length).toBe(1);
      for (let u = 1; u <= 400; u++)
        many.handle({ type: 'update', agent: 'lstm', metrics: metrics(u), updates: 400, wallSeconds: u / 10 });
      many.handle({ type: 'train-end', agent: 'lstm', stopped: false });
      many.handle({ type: 'train-start', agent: 'gru', updates: 400, fromUpdate: 0 });
      many.handle({ type: 'update', agent: 'gru', metrics: metrics(1), updates: 400, wallSeconds: 0.1 });
      const both = text(many, { height: 23 });
      expect(both.filter((l) => /reward\s+latest/.test(l)).length).toBe(2);
      const short = text(many, { height: 12 });
      expect(short.filter((l) => /^\s+reward/.test(l)).length).toBe(1); // gru, the one training
      expect(short.some((l) => /^lstm\s+✓ done 400\/400/.test(l))).toBe(true);
    },
  );
});
