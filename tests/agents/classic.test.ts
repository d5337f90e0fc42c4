import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import type { AgentInput, TaskFamily } from '../../src/core/types.ts';
import { runBaseline } from '../../src/experiments/baseline.ts';
import { expectedRegrets } from '../../src/measures/behavior.ts';
import { ci95 } from '../../src/measures/stats.ts';
import { findTask } from '../../tasks/index.ts';

/** An input for a batch of one: the previous action and reward. */
function input(prevAction: number, prevReward: number, step: number): AgentInput {
  return {
    observation: new Float64Array([1]),
    prevAction: Int32Array.of(prevAction),
    prevReward: Float64Array.of(prevReward),
    timeFraction: 0,
    step,
    prevInfo: [undefined],
    instances: [],
  };
}

function bandit(arms: number): TaskFamily {
  return findTask('bandit-bernoulli').create({ arms, trials: 100 });
}

describe('classic agents: probabilities', () => {
  it('greedy is uniform over tied posterior means and one-hot on a unique best', () => {
    const agent = findAgent('greedy').create(bandit(3), {}, Rng.fromSeed(0));
    agent.begin(1);
    expect(Array.from(agent.act(input(-1, 0, 0)).probs)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    // Arm 0 failed: posterior mean 1/3 against 1/2 for the untried arms.
    expect(Array.from(agent.act(input(0, 0, 1)).probs)).toEqual([0, 0.5, 0.5]);
    // Arm 1 paid: 2/3 is the unique best.
    expect(Array.from(agent.act(input(1, 1, 2)).probs)).toEqual([0, 1, 0]);
    // begin() forgets the episode.
    agent.begin(1);
    expect(Array.from(agent.act(input(-1, 0, 0)).probs)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it("greedy with ties: 'first' takes the lowest index among tied arms", () => {
    const agent = findAgent('greedy').create(bandit(3), { ties: 'first' }, Rng.fromSeed(0));
    agent.begin(1);
    expect(Array.from(agent.act(input(-1, 0, 0)).probs)).toEqual([1, 0, 0]);
    expect(Array.from(agent.act(input(0, 0, 1)).probs)).toEqual([0, 1, 0]);
  });

  it('epsilon-greedy returns its exact choice probabilities', () => {
    const agent = findAgent('epsilon-greedy').create(bandit(4), { epsilon: 0.2 }, Rng.fromSeed(0));
    agent.begin(1);
    agent.act(input(-1, 0, 0));
    const probs = Array.from(agent.act(input(2, 1, 1)).probs);
    expect(probs[2]).toBeCloseTo(0.8 + 0.05, 12);
    for (const a of [0, 1, 3]) expect(probs[a]).toBeCloseTo(0.05, 12);
  });

  it('ucb1 with prior none pulls every arm once before comparing bounds', () => {
    const agent = findAgent('ucb1').create(bandit(3), { prior: 'none' }, Rng.fromSeed(0));
    agent.begin(1);
    expect(Array.from(agent.act(input(-1, 0, 0)).probs)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(Array.from(agent.act(input(1, 1, 1)).probs)).toEqual([0.5, 0, 0.5]);
    expect(Array.from(agent.act(input(0, 0, 2)).probs)).toEqual([0, 0, 1]);
  });

  it('ucb1 with prior beta adds c·sqrt(2 ln t / (n + 2)) to the smoothed mean', () => {
    const agent = findAgent('ucb1').create(bandit(2), { c: 1 }, Rng.fromSeed(0));
    agent.begin(1);
    agent.act(input(-1, 0, 0));
    agent.act(input(0, 1, 1)); // arm 0: 1 success in 1 pull
    // t = 2: arm 0 scores 2/3 + sqrt(2 ln 2 / 3) ≈ 1.346; arm 1 scores 1/2 + sqrt(2 ln 2 / 2) ≈ 1.333.
    expect(Array.from(agent.act(input(0, 0, 2)).probs)).toEqual([0, 1]); // arm 0 now 2/4 = 0.5 + ... < arm 1
  });

  it('thompson returns a one-hot row drawn from the posteriors', () => {
    const agent = findAgent('thompson').create(bandit(2), {}, Rng.fromSeed(3));
    agent.begin(1);
    agent.act(input(-1, 0, 0));
    // After 20 successes on arm 0 and 20 failures on arm 1, arm 0 wins (almost) every draw.
    let state = agent.act(input(0, 1, 1));
    for (let t = 0; t < 19; t++) state = agent.act(input(0, 1, t + 2));
    for (let t = 0; t < 20; t++) state = agent.act(input(1, 0, t + 21));
    expect(Array.from(state.probs)).toEqual([1, 0]);
  });

  it('agent options are validated and errors name the key', () => {
    expect(() => findAgent('epsilon-greedy').create(bandit(2), { epsilon: 2 }, Rng.fromSeed(0))).toThrow(
      "epsilon-greedy: option 'epsilon' must be between 0 and 1, got 2",
    );
    expect(() => findAgent('ucb1').create(bandit(2), { gamma: 1 }, Rng.fromSeed(0))).toThrow(
      /ucb1: unknown option 'gamma'/,
    );
    expect(() => findAgent('nope')).toThrow(UsageError);
  });

  it('bandit agents cannot play harlow; random and oracle can', () => {
    const harlow = findTask('harlow').create();
    for (const id of ['greedy', 'epsilon-greedy', 'ucb1', 'thompson'])
      expect(findAgent(id).cannotPlay(harlow)).toMatch(/no notion of observations or objects/);
    expect(findAgent('random').cannotPlay(harlow)).toBeNull();
    expect(findAgent('oracle').cannotPlay(harlow)).toBeNull();
    expect(() => runBaseline({ agent: 'ucb1', task: 'harlow', episodes: 1, seed: 0 })).toThrow(
      /agent 'ucb1' cannot play task 'harlow'/,
    );
  });
});

describe('classic agents: facts', () => {
  const run = (agent: string, agentOptions: Record<string, unknown> = {}) =>
    runBaseline({
      agent,
      task: 'bandit-bernoulli',
      taskOptions: { arms: 2, trials: 100 },
      agentOptions,
      episodes: 2000,
      seed: 11,
    });

  it("random's expected regret on 2 arms ~ U(0,1), T = 100, is 100·E|p1 − p2|/2 = 16.67", () => {
    const { report } = run('random');
    expect(report.expectedRegret.ci95[0]).toBeLessThan(100 / 6);
    expect(report.expectedRegret.ci95[1]).toBeGreaterThan(100 / 6);
    // P(best) of a random choice is 1/2 at every trial.
    expect(report.pBestByTrial[0].mean).toBeGreaterThan(0.45);
    expect(report.pBestByTrial[0].mean).toBeLessThan(0.55);
  });

  it('the oracle has regret exactly 0 and picks the best arm on every trial', () => {
    const { report } = run('oracle');
    expect(report.expectedRegret.mean).toBe(0);
    for (const p of report.pBestByTrial) expect(p.mean).toBe(1);
    const harlow = runBaseline({ agent: 'oracle', task: 'harlow', episodes: 200, seed: 1 }).report;
    expect(harlow.meanTotalReward).toBe(6);
  });

  it('ucb1 and thompson beat random by a margin: the paired regret difference has a 95% CI above 10', () => {
    const random = expectedRegrets(run('random').records);
    for (const [agent, options] of [
      ['ucb1', { c: 0.2 }],
      ['thompson', {}],
    ] as const) {
      const regret = expectedRegrets(run(agent, options).records);
      const diff = random.map((r, i) => r - regret[i]);
      const estimate = ci95(diff);
      expect(estimate.ci95[0], agent).toBeGreaterThan(10);
    }
  });

  it('learning shows in P(best arm): thompson is better at trial 100 than at trial 1', () => {
    const { report } = run('thompson');
    expect(report.pBestByTrial[99].ci95[0]).toBeGreaterThan(report.pBestByTrial[0].ci95[1]);
  });

  it('on Harlow, random is at chance on every trial', () => {
    const { report } = runBaseline({ agent: 'random', task: 'harlow', episodes: 20000, seed: 2 });
    // Six trials at once: a 3.5-SEM band per trial keeps the family-wise false alarm rate small,
    // and at 20000 episodes a bias of 0.015 would still fall outside it.
    for (const p of report.pBestByTrial) expect(Math.abs(p.mean - 0.5)).toBeLessThan(3.5 * p.sem);
  });
});
