// The figures of an experiment report, as vega-lite specs built from plain data (rendered to SVG by
// src/analysis/figures.ts): training curves, choice and regret by trial for bandits, escape latency
// and swim paths for the water maze, steps between goal hits for grid-goal, the change of the
// plastic trace over an episode, and the lesion chart. Every builder is pure (no files read), and
// every figure reads in black and white: each series has its own dash pattern and point shape as
// well as its own colour (the same series keeps the same style across figures when the agents are
// passed in the same order), intervals are drawn light, and axis titles carry units. An Estimate
// with no interval (n ≤ 1: NaN, or null from JSON) is drawn at its mean; empty input gives a spec
// that still compiles, saying "no data".

import type { SwimTrial } from '../measures/spatial.ts';
import type { Estimate } from '../measures/stats.ts';
import type { TopLevelSpec } from './svg.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const WIDTH = 520;
const HEIGHT = 280;

// Okabe & Ito's colour-blind-safe palette, ordered so neighbours differ in lightness too.
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'];
const DASHES = [
  [1, 0],
  [7, 3],
  [2, 2],
  [9, 3, 2, 3],
  [4, 4],
  [12, 3, 2, 3, 2, 3],
  [1, 3],
  [14, 4],
];
const SHAPES = [
  'circle',
  'square',
  'triangle-up',
  'diamond',
  'cross',
  'triangle-down',
  'triangle-right',
  'triangle-left',
];

const CONFIG = {
  background: 'white',
  font: 'Helvetica, Arial, sans-serif',
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#444', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e4e4e4' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 1000, symbolStrokeWidth: 2 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: '#bbb' },
};

/** A metrics.jsonl line of a training run. */
export interface MetricsRecord {
  agent: string;
  update: number;
  envSteps: number;
  [metric: string]: unknown;
}

/** The condition an agent was evaluated under for the lesion chart. */
export interface LesionRow {
  agent: string;
  condition: 'intact' | 'reset-state' | 'freeze-plasticity';
  value: Estimate;
  /** False when the agent has no memory of the lesioned kind (the lesion changes nothing). */
  applies: boolean;
}

type Title = { text: string | string[]; subtitle?: string | string[] };
type Layer = Record<string, unknown>;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

// Without a canvas, vega takes a text to be 0.8 × its font size wide per character (about 1.5 times
// the real width), and lays the figure out by that: a title longer than its axis pushes the plot
// away. Long titles are therefore broken into lines that fit by that estimate.
const ESTIMATED_CHAR_WIDTH = 0.8;

