// TEM-t's representations (Whittington, Warren & Behrens 2021): the position units g and the memory
// neurons, mapped over the places of two held-out environments of the same width.
//   rate map     a unit's mean activity at each place. A position unit's activity at step t is
//                g_{t+1}, the code of the place move t + 1 leads to; memory neuron τ's is the
//                attention the query of that place pays to memory τ (the pair stored at step τ),
//                averaged over heads, from step τ on; the memories mapped are formed at steps
//                spread over the walk's first half.
//   spatial      Skaggs et al.'s (1993) information in bits per unit of activity,
//   information  Σ_x p_x (r_x / r̄) log₂(r_x / r̄), p_x the fraction of the steps at place x; rates
//                are taken above the map's minimum (position units can be negative).
//   grid score   the spatial autocorrelogram's Pearson correlation with itself rotated by 60° and
//                120° (the least of the two) minus that by 30°, 90° and 150° (the greatest of the
//                three), over the autocorrelogram's cells within its radius (bilinear rotation);
//                the square grid score, for a world of four moves, is r90 − max(r45, r135).
//   remapping    each unit's map correlated between the two environments (Pearson, over the places
//                visited in both). Position units keep their maps when they path-integrate from the
//                same start; memory neuron τ stores whatever the walk met at step τ, so it remaps.
// Both walks start at the same place (the grid's middle) so that a code that integrates the moves
// from g_0 has one frame in both environments.
import {
  drawEnvironment,
  type GraphEnvironment,
  type GraphWalkFamily,
  MOVES,
  type WalkBatch,
} from '../../tasks/graph-walk.ts';
import type { Rng } from '../core/rng.ts';
import { noGrad } from '../nn/tape.ts';
import { walkInputs } from './sequence-models.ts';
import type { TemT } from './tem-t.ts';
import {
  countWalkPredictions,
  emptyWalkCounts,
  type NewPathPart,
  type WalkAccuracy,
  type WalkKind,
  walkAccuracies,
} from './walk-evaluate.ts';

/** One unit's map in one environment: mean activity per place (NaN where never visited). */
export type RateMap = number[];

/** What `walkRepresentations` finds. */
export interface WalkRepresentations {
  width: number;
  steps: number;
  start: number;
  /** The two environments' observations, place y·width + x. */
  environments: number[][];
  /** The model's accuracy on each environment's walk (are these walks ones it can read?). */
  accuracy: Record<WalkKind | NewPathPart, WalkAccuracy>[];
  /** [environment][unit] rate maps of the position units. */
  positionMaps: RateMap[][];
  /** The steps whose memories are mapped: spread over the walk's first half (memorySteps). */
  memorySteps: number[];
  /** [environment][neuron] rate maps of the memory neurons of `memorySteps`. */
  memoryMaps: RateMap[][];
  positionInformation: number[][];
  memoryInformation: number[][];
  /** Grid score of each position unit in each environment (hexagonal: 60° against 30°, 90°, 150°). */
  gridScores: number[][];
  /** Square grid score of each position unit in each environment (90° against 45°, 135°). */
  squareGridScores: number[][];
  /** Each position unit's / memory neuron's map correlated between the environments. */
  positionCorrelation: number[];
  memoryCorrelation: number[];
}

/** Mean activity per place over the steps at each place (NaN where there were none). */
export function rateMap(places: ArrayLike<number>, activity: ArrayLike<number>, cells: number): RateMap {
  const sum = new Float64Array(cells);
  const count = new Float64Array(cells);
  for (let i = 0; i < places.length; i++) {
    if (Number.isNaN(activity[i])) continue;
    sum[places[i]] += activity[i];
    count[places[i]]++;
  }
  return Array.from(sum, (v, x) => (count[x] === 0 ? Number.NaN : v / count[x]));
}

/**
 * Skaggs's spatial information (bits per unit of activity) of a map given the occupancy (steps at
 * each place), the rates measured from the map's minimum; 0 for a flat map.
 */
