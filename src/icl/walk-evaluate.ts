// Frozen evaluation of sequence models on graph-walk (Whittington, Warren & Behrens 2021): how often
// the observation a move leads to is predicted (the arg-max of the logits), split by the kind of the
// place it leads to:
//   new       its first visit: nothing in the walk tells what it shows (chance 1 / alphabet);
//   walked    a revisit along a move already taken from that place: a memory of the route suffices;
//   new-path  a revisit by a move never taken from that place: only a position integrated from the
//             moves tells which place it is;
//   stay      a move that did not leave the place (whatever its kind): the current observation.
// New routes are split further: a step straight back to the place of two steps before (undoing the
// last move) needs no position, only the context; every other new route needs one.
// Every walk is in an environment of its own, drawn from the evaluation's stream, so every
// environment is held out. With `forgetting`, the same walks are read under the `reset-state`
// lesion (logitsForgetting): nothing is carried from one position to the next.
import { type GraphWalkFamily, KIND_NEW_PATH, KIND_WALKED, MOVES, type WalkBatch } from '../../tasks/graph-walk.ts';
import type { Rng } from '../core/rng.ts';
import { clusteredProportion } from '../measures/stats.ts';
import { noGrad } from '../nn/tape.ts';
import { type SequenceModel, walkInputs } from './sequence-models.ts';

/** The kinds of prediction the accuracies are split by. */
export const WALK_KINDS = ['new', 'walked', 'newPath', 'stay'] as const;
export type WalkKind = (typeof WALK_KINDS)[number];

/**
 * The two parts of `newPath`: `newPathBack`, a step back to the place the walk was at two steps
 * before (it undoes its last move: the observation is in the context without any position), and
 * `newPathOther`, every other new route (only a position integrated over the walk finds it).
 */
export const NEW_PATH_PARTS = ['newPathBack', 'newPathOther'] as const;
export type NewPathPart = (typeof NEW_PATH_PARTS)[number];

/** Of each kind and part, the correct predictions and the predictions in every walk (index: the walk). */
export type WalkCounts = Record<WalkKind | NewPathPart, { correct: Int32Array; n: Int32Array }>;

/** What `evaluateWalks` measures. */
export interface WalkEvaluation {
  readonly walks: number;
  readonly intact: WalkCounts;
  /** Under the reset-state lesion; null unless asked for. */
  readonly forgetting: WalkCounts | null;
}

/** The kind of the prediction of step t + 1 of walk s (row (t + 1)·S + s of the batch). */
export function walkKindOf(batch: WalkBatch, row: number): WalkKind {
  if (batch.stays[row] === 1) return 'stay';
  const kind = batch.kinds[row];
  return kind === KIND_WALKED ? 'walked' : kind === KIND_NEW_PATH ? 'newPath' : 'new';
}

/** Counts of `walks` walks, all zero. */
export function emptyWalkCounts(walks: number): WalkCounts {
  return Object.fromEntries(
    [...WALK_KINDS, ...NEW_PATH_PARTS].map((k) => [k, { correct: new Int32Array(walks), n: new Int32Array(walks) }]),
  ) as WalkCounts;
}

/**
 * Counts the arg-max predictions of time-major logits (T·S × alphabet) on `batch`, walk s of the
 * batch as walk `first` + s of `counts`.
 */
export function countWalkPredictions(batch: WalkBatch, logits: Float64Array, counts: WalkCounts, first = 0): void {
  const { walks: S, steps: T, alphabet: A } = batch;
  if (logits.length !== T * S * A)
    throw new Error(`countWalkPredictions: ${logits.length} logits for ${T}·${S} predictions of ${A}`);
  for (let r = 0; r < T * S; r++) {
    let best = 0;
    for (let a = 1; a < A; a++) if (logits[r * A + a] > logits[r * A + best]) best = a;
    const kind = walkKindOf(batch, r + S);
    const walk = first + (r % S);
    const right = best === batch.observations[r + S] ? 1 : 0;
    counts[kind].n[walk]++;
    counts[kind].correct[walk] += right;
    if (kind === 'newPath') {
      const part = r >= S && batch.places[r + S] === batch.places[r - S] ? 'newPathBack' : 'newPathOther';
      counts[part].n[walk]++;
      counts[part].correct[walk] += right;
    }
  }
}

/**
 * Evaluates a model on `count` walks drawn from `rng` in chunks of `chunk` (chunk k from
 * `rng.fork("chunk<k>")`, so every model evaluated with the same stream and chunk sees the same walks).
 */
export function evaluateWalks(
  model: SequenceModel,
  family: GraphWalkFamily,
  rng: Rng,
  count: number,
  options: { forgetting?: boolean; chunk?: number } = {},
): WalkEvaluation {
  const chunk = options.chunk ?? 128;
  const intact = emptyWalkCounts(count);
  const forgetting = options.forgetting ? emptyWalkCounts(count) : null;
  for (let lo = 0, k = 0; lo < count; lo += chunk, k++) {
    const S = Math.min(chunk, count - lo);
    const batch = family.sampleWalks(rng.fork(`chunk${k}`), S);
    const inputs = walkInputs(batch, MOVES.length);
    countWalkPredictions(batch, noGrad(() => model.logits(inputs, S)).data, intact, lo);
    if (forgetting !== null)
      countWalkPredictions(batch, noGrad(() => model.logitsForgetting(inputs, S)).data, forgetting, lo);
  }
  return { walks: count, intact, forgetting };
}

/**
 * The accuracy of each kind pooled over walks, its 95% interval treating walks as independent
 * (clusteredProportion).
 */
export function walkAccuracies(counts: WalkCounts): Record<WalkKind | NewPathPart, WalkAccuracy> {
  return Object.fromEntries(
    [...WALK_KINDS, ...NEW_PATH_PARTS].map((k) => [k, clusteredProportion(counts[k].correct, counts[k].n)]),
  ) as Record<WalkKind | NewPathPart, WalkAccuracy>;
}

/** An accuracy over predictions (n) pooled over walks (clusters), with its 95% interval. */
export interface WalkAccuracy {
  p: number;
  ci95: [number, number];
  n: number;
  clusters: number;
}
