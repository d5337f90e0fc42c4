// The style and the building blocks of the report's figures (vega-lite specs built from plain data,
// rendered to SVG by svg.ts): every figure reads in black and white (each series has its own dash
// pattern and point shape as well as its own colour, and the same series keeps the same style
// across figures when the agents are passed in the same order), intervals are drawn light, and
// axis titles carry units. An Estimate with no interval (n ≤ 1: NaN, or null from JSON) is drawn at
// its mean; empty input gives a spec that still compiles, saying "no data".

import type { Estimate } from '../measures/stats.ts';
import type { TopLevelSpec } from './svg.ts';

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
export const WIDTH = 520;
export const HEIGHT = 280;

// Okabe & Ito's colour-blind-safe palette, ordered so neighbours differ in lightness too.
export const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'];
export const DASHES = [
  [1, 0],
  [7, 3],
  [2, 2],
  [9, 3, 2, 3],
  [4, 4],
  [12, 3, 2, 3, 2, 3],
  [1, 3],
  [14, 4],
];
export const SHAPES = [
  'circle',
  'square',
  'triangle-up',
  'diamond',
  'cross',
  'triangle-down',
  'triangle-right',
  'triangle-left',
];

export const CONFIG = {
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
  condition: 'intact' | 'reset-state' | 'freeze-plasticity' | 'reset-adaptation' | 'reset-goal';
  value: Estimate;
  /** False when the agent has no memory of the lesioned kind (the lesion changes nothing). */
  applies: boolean;
}

export type Title = { text: string | string[]; subtitle?: string | string[] };
export type Layer = Record<string, unknown>;

export const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

// Without a canvas, vega takes a text to be 0.8 × its font size wide per character (about 1.5 times
// the real width), and lays the figure out by that: a title longer than its axis pushes the plot
// away. Long titles are therefore broken into lines that fit by that estimate.
export const ESTIMATED_CHAR_WIDTH = 0.8;

/** `text` broken at spaces into lines no wider than `pixels` by vega's estimate (a single line stays a string). */
export function wrap(text: string, pixels: number, fontSize: number): string | string[] {
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
export function titleOf(text: string, subtitle: string | string[], width = WIDTH + 200): Title {
  const lines = (Array.isArray(subtitle) ? subtitle : [subtitle]).flatMap((l) => wrap(l, width, 11));
  return { text: wrap(text, width, 14), subtitle: lines };
}

/** Mean and 95% interval of an estimate; a missing bound (n ≤ 1) falls back to the mean. Null when there is no mean. */
export function bounds(e: Estimate | null | undefined): { y: number; low: number; high: number } | null {
  if (e === null || e === undefined || !finite(e.mean)) return null;
  const [lo, hi] = Array.isArray(e.ci95) ? e.ci95 : [NaN, NaN];
  return { y: e.mean, low: finite(lo) ? lo : e.mean, high: finite(hi) ? hi : e.mean };
}

/** The largest n over a set of estimates (for "n = … episodes" in a subtitle). */
export function largestN(byAgent: Record<string, (Estimate | null | undefined)[]>): number {
  let n = 0;
  for (const es of Object.values(byAgent)) for (const e of es) if (e && finite(e.n)) n = Math.max(n, e.n);
  return n;
}

export function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** A figure that only says there is nothing to draw (still a valid, compilable spec). */
export function noDataSpec(title: string): TopLevelSpec {
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
export function seriesStyle(series: string[]) {
  const legend = null; // the key is legendPanel's: vega-lite's legend cannot show a dash pattern and a shape together
  return {
    color: { field: 'series', type: 'nominal', scale: { domain: series, range: COLORS }, legend },
    strokeDash: { field: 'series', type: 'nominal', scale: { domain: series, range: DASHES }, legend },
    shape: { field: 'series', type: 'nominal', scale: { domain: series, range: SHAPES }, legend },
  };
}

export const LEGEND_ROW = 20;
export const LEGEND_SEGMENT = 40;

/**
 * The key of a line chart, drawn as a small view of its own: per series a line segment in the
 * series' colour and dash pattern with its point shape on it, then the name in full.
 */
export function legendPanel(series: string[], title: string): Layer {
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
export interface SeriesRow {
  series: string;
  k: number;
  x: number;
  y: number;
  low: number;
  high: number;
  marker: boolean;
}

export interface SeriesChartOptions {
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
export function seriesRows(
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
export function titled(title: string, pixels: number) {
  return { title, axis: { title: wrap(title, pixels, 12) } };
}

/** A layer whose x and y fields carry the chart's axis titles (else vega-lite joins the field names into the title). */
export function withTitles(layer: Layer, x: ReturnType<typeof titled>, y: ReturnType<typeof titled>): Layer {
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
export function seriesLayers(series: string[], o: SeriesChartOptions): Layer[] {
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
export function seriesChart(title: Title, series: string[], rows: SeriesRow[], o: SeriesChartOptions): TopLevelSpec {
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
export function estimatePoints(byAgent: Record<string, (Estimate | null | undefined)[]>, first = 1) {
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

export function numberPoints(byAgent: Record<string, number[]>) {
  const points: Record<string, { k: number; y: number; low: number; high: number }[]> = {};
  for (const [agent, xs] of Object.entries(byAgent)) {
    points[agent] = [];
    for (const [i, v] of xs.entries()) if (finite(v)) points[agent].push({ k: i + 1, y: v, low: v, high: v });
  }
  return points;
}

export const nonEmpty = (points: Record<string, unknown[]>) => Object.keys(points).filter((s) => points[s].length > 0);
