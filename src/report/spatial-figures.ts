// Figures of the water maze written as SVG files (the specs are src/analysis/report-figures.ts's):
// escape latency by trial for each agent, trial 1 and trial 2 of each day (delayed
// matching-to-place), and example swim paths drawn in the pool.
import path from 'node:path';
import type { EpisodeRecord } from '../core/types.ts';
import { writeVegaLiteSvg } from './svg.ts';
import { latencyByDaySpec, latencyByTrialSpec, swimPathsSpec } from './figure-specs.ts';
import { swimTrials, watermazeSummary } from '../measures/spatial.ts';
import { ci95, type Estimate } from '../measures/stats.ts';

export interface WatermazeFigureOptions {
  trialsPerDay: number;
  days: number;
  /** m */
  poolRadius: number;
  /** m */
  platformRadius: number;
}

/** Escape latency (s) of trial `trialOfDay` of each day, mean and 95% CI over animals. */
function latencyOfTrialByDay(records: readonly EpisodeRecord[], trialOfDay: number, days: number): Estimate[] {
  const all = records.map(swimTrials);
  return Array.from({ length: days }, (_, day) => ci95(all.flatMap((ts) => ts.filter((t) => t.day === day && t.trialOfDay === trialOfDay).map((t) => t.escapeLatency))));
}

/**
 * Writes `<prefix>-latency.svg` (by trial), `<prefix>-latency-by-day.svg` (trial 1 vs 2 by day)
 * and `<prefix>-paths-<agent>.svg` (trials 1 and 2 of the last day of animal 0) into `dir`.
 */
export async function writeWatermazeFigures(dir: string, prefix: string, byAgent: Record<string, EpisodeRecord[]>, o: WatermazeFigureOptions): Promise<string[]> {
  const files: string[] = [];
  const byTrial: Record<string, Estimate[]> = {};
  const byDay: Record<string, Estimate[]> = {};
  for (const [agent, records] of Object.entries(byAgent)) {
    byTrial[agent] = watermazeSummary(records, o.trialsPerDay, o.days).escapeLatencyByTrial;
    for (const trialOfDay of [0, 1].filter((t) => t < o.trialsPerDay)) byDay[`${agent}, trial ${trialOfDay + 1}`] = latencyOfTrialByDay(records, trialOfDay, o.days);
  }
  files.push(await writeVegaLiteSvg(latencyByTrialSpec(byTrial, o.trialsPerDay, `${prefix}: escape latency by trial`), path.join(dir, `${prefix}-latency.svg`)));
  files.push(await writeVegaLiteSvg(latencyByDaySpec(byDay, `${prefix}: trial 1 and trial 2 of each day`), path.join(dir, `${prefix}-latency-by-day.svg`)));
  const lastDay = o.days - 1;
  for (const [agent, records] of Object.entries(byAgent)) {
    if (records.length === 0) continue;
    const trials = swimTrials(records[0]).filter((t) => t.day === lastDay && t.trialOfDay < 2);
    const spec = swimPathsSpec({ [agent]: trials }, o.poolRadius, o.platformRadius, `${prefix}, ${agent}: swim paths of animal 1 on day ${lastDay + 1}`);
    files.push(await writeVegaLiteSvg(spec, path.join(dir, `${prefix}-paths-${agent}.svg`)));
  }
  return files;
}