/** `text` broken at spaces into lines no wider than `pixels` by vega's estimate (a single line stays a string). */
function wrap(text: string, pixels: number, fontSize: number): string | string[] {
  const max = Math.max(8, Math.floor(pixels / (ESTIMATED_CHAR_WIDTH * fontSize)));
  if (text.length <= max) return text;
  const lines: string[] = [];
  let line = '';
  // A parenthesised unit stays in one piece: "(trace units)" is never split.
  for (const word of text.split(/ (?![^(]*\))/)) {
    if (line !== '' && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** A figure title with its subtitle lines, each wrapped to the figure's width. */
function titleOf(text: string, subtitle: string | string[], width = WIDTH + 200): Title {
  const lines = (Array.isArray(subtitle) ? subtitle : [subtitle]).flatMap((l) => wrap(l, width, 11));
  return { text: wrap(text, width, 14), subtitle: lines };
}

/** Mean and 95% interval of an estimate; a missing bound (n ≤ 1) falls back to the mean. Null when there is no mean. */
function bounds(e: Estimate | null | undefined): { y: number; low: number; high: number } | null {
  if (e === null || e === undefined || !finite(e.mean)) return null;
  const [lo, hi] = Array.isArray(e.ci95) ? e.ci95 : [NaN, NaN];
  return { y: e.mean, low: finite(lo) ? lo : e.mean, high: finite(hi) ? hi : e.mean };
}

/** The largest n over a set of estimates (for "n = … episodes" in a subtitle). */
function largestN(byAgent: Record<string, (Estimate | null | undefined)[]>): number {
  let n = 0;
  for (const es of Object.values(byAgent)) for (const e of es) if (e && finite(e.n)) n = Math.max(n, e.n);
  return n;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** A figure that only says there is nothing to draw (still a valid, compilable spec). */
function noDataSpec(title: string): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: titleOf(title, 'no data'),
    width: WIDTH,
    height: 80,
    config: CONFIG,
    data: { values: [{ label: 'no data' }] },
    mark: { type: 'text', fontSize: 14, color: '#666' },
    encoding: { text: { field: 'label', type: 'nominal' } },
  } as unknown as TopLevelSpec;
}

/** Colour, dash pattern and point shape of each series, fixed by the order of `series`. */
function seriesStyle(series: string[]) {
  const legend = null; // the key is legendPanel's: vega-lite's legend cannot show a dash pattern and a shape together
  return {
    color: { field: 'series', type: 'nominal', scale: { domain: series, range: COLORS }, legend },
    strokeDash: { field: 'series', type: 'nominal', scale: { domain: series, range: DASHES }, legend },
    shape: { field: 'series', type: 'nominal', scale: { domain: series, range: SHAPES }, legend },
  };
}

const LEGEND_ROW = 20;
const LEGEND_SEGMENT = 40;

/**
 * The key of a line chart, drawn as a small view of its own: per series a line segment in the
 * series' colour and dash pattern with its point shape on it, then the name in full.
 */
function legendPanel(series: string[], title: string): Layer {
  const n = series.length;
  const style = seriesStyle(series);
  const y = {
    field: 'i',
    type: 'quantitative',
    axis: null,
    scale: { domain: [-0.5, n - 0.5], reverse: true, nice: false, zero: false },
  };
  return {
    width: LEGEND_SEGMENT + 8 + Math.ceil(6.2 * Math.max(...series.map((s) => s.length))),
    height: LEGEND_ROW * n,
    view: { stroke: null },
    title: { text: title, anchor: 'start', fontSize: 12, fontWeight: 'normal', offset: 4 },
    data: { values: series.map((s, i) => ({ series: s, i })) },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.8 },
        encoding: {
          y,
          x: { value: 0 },
          x2: { value: LEGEND_SEGMENT },
          color: style.color,
          strokeDash: style.strokeDash,
        },
      },
      {
        mark: { type: 'point', filled: true, size: 50, opacity: 1, stroke: 'white', strokeWidth: 0.6 },
        encoding: { y, x: { value: LEGEND_SEGMENT / 2 }, color: style.color, shape: style.shape },
      },
      {
        mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 11 },
        encoding: { y, x: { value: LEGEND_SEGMENT + 8 }, text: { field: 'series' } },
      },
    ],
  };
}

/** One point of a series. `x` is where it is drawn (dodged), `k` the x it stands for. */
interface SeriesRow {
  series: string;
  k: number;
  x: number;
  y: number;
  low: number;
  high: number;
  marker: boolean;
}

interface SeriesChartOptions {
  xTitle: string;
  yTitle: string;
  /** How the 95% interval is drawn: a light band (long series), light bars (few points), or not at all. */
  interval: 'band' | 'bars' | 'none';
  /** Points with a marker per series (spread over the series, staggered between series); all when Infinity. */
  markers: number;
  xAxis?: Record<string, unknown>;
  xScale?: Record<string, unknown>;
  yScale?: Record<string, unknown>;
  /** Drawn under the data (reference lines, day boundaries…). */
  under?: Layer[];
  /** A vega expression on `datum` choosing the points the line passes through (all when absent). */
  lineFilter?: string;
  legendTitle?: string;
  /** The measure cannot be negative (latency, steps): the axis starts at 0 and intervals are cut there. */
  nonNegative?: boolean;
  /** Whole-number x (trials, days, steps): ticks no closer than 1. Default true. */
  integerX?: boolean;
  width?: number;
  height?: number;
}

/**
 * Rows of every series with x, y and the interval; `marker` set on about `markers` points per series,
 * staggered between series so the shapes of neighbouring series do not sit on top of each other.
 */
