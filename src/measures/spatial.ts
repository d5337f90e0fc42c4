// Behavioral measures of the spatial tasks, each a mean over episodes (animals) with a 95%
// confidence interval (src/measures/stats.ts).
//
// Water maze (tasks/watermaze.ts), per trial: the escape latency (s: the trial's time up to the
// point where the swim path first touches the platform, or the timeout), the path length (m swum),
// the fraction of the trial's steps spent in the platform's quadrant (quadrants split by the
// east–west and north–south axes through the pool's centre), and the swim path itself (the start,
// then the position after every step). Aggregates: by trial of the episode, by day (mean over the
// day's trials) and by trial of the day (pooled over days: trial 1 vs trial 2 of delayed
// matching-to-place).
//
// Grid-goal (tasks/grid-goal.ts), per episode: the goal hits, the steps to the first hit, and the
// steps between successive hits (the k-th interval, over the episodes that reached it).
import type { EpisodeRecord, StepInfo } from '../core/types.ts';
import { ci95, type Estimate, mean } from './stats.ts';

/**
 * The `info` fields every navigation task fills at every step (grid-goal, the water maze), which the measures below
 * and the trial tables read.
 */
export const NAVIGATION_INFO_FIELDS = ['trial', 'newTrial', 'trialEnd', 'start', 'position', 'foundGoal'] as const;

/**
 * The agent's position when it chooses the action of every step of a navigation episode, before
 * it moves (steps × 2, row-major): at a trial's first step (`newTrial`) the trial's `start` (the
 * release point, or the cell a goal hit teleported the agent to), otherwise where the previous step
 * left it (`position`).
 */
export function positionsBeforeSteps(record: EpisodeRecord): Float64Array {
  const steps = record.infos.length;
  const out = new Float64Array(2 * steps);
  for (let t = 0; t < steps; t++) {
    const info = record.infos[t];
    const at = t === 0 || info.newTrial === true ? info.start : record.infos[t - 1].position;
    if (!Array.isArray(at) || at.length !== 2)
      throw new Error(`positionsBeforeSteps: step ${t} has no 2-d ${t === 0 || info.newTrial ? 'start' : 'position'}`);
    out[2 * t] = at[0];
    out[2 * t + 1] = at[1];
  }
  return out;
}

/** A 2-d `info` field at every step (steps × 2, row-major), such as the platform or the goal. */
export function pointsPerStep(record: EpisodeRecord, field: string): Float64Array {
  const steps = record.infos.length;
  const out = new Float64Array(2 * steps);
  for (let t = 0; t < steps; t++) {
    const v = record.infos[t][field];
    if (!Array.isArray(v) || v.length !== 2) throw new Error(`pointsPerStep: info.${field} at step ${t} is not 2-d`);
    out[2 * t] = v[0];
    out[2 * t + 1] = v[1];
  }
  return out;
}

/** One water-maze trial. */
export interface SwimTrial {
  /** Trial index within the episode. */
  trial: number;
  day: number;
  trialOfDay: number;
  /** Seconds until the platform was reached, or the timeout. */
  escapeLatency: number;
  /** Metres swum. */
  pathLength: number;
  found: boolean;
  /** Fraction of the trial's steps that ended in the platform's quadrant. */
  quadrantTime: number;
  /** The start, then the position after every step, [x, y] each. */
  path: [number, number][];
  platform: [number, number];
}

function quadrantOf(x: number, y: number): number {
  return (x >= 0 ? 0 : 1) + (y >= 0 ? 0 : 2);
}

/** The trials of one water-maze episode, in order. */
export function swimTrials(record: EpisodeRecord): SwimTrial[] {
  const trials: SwimTrial[] = [];
  let current: SwimTrial | null = null;
  let inQuadrant = 0;
  let steps = 0;
  for (const info of record.infos) {
    const position = info.position as [number, number] | undefined;
    const platform = info.platform as [number, number] | undefined;
    if (position === undefined || platform === undefined)
      throw new Error('swimTrials: the task does not report position and platform (not a water maze?)');
    if (current === null || info.trial !== current.trial) {
      const start = (info.start as [number, number] | undefined) ?? position;
      current = {
        trial: info.trial,
        day: info.day as number,
        trialOfDay: info.trialOfDay as number,
        escapeLatency: 0,
        pathLength: 0,
        found: false,
        quadrantTime: 0,
        path: [[start[0], start[1]]],
        platform: [platform[0], platform[1]],
      };
      trials.push(current);
      inQuadrant = 0;
      steps = 0;
    }
    current.escapeLatency = info.time as number;
    current.pathLength += info.swum as number;
    // A rat put on the platform after a timeout (the water maze's `guide`) did not swim there.
    if (info.guided === true) continue;
    current.path.push([position[0], position[1]]);
    current.found = info.foundGoal === true;
    steps++;
    if (quadrantOf(position[0], position[1]) === quadrantOf(platform[0], platform[1])) inQuadrant++;
    current.quadrantTime = inQuadrant / steps;
  }
  return trials;
}

