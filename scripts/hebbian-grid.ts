// Chooses the constants of the `hebbian` agent (agents/hebbian.ts) by a grid search on TRAINING
// instances only: every configuration plays the same episodes, sampled from the seed's
// `train-tasks` stream (src/rl/rollout.ts STREAMS), which evaluation never touches. The best
// configuration by mean expected regret is then re-measured on a second, disjoint block of
// training instances, so the number reported for it is not the minimum of many noisy means.
// Held-out (evaluation) instances are never played here.
//
// η and the softmax temperature enter the policy only through η / temperature (the weights start
// at zero), so the temperature stays at 1 and η is searched.
//
//   node bin/run-ts.js scripts/hebbian-grid.ts [--episodes 1000] [--seed 0] [--variant uniform] [--trials 100] [--json]

import { pathToFileURL } from 'node:url';
import { type HebbianOptions, hebbian } from '../agents/hebbian.ts';
import { Rng } from '../src/core/rng.ts';
import type { EpisodeRecord, TaskFamily } from '../src/core/types.ts';
import { expectedRegrets } from '../src/measures/behavior.ts';
import { ci95, type Estimate } from '../src/measures/stats.ts';
import { playBatch, STREAMS } from '../src/rl/rollout.ts';
import { findTask } from '../tasks/index.ts';
import { flags } from './args.ts';

export interface HebbianGrid {
  learningRate: number[];
  eligibilityTime: number[];
  baselineRate: number[];
}

export const DEFAULT_GRID: HebbianGrid = {
  learningRate: [0.2, 0.5, 1, 2, 5, 10],
  eligibilityTime: [0.2, 0.5, 1, 2, 5],
  baselineRate: [0.01, 0.03, 0.1, 0.3, 1],
};

export interface GridOptions {
  /** Root seed; instances come from its `train-tasks` stream. */
  seed: number;
  /** Training episodes per configuration (the confirmation block has as many again). */
  episodes: number;
  grid?: HebbianGrid;
  batchSize?: number;
}

export interface GridEntry {
  options: Pick<HebbianOptions, 'learningRate' | 'eligibilityTime' | 'baselineRate'>;
  expectedRegret: Estimate;
}

export interface GridResult {
  seed: number;
  episodes: number;
  task: string;
  taskOptions: Record<string, unknown>;
  /** Every configuration, best first. */
  results: GridEntry[];
  best: GridEntry;
  /** The best configuration on the second block of training instances. */
  confirmation: Estimate;
}

/** Plays `count` training episodes, instances `first … first + count − 1` of the train-tasks stream. */
function playTraining(
  family: TaskFamily,
  options: Record<string, unknown>,
  root: Rng,
  first: number,
  count: number,
  batchSize: number,
): EpisodeRecord[] {
  const tasks = root.fork(STREAMS.trainTasks);
  const actions = root.fork('hebbian-grid-actions');
  const agent = hebbian.create(family, options, root.fork('hebbian-grid-agent'));
  const records: EpisodeRecord[] = [];
  for (let lo = first; lo < first + count; lo += batchSize) {
    const hi = Math.min(first + count, lo + batchSize);
    const instances = [];
    const actionRngs = [];
    for (let i = lo; i < hi; i++) {
      instances.push(family.sample(tasks.fork(String(i))));
      actionRngs.push(actions.fork(String(i)));
    }
    records.push(...playBatch(family, agent, instances, actionRngs));
  }
  return records;
}

export function hebbianGridSearch(family: TaskFamily, options: GridOptions): GridResult {
  const grid = options.grid ?? DEFAULT_GRID;
  const batchSize = options.batchSize ?? 100;
  const root = Rng.fromSeed(options.seed);
  const results: GridEntry[] = [];
  for (const learningRate of grid.learningRate) {
    for (const eligibilityTime of grid.eligibilityTime) {
      for (const baselineRate of grid.baselineRate) {
        const config = { learningRate, eligibilityTime, baselineRate };
        const records = playTraining(family, config, root, 0, options.episodes, batchSize);
        results.push({ options: config, expectedRegret: ci95(expectedRegrets(records)) });
      }
    }
  }
  results.sort((a, b) => a.expectedRegret.mean - b.expectedRegret.mean);
  const best = results[0];
  const confirmation = ci95(
    expectedRegrets(playTraining(family, best.options, root, options.episodes, options.episodes, batchSize)),
  );
  return {
    seed: options.seed,
    episodes: options.episodes,
    task: family.id,
    taskOptions: family.options as Record<string, unknown>,
    results,
    best,
    confirmation,
  };
}

function main(): void {
  const { values } = flags({ episodes: '1000', seed: '0', variant: 'uniform', trials: '100', json: false });
  const family = findTask('bandit-correlated').create({ variant: values.variant, trials: Number(values.trials) });
  const started = performance.now();
  const result = hebbianGridSearch(family, { seed: Number(values.seed), episodes: Number(values.episodes) });
  const seconds = (performance.now() - started) / 1000;
  if (values.json) {
    console.log(JSON.stringify({ ...result, seconds }));
    return;
  }
  const fmt = (e: Estimate) => `${e.mean.toFixed(2)} [${e.ci95[0].toFixed(2)}, ${e.ci95[1].toFixed(2)}]`;
  console.log(
    `hebbian grid on bandit-correlated ${JSON.stringify(family.options)}: ${result.results.length} configurations ` +
      `× ${result.episodes} training episodes (seed ${result.seed}, ${seconds.toFixed(1)} s)`,
  );
  console.log('| η | τ_e | ρ | expected regret (95% CI) |');
  console.log('|---|---|---|---|');
  for (const r of result.results.slice(0, 10))
    console.log(
      `| ${r.options.learningRate} | ${r.options.eligibilityTime} | ` +
        `${r.options.baselineRate} | ${fmt(r.expectedRegret)} |`,
    );
  console.log(
    `worst: ${JSON.stringify(result.results[result.results.length - 1].options)} ` +
      `${fmt(result.results[result.results.length - 1].expectedRegret)}`,
  );
  console.log(
    `best ${JSON.stringify(result.best.options)}: ${fmt(result.best.expectedRegret)}; on ` +
      `${result.episodes} fresh training episodes ${fmt(result.confirmation)}`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
