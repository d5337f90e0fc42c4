import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { createBanditCorrelated } from '../../tasks/bandit-correlated.ts';
import { createBanditRestless, reflectUnit } from '../../tasks/bandit-restless.ts';
import { createHarlow } from '../../tasks/harlow.ts';
import { findTask, TASKS } from '../../tasks/index.ts';
import { usageMessage } from '../helpers/engram.ts';

describe('task options', () => {
  it('reject out-of-range values with a message naming the task, the key, the range and the value', () => {
    expect(usageMessage(() => findTask('bandit-bernoulli').create({ arms: 1 }))).toBe(
      "bandit-bernoulli: option 'arms' must be between 2 and 50, got 1",
    );
    expect(usageMessage(() => findTask('bandit-bernoulli').create({ trials: 0 }))).toBe(
      "bandit-bernoulli: option 'trials' must be between 1 and 1000, got 0",
    );
    expect(usageMessage(() => findTask('bandit-restless').create({ volatility: -0.1 }))).toMatch(
      /^bandit-restless: option 'volatility' must be between 0 and 1/,
    );
    expect(usageMessage(() => findTask('harlow').create({ trials: 0 }))).toMatch(/^harlow: option 'trials'/);
  });

  it('reject non-integers, unknown variants and unknown keys, naming the key', () => {
    expect(usageMessage(() => findTask('bandit-bernoulli').create({ arms: 2.5 }))).toBe(
      "bandit-bernoulli: option 'arms' must be an integer, got 2.5",
    );
    expect(usageMessage(() => findTask('bandit-bernoulli').create({ arms: 'five' }))).toMatch(
      /option 'arms' must be a number, got 'five'/,
    );
    expect(usageMessage(() => findTask('bandit-correlated').create({ variant: 'impossible' }))).toMatch(
      /^bandit-correlated: option 'variant' must be one of uniform, easy, medium, hard, independent, got 'impossible'/,
    );
    expect(usageMessage(() => findTask('harlow').create({ arms: 5 }))).toMatch(/^harlow: unknown option 'arms'/);
  });

  it('fill in defaults and ignore keys given as undefined', () => {
    expect(findTask('bandit-bernoulli').create({ arms: undefined }).options).toEqual({ arms: 2, trials: 100 });
    expect(findTask('bandit-correlated').create().options).toEqual({ trials: 100, variant: 'uniform' });
    expect(findTask('harlow').create().options).toMatchObject({ trials: 6, poolSize: 1000, features: 8 });
  });

  it('an unknown task id is a UsageError listing the known ones', () => {
    expect(usageMessage(() => findTask('nope'))).toMatch(/unknown task 'nope' \(known: bandit-bernoulli/);
  });
});

/**
 * A random action: an index for discrete action spaces, a number in [−1, 1) for continuous ones (icl-regression's
 * prediction).
 */
function anyAction(family: { actionSpace: { kind: string }; numActions: number }, rng: Rng): number {
  return family.actionSpace.kind === 'discrete' ? rng.int(family.numActions) : rng.uniformRange(-1, 1);
}

describe('every registered task', () => {
  for (const entry of TASKS) {
    it(`${entry.id}: instances follow the contract and report the declared info fields`, () => {
      const family = entry.create();
      expect(family.id).toBe(entry.id);
      const instance = family.sample(Rng.fromSeed('contract'));
      const obs = instance.reset();
      expect(obs.length).toBe(family.observationSize);
      const rng = Rng.fromSeed('actions');
      let steps = 0;
      let done = false;
      while (!done) {
        const result = instance.step(anyAction(family, rng));
        steps++;
        expect(result.observation.length).toBe(family.observationSize);
        for (const field of family.infoFields)
          expect(result.info[field], `${field} at step ${steps}`).not.toBeUndefined();
        // Families with an expected reward (bandits, Harlow, regression) report regret; the spatial ones do not.
        if (family.infoFields.includes('expectedRegret')) {
          expect(result.info.expectedRegret).toBeGreaterThanOrEqual(0);
          expect(result.info.expectedRegret).toBeCloseTo(
            (result.info.bestExpectedReward as number) - (result.info.expectedReward as number),
            12,
          );
          expect(result.info.correct).toBe(result.info.expectedRegret === 0);
        }
        done = result.done;
        expect(steps).toBeLessThanOrEqual(family.episodeLength);
      }
      expect(() => instance.step(0)).toThrow(/after the episode ended/);
    });

    it(`${entry.id}: the same stream gives the same instance`, () => {
      const family = entry.create();
      const play = () => {
        const instance = family.sample(Rng.fromSeed('same'));
        const out: unknown[] = [Array.from(instance.reset())];
        for (let t = 0; t < Math.min(20, family.episodeLength); t++) {
          const r = instance.step(family.actionSpace.kind === 'discrete' ? t % family.numActions : t * 0.1);
          out.push(r.reward, r.info, Array.from(r.observation));
        }
        return out;
      };
      expect(play()).toEqual(play());
    });
  }
});

describe('bandits', () => {
  it(
    'bandit-correlated: the uniform variant has means p and 1 − p; the ' +
      'fixed variants put the better arm on a random side',
    () => {
      const uniform = createBanditCorrelated({ variant: 'uniform' });
      for (let i = 0; i < 20; i++) {
        const [a, b] = uniform.sample(Rng.fromSeed(`u${i}`)).groundTruth().expectedRewards!;
        expect(a + b).toBeCloseTo(1, 12);
      }
      const hard = createBanditCorrelated({ variant: 'hard' });
      const sides = new Set<number>();
      for (let i = 0; i < 40; i++) {
        const means = hard.sample(Rng.fromSeed(`h${i}`)).groundTruth().expectedRewards!;
        expect([...means].sort()).toEqual([0.4, 0.6]);
        sides.add(means.indexOf(0.6));
      }
      expect(sides).toEqual(new Set([0, 1]));
    },
  );

  it(
    'bandit-restless: the means stay in [0, 1], sum to 1, and move; ' + 'regret is against the arm best at that trial',
    () => {
      const family = createBanditRestless({ trials: 1000, volatility: 0.3 });
      const instance = family.sample(Rng.fromSeed('walk'));
      instance.reset();
      let moved = 0;
      let previous = instance.groundTruth().expectedRewards![0];
      for (let t = 0; t < 1000; t++) {
        const means = instance.groundTruth().expectedRewards!;
        expect(means[0]).toBeGreaterThanOrEqual(0);
        expect(means[0]).toBeLessThanOrEqual(1);
        expect(means[0] + means[1]).toBeCloseTo(1, 12);
        const r = instance.step(0);
        expect(r.info.bestExpectedReward).toBe(Math.max(...means));
        expect(r.info.optimalAction).toBe(means[0] >= means[1] ? 0 : 1);
        if (means[0] !== previous) moved++;
        previous = means[0];
      }
      expect(moved).toBeGreaterThan(900);
    },
  );

  it('reflectUnit mirrors values at the edges of [0, 1]', () => {
    expect(reflectUnit(-0.2)).toBeCloseTo(0.2, 12);
    expect(reflectUnit(1.3)).toBeCloseTo(0.7, 12);
    expect(reflectUnit(2.4)).toBeCloseTo(0.4, 12);
    expect(reflectUnit(0.5)).toBe(0.5);
  });
});

describe('harlow', () => {
  it('info fields agree with the ground truth and the observation', () => {
    const family = createHarlow({ trials: 50, features: 4 });
    const instance = family.sample(Rng.fromSeed('harlow'));
    let obs = instance.reset();
    const f = 4;
    const sides = new Set<number>();
    const chosen = new Set<number>();
    for (let t = 0; t < 50; t++) {
      const truth = instance.groundTruth();
      const rewardedObject = truth.rewardedObject as number;
      const side = truth.rewardedSide as number;
      // The rewarded object's features sit on the rewarded side of the observation.
      expect(Array.from(obs.subarray(side * f, side * f + f))).toEqual(
        Array.from(family.pool.subarray(rewardedObject * f, rewardedObject * f + f)),
      );
      const action = t % 2;
      const r = instance.step(action);
      expect(r.info.trial).toBe(t);
      expect(r.info.newTrial).toBe(true);
      expect(r.info.optimalAction).toBe(side);
      expect(r.info.correct).toBe(action === side);
      expect(r.reward).toBe(action === side ? 1 : 0);
      expect(r.info.expectedReward).toBe(r.reward);
      expect(r.info.chosenOption).toBe(action === side ? rewardedObject : truth.otherObject);
      expect(truth.expectedRewards).toEqual(side === 0 ? [1, 0] : [0, 1]);
      sides.add(side);
      chosen.add(r.info.chosenOption as number);
      obs = r.observation;
      expect(r.done).toBe(t === 49);
    }
    expect(sides).toEqual(new Set([0, 1]));
    expect(chosen.size).toBe(2);
  });

  it('different streams draw different object pairs from the same pool', () => {
    const family = createHarlow();
    const pairs = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const truth = family.sample(Rng.fromSeed(`pair${i}`)).groundTruth();
      expect(truth.rewardedObject).not.toBe(truth.otherObject);
      pairs.add(`${truth.rewardedObject}/${truth.otherObject}`);
    }
    expect(pairs.size).toBeGreaterThan(45);
  });

  it('binary features never show two identical objects', () => {
    const family = createHarlow({ featureKind: 'binary', features: 1, poolSize: 10 });
    for (let i = 0; i < 30; i++) {
      const instance = family.sample(Rng.fromSeed(`b${i}`));
      const obs = instance.reset();
      expect(obs[0]).not.toBe(obs[1]);
    }
  });
});
