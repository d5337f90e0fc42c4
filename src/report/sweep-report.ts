// The report of a sweep of in-context experiments: <sweep-dir>/report.md, its figures under
// <sweep-dir>/figures/. It reads only the sweep directory (sweep.json and every finished run's
// eval.json), so `engram report <sweep-dir>` can remake it at any time, and a sweep with runs
// still missing gets a report of those that finished. The runs are grouped into cells, a cell
// being the settings other than the seed (bursty=0.9,zipf=1): one seed per cell gives each
// number with its interval over held-out sequences (Wilson), several give the mean over seeds
// with a t interval over seeds. A sweep of meta-RL runs has its tables from `engram compare`.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { IclEvalFile } from '../experiments/icl-run.ts';
import type { BurstyFinal, IclSequenceEvalFile, InductionFinal } from '../experiments/icl-sequence-run.ts';
import { atomicWriteText, readJsonFile } from '../experiments/io.ts';
import { codeVersion } from '../experiments/run-dir.ts';
import { diskState, readSweepDir, runDir } from '../experiments/sweep-dir.ts';
import type { ExpandedSweep, SweepExperimentSpec, SweepRun } from '../experiments/sweep-spec.ts';
import { ci95 } from '../measures/stats.ts';
import { taskOptionsText } from './option-values.ts';
import { writeVegaLiteSvg } from './svg.ts';
import { type BurstyCell, burstySweepFigure } from './sweep-figures.ts';

const num = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

/** A finished run of the sweep, with its cell and its eval.json. */
interface FinishedRun<E> {
  run: SweepRun<SweepExperimentSpec>;
  cell: string;
  eval: E;
}

/** The cells of a sweep in expansion order, each with its finished runs. */
type Cells<E> = { cell: string; runs: FinishedRun<E>[] }[];

/** Whether a directory holds a sweep (its sweep.json). */
export function isSweepDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'sweep.json'));
}

/**
 * The cell of each run: its id without the seed's part (`bursty=0.9,zipf=1` of
 * `seed=0,bursty=0.9,zipf=1`), or `every run` when only the seed varies. An id is made of one
 * `label=value` part per vary key, in the vary's order, and neither labels nor values hold commas.
 */
function cellOf(sweep: ExpandedSweep<SweepExperimentSpec>, run: SweepRun<SweepExperimentSpec>): string {
  const seed = Object.keys(sweep.vary).indexOf('seed');
  const parts = run.id.split(',').filter((_, i) => i !== seed);
  return parts.length > 0 ? parts.join(',') : 'every run';
}

function groupCells<E>(runs: FinishedRun<E>[]): Cells<E> {
  const cells: Cells<E> = [];
  for (const r of runs) {
    const cell = cells.find((c) => c.cell === r.cell);
    if (cell === undefined) cells.push({ cell: r.cell, runs: [r] });
    else cell.runs.push(r);
  }
  return cells;
}

/** A value over the seeds of a cell: itself for one seed, else the mean [95% t interval over seeds]. */
function overSeeds(values: number[], digits = 3): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '–';
  if (finite.length === 1) return num(finite[0], digits);
  const e = ci95(finite);
  return `${num(e.mean, digits)} [${num(e.ci95[0], digits)}, ${num(e.ci95[1], digits)}]`;
}

/** An accuracy over the seeds of a cell: one seed's with its Wilson interval, else overSeeds. */
function accuracyOverSeeds(values: BurstyFinal['inContextAccuracy'][]): string {
  if (values.length === 1) {
    const p = values[0];
    return `${num(p.p)} [${num(p.ci95[0])}, ${num(p.ci95[1])}]`;
  }
  return overSeeds(values.map((p) => p.p));
}

const seedsText = (seeds: number) =>
  seeds === 1
    ? 'one seed per cell: each number with its 95% interval over held-out sequences'
    : `${seeds} seeds per cell: each number the mean over seeds with its 95% t interval over seeds ` +
      '(the seed is the unit)';

