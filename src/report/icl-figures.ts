// The figure of an in-context regression run: test loss against the number of in-context
// examples, one line per trained model and learning algorithm (von Oswald et al. 2022, Fig. 2).
import type { AlgorithmIdentification } from '../icl/algorithms.ts';
import type { IclEvaluation } from '../icl/evaluate.ts';
import type { TopLevelSpec } from './svg.ts';

/** Readable names of the curve's series. */
function seriesLabel(series: string, gdSteps: number): string {
  if (series === 'gd-1') return 'GD, 1 step (line-searched η)';
  if (series === 'gd-1-fixed') return 'GD, 1 step (η of training N)';
  if (series === `gd-${gdSteps}`) return `GD, ${gdSteps} steps (line-searched η)`;
  if (series === 'ridge') return 'ridge (line-searched λ)';
  if (series === 'least-squares') return 'least squares (min. norm)';
  if (series === 'mean') return 'best constant (mean of the context labels)';
  if (series === 'zero') return 'no learning (ŷ = 0)';
  return `trained: ${series}`;
}

/** Test loss against N′, one line per series, told apart by dash and point shape (black-and-white safe). */
export function lossCurveFigure(
  curve: IclEvaluation['curve'],
  trainedExamples: number,
  dim: number,
  gdSteps: number,
  family = 'linear',
  trained = `trained models saw N = ${trainedExamples} examples`,
): TopLevelSpec {
  const values = curve.map((p) => ({ ...p, label: seriesLabel(p.series, gdSteps) }));
  // The axis ends a little above the loss of ignoring the context; a model that extrapolates worse
  // than that (deep LSA at N′ far from its training N) leaves the plot, as the subtitle says.
  const zero = Math.max(...curve.filter((p) => p.series === 'zero').map((p) => p.loss), 0);
  const top = zero > 0 ? Math.ceil(zero * 1.25 * 10) / 10 : undefined;
  const offScale = top === undefined ? [] : [...new Set(curve.filter((p) => p.loss > top).map((p) => p.series))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `In-context ${family} regression: test loss against context size`,
      subtitle: [
        `d = ${dim}; ${trained} (dotted line at N = ${trainedExamples}); baselines tuned at each N′ unless noted`,
        ...(offScale.length > 0 ? [`points above the axis are cut off (${offScale.join(', ')})`] : []),
      ],
    },
    width: 460,
    height: 300,
    data: { values },
    layer: [
      {
        mark: { type: 'line', point: { filled: false, size: 45 }, strokeWidth: 1.6, clip: true },
        encoding: {
          x: {
            field: 'examples',
            type: 'quantitative',
            title: 'in-context examples N′ (count)',
            axis: { tickMinStep: 1 },
          },
          y: {
            field: 'loss',
            type: 'quantitative',
            title: 'test loss: mean squared error of ŷ_q (y units²)',
            ...(top === undefined ? {} : { scale: { domain: [0, top] } }),
          },
          color: {
            field: 'label',
            type: 'nominal',
            title: null,
            scale: { scheme: 'dark2' },
            legend: { orient: 'right', labelLimit: 320 },
          },
          strokeDash: { field: 'label', type: 'nominal', title: null, legend: { labelLimit: 320 } },
          shape: { field: 'label', type: 'nominal', title: null, legend: { labelLimit: 320 } },
        },
      },
      {
        data: { values: [{ examples: trainedExamples }] },
        mark: { type: 'rule', strokeDash: [2, 3], color: 'gray' },
        encoding: { x: { field: 'examples', type: 'quantitative' } },
      },
    ],
    config: { font: 'sans-serif', legend: { symbolStrokeWidth: 1.6, symbolSize: 120, labelLimit: 320 } },
  } as TopLevelSpec;
}

/** Readable names of the candidate algorithms of the identification. */
export function algorithmLabel(algorithm: string): string {
  if (algorithm === 'gd-1') return 'GD, 1 step';
  if (/^gd-\d+$/.test(algorithm)) return `GD, ${algorithm.slice(3)} steps`;
  if (algorithm === 'ridge') return 'ridge (line-searched λ)';
  if (algorithm === 'ridge-bayes') return 'ridge, λ = σ²/τ² (Bayes)';
  if (algorithm === 'least-squares') return 'least squares';
  return algorithm;
}

const SPD_FLOOR = 1e-8;
const SPD_CEILING = 10;

/**
 * Squared prediction difference between each model and each candidate algorithm against the context
 * size (Akyürek et al. 2022, Fig. 3): one panel per model (columns) and noise level (rows), log scale.
 */
export function spdFigure(id: AlgorithmIdentification): TopLevelSpec {
  const values = id.rows.flatMap((r) =>
    Object.entries(r.spd).map(([algorithm, spd]) => ({
      model: r.model,
      noise: `σ = ${r.noise}`,
      examples: r.examples,
      algorithm: algorithmLabel(algorithm),
      // A log axis cannot show 0: exact agreement is drawn at the floor; a blow-up (least squares at N′ = d with
      // noise, a deep linear model far from its training N) at the ceiling, so the closer candidates stay legible.
      spd: Math.min(Math.max(spd, SPD_FLOOR), SPD_CEILING),
    })),
  );
  const models = [...new Set(id.rows.map((r) => r.model))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Which algorithm is it? Squared prediction difference from each learning algorithm',
      subtitle:
        'mean over held-out sequences of (ŷ_model − ŷ_algorithm)²; lower is closer ' +
        `(values below ${SPD_FLOOR} drawn at ${SPD_FLOOR}, above ${SPD_CEILING} at ${SPD_CEILING})`,
    },
    data: { values },
    facet: {
      column: { field: 'model', type: 'nominal', title: null, sort: models },
      row: { field: 'noise', type: 'nominal', title: null },
    },
    spec: {
      width: 200,
      height: 150,
      mark: { type: 'line', point: { filled: false, size: 35 }, strokeWidth: 1.4 },
      encoding: {
        x: { field: 'examples', type: 'quantitative', title: 'in-context examples N′ (count)' },
        y: { field: 'spd', type: 'quantitative', title: 'SPD (y units²)', scale: { type: 'log' } },
        color: { field: 'algorithm', type: 'nominal', title: null, scale: { scheme: 'dark2' } },
        strokeDash: { field: 'algorithm', type: 'nominal', title: null },
        shape: { field: 'algorithm', type: 'nominal', title: null },
      },
    },
    config: { font: 'sans-serif', legend: { symbolStrokeWidth: 1.4, labelLimit: 320 } },
  } as TopLevelSpec;
}
