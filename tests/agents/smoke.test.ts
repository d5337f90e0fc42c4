// Every registered agent against every registered task: the pairs that can play run a few
// episodes; the pairs that cannot are refused with a UsageError. Iterates over the registries, so
// a new task or agent is covered the day it is registered.
import { describe, expect, it } from 'vitest';
import { AGENTS } from '../../agents/index.ts';
import { UsageError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { runBaseline } from '../../src/experiments/baseline.ts';
import { evaluate, STREAMS } from '../../src/rl/rollout.ts';
import { TASKS } from '../../tasks/index.ts';

/**
 * Options that keep a family's episodes short enough for a smoke test (its defaults stay what the
 * paper used: the water maze's 4 trials of up to 1200 steps take a transformer about a minute).
 */
const SMOKE_OPTIONS: Record<string, Record<string, unknown>> = {
  watermaze: { timeout: 6 },
};

describe('smoke: every task × every agent', () => {
  for (const taskEntry of TASKS) {
    for (const agentEntry of AGENTS) {
      it(`${agentEntry.id} on ${taskEntry.id}`, () => {
        const taskOptions = SMOKE_OPTIONS[taskEntry.id] ?? {};
        const family = taskEntry.create(taskOptions);
        const reason = agentEntry.cannotPlay(family);
        if (reason !== null) {
          expect(reason.length).toBeGreaterThan(0);
          expect(() =>
            runBaseline({ agent: agentEntry.id, task: taskEntry.id, taskOptions, episodes: 1, seed: 0 }),
          ).toThrow(UsageError);
          return;
        }
        const rng = Rng.fromSeed(1);
        const agent = agentEntry.create(family, {}, rng.fork(STREAMS.evalAgent));
        expect(agent.numActions).toBe(family.numActions);
        const records = evaluate(family, agent, { episodes: 3, batchSize: 2, rng });
        expect(records).toHaveLength(3);
        for (const r of records) {
          expect(r.actions.length).toBeGreaterThan(0);
          expect(r.actions.length).toBeLessThanOrEqual(family.episodeLength);
          expect(r.rewards).toHaveLength(r.actions.length);
          for (const a of r.actions) expect(a >= 0 && a < family.numActions).toBe(true);
        }
      });
    }
  }
});
