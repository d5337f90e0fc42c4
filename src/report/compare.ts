// `engram compare <run-dir>...`: the report's agent tables over several runs. Runs of the same
// experiment (same name, task and task options) form one group; a suite contributes each of its
// parts. With two or more runs in a group, an agent's number is the mean over runs of its
// per-run mean, with a t interval over runs (the seed is the unit: seed-level confidence); with
// one run, it is that run's episode-level interval. Differences from the best classic agent are
// paired by run (several runs) or by episode with a bootstrap (one run).
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { MainMeasureResult } from '../experiments/evaluation.ts';
import { readJsonFile } from '../experiments/io.ts';
import type { MeasureInfo } from '../measures/main-measure.ts';
import { ci95, type Estimate, formatEstimate } from '../measures/stats.ts';
import { taskOptionsText } from './option-values.ts';
import { type RunRecords, readRunRecords, suiteParts } from './run-records.ts';
import { bestClassic, differencesFrom, isPrivileged, signedCi } from './tables.ts';

export interface CompareAgent {
  kind: string;
  /** The agent's mean in each run of the group (null where the run did not have it). */
  perRun: (number | null)[];
  estimate: { mean: number; ci95: [number, number]; n: number };
  /** The agent − reference difference (paired by run, or by episode for a single run). */
  difference: { mean: number; ci95: [number, number]; n: number } | null;
}

export interface CompareGroup {
  experiment: string;
  task: string;
  taskOptions: Record<string, unknown>;
  measure: MeasureInfo | null;
  /** Where the intervals come from: over runs (seeds) or, for a single run, over its episodes. */
  level: 'seeds' | 'episodes';
  runs: { dir: string; seed: number }[];
  reference: string | null;
  agents: Record<string, CompareAgent>;
  notes: string[];
}

export interface CompareResult {
  groups: CompareGroup[];
}

/** The run directories a list of arguments stands for (a suite stands for its parts). */
export function expandRunDirs(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    const dir = path.resolve(d);
    const config = path.join(dir, 'config.json');
    if (!fs.existsSync(config)) throw new UsageError(`${d} is not a run directory (no config.json)`);
    const raw = readJsonFile(config, 'run configuration') as { kind?: string; parts?: { name: string }[] };
    if (raw.kind === 'icl-regression' || raw.kind === 'icl-sequence')
      throw new UsageError(`${d} is an ${raw.kind} run; compare reads meta-RL runs and suites`);
    if (raw.kind === 'suite') out.push(...suiteParts(dir, raw));
    else out.push(dir);
  }
  for (const dir of out) {
    if (!fs.existsSync(path.join(dir, 'eval.json')))
      throw new UsageError(`${dir} has no eval.json: the run has not finished (resume it with engram run --resume)`);
  }
  return out;
}

function headlineMean(run: RunRecords, key: string): number | null {
  const r = run.eval.agents[key];
  if (r === undefined) return null;
  const v = (r.mainMeasure as MainMeasureResult | undefined)?.value.mean ?? r.totalReward.mean;
  return Number.isFinite(v) ? v : null;
}

function groupKey(run: RunRecords): string {
  return JSON.stringify([run.spec.name, run.eval.task, run.eval.taskOptions]);
}

export function compareRuns(dirs: readonly string[]): CompareResult {
  const runs = expandRunDirs(dirs).map(readRunRecords);
  const byGroup = new Map<string, RunRecords[]>();
  for (const run of runs) {
    const key = groupKey(run);
    byGroup.set(key, [...(byGroup.get(key) ?? []), run]);
  }
  return { groups: [...byGroup.values()].map(compareGroup) };
}

