// Copies a run's checkpoint to checkpoints/<name>.json for shipping: the same format, with the
// optimizer and generator state dropped (a shipped checkpoint is evaluated, not resumed), the
// run's training curve attached (its metrics.jsonl records of that agent, thinned to at most
// 400, and for a sequence model on icl-induction its positions.jsonl records), and the file
// validated on the way.
//   node bin/run-ts.js scripts/ship-checkpoint.ts runs/<run>/checkpoints/<agent>.json <name>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCheckpoint, writeCheckpoint } from '../src/experiments/checkpoint.ts';
import { readJsonl } from '../src/experiments/io.ts';

const MAX_HISTORY = 400;

const [source, name] = process.argv.slice(2);
if (!source || !name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('usage: node bin/run-ts.js scripts/ship-checkpoint.ts <run checkpoint.json> <name>');
  process.exit(2);
}
const checkpoint = readCheckpoint(source);
if (!checkpoint.done) {
  console.error(`${source}: training has not finished (update ${checkpoint.update}); ship a finished run`);
  process.exit(2);
}
const agentKey = path.basename(source, '.json');
const metricsFile = path.join(path.dirname(path.dirname(source)), 'metrics.jsonl');
const records = fs.existsSync(metricsFile) ? readJsonl(metricsFile).filter((r) => r.agent === agentKey) : [];
const stride = Math.max(1, Math.ceil(records.length / MAX_HISTORY));
const history = records.filter((_, i) => i % stride === 0 || i === records.length - 1) as NonNullable<
  typeof checkpoint.history
>;
const positionsFile = path.join(path.dirname(path.dirname(source)), 'positions.jsonl');
const positions = fs.existsSync(positionsFile)
  ? readJsonl(positionsFile)
      .filter((r) => r.model === agentKey)
      .map((r) => ({ step: r.step as number, lossByPosition: r.lossByPosition as (number | null)[] }))
  : undefined;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'checkpoints', `${name}.json`);
writeCheckpoint(target, { ...checkpoint, optimizer: null, rng: null, history, positions });
console.log(
  `${target}: ${checkpoint.agent.id} on ${checkpoint.task.id}, ${checkpoint.update} updates, ` +
    `${checkpoint.envSteps} env steps, ${history.length} history records`,
);
