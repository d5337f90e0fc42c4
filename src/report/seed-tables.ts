// The tables of a suite part run with several training seeds: each learned agent's headline
// measure as the mean over seeds with a t-interval over seeds and every seed's value; its paired
// difference from the best classic agent, seed by seed; and its lesion effects seed by seed, with
// where its learning lives by each seed, "mixed" where the seeds disagree. Every seed played the
// same held-out instances, so seed-to-seed differences are differences between trainings.
import type { Lesion } from '../core/policy.ts';
import type { LesionsFile } from '../experiments/evaluation.ts';
import { ci95, formatNumber as fmt, mean } from '../measures/stats.ts';
import type { RunRecords } from './run-records.ts';
import { bestClassic, digitsFor, signedCi, verdict } from './tables.ts';

/** One training seed's run of a part. */
export interface SeedRun {
  seed: number;
  run: RunRecords;
}

type Row = LesionsFile['agents'][string];
const LESIONS: Exclude<Lesion, 'none'>[] = ['reset-state', 'freeze-plasticity', 'reset-adaptation', 'reset-goal'];

/** The learned agents every seed evaluated: the networks with a training record, in the first seed's order. */
export function seededAgents(runs: SeedRun[]): string[] {
  const first = runs[0]?.run.eval.agents ?? {};
  return Object.keys(first).filter(
    (key) => first[key].trainedUpdates !== undefined && runs.every((r) => r.run.episodes?.agents[key] !== undefined),
  );
}

/** Where an agent's learning lives over seeds: the seeds' common verdict, or "mixed" with each seed's. */
export function seedVerdict(rows: { seed: number; row: Row }[], better: 'lower' | 'higher'): string {
  const verdicts = rows.map(({ seed, row }) => ({ seed, v: verdict(row, better) }));
  if (verdicts.every((x) => x.v === verdicts[0].v)) return verdicts[0]?.v ?? '–';
  return `mixed (${verdicts.map((x) => `s${x.seed}: ${x.v}`).join('; ')})`;
}

/** A lesion's effect in one seed: Δ, marked when its interval holds 0. */
function lesionCell(row: Row | undefined, lesion: Exclude<Lesion, 'none'>, digits: number): string {
  const e = row?.[lesion];
  if (e === undefined) return 'not run';
  if (!e.applies) return 'none';
  const d = e.difference;
  const zero = Number.isFinite(d.ci95[0]) && d.ci95[0] <= 0 && d.ci95[1] >= 0;
  return `${signed(d.mean, digits)}${zero ? ' (CI holds 0)' : ''}`;
}

/** The markdown of a part's seeds: the agents over seeds, then their lesions seed by seed. */
export function seedTables(runs: SeedRun[]): string[] {
  if (runs.length === 0) return [];
  const first = runs[0].run;
  const measure = first.episodes?.measure;
  if (measure === undefined) return [];
  const digits = digitsFor(measure);
  const agents = seededAgents(runs);
  const reference = bestClassic(first);
  const referenceEpisodes = reference !== null ? first.episodes?.agents[reference] : undefined;
  const seeds = runs.map((r) => `s${r.seed}`).join(', ');
  const unit = measure.unit ? ` (${measure.unit})` : '';
  const lines: string[] = [
    `Over ${runs.length} training seeds (${seeds}), each evaluated frozen on the same held-out episodes: ` +
      `${measure.name}${unit}, ${measure.better} is better, as the mean over seeds with its 95% t-interval ` +
      'over seeds (the spread between trainings, not between episodes), and each seed’s value' +
      (reference !== null
        ? `; the difference from ${reference}, episode by episode within each seed, likewise over seeds.`
        : '.'),
    '',
  ];
  const head = [
    'agent',
    'seeds',
    `mean over seeds [95% CI over seeds]`,
    `each seed (${seeds})`,
    ...(reference !== null ? [`− ${reference}, mean over seeds [95% CI]`, `− ${reference}, each seed`] : []),
  ];
  lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
  for (const key of agents) {
    const values = runs.map((r) => mean(r.run.episodes!.agents[key]));
    const cells = [`**${key}**`, String(runs.length), withInterval(ci95(values), digits), fixed(values, digits)];
    if (reference !== null) {
      const diffs = runs.map((r) => pairedMean(r.run.episodes!.agents[key], referenceEpisodes));
      cells.push(signedCi(ci95(diffs), digits), diffs.map((d) => signed(d, digits)).join(', '));
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const lesioned = agents.filter((key) => runs.every((r) => r.run.lesions?.agents[key] !== undefined));
  if (lesioned.length > 0) {
    // A lesion gets a column where some agent has that kind of memory.
    const used = LESIONS.filter((l) =>
      lesioned.some((key) => runs.some((r) => r.run.lesions!.agents[key][l]?.applies)),
    );
    lines.push(
      '',
      `Lesions seed by seed (Δ = lesioned − intact, paired within each seed, in the order ${seeds}; ` +
        '“CI holds 0” where that seed’s bootstrap interval does; “none” where the agent has no such memory), ' +
        'and where each agent’s learning lives: the verdict every seed gives, or “mixed” with each seed’s where ' +
        'they disagree.',
      '',
      `| agent | ${used.map((l) => `${l} Δ`).join(' | ')} | learning lives in |`,
      `|---|${used.map(() => '---').join('|')}|---|`,
    );
    for (const key of lesioned) {
      const rows = runs.map((r) => ({ seed: r.seed, row: r.run.lesions!.agents[key] }));
      const cells = used.map((l) => rows.map(({ row }) => lesionCell(row, l, digits)).join(' / '));
      lines.push(`| ${key} | ${cells.join(' | ')} | ${seedVerdict(rows, measure.better)} |`);
    }
  }
  return lines;
}

/** The mean difference from the reference over the same episodes, or NaN when they are not the same instances. */
function pairedMean(values: number[], reference: number[] | undefined): number {
  return reference !== undefined && reference.length === values.length ? mean(values) - mean(reference) : NaN;
}

/** A difference with its sign: `+1.23`, `-0.40`. */
function signed(x: number, digits: number): string {
  return signedCi({ mean: x, ci95: [NaN, NaN] }, digits);
}

function fixed(values: number[], digits: number): string {
  return values.map((v) => fmt(v, digits)).join(', ');
}

/** A value with its interval: `1.35 [1.14, 1.56]`. */
function withInterval(e: { mean: number; ci95: [number, number] }, digits: number): string {
  const ci = Number.isFinite(e.ci95[0]) ? ` [${fmt(e.ci95[0], digits)}, ${fmt(e.ci95[1], digits)}]` : '';
  return `${fmt(e.mean, digits)}${ci}`;
}
