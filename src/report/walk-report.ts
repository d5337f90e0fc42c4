// The report's part for a sequence run on graph-walk: every model's accuracy by kind of prediction,
// intact and under reset-state, with 95% intervals over walks; the accuracies against training
// steps; and TEM-t's position units and memory neurons in two held-out environments (rate maps,
// spatial information, grid scores, and how each unit's map carries over between the environments).
import type { IclSequenceEvalFile, WalkFinal } from '../experiments/icl-sequence-run.ts';
import type { NewPathPart, WalkAccuracy, WalkKind } from '../icl/walk-evaluate.ts';
import { mean } from '../measures/stats.ts';
import type { TopLevelSpec } from './svg.ts';
import { rateMapsFigure, walkCurvesFigure } from './walk-figures.ts';

const num = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
const interval = (a: WalkAccuracy) =>
  a.n === 0
    ? '–'
    : Number.isFinite(a.ci95[0])
      ? `${num(a.p)} [${num(a.ci95[0])}, ${num(a.ci95[1])}]`
      : `${num(a.p)} (${a.n} predictions)`;
const KIND_LABELS: Record<WalkKind | NewPathPart, string> = {
  new: 'new place',
  walked: 'revisit, walked route',
  newPath: 'revisit, new route',
  newPathBack: 'new route: straight back',
  newPathOther: 'new route: any other',
  stay: 'stay',
};
/** The table's columns: the kinds, new routes followed by their two parts. */
const COLUMNS: (WalkKind | NewPathPart)[] = ['new', 'walked', 'newPath', 'newPathBack', 'newPathOther', 'stay'];
/** Mean of the finite values (NaN if none). */
const finiteMean = (xs: readonly number[]) => {
  const kept = xs.filter(Number.isFinite);
  return kept.length === 0 ? Number.NaN : mean(kept);
};
/** Units shown in a rate-map figure. */
const SHOWN = 12;

/**
 * The lines of the graph-walk part; `figure` writes a figure and adds its lines. The models are
 * the eval file's, in order.
 */
