// The figures of a sequence-model run (`icl-sequence`): the periodic evaluations against training
// steps (in-context and in-weights accuracy on icl-bursty, Chan et al. 2022 Fig. 2; repeat and
// first-occurrence loss and the in-context learning score on icl-induction, Olsson et al. 2022), and
// the loss by position at the end of training.
import type { CurvePoint, PositionPoint } from '../experiments/icl-sequence-run.ts';
import type { AttentionExample } from '../icl/sequence-evaluate.ts';
import type { TopLevelSpec } from './svg.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'sans-serif', legend: { symbolStrokeWidth: 1.6, symbolSize: 120, labelLimit: 320 } };

/** One line per model against the training step, one panel per measure, each with its own axis (dotted: chance). */
export function curvesFigure(
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

/**
 * The step of the phase change: the periodic evaluation after which a model's repeat loss falls the
 * most before the next one (over every model, so the runs' steps are read at the same place), and
 * the drop; null without two evaluations.
 */
export function phaseChange(
  curves: Record<string, CurvePoint[]>,
): { model: string; step: number; drop: number } | null {
  let best: { model: string; step: number; drop: number } | null = null;
  for (const [model, points] of Object.entries(curves)) {
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i]['eval/repeatLoss'];
      const b = points[i + 1]['eval/repeatLoss'];
      if (typeof a !== 'number' || typeof b !== 'number') continue;
      if (best === null || a - b > best.drop) best = { model, step: points[i].step, drop: a - b };
    }
  }
  return best;
}

/**
 * icl-induction: every model's loss by position at the periodic evaluation just before the phase
 * change and at the end of training, one panel per model.
 */
export function lossByPositionPhaseFigure(
  positions: Record<string, PositionPoint[]>,
  before: number,
  vocabulary: number,
  note: string[],
): TopLevelSpec {
  const models = Object.keys(positions);
  const labels = [`step ${before} (before)`, 'end of training'];
  const values = Object.entries(positions).flatMap(([model, points]) => {
    const at = points.find((p) => p.step === before);
    const end = points.at(-1);
    const series = [
      ...(at === undefined ? [] : [{ when: labels[0], point: at }]),
      ...(end === undefined || end === at ? [] : [{ when: labels[1], point: end }]),
    ];
    return series.flatMap(({ when, point }) =>
      point.lossByPosition.map((loss, t) => ({
        model,
        when,
        position: t + 1,
        loss: Number.isFinite(loss) ? loss : null,
      })),
    );
  });
  return {
    $schema: SCHEMA,
    title: {
      text: 'Induction: loss by position before and after the phase change',
      subtitle: [...note, `dotted: ln V = ${Math.log(vocabulary).toFixed(3)} nats (uniform guessing)`],
    },
    data: { values },
    facet: { field: 'model', type: 'nominal', title: null, sort: models },
    columns: 3,
    spec: {
      width: 240,
      height: 200,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.6 },
          encoding: {
            x: { field: 'position', type: 'quantitative', title: 'token position predicted from (count)' },
            y: { field: 'loss', type: 'quantitative', title: 'next-token loss (nats)', scale: { zero: false } },
            color: { field: 'when', type: 'nominal', title: null, scale: { domain: labels, scheme: 'dark2' } },
            strokeDash: { field: 'when', type: 'nominal', title: null, scale: { domain: labels } },
          },
        },
        {
          mark: { type: 'rule', strokeDash: [2, 3], color: 'gray' },
          encoding: { y: { datum: Math.log(vocabulary) } },
        },
      ],
    },
    config: CONFIG,
  } as TopLevelSpec;
}

/**
 * icl-induction: one head's attention on one held-out sequence, query position against key
 * position; circles mark where an induction head at the head's offset attends (c places after the
 * earlier occurrence of the current token, inside the repeat).
 */
export function attentionPatternFigure(model: string, example: AttentionExample): TopLevelSpec {
  const { weights, tokens, firstStart, repeatStart, segment, offset, layer, head } = example;
  const cells = weights.flatMap((row, t) => row.map((w, u) => ({ query: t, key: u, weight: w })));
  const targets: { query: number; key: number }[] = [];
  for (let i = 0; i < segment; i++) {
    const t = repeatStart + i;
    const u = firstStart + i + offset;
    if (t < weights.length && u <= t) targets.push({ query: t, key: u });
  }
  const axisLabels = tokens.slice(0, weights.length).map((tok, t) => `${t}:${tok}`);
  const axis = (title: string) => ({
    title,
    labelExpr: `[${axisLabels.map((l) => `'${l}'`).join(',')}][datum.value]`,
    labelFontSize: 8,
  });
  return {
    $schema: SCHEMA,
    title: {
      text: `Attention of ${model}'s best induction head (layer ${layer + 1}, head ${head + 1}) on one sequence`,
      subtitle: [
        `position:token; the segment occurs at positions ${firstStart}–${firstStart + segment - 1} and ` +
          `${repeatStart}–${repeatStart + segment - 1}`,
        `circles: ${offset === 1 ? 'the token after' : `${offset} places after`} the earlier occurrence of the ` +
          'current token (where an induction head looks)',
      ],
    },
    width: 420,
    height: 420,
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect' },
        encoding: {
          x: {
            field: 'key',
            type: 'ordinal',
            axis: axis('attended position (key)'),
            scale: { domain: axisLabels.map((_, i) => i) },
          },
          y: {
            field: 'query',
            type: 'ordinal',
            axis: axis('attending position (query)'),
            scale: { domain: axisLabels.map((_, i) => i) },
          },
          color: {
            field: 'weight',
            type: 'quantitative',
            title: 'attention',
            scale: { scheme: 'greys', domain: [0, 1] },
          },
        },
      },
      {
        data: { values: targets },
        mark: { type: 'point', shape: 'circle', color: '#d95f02', size: 60, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'key', type: 'ordinal' },
          y: { field: 'query', type: 'ordinal' },
        },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

/** icl-induction: every head's prefix-matching score against training steps, one panel per transformer. */
export function headsCurvesFigure(curves: Record<string, CurvePoint[]>, sequences: string): TopLevelSpec | null {
  const pattern = /^eval\/prefixMatching\/layer(\d+)\/head(\d+)$/;
  const values = Object.entries(curves).flatMap(([model, points]) =>
    points.flatMap((p) =>
      Object.entries(p).flatMap(([key, v]) => {
        const m = pattern.exec(key);
        return m === null || typeof v !== 'number' || !Number.isFinite(v)
          ? []
          : [{ model, head: `layer ${m[1]}, head ${m[2]}`, step: p.step, value: v }];
      }),
    ),
  );
  if (values.length === 0) return null;
  const models = [...new Set(values.map((v) => v.model))];
  return {
    $schema: SCHEMA,
    title: {
      text: 'Induction heads: each head’s prefix-matching score against training steps',
      subtitle: [
        'attention from a repeated token to the token after the earlier occurrence of the current token (offset 1)',
        sequences,
      ],
    },
    data: { values },
    facet: { field: 'model', type: 'nominal', title: null, sort: models },
    columns: 3,
    spec: {
      width: 260,
      height: 200,
      mark: { type: 'line', point: { filled: false, size: 20 }, strokeWidth: 1.4 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'training step (Adam updates)' },
        y: { field: 'value', type: 'quantitative', title: 'prefix matching (attention)', scale: { domain: [0, 1] } },
        color: { field: 'head', type: 'nominal', title: null, scale: { scheme: 'dark2' } },
        strokeDash: { field: 'head', type: 'nominal', title: null },
      },
    },
    config: CONFIG,
  } as TopLevelSpec;
}
