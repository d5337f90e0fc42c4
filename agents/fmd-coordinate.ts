// `fmd-coordinate`: the coordinate model of Foster, Morris & Dayan (2000, "A model of
// hippocampally dependent navigation, using the temporal difference learning rule", Hippocampus
// 10:1–16): the place-cell actor-critic (agents/actor-critic.ts) plus a coordinate system and a
// goal memory, the model that acquires one-trial learning in delayed matching-to-place. Reading
// the place-cell activity f_i(p) the task gives as observation:
//   critic        C(p) = Σ_i w_i f_i(p),   actor a_j(p) = Σ_i z_ji f_i(p)   (j = the 8 directions)
//   coordinates   X̂(p) = Σ_i w^x_i f_i(p),  Ŷ(p) = Σ_i w^y_i f_i(p)
//   coordinate rule (self-motion TD):  e^x_t = X̂(p_{t+1}) − Δx_t − X̂(p_t)
//                  Δw^x_i = η_x e^x_t Σ_{k ≤ t} λ^{t−k} f_i(p_k)          (the same for y)
//   goal memory   (X_g, Y_g) = the estimated coordinates where the platform was last found
//   extra action  a_coord(p) = Σ_i z_coord,i f_i(p): swim from (X̂(p), Ŷ(p)) toward (X_g, Y_g),
//                 chosen by the same softmax P_j = exp(β a_j) / Σ_k exp(β a_k) over 9 actions,
//                 learned by the same actor rule Δz_ji = η_a δ_t f_i(p_t) g_j(t).
// Δx_t is self-motion: the displacement the step made (the task's `info.position` minus where the
// step began), the signal a rat's path integration gives; the agent never reads its absolute
// position. The rule is written so that X̂ grows with x: its fixed point is X̂(p_{t+1}) − X̂(p_t) =
// Δx_t, which makes X̂ = x + constant; the constant is arbitrary and harmless, since the goal is
// stored in the same coordinates. The trace Σ λ^{t−k} f(p_k) restarts at every trial (the rat is
// carried to a new start, which is no self-motion). The platform's place is never observed (the
// next observation is the next release), so the goal is path-integrated from the last place seen:
// (X_g, Y_g) = (X̂(p_t) + Δx_t, Ŷ(p_t) + Δy_t); a rat put on the platform after a timeout (the
// water maze's `guide`) sees it and stores X̂ there. Before an animal's first platform there is no
// goal and the coordinate action is not offered.
//
// The task samples one of its 8 directions from the probabilities this agent gives: the
// coordinate action's share goes to the two directions either side of the goal's bearing, split
// linearly in angle (an 8-direction rat steers between them; with momentum the path follows the
// bearing). Which of the 9 actions produced the direction taken is then known only in
// probability, so the actor rule's g_j(t) is the posterior share of each (the direction's own
// unit and the coordinate unit, in proportion to what each gave that direction).
//
// Constants: β = 2 is the paper's; γ, η_c and η_a default to the plain actor-critic's (ours, see
// that file). η_x and λ are ours: the paper's values could not be confirmed here. At the paper's
// resolution (493 cells of width 0.16 m, Σ_i f_i² ≈ 12; Δt = 0.1 s, so a trace of λ = 0.9 spans
// about ten steps) η_x = 0.01 learns coordinates that correlate about 0.8 with x and y after 9
// days of 4 trials, mean over 40 animals (scripts/watermaze-coordinate.ts); on one animal 0.001
// reached 0.39 and 0.03 0.90 where 0.01 reached 0.94. Every one is an option.
//
// Lesions: `freeze-plasticity` holds the weights the animal acts with (critic, actor and
// coordinates) at their values at the start of the day; what it learns during the day is kept
// aside and takes effect at the next day's start (so learning over days goes on, learning within
// a day does not act). `reset-goal` wipes the goal memory at every trial boundary, so the
// coordinate action never has a goal to swim to. Neither has a counterpart in the paper.
import { z } from 'zod';
import { option, parseOptions } from '../src/core/options.ts';
import type { Lesion } from '../src/core/policy.ts';
import { unknownRecordable } from '../src/core/recordable.ts';
import { traitsOf } from '../src/core/traits.ts';
import type { Agent, AgentInput, AgentOutput, RecordableVariable, StepInfo, TaskFamily } from '../src/core/types.ts';
import type { AgentEntry } from './kit/entry.ts';

