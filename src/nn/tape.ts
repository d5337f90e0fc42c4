// The reverse-mode automatic-differentiation tape. Operations append one node per call to the
// tape that is active while they run; `backward` replays the nodes in reverse, so the order of
// recording is already a topological order and no graph search is needed. Outside a tape (or
// inside `noGrad`) nothing is recorded: that is inference mode, and acting costs no graph memory.
//
// Lifetime: `backward` clears the tape (unless asked to retain it). Clearing hands the buffers only
// the tape could reach (values saved for the backward pass, gradients of intermediate tensors)
// back to the pool in pool.ts; parameter and other leaf gradients stay. Operation outputs are
// never pooled, so a tensor the caller holds stays valid. Inputs must not be modified between an
// operation and the backward pass that goes through it (their values are read again there).
//
// Numerics check: every operation scans its output for NaN, the backward pass scans every gradient
// once it is complete, and the first NaN raises an Error naming the operation. It is on by default:
// it costs one pass over each result, a few percent of an LSTM training step (scripts/bench/nn.ts).
// `setCheckNumerics(false)` or ENGRAM_CHECK_NUMERICS=0 turns it off.
// Only NaN is reported: ±Infinity can be legitimate (log 0) and is left to the caller.

import { acquire, release } from './pool.ts';
import type { Tensor } from './tensor.ts';

/** One recorded operation: its inputs, outputs, and how to push output gradients to the inputs. */
export interface TapeNode {
  /** The operation's name (as in error messages). */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  /** Accumulates input gradients from the outputs' gradients (an output's grad may be null: zero). */
  readonly backward: () => void;
}

let activeTape: Tape | null = null;
let checkNumerics = !(typeof process !== 'undefined' && process.env?.ENGRAM_CHECK_NUMERICS === '0');

export class Tape {
  private nodes: TapeNode[] = [];
  /** Buffers only this tape's nodes reach (saved activations); pooled again on `clear`. */
  private owned: Float64Array[] = [];

  /** Number of recorded nodes. */
  get length(): number {
    return this.nodes.length;
  }

  /** The recorded operation names, in order (for tests and debugging). */
  ops(): string[] {
    return this.nodes.map((n) => n.op);
  }

  /** Runs `fn` with this tape active: every operation on tensors that require gradients is recorded here. */
  record<T>(fn: () => T): T {
    const previous = activeTape;
    activeTape = this;
    try {
      return fn();
    } finally {
      activeTape = previous;
    }
  }

  /** Appends a node (operations call this through `recordOp`). */
  push(node: TapeNode): void {
    this.nodes.push(node);
  }

  /**
   * Back-propagates from a scalar (1×1) loss, or from any output given its gradient, into every
   * tensor on the tape that requires gradients (parameter gradients accumulate). The tape is
   * cleared afterwards unless `retain` is set.
   */
  backward(output: Tensor, outputGrad?: ArrayLike<number>, options: { retain?: boolean } = {}): void {
    if (outputGrad === undefined && output.size !== 1) {
      throw new Error(`backward: the output is ${output.shape}; give its gradient, or reduce it to 1x1 first`);
    }
    this.backwardFrom([[output, outputGrad ?? [1]]], options);
  }

  /** Back-propagates from several outputs at once, each with its gradient. */
  backwardFrom(seeds: readonly (readonly [Tensor, ArrayLike<number>])[], options: { retain?: boolean } = {}): void {
    for (const [t, g] of seeds) {
      if (g.length !== t.size)
        throw new Error(`backward: gradient of length ${g.length} for an output of shape ${t.shape}`);
      const buf = t.gradBuffer();
      for (let i = 0; i < g.length; i++) buf[i] += g[i];
    }
    const nodes = this.nodes;
    // With the NaN check on, a tensor's gradient is scanned once, when it is complete: after the
    // backward step of the first operation that used it (the last one the backward pass reaches).
    // A NaN is reported there, naming that operation; a later use may have brought it.
    const lastUse = new Map<Tensor, number>();
    if (checkNumerics) {
      for (let n = nodes.length - 1; n >= 0; n--) for (const input of nodes[n].inputs) lastUse.set(input, n);
    }
    for (let n = nodes.length - 1; n >= 0; n--) {
      const node = nodes[n];
      let reached = false;
      for (const o of node.outputs) if (o.grad !== null) reached = true;
      if (!reached) continue;
      node.backward();
      if (checkNumerics) {
        for (const input of node.inputs) {
          if (input.grad !== null && lastUse.get(input) === n && hasNaN(input.grad)) {
            throw new Error(`NaN in the backward pass of ${node.op} (gradient of an input of shape ${input.shape})`);
          }
        }
      }
    }
    if (!options.retain) this.clear();
  }

