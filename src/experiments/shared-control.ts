// A RunControl whose flags live in shared memory, so that one `q` (or Ctrl-C) on the main thread
// reaches every run of a sweep in its worker thread at its next update, without a message the
// worker would have to stop training to read.
import type { RunControl } from './events.ts';

const STOP = 0;
const PAUSED = 1;

export class SharedRunControl implements RunControl {
  private readonly flags: Int32Array;

  /** A new control, or (in a worker) a view of the one whose `buffer` was sent over. */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.flags = new Int32Array(buffer);
  }

  get stop(): boolean {
    return Atomics.load(this.flags, STOP) === 1;
  }

  set stop(value: boolean) {
    Atomics.store(this.flags, STOP, value ? 1 : 0);
  }

  get paused(): boolean {
    return Atomics.load(this.flags, PAUSED) === 1;
  }

  set paused(value: boolean) {
    Atomics.store(this.flags, PAUSED, value ? 1 : 0);
  }
}
