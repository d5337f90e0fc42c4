// Sweep throughput: the same small sweep (seeds of the bandit-wang2018 configuration, LSTM-48,
// batch 32, T = 100, each run training on one thread for `--updates` updates, 20–30 s on this
// machine, then a short frozen evaluation) run with 1 worker and then with 2, in runs per hour.
// On a quiet 2-core machine 2 workers should give at least 1.8 times the runs per hour of one;
// `coresUsed` tells whether the sweep had the cores (other processes can take them). It also
// checks that both sweeps produced the same numbers (runs are deterministic by seed).
//   npm run bench:sweep -- [--json] [--runs R] [--updates U] [--workers 1,2]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSweep } from '../../src/experiments/sweep.ts';
import { expandSweep } from '../../src/experiments/sweep-spec.ts';
import { flags } from '../args.ts';

const { values } = flags({ json: false, runs: '4', updates: '150', workers: '1,2' });
const runs = Number(values.runs);
const workerCounts = values.workers!.split(',').map(Number);

const sweep = expandSweep(
  {
    name: 'bench',
    base: 'bandit-wang2018',
    overrides: {
      training: { updates: Number(values.updates), checkpointEvery: 50 },
      evaluation: { episodes: 200, compare: ['thompson'] },
    },
    vary: { seed: Array.from({ length: runs }, (_, i) => i) },
  },
  'scripts/bench/sweep.ts',
);

/** eval.json of every run, without the training wall time. */
function evaluations(out: string): unknown[] {
  return sweep.runs.map((r) => {
    const ev = JSON.parse(fs.readFileSync(path.join(out, 'runs', r.id, 'eval.json'), 'utf8'));
    for (const a of Object.values(ev.agents) as Record<string, unknown>[]) delete a.trainingSeconds;
    return ev;
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-bench-sweep-'));
const measured: {
  workers: number;
  seconds: number;
  runsPerHour: number;
  coresUsed: number;
  loadBefore: number;
  loadAfter: number;
}[] = [];
const results: unknown[][] = [];
for (const workers of workerCounts) {
  const out = path.join(dir, `workers-${workers}`);
  const loadBefore = os.loadavg()[0];
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await runSweep(sweep, { out, workers });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  // CPU seconds of all this process's threads per second: below the worker count when other
  // processes took the cores, which makes the speedup meaningless.
  const coresUsed = Math.round(((used.user + used.system) / 1e6 / seconds) * 100) / 100;
  if (result.runs.some((r) => r.state !== 'done'))
    throw new Error(`sweep with ${workers} workers: ${JSON.stringify(result.runs)}`);
  measured.push({
    workers,
    seconds: Math.round(seconds * 10) / 10,
    runsPerHour: Math.round((runs / seconds) * 3600),
    coresUsed,
    loadBefore,
    loadAfter: os.loadavg()[0],
  });
  results.push(evaluations(out));
  if (!values.json) console.error(`${workers} worker(s): ${runs} runs in ${seconds.toFixed(1)} s`);
}
fs.rmSync(dir, { recursive: true, force: true });

const report = {
  runs,
  updatesPerRun: Number(values.updates),
  cores: os.availableParallelism(),
  measured,
  /** Runs per hour with the most workers over runs per hour with the fewest. */
  speedup: Math.round((measured[measured.length - 1].runsPerHour / measured[0].runsPerHour) * 100) / 100,
  /** The sweeps' numbers agree run for run. */
  identical: results.every((r) => JSON.stringify(r) === JSON.stringify(results[0])),
};
if (values.json) console.log(JSON.stringify(report));
else {
  for (const m of measured) {
    console.log(
      `${m.workers} worker(s): ${m.runsPerHour} runs/hour (${m.seconds} s, ${m.coresUsed} cores busy; load ` +
        `average ${m.loadBefore.toFixed(2)} before, ${m.loadAfter.toFixed(2)} after)`,
    );
  }
  console.log(`speedup ${report.speedup}×, results identical: ${report.identical}`);
}