function seriesRows(
  series: string[],
  points: Record<string, { k: number; y: number; low: number; high: number }[]>,
  markers: number,
  dodge: number,
): SeriesRow[] {
  const rows: SeriesRow[] = [];
  series.forEach((s, i) => {
    const ps = points[s] ?? [];
    const every = Number.isFinite(markers) ? Math.max(1, Math.round(ps.length / markers)) : 1;
    const offset = every > 1 ? Math.floor(((i % series.length) * every) / series.length) : 0;
    const shift = dodge * (i - (series.length - 1) / 2);
    for (const [j, p] of ps.entries()) {
      rows.push({
        series: s,
        k: p.k,
        x: p.k + shift,
        y: p.y,
        low: p.low,
        high: p.high,
        marker: (j - offset) % every === 0,
      });
    }
  });
  return rows;
}

/**
 * The title of a field (one line: vega-lite joins differing field titles of layers with commas, and
 * lists arrays item by item) and of its axis (wrapped to `pixels`: explicit equal axis titles merge).
 */
function titled(title: string, pixels: number) {
  return { title, axis: { title: wrap(title, pixels, 12) } };
}

/** A layer whose x and y fields carry the chart's axis titles (else vega-lite joins the field names into the title). */
function withTitles(layer: Layer, x: ReturnType<typeof titled>, y: ReturnType<typeof titled>): Layer {
  const encoding = { ...(layer.encoding as Record<string, Record<string, unknown>>) };
  const merge = (e: Record<string, unknown>, t: ReturnType<typeof titled>) => ({
    ...e,
    title: t.title,
    axis: { ...t.axis, ...(e.axis as object) },
  });
  if (encoding.x?.field !== undefined) encoding.x = merge(encoding.x, x);
  if (encoding.y?.field !== undefined) encoding.y = merge(encoding.y, y);
  return { ...layer, encoding };
}

/**
 * The layers of a line chart of series: interval, line (dash per series), markers (shape per
 * series). They read the rows of seriesRows from the enclosing spec's data; `under` layers bring their own.
 */
function seriesLayers(series: string[], o: SeriesChartOptions): Layer[] {
  const style = seriesStyle(series);
  const xTitle = titled(o.xTitle, o.width ?? WIDTH);
  const yTitle = titled(o.yTitle, o.height ?? HEIGHT);
  const x = {
    field: 'x',
    type: 'quantitative',
    title: xTitle.title,
    scale: { zero: false, ...o.xScale },
    axis: { ...xTitle.axis, ...(o.integerX === false ? {} : { tickMinStep: 1 }), ...o.xAxis },
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    ...yTitle,
    scale: { zero: false, ...(o.nonNegative ? { domainMin: 0, clamp: true } : {}), ...o.yScale },
  };
  const layers: Layer[] = (o.under ?? []).map((l) => withTitles(l, xTitle, yTitle));
  if (o.interval === 'band') {
    layers.push({
      mark: { type: 'area', opacity: 0.13 },
      encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: style.color },
    });
  } else if (o.interval === 'bars') {
    layers.push({
      mark: { type: 'rule', opacity: 0.5, strokeWidth: 1.3 },
      encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: style.color },
    });
  }
  layers.push({
    ...(o.lineFilter ? { transform: [{ filter: o.lineFilter }] } : {}),
    mark: { type: 'line', strokeWidth: 1.8 },
    encoding: { x, y, color: style.color, strokeDash: style.strokeDash },
  });
  layers.push({
    transform: [{ filter: 'datum.marker' }],
    mark: { type: 'point', filled: true, size: 50, opacity: 1, stroke: 'white', strokeWidth: 0.6 },
    encoding: { x, y, color: style.color, shape: style.shape },
  });
  return layers;
}

/** A single-panel line chart of series, its key on the right. */
function seriesChart(title: Title, series: string[], rows: SeriesRow[], o: SeriesChartOptions): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title,
    config: CONFIG,
    spacing: 24,
    hconcat: [
      { width: o.width ?? WIDTH, height: o.height ?? HEIGHT, data: { values: rows }, layer: seriesLayers(series, o) },
      legendPanel(series, o.legendTitle ?? 'agent'),
    ],
  } as unknown as TopLevelSpec;
}

