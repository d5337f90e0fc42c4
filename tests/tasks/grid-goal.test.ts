import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import type { EpisodeRecord } from '../../src/core/types.ts';
import { gridGoalSummary } from '../../src/measures/spatial.ts';
import { createGridGoal, gridLayout } from '../../tasks/grid-goal.ts';

describe('grid-goal layout', () => {
  it('13×13: border walls, pillars where both coordinates are even, the centre free', () => {
    const n = 13;
    const walls = gridLayout(n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const border = r === 0 || c === 0 || r === n - 1 || c === n - 1;
        const pillar = r % 2 === 0 && c % 2 === 0 && !(r === 6 && c === 6);
        expect(walls[r * n + c], `cell ${r},${c}`).toBe(border || pillar ? 1 : 0);
      }
    }
    expect(walls[6 * n + 6]).toBe(0);
  });

  it('the observation is the 3×3 neighbourhood plus the step fraction; the agent starts at the centre', () => {
    const family = createGridGoal();
    const instance = family.sample(Rng.fromSeed('obs'));
    const obs = instance.reset();
    // Around the centre (6, 6): the four diagonal neighbours (5|7, 5|7) are odd-odd cells (free),
    // the orthogonal ones (5,6), (7,6), (6,5), (6,7) are odd-even (free); so all 0.
    expect(Array.from(obs)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Up to (5, 6): its neighbours (4,5) and (4,7) are free (row 4 even, columns 5 and 7 odd);
    // (4,6), even-even, is a pillar.
    const r = instance.step(0);
    expect(r.info.position).toEqual([5, 6]);
    expect(Array.from(r.observation.subarray(0, 9))).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.observation[9]).toBeCloseTo(1 / 200, 12);
  });

  it('bumping into a pillar leaves the agent in place', () => {
    const family = createGridGoal({ wallPenalty: 0.1 });
    const instance = family.sample(Rng.fromSeed('bump'));
    instance.reset();
    instance.step(0); // (5, 6)
    const r = instance.step(0); // (4, 6) is a pillar
    expect(r.info.hitWall).toBe(true);
    expect(r.info.position).toEqual([5, 6]);
    expect(r.reward).toBeCloseTo(-0.1, 12);
  });

  it('reaching the goal gives +10 and teleports to a free cell; the goal stays put; trials count hits', () => {
    const family = createGridGoal();
    let hits = 0;
    for (let seed = 0; seed < 5; seed++) {
      const instance = family.sample(Rng.fromSeed(`goal${seed}`));
      instance.reset();
      const goal = (instance.groundTruth().goal as number[]).join(',');
      const rng = Rng.fromSeed(`a${seed}`);
      let trial = 0;
      for (let t = 0; t < 200; t++) {
        const r = instance.step(rng.int(4));
        expect((r.info.goal as number[]).join(',')).toBe(goal);
        expect(r.info.trial).toBe(trial);
        if (r.info.foundGoal) {
          hits++;
          trial++;
          expect(r.reward).toBe(10);
          expect((r.info.position as number[]).join(',')).toBe(goal);
          const now = instance.groundTruth().position as number[];
          expect(now.join(',')).not.toBe(goal);
          expect(family.walls[now[0] * 13 + now[1]]).toBe(0);
          expect(r.info.trialEnd).toBe(true);
        } else expect(r.reward).toBe(0);
        if (t === 199) expect(r.done).toBe(true);
      }
    }
    expect(hits).toBeGreaterThan(0);
  });

  it('steps between goal hits', () => {
    const infos = (hitsAt: number[]) =>
      Array.from({ length: 20 }, (_, s) => ({ trial: 0, foundGoal: hitsAt.includes(s + 1) }));
    const records: EpisodeRecord[] = [
      { actions: [], rewards: [], infos: infos([3, 7, 9]) },
      { actions: [], rewards: [], infos: infos([5]) },
    ];
    const s = gridGoalSummary(records);
    expect(s.goalHits.mean).toBe(2);
    expect(s.stepsToFirstGoal.mean).toBe(4);
    expect(s.stepsBetweenGoals.mean).toBe(3);
    expect(s.stepsBetweenGoalsByHit.map((e) => e.mean)).toEqual([4, 2]);
  });

  it('bad options are UsageErrors', () => {
    expect(() => createGridGoal({ size: 12 })).toThrow(/must be odd/);
    expect(() => createGridGoal({ size: 3 })).toThrow(UsageError);
    expect(() => createGridGoal({ wallpenalty: 1 })).toThrow(/unknown option 'wallpenalty'/);
  });
});
