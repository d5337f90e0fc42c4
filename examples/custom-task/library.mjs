// engram as a plain library (the built JavaScript of dist/, no TypeScript loader): check a
// built-in task's contract and evaluate a classic agent on it, as a script of one's own would.
import { checkTask, findTask, runBaseline } from 'engram';

const check = checkTask(findTask('bandit-correlated'));
console.log(`${check.subject}: ${check.checks.filter((c) => c.ok).length}/${check.checks.length} checks hold`);
const { report } = runBaseline({
  agent: 'thompson',
  task: 'bandit-correlated',
  taskOptions: { trials: 40 },
  agentOptions: {},
  episodes: 200,
  seed: 0,
  batchSize: 100,
});
console.log(`thompson on bandit-correlated, 40 trials: total reward ${report.totalReward.mean.toFixed(2)}`);
if (!check.ok || !(report.totalReward.mean > 20)) process.exit(1);