/** Per trial index (0…trials−1): the values of `pick` over the episodes that reached that trial. */
function columns(
  all: SwimTrial[][],
  count: number,
  pick: (t: SwimTrial) => number,
  index: (t: SwimTrial) => number,
): number[][] {
  const out: number[][] = Array.from({ length: count }, () => []);
  for (const trials of all) for (const t of trials) if (index(t) < count) out[index(t)].push(pick(t));
  return out;
}

export interface WatermazeSummary {
  /** Escape latency (s) by trial of the episode. */
  escapeLatencyByTrial: Estimate[];
  /** Escape latency (s) by day: per animal the mean over the day's trials, then over animals. */
  escapeLatencyByDay: Estimate[];
  /** Escape latency (s) by trial of the day, pooled over the days of an animal first. */
  escapeLatencyByTrialOfDay: Estimate[];
  pathLengthByTrial: Estimate[];
  quadrantTimeByTrial: Estimate[];
  /** Fraction of trials that ended on the platform, per animal. */
  escapeRate: Estimate;
}

/** The water-maze measures of a set of episodes (one per animal). */
export function watermazeSummary(
  records: readonly EpisodeRecord[],
  trialsPerDay: number,
  days: number,
): WatermazeSummary {
  const all = records.map(swimTrials);
  const trials = trialsPerDay * days;
  const byTrial = (pick: (t: SwimTrial) => number) => columns(all, trials, pick, (t) => t.trial).map((c) => ci95(c));
  const perAnimal = (group: (t: SwimTrial) => number, groups: number) =>
    Array.from({ length: groups }, (_, g) =>
      ci95(
        all
          .map((ts) => mean(ts.filter((t) => group(t) === g).map((t) => t.escapeLatency)))
          .filter((x) => Number.isFinite(x)),
      ),
    );
  return {
    escapeLatencyByTrial: byTrial((t) => t.escapeLatency),
    escapeLatencyByDay: perAnimal((t) => t.day, days),
    escapeLatencyByTrialOfDay: perAnimal((t) => t.trialOfDay, trialsPerDay),
    pathLengthByTrial: byTrial((t) => t.pathLength),
    quadrantTimeByTrial: byTrial((t) => t.quadrantTime),
    escapeRate: ci95(all.filter((ts) => ts.length > 0).map((ts) => ts.filter((t) => t.found).length / ts.length)),
  };
}

/** The water-maze fields of an evaluation report (merged into AgentResult by src/rl/frozen-eval.ts). */
export function watermazeReport(
  records: readonly EpisodeRecord[],
  trialsPerDay: number,
  days: number,
): Record<string, unknown> {
  return { ...watermazeSummary(records, trialsPerDay, days) };
}

/** The steps (1-based) at which the goal was hit in one episode. */
export function goalHitSteps(record: EpisodeRecord): number[] {
  const hits: number[] = [];
  record.infos.forEach((info: StepInfo, s) => {
    if (info.foundGoal === true) hits.push(s + 1);
  });
  return hits;
}

export interface GridGoalSummary {
  /** Goal hits per episode. */
  goalHits: Estimate;
  /** Steps to the first hit, over the episodes with at least one. */
  stepsToFirstGoal: Estimate;
  /** Per episode, the mean number of steps between successive hits (episodes with ≥ 2 hits). */
  stepsBetweenGoals: Estimate;
  /** The k-th interval (k = 1 is first hit → second hit), over the episodes that reached it. */
  stepsBetweenGoalsByHit: Estimate[];
}

export function gridGoalSummary(records: readonly EpisodeRecord[], maxIntervals = 20): GridGoalSummary {
  const hits = records.map(goalHitSteps);
  const intervals = hits.map((h) => h.slice(1).map((s, i) => s - h[i]));
  const byHit: number[][] = Array.from({ length: maxIntervals }, () => []);
  for (const iv of intervals) for (const [k, x] of iv.entries()) if (k < maxIntervals) byHit[k].push(x);
  let last = byHit.length;
  while (last > 0 && byHit[last - 1].length === 0) last--;
  return {
    goalHits: ci95(hits.map((h) => h.length)),
    stepsToFirstGoal: ci95(hits.filter((h) => h.length > 0).map((h) => h[0])),
    stepsBetweenGoals: ci95(intervals.filter((iv) => iv.length > 0).map((iv) => mean(iv))),
    stepsBetweenGoalsByHit: byHit.slice(0, last).map((c) => ci95(c)),
  };
}

export function gridGoalReport(records: readonly EpisodeRecord[]): Record<string, unknown> {
  return { ...gridGoalSummary(records) };
}
