// The headline measure of each task, one value per evaluation episode, so that agents can be
// compared episode by episode on the same held-out instances (paired differences, bootstrap
// intervals in src/analysis/stats.ts): expected regret on bandits, accuracy on a given trial of
// Harlow's task, escape latency in the water maze, reward per episode elsewhere.
import type { EpisodeRecord, MainMeasure, TaskFamily } from '../core/types.ts';
import { expectedRegrets, totalRewards, trialsOf } from './behavior.ts';
import { swimTrials } from './spatial.ts';
import { mean } from './stats.ts';

/** The JSON description of a measure (what reports and compare print). */
export interface MeasureInfo {
  name: string;
  unit: string;
  better: 'lower' | 'higher';
}

export function measureInfo(m: MainMeasure): MeasureInfo {
  return { name: m.name, unit: m.unit, better: m.better };
}

/** Sum of the expected (pseudo-)regret of every trial. */
export function expectedRegretMeasure(trials: number): MainMeasure {
  return { name: `expected regret (T = ${trials})`, unit: '', better: 'lower', perEpisode: expectedRegrets };
}

/** Whether the choice on trial `trial` (1-based) was correct: 1 or 0 (episodes too short count as 0). */
export function trialAccuracyMeasure(trial: number): MainMeasure {
  return {
    name: `trial-${trial} accuracy`,
    unit: '',
    better: 'higher',
    perEpisode: (records) => Float64Array.from(records, (r) => (trialsOf(r)[trial - 1]?.correct === true ? 1 : 0)),
  };
}

/**
 * Water maze, per animal: the escape latency on trial `trialOfDay` (1-based) of each day, averaged
 * over the days (delayed matching-to-place: trial 2 shows one-trial learning); or, with
 * `trialOfDay` null, the mean latency over the trials of the last day (reference memory).
 */
export function escapeLatencyMeasure(trialOfDay: number | null, days: number): MainMeasure {
  return {
    name: trialOfDay === null ? `escape latency, day ${days}` : `trial-${trialOfDay} escape latency`,
    unit: 's',
    better: 'lower',
    perEpisode: (records) =>
      Float64Array.from(records, (r) => {
        const trials = swimTrials(r).filter((t) =>
          trialOfDay === null ? t.day === days - 1 : t.trialOfDay === trialOfDay - 1,
        );
        return mean(trials.map((t) => t.escapeLatency));
      }),
  };
}

export const rewardPerEpisode: MainMeasure = {
  name: 'reward per episode',
  unit: '',
  better: 'higher',
  perEpisode: totalRewards,
};

/** A family's headline measure (total reward when it declares none). */
export function mainMeasureOf(family: TaskFamily): MainMeasure {
  return family.mainMeasure ?? rewardPerEpisode;
}

/** The per-episode values of a family's headline measure. */
export function mainMeasureValues(family: TaskFamily, records: readonly EpisodeRecord[]): Float64Array {
  return mainMeasureOf(family).perEpisode(records);
}
