// The figures of a sequence run on graph-walk (Whittington, Warren & Behrens 2021): accuracy by
// kind of prediction against training steps, and the rate maps of TEM-t's position units and
// memory neurons in two held-out environments.
import type { CurvePoint } from '../experiments/icl-sequence-run.ts';
import type { RateMap } from '../icl/walk-representations.ts';
import { curvesFigure } from './icl-sequence-figures.ts';
import type { TopLevelSpec } from './svg.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'sans-serif', legend: { symbolStrokeWidth: 1.6, symbolSize: 120, labelLimit: 320 } };

/** Accuracy on revisits by a walked route, by a new route, and on new places against training steps. */
export function walkCurvesFigure(
  curves: Record<string, CurvePoint[]>,
  alphabet: number,
  sequences: string,
): TopLevelSpec {
  const accuracy = 'accuracy (fraction correct)';
  return curvesFigure(
    {
      text: 'Predicting the next observation of a walk: accuracy on held-out environments against training steps',
      subtitle: [
        'walked route: a place revisited by a move already taken from where the walk is; new route: a place revisited',
        `by a move never taken from there; new: a first visit (dotted: chance, 1/${alphabet}); ${sequences}`,
      ],
    },
    curves,
    [
      { key: 'eval/walkedAccuracy', label: 'revisits, walked route', axis: accuracy, zero: true },
      { key: 'eval/newPathAccuracy', label: 'revisits, new route', axis: accuracy, zero: true },
      { key: 'eval/newAccuracy', label: 'new places', axis: accuracy, zero: true },
    ],
    Object.fromEntries(
      ['eval/walkedAccuracy', 'eval/newPathAccuracy', 'eval/newAccuracy'].map((k) => [k, 1 / alphabet]),
    ),
  );
}

/**
 * Rate maps of some units in two environments: one small heat map per unit (columns) and
 * environment (rows), each scaled to its own range (blank: a place never visited).
 */
export function rateMapsFigure(
  title: { text: string; subtitle: string[] },
  maps: RateMap[][],
  units: number[],
  width: number,
  unitLabel: (unit: number) => string,
): TopLevelSpec {
  const values = maps.flatMap((env, e) =>
    units.flatMap((u) => {
      const map = env[u];
      let low = Number.POSITIVE_INFINITY;
      let high = Number.NEGATIVE_INFINITY;
      for (const r of map)
        if (Number.isFinite(r)) {
          low = Math.min(low, r);
          high = Math.max(high, r);
        }
      return map.flatMap((r, place) =>
        Number.isFinite(r)
          ? [
              {
                environment: `environment ${e + 1}`,
                unit: unitLabel(u),
                x: place % width,
                y: Math.floor(place / width),
                rate: high > low ? (r - low) / (high - low) : 0,
              },
            ]
          : [],
      );
    }),
  );
  const order = units.map(unitLabel);
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: {
      row: { field: 'environment', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } },
      column: { field: 'unit', type: 'nominal', title: null, sort: order },
    },
    spec: {
      width: 12 * width,
      height: 12 * width,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'x', type: 'ordinal', axis: null, scale: { domain: Array.from({ length: width }, (_, i) => i) } },
        y: {
          field: 'y',
          type: 'ordinal',
          axis: null,
          scale: { domain: Array.from({ length: width }, (_, i) => width - 1 - i) },
        },
        color: {
          field: 'rate',
          type: 'quantitative',
          title: ['rate (of the', 'unit’s range)'],
          scale: { scheme: 'viridis', domain: [0, 1] },
        },
      },
    },
    config: { ...CONFIG, facet: { spacing: 4 }, header: { labelFontSize: 9 } },
  } as TopLevelSpec;
}
