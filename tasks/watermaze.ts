// The Morris water maze, as Foster, Morris & Dayan (2000, "A model of hippocampally dependent
// navigation, using the temporal difference learning rule", Hippocampus 10:1–16) simulated it,
// with the delayed matching-to-place protocol of Steele & Morris (1999). A rat swims in a circular
// pool with reflecting walls until it crosses a hidden platform or the trial times out; it starts
// each trial near the wall at one of the four cardinal points, in a random order each day. Every
// step it chooses one of 8 swim directions 45° apart; momentum mixes the new direction with the
// old one, and it swims at constant speed.
//
// Protocols:
// - `reference`: one platform position for every day (the candidate `platform`, the same for all
//   instances of the family): what a rat learns across days of a reference-memory task;
// - `dmp` (delayed matching-to-place): a new platform each day, drawn from 8 candidates, the same
//   for the `trialsPerDay` trials of that day.
// With `platformLayout: "anywhere"` the platform is not one of the candidates but drawn uniformly
// over the pool, its edge at least `platformMargin` from the wall: each day's under `dmp`, one for
// every day of the instance under `reference` (delayed matching-to-place with new places every day,
// as in Steele & Morris 1999; `platformIndex` is then −1).
//
// Days and episodes. An episode is one animal's `days` days of `trialsPerDay` trials; the agent's
// episode state (recurrent activity, an attention cache, the actor-critic's weights) carries over
// between the trials and days of an episode and is reset between episodes. For learned agents the
// default, one day per episode, is the delayed matching-to-place design (state kept within a day,
// reset between days); a plastic agent whose synapses must persist across days (the place-cell
// actor-critic) plays episodes of many days (`days` ≥ 2: scripts/watermaze-actor-critic.ts).
//
// Geometry (ours where the papers are silent): the pool is the disc of radius R centred at the
// origin; x points east, y north; action j swims towards angle j·45° (0 = east, 2 = north). The
// swim direction is u_t = normalise(m·u_{t−1} + (1 − m)·d_j) with momentum m (u_0 = d_j at the
// release); each step moves speed·Δt along u_t, reflected specularly at the wall (the part of the
// step past the wall is mirrored about the tangent, and so is u_t). The platform is found when the
// swim path of a step — every straight piece of it — comes within the platform radius of its
// centre (segment–circle intersection), not only when a step ends on it; the trial's time then
// counts the step up to the point of contact. The 8 candidates (`candidateLayout: "ring"`) lie at
// `candidateDistance` from the centre at angles 22.5° + k·45° (k = 0…7), two per quadrant and off
// the start axes; with `"two-rings"` four lie on the diagonals at `candidateDistance` and four on
// the axes at 0.4 × `candidateDistance`, spread over the pool so that searching them all is much
// longer than a straight swim to one (an agent that knows the ring of 8 can search it in about
// twice the straight swim). Starts are at `startDistance` from the centre at east, north, west, south.
import { z } from 'zod';
import { UsageError } from '../src/core/errors.ts';
import { option, parseOptions } from '../src/core/options.ts';
import { PLACE_CELL_LAYOUTS, PlaceCells } from '../src/core/place-cells.ts';
import type { TaskEntry } from '../src/core/registry.ts';
import type { Rng } from '../src/core/rng.ts';
import type {
  EpisodeRecord,
  GroundTruth,
  LatentVariable,
  StepInfo,
  StepResult,
  TaskFamily,
  TaskInstance,
  TaskTraits,
} from '../src/core/types.ts';
import { escapeLatencyMeasure } from '../src/measures/main-measure.ts';
import {
  NAVIGATION_INFO_FIELDS,
  pointsPerStep,
  positionsBeforeSteps,
  watermazeReport,
} from '../src/measures/spatial.ts';

/** The default momentum (Foster et al. 2000). */
const ONE_THIRD = 1 / 3;