/** Writes `<dir>/report.md` (and its figures) for a sweep of icl-sequence or icl-regression runs; returns its path. */
export async function writeSweepReport(dir: string): Promise<string> {
  const out = path.resolve(dir);
  const { sweep, shard } = readSweepDir<SweepExperimentSpec>(out);
  const kind = sweep.runs[0]?.spec.kind ?? 'meta-rl';
  if (kind !== 'icl-sequence' && kind !== 'icl-regression')
    throw new UsageError(
      `${dir} is a sweep of meta-RL runs: npx engram compare ${dir}/runs/* gives its tables, with intervals over seeds`,
    );
  const finished = sweep.runs.filter((r) => diskState(out, r.id) === 'done');
  if (finished.length === 0)
    throw new UsageError(
      `${dir}: no run of the sweep has finished yet (continue it with engram sweep --resume ${dir})`,
    );
  const missing = sweep.runs.filter((r) => diskState(out, r.id) !== 'done').map((r) => r.id);
  const varied = Object.entries(sweep.vary)
    .map(([k, values]) => `\`${k}\` ∈ {${values.map((v) => JSON.stringify(v)).join(', ')}}`)
    .join(', ');
  const lines = [
    `# ${sweep.name}`,
    '',
    ...(sweep.description ? [sweep.description, ''] : []),
    `- base experiment: ${sweep.base}; varied: ${varied}`,
    `- runs: ${finished.length} of ${sweep.runs.length} finished` +
      (shard === null ? '' : ` (shard ${shard.index}/${shard.count} of the sweep)`) +
      (missing.length > 0 ? `; not finished: ${missing.join(' ')}` : ''),
    `- code version: ${codeVersion() ?? 'unknown (not a git checkout)'}`,
    '',
  ];
  const read = <E>(r: SweepRun<SweepExperimentSpec>): FinishedRun<E> => ({
    run: r,
    cell: cellOf(sweep, r),
    eval: readJsonFile(path.join(runDir(out, r.id), 'eval.json'), 'evaluation') as E,
  });
  if (kind === 'icl-sequence') {
    const cells = groupCells(finished.map((r) => read<IclSequenceEvalFile>(r)));
    const task = cells[0].runs[0].eval.task;
    lines.push(...(task === 'icl-bursty' ? await burstySection(cells, out) : inductionSection(cells)));
  } else {
    lines.push(...regressionSection(groupCells(finished.map((r) => read<IclEvalFile>(r)))));
  }
  const file = path.join(out, 'report.md');
  atomicWriteText(file, lines.join('\n'));
  return file;
}

/** The most seeds any cell has. */
const seedsPerCell = <E>(cells: Cells<E>) => Math.max(...cells.map((c) => c.runs.length));

/** The task options, once: those of the first cell when the cells differ in them. */
function taskOptionsLines(cells: Cells<{ task: string; taskOptions: Record<string, unknown> }>): string[] {
  const texts = cells.map((c) => taskOptionsText(c.runs[0].eval.task, c.runs[0].eval.taskOptions));
  if (texts.every((t) => t === texts[0])) return [`Task options: ${texts[0]}.`, ''];
  return [`Task options of ${cells[0].cell} (the other cells differ as they say): ${texts[0]}.`, ''];
}