/** Estimates per series to rows (skipping estimates without a mean); x = index + first. */
function estimatePoints(byAgent: Record<string, (Estimate | null | undefined)[]>, first = 1) {
  const points: Record<string, { k: number; y: number; low: number; high: number }[]> = {};
  for (const [agent, es] of Object.entries(byAgent)) {
    points[agent] = [];
    es.forEach((e, i) => {
      const b = bounds(e);
      if (b !== null) points[agent].push({ k: i + first, ...b });
    });
  }
  return points;
}

function numberPoints(byAgent: Record<string, number[]>) {
  const points: Record<string, { k: number; y: number; low: number; high: number }[]> = {};
  for (const [agent, xs] of Object.entries(byAgent)) {
    points[agent] = [];
    for (const [i, v] of xs.entries()) if (finite(v)) points[agent].push({ k: i + 1, y: v, low: v, high: v });
  }
  return points;
}

const nonEmpty = (points: Record<string, unknown[]>) => Object.keys(points).filter((s) => points[s].length > 0);

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
// Water maze.

const LATENCY_TITLE = 'escape latency (s)';

/**
 * Escape latency (s) by trial of the episode, mean ± 95% CI per agent (eval.json's
 * escapeLatencyByTrial); days are marked by boundaries on the plot and labels above it.
 */
export function latencyByTrialSpec(
  byAgent: Record<string, Estimate[]>,
  trialsPerDay: number,
  title: string,
): TopLevelSpec {
  const points = estimatePoints(byAgent);
  const series = nonEmpty(points);
  if (series.length === 0) return noDataSpec(title);
  const perDay = Math.max(1, Math.round(trialsPerDay));
  const trials = Math.max(...series.map((s) => points[s][points[s].length - 1].k));
  const days = Math.ceil(trials / perDay);
  const under: Layer[] = [];
  if (days > 1) {
    const boundaries = Array.from({ length: days - 1 }, (_, d) => ({ x: (d + 1) * perDay + 0.5 }));
    under.push({
      data: { values: boundaries },
      mark: { type: 'rule', color: '#aaa', strokeDash: [2, 3], strokeWidth: 1 },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    });
  }
  const room = WIDTH / days;
  const labels = Array.from({ length: days }, (_, d) => ({
    x: d * perDay + (perDay + 1) / 2,
    label: room >= 44 ? `day ${d + 1}` : room >= 14 ? `${d + 1}` : d % 2 === 0 ? `${d + 1}` : '',
  }));
  under.push({
    data: { values: labels },
    mark: { type: 'text', fontSize: 10, color: '#444', baseline: 'bottom', dy: -4 },
    encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
  });
  const n = largestN(byAgent);
  const dayNote = room >= 44 ? '' : '; numbers above the plot: day';
  return seriesChart(
    titleOf(title, `mean ± 95% CI${n > 0 ? ` over ${n} animals` : ''}; dotted lines separate days${dayNote}`),
    series,
    seriesRows(series, points, Infinity, series.length > 1 ? 0.08 : 0),
    {
      xTitle: `trial of the episode (${perDay} per day)`,
      yTitle: LATENCY_TITLE,
      interval: 'bars',
      markers: Infinity,
      xScale: { domain: [0.5, days * perDay + 0.5], nice: false },
      nonNegative: true,
      under,
    },
  );
}