export const watermazeOptions = z.strictObject({
  // `reference`: one platform for all days; `dmp`: a new platform each day.
  protocol: option(z.enum(['reference', 'dmp']).default('reference'), 'reference or dmp (delayed matching-to-place)'),
  // The state carries over between the days of an episode.
  days: option(z.int().min(1).max(100).default(1), "Days per episode (one animal's days)"),
  trialsPerDay: option(z.int().min(1).max(32).default(4), 'Trials per day (Foster et al. 2000: 4)'),
  platform: option(z.int().min(0).max(7).default(0), 'reference: index 0…7 of the daily platform'),
  poolRadius: option(z.number().gt(0).max(10).default(1), "R, the pool's radius", 'm'),
  platformRadius: option(z.number().gt(0).max(1).default(0.05), "The platform's radius (Foster: 0.05)", 'm'),
  // With `two-rings`, of the outer four.
  candidateDistance: option(z.number().min(0).max(10).default(0.5), 'Distance of the 8 candidates', 'm'),
  // `two-rings`: an outer ring of 4 (diagonals) and an inner ring of 4 (axes).
  candidateLayout: option(z.enum(['ring', 'two-rings']).default('ring'), 'Where the 8 candidates lie'),
  platformLayout: option(
    z.enum(['candidates', 'anywhere']).default('candidates'),
    'candidates: one of the 8; anywhere: uniform over the pool within platformMargin of the wall',
  ),
  // Ours: Foster et al. and Steele & Morris give no such margin.
  platformMargin: option(
    z.number().min(0).max(10).default(0.1),
    "anywhere: the least distance from the platform's edge to the wall",
    'm',
  ),
  startDistance: option(z.number().min(0).max(10).default(0.9), 'Distance of the 4 starts from the centre', 'm'),
  swimSpeed: option(z.number().gt(0).max(10).default(0.3), 'Swim speed (Foster et al. 2000: 0.3)', 'm/s'),
  // Coarser steps make episodes shorter for training learned agents.
  timeStep: option(z.number().gt(0).max(10).default(0.1), 'Δt, the time step (Foster et al. 2000: 0.1)', 's'),
  timeout: option(z.number().gt(0).max(1000).default(120), 'A trial ends unrewarded after this (Foster: 120)', 's'),
  // 0: no momentum; (x/R, y/R) coordinates can replace the place cells (`observation`).
  momentum: option(z.number().min(0).lt(1).default(ONE_THIRD), 'm, the weight of the previous swim direction'),
  observation: option(z.enum(['place-cells', 'coordinates']).default('place-cells'), 'What agents observe'),
  placeCells: option(z.int().min(1).max(10000).default(493), 'N, the number of place cells (Foster: 493)'),
  placeFieldWidth: option(z.number().gt(0).max(10).default(0.16), "σ, the place fields' width (Foster: 0.16)", 'm'),
  // See src/core/place-cells.ts.
  placeCellLayout: option(z.enum(PLACE_CELL_LAYOUTS).default('even'), 'How the field centres cover the pool'),
  placeCellSeed: option(z.int().min(0).default(0), 'Seed of the `random` layout'),
  reward: option(z.number().gt(0).max(100).default(1), 'Reward for reaching the platform'),
  // Morris's procedure: a rat that fails is put on the platform, so it has seen where it is.
  guide: option(
    z.boolean().default(false),
    'After a timeout, place the rat on the platform for one more step (no reward) before the next trial',
  ),
});

export type WatermazeOptions = z.output<typeof watermazeOptions>;

/** The `info` fields the water maze reports at every step. */
export const WATERMAZE_INFO_FIELDS = [
  ...NAVIGATION_INFO_FIELDS,
  'day',
  'trialOfDay',
  'platform',
  'time',
  'swum',
  'timedOut',
  'guided',
] as const;

export interface WatermazeFamily extends TaskFamily<WatermazeOptions> {
  readonly traits: TaskTraits;
  readonly placeCells: PlaceCells;
  /** `platformLayout: "anywhere"`: the largest distance of a platform centre from the pool's centre. */
  readonly platformRange: number;
  /** The 8 candidate platform centres, [x, y] each. */
  readonly candidates: readonly [number, number][];
  /** The 4 start positions (east, north, west, south). */
  readonly starts: readonly [number, number][];
  /** Steps after which a trial times out. */
  readonly timeoutSteps: number;
  report(records: readonly EpisodeRecord[]): Record<string, unknown>;
}

