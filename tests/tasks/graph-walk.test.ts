import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import {
  createGraphWalk,
  drawEnvironment,
  KIND_NEW,
  KIND_NEW_PATH,
  KIND_WALKED,
  MOVES,
  type WalkBatch,
} from '../../tasks/graph-walk.ts';

const DX = [0, 0, 1, 0, -1];
const DY = [0, 1, 0, -1, 0];

/** Walk s of a batch, step by step. */
function walk(batch: WalkBatch, s: number) {
  const S = batch.walks;
  return Array.from({ length: batch.steps + 1 }, (_, t) => ({
    observation: batch.observations[t * S + s],
    move: batch.moves[t * S + s],
    place: batch.places[t * S + s],
    kind: batch.kinds[t * S + s],
    stay: batch.stays[t * S + s],
  }));
}

describe('graph-walk', () => {
  it('walks stay on the grid, each move leads to the next place, and a place always shows one observation', () => {
    const family = createGraphWalk({ widths: [3, 4], steps: 200, alphabet: 7 });
    const batch = family.sampleWalks(Rng.fromSeed('w'), 12);
    expect(new Set(Array.from(batch.widths))).toEqual(new Set([3, 4]));
    for (let s = 0; s < batch.walks; s++) {
      const width = batch.widths[s];
      const steps = walk(batch, s);
      const shown = new Map<number, number>();
      for (const [t, step] of steps.entries()) {
        expect(step.place).toBeGreaterThanOrEqual(0);
        expect(step.place).toBeLessThan(width * width);
        expect(step.observation).toBeGreaterThanOrEqual(0);
        expect(step.observation).toBeLessThan(7);
        if (shown.has(step.place)) expect(step.observation).toBe(shown.get(step.place));
        shown.set(step.place, step.observation);
        if (t === 0) {
          expect(step.move).toBe(-1);
          continue;
        }
        const before = steps[t - 1].place;
        const [x, y] = [before % width, Math.floor(before / width)];
        expect(step.place).toBe((y + DY[step.move]) * width + x + DX[step.move]);
        expect(step.stay).toBe(step.move === 0 ? 1 : 0);
      }
    }
  });

  it('marks each target place new, walked (this move from this place taken before) or new-path', () => {
    const family = createGraphWalk({ widths: [3], steps: 300 });
    const batch = family.sampleWalks(Rng.fromSeed('k'), 8);
    const counts = [0, 0, 0];
    for (let s = 0; s < batch.walks; s++) {
      const steps = walk(batch, s);
      const visited = new Set([steps[0].place]);
      const edges = new Set<string>();
      for (let t = 1; t < steps.length; t++) {
        const edge = `${steps[t - 1].place}:${steps[t].move}`;
        const expected = !visited.has(steps[t].place) ? KIND_NEW : edges.has(edge) ? KIND_WALKED : KIND_NEW_PATH;
        expect(steps[t].kind, `walk ${s} step ${t}`).toBe(expected);
        counts[expected]++;
        visited.add(steps[t].place);
        edges.add(edge);
      }
    }
    // A 3×3 grid has 9 places and 33 directed moves (stays included): each kind occurs.
    expect(counts[KIND_NEW]).toBe(8 * 8);
    expect(counts[KIND_WALKED]).toBeGreaterThan(counts[KIND_NEW_PATH]);
    expect(counts[KIND_NEW_PATH]).toBeGreaterThan(100);
  });

  it('moves uniformly among the valid ones, and wallBias draws the walk toward the border', () => {
    const interior = (bias: number) => {
      const batch = createGraphWalk({ widths: [7], steps: 4000, wallBias: bias }).sampleWalks(Rng.fromSeed('b'), 1);
      const steps = walk(batch, 0);
      const onBorder = steps.filter((st) => {
        const [x, y] = [st.place % 7, Math.floor(st.place / 7)];
        return x === 0 || y === 0 || x === 6 || y === 6;
      }).length;
      const moves = new Array(MOVES.length).fill(0);
      // From places two or more from every wall, every move is valid and none ends on the border.
      for (let t = 1; t < steps.length; t++) {
        const p = steps[t - 1].place;
        const [x, y] = [p % 7, Math.floor(p / 7)];
        if (x >= 2 && y >= 2 && x <= 4 && y <= 4) moves[steps[t].move]++;
      }
      return { border: onBorder / steps.length, moves };
    };
    const uniform = interior(0);
    const total = uniform.moves.reduce((a, b) => a + b, 0);
    for (const m of uniform.moves) expect(Math.abs(m / total - 0.2)).toBeLessThan(0.04);
    // 24 of 49 places are on the border.
    expect(interior(5).border).toBeGreaterThan(uniform.border + 0.15);
  });

  it('draws walk s from its own stream, whatever the batch size', () => {
    const family = createGraphWalk({ steps: 30 });
    const a = family.sampleWalks(Rng.fromSeed('s'), 3);
    const b = family.sampleWalks(Rng.fromSeed('s'), 5);
    for (let s = 0; s < 3; s++) expect(walk(b, s)).toEqual(walk(a, s));
  });

  it('meets the task contract as one guess of the last observation, given the walk and the last move', () => {
    const family = createGraphWalk({ widths: [2], steps: 40, alphabet: 5 });
    const instance = family.sample(Rng.fromSeed('i'));
    const observation = instance.reset();
    expect(observation).toHaveLength(80);
    const truth = instance.groundTruth?.() as { target: number };
    const result = instance.step(truth.target);
    expect(result.reward).toBe(1);
    expect(result.done).toBe(true);
    expect(['new', 'walked', 'new-path']).toContain(result.info.kind);
    // Moves sit at the odd positions, observations at the even ones.
    for (let t = 0; t < 40; t++) {
      expect(observation[2 * t]).toBeLessThan(5);
      expect(observation[2 * t + 1]).toBeGreaterThanOrEqual(0);
      expect(observation[2 * t + 1]).toBeLessThan(5);
    }
    expect(() => instance.step(0)).toThrow(/after the episode ended/);
  });

  it('walks a given environment from a given place, as long as asked', () => {
    const family = createGraphWalk({ widths: [4, 5], alphabet: 7, steps: 10 });
    const env = drawEnvironment(Rng.fromSeed('env'), { ...family.options, widths: [5] });
    expect(env.width).toBe(5);
    const walk = family.walkIn(Rng.fromSeed('walk'), env, 12, 300);
    expect([walk.walks, walk.steps, walk.widths[0], walk.places[0]]).toEqual([1, 300, 5, 12]);
    for (let t = 0; t <= 300; t++) expect(walk.observations[t]).toBe(env.shown[walk.places[t]]);
    // 300 moves on 25 places visit every one.
    expect(new Set(walk.places).size).toBe(25);
    expect(() => family.walkIn(Rng.fromSeed('walk'), env, 25)).toThrow(/start place 25/);
    expect(() => family.walkIn(Rng.fromSeed('walk'), { width: 4, shown: env.shown }, 0)).toThrow(/shows 25 places/);
  });

  it('refuses bad options with a UsageError naming them', () => {
    expect(() => createGraphWalk({ widths: [4, 4] })).toThrow(UsageError);
    expect(() => createGraphWalk({ widths: [4, 4] })).toThrow(/'widths' lists a width twice/);
    expect(() => createGraphWalk({ widths: [1] })).toThrow(/widths/);
    expect(() => createGraphWalk({ alphabet: 1 })).toThrow(/alphabet/);
    expect(() => createGraphWalk({ steps: 0 })).toThrow(/steps/);
  });
});