  /** A buffer (unspecified contents) that lives until this tape is cleared. */
  buffer(length: number): Float64Array {
    const b = acquire(length);
    this.owned.push(b);
    return b;
  }

  /**
   * Forgets every recorded node. The gradients of intermediate tensors (outputs of recorded
   * operations) are released to the buffer pool and set to null, as PyTorch keeps gradients only
   * for leaves; parameters and other leaf tensors keep theirs.
   */
  clear(): void {
    for (const node of this.nodes) {
      for (const o of node.outputs) {
        if (o.grad !== null) {
          release(o.grad);
          o.grad = null;
        }
      }
    }
    for (const b of this.owned) release(b);
    this.nodes = [];
    this.owned = [];
  }
}

/** The tape operations currently record onto, or null in inference mode. */
export function currentTape(): Tape | null {
  return activeTape;
}

/** Runs `fn` in inference mode: nothing is recorded, so no graph memory is kept. */
export function noGrad<T>(fn: () => T): T {
  const previous = activeTape;
  activeTape = null;
  try {
    return fn();
  } finally {
    activeTape = previous;
  }
}

/** Turns the NaN check on or off; returns the previous setting. */
export function setCheckNumerics(on: boolean): boolean {
  const previous = checkNumerics;
  checkNumerics = on;
  return previous;
}

/** Whether the NaN check is on. */
export function isCheckingNumerics(): boolean {
  return checkNumerics;
}

/** Runs `fn` with the NaN check on. */
export function withCheckNumerics<T>(fn: () => T): T {
  const previous = setCheckNumerics(true);
  try {
    return fn();
  } finally {
    setCheckNumerics(previous);
  }
}

export function hasNaN(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return true;
  return false;
}

/**
 * A buffer for values an operation saves for its backward pass: owned by the active tape (pooled
 * again when it is cleared) while recording, or a fresh array otherwise.
 */
export function savedBuffer(length: number): Float64Array {
  return activeTape !== null ? activeTape.buffer(length) : new Float64Array(length);
}

/** True when an operation on these inputs must be recorded (a tape is active and some input requires gradients). */
export function recording(a: Tensor, b?: Tensor | null, c?: Tensor | null): boolean {
  return activeTape !== null && (a.requiresGrad || b?.requiresGrad === true || c?.requiresGrad === true);
}

/** True when an operation on any of these inputs must be recorded. */
export function recordingAny(inputs: readonly Tensor[]): boolean {
  if (activeTape === null) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/**
 * Finishes an operation: checks its outputs for NaN (when the check is on) and, if `backward` is
 * given, records it on the active tape and marks the outputs as requiring gradients. Operations
 * pass `backward` only when `recording(...)` said so, so inference allocates no closures.
 */
export function finishOp(
  op: string,
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  backward: (() => void) | null,
): void {
  if (checkNumerics) {
    for (const o of outputs) {
      if (hasNaN(o.data)) {
        const inherited = inputs.some((t) => hasNaN(t.data));
        throw new Error(
          `NaN in the forward pass of ${op} (output ${o.shape})` +
            (inherited ? '; an input already contained NaN' : ''),
        );
      }
    }
  }
  if (backward !== null && activeTape !== null) {
    for (const o of outputs) o.requiresGrad = true;
    activeTape.push({ op, inputs, outputs, backward });
  }
}

/**
 * finishOp for an operation of one input: `backward(g, ga)` adds the input's gradient `ga` from the
 * output's gradient `g`; it is recorded only when the input requires gradients.
 */
export function finishUnaryOp(
  op: string,
  a: Tensor,
  out: Tensor,
  backward: (g: Float64Array, ga: Float64Array) => void,
): void {
  finishOp(op, [a], [out], recording(a) ? () => backward(out.grad!, a.gradBuffer()) : null);
}