/** The 8 candidate platform positions. */
export function platformCandidates(distance: number, layout: 'ring' | 'two-rings' = 'ring'): [number, number][] {
  const at = (r: number, degrees: number): [number, number] => [
    r * Math.cos((degrees * Math.PI) / 180),
    r * Math.sin((degrees * Math.PI) / 180),
  ];
  if (layout === 'two-rings')
    return [
      ...Array.from({ length: 4 }, (_, k) => at(distance, 45 + 90 * k)),
      ...Array.from({ length: 4 }, (_, k) => at(0.4 * distance, 90 * k)),
    ];
  return Array.from({ length: 8 }, (_, k) => at(distance, 22.5 + 45 * k));
}

/** The 4 cardinal start positions: east, north, west, south. */
export function cardinalStarts(distance: number): [number, number][] {
  return [
    [distance, 0],
    [0, distance],
    [-distance, 0],
    [0, -distance],
  ];
}

/**
 * Whether the segment a→b passes within `radius` of c; returns the fraction t ∈ [0, 1] of the
 * segment at the first point of contact, or −1 when it never comes that close.
 */
export function segmentHitsCircle(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  radius: number,
): number {
  const dx = bx - ax;
  const dy = by - ay;
  const fx = ax - cx;
  const fy = ay - cy;
  const c = fx * fx + fy * fy - radius * radius;
  if (c <= 0) return 0; // starts inside the circle
  const a = dx * dx + dy * dy;
  if (a === 0) return -1;
  const b = 2 * (fx * dx + fy * dy);
  const disc = b * b - 4 * a * c;
  if (disc < 0) return -1;
  const t = (-b - Math.sqrt(disc)) / (2 * a);
  return t >= 0 && t <= 1 ? t : -1;
}

/** One straight piece of a step's swim path. */
interface Piece {
  ax: number;
  ay: number;
  bx: number;
  by: number;
}

/**
 * Swims from (x, y) by (dx, dy) inside the disc of radius R, reflecting at the wall. Returns the
 * straight pieces of the path and the direction after the reflections (the unit vector (ux, uy)
 * mirrored like the path).
 */
export function swimWithReflections(
  x: number,
  y: number,
  dx: number,
  dy: number,
  ux: number,
  uy: number,
  R: number,
): { pieces: Piece[]; ux: number; uy: number } {
  const pieces: Piece[] = [];
  for (let bounce = 0; bounce < 8; bounce++) {
    const tx = x + dx;
    const ty = y + dy;
    if (tx * tx + ty * ty <= R * R) {
      pieces.push({ ax: x, ay: y, bx: tx, by: ty });
      return { pieces, ux, uy };
    }
    // First crossing of the wall: the positive root of ‖p + t·d‖ = R (p is inside, so c ≤ 0).
    const a = dx * dx + dy * dy;
    // Nothing left to swim: the step ended on the wall itself (seen past it only by rounding).
    if (a === 0) break;
    const b = 2 * (x * dx + y * dy);
    const c = x * x + y * y - R * R;
    const t = Math.min(1, Math.max(0, (-b + Math.sqrt(Math.max(0, b * b - 4 * a * c))) / (2 * a)));
    let qx = x + t * dx;
    let qy = y + t * dy;
    const norm = Math.hypot(qx, qy);
    // Keep the contact point on (not past) the wall despite rounding.
    if (norm > R) {
      qx *= R / norm;
      qy *= R / norm;
    }
    pieces.push({ ax: x, ay: y, bx: qx, by: qy });
    const nx = qx / Math.max(norm, 1e-300);
    const ny = qy / Math.max(norm, 1e-300);
    const rx = (1 - t) * dx;
    const ry = (1 - t) * dy;
    const rn = rx * nx + ry * ny;
    dx = rx - 2 * rn * nx;
    dy = ry - 2 * rn * ny;
    const un = ux * nx + uy * ny;
    ux -= 2 * un * nx;
    uy -= 2 * un * ny;
    x = qx;
    y = qy;
  }
  // Grazing paths that keep bouncing: stop on the wall rather than loop.
  pieces.push({ ax: x, ay: y, bx: x, by: y });
  return { pieces, ux, uy };
}

