// Random walks on 2-D grids whose places carry observations, the task of the Tolman-Eichenbaum
// Machine and of its transformer form, TEM-t (Whittington, Warren & Behrens 2021): an environment
// is a width × width grid, each place showing an observation drawn at random for that environment
// from an alphabet of `alphabet` symbols (several places may show the same one); an episode is a
// walk of `steps` moves in one environment, its width drawn from `widths`. The target at every
// step is the observation at the place the next move leads to, given that move: after one visit a
// memory of (place, observation) predicts a place it comes back to, and a model that integrates
// its moves into a position predicts it even when it comes back along a route it never took.
//
// Moves: 0 stay, 1 north, 2 east, 3 south, 4 west. The walk never tries to leave the grid: each
// move is drawn among those that stay on it, with weight 1, and 1 + wallBias for a move that ends
// on the grid's border (TEM's walks were biased toward the walls; `wallBias` 0 is uniform).
//
// Every step's target place is of one kind: `new` (its first visit), `walked` (visited before,
// and this move from this place was taken before, so the route is known) or `new-path` (visited
// before, but never by this move from this place: only a position read off the moves tells where
// the walk is). `stay` marks a move that did not leave the place, whatever its kind.
//
// Like icl-induction it is a supervised sequence task that meets the task contract as a one-step
// task: the observation is the walk up to its last move (observation ids and moves interleaved,
// o_0, m_1, o_1, …, o_{T−1}, m_T), the action a guess of the last observation (one of `alphabet`),
// the reward 1 when the guess is right. Training goes through `sampleWalks`, which draws whole
// batches.
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

export const graphWalkOptions = z.strictObject({
  widths: option(
    z.array(z.int().min(2).max(64)).min(1).default([4, 5, 6]),
    "The environments' widths, one drawn uniformly per walk (ours; TEM trained on several sizes)",
  ),
  alphabet: option(z.int().min(2).max(4096).default(45), 'Number of distinct observations (TEM: 45)'),
  steps: option(z.int().min(1).max(10_000).default(100), 'Moves per walk, T (T + 1 observations)'),
  wallBias: option(
    z.number().min(0).max(1000).default(0),
    'Extra weight of a move that ends on the border: 1 + wallBias against 1 (0: uniform)',
  ),
});
export type GraphWalkOptions = z.output<typeof graphWalkOptions>;

/** Moves: stay, north, east, south, west. */
export const MOVES = ['stay', 'north', 'east', 'south', 'west'] as const;
const DX = [0, 0, 1, 0, -1];
const DY = [0, 1, 0, -1, 0];

/** The kinds of a step's target place (indices of `kinds` in a WalkBatch). */
export const PLACE_KINDS = ['new', 'walked', 'new-path'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];
export const KIND_NEW = 0;
export const KIND_WALKED = 1;
export const KIND_NEW_PATH = 2;

/**
 * A batch of S walks of T moves, time-major (row t·S + s is step t of walk s):
 *   observations[t·S + s]  the observation id at the place after t moves, t = 0 … T (T + 1 rows);
 *   moves[t·S + s]         the move that led there (−1 at t = 0);
 *   places[t·S + s]        that place, y·width + x;
 *   kinds[t·S + s]         KIND_NEW, KIND_WALKED or KIND_NEW_PATH for t ≥ 1 (KIND_NEW at t = 0);
 *   stays[t·S + s]         1 when move t did not leave the place;
 *   widths[s]              the environment's width.
 * The prediction at step t − 1, given moves[t·S + s], is observations[t·S + s].
 */
export interface WalkBatch {
  readonly walks: number;
  readonly steps: number;
  readonly alphabet: number;
  readonly observations: Int32Array;
  readonly moves: Int32Array;
  readonly places: Int32Array;
  readonly kinds: Uint8Array;
  readonly stays: Uint8Array;
  readonly widths: Int32Array;
}

export interface GraphWalkFamily extends TaskFamily<GraphWalkOptions> {
  /** Draws `count` walks; walk s comes from `rng.fork(String(s))`, so it does not depend on the batch size. */
  sampleWalks(rng: Rng, count: number): WalkBatch;
  /**
   * One walk of `steps` moves (default: the option's) through a given environment from a given
   * place (y·width + x), for looking at a model's representations in environments of one's choosing.
   */
  walkIn(rng: Rng, env: GraphEnvironment, start: number, steps?: number): WalkBatch;
}

