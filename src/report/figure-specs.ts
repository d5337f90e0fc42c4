// The figures of an experiment report beyond the water maze's (spatial-figures.ts): training curves,
// choice and regret by trial for bandits and Harlow's task, steps between goal hits for grid-goal,
// the change of the plastic trace over an episode, and the lesion chart. Every builder is pure.

import type { Estimate } from '../measures/stats.ts';
import {
  bounds,
  CONFIG,
  estimatePoints,
  finite,
  fmt,
  HEIGHT,
  type Layer,
  type LesionRow,
  largestN,
  legendPanel,
  type MetricsRecord,
  noDataSpec,
  nonEmpty,
  numberPoints,
  SCHEMA,
  type SeriesChartOptions,
  seriesChart,
  seriesLayers,
  seriesRows,
  seriesStyle,
  titled,
  titleOf,
  WIDTH,
} from './chart-style.ts';
import type { TopLevelSpec } from './svg.ts';

// ---------------------------------------------------------------------------------------------
// Training curves.

const TRAINING_MEASURES: { key: string; title: string }[] = [
  { key: 'train/expectedRegret', title: 'expected regret per episode (reward)' },
  { key: 'train/episodeReward', title: 'reward per episode' },
];

/** Centered running mean over `window` points (the window shrinks at the ends). */
function runningMean(xs: number[], window: number): number[] {
  const before = Math.floor((window - 1) / 2);
  const after = window - 1 - before;
  const prefix = [0];
  for (const x of xs) prefix.push(prefix[prefix.length - 1] + x);
  return xs.map((_, i) => {
    const lo = Math.max(0, i - before);
    const hi = Math.min(xs.length, i + after + 1);
    return (prefix[hi] - prefix[lo]) / (hi - lo);
  });
}

/**
 * Training curves: one panel per available measure (train/expectedRegret when finite values exist,
 * and train/episodeReward), x = environment steps (millions), one series per agent, smoothed by a
 * centered running mean over `window` logged points (the raw values drawn faint underneath).
 */
export function trainingCurvesSpec(records: MetricsRecord[], title: string, window = 20): TopLevelSpec {
  const agents: string[] = [];
  for (const r of records) if (!agents.includes(String(r.agent))) agents.push(String(r.agent));
  const panels: Layer[] = [];
  for (const m of TRAINING_MEASURES) {
    const points: Record<string, { k: number; y: number; low: number; high: number }[]> = {};
    const raw: { series: string; x: number; y: number }[] = [];
    for (const agent of agents) {
      const rs = records
        .filter((r) => String(r.agent) === agent && finite(r[m.key]) && finite(r.envSteps))
        .sort((a, b) => a.envSteps - b.envSteps);
      const values = rs.map((r) => r[m.key] as number);
      const smooth = runningMean(values, Math.max(1, Math.min(window, values.length)));
      points[agent] = rs.map((r, i) => ({ k: r.envSteps / 1e6, y: smooth[i], low: smooth[i], high: smooth[i] }));
      for (const [i, r] of rs.entries()) raw.push({ series: agent, x: r.envSteps / 1e6, y: values[i] });
    }
    const series = nonEmpty(points);
    if (series.length === 0) continue;
    const rows = seriesRows(agents, points, 10, 0);
    const o: SeriesChartOptions = {
      xTitle: 'environment steps (millions)',
      yTitle: m.title,
      interval: 'none',
      markers: 10,
      integerX: false,
      height: 200,
    };
    const faint = {
      data: { values: raw },
      mark: { type: 'line', strokeWidth: 0.8, opacity: 0.22 },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        y: { field: 'y', type: 'quantitative' },
        color: seriesStyle(agents).color,
        detail: { field: 'series' },
      },
    };
    panels.push({
      width: WIDTH,
      height: o.height,
      data: { values: rows },
      layer: seriesLayers(agents, { ...o, under: [faint] }),
    });
  }
  if (panels.length === 0) return noDataSpec(title);
  return {
    $schema: SCHEMA,
    title: titleOf(title, `running mean over ${window} logged points (raw values faint)`),
    config: CONFIG,
    spacing: 24,
    hconcat: [{ vconcat: panels, spacing: 16 }, legendPanel(agents, 'agent')],
  } as unknown as TopLevelSpec;
}

