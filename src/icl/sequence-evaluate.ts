// Frozen evaluation of sequence models on held-out sequences: what an experiment records of a
// model trained on icl-induction or icl-bursty. Each evaluation draws its sequences from named
// forks of the given stream, so every model evaluated with the same stream sees the same sequences.
import type { IclBurstyFamily } from '../../tasks/icl-bursty.ts';
import type { IclInductionFamily, InductionBatch } from '../../tasks/icl-induction.ts';
import type { Rng } from '../core/rng.ts';
import { noGrad } from '../nn/tape.ts';
import { Tensor } from '../nn/tensor.ts';
import {
  crossEntropyByRow,
  inContextLearningScore,
  labelAccuracy,
  lastPositionLogits,
  meanByPosition,
  prefixMatchingTotals,
  previousTokenScore,
  repeatPositions,
  type SegmentLosses,
  segmentLosses,
} from './sequence-measures.ts';
import {
  type AttentionPattern,
  burstyInputs,
  burstyTargets,
  inductionInputs,
  inductionTargets,
  type SequenceModel,
  SequenceTransformer,
} from './sequence-models.ts';

/** What `evaluateInduction` measures. */
export interface InductionEvaluation {
  readonly sequences: number;
  /** Mean next-token loss (nats) at each of the L − 1 predictions. */
  readonly lossByPosition: Float64Array;
  /** Olsson et al.'s score on `lossByPosition` (`olssonWindows`): late minus early loss. */
  readonly inContextLearningScore: number;
  /** The repeat's loss against its first occurrence's. */
  readonly segment: SegmentLosses;
  /** For a transformer: each head's prefix-matching score on the repeat, [layer][head]; else null. */
  readonly prefixMatching: number[][] | null;
  /**
   * For a transformer: the prefix-matching scores on the repeat at each offset of `prefixOffsets`
   * (`prefixMatchingScore`'s `offset`: the second head of a shifted induction circuit), [i][layer][head]; else null.
   */
  readonly prefixMatchingByOffset: number[][][] | null;
  /** The offsets of `prefixMatchingByOffset`. */
  readonly prefixOffsets: readonly number[];
  /** For a transformer: each head's previous-token score, [layer][head]; else null. */
  readonly previousToken: number[][] | null;
}

/** How `evaluateInduction` reads a model. */
export interface InductionEvaluationOptions {
  /** Sequences per forward pass (the attention patterns take S·T² numbers per head; default 256). */
  readonly chunk?: number;
  /** The offsets at which to read prefix matching (default [1], Olsson et al.'s). */
  readonly prefixOffsets?: readonly number[];
}

/**
 * Evaluates a model on `count` icl-induction sequences drawn from `rng.fork('induction')`, in
 * chunks. The prefix-matching scores pool the positions of every chunk; the previous-token scores
 * are the mean over chunks weighted by their sequences.
 */
