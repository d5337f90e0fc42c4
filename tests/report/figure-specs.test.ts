import { describe, expect, it } from 'vitest';
import type { SwimTrial } from '../../src/measures/spatial.ts';
import type { Estimate } from '../../src/measures/stats.ts';
import type { LesionRow, MetricsRecord } from '../../src/report/chart-style.ts';
import {
  choiceByTrialSpec,
  lesionChartSpec,
  plasticTraceSpec,
  regretByTrialSpec,
  stepsBetweenHitsSpec,
  trainingCurvesSpec,
} from '../../src/report/figure-specs.ts';
import { latencyByDaySpec, latencyByTrialSpec, swimPathsSpec } from '../../src/report/spatial-figures.ts';
import { vegaLiteToSvg } from '../../src/report/svg.ts';
import { stayProbabilitySpec } from '../../src/report/two-step-figures.ts';

const est = (mean: number, half: number, n = 200): Estimate => ({
  mean,
  ci95: [mean - half, mean + half],
  sem: half / 1.96,
  n,
});
const noInterval = (mean: number): Estimate => ({ mean, ci95: [NaN, NaN], sem: NaN, n: 1 });
const AGENTS = ['lstm', 'plastic-rnn', 'bayes-optimal'];

/** Every data row of every layer (and of the top level) of a spec, for checking what is drawn. */
function rowsOf(spec: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      const values = (o.data as { values?: unknown } | undefined)?.values;
      if (Array.isArray(values)) out.push(...(values as Record<string, unknown>[]));
      for (const [k, v] of Object.entries(o)) if (k !== 'data') walk(v);
    }
  };
  walk(spec);
  return out;
}

/** The SVG with its text unescaped, as a reader sees it. */
async function render(spec: Parameters<typeof vegaLiteToSvg>[0]): Promise<string> {
  const svg = await vegaLiteToSvg(spec);
  expect(svg.startsWith('<svg')).toBe(true);
  return svg
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');
}

