// The water maze's figures, for reports and for scripts/watermaze-actor-critic.ts alike: escape
// latency by trial, trials 1 and 2 of each day when there are several days (delayed
// matching-to-place: trial 2 shows one-trial learning), and swim paths drawn in the pool.
import type { SwimTrial } from '../measures/spatial.ts';
import type { Estimate } from '../measures/stats.ts';
import {
  CONFIG,
  estimatePoints,
  finite,
  type Layer,
  largestN,
  noDataSpec,
  nonEmpty,
  SCHEMA,
  seriesChart,
  seriesRows,
  seriesStyle,
  titleOf,
  WIDTH,
} from './chart-style.ts';
import type { TopLevelSpec } from './svg.ts';

/** A figure's file name (without extension), caption and spec. */
export interface NamedFigure {
  name: string;
  caption: string;
  spec: TopLevelSpec;
}

/** Trials 1 and 2 of each day as series `<agent>, trial 1|2` by day, from each agent's latency by trial. */
function firstTrialsByDay(byTrial: Record<string, Estimate[]>, trialsPerDay: number): Record<string, Estimate[]> {
  const byDay: Record<string, Estimate[]> = {};
  for (const [agent, trials] of Object.entries(byTrial)) {
    const days = Math.floor(trials.length / trialsPerDay);
    for (const t of [0, 1].filter((x) => x < trialsPerDay))
      byDay[`${agent}, trial ${t + 1}`] = Array.from({ length: days }, (_, day) => trials[day * trialsPerDay + t]);
  }
  return byDay;
}

/** From every agent's escape latency by trial (eval.json's escapeLatencyByTrial). */
export function latencyFigures(byAgent: Record<string, Estimate[]>, trialsPerDay: number, task: string): NamedFigure[] {
  const figures: NamedFigure[] = [
    {
      name: 'latency-by-trial',
      caption: 'Escape latency by trial, mean and 95% CI over simulated animals.',
      spec: latencyByTrialSpec(byAgent, trialsPerDay, `Escape latency by trial: ${task}`),
    },
  ];
  const days = Math.floor((Object.values(byAgent)[0]?.length ?? 0) / trialsPerDay);
  if (days > 1) {
    figures.push({
      name: 'latency-by-day',
      caption: 'Trials 1 and 2 of each day: escape latency by day.',
      spec: latencyByDaySpec(firstTrialsByDay(byAgent, trialsPerDay), `Trials 1 and 2 by day: ${task}`),
    });
  }
  return figures;
}

/**
 * The rats' figure of delayed matching-to-place (Steele & Morris 1999; Foster et al. 2000, in
 * their style): on the left, trials 1 and 2 of each day for agents that learn over days (their
 * escape latency by trial over several days), on the right the frozen learned agents by trial of
 * one day. Either side may be empty.
 */
export function matchingToPlaceFigure(
  overDays: Record<string, Estimate[]>,
  oneDay: Record<string, Estimate[]>,
  trialsPerDay: number,
  title: string,
): NamedFigure {
  const byDay = firstTrialsByDay(overDays, trialsPerDay);
  const panels = [
    ...(Object.keys(byDay).length > 0
      ? [latencyByDaySpec(byDay, 'Learning over days: trials 1 and 2 of each day')]
      : []),
    ...(Object.keys(oneDay).length > 0
      ? [latencyByTrialSpec(oneDay, trialsPerDay, 'Frozen learned agents: the trials of one day')]
      : []),
  ].map((panel) => {
    const { $schema: _s, config: _c, ...rest } = panel as unknown as Record<string, unknown>;
    return rest;
  });
  return {
    name: 'matching-to-place',
    caption: `${title}: trials 1 and 2 by day for agents that learn over days, and by trial for frozen agents.`,
    spec: {
      $schema: SCHEMA,
      title,
      config: CONFIG,
      spacing: 40,
      hconcat: panels,
      resolve: { scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' } },
    } as unknown as TopLevelSpec,
  };
}

/** Swim paths, one panel per agent and trial; the platform is the small circle. */
export function swimPathFigure(
  paths: Record<string, SwimTrial[]>,
  pool: { poolRadius: number; platformRadius: number },
  title: string,
): NamedFigure {
  return {
    name: 'swim-paths',
    caption: `${title}: each panel one trial; the platform is the small circle.`,
    spec: swimPathsSpec(paths, pool.poolRadius, pool.platformRadius, title),
  };
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
