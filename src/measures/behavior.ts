// Behavioral measures of trial-based tasks, each a mean over episodes with a 95% confidence
// interval (src/analysis/stats.ts): total reward, expected regret, P(best choice) by trial, and
// the win-stay / lose-shift probabilities of the bandit and Harlow literature.
//
// A trial is the set of steps sharing `info.trial`; its reward is the sum of their rewards, its
// choice is `info.chosenOption` of its last step when the task reports one (Harlow: which object,
// whatever its side), otherwise the last action (bandits: which arm).
import type { EpisodeRecord } from '../core/types.ts';
import { ci95, type Estimate } from './stats.ts';

/** Sum of rewards per episode. */
export function totalRewards(records: readonly EpisodeRecord[]): Float64Array {
  const out = new Float64Array(records.length);
  records.forEach((r, i) => {
    let sum = 0;
    for (const x of r.rewards) sum += x;
    out[i] = sum;
  });
  return out;
}

/** Sum of `info.expectedRegret` per episode (the pseudo-regret: no reward noise). */
export function expectedRegrets(records: readonly EpisodeRecord[]): Float64Array {
  const out = new Float64Array(records.length);
  records.forEach((r, i) => {
    let sum = 0;
    for (const info of r.infos) {
      if (typeof info.expectedRegret !== 'number')
        throw new Error('expectedRegrets: the task does not report expectedRegret');
      sum += info.expectedRegret;
    }
    out[i] = sum;
  });
  return out;
}

interface TrialOutcome {
  trial: number;
  choice: number;
  reward: number;
  correct: boolean | undefined;
}

/** The trials of one episode, in order. */
export function trialsOf(record: EpisodeRecord): TrialOutcome[] {
  const trials: TrialOutcome[] = [];
  let current: TrialOutcome | undefined;
  for (let s = 0; s < record.infos.length; s++) {
    const info = record.infos[s];
    const trial = typeof info.trial === 'number' ? info.trial : s;
    if (!current || current.trial !== trial) {
      current = { trial, choice: -1, reward: 0, correct: undefined };
      trials.push(current);
    }
    current.reward += record.rewards[s];
    current.choice = typeof info.chosenOption === 'number' ? info.chosenOption : record.actions[s];
    // A trial of several choices (the two-step task's) is correct when every one of them was a best one.
    if (typeof info.correct === 'boolean') current.correct = info.correct && current.correct !== false;
  }
  return trials;
}

/** P(best choice) at each trial index 0…trials−1, over the episodes that reached it. */
export function pBestByTrial(records: readonly EpisodeRecord[], trials: number): Estimate[] {
  const columns: number[][] = Array.from({ length: trials }, () => []);
  for (const r of records) {
    for (const t of trialsOf(r)) {
      if (t.trial < trials && t.correct !== undefined) columns[t.trial].push(t.correct ? 1 : 0);
    }
  }
  return columns.map((c) => ci95(c));
}

/**
 * Per episode, the fraction of trials after a rewarded trial (reward > 0) on which the same
 * option was chosen again; episodes without such a pair are left out (n says how many remain).
 */
export function stayAfterWin(records: readonly EpisodeRecord[]): Estimate {
  return conditionalRate(
    records,
    (reward) => reward > 0,
    (same) => same,
  );
}

/** Per episode, the fraction of trials after an unrewarded trial (reward ≤ 0) on which the choice changed. */
export function shiftAfterLose(records: readonly EpisodeRecord[]): Estimate {
  return conditionalRate(
    records,
    (reward) => reward <= 0,
    (same) => !same,
  );
}

function conditionalRate(
  records: readonly EpisodeRecord[],
  condition: (reward: number) => boolean,
  success: (sameChoice: boolean) => boolean,
): Estimate {
  const rates: number[] = [];
  for (const r of records) {
    const trials = trialsOf(r);
    let events = 0;
    let hits = 0;
    for (let i = 0; i + 1 < trials.length; i++) {
      if (!condition(trials[i].reward)) continue;
      events++;
      if (success(trials[i + 1].choice === trials[i].choice)) hits++;
    }
    if (events > 0) rates.push(hits / events);
  }
  return ci95(rates);
}

/** Mean cumulative expected regret after each trial 1…trials (episodes that reached the trial). */
export function cumulativeRegretByTrial(records: readonly EpisodeRecord[], trials: number): number[] {
  const sums = new Float64Array(trials);
  const counts = new Float64Array(trials);
  const trialAt = (r: EpisodeRecord, s: number) =>
    typeof r.infos[s].trial === 'number' ? (r.infos[s].trial as number) : s;
  for (const r of records) {
    let cumulative = 0;
    for (let s = 0; s < r.infos.length; s++) {
      cumulative += r.infos[s].expectedRegret as number;
      const t = trialAt(r, s);
      // The running total counts once per trial, at the trial's last step.
      const lastOfTrial = s + 1 === r.infos.length || trialAt(r, s + 1) !== t;
      if (lastOfTrial && t < trials) {
        sums[t] += cumulative;
        counts[t]++;
      }
    }
  }
  return Array.from(sums, (x, t) => (counts[t] > 0 ? x / counts[t] : NaN));
}

/** The standard behavioral summary of a set of evaluation episodes. */
export interface BehaviorSummary {
  totalReward: Estimate;
  expectedRegret: Estimate;
  /** P(best choice) at each trial, with its interval over the episodes that reached the trial. */
  pBestByTrial: Estimate[];
  /** Mean cumulative expected regret after each trial (empty for tasks without regret). */
  expectedRegretByTrial: number[];
  stayAfterWin: Estimate;
  shiftAfterLose: Estimate;
}

/** Whether the episodes report an expected regret (tasks without an expected reward, the spatial ones, do not). */
export function hasExpectedRegret(records: readonly EpisodeRecord[]): boolean {
  return records.length > 0 && records[0].infos.length > 0 && typeof records[0].infos[0].expectedRegret === 'number';
}

export function summarize(records: readonly EpisodeRecord[], trialsPerEpisode: number): BehaviorSummary {
  // Tasks without an expected reward have no regret: its estimate is empty (NaN).
  const hasRegret = hasExpectedRegret(records);
  return {
    totalReward: ci95(totalRewards(records)),
    expectedRegret: ci95(hasRegret ? expectedRegrets(records) : []),
    pBestByTrial: pBestByTrial(records, trialsPerEpisode),
    expectedRegretByTrial: hasRegret ? cumulativeRegretByTrial(records, trialsPerEpisode) : [],
    stayAfterWin: stayAfterWin(records),
    shiftAfterLose: shiftAfterLose(records),
  };
}
