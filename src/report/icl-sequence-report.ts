// The report of a sequence-model run (`icl-sequence`): every model's final measures with its
// parameter count, and the figures of its periodic evaluations against training steps (and, on
// icl-induction, the loss by position at the end).
import path from 'node:path';
import type { BurstyFinal, IclSequenceEvalFile, InductionFinal } from '../experiments/icl-sequence-run.ts';
import {
  attentionPatternFigure,
  burstyCurvesFigure,
  headsCurvesFigure,
  inductionCurvesFigure,
  lossByPositionFigure,
  lossByPositionPhaseFigure,
  phaseChange,
} from './icl-sequence-figures.ts';
import { taskOptionsText } from './option-values.ts';
import { writeVegaLiteSvg } from './svg.ts';
import { walkSection } from './walk-report.ts';

const num = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
const proportion = (p: BurstyFinal['inContextAccuracy']) => `${num(p.p)} [${num(p.ci95[0])}, ${num(p.ci95[1])}]`;

/** The report's section for one sequence run, its figures written under `reportDir`/figures. */
export async function iclSequenceSection(ev: IclSequenceEvalFile, reportDir: string): Promise<string[]> {
  const models = Object.entries(ev.models);
  const sequences = models[0]?.[1].final.sequences ?? 0;
  const lines = [
    `## ${ev.experiment}: ${ev.task}`,
    '',
    `Task options: ${taskOptionsText(ev.task, ev.taskOptions)}. Trained by cross-entropy alone (no meta-learning ` +
      `objective); final evaluation on ${sequences} held-out sequences` +
      (ev.task === 'icl-bursty' ? ' of each kind' : '') +
      (ev.task === 'graph-walk' ? ' (walks, each in an environment of its own)' : '') +
      ` (evaluation seed ${ev.seed}).`,
    '',
    ...Object.entries(ev.shipped ?? {}).flatMap(([id, file]) => [
      `- ${id}: evaluated from the shipped checkpoint \`${path.basename(file)}\` (its curve is the training run's).`,
    ]),
    ...(Object.keys(ev.shipped ?? {}).length > 0 ? [''] : []),
  ];
  const curves = Object.fromEntries(models.map(([id, m]) => [id, m.curve]));
  const hasCurves = models.some(([, m]) => m.curve.length > 0);
  const figure = async (name: string, spec: Parameters<typeof writeVegaLiteSvg>[0], caption: string) => {
    await writeVegaLiteSvg(spec, path.join(reportDir, 'figures', name));
    lines.push(`![${caption}](figures/${name})`, '', `*${caption}*`, '');
  };
  const periodic = 'periodic evaluations on a small fixed set of held-out sequences';
  if (ev.task === 'graph-walk') {
    await walkSection(ev, figure, lines, periodic);
    return lines;
  }
  if (ev.task === 'icl-bursty') {
    const labels = ev.taskOptions.labels as number;
    lines.push(
      'Accuracies with 95% Wilson intervals over sequences. In-context: held-out classes whose exemplars are ' +
        'labelled 0 or 1 in the context, scored among labels 0 and 1 (chance 0.5); in-weights: trained classes ' +
        `absent from the context, scored among all ${labels} labels (chance ${num(1 / labels)}); training: fresh ` +
        'training sequences (Chan et al. 2022).',
      '',
      '| model | kind | parameters | steps | in-context accuracy | in-weights accuracy | training accuracy |',
      '|---|---|---|---|---|---|---|',
      ...models.map(([id, m]) => {
        const f = m.final as BurstyFinal;
        return (
          `| ${id} | ${m.model} | ${m.parameters.toLocaleString('en-US')} | ${m.steps} | ` +
          `${proportion(f.inContextAccuracy)} | ${proportion(f.inWeightsAccuracy)} | ${proportion(f.trainAccuracy)} |`
        );
      }),
      '',
    );
    if (hasCurves)
      await figure(
        'bursty-accuracy-vs-steps.svg',
        burstyCurvesFigure(curves, labels, periodic),
        'In-context and in-weights accuracy against training steps.',
      );
    return lines;
  }
  const vocabulary = ev.taskOptions.vocabulary as number;
  lines.push(
    'Next-token loss in nats. Repeat: positions inside the second occurrence of the repeated segment, whose next ' +
      'token the first occurrence gives; first: the same positions of the first occurrence (next token uniform, ' +
      `ln V = ${num(Math.log(vocabulary))}). ICL score (Olsson et al. 2022): loss late in the sequence minus early; ` +
      'prefix matching: the best head’s attention from a repeated token to the token after its earlier occurrence ' +
      '(offset 1, Olsson et al.’s induction head); at offset c, to the token c places after it (a shifted circuit: ' +
      'its first layer reads c − 1 tokens back).',
    '',
    '| model | kind | parameters | steps | repeat loss | first-occurrence loss | repeat / first | ICL score ' +
      '| best prefix-matching head (offset 1) | best head at any offset |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...models.map(([id, m]) => {
      const f = m.final as InductionFinal;
      const head =
        f.bestHead === null
          ? '–'
          : `${num(f.bestHead.prefixMatching)} (layer ${f.bestHead.layer + 1}, head ${f.bestHead.head + 1})`;
      const any =
        (f.inductionHead ?? null) === null
          ? '–'
          : `${num(f.inductionHead!.prefixMatching)} at offset ${f.inductionHead!.offset} ` +
            `(layer ${f.inductionHead!.layer + 1}, head ${f.inductionHead!.head + 1})`;
      return (
        `| ${id} | ${m.model} | ${m.parameters.toLocaleString('en-US')} | ${m.steps} | ${num(f.repeatLoss)} | ` +
        `${num(f.firstLoss)} | ${num(f.repeatLoss / f.firstLoss)} | ${num(f.inContextLearningScore)} | ${head} | ` +
        `${any} |`
      );
    }),
    '',
    'Layers and heads are numbered from 1 here (from 0 in eval.json).',
    '',
  );
  if (hasCurves)
    await figure(
      'induction-loss-vs-steps.svg',
      inductionCurvesFigure(curves, vocabulary, periodic),
      'Repeat and first-occurrence loss and the in-context learning score against training steps.',
    );
  await figure(
    'induction-loss-by-position.svg',
    lossByPositionFigure(
      Object.fromEntries(models.map(([id, m]) => [id, (m.final as InductionFinal).lossByPosition])),
      ev.taskOptions.segment as number,
      vocabulary,
      sequences,
    ),
    'Next-token loss by position after training.',
  );
  const heads = hasCurves ? headsCurvesFigure(curves, periodic) : null;
  if (heads !== null)
    await figure('induction-heads-vs-steps.svg', heads, 'Every head’s prefix-matching score against training steps.');
  const phase = phaseChange(curves);
  const positions = Object.fromEntries(models.map(([id, m]) => [id, m.positionCurve ?? []]));
  if (phase !== null && models.some(([, m]) => (m.positionCurve ?? []).length > 1))
    await figure(
      'induction-loss-by-position-phase.svg',
      lossByPositionPhaseFigure(positions, phase.step, vocabulary, [
        `before: step ${phase.step}, the periodic evaluation after which ${phase.model}'s repeat loss falls most ` +
          `(by ${num(phase.drop)} nats before the next);`,
        `end: the last periodic evaluation; ${periodic}`,
      ]),
      'Loss by position before and after the phase change.',
    );
  for (const [id, m] of models) {
    const example = (m.final as InductionFinal).attention ?? null;
    if (example === null) continue;
    await figure(
      `induction-attention-${id}.svg`,
      attentionPatternFigure(id, example),
      `The attention pattern of ${id}'s best induction head on one held-out sequence.`,
    );
  }
  return lines;
}