class WatermazeInstance implements TaskInstance {
  private day = 0;
  private trialOfDay = 0;
  private stepInTrial = 0;
  private finished = false;
  private x = 0;
  private y = 0;
  /** Where the current trial started (one array for all of the trial's steps). */
  private start: [number, number] = [0, 0];
  /** The current swim direction (0, 0 at the release). */
  private ux = 0;
  private uy = 0;
  private platformIndex = 0;
  /** The current platform's centre. */
  private platform: [number, number] = [0, 0];
  /** Start indices (into family.starts) of the current day's trials. */
  private startOrder: number[] = [];
  private started = false;
  /** `guide`: the rat timed out and was put on the platform; the next step ends the trial. */
  private placed = false;

  constructor(
    private readonly rng: Rng,
    private readonly family: WatermazeFamily,
  ) {}

  private get options(): WatermazeOptions {
    return this.family.options;
  }

  /**
   * Draws the day's platform (dmp, or the first day under `anywhere`) and start order, from the
   * instance's own stream.
   */
  private beginDay(): void {
    const { protocol, trialsPerDay, platform, platformLayout } = this.options;
    if (platformLayout === 'anywhere') {
      this.platformIndex = -1;
      if (protocol === 'dmp' || this.day === 0) {
        // Uniform over the disc of the allowed centres: r = r_max √u.
        const r = this.family.platformRange * Math.sqrt(this.rng.uniform());
        const angle = 2 * Math.PI * this.rng.uniform();
        this.platform = [r * Math.cos(angle), r * Math.sin(angle)];
      }
    } else {
      this.platformIndex = protocol === 'dmp' ? this.rng.int(8) : platform;
      this.platform = this.family.candidates[this.platformIndex];
    }
    this.startOrder = [];
    while (this.startOrder.length < trialsPerDay) this.startOrder.push(...this.rng.shuffle([0, 1, 2, 3]));
    this.startOrder.length = trialsPerDay;
  }

  private release(): void {
    const [sx, sy] = this.family.starts[this.startOrder[this.trialOfDay]];
    this.x = sx;
    this.y = sy;
    this.start = [sx, sy];
    this.ux = 0;
    this.uy = 0;
    this.stepInTrial = 0;
    this.placed = false;
  }

  /** After a trial's last step: the next trial, day or the end; true when the episode is over. */
  private endTrial(): boolean {
    const o = this.options;
    this.trialOfDay++;
    let done = false;
    if (this.trialOfDay >= o.trialsPerDay) {
      this.trialOfDay = 0;
      this.day++;
      if (this.day >= o.days) done = true;
      else this.beginDay();
    }
    if (done) this.finished = true;
    else this.release();
    return done;
  }

  /** The step a guided rat spends on the platform: its action is ignored, and the trial ends timed out. */
  private sitOnPlatform(): StepResult {
    const o = this.options;
    const info: StepInfo = {
      trial: this.day * o.trialsPerDay + this.trialOfDay,
      newTrial: false,
      trialEnd: true,
      position: [this.x, this.y],
      start: this.start,
      foundGoal: false,
      day: this.day,
      trialOfDay: this.trialOfDay,
      platform: [this.platform[0], this.platform[1]],
      time: o.timeout,
      swum: 0,
      timedOut: true,
      guided: true,
    };
    const done = this.endTrial();
    return { observation: this.observe(), reward: 0, done, info };
  }

  private observe(): Float64Array {
    if (this.options.observation === 'coordinates') {
      const R = this.options.poolRadius;
      return Float64Array.of(this.x / R, this.y / R);
    }
    return this.family.placeCells.activity(this.x, this.y);
  }

  reset(): Float64Array {
    this.day = 0;
    this.trialOfDay = 0;
    this.finished = false;
    this.started = true;
    this.beginDay();
    this.release();
    return this.observe();
  }

