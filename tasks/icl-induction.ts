// Repeated random tokens, the setting in which Olsson et al. (2022, "In-context learning and
// induction heads") read induction heads: a sequence of `length` tokens drawn uniformly from a
// vocabulary of `vocabulary` tokens, in which a random segment of `segment` tokens occurs twice.
// The target at every position is the next token. Inside the repeat, after its first token, the
// next token is determined by the first occurrence — a model that copies "the token after the
// previous occurrence of the current token" (an induction head) predicts it; everywhere else the
// next token is uniform and no model can beat log(vocabulary) nats.
//
// With `segmentMin`, each sequence's segment length k is uniform on {segmentMin, …, segment};
// otherwise k = segment. The gap between the occurrences is uniform, g = b − a ~ U{k, …, length − k},
// and then the first occurrence's start a ~ U{0, …, length − k − g}: they never overlap, and may
// touch. A uniform gap matters: were a drawn first and b after it, small gaps would be the most
// common (for length 16 and segment 5, a gap of 5 in 37% of sequences), and a first-layer head that
// copies from a fixed distance back would pass for in-context copying; a uniform gap leaves such a
// head 1/(length − 2·segment + 1) of the repeat. A circuit whose first layer reads c − 1 tokens
// back and whose second attends c places after the earlier occurrence (a "shifted" induction
// circuit; Olsson et al.'s has c = 1) copies whenever c ≤ g; every gap is at least k, so with a
// fixed segment every c ≤ segment copies as well as c = 1. Shorter segments (`segmentMin`) allow
// shorter gaps, which only small c copy across (the gap stays uniform on {k, …, length − k}, so
// the pressure is mild). `gapMax` caps the gap, so short segments come back soon after their first
// occurrence: with segmentMin = 2 and a small gapMax, only circuits with small c copy in most
// sequences. No gap is below 2 when a segment has a token to copy, so c = 2 copies as often as c = 1;
// c = 1 is the simpler circuit (its first layer carries one token back, the current token being in
// the residual stream, where c = 2 needs two).
//
// Like icl-regression it is a supervised sequence task that meets the task contract as a one-step
// task: the observation is the first length − 1 token ids, the action a guess of the last token
// (discrete, one of `vocabulary`), the reward 1 when the guess is right. Training goes through
// `sampleSequences`, which draws whole batches.
import { z } from 'zod';
import { UsageError } from '../src/core/errors.ts';
import { option, parseOptions } from '../src/core/options.ts';
import type { TaskEntry } from '../src/core/registry.ts';
import type { Rng } from '../src/core/rng.ts';
import {
  CHOICE_INFO_FIELDS,
  type GroundTruth,
  type StepResult,
  type TaskFamily,
  type TaskInstance,
} from '../src/core/types.ts';
import { guessStep } from './kit/guess.ts';

export const iclInductionOptions = z.strictObject({
  vocabulary: option(z.int().min(2).max(65_536).default(64), 'Number of distinct tokens V (uniform draws)'),
  length: option(z.int().min(2).max(4096).default(64), 'Tokens per sequence, L'),
  segment: option(z.int().min(1).max(2048).default(10), 'Length of the segment that occurs twice (2·segment ≤ L)'),
  segmentMin: option(
    z.int().min(1).max(2048).optional(),
    "Shortest segment: each sequence's is uniform on {segmentMin, …, segment} (default: always segment)",
  ),
  gapMax: option(
    z.int().min(1).max(4096).optional(),
    'Longest gap b − a between the occurrences: the gap is uniform on {k, …, min(gapMax, L − k)} (default: L − k)',
  ),
});
export type IclInductionOptions = z.output<typeof iclInductionOptions>;

/** Where a token lies: outside the segment, in its first occurrence, or in its repeat. */
export const INDUCTION_REGIONS = ['other', 'first', 'repeat'] as const;
export type InductionRegion = (typeof INDUCTION_REGIONS)[number];
/** The codes of `regions` in an InductionBatch (indices into INDUCTION_REGIONS). */
export const REGION_OTHER = 0;
export const REGION_FIRST = 1;
export const REGION_REPEAT = 2;

/**
 * A batch of S sequences of L tokens, time-major (row t·S + s is token t of sequence s, as the
 * models read them):
 *   tokens[t·S + s]   the token id in 0 … V − 1;
 *   regions[t·S + s]  REGION_OTHER, REGION_FIRST or REGION_REPEAT (where token t lies);
 *   offsets[t·S + s]  its index 0 … segment − 1 within the segment, −1 outside both occurrences;
 *   firstStart[s], repeatStart[s]: where the two occurrences begin;
 *   segments[s]: the length k of sequence s's segment (`segment`, the option, unless `segmentMin`).
 * The target at position t < L − 1 is tokens[(t+1)·S + s]; it is determined by the context
 * exactly when regions[t·S + s] = REGION_REPEAT and offsets[t·S + s] < segments[s] − 1.
 */
export interface InductionBatch {
  readonly sequences: number;
  readonly length: number;
  readonly vocabulary: number;
  /** The longest segment (the option `segment`). */
  readonly segment: number;
  readonly tokens: Int32Array;
  readonly regions: Uint8Array;
  readonly offsets: Int32Array;
  readonly firstStart: Int32Array;
  readonly repeatStart: Int32Array;
  readonly segments: Int32Array;
}

export interface IclInductionFamily extends TaskFamily<IclInductionOptions> {
  /** Draws `count` sequences; sequence s comes from `rng.fork(String(s))`, so it does not depend on the batch size. */
  sampleSequences(rng: Rng, count: number): InductionBatch;
}