function emptyBatch(walks: number, options: GraphWalkOptions): WalkBatch {
  const n = walks * (options.steps + 1);
  return {
    walks,
    steps: options.steps,
    alphabet: options.alphabet,
    observations: new Int32Array(n),
    moves: new Int32Array(n).fill(-1),
    places: new Int32Array(n),
    kinds: new Uint8Array(n),
    stays: new Uint8Array(n),
    widths: new Int32Array(walks),
  };
}

/** An environment: its width and the observation each place shows (place y·width + x). */
export interface GraphEnvironment {
  readonly width: number;
  readonly shown: Int32Array;
}

/** Draws an environment: its width from `widths`, then the observation of every place, row by row. */
export function drawEnvironment(rng: Rng, options: GraphWalkOptions): GraphEnvironment {
  const width = options.widths[rng.int(options.widths.length)];
  return { width, shown: Int32Array.from({ length: width * width }, () => rng.int(options.alphabet)) };
}

/**
 * Draws walk s into the batch: its environment, the start place, then one move per step. The
 * order of draws is fixed (environment, start, moves).
 */
function drawWalk(rng: Rng, batch: WalkBatch, s: number, options: GraphWalkOptions): void {
  const env = drawEnvironment(rng, options);
  const start = rng.int(env.width) + env.width * rng.int(env.width);
  walkFrom(rng, batch, s, env, start, options);
}

/**
 * Walks `options.steps` moves through `env` from place `start` (y·width + x) into walk s of the
 * batch, one move drawn per step.
 */
function walkFrom(
  rng: Rng,
  batch: WalkBatch,
  s: number,
  env: GraphEnvironment,
  start: number,
  options: GraphWalkOptions,
): void {
  const S = batch.walks;
  const { width, shown } = env;
  batch.widths[s] = width;
  let x = start % width;
  let y = Math.floor(start / width);
  const visited = new Uint8Array(width * width);
  // Edges walked: place·5 + move.
  const walked = new Uint8Array(width * width * MOVES.length);
  const onBorder = (px: number, py: number) => px === 0 || py === 0 || px === width - 1 || py === width - 1;
  const weights = new Float64Array(MOVES.length);
  const record = (t: number, move: number, kind: number, stay: boolean) => {
    const place = y * width + x;
    batch.observations[t * S + s] = shown[place];
    batch.moves[t * S + s] = move;
    batch.places[t * S + s] = place;
    batch.kinds[t * S + s] = kind;
    batch.stays[t * S + s] = stay ? 1 : 0;
    visited[place] = 1;
  };
  record(0, -1, KIND_NEW, false);
  for (let t = 1; t <= options.steps; t++) {
    let total = 0;
    for (let m = 0; m < MOVES.length; m++) {
      const nx = x + DX[m];
      const ny = y + DY[m];
      const valid = nx >= 0 && ny >= 0 && nx < width && ny < width;
      weights[m] = valid ? 1 + (onBorder(nx, ny) ? options.wallBias : 0) : 0;
      total += weights[m];
    }
    let u = rng.uniform() * total;
    let move = -1;
    for (let m = 0; m < MOVES.length; m++) {
      if (weights[m] === 0) continue;
      move = m;
      if (u < weights[m]) break;
      u -= weights[m];
    }
    const edge = (y * width + x) * MOVES.length + move;
    x += DX[move];
    y += DY[move];
    const place = y * width + x;
    const kind = !visited[place] ? KIND_NEW : walked[edge] ? KIND_WALKED : KIND_NEW_PATH;
    walked[edge] = 1;
    record(t, move, kind, move === 0);
  }
}

class WalkInstance implements TaskInstance {
  private readonly batch: WalkBatch;
  private done = false;

  constructor(
    rng: Rng,
    private readonly options: GraphWalkOptions,
  ) {
    this.batch = emptyBatch(1, options);
    drawWalk(rng, this.batch, 0, options);
  }

