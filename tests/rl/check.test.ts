import { describe, expect, it } from 'vitest';
import { AGENTS } from '../../agents/index.ts';
import type { TaskEntry } from '../../src/core/registry.ts';
import type { Rng } from '../../src/core/rng.ts';
import type { Agent, AgentInput, LatentVariable, RecordableVariable, TaskFamily } from '../../src/core/types.ts';
import { checkAgent, checkTask } from '../../src/rl/check.ts';
import { findTask, TASKS } from '../../tasks/index.ts';
import { fakeBandit } from '../helpers/bandits.ts';

/** Small options for the tasks whose default episodes are long (the check plays whole episodes). */
const SMALL: Record<string, Record<string, unknown>> = {
  watermaze: { timeStep: 2, timeout: 20, placeCells: 16 },
  'grid-goal': { steps: 30 },
  'bandit-bernoulli': { trials: 20 },
  'bandit-correlated': { trials: 20 },
  'bandit-restless': { trials: 20 },
};

describe('the contract checks pass on every built-in', () => {
  for (const entry of TASKS) {
    it(`task ${entry.id}, with its default options`, () => {
      const report = checkTask(entry);
      expect(report.problem).toBeNull();
      expect(report.checks.length).toBeGreaterThanOrEqual(4);
      // Its latents were played and checked when it declares some.
      const latents = report.checks.some((c) => c.name.startsWith('its latent variables'));
      expect(latents).toBe(entry.create().latentVariables !== undefined);
    });
  }
  for (const agent of AGENTS) {
    it(`agent ${agent.id}, on every task it can play`, () => {
      let played = 0;
      for (const task of TASKS) {
        const family = task.create(SMALL[task.id]);
        if (agent.cannotPlay(family) !== null) continue;
        expect(checkAgent(agent, family).problem).toBeNull();
        played++;
      }
      expect(played).toBeGreaterThan(0);
    });
  }
});

/** A bandit entry whose instances misbehave as `breakIt` says. */
function broken(breakIt: (family: TaskFamily) => TaskFamily): TaskEntry {
  return {
    id: 'broken',
    description: 'a bandit that breaks its contract',
    options: findTask('bandit-bernoulli').options,
    create: () => breakIt({ ...fakeBandit('broken', 2, 5), id: 'broken', infoFields: ['trial', 'expectedReward'] }),
  };
}

function withStep(
  family: TaskFamily,
  change: (result: ReturnType<ReturnType<TaskFamily['sample']>['step']>, t: number) => void,
) {
  return {
    ...family,
    sample(rng: Rng) {
      const instance = family.sample(rng);
      let t = 0;
      return {
        ...instance,
        reset: () => instance.reset(),
        step: (a: number) => {
          const r = instance.step(a);
          change(r, t++);
          return r;
        },
      };
    },
  };
}

