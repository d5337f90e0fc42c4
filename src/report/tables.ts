// The tables of a report: every agent on the task's headline measure (mean ± 95% CI over held-out
// episodes) with the paired difference from the best classic agent (percentile bootstrap over
// episodes) and the task's own columns, and the lesion table that says where each agent's
// learning lives.
import { findAgent } from '../../agents/index.ts';
import { findTask } from '../../tasks/index.ts';
import { traitsOf } from '../core/traits.ts';
import type { ReportColumn, TaskTraits } from '../core/types.ts';
import type { LesionsFile, MainMeasureResult } from '../experiments/evaluation.ts';
import type { MeasureInfo } from '../measures/main-measure.ts';
import {
  type BootstrapEstimate,
  type Estimate,
  formatEstimate,
  formatNumber,
  pairedBootstrap,
} from '../measures/stats.ts';
import type { StayRegression } from '../measures/two-step.ts';
import type { AgentResult } from '../rl/frozen-eval.ts';
import type { RunRecords } from './run-records.ts';

const fmt = formatNumber;
const pm = formatEstimate;

/** A signed difference with its interval: `+1.23 [0.80, 1.70]`. */
export function signedCi(d: { mean: number; ci95: [number, number] }, digits = 2): string {
  if (!Number.isFinite(d.mean)) return '–';
  const sign = d.mean > 0 ? '+' : '';
  const ci = Number.isFinite(d.ci95[0]) ? ` [${fmt(d.ci95[0], digits)}, ${fmt(d.ci95[1], digits)}]` : '';
  return `${sign}${fmt(d.mean, digits)}${ci}`;
}

export function digitsFor(m: MeasureInfo): number {
  return m.name.includes('accuracy') ? 3 : m.unit === 's' ? 1 : 2;
}

/**
 * The best classic agent of a run on its headline measure: the reference every other agent is
 * compared with. Privileged agents (the oracle reads the answer) are not candidates.
 */
export function bestClassic(run: RunRecords): string | null {
  let best: string | null = null;
  let bestValue = NaN;
  const better = run.episodes?.measure.better ?? 'higher';
  for (const [key, r] of Object.entries(run.eval.agents)) {
    if (r.kind !== 'classic' || isPrivileged(r.agent)) continue;
    const v = (r.mainMeasure as MainMeasureResult | undefined)?.value.mean;
    if (v === undefined || !Number.isFinite(v)) continue;
    if (best === null || (better === 'lower' ? v < bestValue : v > bestValue)) {
      best = key;
      bestValue = v;
    }
  }
  return best;
}

/** Whether an agent reads the answer (an evaluation may name an agent this build no longer has: not privileged). */
export function isPrivileged(agentId: string): boolean {
  try {
    return findAgent(agentId).privileged === true;
  } catch {
    return false;
  }
}

/** Paired differences (agent − reference) on the headline measure, episode by episode. */
export function differencesFrom(run: RunRecords, reference: string): Record<string, BootstrapEstimate> {
  const out: Record<string, BootstrapEstimate> = {};
  const ref = run.episodes?.agents[reference];
  if (ref === undefined) return out;
  for (const [key, values] of Object.entries(run.episodes!.agents)) {
    if (key === reference) continue;
    out[key] = pairedBootstrap(values, ref, `${run.spec.seed}/${key}-${reference}`);
  }
  return out;
}

/** What a report shows of a task without a layout of its own. */
const DEFAULT_LAYOUT: NonNullable<TaskTraits['reportLayout']> = {
  columns: [{ kind: 'total-reward', digits: 1 }, { kind: 'p-best-last-trial' }],
  figures: ['p-best-and-regret-by-trial'],
};

/** The report layout the run's task family declares (TaskTraits.reportLayout). */
export function reportLayout(run: RunRecords): NonNullable<TaskTraits['reportLayout']> {
  return traitsOf(findTask(run.spec.task.id).create(run.spec.task.options)).reportLayout ?? DEFAULT_LAYOUT;
}

type Column = { title: string; cell: (r: AgentResult) => string };

/** The table columns of one declared column kind. */
function columnsOf(c: ReportColumn, sample: AgentResult): Column[] {
  const estimate = (r: AgentResult, key: string) => r[key] as Estimate | undefined;
  switch (c.kind) {
    case 'total-reward':
      return [{ title: 'total reward', cell: (r) => pm(r.totalReward, c.digits) }];
    case 'trial-accuracy':
      return [{ title: `trial-${c.trial} accuracy`, cell: (r) => pm(r.pBestByTrial[c.trial - 1], 3) }];
    case 'p-best-last-trial':
      return [{ title: 'P(best), last trial', cell: (r) => pm(r.pBestByTrial[r.pBestByTrial.length - 1], 3) }];
    case 'escape-latency-by-trial-of-day': {
      const trials = Array.isArray(sample.escapeLatencyByTrialOfDay) ? sample.escapeLatencyByTrialOfDay.length : 0;
      return Array.from({ length: trials }, (_, t) => ({
        title: `latency, trial ${t + 1} of day (s)`,
        cell: (r: AgentResult) => pm((r.escapeLatencyByTrialOfDay as Estimate[] | undefined)?.[t], 1),
      }));
    }
    case 'escape-rate':
      return [{ title: 'escape rate', cell: (r) => pm(estimate(r, 'escapeRate'), 2) }];
    case 'goal-hits':
      return [
        { title: 'goal hits', cell: (r) => pm(estimate(r, 'goalHits'), 1) },
        { title: 'steps to 1st hit', cell: (r) => pm(estimate(r, 'stepsToFirstGoal'), 1) },
        { title: 'steps between hits', cell: (r) => pm(estimate(r, 'stepsBetweenGoals'), 1) },
      ];
    case 'stay-regression': {
      const coefficient = (r: AgentResult, term: 'reward' | 'interaction') => {
        const e = (r.stayRegression as StayRegression | undefined)?.[term];
        return e === undefined ? '–' : signedCi({ mean: e.estimate, ci95: e.ci95 });
      };
      return [
        { title: 'stay: reward β [95% CI]', cell: (r) => coefficient(r, 'reward') },
        { title: 'stay: reward × transition β [95% CI]', cell: (r) => coefficient(r, 'interaction') },
      ];
    }
  }
}

