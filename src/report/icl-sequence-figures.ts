// The figures of a sequence-model run (`icl-sequence`): the periodic evaluations against training
// steps (in-context and in-weights accuracy on icl-bursty, Chan et al. 2022 Fig. 2; repeat and
// first-occurrence loss and the in-context learning score on icl-induction, Olsson et al. 2022), and
// the loss by position at the end of training.
import type { CurvePoint } from '../experiments/icl-sequence-run.ts';
import type { TopLevelSpec } from './svg.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'sans-serif', legend: { symbolStrokeWidth: 1.6, symbolSize: 120, labelLimit: 320 } };

/** One line per model against the training step, one panel per measure, each with its own axis (dotted: chance). */
function curvesFigure(
  title: { text: string; subtitle: string[] },
  curves: Record<string, CurvePoint[]>,
  measures: { key: string; label: string; axis: string; zero?: boolean }[],
  chance: Record<string, number> = {},
): TopLevelSpec {
  const models = Object.keys(curves);
  const panel = (m: (typeof measures)[number]) => {
    const values = Object.entries(curves).flatMap(([model, points]) =>
      points
        .filter((p) => typeof p[m.key] === 'number' && Number.isFinite(p[m.key]))
        .map((p) => ({ model, step: p.step, value: p[m.key] as number })),
    );
    const line = {
      data: { values },
      mark: { type: 'line', point: { filled: false, size: 30 }, strokeWidth: 1.6 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'training step (Adam updates)' },
        y: { field: 'value', type: 'quantitative', title: m.axis, scale: { zero: m.zero ?? false } },
        color: { field: 'model', type: 'nominal', title: null, scale: { scheme: 'dark2' }, sort: models },
        strokeDash: { field: 'model', type: 'nominal', title: null, sort: models },
        shape: { field: 'model', type: 'nominal', title: null, sort: models },
      },
    };
    const rule =
      chance[m.key] === undefined
        ? []
        : [
            {
              data: { values: [{ value: chance[m.key] }] },
              mark: { type: 'rule', strokeDash: [2, 3], color: 'gray' },
              encoding: { y: { field: 'value', type: 'quantitative' } },
            },
          ];
    return { title: m.label, width: 260, height: 200, layer: [line, ...rule] };
  };
  return {
    $schema: SCHEMA,
    title,
    hconcat: measures.map(panel),
    config: CONFIG,
  } as TopLevelSpec;
}

/** icl-bursty: in-context and in-weights accuracy against training steps (dotted: chance). */
export function burstyCurvesFigure(
  curves: Record<string, CurvePoint[]>,
  labels: number,
  sequences: string,
): TopLevelSpec {
  return curvesFigure(
    {
      text: 'Emergent in-context learning: accuracy on held-out sequences against training steps',
      subtitle: [
        `in-context: held-out classes labelled 0/1 in the context (chance 0.5); in-weights: trained classes absent ` +
          `from the context (chance 1/${labels}); ${sequences}`,
      ],
    },
    curves,
    [
      { key: 'eval/inContextAccuracy', label: 'in-context accuracy', axis: 'accuracy (fraction correct)', zero: true },
      { key: 'eval/inWeightsAccuracy', label: 'in-weights accuracy', axis: 'accuracy (fraction correct)', zero: true },
    ],
    { 'eval/inContextAccuracy': 0.5, 'eval/inWeightsAccuracy': 1 / labels },
  );
}

/** icl-induction: repeat and first-occurrence loss, and the in-context learning score, against training steps. */
export function inductionCurvesFigure(
  curves: Record<string, CurvePoint[]>,
  vocabulary: number,
  sequences: string,
): TopLevelSpec {
  return curvesFigure(
    {
      text: 'Induction: next-token loss on held-out sequences against training steps',
      subtitle: [
        `repeat: the second occurrence of the repeated segment (copyable); first: its first occurrence ` +
          `(dotted: ln V = ${Math.log(vocabulary).toFixed(3)}, uniform guessing); ${sequences}`,
        'in-context learning score (Olsson et al. 2022): late minus early loss; negative when context helps',
      ],
    },
    curves,
    [
      { key: 'eval/repeatLoss', label: 'repeat loss', axis: 'loss (nats)' },
      { key: 'eval/firstLoss', label: 'first-occurrence loss', axis: 'loss (nats)' },
      { key: 'eval/iclScore', label: 'in-context learning score', axis: 'loss difference (nats)' },
    ],
    { 'eval/repeatLoss': Math.log(vocabulary), 'eval/firstLoss': Math.log(vocabulary) },
  );
}

/** icl-induction: every model's next-token loss at each position at the end of training. */
export function lossByPositionFigure(
  losses: Record<string, number[]>,
  segment: number,
  vocabulary: number,
  sequences: number,
): TopLevelSpec {
  const values = Object.entries(losses).flatMap(([model, ls]) =>
    ls.map((loss, t) => ({ model, position: t + 1, loss: Number.isFinite(loss) ? loss : null })),
  );
  const models = Object.keys(losses);
  return {
    $schema: SCHEMA,
    title: {
      text: 'Induction: next-token loss by position after training',
      subtitle: [
        `${sequences} held-out sequences; the segment of ${segment} tokens occurs twice at random places, so the ` +
          'loss falls where a repeat can be copied',
        `dotted: ln V = ${Math.log(vocabulary).toFixed(3)} nats (uniform guessing)`,
      ],
    },
    width: 460,
    height: 280,
    layer: [
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 1.6 },
        encoding: {
          x: { field: 'position', type: 'quantitative', title: 'token position predicted from (count)' },
          y: { field: 'loss', type: 'quantitative', title: 'next-token loss (nats)', scale: { zero: false } },
          color: { field: 'model', type: 'nominal', title: null, scale: { scheme: 'dark2' }, sort: models },
          strokeDash: { field: 'model', type: 'nominal', title: null, sort: models },
        },
      },
      {
        data: { values: [{ loss: Math.log(vocabulary) }] },
        mark: { type: 'rule', strokeDash: [2, 3], color: 'gray' },
        encoding: { y: { field: 'loss', type: 'quantitative' } },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}
