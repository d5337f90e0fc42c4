import { describe, expect, it } from 'vitest';
import { DashboardStore } from '../../src/dashboard/store.ts';
import { runHeader } from '../../src/experiments/plan.ts';
import { evaluationEvents, spec, trainingEvents } from './events.ts';

describe('the dashboard store', () => {
  it('tracks progress, rate, ETA and smoothed values from update events', () => {
    const store = new DashboardStore();
    for (const e of trainingEvents(200)) store.handle(e);
    const [a] = store.agents;
    expect(a.agent).toBe('lstm');
    expect(a.status).toBe('training');
    expect(a.update).toBe(200);
    expect(a.wallSeconds).toBeCloseTo(20);
    // 199 updates in 19.9 training seconds since the first one seen: 200 to go take 20 s.
    expect(a.etaSeconds).toBeCloseTo(20);
    expect(a.latest?.['train/episodeReward']).toBe(70);
    // The moving average lags a rising reward: below the latest, above the start.
    const reward = a.charts.find((c) => c.key === 'train/episodeReward')!;
    expect(reward.smoothed).toBeLessThan(70);
    expect(reward.smoothed).toBeGreaterThan(65);
    expect(reward.history.values()).toHaveLength(200);
    expect(a.lastCheckpoint).toBe(200);
  });

  it('lists the agents to be trained before they start, and only those', () => {
    const store = new DashboardStore();
    const start = trainingEvents(0)[0];
    if (start.type !== 'run-start') throw new Error('scripted run must begin with run-start');
    store.handle({
      ...start,
      run: runHeader({
        ...spec,
        agents: ['lstm', 'thompson', 'gru'].map((id) => ({ id, options: {} })),
      }),
    });
    expect(store.agents.map((a) => [a.agent, a.status, a.updates])).toEqual([
      ['lstm', 'waiting', 400],
      ['gru', 'waiting', 400],
    ]);
  });

  it('warns once per spike when the gradient norm explodes above its running median', () => {
    const store = new DashboardStore();
    for (const e of trainingEvents(100, (u) => ({ 'train/gradNorm': u === 60 ? 45 : 4 }))) store.handle(e);
    const warnings = store.log.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].text).toMatch(
      /lstm: exploding gradient norm 45\.0 at update 60 \(11× its running median 4\.00; clip 50\)/,
    );
  });

  it('does not warn about norms that sit steadily at the clip', () => {
    const store = new DashboardStore();
    for (const e of trainingEvents(100, (u) => ({ 'train/gradNorm': 55 + (u % 3) }))) store.handle(e);
    expect(store.log.filter((l) => l.level === 'warn')).toHaveLength(0);
  });

  it('warns about a spike past the clip value', () => {
    const store = new DashboardStore();
    for (const e of trainingEvents(100, (u) => ({ 'train/gradNorm': u === 50 ? 70 : 20 }))) store.handle(e);
    const warnings = store.log.filter((l) => l.level === 'warn');
    expect(warnings.map((w) => w.text)).toEqual([
      'lstm: gradient norm 70.0 at update 50 is above the clip 50 (running median 20.0)',
    ]);
  });

  it('collapses repeated log lines that differ only in their numbers', () => {
    const store = new DashboardStore();
    for (const e of trainingEvents(400)) store.handle(e);
    const checkpoints = store.log.filter((l) => l.text.startsWith('checkpoint written'));
    expect(checkpoints).toHaveLength(1);
    expect(checkpoints[0]).toMatchObject({ text: 'checkpoint written: lstm at update 400', repeat: 4 });
  });

  it('keeps evaluation results, marking the agents trained in this run as frozen', () => {
    const store = new DashboardStore();
    for (const e of [...trainingEvents(400), ...evaluationEvents()]) store.handle(e);
    expect(store.phase).toBe('done');
    expect(store.agents[0].status).toBe('done');
    expect(store.evaluation.map((r) => [r.agent, r.frozen])).toEqual([
      ['lstm', true],
      ['thompson', false],
    ]);
  });

  it('bumps its version on every event, so the view knows when to redraw', () => {
    const store = new DashboardStore();
    const events = trainingEvents(3);
    let last = store.version;
    for (const e of events) {
      store.handle(e);
      expect(store.version).toBeGreaterThan(last);
      last = store.version;
    }
  });
});
