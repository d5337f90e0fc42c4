// A meta-training budget of seconds for the tests of runs: an LSTM on the easy correlated bandit
// (arms 0.1/0.9), whose settings a test changes with `training`.
import fs from 'node:fs';
import path from 'node:path';

/** The raw spec (as a user writes it) of a tiny experiment. */
export function tinySpec(training: Record<string, unknown> = {}, hidden = 16): Record<string, unknown> {
  return {
    name: 'tiny',
    seed: 1,
    task: { id: 'bandit-correlated', options: { variant: 'easy', trials: 20 } },
    agents: [{ id: 'lstm', options: { hidden } }],
    training: {
      updates: 400,
      batchSize: 16,
      learningRate: 0.01,
      checkpointEvery: 50,
      logEvery: 10,
      workers: 1,
      ...training,
    },
    evaluation: { episodes: 40, compare: ['random'] },
  };
}

let written = 0;

/** Writes a spec to a new file in `dir`; returns its path. */
export function writeSpec(dir: string, spec: Record<string, unknown>): string {
  const file = path.join(dir, `spec-${written++}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}