  step(action: number): StepResult {
    if (!Number.isInteger(action) || action < 0 || action >= 8)
      throw new Error(`watermaze: action must be an integer 0…7 (a swim direction), got ${action}`);
    if (this.finished) throw new Error('watermaze: step() after the episode ended; call reset() first');
    if (!this.started) this.reset();
    if (this.placed) return this.sitOnPlatform();
    const o = this.options;
    const newTrial = this.stepInTrial === 0;
    const angle = (action * Math.PI) / 4;
    let ux = Math.cos(angle);
    let uy = Math.sin(angle);
    if (this.ux !== 0 || this.uy !== 0) {
      const mx = o.momentum * this.ux + (1 - o.momentum) * ux;
      const my = o.momentum * this.uy + (1 - o.momentum) * uy;
      const norm = Math.hypot(mx, my);
      // Exactly opposite directions cancel only when m = ½; then the new choice wins.
      if (norm > 1e-12) {
        ux = mx / norm;
        uy = my / norm;
      }
    }
    const length = o.swimSpeed * o.timeStep;
    const swim = swimWithReflections(this.x, this.y, length * ux, length * uy, ux, uy, o.poolRadius);
    const [px, py] = this.platform;
    let swum = 0;
    let found = false;
    for (const piece of swim.pieces) {
      const pieceLength = Math.hypot(piece.bx - piece.ax, piece.by - piece.ay);
      const t = segmentHitsCircle(piece.ax, piece.ay, piece.bx, piece.by, px, py, o.platformRadius);
      if (t >= 0) {
        swum += t * pieceLength;
        found = true;
        break;
      }
      swum += pieceLength;
    }
    const last = swim.pieces[swim.pieces.length - 1];
    this.x = last.bx;
    this.y = last.by;
    this.ux = swim.ux;
    this.uy = swim.uy;
    const time = (this.stepInTrial + (found ? swum / length : 1)) * o.timeStep;
    this.stepInTrial++;
    const timedOut = !found && this.stepInTrial >= this.family.timeoutSteps;
    // Guided: put on the platform now (seen at the next observation); the trial ends at the next step.
    const guided = timedOut && o.guide;
    if (guided) {
      this.placed = true;
      this.x = px;
      this.y = py;
      this.ux = 0;
      this.uy = 0;
    }
    const trialEnd = found || (timedOut && !guided);
    const info: StepInfo = {
      trial: this.day * o.trialsPerDay + this.trialOfDay,
      newTrial,
      trialEnd,
      position: [this.x, this.y],
      start: this.start,
      foundGoal: found,
      day: this.day,
      trialOfDay: this.trialOfDay,
      platform: [px, py],
      time,
      swum,
      timedOut: timedOut && !guided,
      guided,
    };
    const done = trialEnd ? this.endTrial() : false;
    return { observation: this.observe(), reward: found ? o.reward : 0, done, info };
  }

  groundTruth(): GroundTruth {
    return {
      platform: this.platform,
      platformIndex: this.platformIndex,
      position: [this.x, this.y],
      day: this.day,
      trialOfDay: this.trialOfDay,
    };
  }
}

/**
 * The water maze's latent variables: where the platform is and where the agent is, in the pool's
 * coordinates (origin at the centre, x east, y north).
 */
const WATERMAZE_LATENTS: readonly LatentVariable[] = [
  {
    name: 'platform',
    size: 2,
    kind: 'continuous',
    unit: 'm',
    description: "the trial's platform centre (x, y): the same all day, a new one each day under dmp",
  },
  {
    name: 'position',
    size: 2,
    kind: 'continuous',
    unit: 'm',
    description: "the agent's position (x, y) when it chooses the step's swim direction, before it moves",
  },
];

