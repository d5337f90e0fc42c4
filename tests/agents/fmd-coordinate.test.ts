import { describe, expect, it } from 'vitest';
import { bearingShares, FmdCoordinateAgent, fmdCoordinateOptions } from '../../agents/fmd-coordinate.ts';
import { findAgent } from '../../agents/index.ts';
import { Rng } from '../../src/core/rng.ts';
import type { AgentInput } from '../../src/core/types.ts';
import { evaluate } from '../../src/rl/rollout.ts';
import { createGridGoal } from '../../tasks/grid-goal.ts';
import { createWatermaze } from '../../tasks/watermaze.ts';

const options = fmdCoordinateOptions.parse({});

/** One animal's input: place cells `obs`, the previous action and reward, and the task's info. */
function input(obs: ArrayLike<number>, prevAction: number, prevReward: number, info?: Record<string, unknown>) {
  return {
    observation: Float64Array.from(obs),
    prevAction: Int32Array.of(prevAction),
    prevReward: Float64Array.of(prevReward),
    timeFraction: 0,
    step: prevAction < 0 ? 0 : 1,
    prevInfo: [info as AgentInput['prevInfo'][number]],
    instances: [],
  } satisfies AgentInput;
}

describe('fmd-coordinate (Foster, Morris & Dayan 2000)', () => {
  it('steers between the two directions either side of the bearing, linearly in angle', () => {
    const out = new Float64Array(8);
    bearingShares(0, out);
    expect(Array.from(out)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    bearingShares(Math.PI / 8, out);
    expect(out[0]).toBeCloseTo(0.5, 12);
    expect(out[1]).toBeCloseTo(0.5, 12);
    bearingShares(-Math.PI / 16, out);
    expect(out[7]).toBeCloseTo(0.25, 12);
    expect(out[0]).toBeCloseTo(0.75, 12);
    bearingShares(Math.PI, out);
    expect(out[4]).toBeCloseTo(1, 12);
  });

  it('learns coordinates from self-motion alone: X̂ grows with x at the rate the rat moves', () => {
    // Three places on a line, one cell each, swum back and forth 0.1 m per step.
    const agent = new FmdCoordinateAgent(8, 3, { ...options, coordinateLearningRate: 0.2, coordinateTrace: 0 });
    agent.begin(1);
    const cells = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const xs = [0, 0.1, 0.2];
    let at = 0;
    let dir = 1;
    agent.act(input(cells[at], -1, 0));
    for (let t = 0; t < 2000; t++) {
      const prev = xs[at];
      if (at + dir < 0 || at + dir > 2) dir = -dir;
      at += dir;
      agent.act(input(cells[at], dir > 0 ? 0 : 4, 0, { newTrial: t === 0, start: [prev, 0], position: [xs[at], 0] }));
    }
    const x = cells.map((f) => agent.coordinates(0, f, 0)[0]);
    expect(x[1] - x[0]).toBeCloseTo(0.1, 3);
    expect(x[2] - x[1]).toBeCloseTo(0.1, 3);
    // Nothing moved along y.
    for (const f of cells) expect(Math.abs(agent.coordinates(0, f, 0)[1])).toBeLessThan(1e-9);
  });

  it('remembers the goal path-integrated from the last place seen, then offers the swim-to-goal action', () => {
    const agent = new FmdCoordinateAgent(8, 2, { ...options, coordinateLearningRate: 0 });
    agent.begin(1);
    const first = agent.act(input([1, 0], -1, 0));
    // No goal yet: the 8 directions alone, uniform.
    for (let j = 0; j < 8; j++) expect(first.probs[j]).toBeCloseTo(1 / 8, 12);
    expect(agent.readRecordable('goal')[2]).toBe(0);
    // The platform is found 0.3 m east of where the trial started; the next observation is a new release.
    agent.act(
      input([0, 1], 0, 1, { newTrial: true, start: [0, 0], position: [0.3, 0], trialEnd: true, foundGoal: true }),
    );
    // X̂ is 0 everywhere (no coordinate learning): the goal is X̂(p) + Δx = 0.3, Ŷ = 0.
    expect(Array.from(agent.readRecordable('goal'))).toEqual([0.3, 0, 1]);
    const next = agent.act(input([0, 1], -1, 0));
    // Nine units with zero preferences: the coordinate unit's 1/9 goes east (bearing 0).
    expect(next.probs[0]).toBeCloseTo(2 / 9, 12);
    expect(next.probs[1]).toBeCloseTo(1 / 9, 12);
    expect(agent.readRecordable('coordinate-action')[0]).toBeCloseTo(1 / 9, 12);
  });

  it('put on the platform after a timeout: the goal is where it sat, and being carried teaches nothing', () => {
    const agent = new FmdCoordinateAgent(8, 2, { ...options, coordinateLearningRate: 1 });
    agent.begin(1);
    agent.act(input([1, 0], -1, 0));
    // Carried from (0, 0) to the platform at (0.5, 0.2): no coordinate learning from that jump.
    agent.act(input([0, 1], 3, 0, { newTrial: true, start: [0, 0], position: [0.5, 0.2], guided: true }));
    expect(Array.from(agent.readRecordable('coordinates')).every((w) => w === 0)).toBe(true);
    agent.act(input([0, 1], 5, 0, { position: [0.5, 0.2], guided: true, trialEnd: true, timedOut: true }));
    // X̂ = Ŷ = 0 at the platform's place, and it did not move while sitting there.
    expect(Array.from(agent.readRecordable('goal'))).toEqual([0, 0, 1]);
    expect(Array.from(agent.readRecordable('critic'))).toEqual([0, 0]);
  });

  it('reset-goal wipes the goal at every trial boundary, so it plays as the plain actor-critic', () => {
    const family = createWatermaze({ protocol: 'dmp', days: 3, timeStep: 0.5, timeout: 30 });
    const play = (id: string, lesion: 'none' | 'reset-goal') => {
      const agent = findAgent(id).create(family, {}, Rng.fromSeed('a'));
      if (lesion !== 'none') expect((agent as FmdCoordinateAgent).setLesion(lesion)).toBe(true);
      return evaluate(family, agent, { episodes: 6, batchSize: 3, rng: Rng.fromSeed('e') });
    };
    const lesioned = play('fmd-coordinate', 'reset-goal');
    const plain = play('actor-critic', 'none');
    expect(lesioned.map((r) => Array.from(r.actions))).toEqual(plain.map((r) => Array.from(r.actions)));
    // Intact, the goal changes what it does.
    const intact = play('fmd-coordinate', 'none');
    expect(intact.map((r) => Array.from(r.actions))).not.toEqual(plain.map((r) => Array.from(r.actions)));
  });

  it('freeze-plasticity: the weights it acts with change only when a new day begins', () => {
    const family = createWatermaze({ protocol: 'dmp', days: 3, trialsPerDay: 2, timeStep: 0.5, timeout: 20 });
    const agent = findAgent('fmd-coordinate').create(family, {}, Rng.fromSeed('a')) as FmdCoordinateAgent;
    expect(agent.setLesion('freeze-plasticity')).toBe(true);
    expect(agent.setLesion('reset-state')).toBe(false);
    expect(agent.setLesion('freeze-plasticity')).toBe(true);
    const critics: string[] = [];
    const [record] = evaluate(family, agent, {
      episodes: 1,
      batchSize: 1,
      rng: Rng.fromSeed('e'),
      observe: () => ({
        afterAct: () =>
          critics.push(['critic', 'actor', 'coordinates'].map((n) => agent.readRecordable(n).join(',')).join(';')),
        afterStep: () => {},
        end: () => {},
      }),
    });
    // The weights it acted with at each step, grouped by the day of the step: one set per day.
    const byDay = new Map<number, Set<string>>();
    record.infos.forEach((info, t) => {
      const day = Number(info.day);
      byDay.set(day, (byDay.get(day) ?? new Set()).add(critics[t]));
    });
    expect([...byDay.keys()]).toEqual([0, 1, 2]);
    for (const set of byDay.values()) expect(set.size).toBe(1);
    // Day 1 starts naive; what day 1 learned (its coordinates at least) acts on day 2.
    expect([...byDay.get(0)!][0].split(/[,;]/).every((w) => Number(w) === 0)).toBe(true);
    expect([...byDay.get(1)!][0]).not.toEqual([...byDay.get(0)!][0]);
  });

  it('refuses tasks without place cells or without 8 directions', () => {
    expect(findAgent('fmd-coordinate').cannotPlay(createGridGoal({}))).toMatch(/8 swim directions|place-cell/);
    expect(findAgent('fmd-coordinate').cannotPlay(createWatermaze({}))).toBeNull();
  });
});
