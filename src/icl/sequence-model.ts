// What every sequence model is (src/icl/sequence-models.ts builds them; TEM-t is in tem-t.ts): a
// module that reads time-major input rows and returns logits at every position.
import type { Module } from '../nn/module.ts';
import type { Tensor } from '../nn/tensor.ts';

/** The kinds of sequence model. */
export const SEQUENCE_MODELS = ['transformer', 'lstm', 'gru', 'tem-t'] as const;
export type SequenceModelKind = (typeof SEQUENCE_MODELS)[number];

/**
 * A model of logits at every position from inputs at every position; `logits` records onto the
 * active tape, if any. A Module: `parameters()` for checkpoints, `parameterCount()` for tables.
 */
export interface SequenceModel extends Module {
  readonly model: SequenceModelKind;
  /** Width of an input row. */
  readonly inputSize: number;
  /** Number of logits per position (vocabulary or labels). */
  readonly outputSize: number;
  /** Logits (T·S × outputSize) from inputs (T·S × inputSize), both time-major. */
  logits(inputs: Tensor, sequences: number): Tensor;
  /**
   * The logits under the `reset-state` lesion: what the model remembers of earlier positions (a
   * recurrent state, a transformer's key/value cache, TEM-t's memories) is emptied before every
   * position, so each prediction reads only the current input row. TEM-t's position code goes on
   * integrating the moves: it knows where the walk is, not what was seen there.
   */
  logitsForgetting(inputs: Tensor, sequences: number): Tensor;
  /** The resolved options (saved with the parameters). */
  options(): Record<string, unknown>;
}

/**
 * The attention weights of one head over a batch: weights[(s·T + t)·T + u] is how much position t
 * of sequence s attends to position u (0 for u > t; each row sums to 1 over u ≤ t).
 */
export interface AttentionPattern {
  readonly sequences: number;
  readonly length: number;
  readonly weights: Float64Array;
}