export async function walkSection(
  ev: IclSequenceEvalFile,
  figure: (name: string, spec: TopLevelSpec, caption: string) => Promise<void>,
  lines: string[],
  periodic: string,
): Promise<void> {
  const models = Object.entries(ev.models);
  const alphabet = ev.taskOptions.alphabet as number;
  const table = (pick: (f: WalkFinal) => WalkFinal['accuracy']) => [
    `| model | kind | parameters | steps | ${COLUMNS.map((k) => KIND_LABELS[k]).join(' | ')} |`,
    `|---|---|---|---|${COLUMNS.map(() => '---').join('|')}|`,
    ...models.map(([id, m]) => {
      const f = pick(m.final as WalkFinal);
      return (
        `| ${id} | ${m.model} | ${m.parameters.toLocaleString('en-US')} | ${m.steps} | ` +
        `${COLUMNS.map((k) => (f[k] === undefined ? '–' : interval(f[k]))).join(' | ')} |`
      );
    }),
  ];
  const first = models[0]?.[1].final as WalkFinal | undefined;
  const counts =
    first === undefined ? '' : COLUMNS.map((k) => `${first.accuracy[k]?.n ?? 0} ${KIND_LABELS[k]}`).join(', ');
  lines.push(
    'Accuracy of the arg-max prediction of the observation each move leads to, every walk in an environment never ' +
      `seen in training, by the kind of place it leads to (chance ${num(1 / alphabet)}). New routes are split into ` +
      'steps straight back to the place of two steps before (undoing the last move: the context holds the answer ' +
      'without any position) and every other new route. Intervals: 95%, treating walks, not predictions, as ' +
      `independent. Predictions: ${counts}.`,
    '',
    ...table((f) => f.accuracy),
    '',
    '**reset-state**: the same walks with whatever a model carries from one step to the next (memories, ' +
      'key/value cache, recurrent state) emptied before every step. Accuracy that falls to chance was learned ' +
      'in the activity, not the weights.',
    '',
    ...table((f) => f.resetState),
    '',
  );
  if (models.some(([, m]) => m.curve.length > 0))
    await figure(
      'walk-accuracy-vs-steps.svg',
      walkCurvesFigure(Object.fromEntries(models.map(([id, m]) => [id, m.curve])), alphabet, periodic),
      'Accuracy by kind of place against training steps.',
    );
  for (const [id, m] of models) {
    const r = (m.final as WalkFinal).representations;
    if (r === null || r === undefined) continue;
    const correlation = (xs: number[]) => num(finiteMean(xs));
    const grid = r.gridScores.flat().filter(Number.isFinite);
    const square = (r.squareGridScores ?? []).flat().filter(Number.isFinite);
    lines.push(
      `### ${id}: position units and memory neurons`,
      '',
      `Two held-out ${r.width}×${r.width} environments, one walk of ${r.steps} moves in each from the middle ` +
        `place. Accuracy on those walks, new route: ${r.accuracy.map((a) => interval(a.newPath)).join(' and ')}; ` +
        `walked route: ${r.accuracy.map((a) => interval(a.walked)).join(' and ')}.`,
      '',
      '| units | count | spatial information (bits), environment 1 | environment 2 | map correlation between ' +
        'environments | grid score (60°) | square grid score (90°) |',
      '|---|---|---|---|---|---|---|',
      `| position units g | ${r.positionMaps[0].length} | ${num(finiteMean(r.positionInformation[0]))} | ` +
        `${num(finiteMean(r.positionInformation[1]))} | ${correlation(r.positionCorrelation)} | ` +
        `${num(finiteMean(grid))} (${grid.filter((g) => g > 0).length} of ${grid.length} > 0) | ` +
        `${num(finiteMean(square))} (${square.filter((g) => g > 0).length} of ${square.length} > 0) |`,
      `| memory neurons (memories of steps ${r.memorySteps[0]}–${r.memorySteps.at(-1)}) | ` +
        `${r.memoryMaps[0].length} | ` +
        `${num(finiteMean(r.memoryInformation[0]))} | ${num(finiteMean(r.memoryInformation[1]))} | ` +
        `${correlation(r.memoryCorrelation)} | – | – |`,
      '',
      'Means over units. Spatial information: Skaggs et al. (1993), rates above each map’s minimum. Map correlation: ' +
        'Pearson over the places visited in both environments. Grid score: the autocorrelogram’s correlation with ' +
        'its 60° and 120° rotations minus that with its 30°, 90° and 150° ones; square grid score: with its 90° ' +
        'rotation minus that with its 45° and 135° ones (a world of four moves has square symmetry). Counted over ' +
        'both environments.',
      '',
    );
    const byInformation = (info: number[]) =>
      info
        .map((v, i) => ({ v: Number.isFinite(v) ? v : -1, i }))
        .sort((a, b) => b.v - a.v)
        .slice(0, SHOWN)
        .map((u) => u.i)
        .sort((a, b) => a - b);
    await figure(
      `walk-position-maps-${id}.svg`,
      rateMapsFigure(
        {
          text: `${id}: rate maps of position units in two held-out environments`,
          subtitle: [
            `the ${Math.min(SHOWN, r.positionMaps[0].length)} units of g with the most spatial information in ` +
              'environment 1, each map scaled to its own range; walks from the middle place',
            `correlation of each map between the environments: ${byInformation(r.positionInformation[0])
              .map((u) => num(r.positionCorrelation[u], 2))
              .join(', ')}`,
          ],
        },
        r.positionMaps,
        byInformation(r.positionInformation[0]),
        r.width,
        (u) => `g${u + 1}`,
      ),
      `Rate maps of ${id}'s position units in two held-out environments.`,
    );
    const shownMemories = Array.from({ length: Math.min(SHOWN, r.memoryMaps[0].length) }, (_, i) => i);
    await figure(
      `walk-memory-maps-${id}.svg`,
      rateMapsFigure(
        {
          text: `${id}: rate maps of memory neurons in two held-out environments`,
          subtitle: [
            'memory neuron τ: the attention paid to the memory stored at step τ, at each place, from step τ on',
            `correlation of each map between the environments: ${shownMemories
              .map((u) => num(r.memoryCorrelation[u], 2))
              .join(', ')}`,
          ],
        },
        r.memoryMaps,
        shownMemories,
        r.width,
        (u) => `τ = ${r.memorySteps[u]}`,
      ),
      `Rate maps of ${id}'s memory neurons in two held-out environments.`,
    );
  }
}