describe('the contract checks say what is wrong', () => {
  it('an observation outside its space, an undeclared or missing info field, a non-finite reward', () => {
    const cases: [TaskEntry, RegExp][] = [
      [
        broken((f) => withStep(f, (r) => (r.observation = Float64Array.of(3)))),
        /has 3 at 0, outside its space \[1, 1\]/,
      ],
      [broken((f) => withStep(f, (r) => (r.info.secret = 1))), /info field 'secret' at step 1 is not declared/],
      [
        broken((f) => ({ ...f, infoFields: ['trial', 'expectedReward', 'promised'] })),
        /info field 'promised' is declared but missing/,
      ],
      [
        broken((f) =>
          withStep(f, (r, t) => {
            if (t === 2) r.reward = Number.NaN;
          }),
        ),
        /the reward at step 3 is NaN/,
      ],
      [broken((f) => ({ ...f, observationSize: 2 })), /observation space holds 1 numbers, observationSize says 2/],
    ];
    for (const [entry, problem] of cases) expect(checkTask(entry).problem).toMatch(problem);
  });

  it('a step after the end that is not refused, an episode past its length, a seed that does not repeat', () => {
    const endless = broken((f) => ({
      ...f,
      sample: (rng: Rng) => {
        const instance = f.sample(rng);
        return { ...instance, step: (a: number) => ({ ...instance.step(a % 2), done: false }) };
      },
    }));
    expect(checkTask(endless).problem).toMatch(/went past its declared length 5/);
    let calls = 0;
    const drifting = broken((f) => withStep(f, (r) => (r.reward += calls++)));
    expect(checkTask(drifting).problem).toMatch(/same seed, played with the same actions, differ/);
  });

  it('latent variables missing, of the wrong length, undeclared, not finite or out of their classes', () => {
    const variables: LatentVariable[] = [
      { name: 'armMeans', size: 2, kind: 'continuous', unit: '', description: 'the arms' },
      { name: 'bestArm', size: 1, kind: 'categorical', classes: 2, unit: '', description: 'the best arm' },
    ];
    /** A bandit whose latents are `make(steps)`. */
    const withLatents = (make: (steps: number) => Record<string, Float64Array>, declared = variables) =>
      broken((f) => ({ ...f, latentVariables: declared, latents: (r) => make(r.actions.length) }));
    const good = (steps: number) => ({ armMeans: new Float64Array(2 * steps), bestArm: new Float64Array(steps) });
    const passing = checkTask(withLatents(good));
    expect(passing.problem).toBeNull();
    expect(passing.checks.some((c) => c.name.startsWith('its latent variables'))).toBe(true);
    const cases: [TaskEntry, RegExp][] = [
      [withLatents((n) => ({ armMeans: good(n).armMeans })), /latents\(\) in episode 0 does not give 'bestArm'/],
      [withLatents((n) => ({ ...good(n), extra: new Float64Array(n) })), /gives 'extra', not declared/],
      [
        withLatents((n) => ({ ...good(n), armMeans: new Float64Array(n) })),
        /gives 5 values of 'armMeans', not 5 steps × 2/,
      ],
      [
        withLatents((n) => ({ ...good(n), armMeans: new Float64Array(2 * n).fill(Number.NaN) })),
        /gives NaN for 'armMeans' at step 0/,
      ],
      [withLatents((n) => ({ ...good(n), bestArm: new Float64Array(n).fill(2) })), /gives 2 for 'bestArm' at step 0/],
      [withLatents(good, [variables[0], { ...variables[1], size: 2 }]), /categorical .* 'bestArm' has size 2/],
      [withLatents(good, [variables[0], variables[0]]), /'armMeans' is declared twice/],
      [withLatents(good, [{ ...variables[0], beliefOf: 'truth' }, variables[1]]), /belief of 'truth'/],
      [broken((f) => ({ ...f, latentVariables: variables })), /declares latentVariables but has no latents\(\)/],
    ];
    for (const [entry, problem] of cases) expect(checkTask(entry).problem).toMatch(problem);
  });

  it('an agent whose probabilities do not sum to one', () => {
    const random = AGENTS.find((a) => a.id === 'random')!;
    const greedyTwice = {
      ...random,
      create: (...args: Parameters<typeof random.create>) => {
        const agent = random.create(...args);
        return {
          id: agent.id,
          kind: agent.kind,
          numActions: agent.numActions,
          begin: (b: number) => agent.begin(b),
          act: (input: Parameters<typeof agent.act>[0]) => ({ probs: agent.act(input).probs.map((p) => 2 * p) }),
        };
      },
    };
    const problem = checkAgent(greedyTwice, fakeBandit('bandit-bernoulli', 2, 5)).problem;
    expect(problem, problem ?? '').toMatch(/summing to 2/);
  });

  it('recordable variables badly named or sized, unknown names not refused, reading that changes what it does', () => {
    const hebbian = AGENTS.find((a) => a.id === 'hebbian')!;
    const family = findTask('bandit-correlated').create({ trials: 10 });
    /** The hebbian agent declaring `variables`, each read as `read` says. */
    const recording = (variables: RecordableVariable[], read: (agent: Agent, name: string) => Float64Array) => ({
      ...hebbian,
      create: (...args: Parameters<typeof hebbian.create>) => {
        const agent = hebbian.create(...args);
        return {
          id: agent.id,
          kind: agent.kind,
          numActions: agent.numActions,
          begin: (b: number) => agent.begin(b),
          act: (input: AgentInput) => agent.act(input),
          recordable: () => variables,
          readRecordable: (name: string) => read(agent, name),
        };
      },
    });
    const weights: RecordableVariable = { name: 'weights', shape: [2, 1], memory: 'synapses', description: 'w' };
    const honest = (agent: Agent, name: string) => agent.readRecordable!(name);
    expect(checkAgent(recording([weights], honest), family).problem).toBeNull();
    const cases: [ReturnType<typeof recording>, RegExp][] = [
      [recording([{ ...weights, name: 'Weights' }], honest), /'Weights' is not named with lower-case letters/],
      [recording([weights, weights], honest), /'weights' is declared twice/],
      [recording([{ ...weights, shape: [2, 0] }], honest), /has shape \[2,0\], not a list of positive integers/],
      [recording([{ ...weights, description: ' ' }], honest), /'weights' has no description/],
      [recording([{ ...weights, shape: [3] }], honest), /'weights' gave 4 values for 2 rows of shape \[3\] \(6\)/],
      [
        recording([weights], (agent) => agent.readRecordable!('weights')),
        /a variable it does not declare is not refused/,
      ],
      [
        recording([weights], (agent, name) => {
          // Reading resets the agent's synapses: recording would change what it does.
          const values = honest(agent, name);
          agent.begin(values.length / 2);
          return values;
        }),
        /it acted differently when its recordable variables were read/,
      ],
    ];
    for (const [entry, problem] of cases) expect(checkAgent(entry, family).problem).toMatch(problem);
  });
});
