import { describe, expect, it } from 'vitest';
import { progressBar, resample, sparkline, tallSparkline } from '../../src/dashboard/chart.ts';
import { History } from '../../src/dashboard/history.ts';

describe('charts', () => {
  it('a sparkline maps the minimum to the lowest block and the maximum to the highest', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5, 5], 3)).toBe('▄▄▄');
    expect(sparkline([], 10)).toBe('');
    expect(sparkline([1, 2, 3], 0)).toBe('');
  });

  it('a sparkline shows the newest values that fit, and a NaN as a gap', () => {
    expect(sparkline([100, 0, 1, NaN, 1], 4)).toBe('▁█ █');
  });

  it('a tall sparkline stacks rows, top first, filled from the bottom', () => {
    expect(tallSparkline([0, 1], 2, 2)).toEqual([' █', '▁█']);
    expect(tallSparkline([0, 0.5, 1], 3, 1)).toEqual(['▁▅█']);
  });

  it('resampling averages consecutive values into the chart width', () => {
    expect(resample([1, 3, 5, 7], 2)).toEqual([2, 6]);
    expect(resample([1, 2], 5)).toEqual([1, 2]);
    expect(resample([1, NaN, 5, 7], 2)[0]).toBeNaN();
  });

  it('a progress bar fills in eighths and clamps to [0, 1]', () => {
    expect(progressBar(0, 4)).toBe('░░░░');
    expect(progressBar(1, 4)).toBe('████');
    expect(progressBar(0.5, 4)).toBe('██░░');
    expect(progressBar(1 / 32, 4)).toBe('▏░░░');
    expect(progressBar(2, 3)).toBe('███');
    expect(progressBar(NaN, 3)).toBe('░░░');
  });
});

describe('metric history', () => {
  it('keeps every value until capacity, then halves its resolution and keeps the mean', () => {
    const h = new History(4);
    for (let i = 1; i <= 3; i++) h.push(i);
    expect(h.values()).toEqual([1, 2, 3]);
    h.push(4);
    expect(h.values()).toEqual([1.5, 3.5]);
    expect(h.updatesPerPoint).toBe(2);
    h.push(5);
    expect(h.values()).toEqual([1.5, 3.5, 5]); // the incomplete newest point shows too
    h.push(6);
    expect(h.values()).toEqual([1.5, 3.5, 5.5]);
  });

  it('stays bounded over a long run', () => {
    const h = new History(64);
    for (let i = 0; i < 100_000; i++) h.push(i);
    expect(h.length).toBeLessThanOrEqual(64);
    const v = h.values();
    expect(v[0]).toBeLessThan(v[v.length - 1]);
  });
});