/** Escape latency (s) by day, mean ± 95% CI per series (eval.json's escapeLatencyByDay, or any per-day Estimates). */
export function latencyByDaySpec(byAgent: Record<string, Estimate[]>, title: string): TopLevelSpec {
  const points = estimatePoints(byAgent);
  const series = nonEmpty(points);
  if (series.length === 0) return noDataSpec(title);
  const days = Math.max(...series.map((s) => points[s][points[s].length - 1].k));
  const n = largestN(byAgent);
  return seriesChart(
    titleOf(title, `mean ± 95% CI${n > 0 ? ` over ${n} animals` : ''}`),
    series,
    seriesRows(series, points, Infinity, series.length > 1 ? 0.06 : 0),
    {
      xTitle: 'day',
      yTitle: LATENCY_TITLE,
      interval: 'bars',
      markers: Infinity,
      xScale: { domain: [0.5, days + 0.5], nice: false },
      xAxis: days <= 20 ? { values: Array.from({ length: days }, (_, d) => d + 1) } : {},
      nonNegative: true,
      legendTitle: Object.keys(byAgent).some((k) => k.includes(',')) ? 'series' : 'agent',
    },
  );
}

/** Points of a circle of radius r around (cx, cy), closed. */
function circle(cx: number, cy: number, r: number, points = 96): { x: number; y: number; i: number }[] {
  return Array.from({ length: points + 1 }, (_, i) => ({
    x: cx + r * Math.cos((2 * Math.PI * i) / points),
    y: cy + r * Math.sin((2 * Math.PI * i) / points),
    i,
  }));
}

/**
 * Swim paths drawn in the pool: one small panel per (agent, trial) — rows are agents, columns the
 * trials of the day — with the pool's wall (radius `poolRadius`, m), the platform drawn to scale
 * (radius `platformRadius` at each trial's `platform`), the path, and its start (▲). x and y share
 * one scale in metres.
 */
