import { describe, expect, it } from 'vitest';
import { plainProgress } from '../../src/dashboard/plain.ts';
import { isCI, wantsDashboard } from '../../src/dashboard/terminal.ts';
import { evaluationEvents, trainingEvents } from './events.ts';

describe('plain progress (pipes, files, CI, --plain)', () => {
  it('writes percent, steps per second, reward, regret and ETA, and never an escape character', () => {
    const lines: string[] = [];
    const onEvent = plainProgress((l) => lines.push(l), 0);
    for (const e of [
      ...trainingEvents(400, (u) => ({ 'train/gradNorm': u === 300 ? NaN : 4 })),
      { type: 'warning' as const, message: 'lstm: non-finite loss or gradient at update 300' },
      ...evaluationEvents(),
    ]) {
      onEvent(e);
    }
    const text = lines.join('\n');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('run dash-test (seed 3) in /runs/dash-test');
    // update 100: 25%, 12000 steps/s, reward 60, regret 20; 300 updates at 0.1 s each to go.
    expect(lines).toContain('lstm  25.0% update 100/400 12000 steps/s reward 60.00 regret 20.00 entropy 0.500 ETA 30s');
    expect(lines).toContain('lstm 100.0% update 400/400 12000 steps/s reward 90.00 regret 5.00 entropy 0.500 ETA 0s');
    expect(text).toContain('warning: lstm: non-finite loss or gradient at update 300');
    expect(text).toContain('eval thompson: reward 72.43 expected regret 2.87 [2.37, 3.37] over 500 held-out episodes');
    expect(lines[lines.length - 1]).toBe('done: /runs/dash-test');
  });

  it('writes at most one progress line per interval (and always the last update)', () => {
    const lines: string[] = [];
    const onEvent = plainProgress((l) => lines.push(l), 3600);
    for (const e of trainingEvents(400)) onEvent(e);
    expect(lines.filter((l) => l.startsWith('lstm ') && l.includes('% update'))).toHaveLength(2);
  });

  it('prints a repeated warning once per interval', () => {
    const lines: string[] = [];
    const onEvent = plainProgress((l) => lines.push(l), 3600);
    for (let u = 1; u <= 50; u++)
      onEvent({ type: 'warning', message: `lstm: non-finite loss or gradient at update ${u}` });
    expect(lines).toEqual(['warning: lstm: non-finite loss or gradient at update 1']);
  });

  it('tells warnings about models whose names differ by a digit apart', () => {
    const lines: string[] = [];
    const onEvent = plainProgress((l) => lines.push(l), 3600);
    for (const id of ['attn-1', 'attn-2', 'lstm'])
      onEvent({ type: 'warning', message: `${id}: evaluating the shipped checkpoint checkpoints/heads-${id}.json` });
    expect(lines).toHaveLength(3);
  });
});

describe('choosing the dashboard', () => {
  it('only on a terminal, outside CI, without --plain or --json', () => {
    expect(wantsDashboard({ isTTY: true }, {}, {})).toBe(true);
    expect(wantsDashboard({ isTTY: false }, {}, {})).toBe(false);
    expect(wantsDashboard({}, {}, {})).toBe(false);
    expect(wantsDashboard({ isTTY: true }, { plain: true }, {})).toBe(false);
    expect(wantsDashboard({ isTTY: true }, { json: true }, {})).toBe(false);
    expect(wantsDashboard({ isTTY: true }, {}, { CI: 'true' })).toBe(false);
    expect(wantsDashboard({ isTTY: true }, {}, { CI: 'false' })).toBe(true);
  });

  it('reads CI as set unless it is empty or false', () => {
    expect(isCI({})).toBe(false);
    expect(isCI({ CI: '' })).toBe(false);
    expect(isCI({ CI: '0' })).toBe(false);
    expect(isCI({ CI: 'FALSE' })).toBe(false);
    expect(isCI({ CI: '1' })).toBe(true);
    expect(isCI({ CI: 'woodpecker' })).toBe(true);
  });
});