// ---------------------------------------------------------------------------------------------
// Bandits and Harlow.

/**
 * P(choice of the best option) by trial: mean and 95% CI band per agent (bandits: P(best arm);
 * Harlow: accuracy, with `yTitle` saying so), and a dashed chance line at `chance` when given.
 */
export function choiceByTrialSpec(
  byAgent: Record<string, Estimate[]>,
  title: string,
  yTitle: string,
  chance?: number,
): TopLevelSpec {
  const points = estimatePoints(byAgent);
  const series = nonEmpty(points);
  if (series.length === 0) return noDataSpec(title);
  const rows = seriesRows(series, points, 12, 0);
  let lo = Math.min(...rows.map((r) => r.low), finite(chance) ? chance : Infinity);
  let hi = Math.max(...rows.map((r) => r.high), finite(chance) ? chance : -Infinity);
  lo = Math.max(0, Math.floor(lo * 10 - 1e-9) / 10);
  hi = hi <= 1 ? 1 : Math.ceil(hi * 10) / 10;
  const under: Layer[] = [];
  if (finite(chance)) {
    under.push({
      data: { values: [{ y: chance }] },
      mark: { type: 'rule', color: '#777', strokeDash: [3, 3], strokeWidth: 1 },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    });
    under.push({
      data: { values: [{ y: chance, label: `chance (${chance})` }] },
      mark: { type: 'text', color: '#555', fontSize: 10, align: 'right', baseline: 'bottom', dy: -2 },
      encoding: { y: { field: 'y', type: 'quantitative' }, x: { value: WIDTH - 2 }, text: { field: 'label' } },
    });
  }
  const n = largestN(byAgent);
  return seriesChart(
    titleOf(title, `mean${n > 0 ? ` over ${n} episodes` : ''}; shaded band: 95% confidence interval`),
    series,
    rows,
    {
      xTitle: 'trial of the episode',
      yTitle,
      interval: 'band',
      markers: 12,
      yScale: { domain: [lo, hi], nice: false },
      under,
    },
  );
}

/** A mean curve per agent from plain numbers, `byAgent[agent][t − 1]` at x = t, no interval, y from 0. */
function meanCurveSpec(
  byAgent: Record<string, number[]>,
  title: string,
  subtitle: string,
  xTitle: string,
  yTitle: string,
): TopLevelSpec {
  const points = numberPoints(byAgent);
  const series = nonEmpty(points);
  if (series.length === 0) return noDataSpec(title);
  return seriesChart(titleOf(title, subtitle), series, seriesRows(series, points, 12, 0), {
    xTitle,
    yTitle,
    interval: 'none',
    markers: 12,
    yScale: { zero: true },
  });
}

/** Cumulative expected regret by trial (mean per agent; `byAgent[agent][t − 1]` is the value at trial t). */
export function regretByTrialSpec(byAgent: Record<string, number[]>, title: string): TopLevelSpec {
  const subtitle =
    "mean over episodes; regret = best option's expected reward − chosen option's, summed up to the trial";
  return meanCurveSpec(byAgent, title, subtitle, 'trial of the episode', 'cumulative expected regret (reward)');
}

// ---------------------------------------------------------------------------------------------
// Grid-goal.

/**
 * Steps between successive goal hits, mean ± 95% CI per agent: interval k ≥ 1 is hit k → hit k+1
 * (eval.json's stepsBetweenGoalsByHit), and interval 0 is the steps from the start to the first hit
 * (stepsToFirstGoal), labelled so on the axis and not joined to the rest by the line.
 */