function compareGroup(runs: RunRecords[]): CompareGroup {
  const first = runs[0];
  const notes: string[] = [];
  const seeds = runs.map((r) => r.spec.seed);
  if (new Set(seeds).size < seeds.length) notes.push('some runs share a seed: they are not independent replicates');
  const keys: string[] = [];
  for (const run of runs) for (const key of Object.keys(run.eval.agents)) if (!keys.includes(key)) keys.push(key);
  const kinds = Object.fromEntries(keys.map((k) => [k, runs.find((r) => r.eval.agents[k])!.eval.agents[k].kind]));
  const perRun = Object.fromEntries(keys.map((k) => [k, runs.map((r) => headlineMean(r, k))]));
  const measure = first.episodes?.measure ?? null;
  const level = runs.length >= 2 ? 'seeds' : 'episodes';

  // The reference: the best classic agent by its mean over runs (each run's choice could differ).
  let reference: string | null = null;
  if (runs.length === 1) reference = bestClassic(first);
  else {
    const better = measure?.better ?? 'higher';
    let best = NaN;
    for (const k of keys) {
      if (kinds[k] !== 'classic' || isPrivileged(first.eval.agents[k]?.agent ?? k)) continue;
      const values = perRun[k].filter((v): v is number => v !== null);
      if (values.length < runs.length) continue;
      const m = values.reduce((a, b) => a + b, 0) / values.length;
      if (reference === null || (better === 'lower' ? m < best : m > best)) {
        reference = k;
        best = m;
      }
    }
  }

  const singleDiffs = runs.length === 1 && reference !== null ? differencesFrom(first, reference) : {};
  const agents: Record<string, CompareAgent> = {};
  for (const k of keys) {
    const values = perRun[k].filter((v): v is number => v !== null);
    let estimate: CompareAgent['estimate'];
    if (runs.length === 1) {
      const r = first.eval.agents[k];
      const e: Estimate = (r.mainMeasure as MainMeasureResult | undefined)?.value ?? r.totalReward;
      estimate = { mean: e.mean, ci95: e.ci95, n: e.n };
    } else {
      const e = ci95(values);
      estimate = { mean: e.mean, ci95: e.ci95, n: e.n };
    }
    let difference: CompareAgent['difference'] = null;
    if (reference !== null && k !== reference) {
      if (runs.length === 1) difference = singleDiffs[k] ?? null;
      else {
        const paired: number[] = [];
        perRun[k].forEach((v, i) => {
          const ref = perRun[reference!][i];
          if (v !== null && ref !== null) paired.push(v - ref);
        });
        const e = ci95(paired);
        difference = { mean: e.mean, ci95: e.ci95, n: e.n };
      }
    }
    agents[k] = { kind: kinds[k], perRun: perRun[k], estimate, difference };
  }
  return {
    experiment: first.spec.name,
    task: first.eval.task,
    taskOptions: first.eval.taskOptions,
    measure,
    level,
    runs: runs.map((r) => ({ dir: r.dir, seed: r.spec.seed })),
    reference,
    agents,
    notes,
  };
}

/** The markdown tables of a comparison. */
export function formatCompare(result: CompareResult): string {
  const lines: string[] = [];
  for (const g of result.groups) {
    const m = g.measure;
    const digits = m?.name.includes('accuracy') ? 3 : m?.unit === 's' ? 1 : 2;
    lines.push(`## ${g.experiment}: ${g.task} (${taskOptionsText(g.task, g.taskOptions)})`, '');
    lines.push(
      g.level === 'seeds'
        ? `${g.runs.length} runs (seeds ${g.runs.map((r) => r.seed).join(', ')}): mean ` +
            `over runs of each run's mean, 95% t interval over runs.`
        : `1 run (seed ${g.runs[0].seed}): 95% interval over its held-out episodes.`,
    );
    for (const note of g.notes) lines.push(`Note: ${note}.`);
    lines.push('');
    const measureTitle = m ? `${m.name}${m.unit ? ` (${m.unit})` : ''}, ${m.better} is better` : 'total reward';
    const head = [
      'agent',
      'kind',
      measureTitle,
      g.reference !== null ? `− ${g.reference} (paired 95% CI)` : 'difference',
      ...(g.level === 'seeds' ? ['per run'] : []),
    ];
    lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const [k, a] of Object.entries(g.agents)) {
      const diff = k === g.reference ? 'reference' : a.difference !== null ? signedCi(a.difference, digits) : '–';
      const cells = [k, a.kind, formatEstimate(a.estimate, digits), diff];
      if (g.level === 'seeds') cells.push(a.perRun.map((v) => (v === null ? '–' : v.toFixed(digits))).join(', '));
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
