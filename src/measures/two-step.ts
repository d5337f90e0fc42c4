// The standard analysis of the two-step task (Daw et al. 2011, Fig. 2; Wang et al. 2018, Fig. 5):
// how often the first-stage choice is repeated ("stay") after each combination of the previous
// trial's outcome (rewarded or not) and transition (common or rare), and the logistic regression
// of stay on reward, transition and their interaction. A model-free learner repeats a rewarded
// choice whatever the transition: a main effect of reward. A model-based learner repeats it after
// a common transition and switches after a rare one (the rewarded state is more often reached
// by the other action), and the reverse after no reward: a reward × transition interaction.
//
// It reads the trials of played episodes: the first-stage choice of a trial is `info.chosenOption`,
// its transition `info.commonTransition` (true for common), its reward the sum of its steps' rewards.
// Intervals treat episodes, not trials, as independent (src/measures/stats.ts clusteredProportion,
// src/measures/logistic.ts).
import type { EpisodeRecord } from '../core/types.ts';
import { type Coefficient, logisticRegression } from './logistic.ts';
import { clusteredProportion } from './stats.ts';

/** One trial of a two-step episode. */
interface TwoStepTrial {
  choice: number;
  common: boolean;
  rewarded: boolean;
}

function twoStepTrials(record: EpisodeRecord): TwoStepTrial[] {
  const trials: TwoStepTrial[] = [];
  let current: (TwoStepTrial & { trial: number }) | undefined;
  for (let s = 0; s < record.infos.length; s++) {
    const info = record.infos[s];
    if (current === undefined || current.trial !== info.trial) {
      current = { trial: info.trial, choice: -1, common: false, rewarded: false };
      trials.push(current);
    }
    if (typeof info.chosenOption !== 'number' || typeof info.commonTransition !== 'boolean')
      throw new Error(
        `two-step analysis: step ${s} has no chosenOption or commonTransition in its info (not a two-step task?)`,
      );
    current.choice = info.chosenOption;
    current.common = info.commonTransition;
    if (record.rewards[s] > 0) current.rewarded = true;
  }
  return trials.map(({ choice, common, rewarded }) => ({ choice, common, rewarded }));
}

/** A stay probability with its 95% interval over episodes; n counts trials. */
export interface StayProbability {
  p: number;
  ci95: [number, number];
  n: number;
  clusters: number;
}

/** P(stay) after each outcome × transition of the previous trial. */
export interface StayProbabilities {
  rewardedCommon: StayProbability;
  rewardedRare: StayProbability;
  unrewardedCommon: StayProbability;
  unrewardedRare: StayProbability;
}

/** The four conditions, in the order of the figures (as in Daw et al. 2011). */
export const STAY_CONDITIONS = [
  { key: 'rewardedCommon', rewarded: true, common: true, label: 'rewarded, common' },
  { key: 'rewardedRare', rewarded: true, common: false, label: 'rewarded, rare' },
  { key: 'unrewardedCommon', rewarded: false, common: true, label: 'unrewarded, common' },
  { key: 'unrewardedRare', rewarded: false, common: false, label: 'unrewarded, rare' },
] as const;

/** The logistic regression of stay on the previous trial's reward and transition. */
export interface StayRegression {
  /** How the regressors are coded. */
  coding: string;
  intercept: Coefficient;
  reward: Coefficient;
  transition: Coefficient;
  interaction: Coefficient;
  trials: number;
  episodes: number;
  converged: boolean;
}

export function stayProbabilities(records: readonly EpisodeRecord[]): StayProbabilities {
  const stays = STAY_CONDITIONS.map(() => new Float64Array(records.length));
  const counts = STAY_CONDITIONS.map(() => new Float64Array(records.length));
  records.forEach((record, e) => {
    const trials = twoStepTrials(record);
    for (let t = 1; t < trials.length; t++) {
      const prev = trials[t - 1];
      const c = STAY_CONDITIONS.findIndex((k) => k.rewarded === prev.rewarded && k.common === prev.common);
      counts[c][e]++;
      if (trials[t].choice === prev.choice) stays[c][e]++;
    }
  });
  const out = {} as Record<(typeof STAY_CONDITIONS)[number]['key'], StayProbability>;
  STAY_CONDITIONS.forEach((k, c) => {
    out[k.key] = clusteredProportion(stays[c], counts[c]);
  });
  return out;
}

/**
 * stay ~ 1 + reward + transition + reward × transition, with reward +1 after a rewarded trial and −1
 * after an unrewarded one, transition +1 after a common one and −1 after a rare one (Daw et al. 2011).
 */
export function stayRegression(records: readonly EpisodeRecord[]): StayRegression {
  const rows: number[] = [];
  const stay: number[] = [];
  const cluster: number[] = [];
  records.forEach((record, e) => {
    const trials = twoStepTrials(record);
    for (let t = 1; t < trials.length; t++) {
      const prev = trials[t - 1];
      const r = prev.rewarded ? 1 : -1;
      const c = prev.common ? 1 : -1;
      rows.push(1, r, c, r * c);
      stay.push(trials[t].choice === prev.choice ? 1 : 0);
      cluster.push(e);
    }
  });
  const fit = logisticRegression(Float64Array.from(rows), stay, cluster, 4);
  const [intercept, reward, transition, interaction] = fit.coefficients;
  return {
    coding: 'reward +1 rewarded / −1 not; transition +1 common / −1 rare',
    intercept,
    reward,
    transition,
    interaction,
    trials: fit.rows,
    episodes: fit.clusters,
    converged: fit.converged,
  };
}

/** What a two-step task adds to an evaluation report. */
export function twoStepReport(records: readonly EpisodeRecord[]): {
  stayProbability: StayProbabilities;
  stayRegression: StayRegression;
} {
  return { stayProbability: stayProbabilities(records), stayRegression: stayRegression(records) };
}