export const fmdCoordinateOptions = z.strictObject({
  discount: option(z.number().min(0).max(1).default(0.98), 'γ, the discount per time step'),
  criticLearningRate: option(z.number().min(0).max(100).default(0.1), "η_c, the critic's learning rate"),
  actorLearningRate: option(z.number().min(0).max(100).default(0.1), "η_a, the actor's learning rate"),
  // Foster et al. 2000: 2.
  inverseTemperature: option(z.number().gt(0).max(1000).default(2), 'β, inverse temperature of the softmax'),
  coordinateLearningRate: option(
    z.number().min(0).max(100).default(0.01),
    "η_x, the coordinates' learning rate (ours)",
  ),
  coordinateTrace: option(z.number().min(0).lt(1).default(0.9), "λ, decay of the coordinates' trace per step (ours)"),
});
export type FmdCoordinateOptions = z.output<typeof fmdCoordinateOptions>;

/** The 8 directions and the coordinate action. */
const DIRECTIONS = 8;
const UNITS = DIRECTIONS + 1;
const COORD = DIRECTIONS;

type Point = readonly [number, number];

function positionOf(info: StepInfo | undefined, field: 'position' | 'start'): Point {
  const p = info?.[field] as Point | undefined;
  if (!Array.isArray(p) || p.length !== 2)
    throw new Error(`fmd-coordinate: the task's info has no '${field}' [x, y], which self-motion is read from`);
  return p;
}

/**
 * The shares of the 8 directions (j·45°) that steer toward `angle`: the two either side of it,
 * split linearly in angle (exported for tests).
 */
export function bearingShares(angle: number, out: Float64Array, offset = 0): void {
  const sector = Math.PI / 4;
  let u = angle / sector;
  u -= DIRECTIONS * Math.floor(u / DIRECTIONS);
  const lo = Math.floor(u) % DIRECTIONS;
  const frac = u - Math.floor(u);
  for (let j = 0; j < DIRECTIONS; j++) out[offset + j] = 0;
  out[offset + lo] += 1 - frac;
  out[offset + ((lo + 1) % DIRECTIONS)] += frac;
}

/** One animal's synapses: critic w, actor z (9 × N) and coordinates w^x, w^y. */
interface Weights {
  critic: Float64Array;
  actor: Float64Array;
  x: Float64Array;
  y: Float64Array;
}

function copyWeights(w: Weights): Weights {
  return { critic: w.critic.slice(), actor: w.actor.slice(), x: w.x.slice(), y: w.y.slice() };
}

function dot(w: Float64Array, offset: number, f: ArrayLike<number>, fOffset: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += w[offset + i] * f[fOffset + i];
  return s;
}

export class FmdCoordinateAgent implements Agent {
  readonly id = 'fmd-coordinate';
  readonly kind = 'plastic' as const;
  private batchSize = 0;
  /** Per animal, the weights it learns with. */
  private learning: Weights[] = [];
  /**
   * Per animal, the weights it acts with: the learning ones, or under freeze-plasticity a copy
   * taken at the start of the day.
   */
  private acting: Weights[] = [];
  /** B × N place-cell activity at the previous step. */
  private previous = new Float64Array(0);
  /** B × N trace of the coordinate rule. */
  private trace = new Float64Array(0);
  /** B × 2 goal memory (X_g, Y_g), and whether each animal has one. */
  private goal = new Float64Array(0);
  private hasGoal = new Uint8Array(0);
  /** Per animal, the unit probabilities (9) and the coordinate action's direction shares (8) of the last step. */
  private unitProbs = new Float64Array(0);
  private shares = new Float64Array(0);
  /** Where each animal was when it chose its last action. */
  private lastPosition: Point[] = [];
  private latestTdError = new Float64Array(0);
  private lesion: Lesion = 'none';