export function evaluateInduction(
  model: SequenceModel,
  family: IclInductionFamily,
  rng: Rng,
  count: number,
  options: InductionEvaluationOptions = {},
): InductionEvaluation {
  const chunk = options.chunk ?? 256;
  const prefixOffsets = options.prefixOffsets ?? [1];
  // Offset 1 (Olsson et al.'s, for `prefixMatching`) first, then the others asked for.
  const offsets = [1, ...prefixOffsets.filter((c) => c !== 1)];
  const V = family.options.vocabulary;
  const batch = family.sampleSequences(rng.fork('induction'), count);
  const T = batch.length - 1;
  const losses = new Float64Array(T * count);
  // prefixTotals[i][l][h]: the pooled total and count of offset i's scores.
  let prefixTotals: { total: number; count: number }[][][] | null = null;
  const previous: { value: number[][]; weight: number }[] = [];
  for (let lo = 0; lo < count; lo += chunk) {
    const hi = Math.min(count, lo + chunk);
    const S = hi - lo;
    const part = sliceInduction(batch, lo, hi);
    const inputs = inductionInputs(part);
    let logits: Float64Array;
    if (model instanceof SequenceTransformer) {
      const out = noGrad(() => model.logitsWithAttention(inputs, S));
      logits = out.logits.data;
      const repeat = repeatPositions(part);
      const attention = out.attention;
      prefixTotals ??= offsets.map(() => attention.map((layer) => layer.map(() => ({ total: 0, count: 0 }))));
      offsets.forEach((offset, i) => {
        attention.forEach((layer, l) => {
          layer.forEach((head, h) => {
            const totals = prefixMatchingTotals(part.tokens, head, { include: repeat, offset });
            prefixTotals![i][l][h].total += totals.total;
            prefixTotals![i][l][h].count += totals.count;
          });
        });
      });
      previous.push({
        value: out.attention.map((layer: AttentionPattern[]) => layer.map(previousTokenScore)),
        weight: S,
      });
    } else {
      logits = noGrad(() => model.logits(inputs, S)).data;
    }
    const partLosses = crossEntropyByRow(logits, inductionTargets(part), V);
    for (let t = 0; t < T; t++) losses.set(partLosses.subarray(t * S, (t + 1) * S), t * count + lo);
  }
  const lossByPosition = meanByPosition(losses, count);
  const totals = prefixTotals as { total: number; count: number }[][][] | null;
  const scores =
    totals === null
      ? null
      : totals.map((layers) =>
          layers.map((heads) => heads.map((x) => (x.count === 0 ? Number.NaN : x.total / x.count))),
        );
  return {
    sequences: count,
    lossByPosition,
    inContextLearningScore: inContextLearningScore(lossByPosition),
    segment: segmentLosses(losses, batch),
    prefixMatching: scores === null ? null : scores[0],
    prefixMatchingByOffset: scores === null ? null : prefixOffsets.map((c) => scores[offsets.indexOf(c)]),
    prefixOffsets,
    previousToken: previous.length === 0 ? null : weightedMean(previous),
  };
}

/** One head's attention on one held-out sequence, with where the sequence's segment lies. */
export interface AttentionExample {
  readonly layer: number;
  readonly head: number;
  /** The prefix-matching offset the head was chosen at (`prefixMatchingScore`'s). */
  readonly offset: number;
  /** The L tokens of the sequence (the model reads the first L − 1). */
  readonly tokens: number[];
  readonly firstStart: number;
  readonly repeatStart: number;
  readonly segment: number;
  /** weights[t][u]: the attention from position t to position u ≤ t, t, u < L − 1. */
  readonly weights: number[][];
}

/**
 * The attention pattern of head (layer, head) of a transformer on one held-out sequence: the first of
 * up to 64 sequences drawn from `rng.fork('attention-example')` whose segment has the longest length
 * and whose occurrences lie at least `offset` apart (so the head's target exists at every repeated
 * token).
 */
export function attentionExample(
  model: SequenceTransformer,
  family: IclInductionFamily,
  rng: Rng,
  layer: number,
  head: number,
  offset = 1,
): AttentionExample {
  const candidates = family.sampleSequences(rng.fork('attention-example'), 64);
  let pick = 0;
  for (let s = 0; s < candidates.sequences; s++) {
    const gap = candidates.repeatStart[s] - candidates.firstStart[s];
    if (candidates.segments[s] === candidates.segment && gap >= offset) {
      pick = s;
      break;
    }
  }
  const one = sliceInduction(candidates, pick, pick + 1);
  const { attention } = noGrad(() => model.logitsWithAttention(inductionInputs(one), 1));
  const pattern = attention[layer]?.[head];
  if (pattern === undefined) throw new Error(`attentionExample: the model has no head ${head} in layer ${layer}`);
  const T = pattern.length;
  return {
    layer,
    head,
    offset,
    tokens: Array.from(one.tokens),
    firstStart: one.firstStart[0],
    repeatStart: one.repeatStart[0],
    segment: one.segments[0],
    weights: Array.from({ length: T }, (_, t) => Array.from(pattern.weights.subarray(t * T, t * T + t + 1))),
  };
}