  /** o_0, m_1, o_1, …, o_{T−1}, m_T. */
  reset(): Float64Array {
    this.done = false;
    const T = this.options.steps;
    const out = new Float64Array(2 * T);
    for (let t = 0; t < T; t++) {
      out[2 * t] = this.batch.observations[t];
      out[2 * t + 1] = this.batch.moves[t + 1];
    }
    return out;
  }

  /**
   * `action` is the guess of the last observation. A place seen before is known to an ideal reader
   * (one that integrates the moves); a new place shows a uniform observation, whatever the guess.
   */
  step(action: number): StepResult {
    if (this.done) throw new Error('graph-walk: step() after the episode ended; call reset() first');
    const T = this.options.steps;
    const kind = this.batch.kinds[T];
    const result = guessStep(action, {
      task: 'graph-walk',
      what: 'an observation id',
      choices: this.options.alphabet,
      target: this.batch.observations[T],
      observationSize: 2 * T,
      determined: kind !== KIND_NEW,
      info: { kind: PLACE_KINDS[kind], stay: this.batch.stays[T] === 1 },
    });
    this.done = true;
    return result;
  }

  groundTruth(): GroundTruth {
    return { target: this.batch.observations[this.options.steps], place: this.batch.places[this.options.steps] };
  }
}

export function createGraphWalk(raw?: Record<string, unknown>): GraphWalkFamily {
  const options = parseOptions('graph-walk', graphWalkOptions, raw);
  if (new Set(options.widths).size !== options.widths.length)
    throw new UsageError(`graph-walk: option 'widths' lists a width twice (${options.widths.join(', ')})`);
  const observationSize = 2 * options.steps;
  return {
    id: 'graph-walk',
    options,
    metadata: {
      description:
        `random walks of ${options.steps} moves on ${options.widths.map((w) => `${w}×${w}`).join(', ')} grids ` +
        `whose places show observations from ${options.alphabet} (wall bias ${options.wallBias})`,
      papers: [
        'Whittington, Warren & Behrens 2021, Relating transformers to models and neural representations of ' +
          'the hippocampal formation',
        'Whittington et al. 2020, The Tolman-Eichenbaum Machine',
      ],
    },
    observationSpace: { kind: 'box', shape: [observationSize], low: 0, high: options.alphabet - 1 },
    actionSpace: { kind: 'discrete', n: options.alphabet },
    observationSize,
    numActions: options.alphabet,
    episodeLength: 1,
    trialsPerEpisode: 1,
    infoFields: [...CHOICE_INFO_FIELDS, 'kind', 'stay'],
    sample: (rng) => new WalkInstance(rng, options),
    sampleWalks(rng: Rng, count: number): WalkBatch {
      if (!Number.isInteger(count) || count < 1)
        throw new Error(`graph-walk: walk count must be a positive integer, got ${count}`);
      const batch = emptyBatch(count, options);
      for (let s = 0; s < count; s++) drawWalk(rng.fork(String(s)), batch, s, options);
      return batch;
    },
    walkIn(rng: Rng, env: GraphEnvironment, start: number, steps = options.steps): WalkBatch {
      if (env.shown.length !== env.width * env.width)
        throw new Error(`graph-walk: an environment of width ${env.width} shows ${env.shown.length} places`);
      if (!Number.isInteger(start) || start < 0 || start >= env.shown.length)
        throw new Error(`graph-walk: start place ${start} is not on a ${env.width}×${env.width} grid`);
      if (!Number.isInteger(steps) || steps < 1)
        throw new Error(`graph-walk: steps must be a positive integer, got ${steps}`);
      const walkOptions = { ...options, steps };
      const batch = emptyBatch(1, walkOptions);
      walkFrom(rng, batch, 0, env, start, walkOptions);
      return batch;
    },
  };
}

export const graphWalk: TaskEntry = {
  id: 'graph-walk',
  description:
    'random walks on grids whose places show random observations (Whittington et al. 2021, TEM-t): predict the ' +
    'observation the next move leads to; revisits are split by whether the route was walked before',
  options: graphWalkOptions,
  create: createGraphWalk,
};
