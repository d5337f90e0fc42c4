// Trial tables (src/measures/trials.ts): one row per trial, columns from what a task declares, values
// that are the episode records' own.
import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import { Rng } from '../../src/core/rng.ts';
import type { EpisodeRecord, TaskFamily } from '../../src/core/types.ts';
import { goalHitSteps, swimTrials } from '../../src/measures/spatial.ts';
import { type TrialTable, trialLayout, trialTable } from '../../src/measures/trials.ts';
import { evalInstance, evaluate, STREAMS } from '../../src/rl/rollout.ts';
import { findTask } from '../../tasks/index.ts';

function play(family: TaskFamily, episodes: number, agentId = 'random', seed = 3): EpisodeRecord[] {
  const rng = Rng.fromSeed(seed);
  const agent = findAgent(agentId).create(family, {}, rng.fork(STREAMS.evalAgent));
  return evaluate(family, agent, { episodes, batchSize: 3, rng });
}

function table(family: TaskFamily, records: EpisodeRecord[], agent = 'random', lesion = 'none'): TrialTable {
  return trialTable(trialLayout(family, records), agent, lesion, records);
}

/** Row `r` of a table as an object. */
function row(t: TrialTable, r: number): Record<string, unknown> {
  return Object.fromEntries(t.columns.map((c, i) => [c.name, t.values[i][r]]));
}