  constructor(
    readonly numActions: number,
    readonly cells: number,
    readonly options: FmdCoordinateOptions,
    /** Trials per day of the task (the water maze's `trialsPerDay`); infinite for tasks without days. */
    readonly trialsPerDay = Number.POSITIVE_INFINITY,
  ) {
    if (numActions !== DIRECTIONS)
      throw new Error(`fmd-coordinate: needs 8 swim directions, the task has ${numActions}`);
  }

  begin(batchSize: number): void {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new Error(`begin: batch size must be a positive integer, got ${batchSize}`);
    const N = this.cells;
    this.batchSize = batchSize;
    // New, naive animals: every weight zero (a uniform policy, a flat value map, no coordinates).
    this.learning = Array.from({ length: batchSize }, () => ({
      critic: new Float64Array(N),
      actor: new Float64Array(UNITS * N),
      x: new Float64Array(N),
      y: new Float64Array(N),
    }));
    this.acting = this.lesion === 'freeze-plasticity' ? this.learning.map(copyWeights) : this.learning;
    this.previous = new Float64Array(batchSize * N);
    this.trace = new Float64Array(batchSize * N);
    this.goal = new Float64Array(batchSize * 2);
    this.hasGoal = new Uint8Array(batchSize);
    this.unitProbs = new Float64Array(batchSize * UNITS);
    this.shares = new Float64Array(batchSize * DIRECTIONS);
    this.lastPosition = new Array(batchSize).fill([0, 0]);
    this.latestTdError = new Float64Array(batchSize);
  }

  /** The estimated coordinates (X̂, Ŷ) of animal b at the features at `offset` of `f`, by the weights it acts with. */
  coordinates(b: number, f: ArrayLike<number>, offset: number): Point {
    const w = this.acting[b];
    return [dot(w.x, 0, f, offset, this.cells), dot(w.y, 0, f, offset, this.cells)];
  }

  /** Learns from the step animal b just made (action `a`, which led to `obs`). */
  private learn(b: number, a: number, reward: number, info: StepInfo | undefined, obs: ArrayLike<number>): void {
    const N = this.cells;
    const o = this.options;
    const w = this.learning[b];
    const f = this.previous;
    const fo = b * N;
    const before = info?.newTrial === true ? positionOf(info, 'start') : this.lastPosition[b];
    const after = positionOf(info, 'position');
    const dx = after[0] - before[0];
    const dy = after[1] - before[1];
    const trialEnd = info?.trialEnd === true;
    // Put on the platform after a timeout (the water maze's `guide`): carried, not swum; nothing to learn.
    if (info?.guided === true && !trialEnd) {
      this.trace.fill(0, fo, fo + N);
      return;
    }
    // The goal, path-integrated from the last place seen, with the coordinates the animal acts with:
    // where it found the platform, or where it was put on it (then the last place seen is the platform).
    if (trialEnd && (info?.foundGoal === true || info?.guided === true)) {
      const [x, y] = this.coordinates(b, f, fo);
      this.goal[2 * b] = x + dx;
      this.goal[2 * b + 1] = y + dy;
      this.hasGoal[b] = 1;
    }
    // Coordinates: TD(λ) on self-motion, within a trial (the next place is observed).
    for (let i = 0; i < N; i++) this.trace[fo + i] = o.coordinateTrace * this.trace[fo + i] + f[fo + i];
    if (!trialEnd) {
      const ex = dot(w.x, 0, obs, fo, N) - dx - dot(w.x, 0, f, fo, N);
      const ey = dot(w.y, 0, obs, fo, N) - dy - dot(w.y, 0, f, fo, N);
      const sx = o.coordinateLearningRate * ex;
      const sy = o.coordinateLearningRate * ey;
      for (let i = 0; i < N; i++) {
        w.x[i] += sx * this.trace[fo + i];
        w.y[i] += sy * this.trace[fo + i];
      }
    }
    // Critic and actor: the TD error of the plain actor-critic (a timeout truncates, not terminates).
    if (info?.timedOut === true) return;
    const next = trialEnd ? 0 : dot(w.critic, 0, obs, fo, N);
    const delta = reward + o.discount * next - dot(w.critic, 0, f, fo, N);
    this.latestTdError[b] = delta;
    // g_j: the posterior share of the direction's own unit and of the coordinate unit.
    const own = this.unitProbs[b * UNITS + a];
    const coord = this.unitProbs[b * UNITS + COORD] * this.shares[b * DIRECTIONS + a];
    const total = own + coord;
    const gOwn = total > 0 ? own / total : 1;
    const dc = o.criticLearningRate * delta;
    const da = o.actorLearningRate * delta;
    for (let i = 0; i < N; i++) {
      const fi = f[fo + i];
      w.critic[i] += dc * fi;
      w.actor[a * N + i] += da * gOwn * fi;
      w.actor[COORD * N + i] += da * (1 - gOwn) * fi;
    }
  }

