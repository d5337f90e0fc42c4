// The report of a run: report.md with its SVG figures, and metrics.csv beside metrics.jsonl. It
// reads only what a run wrote (config.json, eval.json, episodes.json, lesions.json, paths.json,
// metrics.jsonl, run.json, checkpoints) and the shipped checkpoints' training curves, so
// `engram report <run-dir>` can remake it at any time. A suite (the `mechanisms` experiment) has
// one section per part, each a run directory of its own under parts/.
//
// For each task: a table of agents on the task's headline measure (mean ± 95% CI over held-out
// episodes) with the paired difference from the best classic agent (percentile bootstrap over
// episodes), the lesion table that says where each agent's learning lives, and the figures.
import fs from 'node:fs';
import path from 'node:path';
import { findAgent } from '../../agents/index.ts';
import { findTask } from '../../tasks/index.ts';
import { UsageError } from '../core/errors.ts';
import { traitsOf } from '../core/traits.ts';
import type { ReportColumn, TaskTraits } from '../core/types.ts';
import { readCheckpoint, SHIPPED_CHECKPOINT_DIR } from '../experiments/checkpoint.ts';
import type { EpisodesFile, EvalFile, LesionsFile, MainMeasureResult } from '../experiments/evaluation.ts';
import type { IclEvalFile } from '../experiments/icl-run.ts';
import { atomicWriteText, readJsonFile, readJsonl } from '../experiments/io.ts';
import { codeVersion, type RunInfo } from '../experiments/run-dir.ts';
import { agentKey, type ExperimentSpec, parseExperiment } from '../experiments/spec.ts';
import type { MeasureInfo } from '../measures/main-measure.ts';
import type { SwimTrial } from '../measures/spatial.ts';
import {
  type BootstrapEstimate,
  type Estimate,
  formatEstimate,
  formatNumber,
  pairedBootstrap,
} from '../measures/stats.ts';
import type { AgentResult } from '../rl/frozen-eval.ts';
import {
  choiceByTrialSpec,
  type LesionRow,
  lesionChartSpec,
  type MetricsRecord,
  plasticTraceSpec,
  regretByTrialSpec,
  stepsBetweenHitsSpec,
  trainingCurvesSpec,
} from './figure-specs.ts';
import { iclSection } from './icl-report.ts';
import { latencyFigures, swimPathFigure } from './spatial-figures.ts';
import { type TopLevelSpec, writeVegaLiteSvg } from './svg.ts';

/** Everything the report needs of one run directory (a single experiment, or a part of a suite). */
export interface RunRecords {
  dir: string;
  spec: ExperimentSpec;
  eval: EvalFile;
  episodes: EpisodesFile | null;
  lesions: LesionsFile | null;
  paths: Record<string, SwimTrial[]> | null;
  metrics: MetricsRecord[];
  info: RunInfo | null;
}

function readOptional<T>(file: string, what: string): T | null {
  return fs.existsSync(file) ? (readJsonFile(file, what) as T) : null;
}

/** Reads a finished run directory; a directory without eval.json is a UsageError-worthy state the caller reports. */
export function readRunRecords(dir: string): RunRecords {
  const spec = parseExperiment(
    readJsonFile(path.join(dir, 'config.json'), 'run configuration'),
    path.join(dir, 'config.json'),
  );
  const evalFile = readJsonFile(
    path.join(dir, 'eval.json'),
    'evaluation (the run has not finished: resume it first)',
  ) as EvalFile;
  const metricsFile = path.join(dir, 'metrics.jsonl');
  const metrics = (fs.existsSync(metricsFile) ? readJsonl(metricsFile) : []) as MetricsRecord[];
  return {
    dir,
    spec,
    eval: evalFile,
    episodes: readOptional<EpisodesFile>(path.join(dir, 'episodes.json'), 'per-episode measures'),
    lesions: readOptional<LesionsFile>(path.join(dir, 'lesions.json'), 'lesions'),
    paths: readOptional<Record<string, SwimTrial[]>>(path.join(dir, 'paths.json'), 'swim paths'),
    metrics,
    info: readOptional<RunInfo>(path.join(dir, 'run.json'), 'run information'),
  };
}

