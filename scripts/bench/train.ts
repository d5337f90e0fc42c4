// Meta-training throughput: A2C on the LSTM-48 bandit configuration of bandit-wang2018 (batch 32,
// T = 100: rollout, back-propagation through time, Adam), in environment steps per second, and
// the process's peak resident memory. The reference is scripts/peers/torch_a2c.py (docs/results/speed.md).
// --task and --task-options train on another family (the spatial tasks: peak memory of BPTT over long episodes).
//   npm run bench:train -- [--json] [--seconds S] [--workers N] [--hidden H] [--batch B] [--dashboard]
//                          [--agent ID] [--agent-options JSON]
// --agent-options replaces --hidden for agents with other options, e.g.
//   --agent transformer --agent-options '{"width":32,"layers":1,"heads":2,"mlp":64}'
// --dashboard feeds every update, as run.ts does, into the live dashboard drawing to an offscreen
// 100×30 terminal, to measure what the dashboard costs training.

import { PassThrough, Writable } from 'node:stream';
import { findAgent } from '../../agents/index.ts';
import { Rng } from '../../src/core/rng.ts';
import type { RunEvent } from '../../src/experiments/events.ts';
import { runHeader } from '../../src/experiments/plan.ts';
import { ExperimentSchema } from '../../src/experiments/spec.ts';
import { trainingThreads } from '../../src/experiments/threads.ts';
import { A2CArgsSchema, A2CTrainer } from '../../src/rl/a2c.ts';
import { findTask } from '../../tasks/index.ts';
import { flags } from '../args.ts';

const { values } = flags({
  json: false,
  seconds: '20',
  warmup: '3',
  workers: '2',
  hidden: '48',
  batch: '32',
  agent: 'lstm',
  'agent-options': undefined,
  task: 'bandit-correlated',
  'task-options': undefined,
  dashboard: false,
});
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const workers = Number(values.workers);
// --task / --task-options measure other families, e.g. --task watermaze --task-options
// '{"protocol":"dmp","timeStep":1}'.
const taskId = values.task!;
const taskOptions: Record<string, unknown> =
  values['task-options'] !== undefined
    ? JSON.parse(values['task-options'])
    : taskId === 'bandit-correlated'
      ? { variant: 'uniform', trials: 100 }
      : {};
const agentOptions: Record<string, unknown> =
  values['agent-options'] !== undefined ? JSON.parse(values['agent-options']) : { hidden: Number(values.hidden) };
const family = findTask(taskId).create(taskOptions);
const rng = Rng.fromSeed(0);
const net = findAgent(values.agent!).createNetwork!(family, agentOptions, rng.fork('init'));
const training = A2CArgsSchema.parse({ updates: 1_000_000, batchSize: Number(values.batch), workers });
const trainer = new A2CTrainer(
  family,
  net,
  training,
  rng,
  trainingThreads({ taskId, taskOptions, agentId: values.agent!, agentOptions, modules: [] }),
);

/** An offscreen terminal: Ink renders to it as to a real one; it counts what would reach the screen. */
class OffscreenTerminal extends Writable {
  readonly isTTY = true;
  readonly columns = 100;
  readonly rows = 30;
  writes = 0;
  bytes = 0;
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.writes++;
    this.bytes += chunk.length;
    done();
  }
}

let emit: (event: RunEvent) => void = () => {};
let frameCount = 0;
let frameMs = 0;
let closeDashboard = async () => {};
const terminal = new OffscreenTerminal();
if (values.dashboard) {
  const { mountDashboard } = await import('../../src/dashboard/live.ts');
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  const dashboard = mountDashboard({
    stdout: terminal as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    control: { stop: false, paused: false },
    onFrame: (ms) => {
      frameCount++;
      frameMs += ms;
    },
  });
  emit = dashboard.onEvent;
  closeDashboard = () => dashboard.close();
  const spec = ExperimentSchema.parse({
    name: 'bench-train',
    task: { id: taskId, options: taskOptions },
    agents: [{ id: values.agent!, options: agentOptions }],
    training,
  });
  emit({ type: 'run-start', runDir: '(benchmark)', run: runHeader(spec), resumed: false });
  emit({ type: 'train-start', agent: values.agent!, updates: training.updates, fromUpdate: 0 });
}

let trainingSeconds = 0;
/** One update as run.ts makes it: the event to listeners, and a turn of the event loop every 4 updates. */
async function step(): Promise<void> {
  const started = performance.now();
  const m = await trainer.step();
  trainingSeconds += (performance.now() - started) / 1000;
  emit({ type: 'update', agent: values.agent!, metrics: m, updates: training.updates, wallSeconds: trainingSeconds });
  if (m.update % 4 === 0) await new Promise((r) => setImmediate(r));
}

let t0 = performance.now();
while (performance.now() - t0 < warmup * 1000) await step();
const startSteps = trainer.envSteps;
const startUpdates = trainer.update;
const startWrites = terminal.writes;
const startFrames = { count: frameCount, ms: frameMs };
t0 = performance.now();
const cpu0 = process.cpuUsage();
while (performance.now() - t0 < seconds * 1000) await step();
const elapsed = (performance.now() - t0) / 1000;
// CPU time of every thread of the process: less sensitive than wall time to other processes' load.
const cpu = process.cpuUsage(cpu0);
const writes = terminal.writes - startWrites;
const frames = { count: frameCount - startFrames.count, ms: frameMs - startFrames.ms };
await closeDashboard();
await trainer.close();
const envSteps = trainer.envSteps - startSteps;
const result = {
  agent: values.agent,
  hidden: agentOptions.hidden,
  agentOptions,
  batchSize: training.batchSize,
  task: taskId,
  taskOptions,
  episodeLength: family.episodeLength,
  workers,
  updates: trainer.update - startUpdates,
  seconds: Math.round(elapsed * 100) / 100,
  envStepsPerSecond: Math.round(envSteps / elapsed),
  /** CPU milliseconds (all threads) per 1000 environment steps. */
  cpuMsPer1kSteps: Math.round(((cpu.user + cpu.system) / 1000 / envSteps) * 1000 * 100) / 100,
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  dashboard: values.dashboard,
  dashboardFramesPerSecond: Math.round((frames.count / elapsed) * 10) / 10,
  /**
   * Main-thread milliseconds per second spent drawing frames (React, layout, Ink's output), as the dashboard measures
   * it.
   */
  dashboardMsPerSecond: Math.round((frames.ms / elapsed) * 10) / 10,
  dashboardWritesPerSecond: Math.round((writes / elapsed) * 10) / 10,
};
if (values.json) console.log(JSON.stringify(result));
else
  console.log(
    `${result.agent} ${JSON.stringify(agentOptions)} on ${taskId} ${JSON.stringify(taskOptions)}, batch ` +
      `${result.batchSize}, ${workers} thread(s): ${result.envStepsPerSecond} env steps/s ` +
      `over ${result.seconds} s; peak RSS ${result.peakRssMiB} MiB` +
      (values.dashboard
        ? `; dashboard on: ${result.dashboardFramesPerSecond} frames/s, ${result.dashboardMsPerSecond} ms/s drawing`
        : ''),
  );