  act(input: AgentInput): AgentOutput {
    const B = this.batchSize;
    const N = this.cells;
    if (input.prevAction.length !== B)
      throw new Error(`act: batch of ${input.prevAction.length}, but begin() was called with ${B}`);
    const obs = input.observation;
    const probs = new Float64Array(B * DIRECTIONS);
    const values = new Float64Array(B);
    const beta = this.options.inverseTemperature;
    const prefs = new Float64Array(UNITS);
    this.latestTdError.fill(0);
    for (let b = 0; b < B; b++) {
      const a = input.prevAction[b];
      const info = input.prevInfo[b];
      if (a >= 0) {
        this.learn(b, a, input.prevReward[b], info, obs);
        this.lastPosition[b] = info?.trialEnd === true ? [Number.NaN, Number.NaN] : positionOf(info, 'position');
        if (info?.trialEnd === true) {
          this.trace.fill(0, b * N, (b + 1) * N);
          if (this.lesion === 'reset-goal') this.hasGoal[b] = 0;
        }
        // A new day begins with this step: under freeze-plasticity, the day's learning takes effect now.
        if (info?.trialEnd === true && this.endsDay(info) && this.lesion === 'freeze-plasticity')
          this.acting[b] = copyWeights(this.learning[b]);
      }
      const w = this.acting[b];
      const fo = b * N;
      for (let j = 0; j < DIRECTIONS; j++) prefs[j] = beta * dot(w.actor, j * N, obs, fo, N);
      const offered = this.hasGoal[b] === 1;
      prefs[COORD] = offered ? beta * dot(w.actor, COORD * N, obs, fo, N) : Number.NEGATIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < UNITS; j++) max = Math.max(max, prefs[j]);
      let sum = 0;
      for (let j = 0; j < UNITS; j++) {
        const e = Math.exp(prefs[j] - max);
        this.unitProbs[b * UNITS + j] = e;
        sum += e;
      }
      for (let j = 0; j < UNITS; j++) this.unitProbs[b * UNITS + j] /= sum;
      if (offered) {
        const [x, y] = this.coordinates(b, obs, fo);
        bearingShares(Math.atan2(this.goal[2 * b + 1] - y, this.goal[2 * b] - x), this.shares, b * DIRECTIONS);
      } else this.shares.fill(0, b * DIRECTIONS, (b + 1) * DIRECTIONS);
      const pc = this.unitProbs[b * UNITS + COORD];
      for (let j = 0; j < DIRECTIONS; j++)
        probs[b * DIRECTIONS + j] = this.unitProbs[b * UNITS + j] + pc * this.shares[b * DIRECTIONS + j];
      values[b] = dot(w.critic, 0, obs, fo, N);
      for (let i = 0; i < N; i++) this.previous[fo + i] = obs[fo + i];
    }
    return { probs, value: values };
  }

  /** Whether the trial that `info` ended was the last of its day (never, for tasks without days). */
  private endsDay(info: StepInfo): boolean {
    return typeof info.trialOfDay === 'number' && info.trialOfDay + 1 >= this.trialsPerDay;
  }

  recordable(): readonly RecordableVariable[] {
    return [
      {
        name: 'critic',
        shape: [this.cells],
        memory: 'synapses',
        description: "the critic's weights w_i from place cell i, whose sum Σ w_i f_i(p) is the value C(p) (unitless)",
      },
      {
        name: 'actor',
        shape: [UNITS, this.cells],
        memory: 'synapses',
        description:
          "the actor's weights z_ji from place cell i to direction j (rows 0–7) and to the coordinate action (row 8)",
      },
      {
        name: 'coordinates',
        shape: [2, this.cells],
        memory: 'synapses',
        description: 'the coordinate weights w^x_i (row 0) and w^y_i (row 1), whose sums are X̂(p) and Ŷ(p) (m)',
      },
      {
        name: 'position-estimate',
        shape: [2],
        memory: 'readout',
        description: 'the estimated coordinates (X̂, Ŷ) of the place the animal chose its action at (m)',
      },
      {
        name: 'goal',
        shape: [3],
        memory: 'activity',
        description:
          'the goal memory: the estimated coordinates (X_g, Y_g) where the platform was last found (m), ' +
          'and 1 if there is one (0 before the first platform, or after a reset-goal lesion wiped it)',
      },
      {
        name: 'coordinate-action',
        shape: [1],
        memory: 'readout',
        description: 'the probability that the animal chose the coordinate action (swim toward the goal) at this step',
      },
      {
        name: 'td-error',
        shape: [1],
        memory: 'readout',
        description:
          'the TD error δ of the previous move, which updated the critic and actor at this step (0 when nothing ' +
          'was learned: at the first step or after a timeout), in units of reward',
      },
    ];
  }

  readRecordable(name: string): Float64Array {
    const B = this.batchSize;
    const N = this.cells;
    const rows = (size: number, fill: (b: number, out: Float64Array, at: number) => void) => {
      const out = new Float64Array(B * size);
      for (let b = 0; b < B; b++) fill(b, out, b * size);
      return out;
    };
    if (name === 'critic') return rows(N, (b, out, at) => out.set(this.acting[b].critic, at));
    if (name === 'actor') return rows(UNITS * N, (b, out, at) => out.set(this.acting[b].actor, at));
    if (name === 'coordinates')
      return rows(2 * N, (b, out, at) => {
        out.set(this.acting[b].x, at);
        out.set(this.acting[b].y, at + N);
      });
    if (name === 'position-estimate')
      return rows(2, (b, out, at) => out.set(this.coordinates(b, this.previous, b * N), at));
    if (name === 'goal')
      return rows(3, (b, out, at) => out.set([this.goal[2 * b], this.goal[2 * b + 1], this.hasGoal[b]], at));
    if (name === 'coordinate-action') return rows(1, (b, out, at) => (out[at] = this.unitProbs[b * UNITS + COORD]));
    if (name === 'td-error') return Float64Array.from(this.latestTdError);
    throw unknownRecordable(this.id, name, this.recordable());
  }

  /**
   * `freeze-plasticity`: the weights act as they were at the day's start; `reset-goal`: the goal
   * memory is wiped at every trial boundary. It has no other activity to reset.
   */
  setLesion(kind: Lesion): boolean {
    const applies = kind === 'freeze-plasticity' || kind === 'reset-goal';
    this.lesion = applies ? kind : 'none';
    return applies;
  }
}