export function spatialInformation(map: RateMap, occupancy: ArrayLike<number>): number {
  let low = Number.POSITIVE_INFINITY;
  for (const r of map) if (Number.isFinite(r) && r < low) low = r;
  let total = 0;
  let mean = 0;
  for (let x = 0; x < map.length; x++) {
    if (!Number.isFinite(map[x]) || occupancy[x] === 0) continue;
    total += occupancy[x];
    mean += occupancy[x] * (map[x] - low);
  }
  if (total === 0 || mean <= 0) return 0;
  mean /= total;
  let info = 0;
  for (let x = 0; x < map.length; x++) {
    if (!Number.isFinite(map[x]) || occupancy[x] === 0) continue;
    const ratio = (map[x] - low) / mean;
    if (ratio > 0) info += (occupancy[x] / total) * ratio * Math.log2(ratio);
  }
  return info;
}

/** Pearson's correlation over the entries finite in both (NaN with fewer than 3 or no variance). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++)
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      n++;
      sa += a[i];
      sb += b[i];
    }
  if (n < 3) return Number.NaN;
  const ma = sa / n;
  const mb = sb / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++)
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      ab += (a[i] - ma) * (b[i] - mb);
      aa += (a[i] - ma) ** 2;
      bb += (b[i] - mb) ** 2;
    }
  return aa === 0 || bb === 0 ? Number.NaN : ab / Math.sqrt(aa * bb);
}

/**
 * The spatial autocorrelogram of a width × width map: entry (dy + w − 1)·(2w − 1) + (dx + w − 1)
 * is the Pearson correlation of the map with itself shifted by (dx, dy) over the overlapping
 * places (NaN with fewer than 3).
 */
export function autocorrelogram(map: RateMap, width: number): number[] {
  const side = 2 * width - 1;
  const out = new Array<number>(side * side).fill(Number.NaN);
  for (let dy = 1 - width; dy < width; dy++)
    for (let dx = 1 - width; dx < width; dx++) {
      const a: number[] = [];
      const b: number[] = [];
      for (let y = 0; y < width; y++)
        for (let x = 0; x < width; x++) {
          const x2 = x + dx;
          const y2 = y + dy;
          if (x2 < 0 || y2 < 0 || x2 >= width || y2 >= width) continue;
          a.push(map[y * width + x]);
          b.push(map[y2 * width + x2]);
        }
      out[(dy + width - 1) * side + (dx + width - 1)] = pearson(a, b);
    }
  return out;
}

/** The value of a side × side grid at a fractional cell (bilinear; NaN outside or next to NaN). */
function bilinear(grid: readonly number[], side: number, x: number, y: number): number {
  if (x < 0 || y < 0 || x > side - 1 || y > side - 1) return Number.NaN;
  const x0 = Math.min(Math.floor(x), side - 2);
  const y0 = Math.min(Math.floor(y), side - 2);
  const fx = x - x0;
  const fy = y - y0;
  const at = (i: number, j: number) => grid[j * side + i];
  return (
    (1 - fx) * (1 - fy) * at(x0, y0) +
    fx * (1 - fy) * at(x0 + 1, y0) +
    (1 - fx) * fy * at(x0, y0 + 1) +
    fx * fy * at(x0 + 1, y0 + 1)
  );
}

/**
 * The correlation of a width × width map's autocorrelogram with itself rotated by each angle
 * (degrees), over the cells within distance width − 1 of its centre, the centre excluded.
 */
export function rotationCorrelations(map: RateMap, width: number, angles: readonly number[]): number[] {
  const side = 2 * width - 1;
  const ac = autocorrelogram(map, width);
  const c = width - 1;
  return angles.map((degrees) => {
    const theta = (degrees * Math.PI) / 180;
    const a: number[] = [];
    const b: number[] = [];
    for (let j = 0; j < side; j++)
      for (let i = 0; i < side; i++) {
        const dx = i - c;
        const dy = j - c;
        const r = Math.hypot(dx, dy);
        if (r === 0 || r > c) continue;
        a.push(ac[j * side + i]);
        b.push(
          bilinear(
            ac,
            side,
            c + dx * Math.cos(theta) - dy * Math.sin(theta),
            c + dx * Math.sin(theta) + dy * Math.cos(theta),
          ),
        );
      }
    return pearson(a, b);
  });
}

/** The (hexagonal) grid score of a width × width map: min(r60, r120) − max(r30, r90, r150). */
export function gridScore(map: RateMap, width: number): number {
  const [r30, r60, r90, r120, r150] = rotationCorrelations(map, width, [30, 60, 90, 120, 150]);
  return Math.min(r60, r120) - Math.max(r30, r90, r150);
}