/** The visible text of an SVG (tags dropped: lines of a wrapped title join with a space). */
function visibleText(svg: string): string {
  return svg.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

function expectText(svg: string, texts: string[]) {
  const text = visibleText(svg);
  for (const t of texts) expect(text, `missing "${t}"`).toContain(t);
  // No label was cut short.
  expect(svg).not.toContain('…');
}

describe('report figures', () => {
  it('training curves: one panel per measure with finite values, smoothed by a running mean', async () => {
    const records: MetricsRecord[] = [];
    for (const agent of ['lstm', 'plastic-rnn']) {
      for (let u = 1; u <= 60; u++)
        records.push({
          agent,
          update: u * 10,
          envSteps: u * 32000,
          'train/episodeReward': 50 + u / 3 + (u % 2 ? 3 : -3),
          'train/expectedRegret': 25 - u / 4,
          'train/entropy': 0.6,
          wallSeconds: u,
        });
    }
    const spec = trainingCurvesSpec(records, 'bandit: training');
    const svg = await render(spec);
    expectText(svg, [
      'environment steps (millions)',
      'expected regret per episode (reward)',
      'reward per episode',
      'lstm',
      'plastic-rnn',
      'running mean over 20 logged points',
    ]);
    // The smoothed reward has no alternating ±3 left in the middle of the run.
    const smooth = rowsOf(spec).filter((r) => r.series === 'lstm' && typeof r.k === 'number' && (r.y as number) > 40);
    const mid = smooth.slice(20, 40).map((r) => r.y as number);
    for (let i = 1; i < mid.length; i++) expect(Math.abs(mid[i] - mid[i - 1])).toBeLessThan(1);

    // Spatial tasks log no regret (NaN becomes null in JSON): only the reward panel.
    const spatial = records.map((r) => ({ ...r, 'train/expectedRegret': null }));
    const svg2 = await render(trainingCurvesSpec(spatial, 'water maze: training'));
    expect(visibleText(svg2)).toContain('reward per episode');
    expect(visibleText(svg2)).not.toContain('expected regret');
  });

  it('choice by trial: band, chance line, and estimates without an interval drawn at their mean', async () => {
    const byAgent: Record<string, Estimate[]> = {};
    for (const [i, a] of AGENTS.entries()) {
      byAgent[a] = Array.from({ length: 100 }, (_, t) => est(0.5 + 0.4 * (1 - Math.exp(-t / (5 + 5 * i))), 0.02));
    }
    byAgent['single-episode'] = Array.from({ length: 100 }, (_, t) => noInterval(t < 50 ? 0.5 : 1));
    const spec = choiceByTrialSpec(byAgent, 'P(best arm) by trial', 'P(best arm)', 0.5);
    const svg = await render(spec);
    expectText(svg, ['P(best arm)', 'trial of the episode', 'chance (0.5)', ...AGENTS, 'single-episode']);
    // Told apart in black and white: every series has its own dash pattern and its own point shape.
    const dashes = new Set([...svg.matchAll(/stroke-dasharray="([^"]+)"/g)].map((m) => m[1]));
    expect(dashes.size).toBeGreaterThanOrEqual(4);
    const single = rowsOf(spec).filter((r) => r.series === 'single-episode' && 'k' in r);
    expect(single.length).toBe(100);
    for (const r of single) expect([r.low, r.high]).toEqual([r.y, r.y]);
  });

  it('regret and plastic trace by trial render every series', async () => {
    const regret: Record<string, number[]> = {};
    const trace: Record<string, number[]> = {};
    AGENTS.forEach((a, i) => {
      regret[a] = Array.from({ length: 100 }, (_, t) => (i + 1) * Math.log(t + 2));
      trace[a] = Array.from({ length: 100 }, (_, t) => (i + 1) * (1 - Math.exp(-t / 20)));
    });
    expectText(await render(regretByTrialSpec(regret, 'cumulative regret')), [
      'cumulative expected regret (reward)',
      'trial of the episode',
      ...AGENTS,
    ]);
    expectText(await render(plasticTraceSpec(trace, 'plastic trace')), [
      'mean |Hebb_t − Hebb_0| (trace units)',
      'step of the episode',
      ...AGENTS,
    ]);
  });

  it('latency by trial marks the days; latency by day takes per-day estimates', async () => {
    const byTrial: Record<string, Estimate[]> = { 'actor-critic': [], random: [] };
    for (let t = 0; t < 36; t++) {
      byTrial['actor-critic'].push(est(60 * Math.exp(-t / 8) + 5, 4, 20));
      byTrial.random.push(t === 3 ? noInterval(50) : est(55, 5, 20));
    }
    const svg = await render(latencyByTrialSpec(byTrial, 4, 'escape latency by trial'));
    expectText(svg, [
      'escape latency (s)',
      'trial of the episode (4 per day)',
      'actor-critic',
      'random',
      'day 1',
      'day 9',
    ]);
    const byDay = {
      'actor-critic, trial 1': Array.from({ length: 9 }, (_, d) => est(50 - 4 * d, 5, 20)),
      'actor-critic, trial 2': Array.from({ length: 9 }, (_, d) => est(45 - 4 * d, 5, 20)),
    };
    expectText(await render(latencyByDaySpec(byDay, 'trial 1 and 2 by day')), [
      'escape latency (s)',
      'day',
      'actor-critic, trial 1',
      'actor-critic, trial 2',
    ]);
  });

  it('swim paths: one panel per agent and trial, platform drawn to scale', async () => {
    const trial = (k: number, found: boolean): SwimTrial => ({
      trial: 32 + k,
      day: 8,
      trialOfDay: k,
      escapeLatency: found ? 7.5 + k : 60,
      pathLength: 3,
      found,
      quadrantTime: 0.5,
      path: Array.from(
        { length: 40 },
        (_, i) =>
          [0.9 * Math.cos(k + i / 10) * (1 - i / 50), 0.9 * Math.sin(k + i / 10) * (1 - i / 50)] as [number, number],
      ),
      platform: [0.3, -0.4],
    });
    const spec = swimPathsSpec(
      { 'actor-critic': [trial(0, true), trial(1, true)], random: [trial(0, false), trial(1, false)] },
      1,
      0.05,
      'swim paths',
    );
    const svg = await render(spec);
    expectText(svg, [
      'x (m)',
      'y (m)',
      'actor-critic',
      'random',
      'day 9, trial 1',
      'day 9, trial 2',
      '7.5 s',
      '60 s, timeout',
    ]);
    const panels = rowsOf(spec).filter((r) => r.kind === 'label');
    expect(panels.length).toBe(4);
  });

  it('steps between hits: interval 0 is "to the first hit" and is not joined to the rest', async () => {
    const byAgent = {
      lstm: { toFirst: est(30, 4), between: Array.from({ length: 8 }, (_, k) => est(12 - k / 2, 1.5, 200 - 20 * k)) },
      'plastic-rnn': { toFirst: est(35, 5), between: [est(20, 3), est(15, 3), noInterval(14)] },
    };
    const spec = stepsBetweenHitsSpec(byAgent, 'grid-goal: steps between hits');
    const svg = await render(spec);
    expectText(svg, ['to 1st hit', 'steps', 'lstm', 'plastic-rnn', 'k = 0: from the start to the first hit']);
    const zero = rowsOf(spec).filter((r) => r.k === 0);
    expect(zero.map((r) => r.series)).toEqual(['lstm', 'plastic-rnn']);
  });

  it('lesion chart: values on the bars, n/a where a lesion does not apply', async () => {
    const rows: LesionRow[] = [];
    for (const agent of ['lstm', 'plastic-rnn', 'hebbian', 'thompson']) {
      rows.push({ agent, condition: 'intact', value: est(1.5, 0.1), applies: true });
      rows.push({ agent, condition: 'reset-state', value: est(12.3, 0.8), applies: agent !== 'hebbian' });
      rows.push({
        agent,
        condition: 'freeze-plasticity',
        value: est(agent === 'plastic-rnn' ? 9.1 : 1.5, 0.5),
        applies: agent === 'plastic-rnn' || agent === 'hebbian',
      });
    }
    const spec = lesionChartSpec(rows, 'expected regret per episode (reward)', 'lesions');
    const svg = await render(spec);
    expectText(svg, [
      'expected regret per episode (reward)',
      'intact',
      'reset-state',
      'freeze-plasticity',
      'lstm',
      'thompson',
      '12.3',
      '9.10',
      'n/a',
    ]);
    expect(rowsOf(spec).filter((r) => r.label === 'n/a').length).toBe(3);
  });

  it('empty inputs still compile, saying "no data"', async () => {
    const specs = [
      trainingCurvesSpec([], 't'),
      choiceByTrialSpec({}, 't', 'accuracy'),
      choiceByTrialSpec({ lstm: [] }, 't', 'accuracy', 0.5),
      regretByTrialSpec({ lstm: [NaN] }, 't'),
      latencyByTrialSpec({}, 4, 't'),
      latencyByDaySpec({ a: [] }, 't'),
      swimPathsSpec({}, 1, 0.05, 't'),
      stepsBetweenHitsSpec({}, 't'),
      plasticTraceSpec({}, 't'),
      lesionChartSpec([], 'y', 't'),
    ];
    for (const spec of specs) expect(visibleText(await render(spec))).toContain('no data');
  });
});

describe('the two-step stay figure', () => {
  const stay = (p: number) => ({ p, ci95: [p - 0.02, p + 0.02] as [number, number], n: 500, clusters: 100 });
  const pattern = (rc: number, rr: number, uc: number, ur: number) => ({
    rewardedCommon: stay(rc),
    rewardedRare: stay(rr),
    unrewardedCommon: stay(uc),
    unrewardedRare: stay(ur),
  });

  it('draws the four bars of every agent, in its own panel, with their values', async () => {
    const spec = stayProbabilitySpec(
      { lstm: pattern(0.97, 0.31, 0.42, 0.93), 'sarsa-lambda': pattern(0.96, 0.91, 0.71, 0.8) },
      'Stay probabilities: two-step',
    );
    const rows = rowsOf(spec);
    expect(rows).toHaveLength(8);
    expect(rows.find((r) => r.agent === 'lstm' && r.outcome === 'rewarded' && r.transition === 'rare')).toMatchObject({
      y: 0.31,
      low: 0.29,
      high: 0.33,
    });
    const svg = await render(spec);
    for (const text of ['lstm', 'sarsa-lambda', 'previous transition', 'unrewarded', '0.93', '0.31'])
      expect(svg).toContain(text);
  });

  it('says there is nothing to draw when no agent has stay probabilities', async () => {
    expect(await render(stayProbabilitySpec({}, 'Stay probabilities: two-step'))).toContain('no data');
  });
});