async function burstySection(cells: Cells<IclSequenceEvalFile>, out: string): Promise<string[]> {
  const first = cells[0].runs[0].eval;
  const models = Object.keys(first.models);
  const seeds = seedsPerCell(cells);
  const sequences = Object.values(first.models)[0]?.final.sequences ?? 0;
  const lines = [
    '## icl-bursty: in-context against in-weights learning',
    '',
    'Every model trained by cross-entropy alone on bursty, Zipf-distributed few-shot sequences (Chan et al. 2022). ' +
      'In-context accuracy: held-out classes labelled 0 or 1 in the context, scored among labels 0 and 1 (chance ' +
      '0.5); in-weights accuracy: trained classes absent from the context, scored among all labels (chance 1/labels).',
    '',
    ...taskOptionsLines(cells),
  ];
  const figureCells: BurstyCell[] = cells.map((c) => ({
    cell: c.cell,
    labels: c.runs[0].eval.taskOptions.labels as number,
    lines: c.runs.flatMap((r) =>
      Object.entries(r.eval.models).map(([model, m]) => ({ model, seed: r.eval.seed, curve: m.curve })),
    ),
  }));
  if (figureCells.some((c) => c.lines.some((l) => l.curve.length > 0))) {
    const name = 'sweep-bursty-accuracy-vs-steps.svg';
    const subtitle = [
      'solid: in-context accuracy, dashed: in-weights accuracy, on the periodic evaluations (a small fixed set of ' +
        'held-out sequences); dotted: chance (0.5 in context, 1/labels in the weights)',
      seeds === 1 ? 'one seed per cell' : `one line per seed (${seeds} seeds per cell)`,
    ];
    await writeVegaLiteSvg(burstySweepFigure(figureCells, subtitle), path.join(out, 'figures', name));
    const caption = 'In-context and in-weights accuracy against training steps, one panel per cell of the sweep.';
    lines.push(`![${caption}](figures/${name})`, '', `*${caption}*`, '');
  }
  lines.push(
    `At the end of training, on ${sequences} held-out sequences of each kind; ${seedsText(seeds)}.`,
    '',
    '| cell | model | kind | parameters | seeds | in-context accuracy | in-weights accuracy |',
    '|---|---|---|---|---|---|---|',
  );
  for (const c of cells) {
    for (const model of models) {
      const runs = c.runs.filter((r) => r.eval.models[model] !== undefined);
      if (runs.length === 0) continue;
      const m = runs[0].eval.models[model];
      const finals = runs.map((r) => r.eval.models[model].final as BurstyFinal);
      lines.push(
        `| ${c.cell} | ${model} | ${m.model} | ${m.parameters.toLocaleString('en-US')} | ${runs.length} | ` +
          `${accuracyOverSeeds(finals.map((f) => f.inContextAccuracy))} | ` +
          `${accuracyOverSeeds(finals.map((f) => f.inWeightsAccuracy))} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

function inductionSection(cells: Cells<IclSequenceEvalFile>): string[] {
  const first = cells[0].runs[0].eval;
  const models = Object.keys(first.models);
  const seeds = seedsPerCell(cells);
  const sequences = Object.values(first.models)[0]?.final.sequences ?? 0;
  const lines = [
    '## icl-induction: copying from context',
    '',
    'Next-token loss in nats on held-out sequences at the end of training. Repeat: positions inside the second ' +
      'occurrence of the repeated segment, whose next token the first occurrence gives; first: the same positions of ' +
      'the first occurrence; ratio: repeat over first (1: no copying). Best prefix-matching head: the highest ' +
      'attention from a repeated token to the token after its earlier occurrence, over every head (transformers).',
    '',
    ...taskOptionsLines(cells),
    `On ${sequences} held-out sequences; ${seedsText(seeds)}.`,
    '',
    '| cell | model | kind | parameters | seeds | repeat loss | first-occurrence loss | repeat/first ' +
      '| best prefix-matching head |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of cells) {
    for (const model of models) {
      const runs = c.runs.filter((r) => r.eval.models[model] !== undefined);
      if (runs.length === 0) continue;
      const m = runs[0].eval.models[model];
      const finals = runs.map((r) => r.eval.models[model].final as InductionFinal);
      const heads = finals.flatMap((f) => (f.bestHead === null ? [] : [f.bestHead]));
      const head =
        heads.length === 0
          ? '–'
          : heads.length === 1
            ? `${num(heads[0].prefixMatching)} (layer ${heads[0].layer}, head ${heads[0].head})`
            : overSeeds(heads.map((h) => h.prefixMatching));
      lines.push(
        `| ${c.cell} | ${model} | ${m.model} | ${m.parameters.toLocaleString('en-US')} | ${runs.length} | ` +
          `${overSeeds(finals.map((f) => f.repeatLoss))} | ${overSeeds(finals.map((f) => f.firstLoss))} | ` +
          `${overSeeds(finals.map((f) => f.repeatLoss / f.firstLoss))} | ${head} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

function regressionSection(cells: Cells<IclEvalFile>): string[] {
  const first = cells[0].runs[0];
  const models = first.run.spec.kind === 'icl-regression' ? first.run.spec.models : [];
  const algorithms = Object.keys(first.eval.losses).filter((k) => !models.some((m) => m.id === k));
  const seeds = seedsPerCell(cells);
  const lines = [
    '## icl-regression: trained models against learning algorithms',
    '',
    `Test loss (mean squared error of the query's prediction) on ${first.eval.sequences} held-out sequences at ` +
      "the task's number of in-context examples, every model beside the learning algorithms on the same sequences " +
      '(gd-1: one step of gradient descent, line-searched; ridge, least squares; mean: the mean of the context ' +
      `labels; zero: ŷ = 0); ${seedsText(seeds)}.`,
    '',
    ...taskOptionsLines(cells),
    '| cell | model | kind | parameters | seeds | test loss | loss / one GD step |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const c of cells) {
    for (const id of [...models.map((m) => m.id), ...algorithms]) {
      const runs = c.runs.filter((r) => r.eval.losses[id] !== undefined);
      if (runs.length === 0) continue;
      const spec = models.find((m) => m.id === id);
      const parameters = runs[0].eval.parameters[id];
      lines.push(
        `| ${c.cell} | ${id} | ${spec?.model ?? 'algorithm'} | ` +
          `${parameters === undefined ? '–' : parameters.toLocaleString('en-US')} | ${runs.length} | ` +
          `${overSeeds(
            runs.map((r) => r.eval.losses[id]),
            4,
          )} | ${overSeeds(runs.map((r) => r.eval.losses[id] / r.eval.losses['gd-1']))} |`,
      );
    }
  }
  lines.push('');
  return lines;
}
