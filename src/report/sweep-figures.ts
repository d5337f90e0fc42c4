// The figures of a sweep of sequence-model runs: on icl-bursty, one panel per cell of the sweep
// (its settings other than the seed), the in-context and in-weights accuracy of every model
// against training steps, one line per model, measure and seed (Chan et al. 2022, Fig. 2 and 3:
// how the data's burstiness and Zipf exponent trade in-context against in-weights learning).
import type { CurvePoint } from '../experiments/icl-sequence-run.ts';
import type { TopLevelSpec } from './svg.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'sans-serif', legend: { symbolStrokeWidth: 1.6, symbolSize: 120, labelLimit: 320 } };

/** One cell of a sweep: its label, its task's label count (for in-weights chance) and every run's curves. */
export interface BurstyCell {
  cell: string;
  labels: number;
  /** One entry per run of the cell and model: the model, the run's seed and its periodic evaluations. */
  lines: { model: string; seed: number; curve: CurvePoint[] }[];
}

const MEASURES = [
  { key: 'eval/inContextAccuracy', label: 'in-context' },
  { key: 'eval/inWeightsAccuracy', label: 'in-weights' },
] as const;

/**
 * icl-bursty over the cells of a sweep: one panel per cell, in-context (solid) and in-weights
 * (dashed) accuracy against training steps, a colour and point shape per model, a line per seed;
 * dotted: chance, 0.5 in context and 1/labels in the weights.
 */
export function burstySweepFigure(cells: BurstyCell[], subtitle: string[]): TopLevelSpec {
  const models = [...new Set(cells.flatMap((c) => c.lines.map((l) => l.model)))];
  const measures = MEASURES.map((m) => m.label);
  const panel = (c: BurstyCell) => {
    const values = c.lines.flatMap((l) =>
      MEASURES.flatMap((m) =>
        l.curve
          .filter((p) => typeof p[m.key] === 'number' && Number.isFinite(p[m.key]))
          .map((p) => ({ model: l.model, seed: l.seed, measure: m.label, step: p.step, value: p[m.key] as number })),
      ),
    );
    return {
      title: c.cell,
      width: 260,
      height: 200,
      layer: [
        {
          data: { values },
          mark: { type: 'line', point: { filled: false, size: 24 }, strokeWidth: 1.4 },
          encoding: {
            x: { field: 'step', type: 'quantitative', title: 'training step (Adam updates)' },
            y: {
              field: 'value',
              type: 'quantitative',
              title: 'accuracy (fraction correct)',
              scale: { domain: [0, 1] },
            },
            color: { field: 'model', type: 'nominal', title: 'model', scale: { scheme: 'dark2' }, sort: models },
            shape: { field: 'model', type: 'nominal', title: 'model', sort: models },
            strokeDash: { field: 'measure', type: 'nominal', title: 'accuracy', sort: measures },
            detail: { field: 'seed', type: 'nominal' },
          },
        },
        {
          data: { values: [{ value: 0.5 }, { value: 1 / c.labels }] },
          mark: { type: 'rule', strokeDash: [2, 3], color: 'gray' },
          encoding: { y: { field: 'value', type: 'quantitative' } },
        },
      ],
    };
  };
  return {
    $schema: SCHEMA,
    title: {
      text: 'Emergent in-context learning across the sweep: accuracy on held-out sequences against training steps',
      subtitle,
    },
    concat: cells.map(panel),
    columns: Math.min(cells.length, 2),
    config: CONFIG,
  } as TopLevelSpec;
}
