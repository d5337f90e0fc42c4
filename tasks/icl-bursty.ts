// Bursty, Zipfian few-shot classification after Chan et al. (2022, "Data distributional properties
// drive emergent in-context learning in transformers"), with synthetic classes in place of
// Omniglot's: K classes (`classes`), each a prototype μ_c ~ N(0, I/D) in R^D drawn once from the
// task's `poolSeed`, whose exemplars are μ_c + ε with ε ~ N(0, (σ²/D) I), σ = `withinClassNoise`
// (so σ is the noise's norm relative to a prototype's, about 1). The last `heldOutClasses` class
// ids are never trained on; the others (the training classes 0 … K − h − 1) have Zipfian
// frequencies p(c) ∝ (c + 1)^−zipf, the rank being the class id (zipf = 0: uniform).
//
// A sequence is 8 context pairs (exemplar, label) and a query exemplar whose label is the target.
// In training every class has a fixed label, c mod `labels` (chosen: Chan et al. map their 1600
// Omniglot classes onto a smaller label set the same way). With probability `bursty` a training
// sequence is bursty: the query's class occurs 3 times in the context, with another class 3 times
// and 2 distractor classes once each, all distinct, in a random order; otherwise the 8 context
// classes and the query's are drawn i.i.d. from the Zipfian distribution.
//
// Two held-out samplers measure the two ways of solving the task (Chan et al., section 2):
//   in-context  2 held-out classes, 4 exemplars each in a random order, labelled 0 and 1 (which
//               class gets which at random per sequence); the query is from one of them, chance 0.5;
//   in-weights  training classes (Zipfian) with no exemplar of the query's class in the context;
//               the answer is the query class's fixed label, which only the weights can hold.
//
// It meets the task contract as a one-step task: the observation is the 8 context exemplars and
// labels and the query exemplar (see `observationOf`), the action the predicted label, the reward 1
// when it is right. Training goes through `sampleSequences`.
import { z } from 'zod';
import { UsageError } from '../src/core/errors.ts';
import { option, parseOptions } from '../src/core/options.ts';
import type { TaskEntry } from '../src/core/registry.ts';
import { Rng } from '../src/core/rng.ts';
import {
  CHOICE_INFO_FIELDS,
  type GroundTruth,
  type StepResult,
  type TaskFamily,
  type TaskInstance,
} from '../src/core/types.ts';
import { guessStep } from './kit/guess.ts';

/** Context pairs per sequence (Chan et al.). */
export const BURSTY_CONTEXT = 8;
/** Rows per sequence in a batch: the 8 context items and the query. */
export const BURSTY_ITEMS = BURSTY_CONTEXT + 1;

export const iclBurstyOptions = z.strictObject({
  classes: option(z.int().min(6).max(100_000).default(1600), 'Number of classes K (Chan et al.: 1600)'),
  dim: option(z.int().min(1).max(1024).default(32), 'Dimension D of an exemplar'),
  withinClassNoise: option(
    z.number().min(0).max(100).default(0.1),
    'σ: exemplar = prototype + N(0, σ²/D · I), prototypes N(0, I/D)',
  ),
  zipf: option(z.number().min(0).max(10).default(1), 'Zipf exponent of the training class frequencies (0: uniform)'),
  bursty: option(z.number().min(0).max(1).default(0.9), 'Probability that a training sequence is bursty'),
  heldOutClasses: option(
    z.int().min(2).max(100_000).default(100),
    'Classes reserved for the in-context evaluation (the last ids)',
  ),
  labels: option(z.int().min(2).max(100_000).default(32), 'Number of labels; class c has training label c mod labels'),
  poolSeed: option(
    z
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    'Seed of the class prototypes (part of the task)',
  ),
});
export type IclBurstyOptions = z.output<typeof iclBurstyOptions>;

/** The kinds of sequence: training (bursty or i.i.d.), and the two held-out evaluations. */
export const BURSTY_SEQUENCE_KINDS = ['train', 'in-context', 'in-weights'] as const;
export type BurstySequenceKind = (typeof BURSTY_SEQUENCE_KINDS)[number];

/**
 * A batch of S sequences of 9 items (8 context pairs, then the query), time-major (row i·S + s is
 * item i of sequence s; i = 8 is the query):
 *   exemplars[(i·S + s)·D + k]  coordinate k of the exemplar;
 *   labels[i·S + s]             its label (for i = 8, the query's: the target, which a model must not read);
 *   classes[i·S + s]            its class id;
 *   burstyFlags[s]              1 for a bursty training sequence, else 0.
 */
