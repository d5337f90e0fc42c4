// A population of hippocampal place cells with Gaussian tuning, shared by the spatial tasks
// (tasks/watermaze.ts) and the agents that read their activity (agents/actor-critic.ts). After
// Foster, Morris & Dayan (2000, eq. 1): cell i fires at
//   f_i(p) = exp(−‖p − c_i‖² / 2σ²)
// at position p, with its field centre c_i spread over the arena (493 cells, σ = 0.16 m in a pool
// of radius 1 m in the paper). It lives in src/core because it is a representation of space that
// tasks hand to agents, not a task or an agent itself.
//
// Layouts of the centres over a disc of radius R:
// - `even`: Vogel's sunflower spiral, c_k = R·√((k + ½)/N)·(cos kφ, sin kφ) with φ the golden
//   angle — exactly N centres at nearly uniform density, deterministic (our choice: the paper
//   spreads the centres evenly over the pool without saying how);
// - `random`: uniform in the disc, drawn from a fixed stream named by `layoutSeed`, so every
//   instance of a family (training and evaluation alike) shares the same cells.
import { Rng } from './rng.ts';

export const PLACE_CELL_LAYOUTS = ['even', 'random'] as const;
export type PlaceCellLayout = (typeof PLACE_CELL_LAYOUTS)[number];

export interface PlaceCellOptions {
  /** N, the number of cells. */
  count: number;
  /** σ, the width of every field (m). */
  width: number;
  /** R, the radius of the disc the centres cover (m). */
  radius: number;
  layout: PlaceCellLayout;
  /** Seed of the `random` layout (ignored by `even`). */
  layoutSeed?: number;
}

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

export class PlaceCells {
  /** Field centres, interleaved x, y (length 2N). */
  readonly centres: Float64Array;
  readonly count: number;
  readonly width: number;
  private readonly inverseTwoSigmaSquared: number;

  constructor(readonly options: PlaceCellOptions) {
    const { count, width, radius, layout } = options;
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`PlaceCells: count must be a positive integer, got ${count}`);
    if (!(width > 0)) throw new Error(`PlaceCells: width must be > 0, got ${width}`);
    if (!(radius > 0)) throw new Error(`PlaceCells: radius must be > 0, got ${radius}`);
    this.count = count;
    this.width = width;
    this.inverseTwoSigmaSquared = 1 / (2 * width * width);
    this.centres = new Float64Array(2 * count);
    if (layout === 'even') {
      for (let k = 0; k < count; k++) {
        const r = radius * Math.sqrt((k + 0.5) / count);
        this.centres[2 * k] = r * Math.cos(k * GOLDEN_ANGLE);
        this.centres[2 * k + 1] = r * Math.sin(k * GOLDEN_ANGLE);
      }
    } else {
      const rng = Rng.fromSeed(`place-cells/${options.layoutSeed ?? 0}`);
      for (let k = 0; k < count; k++) {
        // Uniform in the disc: r = R√u makes the density uniform in area.
        const r = radius * Math.sqrt(rng.uniform());
        const angle = 2 * Math.PI * rng.uniform();
        this.centres[2 * k] = r * Math.cos(angle);
        this.centres[2 * k + 1] = r * Math.sin(angle);
      }
    }
  }

  /** Writes f_1(p) … f_N(p) for p = (x, y) into `out` from `offset`; returns `out`. */
  activity(x: number, y: number, out: Float64Array = new Float64Array(this.count), offset = 0): Float64Array {
    const c = this.centres;
    const k = this.inverseTwoSigmaSquared;
    for (let i = 0; i < this.count; i++) {
      const dx = x - c[2 * i];
      const dy = y - c[2 * i + 1];
      out[offset + i] = Math.exp(-(dx * dx + dy * dy) * k);
    }
    return out;
  }
}
