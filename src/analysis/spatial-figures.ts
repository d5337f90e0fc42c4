// Figures of the water maze (vega-lite → SVG through src/analysis/figures.ts): escape latency by
// trial and by day for each agent, and example swim paths drawn in the pool. Series are told apart
// by dash pattern and point shape as well as colour, and axes carry units (figures.ts conventions).
import path from 'node:path';
import type { EpisodeRecord } from '../core/types.ts';
import { writeVegaLiteSvg, type TopLevelSpec } from './figures.ts';
import { swimTrials, watermazeSummary } from './spatial.ts';

export interface WatermazeFigureOptions {
  trialsPerDay: number;
  days: number;
  poolRadius: number;
  platformRadius: number;
}

/** Escape latency (mean and 95% CI over animals) by trial of the episode, one series per agent; days are marked on the axis. */
export function latencyByTrialSpec(byAgent: Record<string, EpisodeRecord[]>, o: WatermazeFigureOptions, title: string): TopLevelSpec {
  const rows: Record<string, unknown>[] = [];
  for (const [agent, records] of Object.entries(byAgent)) {
    const s = watermazeSummary(records, o.trialsPerDay, o.days);
    s.escapeLatencyByTrial.forEach((e, t) => {
      if (e.n === 0) return;
      rows.push({ agent, trial: t + 1, day: Math.floor(t / o.trialsPerDay) + 1, latency: e.mean, low: Number.isFinite(e.ci95[0]) ? e.ci95[0] : e.mean, high: Number.isFinite(e.ci95[1]) ? e.ci95[1] : e.mean });
    });
  }
  const x = { field: 'trial', type: 'quantitative' as const, title: `trial (${o.trialsPerDay} per day)`, axis: { tickMinStep: 1 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 240,
    data: { values: rows },
    layer: [
      { mark: { type: 'errorbar', opacity: 0.5 }, encoding: { x, y: { field: 'low', type: 'quantitative', title: 'escape latency (s)' }, y2: { field: 'high' }, color: { field: 'agent', type: 'nominal' } } },
      {
        mark: { type: 'line', point: { size: 40, filled: true } },
        encoding: {
          x,
          y: { field: 'latency', type: 'quantitative', title: 'escape latency (s)' },
          color: { field: 'agent', type: 'nominal', legend: { labelLimit: 400 } },
          strokeDash: { field: 'agent', type: 'nominal' },
          shape: { field: 'agent', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Escape latency by day for trial 1 and trial 2 of each day, per agent (the delayed matching-to-place plot). */
export function latencyByDaySpec(byAgent: Record<string, EpisodeRecord[]>, o: WatermazeFigureOptions, title: string): TopLevelSpec {
  const rows: Record<string, unknown>[] = [];
  for (const [agent, records] of Object.entries(byAgent)) {
    const all = records.map(swimTrials);
    for (const trialOfDay of [0, 1].filter((t) => t < o.trialsPerDay)) {
      for (let day = 0; day < o.days; day++) {
        const xs = all.flatMap((ts) => ts.filter((t) => t.day === day && t.trialOfDay === trialOfDay).map((t) => t.escapeLatency));
        if (xs.length === 0) continue;
        rows.push({ series: `${agent}, trial ${trialOfDay + 1}`, day: day + 1, latency: xs.reduce((a, b) => a + b, 0) / xs.length });
      }
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 240,
    data: { values: rows },
    mark: { type: 'line', point: { size: 40, filled: true } },
    encoding: {
      x: { field: 'day', type: 'quantitative', title: 'day', axis: { tickMinStep: 1 } },
      y: { field: 'latency', type: 'quantitative', title: 'mean escape latency (s)' },
      color: { field: 'series', type: 'nominal', legend: { labelLimit: 400 } },
      strokeDash: { field: 'series', type: 'nominal' },
      shape: { field: 'series', type: 'nominal' },
    },
  } as TopLevelSpec;
}

function circle(cx: number, cy: number, r: number, points = 96): { x: number; y: number; i: number }[] {
  return Array.from({ length: points + 1 }, (_, i) => ({ x: cx + r * Math.cos((2 * Math.PI * i) / points), y: cy + r * Math.sin((2 * Math.PI * i) / points), i }));
}

/** Swim paths of the given trials of one episode, each drawn in the pool with the platform. */
export function swimPathSpec(record: EpisodeRecord, trialIndices: number[], o: WatermazeFigureOptions, title: string): TopLevelSpec {
  const trials = swimTrials(record);
  const R = o.poolRadius;
  const scale = { domain: [-R * 1.05, R * 1.05], nice: false };
  const panels = trialIndices
    .map((k) => trials.find((t) => t.trial === k))
    .filter((t) => t !== undefined)
    .map((t) => ({
      title: `day ${t.day + 1}, trial ${t.trialOfDay + 1}: ${t.escapeLatency.toFixed(1)} s${t.found ? '' : ' (timeout)'}`,
      width: 260,
      height: 260,
      layer: [
        { data: { values: circle(0, 0, R) }, mark: { type: 'line', color: '#555' }, encoding: { x: { field: 'x', type: 'quantitative', scale, title: 'x (m)' }, y: { field: 'y', type: 'quantitative', scale, title: 'y (m)' }, order: { field: 'i' } } },
        { data: { values: circle(t.platform[0], t.platform[1], o.platformRadius, 24) }, mark: { type: 'line', color: '#d62728', strokeWidth: 2 }, encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale }, order: { field: 'i' } } },
        { data: { values: t.path.map(([x, y], i) => ({ x, y, i })) }, mark: { type: 'line', color: '#1f77b4', strokeWidth: 1 }, encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale }, order: { field: 'i' } } },
        { data: { values: [{ x: t.path[0][0], y: t.path[0][1] }] }, mark: { type: 'point', shape: 'triangle-up', filled: true, size: 80, color: '#2ca02c' }, encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale } } },
      ],
    }));
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title, hconcat: panels } as unknown as TopLevelSpec;
}

/**
 * Writes `<prefix>-latency.svg` (by trial), `<prefix>-latency-by-day.svg` (trial 1 vs 2 by day)
 * and `<prefix>-paths-<agent>.svg` (trials 1 and 2 of the last day of animal 0) into `dir`.
 */
export async function writeWatermazeFigures(dir: string, prefix: string, byAgent: Record<string, EpisodeRecord[]>, o: WatermazeFigureOptions): Promise<string[]> {
  const files: string[] = [];
  files.push(await writeVegaLiteSvg(latencyByTrialSpec(byAgent, o, `${prefix}: escape latency by trial`), path.join(dir, `${prefix}-latency.svg`)));
  files.push(await writeVegaLiteSvg(latencyByDaySpec(byAgent, o, `${prefix}: trial 1 and trial 2 of each day`), path.join(dir, `${prefix}-latency-by-day.svg`)));
  const lastDay = (o.days - 1) * o.trialsPerDay;
  for (const [agent, records] of Object.entries(byAgent)) {
    if (records.length === 0) continue;
    const spec = swimPathSpec(records[0], [lastDay, lastDay + 1], o, `${prefix}, ${agent}: swim paths of animal 1 (start ▲, platform in red)`);
    files.push(await writeVegaLiteSvg(spec, path.join(dir, `${prefix}-paths-${agent}.svg`)));
  }
  return files;
}
