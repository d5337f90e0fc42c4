// A scripted run for the dashboard tests: the events runExperiment would emit, with known values.
import type { RunEvent } from '../../src/experiments/events.ts';
import { runHeader } from '../../src/experiments/plan.ts';
import { ExperimentSchema } from '../../src/experiments/spec.ts';
import type { UpdateMetrics } from '../../src/rl/a2c.ts';
import type { AgentResult } from '../../src/rl/frozen-eval.ts';

export const spec = ExperimentSchema.parse({
  name: 'dash-test',
  seed: 3,
  task: { id: 'bandit-correlated', options: { variant: 'uniform', trials: 100 } },
  agents: [{ id: 'lstm', options: { hidden: 8 } }],
  training: { updates: 400, batchSize: 32, checkpointEvery: 100, logEvery: 10 },
  evaluation: { episodes: 500, compare: ['thompson'] },
});

export function metrics(update: number, overrides: Partial<UpdateMetrics> = {}): UpdateMetrics {
  return {
    update,
    envSteps: update * 3200,
    'train/episodeReward': 50 + update / 10,
    'train/expectedRegret': 25 - update / 20,
    'train/entropy': 0.5,
    'train/valueLoss': 1.25,
    'train/policyLoss': -0.0625,
    'train/gradNorm': 4,
    'train/entropyCoef': 0.05,
    'perf/envStepsPerSecond': 12_000,
    ...overrides,
  };
}

/** run-start, train-start, then updates 1..`upTo` at 0.1 training seconds each, and the checkpoints among them. */
export function trainingEvents(
  upTo: number,
  overrides: (u: number) => Partial<UpdateMetrics> = () => ({}),
): RunEvent[] {
  const events: RunEvent[] = [
    { type: 'run-start', runDir: '/runs/dash-test', run: runHeader(spec), resumed: false },
    { type: 'train-start', agent: 'lstm', updates: 400, fromUpdate: 0 },
  ];
  for (let u = 1; u <= upTo; u++) {
    events.push({
      type: 'update',
      agent: 'lstm',
      metrics: metrics(u, overrides(u)),
      updates: 400,
      wallSeconds: u / 10,
    });
    if (u % 100 === 0)
      events.push({ type: 'checkpoint', agent: 'lstm', update: u, file: '/runs/dash-test/checkpoints/lstm.json' });
  }
  return events;
}

const estimate = (mean: number, half: number) => ({
  mean,
  ci95: [mean - half, mean + half] as [number, number],
  sem: half / 1.96,
  n: 500,
});

export function result(agent: string, kind: string, reward: number, regret: number): AgentResult {
  return {
    agent,
    kind,
    episodes: 500,
    meanTotalReward: reward,
    totalReward: estimate(reward, 1.25),
    expectedRegret: estimate(regret, 0.5),
    pBestByTrial: [],
    expectedRegretByTrial: [],
    pBestByTrialCi95: [],
    stayAfterWin: estimate(0.9, 0.01),
    shiftAfterLose: estimate(0.25, 0.01),
  };
}

export function evaluationEvents(): RunEvent[] {
  return [
    { type: 'train-end', agent: 'lstm', stopped: false },
    { type: 'eval-start', agent: 'lstm' },
    { type: 'eval', agent: 'lstm', result: result('lstm', 'learned', 68.5, 6.25) },
    { type: 'eval-start', agent: 'thompson' },
    { type: 'eval', agent: 'thompson', result: result('thompson', 'classic', 72.43, 2.87) },
    { type: 'run-end', runDir: '/runs/dash-test', stopped: false },
  ];
}

/** The escape character that starts terminal styling sequences. */
const ESC = String.fromCharCode(27);

/** Removes styling escapes so assertions read the text. */
export function strip(frame: string | undefined): string {
  return (frame ?? '').replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Waits until the latest frame satisfies `check` (frames come on a timer, later on a loaded machine). */
export async function untilFrame(
  frame: () => string,
  check: (f: string) => boolean,
  frameMs: number,
  timeoutMs = 3000,
): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  while (!check(frame()) && performance.now() < deadline) await tick(frameMs);
  return frame();
}