export function swimPathsSpec(
  paths: Record<string, SwimTrial[]>,
  poolRadius: number,
  platformRadius: number,
  title: string,
): TopLevelSpec {
  const agents = Object.keys(paths).filter((a) => (paths[a] ?? []).some((t) => t.path.length > 0));
  if (agents.length === 0 || !(poolRadius > 0)) return noDataSpec(title);
  const columns = Math.max(...agents.map((a) => paths[a].length));
  const panel = Math.max(120, Math.min(220, Math.floor(WIDTH / columns) - 10));
  // Equal scales: the same metres per pixel on x and y; the strip above the pool holds the latency.
  const extent = poolRadius * 1.05;
  const pixelsPerMetre = panel / (2 * extent);
  const labelStrip = 14;
  const platformSize = Math.PI * (platformRadius * pixelsPerMetre) ** 2;
  // A column's header names its day and trial when every agent's panel in it is the same trial.
  const headers = Array.from({ length: columns }, (_, c) => {
    const ts = agents.map((a) => paths[a][c]).filter((t) => t !== undefined);
    const same = ts.every((t) => t.day === ts[0].day && t.trialOfDay === ts[0].trialOfDay);
    return { same, text: same ? `day ${ts[0].day + 1}, trial ${ts[0].trialOfDay + 1}` : `panel ${c + 1}` };
  });
  for (const [c, h] of headers.entries()) {
    if (headers.slice(0, c).some((g) => g.text === h.text)) h.text += ` (${c + 1})`;
  }
  const rows: Record<string, unknown>[] = [];
  const wall = circle(0, 0, poolRadius);
  for (const agent of agents) {
    paths[agent].forEach((t, c) => {
      const cell = { agent, column: headers[c].text };
      for (const p of wall) rows.push({ ...cell, kind: 'wall', ...p });
      rows.push({ ...cell, kind: 'platform', x: t.platform[0], y: t.platform[1] });
      for (const [i, [x, y]] of t.path.entries()) rows.push({ ...cell, kind: 'path', x, y, i });
      if (t.path.length > 0) rows.push({ ...cell, kind: 'start', x: t.path[0][0], y: t.path[0][1] });
      const which = headers[c].same ? '' : `day ${t.day + 1}, trial ${t.trialOfDay + 1}: `;
      const latency = !finite(t.escapeLatency)
        ? ''
        : t.found
          ? `${t.escapeLatency.toFixed(1)} s`
          : `${t.escapeLatency.toFixed(0)} s, timeout`;
      rows.push({ ...cell, kind: 'label', label: which + latency });
    });
  }
  const axis = { tickCount: 5, grid: false };
  const x = {
    field: 'x',
    type: 'quantitative',
    scale: { domain: [-extent, extent], nice: false, zero: false },
    title: 'x (m)',
    axis: { ...axis, values: [-1, 0, 1].map((v) => v * poolRadius), format: '~g' },
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    scale: { domain: [-extent, extent + labelStrip / pixelsPerMetre], nice: false, zero: false },
    title: 'y (m)',
    axis: { ...axis, values: [-1, -0.5, 0, 0.5, 1].map((v) => v * poolRadius), format: '~g' },
  };
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  const color = { ...seriesStyle(agents).color, field: 'agent' };
  return {
    $schema: SCHEMA,
    title: titleOf(title, [
      `▲ start of the swim; grey disc: the platform (radius ${platformRadius} m, to scale);`,
      `circle: the pool wall (radius ${poolRadius} m); above each pool: escape latency`,
    ]),
    config: { ...CONFIG, view: { stroke: null } },
    data: { values: rows },
    facet: {
      row: {
        field: 'agent',
        type: 'nominal',
        sort: agents,
        header: {
          title: null,
          labelAngle: 0,
          labelAlign: 'left',
          labelOrient: 'left',
          labelFontSize: 12,
          labelLimit: 1000,
        },
      },
      column: {
        field: 'column',
        type: 'nominal',
        sort: headers.map((h) => h.text),
        header: { title: null, labelFontSize: 11, labelLimit: 1000 },
      },
    },
    spacing: { row: 12, column: 16 },
    spec: {
      width: panel,
      height: panel + labelStrip,
      layer: [
        {
          transform: only('wall'),
          mark: { type: 'line', color: '#444', strokeWidth: 1.2 },
          encoding: { x, y, order: { field: 'i' } },
        },
        {
          transform: only('platform'),
          mark: {
            type: 'point',
            shape: 'circle',
            filled: true,
            fill: '#bdbdbd',
            stroke: '#000',
            strokeWidth: 1,
            opacity: 1,
            size: Math.max(platformSize, 12),
          },
          encoding: { x, y },
        },
        {
          transform: only('path'),
          mark: { type: 'line', strokeWidth: 1.2 },
          encoding: { x, y, order: { field: 'i' }, color },
        },
        {
          transform: only('start'),
          mark: { type: 'point', shape: 'triangle-up', filled: true, color: '#000', size: 70, opacity: 1 },
          encoding: { x, y },
        },
        {
          transform: only('label'),
          mark: { type: 'text', align: 'center', baseline: 'top', fontSize: 10, color: '#222' },
          encoding: { x: { value: panel / 2 }, y: { value: 1 }, text: { field: 'label' } },
        },
      ],
    },
  } as unknown as TopLevelSpec;
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

const CONDITIONS: LesionRow['condition'][] = ['intact', 'reset-state', 'freeze-plasticity'];
// Dark, medium and light fills with a dashed outline on the last: distinct in grey as in colour.
const CONDITION_FILL = ['#1f3a5f', '#d55e00', '#f3d9a4'];
const CONDITION_STROKE = ['#000000', '#000000', '#7a5a00'];
const CONDITION_DASH = [
  [1, 0],
  [1, 0],
  [4, 2],
];

/**
 * The lesion chart: bars grouped by agent, one per condition (fill lightness and colour per
 * condition, the value written above each bar), whiskers = 95% CI, y = the task's main measure.
 * A condition that does not apply to an agent (no memory of that kind) leaves its slot empty with
 * an "n/a" label.
 */
export function lesionChartSpec(rows: LesionRow[], yTitle: string, title: string): TopLevelSpec {
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
  const fill = { field: 'condition', type: 'nominal', scale: { domain: CONDITIONS, range: CONDITION_FILL }, legend };
  const stroke = {
    field: 'condition',
    type: 'nominal',
    scale: { domain: CONDITIONS, range: CONDITION_STROKE },
    legend,
  };
  const strokeDash = {
    field: 'condition',
    type: 'nominal',
    scale: { domain: CONDITIONS, range: CONDITION_DASH },
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
