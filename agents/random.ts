// The random agent: picks every action with equal probability, whatever happened. The floor every
// other agent is compared with (RL² Table 1's "Random" column).
import { z } from 'zod';
import { parseOptions } from '../src/core/options.ts';
import type { Agent, AgentInput, AgentOutput, TaskFamily } from '../src/core/types.ts';
import type { AgentEntry } from './kit/entry.ts';

export const randomOptions = z.strictObject({});
export type RandomOptions = z.output<typeof randomOptions>;

export class RandomAgent implements Agent {
  readonly id = 'random';
  readonly kind = 'classic' as const;

  constructor(readonly numActions: number) {}

  begin(): void {}

  act(input: AgentInput): AgentOutput {
    const probs = new Float64Array(input.prevAction.length * this.numActions);
    probs.fill(1 / this.numActions);
    return { probs };
  }
}

export const random: AgentEntry = {
  id: 'random',
  kind: 'classic',
  description: 'uniformly random actions (the chance baseline)',
  options: randomOptions,
  papers: [],
  cannotPlay: (family: TaskFamily) =>
    family.actionSpace.kind === 'discrete' ? null : 'it needs a discrete action space',
  create(family, options) {
    parseOptions('random', randomOptions, options);
    return new RandomAgent(family.numActions);
  },
};
