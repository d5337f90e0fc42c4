import { describe, expect, it } from 'vitest';
import { ActorCriticAgent, actorCritic, actorCriticOptions, tdUpdate } from '../../agents/actor-critic.ts';
import { Rng } from '../../src/core/rng.ts';
import type { AgentInput } from '../../src/core/types.ts';
import { watermazeSummary } from '../../src/measures/spatial.ts';
import { evaluate, STREAMS } from '../../src/rl/rollout.ts';
import { createGridGoal } from '../../tasks/grid-goal.ts';
import { createWatermaze } from '../../tasks/watermaze.ts';

const options = actorCriticOptions.parse({ discount: 0.98, criticLearningRate: 0.1, actorLearningRate: 0.2 });

describe('actor-critic TD rule (Foster, Morris & Dayan 2000)', () => {
  it('one step matches the hand computation δ = r + γC(p′) − C(p), Δw = η_c δ f, Δz_a = η_a δ f', () => {
    const critic = Float64Array.of(0.5, 0.2);
    const actor = new Float64Array(8 * 2);
    const f = Float64Array.of(1, 0.5);
    // C(p) = 0.5·1 + 0.2·0.5 = 0.6; δ = 0 + 0.98·0.3 − 0.6 = −0.306.
    const delta = tdUpdate(critic, actor, 0, 0, 2, f, 0, 3, 0, 0.3, options);
    expect(delta).toBeCloseTo(-0.306, 12);
    expect(critic[0]).toBeCloseTo(0.5 - 0.0306, 12);
    expect(critic[1]).toBeCloseTo(0.2 - 0.0153, 12);
    expect(actor[3 * 2]).toBeCloseTo(-0.0612, 12);
    expect(actor[3 * 2 + 1]).toBeCloseTo(-0.0306, 12);
    // Other directions are untouched.
    expect(actor.filter((_, i) => i < 6 || i > 7).every((x) => x === 0)).toBe(true);
  });

  it(
    'act(): the platform step is terminal (C(p′) = 0), a timeout is not ' +
      'learned from, and the policy is softmax(β a)',
    () => {
      const agent = new ActorCriticAgent(8, 2, options);
      agent.begin(1);
      const input = (
        obs: number[],
        prevAction: number,
        prevReward: number,
        info?: Record<string, unknown>,
      ): AgentInput => ({
        observation: Float64Array.from(obs),
        prevAction: Int32Array.of(prevAction),
        prevReward: Float64Array.of(prevReward),
        timeFraction: 0,
        step: prevAction < 0 ? 0 : 1,
        prevInfo: [info as AgentInput['prevInfo'][number]],
        instances: [],
      });
      const first = agent.act(input([1, 0], -1, 0));
      for (let j = 0; j < 8; j++) expect(first.probs[j]).toBeCloseTo(1 / 8, 12);
      // Reward 1 on the platform: δ = 1 − C(p) = 1 (terminal: the next observation is a new start).
      agent.act(input([0, 1], 2, 1, { trial: 0, trialEnd: true, foundGoal: true }));
      expect(agent.critic[0]).toBeCloseTo(0.1, 12);
      expect(agent.critic[1]).toBe(0);
      expect(agent.actor[2 * 2]).toBeCloseTo(0.2, 12);
      // A timeout step changes nothing.
      agent.act(input([1, 0], 5, 0, { trial: 1, trialEnd: true, timedOut: true }));
      expect(agent.critic[1]).toBe(0);
      expect(agent.actor[5 * 2 + 1]).toBe(0);
      // Nor does the step that put a timed-out rat on the platform (the water maze's `guide`).
      agent.act(input([0, 1], 6, 0, { trial: 2, trialEnd: false, guided: true }));
      expect(agent.critic[0]).toBeCloseTo(0.1, 12);
      expect(agent.actor[6 * 2]).toBe(0);
      // Preferences: a_2 = z_2 · f = 0.2 at f = (1, 0); P_2 = e^(2·0.2) / (7 + e^(0.4)).
      const out = agent.act(input([1, 0], -1, 0));
      expect(out.probs[2]).toBeCloseTo(Math.exp(0.4) / (7 + Math.exp(0.4)), 12);
    },
  );

  it('learns the reference task with the paper defaults: latencies fall over days', () => {
    const family = createWatermaze({ protocol: 'reference', days: 4 });
    const rng = Rng.fromSeed(3);
    const agent = actorCritic.create(family, {}, rng.fork(STREAMS.evalAgent));
    const records = evaluate(family, agent, { episodes: 6, batchSize: 6, rng });
    const byDay = watermazeSummary(records, 4, 4).escapeLatencyByDay.map((e) => e.mean);
    expect(byDay[3]).toBeLessThan(0.6 * byDay[0]);
  });

  it('plays only tasks that give place cells', () => {
    expect(actorCritic.cannotPlay(createWatermaze())).toBeNull();
    expect(actorCritic.cannotPlay(createWatermaze({ observation: 'coordinates' }))).toMatch(/place-cell/);
    expect(actorCritic.cannotPlay(createGridGoal())).toMatch(/place-cell/);
  });
});