function cannotPlay(family: TaskFamily): string | null {
  if (family.actionSpace.kind !== 'discrete' || family.numActions !== DIRECTIONS)
    return 'it needs 8 swim directions (one actor unit each, and a ninth that swims to the goal)';
  if (!traitsOf(family).placeCellObservation)
    return `it reads place-cell activity, and '${family.id}' does not give place cells as its observation`;
  return null;
}

export const fmdCoordinate: AgentEntry = {
  id: 'fmd-coordinate',
  kind: 'plastic',
  description:
    'place-cell actor-critic with coordinates learned from self-motion, a goal memory and a swim-to-goal ' +
    'action: one-trial learning in delayed matching-to-place by synapses plus a goal memory ' +
    '(Foster, Morris & Dayan 2000)',
  options: fmdCoordinateOptions,
  papers: [
    'Foster, Morris & Dayan 2000, A model of hippocampally dependent navigation, ' +
      'using the temporal difference learning rule',
  ],
  cannotPlay,
  create(family, options) {
    const resolved = parseOptions('fmd-coordinate', fmdCoordinateOptions, options);
    const perDay = (family.options as { trialsPerDay?: unknown }).trialsPerDay;
    return new FmdCoordinateAgent(
      family.numActions,
      family.observationSize,
      resolved,
      typeof perDay === 'number' ? perDay : Number.POSITIVE_INFINITY,
    );
  },
};
