// engram against the PyTorch reference of the same network and algorithm (scripts/peers/torch_a2c.py:
// LSTM-48, A2C, batch 32, T = 100 on the two-armed bandit), alternating on the same machine: each
// round runs engram on one thread, engram on two threads and PyTorch on one thread, `--seconds`
// each, and the medians over the rounds give the ratios. The machine's speed drifts from minute to
// minute, so only ratios of one sitting mean anything; keep the machine otherwise idle.
//   npm run bench:peer [-- --rounds 3] [--seconds 20] [--python PATH] [--json]
// It needs a Python with torch (Debian: apt-get install -y python3-torch); without one it says so
// and exits with status 2.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { flags } from '../args.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const { values } = flags({ rounds: '3', seconds: '20', python: undefined, json: false });
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
if (!(Number.isInteger(rounds) && rounds >= 1) || !(seconds > 0)) {
  console.error('bench:peer: --rounds must be a positive integer and --seconds a positive number');
  process.exit(2);
}

/** The first Python that imports torch: --python, then Debian's, then the one on the PATH. */
function findPython(): string | null {
  const candidates = values.python !== undefined ? [values.python] : ['/usr/bin/python3', 'python3'];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return python;
  }
  return null;
}

const python = findPython();
if (python === null) {
  console.error(
    'bench:peer: no Python with torch found (apt-get install -y python3-torch, or --python PATH); nothing measured',
  );
  process.exit(2);
}

function engram(workers: number): number {
  const out = execFileSync(
    process.execPath,
    ['bin/run-ts.js', 'scripts/bench/train.ts', '--json', '--workers', String(workers), '--seconds', String(seconds)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string).envStepsPerSecond;
}

function pytorch(): number {
  const out = execFileSync(
    python as string,
    ['scripts/peers/torch_a2c.py', '--seconds', String(seconds), '--threads', '1', '--eval-episodes', '0'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(out.trim()).env_steps_per_s;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const runs = { engram1: [] as number[], engram2: [] as number[], pytorch1: [] as number[] };
for (let round = 1; round <= rounds; round++) {
  runs.engram1.push(engram(1));
  runs.engram2.push(engram(2));
  runs.pytorch1.push(pytorch());
  if (!values.json) {
    console.error(
      `round ${round}: engram 1 thread ${runs.engram1.at(-1)}, 2 threads ${runs.engram2.at(-1)}, ` +
        `PyTorch 1 thread ${runs.pytorch1.at(-1)} env steps/s`,
    );
  }
}
const medians = { engram1: median(runs.engram1), engram2: median(runs.engram2), pytorch1: median(runs.pytorch1) };
const result = {
  config: { network: 'LSTM-48', batchSize: 32, trials: 100, seconds, rounds, python },
  envStepsPerSecond: runs,
  medians,
  ratios: {
    oneThread: Number((medians.engram1 / medians.pytorch1).toFixed(2)),
    twoThreads: Number((medians.engram2 / medians.pytorch1).toFixed(2)),
  },
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(
    `medians: engram 1 thread ${medians.engram1}, 2 threads ${medians.engram2}, ` +
      `PyTorch 1 thread ${medians.pytorch1}\n` +
      `engram 1 thread / PyTorch 1 thread: ${result.ratios.oneThread} (goal ≥ 2)\n` +
      `engram 2 threads / PyTorch 1 thread: ${result.ratios.twoThreads} (goal ≥ 3)`,
  );
}