/**
 * The square grid score of a width × width map, for the 4-connected grids of graph-walk: r90 −
 * max(r45, r135), positive for a map with the four-fold symmetry of a square lattice.
 */
export function squareGridScore(map: RateMap, width: number): number {
  const [r45, r90, r135] = rotationCorrelations(map, width, [45, 90, 135]);
  return r90 - Math.max(r45, r135);
}

/**
 * `count` distinct steps spread evenly over the first half of a walk of `steps` (step 0 excluded:
 * both walks start at the same place, so memories formed near the start sit at the same places in
 * both environments and would look as if they kept their maps).
 */
export function spreadSteps(count: number, steps: number): number[] {
  const half = Math.max(1, Math.floor(steps / 2));
  const out = new Set<number>();
  for (let k = 1; k <= count; k++) out.add(Math.min(steps - 1, Math.max(1, Math.round((k * half) / count))));
  return [...out];
}

/**
 * TEM-t's position units and memory neurons in two environments drawn from `rng` with the given
 * width, walked for `steps` moves each from the middle place: their rate maps (`memoryNeurons`
 * memories, spreadSteps), spatial information, grid scores and correlations between the two.
 */
export function walkRepresentations(
  model: TemT,
  family: GraphWalkFamily,
  rng: Rng,
  options: { width: number; steps: number; memoryNeurons: number },
): WalkRepresentations {
  const { width, steps } = options;
  const cells = width * width;
  const start = Math.floor(width / 2) * width + Math.floor(width / 2);
  const G = model.resolved.position;
  const envs: GraphEnvironment[] = [0, 1].map((e) =>
    drawEnvironment(rng.fork(`environment${e}`), { ...family.options, widths: [width] }),
  );
  const positionMaps: RateMap[][] = [];
  const memoryMaps: RateMap[][] = [];
  const occupancies: Float64Array[] = [];
  const accuracy: Record<WalkKind | NewPathPart, WalkAccuracy>[] = [];
  const memorySteps = spreadSteps(options.memoryNeurons, steps);
  envs.forEach((env, e) => {
    const batch: WalkBatch = family.walkIn(rng.fork(`walk${e}`), env, start, steps);
    const inputs = walkInputs(batch, MOVES.length);
    const { logits, trace } = noGrad(() => model.logitsWithTrace(inputs, 1));
    const counts = emptyWalkCounts(1);
    countWalkPredictions(batch, logits.data, counts);
    accuracy.push(walkAccuracies(counts));
    // The place of prediction t is the place move t + 1 leads to.
    const places = batch.places.subarray(1, steps + 1);
    const occupancy = new Float64Array(cells);
    for (const p of places) occupancy[p]++;
    occupancies.push(occupancy);
    positionMaps.push(
      Array.from({ length: G }, (_, i) =>
        rateMap(
          places,
          Array.from({ length: steps }, (_, t) => trace.positions[t * G + i]),
          cells,
        ),
      ),
    );
    const heads = trace.memory.length;
    memoryMaps.push(
      memorySteps.map((tau) => {
        // Memory τ exists from step τ on; before, the neuron has no activity to map.
        const activity = Array.from({ length: steps }, (_, t) => {
          if (t < tau) return Number.NaN;
          let w = 0;
          for (const head of trace.memory) w += head.weights[t * steps + tau];
          return w / heads;
        });
        return rateMap(places, activity, cells);
      }),
    );
  });
  const information = (maps: RateMap[][]) =>
    maps.map((env, e) => env.map((m) => spatialInformation(m, occupancies[e])));
  return {
    width,
    steps,
    start,
    environments: envs.map((env) => Array.from(env.shown)),
    accuracy,
    positionMaps,
    memorySteps,
    memoryMaps,
    positionInformation: information(positionMaps),
    memoryInformation: information(memoryMaps),
    gridScores: positionMaps.map((env) => env.map((m) => gridScore(m, width))),
    squareGridScores: positionMaps.map((env) => env.map((m) => squareGridScore(m, width))),
    positionCorrelation: positionMaps[0].map((m, i) => pearson(m, positionMaps[1][i])),
    memoryCorrelation: memoryMaps[0].map((m, i) => pearson(m, memoryMaps[1][i])),
  };
}