/** Sequences lo … hi − 1 of an induction batch, as a batch of their own (time-major). */
export function sliceInduction(batch: InductionBatch, lo: number, hi: number): InductionBatch {
  if (lo === 0 && hi === batch.sequences) return batch;
  const S = batch.sequences;
  const n = hi - lo;
  const pick = <A extends Int32Array | Uint8Array>(a: A, out: A): A => {
    for (let t = 0; t < batch.length; t++) out.set(a.subarray(t * S + lo, t * S + hi), t * n);
    return out;
  };
  return {
    ...batch,
    sequences: n,
    tokens: pick(batch.tokens, new Int32Array(batch.length * n)),
    regions: pick(batch.regions, new Uint8Array(batch.length * n)),
    offsets: pick(batch.offsets, new Int32Array(batch.length * n)),
    firstStart: batch.firstStart.slice(lo, hi),
    repeatStart: batch.repeatStart.slice(lo, hi),
    segments: batch.segments.slice(lo, hi),
  };
}

/** The weighted mean of [layer][head] tables (NaN entries, of chunks where nothing counted, are skipped). */
function weightedMean(tables: { value: number[][]; weight: number }[]): number[][] {
  return tables[0].value.map((layer, l) =>
    layer.map((_, h) => {
      let sum = 0;
      let weight = 0;
      for (const { value, weight: w } of tables) {
        if (Number.isNaN(value[l][h]) || w === 0) continue;
        sum += value[l][h] * w;
        weight += w;
      }
      return weight === 0 ? Number.NaN : sum / weight;
    }),
  );
}

/** What `evaluateBursty` measures (Chan et al. 2022). */
export interface BurstyEvaluation {
  readonly sequences: number;
  /** Accuracy on held-out classes with labels 0/1 assigned in the context, among labels 0 and 1 (chance 0.5). */
  readonly inContextAccuracy: number;
  /** Accuracy on trained classes absent from the context, among all labels (chance 1/labels). */
  readonly inWeightsAccuracy: number;
  /** Accuracy on fresh training sequences, among all labels. */
  readonly trainAccuracy: number;
}

/**
 * Evaluates a model on `count` sequences of each kind: in-context from `rng.fork('in-context')`,
 * in-weights from `rng.fork('in-weights')`, training sequences from `rng.fork('train')`.
 */
export function evaluateBursty(
  model: SequenceModel,
  family: IclBurstyFamily,
  rng: Rng,
  count: number,
  chunk = 1000,
): BurstyEvaluation {
  const C = family.options.labels;
  const accuracy = (kind: 'train' | 'in-context' | 'in-weights', among?: number[]) => {
    const batch = family.sampleSequences(rng.fork(kind), count, kind);
    const inputs = burstyInputs(batch);
    const targets = burstyTargets(batch);
    let correct = 0;
    const T = inputs.rows / count;
    for (let lo = 0; lo < count; lo += chunk) {
      const hi = Math.min(count, lo + chunk);
      const S = hi - lo;
      // The time-major rows of sequences lo … hi − 1.
      const part = new Float64Array(T * S * inputs.cols);
      for (let t = 0; t < T; t++)
        part.set(
          inputs.data.subarray((t * count + lo) * inputs.cols, (t * count + hi) * inputs.cols),
          t * S * inputs.cols,
        );
      const logits = noGrad(() => model.logits(new Tensor(T * S, inputs.cols, part), S)).data;
      correct += labelAccuracy(lastPositionLogits(logits, S, C), targets.subarray(lo, hi), C, among) * S;
    }
    return correct / count;
  };
  return {
    sequences: count,
    inContextAccuracy: accuracy('in-context', [0, 1]),
    inWeightsAccuracy: accuracy('in-weights'),
    trainAccuracy: accuracy('train'),
  };
}