export function stepsBetweenHitsSpec(
  byAgent: Record<string, { toFirst: Estimate; between: Estimate[] }>,
  title: string,
): TopLevelSpec {
  const estimates: Record<string, (Estimate | null | undefined)[]> = {};
  for (const [agent, s] of Object.entries(byAgent)) estimates[agent] = [s?.toFirst, ...(s?.between ?? [])];
  const points = estimatePoints(estimates, 0);
  const series = nonEmpty(points);
  if (series.length === 0) return noDataSpec(title);
  const last = Math.max(...series.map((s) => points[s][points[s].length - 1].k));
  const under: Layer[] = [
    {
      data: { values: [{ x: 0.5 }] },
      mark: { type: 'rule', color: '#aaa', strokeDash: [2, 3] },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    },
  ];
  return seriesChart(
    titleOf(title, 'mean ± 95% CI over the episodes that reached each interval'),
    series,
    seriesRows(series, points, Infinity, series.length > 1 ? 0.08 : 0),
    {
      xTitle: 'interval k: steps from hit k to hit k+1 (k = 0: from the start to the first hit)',
      yTitle: 'steps',
      interval: 'bars',
      markers: Infinity,
      xScale: { domain: [-0.5, Math.max(1, last) + 0.5], nice: false },
      xAxis: {
        labelExpr: "datum.value === 0 ? 'to 1st hit' : datum.label",
        ...(last <= 25 ? { values: Array.from({ length: last + 1 }, (_, k) => k) } : {}),
      },
      nonNegative: true,
      lineFilter: 'datum.k >= 1',
      under,
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Plasticity and lesions.

/**
 * Mean |Hebb_t − Hebb_0| by step of the episode per agent (PlasticitySummary.byStep.meanAbsTraceChange; index t − 1 is
 * step t).
 */
export function plasticTraceSpec(byAgent: Record<string, number[]>, title: string): TopLevelSpec {
  return meanCurveSpec(
    byAgent,
    title,
    'mean over held-out episodes and trace entries of |Hebb_t − Hebb_0|',
    'step of the episode',
    'mean |Hebb_t − Hebb_0| (trace units)',
  );
}

const ALL_CONDITIONS: LesionRow['condition'][] = [
  'intact',
  'reset-state',
  'freeze-plasticity',
  'reset-adaptation',
  'reset-goal',
];
// Dark, medium and light fills with a dashed outline on the third, a dotted one on the fourth and
// a dash-dot one on the fifth: distinct in grey as in colour.
const CONDITION_FILL = ['#1f3a5f', '#d55e00', '#f3d9a4', '#8fd1b8', '#c9a0dc'];
const CONDITION_STROKE = ['#000000', '#000000', '#7a5a00', '#00573a', '#5b2a78'];
const CONDITION_DASH = [
  [1, 0],
  [1, 0],
  [4, 2],
  [1, 2],
  [5, 2, 1, 2],
];

/**
 * The lesion chart: bars grouped by agent, one per condition (fill lightness and colour per
 * condition, the value written above each bar), whiskers = 95% CI, y = the task's main measure.
 * A condition that does not apply to an agent (no memory of that kind) leaves its slot empty with
 * an "n/a" label.
 */
export function lesionChartSpec(rows: LesionRow[], yTitle: string, title: string): TopLevelSpec {
  // The adaptation and goal lesions have a slot only in runs where some agent was evaluated under them.
  const CONDITIONS = ALL_CONDITIONS.filter(
    (c) => (c !== 'reset-adaptation' && c !== 'reset-goal') || rows.some((r) => r.condition === c),
  );
  const agents: string[] = [];
  for (const r of rows) if (!agents.includes(r.agent)) agents.push(r.agent);
  const data = rows
    .filter((r) => CONDITIONS.includes(r.condition))
    .map((r) => {
      const b = bounds(r.value);
      const drawn = r.applies && b !== null;
      return {
        agent: r.agent,
        condition: r.condition,
        drawn,
        ...(b ?? { y: 0, low: 0, high: 0 }),
        label: drawn ? fmt(b!.y) : 'n/a',
      };
    });
  if (data.length === 0) return noDataSpec(title);
  const x = {
    field: 'agent',
    type: 'nominal',
    sort: agents,
    title: 'agent',
    scale: { paddingInner: 0.25 },
    axis: { labelAngle: agents.length > 6 ? -30 : 0, labelLimit: 1000, labelFontSize: 11 },
  };
  const xOffset = {
    field: 'condition',
    type: 'nominal',
    sort: CONDITIONS,
    scale: { domain: CONDITIONS, paddingInner: 0.08 },
  };
  const legend = { title: 'condition', labelLimit: 1000, symbolType: 'square', symbolSize: 200 };
  const fill = {
    field: 'condition',
    type: 'nominal',
    scale: { domain: CONDITIONS, range: CONDITIONS.map((c) => CONDITION_FILL[ALL_CONDITIONS.indexOf(c)]) },
    legend,
  };
  const stroke = {
    field: 'condition',
    type: 'nominal',
    scale: { domain: CONDITIONS, range: CONDITIONS.map((c) => CONDITION_STROKE[ALL_CONDITIONS.indexOf(c)]) },
    legend,
  };
  const strokeDash = {
    field: 'condition',
    type: 'nominal',
    scale: { domain: CONDITIONS, range: CONDITIONS.map((c) => CONDITION_DASH[ALL_CONDITIONS.indexOf(c)]) },
    legend,
  };
  const y = { field: 'y', type: 'quantitative', ...titled(yTitle, HEIGHT) };
  const low = { ...y, field: 'low' };
  const high = { ...y, field: 'high' };
  const drawn = [{ filter: 'datum.drawn' }];
  return {
    $schema: SCHEMA,
    title: titleOf(title, [
      'bars: mean (value written above); whiskers: 95% CI',
      'n/a: the agent has no memory of that kind, so the lesion does not apply',
    ]),
    width: Math.max(WIDTH, agents.length * 110),
    height: HEIGHT,
    config: CONFIG,
    data: { values: data },
    layer: [
      {
        transform: drawn,
        mark: { type: 'bar', strokeWidth: 1, opacity: 1 },
        encoding: { x, xOffset, y, fill, stroke, strokeDash },
      },
      {
        transform: drawn,
        mark: { type: 'rule', color: '#000', strokeWidth: 1.2 },
        encoding: { x, xOffset, y: low, y2: { field: 'high' } },
      },
      {
        transform: drawn,
        mark: { type: 'tick', color: '#000', thickness: 1.2, size: 7 },
        encoding: { x, xOffset, y: low },
      },
      {
        transform: drawn,
        mark: { type: 'tick', color: '#000', thickness: 1.2, size: 7 },
        encoding: { x, xOffset, y: high },
      },
      {
        transform: [{ filter: 'datum.drawn && datum.y >= 0' }],
        mark: { type: 'text', fontSize: 9.5, baseline: 'bottom', dy: -3, color: '#111' },
        encoding: { x, xOffset, y: high, text: { field: 'label' } },
      },
      {
        transform: [{ filter: 'datum.drawn && datum.y < 0' }],
        mark: { type: 'text', fontSize: 9.5, baseline: 'top', dy: 3, color: '#111' },
        encoding: { x, xOffset, y: low, text: { field: 'label' } },
      },
      {
        transform: [{ filter: '!datum.drawn' }],
        mark: { type: 'text', fontSize: 10, baseline: 'bottom', dy: -3, color: '#555', fontStyle: 'italic' },
        encoding: {
          x,
          xOffset,
          y: { datum: 0, type: 'quantitative', title: y.title, axis: y.axis },
          text: { field: 'label' },
        },
      },
      { data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#333', strokeWidth: 1 }, encoding: { y } },
    ],
  } as unknown as TopLevelSpec;
}
