// Measures of in-context learning in sequence models trained without meta-learning: losses by
// position, Olsson et al.'s (2022) in-context learning score, the loss on a repeated segment
// against its first occurrence, each head's prefix-matching and previous-token scores (the two
// halves of an induction circuit), and Chan et al.'s (2022) in-context and in-weights accuracies.
// They are functions of arrays (logits, targets, attention patterns), not of models, so they serve
// any model that produced them; every array is time-major (row t·S + s is position t of sequence s).
import { REGION_FIRST, REGION_REPEAT } from '../../tasks/icl-induction.ts';
import type { AttentionPattern } from './sequence-models.ts';

/**
 * The cross-entropy −log softmax(logits_r)[targets[r]] of every row r (logits: rows × classes,
 * row-major), in nats.
 */
export function crossEntropyByRow(logits: Float64Array, targets: ArrayLike<number>, classes: number): Float64Array {
  const rows = targets.length;
  if (logits.length !== rows * classes)
    throw new Error(`crossEntropyByRow: ${logits.length} logits for ${rows} rows of ${classes} classes`);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[row + c]);
    let total = 0;
    for (let c = 0; c < classes; c++) total += Math.exp(logits[row + c] - max);
    const target = targets[r];
    if (!Number.isInteger(target) || target < 0 || target >= classes)
      throw new Error(`crossEntropyByRow: target ${target} of row ${r} is not a class of ${classes}`);
    out[r] = max + Math.log(total) - logits[row + target];
  }
  return out;
}

/** The mean over sequences of a time-major per-row quantity (T·S values): T means. */
export function meanByPosition(values: ArrayLike<number>, sequences: number): Float64Array {
  if (values.length % sequences !== 0)
    throw new Error(`meanByPosition: ${values.length} values are not whole positions of ${sequences} sequences`);
  const T = values.length / sequences;
  const out = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let total = 0;
    for (let s = 0; s < sequences; s++) total += values[t * sequences + s];
    out[t] = total / sequences;
  }
  return out;
}

/** A window of positions [from, to), or one position. */
export type PositionWindow = number | readonly [from: number, to: number];

/**
 * Olsson et al.'s in-context learning score: the mean loss in the `late` window minus the mean in
 * the `early` window (negative when later tokens are predicted better: the context helps). Their
 * windows are the 500th and the 50th token of 512; `olssonWindows` scales them to a length.
 */
export function inContextLearningScore(
  lossByPosition: ArrayLike<number>,
  windows: { early: PositionWindow; late: PositionWindow } = olssonWindows(lossByPosition.length),
): number {
  return windowMean(lossByPosition, windows.late) - windowMean(lossByPosition, windows.early);
}

/**
 * Olsson et al.'s positions 50 and 500 of 512 scaled to a sequence of `length` predictions:
 * early = ⌊50·length/512⌋, late = ⌊500·length/512⌋ (0-based).
 */
export function olssonWindows(length: number): { early: number; late: number } {
  if (!Number.isInteger(length) || length < 2)
    throw new Error(`olssonWindows: a length of ${length} has no two positions`);
  return { early: Math.floor((50 * length) / 512), late: Math.min(length - 1, Math.floor((500 * length) / 512)) };
}

function windowMean(values: ArrayLike<number>, window: PositionWindow): number {
  const [from, to] = typeof window === 'number' ? [window, window + 1] : window;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > values.length || from >= to)
    throw new Error(`inContextLearningScore: window [${from}, ${to}) is not within ${values.length} positions`);
  let total = 0;
  for (let t = from; t < to; t++) total += values[t];
  return total / (to - from);
}

/**
 * Where an icl-induction batch puts its repeated segment (InductionBatch's `regions`, `offsets`,
 * `segment`, the longest, and `segments`, each sequence's length).
 */
export interface SegmentLayout {
  readonly sequences: number;
  readonly segment: number;
  readonly regions: ArrayLike<number>;
  readonly offsets: ArrayLike<number>;
  /** Each sequence's segment length (default: all `segment`). */
  readonly segments?: ArrayLike<number>;
}

