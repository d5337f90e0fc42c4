// The report of an in-context regression run: the headline comparison of the reference model with
// one step of gradient descent, the test losses of every model and learning algorithm at the
// task's context size, and the loss against the number of in-context examples.
import path from 'node:path';
import type { IclEvalFile } from '../experiments/icl-run.ts';
import type { AlgorithmIdentification } from '../icl/algorithms.ts';
import { lossCurveFigure, spdFigure } from './icl-figures.ts';
import { taskOptionsText } from './option-values.ts';
import { writeVegaLiteSvg } from './svg.ts';

/** The report's section for one in-context regression run, its figure written under `reportDir`/figures. */
export async function iclSection(ev: IclEvalFile, reportDir: string): Promise<string[]> {
  const options = ev.taskOptions as { dim: number; examples: number; family?: string };
  const lines = [
    `## ${ev.experiment}: ${ev.task}`,
    '',
    `Task options: ${taskOptionsText(ev.task, ev.taskOptions)}. ${ev.sequences} held-out sequences (evaluation ` +
      `seed ${ev.seed}); baselines line-searched on training-stream sequences.`,
    '',
    `**${ev.reference} against one step of gradient descent** (von Oswald et ` +
      `al. 2022): test-loss ratio ${ev.lossRatio.toFixed(4)}, ` +
      `cosine of their gradients in the query ${ev.cosine.toFixed(4)}, mean |Δŷ| ${ev.predsDiff.toExponential(2)}` +
      (ev.learnedStep !== null
        ? `, learned step η ${ev.learnedStep.toFixed(3)} against the line-searched ${ev.optimalStep.toFixed(3)}.`
        : '.'),
    '',
    `| model or algorithm | parameters | test loss at N = ${options.examples} (mean squared error) |`,
    '|---|---|---|',
    ...Object.entries(ev.losses).map(
      ([name, loss]) => `| ${name} | ${ev.parameters?.[name]?.toLocaleString('en-US') ?? '–'} | ${loss.toFixed(4)} |`,
    ),
    '',
  ];
  const file = path.join(reportDir, 'figures', 'loss-vs-examples.svg');
  await writeVegaLiteSvg(
    lossCurveFigure(
      ev.curve,
      options.examples,
      options.dim,
      ev.baselines.gdSteps,
      options.family,
      trainedOn(ev.trainingExamples, options.examples),
    ),
    file,
  );
  const caption = 'Test loss against the number of in-context examples, trained models and learning algorithms.';
  lines.push(`![${caption}](figures/loss-vs-examples.svg)`, '', `*${caption}*`, '');
  if (ev.algorithms !== undefined) lines.push(...(await algorithmsSection(ev.algorithms, reportDir)));
  return lines;
}

/** What the figure's subtitle says the models were trained on (runs before `trainingExamples`: N). */
function trainedOn(examples: IclEvalFile['trainingExamples'] | undefined, n: number): string {
  const byRange = new Map<string, string[]>();
  for (const [id, r] of Object.entries(examples ?? {})) {
    const range = r.from === r.to ? `N = ${r.to}` : `N′ = ${r.from}–${r.to}`;
    byRange.set(range, [...(byRange.get(range) ?? []), id]);
  }
  if (byRange.size === 0) return `trained models saw N = ${n} examples`;
  if (byRange.size === 1) return `trained models saw ${[...byRange.keys()][0]} examples`;
  return `trained on ${[...byRange].map(([range, ids]) => `${range} (${ids.join(', ')})`).join(', ')}`;
}

const fmt = (v: number) =>
  v === 0 ? '0' : Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(1) : v.toFixed(4);

/** Which algorithm each model runs: the nearest by SPD and ILWD at every N′ and σ, and the SPD figure. */
async function algorithmsSection(id: AlgorithmIdentification, reportDir: string): Promise<string[]> {
  const lines = [
    '### Which algorithm is it?',
    '',
    `Akyürek et al. (2022): at every context size N′ and noise level σ, ${id.options.sequences} held-out ` +
      'sequences go to each model and to each learning algorithm (its step size or λ tuned on as many ' +
      'training-stream sequences). SPD is the mean of (ŷ_model − ŷ_algorithm)² on the query; ILWD compares ' +
      "the model's " +
      `implicit weights, read by least squares off its predictions at ${id.options.probes} probe queries with the ` +
      "same context, with the algorithm's weights, mean of |ŵ − w|². Ridge-bayes has λ = σ²/τ² (τ² = " +
      `${fmt(id.priorVariance)}, the prior variance of a weight): the posterior mean, Bayes-optimal. The nearest ` +
      'algorithm is the one with the smallest distance; "fit" is the R² of the linear fit to the probe predictions ' +
      '(1: the model computes a linear function of the features).',
    '',
    '| model | σ | N′ | model loss | nearest by SPD (SPD) | nearest by ILWD (ILWD) | fit | SPD from each algorithm |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of id.rows)
    lines.push(
      `| ${r.model} | ${r.noise} | ${r.examples} | ${fmt(r.loss)} | ` +
        `**${r.nearest.spd}** (${fmt(r.spd[r.nearest.spd])}) | ` +
        `${r.nearest.ilwd} (${fmt(r.ilwd[r.nearest.ilwd])}) | ${r.probeFit.toFixed(3)} | ` +
        `${id.algorithms.map((a) => `${a} ${fmt(r.spd[a])}`).join(', ')} |`,
    );
  lines.push('');
  const file = path.join(reportDir, 'figures', 'algorithms-spd.svg');
  await writeVegaLiteSvg(spdFigure(id), file);
  const caption = 'Squared prediction difference of each model from each learning algorithm, against the context size.';
  lines.push(`![${caption}](figures/algorithms-spd.svg)`, '', `*${caption}*`, '');
  return lines;
}