export interface BurstyBatch {
  readonly kind: BurstySequenceKind;
  readonly sequences: number;
  readonly dim: number;
  readonly labelCount: number;
  readonly exemplars: Float64Array;
  readonly labels: Int32Array;
  readonly classes: Int32Array;
  readonly burstyFlags: Uint8Array;
}

export interface IclBurstyFamily extends TaskFamily<IclBurstyOptions> {
  /** The class prototypes, K × D row-major (drawn from `poolSeed`). */
  readonly prototypes: Float64Array;
  /** The training class frequencies (length K, 0 for the held-out classes). */
  readonly classProbabilities: Float64Array;
  /** The training label of class c: c mod labels. */
  labelOf(c: number): number;
  /**
   * Draws `count` sequences of a kind (default 'train'); sequence s comes from `rng.fork(String(s))`,
   * so it does not depend on the batch size.
   */
  sampleSequences(rng: Rng, count: number, kind?: BurstySequenceKind): BurstyBatch;
}

/** A Zipfian sampler over classes 0 … n − 1 by inverse CDF. */
function zipfSampler(
  n: number,
  exponent: number,
  total: number,
): { probabilities: Float64Array; draw(rng: Rng): number } {
  const probabilities = new Float64Array(total);
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let c = 0; c < n; c++) sum += (c + 1) ** -exponent;
  let acc = 0;
  for (let c = 0; c < n; c++) {
    probabilities[c] = (c + 1) ** -exponent / sum;
    acc += probabilities[c];
    cdf[c] = acc;
  }
  return {
    probabilities,
    draw(rng: Rng): number {
      const u = rng.uniform() * acc;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid] > u) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
  };
}

/** Fisher–Yates, in place. */
function shuffle(rng: Rng, a: number[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}

export function createIclBursty(raw?: Record<string, unknown>): IclBurstyFamily {
  const options = parseOptions('icl-bursty', iclBurstyOptions, raw);
  const { classes: K, dim: D, heldOutClasses: H, withinClassNoise: sigma } = options;
  if (K - H < 4)
    throw new UsageError(
      `icl-bursty: option 'heldOutClasses' (${H}) must leave at least 4 training classes of ${K} (a bursty ` +
        'sequence has 4 distinct classes)',
    );
  const trainClasses = K - H;
  const prototypes = new Float64Array(K * D);
  const pool = Rng.fromSeed(options.poolSeed).fork('icl-bursty-prototypes');
  for (let i = 0; i < prototypes.length; i++) prototypes[i] = pool.normal(0, 1 / Math.sqrt(D));
  const zipf = zipfSampler(trainClasses, options.zipf, K);
  const labelOf = (c: number) => c % options.labels;

  const emptyBatch = (kind: BurstySequenceKind, sequences: number): BurstyBatch => ({
    kind,
    sequences,
    dim: D,
    labelCount: options.labels,
    exemplars: new Float64Array(sequences * BURSTY_ITEMS * D),
    labels: new Int32Array(sequences * BURSTY_ITEMS),
    classes: new Int32Array(sequences * BURSTY_ITEMS),
    burstyFlags: new Uint8Array(sequences),
  });

  /** A Zipfian class not in `exclude` (by rejection). */
  const drawExcept = (rng: Rng, exclude: readonly number[]): number => {
    for (;;) {
      const c = zipf.draw(rng);
      if (!exclude.includes(c)) return c;
    }
  };

  /**
   * Sequence s of a batch. The order of draws is fixed: the kind's classes (for training, first the
   * bursty coin), the shuffle, the in-context label assignment, then the 9 exemplars' noise in order.
   */
  const drawSequence = (rng: Rng, batch: BurstyBatch, s: number): void => {
    const S = batch.sequences;
    let context: number[];
    let query: number;
    const labels = new Int32Array(BURSTY_ITEMS);
    if (batch.kind === 'train') {
      const bursty = rng.bernoulli(options.bursty);
      batch.burstyFlags[s] = bursty ? 1 : 0;
      if (bursty) {
        query = zipf.draw(rng);
        const other = drawExcept(rng, [query]);
        const d1 = drawExcept(rng, [query, other]);
        const d2 = drawExcept(rng, [query, other, d1]);
        context = [query, query, query, other, other, other, d1, d2];
        shuffle(rng, context);
      } else {
        context = Array.from({ length: BURSTY_CONTEXT }, () => zipf.draw(rng));
        query = zipf.draw(rng);
      }
      for (let i = 0; i < BURSTY_CONTEXT; i++) labels[i] = labelOf(context[i]);
      labels[BURSTY_CONTEXT] = labelOf(query);
    } else if (batch.kind === 'in-weights') {
      query = zipf.draw(rng);
      context = Array.from({ length: BURSTY_CONTEXT }, () => drawExcept(rng, [query]));
      for (let i = 0; i < BURSTY_CONTEXT; i++) labels[i] = labelOf(context[i]);
      labels[BURSTY_CONTEXT] = labelOf(query);
    } else {
      const a = trainClasses + rng.int(H);
      let b = trainClasses + rng.int(H - 1);
      if (b >= a) b++;
      context = [a, a, a, a, b, b, b, b];
      shuffle(rng, context);
      const flip = rng.bernoulli(0.5);
      const labelOfHeld = (c: number) => ((c === a) !== flip ? 0 : 1);
      query = rng.bernoulli(0.5) ? a : b;
      for (let i = 0; i < BURSTY_CONTEXT; i++) labels[i] = labelOfHeld(context[i]);
      labels[BURSTY_CONTEXT] = labelOfHeld(query);
    }
    const items = [...context, query];
    const noise = sigma / Math.sqrt(D);
    for (let i = 0; i < BURSTY_ITEMS; i++) {
      const c = items[i];
      batch.classes[i * S + s] = c;
      batch.labels[i * S + s] = labels[i];
      const row = (i * S + s) * D;
      for (let k = 0; k < D; k++)
        batch.exemplars[row + k] = prototypes[c * D + k] + (sigma > 0 ? rng.normal(0, noise) : 0);
    }
  };

  const sampleSequences = (rng: Rng, count: number, kind: BurstySequenceKind = 'train'): BurstyBatch => {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`icl-bursty: sequence count must be a positive integer, got ${count}`);
    if (!BURSTY_SEQUENCE_KINDS.includes(kind)) throw new Error(`icl-bursty: unknown sequence kind '${kind}'`);
    const batch = emptyBatch(kind, count);
    for (let s = 0; s < count; s++) drawSequence(rng.fork(String(s)), batch, s);
    return batch;
  };

  const observationSize = BURSTY_CONTEXT * (D + 1) + D;
  return {
    id: 'icl-bursty',
    options,
    prototypes,
    classProbabilities: zipf.probabilities,
    labelOf,
    metadata: {
      description:
        `bursty few-shot classification: ${K} classes (${H} held out) in R^${D}, σ = ${sigma}, Zipf ` +
        `${options.zipf}, bursty ${options.bursty}, ${options.labels} labels`,
      papers: ['Chan et al. 2022, Data distributional properties drive emergent in-context learning in transformers'],
    },
    observationSpace: { kind: 'box', shape: [observationSize], low: -Infinity, high: Infinity },
    actionSpace: { kind: 'discrete', n: options.labels },
    observationSize,
    numActions: options.labels,
    episodeLength: 1,
    trialsPerEpisode: 1,
    infoFields: [...CHOICE_INFO_FIELDS],
    sample: (rng) => new BurstyInstance(sampleSequences(rng, 1), options.labels),
    sampleSequences,
  };
}

