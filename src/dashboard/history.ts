// A metric's history for the charts, bounded in memory however long the run: values are kept
// one point per update until `capacity` points, then neighbouring points are merged (averaged)
// and each point covers twice as many updates. A chart resamples the points to its width, so it
// always shows the whole run, in finer detail on a wider terminal.

export class History {
  private points: number[] = [];
  /** Updates per point. */
  private stride = 1;
  private pendingSum = 0;
  private pendingCount = 0;

  constructor(readonly capacity = 1024) {
    if (capacity < 2 || capacity % 2 !== 0)
      throw new Error(`History: capacity must be an even number ≥ 2, got ${capacity}`);
  }

  push(value: number): void {
    // One non-finite value poisons its whole point, so a NaN stays visible after merging.
    this.pendingSum += value;
    this.pendingCount++;
    if (this.pendingCount < this.stride) return;
    this.points.push(this.pendingSum / this.pendingCount);
    this.pendingSum = 0;
    this.pendingCount = 0;
    if (this.points.length >= this.capacity) {
      const merged: number[] = [];
      for (let i = 0; i + 1 < this.points.length; i += 2) merged.push((this.points[i] + this.points[i + 1]) / 2);
      this.points = merged;
      this.stride *= 2;
    }
  }

  /** The points, oldest first, with the incomplete newest point last (so the chart moves every update). */
  values(): number[] {
    return this.pendingCount > 0 ? [...this.points, this.pendingSum / this.pendingCount] : [...this.points];
  }

  /** Updates per point. */
  get updatesPerPoint(): number {
    return this.stride;
  }

  get length(): number {
    return this.points.length + (this.pendingCount > 0 ? 1 : 0);
  }
}
