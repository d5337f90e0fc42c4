// The readable form of an `engram baseline` report (src/experiments/baseline.ts makes it).

import { findAgent } from '../../agents/index.ts';
import { findTask } from '../../tasks/index.ts';
import { formatOptionValues } from '../core/options.ts';
import type { BaselineReport } from '../experiments/baseline.ts';
import type { Estimate } from '../measures/stats.ts';
import { STAY_CONDITIONS, type StayProbabilities, type StayRegression } from '../measures/two-step.ts';

function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function fmtEstimate(e: Estimate, digits = 2): string {
  return `${fmt(e.mean, digits)}  (95% CI ${fmt(e.ci95[0], digits)} to ${fmt(e.ci95[1], digits)}, n = ${e.n})`;
}

/** The two-step task's stay probabilities and regression, one line each. */
function twoStepLines(key: string, v: StayProbabilities & StayRegression): string[] {
  const interval = (ci: [number, number]) => `[${fmt(ci[0], 3)}, ${fmt(ci[1], 3)}]`;
  if (key === 'stayProbability')
    return [
      '  P(stay) after a trial that was:',
      ...STAY_CONDITIONS.map((c) => `    ${c.label.padEnd(19)} ${fmt(v[c.key].p, 3)} ${interval(v[c.key].ci95)}`),
    ];
  return [
    `  stay regression (logistic; ${v.coding}; ${v.trials} trials, 95% CI over ${v.episodes} episodes):`,
    ...(['intercept', 'reward', 'transition', 'interaction'] as const).map(
      (term) =>
        `    ${(term === 'interaction' ? 'reward × transition' : term).padEnd(19)} ` +
        `${fmt(v[term].estimate, 3)} ${interval(v[term].ci95)}`,
    ),
  ];
}

/** The readable form of a report (what `engram baseline` prints without --json). */
export function formatBaseline(report: BaselineReport): string {
  // With their units, so that a quantity given in other units shows what it became (timeStep 0.5 s).
  const opts = formatOptionValues(findTask(report.task).options, report.options);
  const agentOpts = formatOptionValues(findAgent(report.agent).options, report.agentOptions);
  const lines = [
    `${report.agent}${agentOpts ? ` (${agentOpts})` : ''} on ${report.task} (${opts}): ` +
      `${report.episodes} held-out episodes, seed ${report.seed}`,
    `  total reward      ${fmtEstimate(report.totalReward)}`,
    `  expected regret   ${fmtEstimate(report.expectedRegret)}`,
    `  stay after win    ${fmtEstimate(report.stayAfterWin, 3)}`,
    `  shift after lose  ${fmtEstimate(report.shiftAfterLose, 3)}`,
  ];
  const trials = report.pBestByTrial.length;
  const shown = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000].filter((t) => t <= trials);
  if (trials > 0 && shown[shown.length - 1] !== trials) shown.push(trials);
  // Tasks without a best choice per trial (the spatial ones) have no such estimates.
  if (report.pBestByTrial.some((e) => e.n > 0)) {
    lines.push('  P(best choice) by trial:');
    for (const t of shown)
      lines.push(`    trial ${String(t).padStart(4)}  ${fmtEstimate(report.pBestByTrial[t - 1], 3)}`);
  }
  if (report.lesion !== undefined && report.intact !== undefined && report.lesionEffect !== undefined) {
    lines.push(
      `  lesion ${report.lesion}${report.lesionEffect.applies ? '' : ' (the agent has no such memory: no effect)'}:`,
    );
    lines.push(`    intact expected regret   ${fmtEstimate(report.intact.expectedRegret)}`);
    lines.push(`    regret increase (paired) ${fmtEstimate(report.lesionEffect.regretIncrease)}`);
  }
  const standard = new Set([
    'task',
    'agent',
    'kind',
    'episodes',
    'seed',
    'options',
    'agentOptions',
    'meanTotalReward',
    'totalReward',
    'expectedRegret',
    'pBestByTrial',
    // The cumulative regret of every trial belongs to --json.
    'expectedRegretByTrial',
    'stayAfterWin',
    'shiftAfterLose',
    'lesion',
    'intact',
    'lesionEffect',
  ]);
  for (const [k, v] of Object.entries(report)) {
    if (standard.has(k)) continue;
    if (k === 'plasticity' && typeof v === 'object' && v !== null) {
      // The step-by-step series belong to --json; the summary numbers fit on one line.
      const summary = Object.entries(v)
        .filter(([, x]) => typeof x === 'number')
        .map(([name, x]) => `${name} ${fmt(x as number, 3)}`);
      lines.push(`  ${k.padEnd(17)} ${summary.join(', ')}`);
      continue;
    }
    if (k === 'stayProbability' || k === 'stayRegression') {
      lines.push(...twoStepLines(k, v as StayProbabilities & StayRegression));
      continue;
    }
    lines.push(`  ${k.padEnd(17)} ${typeof v === 'number' ? fmt(v, 3) : JSON.stringify(v)}`);
  }
  return lines.join('\n');
}
