// The oracle: a privileged agent that reads each instance's ground truth (the current expected
// reward of every action) and takes a best action, uniformly among ties. Its expected regret is
// 0 by construction; it is the ceiling of every table and a check of the tasks' bookkeeping.
import { z } from 'zod';
import { parseOptions } from '../src/core/options.ts';
import { traitsOf } from '../src/core/traits.ts';
import type { Agent, AgentInput, AgentOutput } from '../src/core/types.ts';
import { uniformOverBest } from './kit/bandit-counts.ts';
import type { AgentEntry } from './kit/entry.ts';

export const oracleOptions = z.strictObject({});
export type OracleOptions = z.output<typeof oracleOptions>;

export class OracleAgent implements Agent {
  readonly id = 'oracle';
  readonly kind = 'classic' as const;
  readonly privileged = true;

  constructor(readonly numActions: number) {}

  begin(): void {}

  act(input: AgentInput): AgentOutput {
    const k = this.numActions;
    const batch = input.instances.length;
    const probs = new Float64Array(batch * k);
    for (let b = 0; b < batch; b++) {
      const expected = input.instances[b].groundTruth().expectedRewards;
      if (!expected || expected.length !== k)
        throw new Error(`oracle: instance ${b} reports no expected reward per action`);
      uniformOverBest(expected, 0, k, probs, b * k);
    }
    return { probs };
  }
}

export const oracle: AgentEntry = {
  id: 'oracle',
  kind: 'classic',
  privileged: true,
  description: 'privileged: reads the true expected rewards and takes a best action (regret 0)',
  options: oracleOptions,
  papers: [],
  cannotPlay: (family) =>
    traitsOf(family).expectedRewards ? null : `'${family.id}' does not expose the expected reward of every action`,
  create(family, options) {
    parseOptions('oracle', oracleOptions, options);
    return new OracleAgent(family.numActions);
  },
};