export function createWatermaze(raw?: Record<string, unknown>): WatermazeFamily {
  const options = parseOptions('watermaze', watermazeOptions, raw);
  const R = options.poolRadius;
  for (const key of ['candidateDistance', 'startDistance'] as const) {
    if (options[key] >= R)
      throw new UsageError(`watermaze: option '${key}' must be less than poolRadius (${R}), got ${options[key]}`);
  }
  if (options.candidateDistance + options.platformRadius >= R) {
    throw new UsageError(
      `watermaze: the platform (candidateDistance + platformRadius = ` +
        `${options.candidateDistance + options.platformRadius}) ` +
        `must lie inside the pool (poolRadius ${R})`,
    );
  }
  const platformRange = R - options.platformMargin - options.platformRadius;
  if (options.platformLayout === 'anywhere' && platformRange <= 0)
    throw new UsageError(
      `watermaze: no platform fits: platformMargin + platformRadius = ` +
        `${options.platformMargin + options.platformRadius} m leaves no room in a pool of radius ${R} m`,
    );
  const timeoutSteps = Math.max(1, Math.round(options.timeout / options.timeStep));
  const placeCells = new PlaceCells({
    count: options.placeCells,
    width: options.placeFieldWidth,
    radius: R,
    layout: options.placeCellLayout,
    layoutSeed: options.placeCellSeed,
  });
  const size = options.observation === 'place-cells' ? options.placeCells : 2;
  const trials = options.days * options.trialsPerDay;
  const family: WatermazeFamily = {
    id: 'watermaze',
    options,
    metadata: {
      description:
        `Morris water maze (${options.protocol}): ${options.days} day(s) ` +
        `× ${options.trialsPerDay} trials per episode, ` +
        `Δt = ${options.timeStep} s, timeout ${options.timeout} s, platform radius ${options.platformRadius} m, ` +
        (options.observation === 'place-cells'
          ? `${options.placeCells} place cells (σ = ${options.placeFieldWidth} m)`
          : 'coordinates'),
      papers: [
        'Foster, Morris & Dayan 2000, A model of hippocampally dependent ' +
          'navigation, using the temporal difference learning rule',
        'Steele & Morris 1999, Delay-dependent impairment of a matching-to-place task with ' +
          'chronic and intrahippocampal infusion of the NMDA-antagonist D-AP5',
      ],
    },
    traits: {
      placeCellObservation: options.observation === 'place-cells',
      // The first day's platform: under delayed matching-to-place it moves each day (`info.platform` follows it).
      instanceParameters: ['platform', 'platformIndex'],
      reportLayout: {
        columns: [{ kind: 'escape-latency-by-trial-of-day' }, { kind: 'escape-rate' }],
        figures: ['escape-latency', 'swim-paths'],
      },
    },
    placeCells,
    candidates: platformCandidates(options.candidateDistance, options.candidateLayout),
    platformRange,
    starts: cardinalStarts(options.startDistance),
    timeoutSteps,
    observationSpace:
      options.observation === 'place-cells'
        ? { kind: 'box', shape: [size], low: 0, high: 1 }
        : { kind: 'box', shape: [2], low: -1, high: 1 },
    actionSpace: { kind: 'discrete', n: 8 },
    observationSize: size,
    numActions: 8,
    episodeLength: trials * (timeoutSteps + (options.guide ? 1 : 0)),
    trialsPerEpisode: trials,
    infoFields: WATERMAZE_INFO_FIELDS,
    sample: (rng: Rng) => new WatermazeInstance(rng, family),
    report: (records) => watermazeReport(records, options.trialsPerDay, options.days),
    latentVariables: WATERMAZE_LATENTS,
    // The platform of a step's trial is in place before the step; `position` in info is after it.
    latents: (record) => ({ platform: pointsPerStep(record, 'platform'), position: positionsBeforeSteps(record) }),
    // DMP: trial 2 of a day shows one-trial learning of the day's platform; reference memory: the last day.
    mainMeasure: escapeLatencyMeasure(options.protocol === 'dmp' && options.trialsPerDay >= 2 ? 2 : null, options.days),
  };
  return family;
}

export const watermaze: TaskEntry = {
  id: 'watermaze',
  description:
    'Morris water maze with place cells: reference memory or delayed matching-to-place (Foster, Morris & Dayan 2000)',
  options: watermazeOptions,
  create: createWatermaze,
};
