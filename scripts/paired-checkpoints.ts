// Two checkpoints of the same task, frozen, on the very same held-out episodes: each one's headline
// measure (mean and 95% t interval) and their paired difference (percentile bootstrap), e.g. the
// plastic RNN with and without neuromodulation on grid-goal.
//   node bin/run-ts.js scripts/paired-checkpoints.ts A.json B.json [--episodes N] [--seed S] [--json]
import { parseArgs } from 'node:util';
import { networkFromCheckpoint, readCheckpoint } from '../src/experiments/checkpoint.ts';
import { mainMeasureOf } from '../src/measures/main-measure.ts';
import { ci95, pairedBootstrap } from '../src/measures/stats.ts';
import { frozenEvaluation } from '../src/rl/frozen-eval.ts';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    episodes: { type: 'string', default: '4000' },
    seed: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
if (positionals.length !== 2) {
  console.error(
    'usage: node bin/run-ts.js scripts/paired-checkpoints.ts A.json B.json [--episodes N] [--seed S] [--json]',
  );
  process.exit(2);
}
const episodes = Number(opts.episodes);
const seed = Number(opts.seed);
const results = positionals.map((file) => {
  const ck = readCheckpoint(file);
  const { family, net } = networkFromCheckpoint(ck, file);
  let values: Float64Array = new Float64Array(0);
  frozenEvaluation(family, net, {
    episodes,
    batchSize: 100,
    seed,
    compare: [],
    onRecords: (r) => (values = mainMeasureOf(family).perEpisode(r)),
  });
  return { file, task: ck.task, measure: mainMeasureOf(family).name, values };
});
if (JSON.stringify(results[0].task) !== JSON.stringify(results[1].task)) {
  console.error(
    `the checkpoints were trained on different tasks: ${JSON.stringify(results[0].task)} ` +
      `and ${JSON.stringify(results[1].task)}`,
  );
  process.exit(2);
}
const out = {
  episodes,
  seed,
  measure: results[0].measure,
  a: { file: results[0].file, estimate: ci95(results[0].values) },
  b: { file: results[1].file, estimate: ci95(results[1].values) },
  difference: pairedBootstrap(results[0].values, results[1].values, `${seed}/paired`),
};
if (opts.json) console.log(JSON.stringify(out));
else {
  const pm = (e: { mean: number; ci95: [number, number] }) =>
    `${e.mean.toFixed(2)} [${e.ci95[0].toFixed(2)}, ${e.ci95[1].toFixed(2)}]`;
  console.log(`${out.measure}, ${episodes} held-out episodes, seed ${seed}`);
  console.log(`  A ${out.a.file}: ${pm(out.a.estimate)}`);
  console.log(`  B ${out.b.file}: ${pm(out.b.estimate)}`);
  console.log(`  A − B (paired, bootstrap): ${pm(out.difference)}`);
}
