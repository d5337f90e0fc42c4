// The report of an in-context regression run: the headline comparison of the reference model with
// one step of gradient descent, the test losses of every model and learning algorithm at the
// task's context size, and the loss against the number of in-context examples.
import path from 'node:path';
import type { IclEvalFile } from '../experiments/icl-run.ts';
import { lossCurveFigure } from './icl-figures.ts';
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
    `| model or algorithm | test loss at N = ${options.examples} (mean squared error) |`,
    '|---|---|',
    ...Object.entries(ev.losses).map(([name, loss]) => `| ${name} | ${loss.toFixed(4)} |`),
    '',
  ];
  const file = path.join(reportDir, 'figures', 'loss-vs-examples.svg');
  await writeVegaLiteSvg(
    lossCurveFigure(ev.curve, options.examples, options.dim, ev.baselines.gdSteps, options.family),
    file,
  );
  const caption = 'Test loss against the number of in-context examples, trained models and learning algorithms.';
  lines.push(`![${caption}](figures/loss-vs-examples.svg)`, '', `*${caption}*`, '');
  return lines;
}