/** A one-sequence batch as an observation: (exemplar_i, label_i) for the 8 context items, then the query's exemplar. */
export function observationOf(batch: BurstyBatch, s = 0): Float64Array {
  const { dim: D, sequences: S } = batch;
  const obs = new Float64Array(BURSTY_CONTEXT * (D + 1) + D);
  for (let i = 0; i < BURSTY_ITEMS; i++) {
    const row = (i * S + s) * D;
    obs.set(batch.exemplars.subarray(row, row + D), i * (D + 1));
    if (i < BURSTY_CONTEXT) obs[i * (D + 1) + D] = batch.labels[i * S + s];
  }
  return obs;
}

class BurstyInstance implements TaskInstance {
  private done = false;

  constructor(
    private readonly batch: BurstyBatch,
    private readonly labels: number,
  ) {}

  reset(): Float64Array {
    this.done = false;
    return observationOf(this.batch);
  }

  /** `action` is the predicted label of the query. */
  step(action: number): StepResult {
    if (this.done) throw new Error('icl-bursty: step() after the episode ended; call reset() first');
    const result = guessStep(action, {
      task: 'icl-bursty',
      what: 'a label',
      choices: this.labels,
      target: this.batch.labels[BURSTY_CONTEXT],
      observationSize: BURSTY_CONTEXT * (this.batch.dim + 1) + this.batch.dim,
    });
    this.done = true;
    return result;
  }

  groundTruth(): GroundTruth {
    return { target: this.batch.labels[BURSTY_CONTEXT] };
  }
}

export const iclBursty: TaskEntry = {
  id: 'icl-bursty',
  description:
    'bursty, Zipfian few-shot classification (Chan et al. 2022): label a query exemplar after 8 (exemplar, label) ' +
    'pairs; in-context (held-out classes, labels assigned per sequence) and in-weights (fixed labels) evaluations',
  options: iclBurstyOptions,
  create: createIclBursty,
};
