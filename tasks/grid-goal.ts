// The hidden-goal grid maze of Miconi et al. (2019, "Backpropamine: training self-modifying
// neural networks with differentiable neuromodulated plasticity", ICLR, §4.2; also Miconi et al.
// 2018 "Differentiable plasticity", §4.5). A square grid with walls on the border and pillars on
// every interior cell whose two coordinates are both even, except the centre, where the agent
// starts each episode (the published code clears the centre so that it can be recognised). One
// free cell, not the centre, hides the goal; it is drawn per episode and fixed within it. The
// agent sees only the 3×3 neighbourhood of its cell (1 = wall or pillar, 0 = free), plus the
// step fraction t/T. It moves up, down, left or right; a move into a wall leaves it in place
// (with `wallPenalty` subtracted: 0 by default, the default of the published code,
// uber-research/backpropamine simplemaze/maze.py). Reaching the goal gives `goalReward` (+10)
// and teleports the agent to a random free cell other than the goal. An episode has `steps`
// steps (200). What an agent can learn within an episode is where the goal is, so that after
// the first hit it returns faster and faster.
//
// Trials: a trial is the stretch between goal hits (trial k ends with the k-th hit, or with the
// episode); `newTrial`, `trialEnd` and `trial` follow that, so the trial measures and the
// `reset-state` lesion (wiping activity after every hit) apply.
import { z } from 'zod';
import { UsageError } from '../src/core/errors.ts';
import { option, parseOptions } from '../src/core/options.ts';
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
import { rewardPerEpisode } from '../src/measures/main-measure.ts';
import {
  gridGoalReport,
  NAVIGATION_INFO_FIELDS,
  pointsPerStep,
  positionsBeforeSteps,
} from '../src/measures/spatial.ts';

export const gridGoalOptions = z.strictObject({
  // Miconi et al. 2019: 13 in the brief, 11 in the code's default.
  size: option(z.int().min(5).max(51).default(13), 'Side of the grid, walls included; odd'),
  steps: option(z.int().min(1).max(10000).default(200), 'Steps per episode (Miconi et al. 2019: 200)'),
  goalReward: option(z.number().min(0).max(1000).default(10), 'Reward for reaching the goal (Miconi: 10)'),
  // The published code's default: 0.
  wallPenalty: option(z.number().min(0).max(100).default(0), 'Reward subtracted for bumping into a wall'),
});

export type GridGoalOptions = z.output<typeof gridGoalOptions>;

export const GRID_GOAL_INFO_FIELDS = [...NAVIGATION_INFO_FIELDS, 'goal', 'hitWall'] as const;

/** Actions: 0 up (row − 1), 1 down (row + 1), 2 left (column − 1), 3 right (column + 1), as in the published code. */
const MOVES: readonly [number, number][] = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
];

export interface GridGoalFamily extends TaskFamily<GridGoalOptions> {
  readonly traits: TaskTraits;
  /** Row-major size × size: 1 for walls and pillars, 0 for free cells. */
  readonly walls: Uint8Array;
  /** The free cells, as row · size + column. */
  readonly freeCells: readonly number[];
  readonly centre: number;
  report(records: readonly EpisodeRecord[]): Record<string, unknown>;
}

/** The layout: border walls, pillars where row and column are both even, the centre cleared. */
export function gridLayout(size: number): Uint8Array {
  const walls = new Uint8Array(size * size);
  const centre = Math.floor(size / 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const border = r === 0 || c === 0 || r === size - 1 || c === size - 1;
      const pillar = r % 2 === 0 && c % 2 === 0;
      walls[r * size + c] = border || pillar ? 1 : 0;
    }
  }
  walls[centre * size + centre] = 0;
  return walls;
}

class GridGoalInstance implements TaskInstance {
  private row: number;
  private col: number;
  private t = 0;
  private hits = 0;
  private newTrialNext = true;
  /** The cell the current trial started from (the centre, then wherever the last hit teleported to). */
  private trialStart: [number, number] = [0, 0];
  readonly goal: number;

  constructor(
    private readonly rng: Rng,
    private readonly family: GridGoalFamily,
  ) {
    const { centre } = family;
    const candidates = family.freeCells.filter((c) => c !== centre);
    this.goal = rng.choice(candidates);
    this.row = Math.floor(centre / family.options.size);
    this.col = centre % family.options.size;
  }

  private observe(): Float64Array {
    const n = this.family.options.size;
    const obs = new Float64Array(10);
    let k = 0;
    for (let dr = -1; dr <= 1; dr++)
      for (let dc = -1; dc <= 1; dc++) obs[k++] = this.family.walls[(this.row + dr) * n + this.col + dc];
    obs[9] = this.t / this.family.options.steps;
    return obs;
  }

  reset(): Float64Array {
    const n = this.family.options.size;
    this.row = Math.floor(this.family.centre / n);
    this.col = this.family.centre % n;
    this.t = 0;
    this.hits = 0;
    this.newTrialNext = true;
    return this.observe();
  }