describe('trial tables', () => {
  it('bandits: one row per trial, with the arm means at the start and the choice of every trial', () => {
    const family = findTask('bandit-bernoulli').create({ arms: 3, trials: 7 });
    const records = play(family, 4);
    const t = table(family, records, 'ucb', 'reset-state');
    expect(t.rows).toBe(4 * 7);
    expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'agent:string',
      'lesion:string',
      'episode:integer',
      'trial:integer',
      'expectedRewards_0:number',
      'expectedRewards_1:number',
      'expectedRewards_2:number',
      'action:integer',
      'reward:number',
      'expectedReward:number',
      'bestExpectedReward:number',
      'expectedRegret:number',
      'correct:boolean',
      'optimalAction:integer',
    ]);
    const rng = Rng.fromSeed(3);
    for (let e = 0; e < 4; e++) {
      const instance = evalInstance(family, rng, e);
      instance.reset();
      const means = instance.groundTruth().expectedRewards as number[];
      expect(records[e].instance).toEqual({ expectedRewards: means });
      for (let trial = 0; trial < 7; trial++) {
        const info = records[e].infos[trial];
        expect(row(t, e * 7 + trial)).toEqual({
          agent: 'ucb',
          lesion: 'reset-state',
          episode: e,
          trial,
          expectedRewards_0: means[0],
          expectedRewards_1: means[1],
          expectedRewards_2: means[2],
          action: records[e].actions[trial],
          reward: records[e].rewards[trial],
          expectedReward: info.expectedReward,
          bestExpectedReward: info.bestExpectedReward,
          expectedRegret: info.expectedRegret,
          correct: info.correct,
          optimalAction: info.optimalAction,
        });
      }
    }
  });

  it("Harlow's task: the object pair is the instance, the sides are per trial", () => {
    const family = findTask('harlow').create({ trials: 4 });
    const records = play(family, 3);
    const t = table(family, records);
    expect(t.rows).toBe(12);
    const names = t.columns.map((c) => c.name);
    expect(names).toContain('rewardedObject');
    expect(names).toContain('chosenOption');
    expect(names).not.toContain('expectedRewards_0');
    for (let r = 0; r < t.rows; r++) {
      const x = row(t, r);
      const record = records[x.episode as number];
      expect(x.rewardedObject).toBe(record.instance?.rewardedObject);
      expect(x.otherObject).toBe(record.instance?.otherObject);
      expect(x.correct).toBe(x.action === x.rewardedSide);
      expect(x.chosenOption).toBe(x.correct ? x.rewardedObject : x.otherObject);
    }
  });

  it('the water maze: a trial spans many steps; latency, path and positions are those of the swim measures', () => {
    const family = findTask('watermaze').create({
      protocol: 'dmp',
      days: 2,
      trialsPerDay: 3,
      timeStep: 1,
      timeout: 12,
    });
    const records = play(family, 3);
    const t = table(family, records);
    expect(t.rows).toBe(3 * 2 * 3);
    const names = t.columns.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain('action');
    for (const name of ['steps', 'start_0', 'end_1', 'escapeLatency', 'pathLength', 'platform_0', 'platformIndex'])
      expect(names).toContain(name);
    let r = 0;
    for (const [e, record] of records.entries()) {
      const swims = swimTrials(record);
      expect(swims).toHaveLength(6);
      let steps = 0;
      for (const swim of swims) {
        const x = row(t, r++);
        expect(x).toMatchObject({ episode: e, trial: swim.trial, day: swim.day, trialOfDay: swim.trialOfDay });
        expect(x.escapeLatency).toBe(swim.escapeLatency);
        expect(x.pathLength).toBeCloseTo(swim.pathLength, 12);
        expect(x.foundGoal).toBe(swim.found);
        expect(x.reward).toBe(swim.found ? 1 : 0);
        expect([x.start_0, x.start_1]).toEqual(swim.path[0]);
        expect([x.end_0, x.end_1]).toEqual(swim.path[swim.path.length - 1]);
        // Each trial's own platform (it moves each day); the instance's is the first day's.
        expect([x.platform_0, x.platform_1]).toEqual(swim.platform);
        expect(x.platformIndex).toBe(record.instance?.platformIndex);
        steps += x.steps as number;
      }
      expect(steps).toBe(record.actions.length);
      const first = record.instance?.platform as number[];
      expect(swims[0].platform).toEqual(first);
    }
  });

  it('grid-goal: a trial runs from one goal hit to the next', () => {
    const family = findTask('grid-goal').create({ size: 7, steps: 80 });
    const records = play(family, 4);
    const t = table(family, records);
    let r = 0;
    for (const [e, record] of records.entries()) {
      const hits = goalHitSteps(record);
      const trials = hits.length + (hits[hits.length - 1] === record.actions.length ? 0 : 1);
      let steps = 0;
      for (let k = 0; k < trials; k++) {
        const x = row(t, r++);
        expect(x).toMatchObject({ episode: e, trial: k, foundGoal: k < hits.length });
        if (k < hits.length) expect([x.end_0, x.end_1]).toEqual(record.instance?.goal);
        expect([x.goal_0, x.goal_1]).toEqual(record.instance?.goal);
        steps += x.steps as number;
        if (k === 0) expect([x.start_0, x.start_1]).toEqual([3, 3]);
      }
      expect(steps).toBe(80);
      expect(t.values[t.columns.findIndex((c) => c.name === 'wallHits')].length).toBe(t.rows);
    }
    expect(r).toBe(t.rows);
  });

  it('without the trait every ground-truth field is written; without a sample, only the fixed columns', () => {
    const family = findTask('watermaze').create({ timeStep: 1, timeout: 10 });
    const bare = { ...family, traits: { ...family.traits, instanceParameters: undefined } };
    const records = play(family, 2);
    const names = trialLayout(bare, records).columns.map((c) => c.name);
    expect(names).toContain('position_0');
    expect(new Set(names).size).toBe(names.length);
    const none = trialLayout(family, []).columns.map((c) => c.name);
    expect(none).not.toContain('platformIndex');
    expect(none).not.toContain('start_0');
    // Without values to tell their types, only the columns every task has.
    expect(none).toEqual(['agent', 'lesion', 'episode', 'trial', 'reward', 'steps']);
  });

  it('non-finite numbers and values of another type are empty cells', () => {
    const family = findTask('bandit-bernoulli').create({ arms: 2, trials: 2 });
    const records = play(family, 1);
    records[0].infos[0].expectedRegret = Number.NaN;
    records[0].infos[1].correct = 'yes' as unknown as boolean;
    const t = table(family, records);
    expect(row(t, 0).expectedRegret).toBeNull();
    expect(row(t, 1).correct).toBeNull();
  });
});