/** The next-token loss on the repeated segment against the same positions of its first occurrence. */
export interface SegmentLosses {
  /** Mean loss at the first occurrence's positions 0 … segment − 2 (the next token is uniform there). */
  readonly first: number;
  /** Mean loss at the repeat's positions 0 … segment − 2 (the next token is given by the first occurrence). */
  readonly repeat: number;
  /** repeat − first: negative when the model copies from the first occurrence. */
  readonly difference: number;
  /** Mean losses by offset 0 … segment − 2 within each occurrence (NaN at an offset no sequence reaches). */
  readonly firstByOffset: Float64Array;
  readonly repeatByOffset: Float64Array;
}

/**
 * The loss on the repeat and on the first occurrence of an icl-induction batch: at position t
 * (predicting token t + 1) whose token lies in an occurrence at offset < k − 1 (k the sequence's
 * segment length), so that the target lies in the same occurrence. `losses` is per prediction ((L−1)·S, time-major, as
 * `crossEntropyByRow` of a model's logits on `inductionInputs`).
 */
export function segmentLosses(losses: ArrayLike<number>, layout: SegmentLayout): SegmentLosses {
  const k = layout.segment;
  if (k < 2) throw new Error('segmentLosses: a segment of one token predicts nothing within itself');
  const sums = { first: new Float64Array(k - 1), repeat: new Float64Array(k - 1) };
  const counts = { first: new Float64Array(k - 1), repeat: new Float64Array(k - 1) };
  const S = layout.sequences;
  for (let r = 0; r < losses.length; r++) {
    const offset = layout.offsets[r];
    if (offset < 0 || offset >= (layout.segments?.[r % S] ?? k) - 1) continue;
    const which = layout.regions[r] === REGION_FIRST ? 'first' : layout.regions[r] === REGION_REPEAT ? 'repeat' : null;
    if (which === null) continue;
    sums[which][offset] += losses[r];
    counts[which][offset]++;
  }
  const byOffset = (which: 'first' | 'repeat') => sums[which].map((v, i) => v / counts[which][i]);
  const total = (which: 'first' | 'repeat') =>
    sums[which].reduce((a, b) => a + b, 0) / counts[which].reduce((a, b) => a + b, 0);
  const first = total('first');
  const repeat = total('repeat');
  return {
    first,
    repeat,
    difference: repeat - first,
    firstByOffset: byOffset('first'),
    repeatByOffset: byOffset('repeat'),
  };
}

/** Which positions `prefixMatchingScore` counts, and how far after an earlier occurrence it looks. */
export interface PrefixMatchingOptions {
  /** Count only positions t where include[t·S + s] is truthy (time-major, like the tokens). */
  readonly include?: ArrayLike<number | boolean>;
  /** Attention to s + offset after an earlier occurrence s (default 1). */
  readonly offset?: number;
}

/**
 * A head's prefix-matching score (Olsson et al. 2022): for every position t whose token occurred
 * before, at positions s < t, the attention t pays to the positions s + 1 just after those earlier
 * occurrences (summed over them, so a head that attends only there scores 1), averaged over such
 * positions t of every sequence. `tokens` are the tokens the model read, time-major (at least
 * length·S of them: for icl-induction, the batch's tokens, whose last position is not read). With
 * `include` (time-major, like `tokens`), only positions t where it is truthy count: with few tokens
 * many repeat by accident, where copying does not help, so on icl-induction the score is read on the
 * repeated segment (`repeatPositions`). NaN when no counted token repeats.
 *
 * With `offset` c (default 1, Olsson et al.'s), the attention to s + c (for occurrences with
 * s + c ≤ t) instead: the second head of a shifted induction circuit, whose first head reads c − 1
 * tokens back instead of one, attends there. On icl-induction, where the gap between the
 * occurrences is at least the segment's length, every c up to that length copies as well as c = 1,
 * and trained models do use such circuits: a 2-layer attention-only transformer (width 32, 2 heads)
 * trained 1000 steps on V = 16, L = 32, segment 12 copied through first-layer heads reading 11 and
 * 12 tokens back, its second-layer heads scoring 0.79 and 0.57 at c = 12 and at most 0.07 at c = 1.
 */
