// The evaluation rollout's randomness contract (src/rl/rollout.ts): same seed, same trajectories;
// one instance per episode index for every agent; results independent of the batch size.
import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import { Rng } from '../../src/core/rng.ts';
import type { Agent, AgentInput, AgentOutput, TaskFamily } from '../../src/core/types.ts';
import { evalInstance, evaluate, playBatch, STREAMS } from '../../src/rl/rollout.ts';
import { findTask } from '../../tasks/index.ts';

function play(agentId: string, family: TaskFamily, seed: number, batchSize = 10, episodes = 25) {
  const rng = Rng.fromSeed(seed);
  const agent = findAgent(agentId).create(family, {}, rng.fork(STREAMS.evalAgent));
  return evaluate(family, agent, { episodes, batchSize, rng });
}

describe('evaluation rollout', () => {
  const family = findTask('bandit-bernoulli').create({ arms: 3, trials: 30 });

  it('the same seed gives identical trajectories; another seed does not', () => {
    for (const agent of ['random', 'thompson', 'epsilon-greedy']) {
      expect(play(agent, family, 4)).toEqual(play(agent, family, 4));
      expect(play(agent, family, 4)).not.toEqual(play(agent, family, 5));
    }
    const harlow = findTask('harlow').create();
    expect(play('random', harlow, 4)).toEqual(play('random', harlow, 4));
  });

  it('every agent meets the same instances (same arm probabilities, same reward draws)', () => {
    const byAgent = ['random', 'greedy', 'ucb1', 'oracle'].map((a) => play(a, family, 9));
    for (let e = 0; e < 25; e++) {
      const best = byAgent.map((records) => records[e].infos.map((i) => i.bestExpectedReward));
      for (const b of best) expect(b).toEqual(best[0]);
    }
    // Episode i is evalInstance(i): replaying the oracle's actions on it reproduces its rewards.
    const oracle = byAgent[3];
    const rng = Rng.fromSeed(9);
    for (let e = 0; e < 5; e++) {
      const instance = evalInstance(family, rng, e);
      instance.reset();
      const rewards = oracle[e].actions.map((a) => instance.step(a).reward);
      expect(rewards).toEqual(oracle[e].rewards);
    }
  });

  it('the results do not depend on the batch size (for agents without an internal stream)', () => {
    for (const agent of ['random', 'epsilon-greedy', 'ucb1'])
      expect(play(agent, family, 3, 7)).toEqual(play(agent, family, 3, 25));
  });

  it('masks batch elements whose episodes ended early', () => {
    // A family whose instance b ends after b + 1 steps.
    let next = 0;
    const ragged: TaskFamily = {
      ...family,
      id: 'ragged',
      episodeLength: 4,
      sample() {
        const length = ++next;
        let t = 0;
        return {
          reset: () => new Float64Array([1]),
          step: (action: number) => {
            t++;
            return { observation: new Float64Array([1]), reward: action, done: t >= length, info: { trial: t - 1 } };
          },
          groundTruth: () => ({}),
        };
      },
    };
    const seen: number[][] = [];
    const spy: Agent = {
      id: 'spy',
      kind: 'classic',
      numActions: 3,
      begin() {},
      act(input: AgentInput): AgentOutput {
        seen.push(Array.from(input.prevAction));
        const probs = new Float64Array(input.prevAction.length * 3);
        for (let b = 0; b < input.prevAction.length; b++) probs[b * 3 + 2] = 1;
        return { probs };
      },
    };
    const rng = Rng.fromSeed(0);
    const records = playBatch(
      ragged,
      spy,
      [0, 1, 2].map(() => ragged.sample(rng)),
      [0, 1, 2].map((i) => rng.fork(String(i))),
    );
    expect(records.map((r) => r.actions.length)).toEqual([1, 2, 3]);
    // After element 0 finished, it is shown as an episode start (−1), never as acting again.
    expect(seen).toEqual([
      [-1, -1, -1],
      [-1, 2, 2],
      [-1, -1, 2],
    ]);
  });

  it('rejects an agent whose probabilities do not sum to 1', () => {
    const broken: Agent = {
      id: 'broken',
      kind: 'classic',
      numActions: 3,
      begin() {},
      act: (input) => ({ probs: new Float64Array(input.prevAction.length * 3).fill(0.5) }),
    };
    expect(() => evaluate(family, broken, { episodes: 1, rng: Rng.fromSeed(0) })).toThrow(/summing to 1.5/);
  });
});