/** Task-specific columns beside the headline measure, as the task's layout declares them. */
function extraColumns(run: RunRecords): Column[] {
  const sample = Object.values(run.eval.agents)[0] as AgentResult | undefined;
  if (sample === undefined) return [];
  return reportLayout(run).columns.flatMap((c) => columnsOf(c, sample));
}

/** The agents table of one run, in markdown. */
export function agentsTable(run: RunRecords): string[] {
  const measure = run.episodes?.measure;
  const reference = bestClassic(run);
  const diffs = reference !== null ? differencesFrom(run, reference) : {};
  const digits = measure ? digitsFor(measure) : 2;
  const extra = extraColumns(run);
  const unit = measure?.unit ? ` (${measure.unit})` : '';
  const head = [
    'agent',
    'kind',
    measure ? `${measure.name}${unit}, ${measure.better} is better` : 'total reward',
    reference !== null ? `− ${reference} (paired, bootstrap 95% CI)` : 'difference',
    ...extra.map((c) => c.title),
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const [key, r] of Object.entries(run.eval.agents)) {
    const value = (r.mainMeasure as MainMeasureResult | undefined)?.value ?? r.totalReward;
    const label = r.kind === 'classic' ? key : `**${key}**`;
    const diff = key === reference ? 'reference' : diffs[key] ? signedCi(diffs[key], digits) : '–';
    lines.push(
      `| ${label} | ${r.kind} | ${pm(value, digits)} | ${diff} | ${extra.map((c) => c.cell(r)).join(' | ')} |`,
    );
  }
  return lines;
}

/** Where an agent's within-episode learning lives, as its lesions show it. */
export function verdict(row: LesionsFile['agents'][string], better: 'lower' | 'higher'): string {
  const hurts = (lesion: 'reset-state' | 'freeze-plasticity' | 'reset-adaptation' | 'reset-goal') => {
    const e = row[lesion];
    if (e === undefined || !e.applies || !Number.isFinite(e.difference.ci95[0])) return false;
    return better === 'lower' ? e.difference.ci95[0] > 0 : e.difference.ci95[1] < 0;
  };
  const activity = hurts('reset-state');
  const synapses = hurts('freeze-plasticity');
  const adaptation = hurts('reset-adaptation') ? ' (its adaptive thresholds)' : '';
  const goal = hurts('reset-goal');
  if (goal) return synapses ? 'goal memory and synapses' : 'goal memory';
  if (activity && synapses) return `activity and synapses${adaptation}`;
  if (activity) return `activity${adaptation}`;
  if (synapses) return `synapses${adaptation}`;
  return adaptation ? `adaptive thresholds` : 'neither lesion hurt';
}

/** The lesion table of one run, in markdown. */
export function lesionTable(run: RunRecords): string[] {
  const lesions = run.lesions;
  if (lesions === null || Object.keys(lesions.agents).length === 0) return [];
  const m = lesions.measure;
  const digits = digitsFor(m);
  const unit = m.unit ? ` (${m.unit})` : '';
  const cell = (e: LesionsFile['agents'][string]['reset-state']) => {
    if (e === undefined) return 'not run';
    if (!e.applies) return 'no such memory';
    return `${pm(e.value, digits)} (Δ ${signedCi(e.difference, digits)})`;
  };
  // The adaptation and goal lesions have a column only in runs where some agent was evaluated under them.
  const adaptation = Object.values(lesions.agents).some((row) => row['reset-adaptation'] !== undefined);
  const goal = Object.values(lesions.agents).some((row) => row['reset-goal'] !== undefined);
  const lines = [
    `| agent | kind | intact: ${m.name}${unit} | reset-state (Δ paired) | ` +
      `freeze-plasticity (Δ paired) | ${adaptation ? 'reset-adaptation (Δ paired) | ' : ''}` +
      `${goal ? 'reset-goal (Δ paired) | ' : ''}learning lives in |`,
    `|---|---|---|---|---|${adaptation ? '---|' : ''}${goal ? '---|' : ''}---|`,
  ];
  for (const [key, row] of Object.entries(lesions.agents)) {
    lines.push(
      `| ${key} | ${row.kind} | ${pm(row.intact, digits)} | ${cell(row['reset-state'])} | ` +
        `${cell(row['freeze-plasticity'])} | ${adaptation ? `${cell(row['reset-adaptation'])} | ` : ''}` +
        `${goal ? `${cell(row['reset-goal'])} | ` : ''}${verdict(row, m.better)} |`,
    );
  }
  return lines;
}