/** The training curve of every learned agent: the run's own metrics, or the shipped checkpoint's history. */
export function trainingRecords(run: RunRecords, checkpointDir = SHIPPED_CHECKPOINT_DIR): MetricsRecord[] {
  const out = [...run.metrics];
  // Runs made before the trainer logged NaN there logged a regret of 0 on tasks that have none.
  const hasRegret = findTask(run.spec.task.id).create(run.spec.task.options).infoFields.includes('expectedRegret');
  for (const a of run.spec.agents) {
    const key = agentKey(a);
    const shipped = (run.eval.agents[key] as { checkpoint?: string } | undefined)?.checkpoint;
    if (shipped === undefined || out.some((r) => r.agent === key)) continue;
    const file = path.isAbsolute(shipped)
      ? shipped
      : fs.existsSync(shipped)
        ? shipped
        : path.join(checkpointDir, path.basename(shipped));
    if (!fs.existsSync(file)) continue;
    for (const r of readCheckpoint(file).history ?? []) out.push({ ...(r as MetricsRecord), agent: key });
  }
  return hasRegret ? out : out.map(({ 'train/expectedRegret': _none, ...r }) => r as MetricsRecord);
}

/** The columns of metrics.csv: every key any record has, the identifying ones first. */
export function metricsCsv(records: readonly Record<string, unknown>[]): string {
  const first = ['agent', 'update', 'envSteps', 'wallSeconds'];
  const keys = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) keys.add(k);
  const columns = [...first.filter((k) => keys.has(k)), ...[...keys].filter((k) => !first.includes(k)).sort()];
  const cell = (v: unknown) => {
    if (v === undefined || v === null) return '';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
    const text = String(v);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.join(','), ...records.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Tables

const fmt = formatNumber;
const pm = formatEstimate;

/** A signed difference with its interval: `+1.23 [0.80, 1.70]`. */
export function signedCi(d: { mean: number; ci95: [number, number] }, digits = 2): string {
  if (!Number.isFinite(d.mean)) return '–';
  const sign = d.mean > 0 ? '+' : '';
  const ci = Number.isFinite(d.ci95[0]) ? ` [${fmt(d.ci95[0], digits)}, ${fmt(d.ci95[1], digits)}]` : '';
  return `${sign}${fmt(d.mean, digits)}${ci}`;
}

function digitsFor(m: MeasureInfo): number {
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
  const hurts = (lesion: 'reset-state' | 'freeze-plasticity') => {
    const e = row[lesion];
    if (e === undefined || !e.applies || !Number.isFinite(e.difference.ci95[0])) return false;
    return better === 'lower' ? e.difference.ci95[0] > 0 : e.difference.ci95[1] < 0;
  };
  const activity = hurts('reset-state');
  const synapses = hurts('freeze-plasticity');
  if (activity && synapses) return 'activity and synapses';
  if (activity) return 'activity';
  if (synapses) return 'synapses';
  return 'neither lesion hurt';
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
  const lines = [
    `| agent | kind | intact: ${m.name}${unit} | reset-state (Δ paired) | ` +
      `freeze-plasticity (Δ paired) | learning lives in |`,
    '|---|---|---|---|---|---|',
  ];
  for (const [key, row] of Object.entries(lesions.agents)) {
    lines.push(
      `| ${key} | ${row.kind} | ${pm(row.intact, digits)} | ${cell(row['reset-state'])} | ` +
        `${cell(row['freeze-plasticity'])} | ${verdict(row, m.better)} |`,
    );
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Figures

interface Figure {
  file: string;
  caption: string;
}

async function figure(dir: string, name: string, caption: string, spec: TopLevelSpec): Promise<Figure> {
  const file = path.join(dir, `${name}.svg`);
  await writeVegaLiteSvg(spec, file);
  return { file, caption };
}

/** Every figure of one run, written into `figuresDir` with names starting `prefix`. */
export async function runFigures(run: RunRecords, figuresDir: string, prefix: string): Promise<Figure[]> {
  const out: Figure[] = [];
  const { spec } = run;
  const agents = Object.entries(run.eval.agents) as [string, AgentResult][];
  const protocol = (spec.task.options as { protocol?: string }).protocol;
  const task = `${spec.task.id}${protocol ? ` (${protocol})` : ''}`;

  const curves = trainingRecords(run);
  if (curves.length > 0)
    out.push(
      await figure(
        figuresDir,
        `${prefix}training`,
        'Meta-training curves of the learned agents.',
        trainingCurvesSpec(curves, `Meta-training on ${task}`),
      ),
    );

  const figures = reportLayout(run).figures;
  if (figures.includes('accuracy-by-trial')) {
    const byAgent = Object.fromEntries(agents.map(([k, r]) => [k, r.pBestByTrial]));
    out.push(
      await figure(
        figuresDir,
        `${prefix}accuracy`,
        'Accuracy by trial of the episode (a new object pair each episode), mean and 95% CI.',
        choiceByTrialSpec(byAgent, `Accuracy by trial: ${task}`, 'P(correct object)', 0.5),
      ),
    );
  }
  if (figures.includes('p-best-and-regret-by-trial') && agents.some(([, r]) => r.expectedRegretByTrial?.length > 0)) {
    // Every learning agent, and of the classic ones the reference and those the spec names (more lines would not read).
    const reference = bestClassic(run);
    const named = run.spec.evaluation.figureAgents ?? [];
    const shown = agents.filter(([k, r]) => r.kind !== 'classic' || k === reference || named.includes(k));
    const byAgent = Object.fromEntries(shown.map(([k, r]) => [k, r.pBestByTrial]));
    out.push(
      await figure(
        figuresDir,
        `${prefix}p-best`,
        'P(best arm) by trial, mean and 95% CI.',
        choiceByTrialSpec(byAgent, `P(best arm) by trial: ${task}`, 'P(best arm)', 0.5),
      ),
    );
    const regret = Object.fromEntries(shown.map(([k, r]) => [k, r.expectedRegretByTrial]));
    out.push(
      await figure(
        figuresDir,
        `${prefix}regret`,
        'Cumulative expected regret by trial.',
        regretByTrialSpec(regret, `Cumulative expected regret: ${task}`),
      ),
    );
  }

  const latency = agents.filter(([, r]) => Array.isArray(r.escapeLatencyByTrial));
  const taskOptions = findTask(spec.task.id).create(spec.task.options).options as {
    trialsPerDay: number;
    poolRadius: number;
    platformRadius: number;
  };
  if (figures.includes('escape-latency') && latency.length > 0) {
    const byAgent = Object.fromEntries(latency.map(([k, r]) => [k, r.escapeLatencyByTrial as Estimate[]]));
    for (const f of latencyFigures(byAgent, taskOptions.trialsPerDay, task))
      out.push(await figure(figuresDir, `${prefix}${f.name}`, f.caption, f.spec));
  }
  // Learned and plastic agents; the floor (random) is left out of the path panels.
  const paths = Object.fromEntries(
    Object.entries(run.paths ?? {}).filter(([k]) => run.eval.agents[k]?.kind !== 'classic'),
  );
  if (figures.includes('swim-paths') && Object.keys(paths).length > 0) {
    const f = swimPathFigure(paths, taskOptions, `Swim paths, first held-out day: ${task}`);
    out.push(await figure(figuresDir, `${prefix}${f.name}`, f.caption, f.spec));
  }

  const hits = agents.filter(([, r]) => Array.isArray(r.stepsBetweenGoalsByHit));
  if (figures.includes('steps-between-goals') && hits.length > 0) {
    const byAgent = Object.fromEntries(
      hits.map(([k, r]) => [
        k,
        { toFirst: r.stepsToFirstGoal as Estimate, between: r.stepsBetweenGoalsByHit as Estimate[] },
      ]),
    );
    out.push(
      await figure(
        figuresDir,
        `${prefix}steps-between-hits`,
        'Steps to the first goal hit (0) and between successive hits, mean and 95% CI.',
        stepsBetweenHitsSpec(byAgent, `Steps between goal hits: ${task}`),
      ),
    );
  }

  const plastic = agents.filter(([, r]) =>
    Array.isArray(
      (r.plasticity as { byStep?: { meanAbsTraceChange?: number[] } } | undefined)?.byStep?.meanAbsTraceChange,
    ),
  );
  if (plastic.length > 0) {
    const byAgent = Object.fromEntries(
      plastic.map(([k, r]) => [
        k,
        (r.plasticity as { byStep: { meanAbsTraceChange: number[] } }).byStep.meanAbsTraceChange,
      ]),
    );
    out.push(
      await figure(
        figuresDir,
        `${prefix}plastic-traces`,
        'Change of the plastic traces over an episode, mean |Hebb_t − Hebb_0| per synapse.',
        plasticTraceSpec(byAgent, `Plastic-trace change within an episode: ${task}`),
      ),
    );
  }

  if (run.lesions !== null && Object.keys(run.lesions.agents).length > 0) {
    const m = run.lesions.measure;
    const rows: LesionRow[] = [];
    for (const [key, row] of Object.entries(run.lesions.agents)) {
      rows.push({ agent: key, condition: 'intact', value: row.intact, applies: true });
      for (const lesion of ['reset-state', 'freeze-plasticity'] as const) {
        const e = row[lesion];
        if (e !== undefined) rows.push({ agent: key, condition: lesion, value: e.value, applies: e.applies });
      }
    }
    out.push(
      await figure(
        figuresDir,
        `${prefix}lesions`,
        `Lesions: ${m.name} intact and with each within-episode memory removed.`,
        lesionChartSpec(rows, `${m.name}${m.unit ? ` (${m.unit})` : ''}`, `Where learning lives: lesions on ${task}`),
      ),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// report.md

/** One run's section of a report: its tables and figures (figure links relative to `reportDir`). */
export async function runSection(
  run: RunRecords,
  reportDir: string,
  prefix: string,
  heading: string,
): Promise<string[]> {
  const lines: string[] = [];
  const { spec } = run;
  lines.push(`${heading} ${spec.name}: ${spec.task.id}`, '');
  if (spec.description) lines.push(spec.description, '');
  const measure = run.episodes?.measure;
  lines.push(
    `Task options: \`${JSON.stringify(run.eval.taskOptions)}\`. ${run.eval.episodes} held-out episodes (evaluation ` +
      `seed ${run.eval.seed}), the same instances for every agent; learned agents play with frozen weights.` +
      (measure
        ? ` Headline measure: **${measure.name}**${measure.unit ? ` (${measure.unit})` : ''}, ` +
          `${measure.better} is better.`
        : ''),
    '',
  );
  const trained = Object.entries(run.eval.agents).filter(([, r]) => r.trainedUpdates !== undefined);
  for (const [key, r] of trained) {
    const source = typeof r.checkpoint === 'string' ? `shipped checkpoint \`${r.checkpoint}\`` : 'trained in this run';
    lines.push(
      `- ${key}: ${source}, ${r.trainedUpdates} updates, ${(Number(r.trainedEnvSteps) / 1e6).toFixed(2)}M ` +
        `environment steps, ${(Number(r.trainingSeconds) / 60).toFixed(1)} min of training.`,
    );
  }
  if (trained.length > 0) lines.push('');
  lines.push(...agentsTable(run), '');
  const lesions = lesionTable(run);
  if (lesions.length > 0) {
    lines.push(
      'Lesions, on the same held-out instances: `reset-state` wipes the within-episode state (recurrent activity, ' +
        'attention cache, eligibility) at every trial boundary; `freeze-plasticity` holds plastic weights at ' +
        'their start-of-episode values. Δ is lesioned − intact, paired episode by episode (bootstrap 95% CI). ' +
        'An agent whose learning lives in its activity is hurt by the first; one whose learning lives in its ' +
        'synapses, by the second.',
      '',
      ...lesions,
      '',
    );
  }
  for (const f of await runFigures(run, path.join(reportDir, 'figures'), prefix)) {
    lines.push(
      `![${f.caption}](${path.relative(reportDir, f.file).split(path.sep).join('/')})`,
      '',
      `*${f.caption}*`,
      '',
    );
  }
  return lines;
}

function headerLines(title: string, config: unknown, info: RunInfo | null, seed: number): string[] {
  const lines = [`# ${title}`, ''];
  lines.push(`- seed: ${seed}`);
  lines.push(`- code version: ${info?.gitCommit ?? codeVersion() ?? 'unknown (not a git checkout)'}`);
  if (info !== null)
    lines.push(
      `- wall time: ${(info.wallSeconds / 60).toFixed(1)} min (${info.startedAt} ` +
        `→ ${info.finishedAt}), Node ${info.node}`,
    );
  lines.push(
    '',
    '<details><summary>Resolved configuration</summary>',
    '',
    '```json',
    JSON.stringify(config, null, 2),
    '```',
    '',
    '</details>',
    '',
  );
  return lines;
}

/** The part directories of a suite run, in the suite's order. */
export function suiteParts(runDir: string, config: { parts: { name: string }[] }): string[] {
  return config.parts.map((p) => path.join(runDir, 'parts', p.name));
}

/** Writes report.md (and its figures, and metrics.csv in every run directory); returns the report's path. */
export async function writeReport(runDir: string): Promise<string> {
  const config = readJsonFile(path.join(runDir, 'config.json'), 'run configuration') as {
    kind?: string;
    name: string;
    seed: number;
    description?: string;
    parts?: { name: string }[];
  };
  const info = readOptional<RunInfo>(path.join(runDir, 'run.json'), 'run information');
  const lines: string[] = [];
  if (config.kind === 'icl-regression') {
    writeMetricsCsv(runDir);
    lines.push(...headerLines(config.name, config, info, config.seed));
    lines.push(
      ...(await iclSection(readJsonFile(path.join(runDir, 'eval.json'), 'evaluation') as IclEvalFile, runDir)),
    );
  } else if (config.kind === 'suite') {
    lines.push(...headerLines(`${config.name}: where does learning live?`, config, info, config.seed));
    if (config.description) lines.push(config.description, '');
    lines.push(
      'How to read it: each section is one task. The first table compares every agent on the task’s headline ' +
        'measure with the best classic algorithm, paired on the same held-out episodes. The lesion table then ' +
        'removes one kind of within-episode memory at a time: if wiping the activity at each trial (`reset-state`) ' +
        'undoes an agent’s improvement, its learning lives in activity (in context); if holding its synapses ' +
        'fixed (`freeze-plasticity`) does, it lives in synapses.',
      '',
    );
    const dirs = suiteParts(runDir, config as { parts: { name: string }[] });
    for (const dir of dirs) {
      const run = readRunRecords(dir);
      writeMetricsCsv(dir);
      lines.push(...(await runSection(run, runDir, `${path.basename(dir)}-`, '##')));
    }
  } else {
    const run = readRunRecords(runDir);
    writeMetricsCsv(runDir);
    lines.push(...headerLines(`${config.name}`, config, info, config.seed));
    lines.push(...(await runSection(run, runDir, '', '##')));
  }
  const file = path.join(runDir, 'report.md');
  atomicWriteText(file, lines.join('\n'));
  return file;
}

/** metrics.csv beside metrics.jsonl (the same records, for pandas and R). */
export function writeMetricsCsv(runDir: string): void {
  const file = path.join(runDir, 'metrics.jsonl');
  if (!fs.existsSync(file)) return;
  atomicWriteText(path.join(runDir, 'metrics.csv'), metricsCsv(readJsonl(file)));
}

/** `engram report <run-dir>`: checks the directory holds a finished run or suite, then writes its report. */
export async function reportCommand(runDir: string): Promise<string> {
  const dir = path.resolve(runDir);
  if (!fs.existsSync(path.join(dir, 'config.json')))
    throw new UsageError(`${runDir} is not a run directory (no config.json)`);
  const config = readJsonFile(path.join(dir, 'config.json'), 'run configuration') as {
    kind?: string;
    parts?: { name: string }[];
  };
  const dirs = config.kind === 'suite' ? suiteParts(dir, config as { parts: { name: string }[] }) : [dir];
  for (const d of dirs) {
    if (!fs.existsSync(path.join(d, 'eval.json')))
      throw new UsageError(
        `${d} has no eval.json: the run has not finished (resume it with engram run --resume ${runDir})`,
      );
  }
  return writeReport(dir);
}
