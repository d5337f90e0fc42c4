// The learning-algorithm baselines of the in-context regression evaluation (src/icl/baselines.ts)
// at the sizes of icl-lsa-gd: ridge's λ line-searched on 10,000 training sequences (d = 10, N = 10),
// ridge and least squares on 10,000 test sequences, and least squares with fewer examples than
// dimensions (N = 5, the minimum-norm interpolant). Seconds per call, best of `--runs`.
//   npm run bench:icl [-- --runs 3] [--json]
import { Rng } from '../../src/core/rng.ts';
import { leastSquaresWeights, lineSearchRidge, ridgeWeights } from '../../src/icl/baselines.ts';
import { createIclRegression, type SequenceBatch } from '../../tasks/icl-regression.ts';
import { flags } from '../args.ts';

const { values } = flags({ runs: '3', json: false });
const runs = Number(values.runs);

/** Best time of fn over fresh batches (sampled outside the clock; what is cached per batch is timed). */
function best(sample: () => SequenceBatch, fn: (batch: SequenceBatch) => unknown): number {
  let fastest = Infinity;
  for (let r = 0; r < runs; r++) {
    const batch = sample();
    const t0 = performance.now();
    fn(batch);
    fastest = Math.min(fastest, (performance.now() - t0) / 1000);
  }
  return Number(fastest.toFixed(3));
}

const family = createIclRegression({ dim: 10, examples: 10 });
const rng = Rng.fromSeed('bench-icl');
const full = () => family.sampleSequences(rng, 10_000);
const few = () => family.sampleSequences(rng, 10_000, 5);
const result = {
  lineSearchRidgeSeconds: best(full, (b) => lineSearchRidge(b)),
  ridgeSeconds: best(full, (b) => ridgeWeights(b, 0.01)),
  leastSquaresSeconds: best(full, (b) => leastSquaresWeights(b)),
  minimumNormSeconds: best(few, (b) => leastSquaresWeights(b)),
};
if (values.json) console.log(JSON.stringify(result));
else for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(24)} ${v}`);
