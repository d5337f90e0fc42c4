// The figures of a run's report, chosen by what the task declares (TaskTraits.reportLayout) and what
// the evaluation holds: training curves, choice and regret by trial, escape latency and swim
// paths, steps between goal hits, the change of the plastic traces, and the lesion chart.
import path from 'node:path';
import { findTask } from '../../tasks/index.ts';
import type { Estimate } from '../measures/stats.ts';
import type { StayProbabilities } from '../measures/two-step.ts';
import type { AgentResult } from '../rl/frozen-eval.ts';
import type { LesionRow } from './chart-style.ts';
import * as specs from './figure-specs.ts';
import { type RunRecords, trainingRecords } from './run-records.ts';
import { latencyFigures, type NamedFigure, swimPathFigure } from './spatial-figures.ts';
import { writeVegaLiteSvg } from './svg.ts';
import { bestClassic, reportLayout } from './tables.ts';
import { stayProbabilitySpec } from './two-step-figures.ts';

/** A figure written to disk, with its caption. */
export interface Figure {
  file: string;
  caption: string;
}

/** Every figure of one run, written into `figuresDir` with names starting `prefix`. */
export async function runFigures(run: RunRecords, figuresDir: string, prefix: string): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const f of runFigureSpecs(run)) {
    const file = path.join(figuresDir, `${prefix}${f.name}.svg`);
    await writeVegaLiteSvg(f.spec, file);
    out.push({ file, caption: f.caption });
  }
  return out;
}

/** The lesion chart's rows: each agent intact and under each lesion. */
function lesionRows(lesions: NonNullable<RunRecords['lesions']>): LesionRow[] {
  const rows: LesionRow[] = [];
  for (const [key, row] of Object.entries(lesions.agents)) {
    rows.push({ agent: key, condition: 'intact', value: row.intact, applies: true });
    for (const lesion of ['reset-state', 'freeze-plasticity', 'reset-adaptation', 'reset-goal'] as const) {
      const e = row[lesion];
      if (e !== undefined) rows.push({ agent: key, condition: lesion, value: e.value, applies: e.applies });
    }
  }
  return rows;
}

/** The specs of every figure of one run. */
export function runFigureSpecs(run: RunRecords): NamedFigure[] {
  const out: NamedFigure[] = [];
  const add = (name: string, caption: string, spec: NamedFigure['spec']) => out.push({ name, caption, spec });
  const { spec } = run;
  const agents = Object.entries(run.eval.agents) as [string, AgentResult][];
  const protocol = (spec.task.options as { protocol?: string }).protocol;
  const task = `${spec.task.id}${protocol ? ` (${protocol})` : ''}`;
  const having = (key: string) => agents.filter(([, r]) => Array.isArray(r[key]));

  const curves = trainingRecords(run);
  if (curves.length > 0)
    add(
      'training',
      'Meta-training curves of the learned agents.',
      specs.trainingCurvesSpec(curves, `Meta-training on ${task}`),
    );

  const figures = reportLayout(run).figures;
  if (figures.includes('accuracy-by-trial')) {
    const byAgent = Object.fromEntries(agents.map(([k, r]) => [k, r.pBestByTrial]));
    const caption = 'Accuracy by trial of the episode (a new object pair each episode), mean and 95% CI.';
    add('accuracy', caption, specs.choiceByTrialSpec(byAgent, `Accuracy by trial: ${task}`, 'P(correct object)', 0.5));
  }
  if (figures.includes('p-best-and-regret-by-trial') && agents.some(([, r]) => r.expectedRegretByTrial?.length > 0)) {
    // Every learning agent, and of the classic ones the reference and those the spec names (more lines would not read).
    const reference = bestClassic(run);
    const named = run.spec.evaluation.figureAgents ?? [];
    const shown = agents.filter(([k, r]) => r.kind !== 'classic' || k === reference || named.includes(k));
    const byAgent = Object.fromEntries(shown.map(([k, r]) => [k, r.pBestByTrial]));
    add(
      'p-best',
      'P(best arm) by trial, mean and 95% CI.',
      specs.choiceByTrialSpec(byAgent, `P(best arm) by trial: ${task}`, 'P(best arm)', 0.5),
    );
    const regret = Object.fromEntries(shown.map(([k, r]) => [k, r.expectedRegretByTrial]));
    add(
      'regret',
      'Cumulative expected regret by trial.',
      specs.regretByTrialSpec(regret, `Cumulative expected regret: ${task}`),
    );
  }

  const stays = agents.filter(([, r]) => r.stayProbability !== undefined);
  if (figures.includes('stay-probability') && stays.length > 0) {
    const byAgent = Object.fromEntries(stays.map(([k, r]) => [k, r.stayProbability as StayProbabilities]));
    const caption =
      "P(stay with the first-stage choice) by the previous trial's reward and transition, with 95% CIs over episodes.";
    add('stay', caption, stayProbabilitySpec(byAgent, `Stay probabilities: ${task}`));
  }

  const latency = having('escapeLatencyByTrial');
  const pool = findTask(spec.task.id).create(spec.task.options).options as {
    trialsPerDay: number;
    poolRadius: number;
    platformRadius: number;
  };
  if (figures.includes('escape-latency') && latency.length > 0) {
    const byAgent = Object.fromEntries(latency.map(([k, r]) => [k, r.escapeLatencyByTrial as Estimate[]]));
    out.push(...latencyFigures(byAgent, pool.trialsPerDay, task));
  }
  // Learned and plastic agents; the floor (random) is left out of the path panels.
  const paths = Object.fromEntries(
    Object.entries(run.paths ?? {}).filter(([k]) => run.eval.agents[k]?.kind !== 'classic'),
  );
  if (figures.includes('swim-paths') && Object.keys(paths).length > 0) {
    out.push(swimPathFigure(paths, pool, `Swim paths, first held-out day: ${task}`));
  }

  const hits = having('stepsBetweenGoalsByHit');
  if (figures.includes('steps-between-goals') && hits.length > 0) {
    const steps = (r: AgentResult) => ({
      toFirst: r.stepsToFirstGoal as Estimate,
      between: r.stepsBetweenGoalsByHit as Estimate[],
    });
    const byAgent = Object.fromEntries(hits.map(([k, r]) => [k, steps(r)]));
    const caption = 'Steps to the first goal hit (0) and between successive hits, mean and 95% CI.';
    add('steps-between-hits', caption, specs.stepsBetweenHitsSpec(byAgent, `Steps between goal hits: ${task}`));
  }

  const traceChange = (r: AgentResult) =>
    (r.plasticity as { byStep?: { meanAbsTraceChange?: number[] } } | undefined)?.byStep?.meanAbsTraceChange;
  const plastic = agents.filter(([, r]) => Array.isArray(traceChange(r)));
  if (plastic.length > 0) {
    const byAgent = Object.fromEntries(plastic.map(([k, r]) => [k, traceChange(r) as number[]]));
    const caption = 'Change of the plastic traces over an episode, mean |Hebb_t − Hebb_0| per synapse.';
    add('plastic-traces', caption, specs.plasticTraceSpec(byAgent, `Plastic-trace change within an episode: ${task}`));
  }

  if (run.lesions !== null && Object.keys(run.lesions.agents).length > 0) {
    const m = run.lesions.measure;
    const caption = `Lesions: ${m.name} intact and with each within-episode memory removed.`;
    const axis = `${m.name}${m.unit ? ` (${m.unit})` : ''}`;
    add(
      'lesions',
      caption,
      specs.lesionChartSpec(lesionRows(run.lesions), axis, `Where learning lives: lesions on ${task}`),
    );
  }
  return out;
}
