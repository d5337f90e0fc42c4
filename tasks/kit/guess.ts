// What the supervised sequence tasks met as one-step tasks share (icl-induction, icl-bursty,
// graph-walk): the episode is one guess of a discrete target — a token, a label, an observation —
// rewarded 1 when right. Not a family itself.
import type { StepInfo, StepResult } from '../../src/core/types.ts';

export interface Guess {
  /** The task's id, for messages. */
  task: string;
  /** What is guessed, for messages ("a token id"). */
  what: string;
  /** Number of possible targets; the action is one of 0 … choices − 1. */
  choices: number;
  target: number;
  /** Length of the (empty) observation after the guess. */
  observationSize: number;
  /**
   * Whether the context determines the target. An undetermined target is uniform, so an ideal
   * reader expects 1/choices whatever it guesses; a determined one, 1 for the right guess.
   * Default true.
   */
  determined?: boolean;
  /** The task's own info fields. */
  info?: Record<string, unknown>;
}

/** The step of the guess `action`: its reward and the choice fields; an Error for a guess out of range. */
export function guessStep(action: number, g: Guess): StepResult {
  if (!Number.isInteger(action) || action < 0 || action >= g.choices)
    throw new Error(`${g.task}: the action is ${g.what} in 0 … ${g.choices - 1}, got ${action}`);
  const reward = action === g.target ? 1 : 0;
  const determined = g.determined ?? true;
  const chance = 1 / g.choices;
  const expectedReward = determined ? reward : chance;
  const best = determined ? 1 : chance;
  const info: StepInfo = {
    trial: 0,
    newTrial: true,
    expectedReward,
    bestExpectedReward: best,
    expectedRegret: best - expectedReward,
    correct: best - expectedReward === 0,
    ...g.info,
  };
  return { observation: new Float64Array(g.observationSize), reward, done: true, info };
}