function emptyBatch(sequences: number, options: IclInductionOptions): InductionBatch {
  const n = sequences * options.length;
  return {
    sequences,
    length: options.length,
    vocabulary: options.vocabulary,
    segment: options.segment,
    tokens: new Int32Array(n),
    regions: new Uint8Array(n),
    offsets: new Int32Array(n).fill(-1),
    firstStart: new Int32Array(sequences),
    repeatStart: new Int32Array(sequences),
    segments: new Int32Array(sequences),
  };
}

/**
 * Draws sequence s into the batch. The order of draws is fixed — the segment's length (only with
 * `segmentMin`), the gap b − a, the first start a, then all L tokens in order (the repeat's draws
 * are made and overwritten by the copy) — so a stream gives the same sequence whatever the
 * segment's place.
 */
function drawSequence(rng: Rng, batch: InductionBatch, s: number, options: IclInductionOptions): void {
  const { length: L, vocabulary: V, sequences: S } = batch;
  const { segmentMin, gapMax } = options;
  const k = segmentMin === undefined ? batch.segment : rng.intRange(segmentMin, batch.segment);
  batch.segments[s] = k;
  const gap = rng.intRange(k, Math.min(gapMax ?? L, L - k));
  const a = rng.intRange(0, L - k - gap);
  const b = a + gap;
  batch.firstStart[s] = a;
  batch.repeatStart[s] = b;
  for (let t = 0; t < L; t++) batch.tokens[t * S + s] = rng.int(V);
  for (let i = 0; i < k; i++) {
    batch.tokens[(b + i) * S + s] = batch.tokens[(a + i) * S + s];
    batch.regions[(a + i) * S + s] = REGION_FIRST;
    batch.offsets[(a + i) * S + s] = i;
    batch.regions[(b + i) * S + s] = REGION_REPEAT;
    batch.offsets[(b + i) * S + s] = i;
  }
}

class InductionInstance implements TaskInstance {
  private readonly batch: InductionBatch;
  private done = false;

  constructor(
    rng: Rng,
    private readonly options: IclInductionOptions,
  ) {
    this.batch = emptyBatch(1, options);
    drawSequence(rng, this.batch, 0, options);
  }

  /** The first L − 1 token ids. */
  reset(): Float64Array {
    this.done = false;
    return Float64Array.from(this.batch.tokens.subarray(0, this.options.length - 1));
  }

  /** Whether the last token is determined by the context: inside the repeat, after its first token. */
  private lastDetermined(): boolean {
    const last = this.options.length - 1;
    return this.batch.regions[last] === REGION_REPEAT && this.batch.offsets[last] > 0;
  }

  /** `action` is the guess of the last token; a determined token is known to an ideal reader, any other is uniform. */
  step(action: number): StepResult {
    if (this.done) throw new Error('icl-induction: step() after the episode ended; call reset() first');
    const determined = this.lastDetermined();
    const result = guessStep(action, {
      task: 'icl-induction',
      what: 'a token id',
      choices: this.options.vocabulary,
      target: this.batch.tokens[this.options.length - 1],
      observationSize: this.options.length - 1,
      determined,
      info: { determined },
    });
    this.done = true;
    return result;
  }

  groundTruth(): GroundTruth {
    return { target: this.batch.tokens[this.options.length - 1] };
  }
}

export function createIclInduction(raw?: Record<string, unknown>): IclInductionFamily {
  const options = parseOptions('icl-induction', iclInductionOptions, raw);
  if (2 * options.segment > options.length)
    throw new UsageError(
      `icl-induction: option 'segment' (${options.segment}) must fit twice in option 'length' (${options.length})`,
    );
  if (options.segmentMin !== undefined && options.segmentMin > options.segment)
    throw new UsageError(
      `icl-induction: option 'segmentMin' (${options.segmentMin}) must be at most ` +
        `option 'segment' (${options.segment})`,
    );
  if (options.gapMax !== undefined && options.gapMax < options.segment)
    throw new UsageError(
      `icl-induction: option 'gapMax' (${options.gapMax}) must be at least option 'segment' (${options.segment}), ` +
        'or the longest segments could not occur twice without overlapping',
    );
  const observationSize = options.length - 1;
  return {
    id: 'icl-induction',
    options,
    metadata: {
      description:
        `repeated random tokens: L = ${options.length} tokens of V = ${options.vocabulary}, a segment of ` +
        `${options.segmentMin === undefined ? '' : `${options.segmentMin}–`}${options.segment} occurring twice`,
      papers: [
        'Olsson et al. 2022, In-context learning and induction heads',
        'Elhage et al. 2021, A mathematical framework for transformer circuits',
      ],
    },
    observationSpace: { kind: 'box', shape: [observationSize], low: 0, high: options.vocabulary - 1 },
    actionSpace: { kind: 'discrete', n: options.vocabulary },
    observationSize,
    numActions: options.vocabulary,
    episodeLength: 1,
    trialsPerEpisode: 1,
    infoFields: [...CHOICE_INFO_FIELDS, 'determined'],
    sample: (rng) => new InductionInstance(rng, options),
    sampleSequences(rng: Rng, count: number): InductionBatch {
      if (!Number.isInteger(count) || count < 1)
        throw new Error(`icl-induction: sequence count must be a positive integer, got ${count}`);
      const batch = emptyBatch(count, options);
      for (let s = 0; s < count; s++) drawSequence(rng.fork(String(s)), batch, s, options);
      return batch;
    },
  };
}

export const iclInduction: TaskEntry = {
  id: 'icl-induction',
  description:
    'repeated random tokens (Olsson et al. 2022): predict the next token of uniform random tokens in which a ' +
    'segment occurs twice; inside the repeat the next token is given by the first occurrence (induction heads)',
  options: iclInductionOptions,
  create: createIclInduction,
};
