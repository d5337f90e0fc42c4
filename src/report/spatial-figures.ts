// The water maze's figures, for reports and for scripts/watermaze-actor-critic.ts alike: escape
// latency by trial, trials 1 and 2 of each day when there are several days (delayed
// matching-to-place: trial 2 shows one-trial learning), and swim paths drawn in the pool.
import type { SwimTrial } from '../measures/spatial.ts';
import type { Estimate } from '../measures/stats.ts';
import { latencyByDaySpec, latencyByTrialSpec, swimPathsSpec } from './figure-specs.ts';
import type { TopLevelSpec } from './svg.ts';

/** A figure's file name (without extension), caption and spec. */
export interface NamedFigure {
  name: string;
  caption: string;
  spec: TopLevelSpec;
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
    const byDay: Record<string, Estimate[]> = {};
    for (const [agent, trials] of Object.entries(byAgent)) {
      for (const t of [0, 1].filter((x) => x < trialsPerDay)) {
        byDay[`${agent}, trial ${t + 1}`] = Array.from({ length: days }, (_, day) => trials[day * trialsPerDay + t]);
      }
    }
    figures.push({
      name: 'latency-by-day',
      caption: 'Trials 1 and 2 of each day: escape latency by day.',
      spec: latencyByDaySpec(byDay, `Trials 1 and 2 by day: ${task}`),
    });
  }
  return figures;
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