  step(action: number): StepResult {
    if (!Number.isInteger(action) || action < 0 || action > 3)
      throw new Error(`grid-goal: action must be 0 (up), 1 (down), 2 (left) or 3 (right), got ${action}`);
    const o = this.family.options;
    if (this.t >= o.steps) throw new Error('grid-goal: step() after the episode ended; call reset() first');
    const n = o.size;
    if (this.newTrialNext) this.trialStart = [this.row, this.col];
    const [dr, dc] = MOVES[action];
    const r = this.row + dr;
    const c = this.col + dc;
    let reward = 0;
    const hitWall = this.family.walls[r * n + c] === 1;
    if (hitWall) reward -= o.wallPenalty;
    else {
      this.row = r;
      this.col = c;
    }
    const found = this.row * n + this.col === this.goal;
    const position = [this.row, this.col];
    if (found) {
      reward += o.goalReward;
      // Teleport to a random free cell other than the goal (the centre is allowed).
      const cells = this.family.freeCells;
      let cell = this.goal;
      while (cell === this.goal) cell = cells[this.rng.int(cells.length)];
      this.row = Math.floor(cell / n);
      this.col = cell % n;
    }
    this.t++;
    const done = this.t >= o.steps;
    const info: StepInfo = {
      trial: this.hits,
      newTrial: this.newTrialNext,
      trialEnd: found || done,
      position,
      start: this.trialStart,
      foundGoal: found,
      goal: [Math.floor(this.goal / n), this.goal % n],
      hitWall,
    };
    if (found) this.hits++;
    this.newTrialNext = found;
    return { observation: this.observe(), reward, done, info };
  }

  groundTruth(): GroundTruth {
    const n = this.family.options.size;
    return { goal: [Math.floor(this.goal / n), this.goal % n], position: [this.row, this.col], hits: this.hits };
  }
}

/** The maze's latent variables, as cells (row, column) of the grid, row 0 at the top. */
const GRID_GOAL_LATENTS: readonly LatentVariable[] = [
  {
    name: 'goal',
    size: 2,
    kind: 'continuous',
    unit: 'cell',
    description: 'the goal cell (row, column), fixed within the episode',
  },
  {
    name: 'position',
    size: 2,
    kind: 'continuous',
    unit: 'cell',
    description:
      "the agent's cell (row, column) when it chooses the step's move, before it moves " +
      '(after a goal hit, the cell it was teleported to)',
  },
];

export function createGridGoal(raw?: Record<string, unknown>): GridGoalFamily {
  const options = parseOptions('grid-goal', gridGoalOptions, raw);
  if (options.size % 2 === 0)
    throw new UsageError(
      `grid-goal: option 'size' must be odd (pillars on even coordinates, walls on the border), got ${options.size}`,
    );
  const walls = gridLayout(options.size);
  const freeCells: number[] = [];
  for (let i = 0; i < walls.length; i++) if (walls[i] === 0) freeCells.push(i);
  const half = Math.floor(options.size / 2);
  // At most one hit every 2 steps (a hit teleports, and the goal is never the landing cell), plus the last trial.
  const trialsBound = Math.floor(options.steps / 2) + 1;
  const family: GridGoalFamily = {
    id: 'grid-goal',
    options,
    metadata: {
      description:
        `hidden-goal grid maze ${options.size}×${options.size}, ${options.steps} steps ` +
        `per episode, +${options.goalReward} per hit then teleport`,
      papers: [
        'Miconi et al. 2019, Backpropamine: training self-modifying neural ' +
          'networks with differentiable neuromodulated plasticity',
        'Miconi et al. 2018, Differentiable plasticity',
      ],
    },
    traits: {
      instanceParameters: ['goal'],
      reportLayout: { columns: [{ kind: 'goal-hits' }], figures: ['steps-between-goals'] },
    },
    walls,
    freeCells,
    centre: half * options.size + half,
    observationSpace: { kind: 'box', shape: [10], low: 0, high: 1 },
    actionSpace: { kind: 'discrete', n: 4 },
    observationSize: 10,
    numActions: 4,
    episodeLength: options.steps,
    trialsPerEpisode: trialsBound,
    infoFields: GRID_GOAL_INFO_FIELDS,
    sample: (rng: Rng) => new GridGoalInstance(rng, family),
    report: gridGoalReport,
    mainMeasure: rewardPerEpisode,
    latentVariables: GRID_GOAL_LATENTS,
    // A trial's `start` is where a goal hit teleported the agent; `position` in info is after the move.
    latents: (record) => ({ goal: pointsPerStep(record, 'goal'), position: positionsBeforeSteps(record) }),
  };
  return family;
}

export const gridGoal: TaskEntry = {
  id: 'grid-goal',
  description:
    'hidden-goal grid maze: find a goal fixed within the episode, teleported after every hit (Miconi et al. 2019)',
  options: gridGoalOptions,
  create: createGridGoal,
};