export function prefixMatchingScore(
  tokens: ArrayLike<number>,
  pattern: AttentionPattern,
  options: PrefixMatchingOptions = {},
): number {
  const { total, count } = prefixMatchingTotals(tokens, pattern, options);
  return count === 0 ? Number.NaN : total / count;
}

/**
 * The sum of the per-position scores of `prefixMatchingScore` and the number of positions counted
 * (its mean is total / count), for averaging over several batches exactly.
 */
export function prefixMatchingTotals(
  tokens: ArrayLike<number>,
  pattern: AttentionPattern,
  options: PrefixMatchingOptions = {},
): { total: number; count: number } {
  const { include, offset = 1 } = options;
  if (!Number.isInteger(offset) || offset < 1)
    throw new Error(`prefixMatchingScore: the offset must be a positive integer, got ${offset}`);
  const { sequences: S, length: T, weights } = pattern;
  if (tokens.length < T * S)
    throw new Error(`prefixMatchingScore: ${tokens.length} tokens for ${S} sequences of ${T} positions`);
  let total = 0;
  let count = 0;
  for (let s = 0; s < S; s++) {
    for (let t = 1; t < T; t++) {
      if (include !== undefined && !include[t * S + s]) continue;
      const token = tokens[t * S + s];
      let score = 0;
      let seen = false;
      for (let u = 0; u + offset <= t; u++) {
        if (tokens[u * S + s] !== token) continue;
        seen = true;
        score += weights[(s * T + t) * T + u + offset];
      }
      if (seen) {
        total += score;
        count++;
      }
    }
  }
  return { total, count };
}

/**
 * A head's previous-token score: the attention from every position t ≥ 1 to t − 1, averaged (the
 * first half of an induction circuit, Elhage et al. 2021).
 */
export function previousTokenScore(pattern: AttentionPattern): number {
  const { sequences: S, length: T, weights } = pattern;
  if (T < 2) return Number.NaN;
  let total = 0;
  for (let s = 0; s < S; s++) for (let t = 1; t < T; t++) total += weights[(s * T + t) * T + t - 1];
  return total / (S * (T - 1));
}

/** `prefixMatchingScore` of every head, scores[l][h] for block l and head h. */
export function prefixMatchingScores(
  tokens: ArrayLike<number>,
  attention: readonly AttentionPattern[][],
  options: PrefixMatchingOptions = {},
): number[][] {
  return attention.map((layer) => layer.map((head) => prefixMatchingScore(tokens, head, options)));
}

/** 1 at the positions of an icl-induction batch's repeat (`regions` = REGION_REPEAT), else 0, time-major. */
export function repeatPositions(layout: { readonly regions: ArrayLike<number> }): Uint8Array {
  return Uint8Array.from(layout.regions, (r) => (r === REGION_REPEAT ? 1 : 0));
}

/**
 * The accuracy of predicted labels: the fraction of rows whose largest logit (logits: rows ×
 * classes, row-major) is the target. With `among`, only those labels compete (ties go to the
 * first): for icl-bursty's in-context evaluation, among [0, 1], whose chance is 0.5; without it,
 * every label (as for the in-weights evaluation).
 */
export function labelAccuracy(
  logits: Float64Array,
  targets: ArrayLike<number>,
  classes: number,
  among?: readonly number[],
): number {
  const rows = targets.length;
  if (logits.length !== rows * classes)
    throw new Error(`labelAccuracy: ${logits.length} logits for ${rows} rows of ${classes} classes`);
  const candidates = among ?? Array.from({ length: classes }, (_, c) => c);
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    let best = candidates[0];
    for (const c of candidates) if (logits[r * classes + c] > logits[r * classes + best]) best = c;
    if (best === targets[r]) correct++;
  }
  return correct / rows;
}

/** The last `sequences` rows of time-major logits (positions × sequences × classes): the query's. */
export function lastPositionLogits(logits: Float64Array, sequences: number, classes: number): Float64Array {
  return logits.subarray(logits.length - sequences * classes);
}
