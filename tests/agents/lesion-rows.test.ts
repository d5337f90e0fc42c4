// Lesions at trial boundaries touch only the episodes of a batch that are at one: an episode played
// in a batch, whose neighbours end their trials at other steps, acts exactly as it does alone.
import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import { NetworkAgent } from '../../agents/kit/network-agent.ts';
import type { Lesion } from '../../src/core/policy.ts';
import { Rng } from '../../src/core/rng.ts';
import type { Agent, AgentInput, StepInfo } from '../../src/core/types.ts';
import { mergeRows } from '../../src/nn/state-rows.ts';
import { Tensor } from '../../src/nn/tensor.ts';
import { findTask } from '../../tasks/index.ts';

const family = findTask('bandit-correlated').create({ variant: 'easy', trials: 12 });
const STEPS = 12;
/** Per row, the steps after which its trial ends (a trial of several steps otherwise). */
const TRIAL_ENDS = [new Set([2, 5, 9]), new Set([4, 6]), new Set([1, 2, 3, 7, 10])];

function play(agent: Agent, rows: number[]): Float64Array[] {
  const B = rows.length;
  agent.begin(B);
  const out: Float64Array[] = rows.map(() => new Float64Array(STEPS * family.numActions));
  for (let step = 0; step < STEPS; step++) {
    const prevInfo = rows.map((r) =>
      step === 0 ? undefined : ({ trialEnd: TRIAL_ENDS[r].has(step - 1) } as unknown as StepInfo),
    );
    const input: AgentInput = {
      observation: new Float64Array(B * family.observationSize).fill(0.5),
      prevAction: Int32Array.from(rows, (r) => (step === 0 ? -1 : (step + r) % 2)),
      prevReward: Float64Array.from(rows, (r) => (step === 0 ? 0 : (step * (r + 1)) % 3 === 0 ? 1 : 0)),
      timeFraction: step / STEPS,
      step,
      prevInfo,
      instances: [],
    };
    const { probs } = agent.act(input);
    for (let b = 0; b < B; b++)
      out[b].set(probs.subarray(b * family.numActions, (b + 1) * family.numActions), step * family.numActions);
  }
  return out;
}

const CASES: [string, Record<string, unknown>, Lesion][] = [
  ['lstm', { hidden: 8 }, 'reset-state'],
  ['gru', { hidden: 8 }, 'reset-state'],
  ['plastic-rnn', { hidden: 6 }, 'reset-state'],
  ['lsnn', { lif: 6, adaptive: 6 }, 'reset-state'],
  ['lsnn', { lif: 6, adaptive: 6 }, 'reset-adaptation'],
  ['transformer', { width: 8, heads: 2, mlp: 8, positions: 'learned' }, 'reset-state'],
];

describe('lesions at trial boundaries, row by row', () => {
  for (const [id, options, lesion] of CASES) {
    it(`${id} under ${lesion}: each episode of a batch acts as it does alone`, () => {
      const entry = findAgent(id);
      const agent = (kind: Lesion | 'none') =>
        new NetworkAgent(family, entry.createNetwork!(family, options, Rng.fromSeed('rows')), kind);
      const lesioned = () => agent(lesion);
      const make = () => agent('none');
      const batch = play(lesioned(), [0, 1, 2]);
      for (let r = 0; r < 3; r++) {
        const alone = play(lesioned(), [r])[0];
        for (let k = 0; k < alone.length; k++) expect(batch[r][k]).toBeCloseTo(alone[k], 12);
      }
      // The lesion does something: the intact agent acts otherwise.
      const intact = play(make(), [0, 1, 2]);
      const differs = intact.some((row, r) => row.some((p, k) => Math.abs(p - batch[r][k]) > 1e-9));
      expect(differs).toBe(true);
    });
  }
});

describe('mergeRows', () => {
  it('takes the flagged rows from the lesioned state, shares equal leaves, refuses what it cannot split', () => {
    const kept = { h: new Tensor(2, 2, Float64Array.of(1, 2, 3, 4)), n: 3, flags: Float64Array.of(1, 1) };
    const wiped = { h: Tensor.zeros(2, 2), n: 3, flags: Float64Array.of(0, 0), extra: 'x' };
    const merged = mergeRows(kept, wiped, [false, true]);
    expect(Array.from(merged.h.data)).toEqual([1, 2, 0, 0]);
    expect(Array.from(merged.flags)).toEqual([1, 0]);
    expect(merged.n).toBe(3);
    expect((merged as typeof wiped).extra).toBe('x');
    expect(mergeRows(kept, wiped, [true, true])).toBe(wiped);
    expect(mergeRows(kept, wiped, [false, false])).toBe(kept);
    expect(() => mergeRows({ n: 1 }, { n: 2 }, [true, false])).toThrow(/state\.n .*cannot be split by batch row/);
  });
});
