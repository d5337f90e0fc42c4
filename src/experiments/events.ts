// What a run reports as it goes: the events the dashboard, the plain progress lines and a sweep's
// status subscribe to, and the control they hand back (stop at a checkpoint, pause). Every kind
// of run (meta-reinforcement learning, in-context regression, a suite's parts) emits the same
// events; what an agent's training looks like (which metrics to chart) travels in its plan.
import type { AgentResult } from '../rl/frozen-eval.ts';

/** One logged training step: the update index, the steps it has seen, and namespaced metrics (`train/…`, `perf/…`). */
export interface MetricsRecord {
  update: number;
  envSteps: number;
  [metric: string]: number;
}

/** A metric as the dashboard shows it (plain lines print it with `digits` decimals, default 2). */
export interface ShownMetric {
  label: string;
  key: string;
  digits?: number;
}

/** How an agent's training is shown: the metrics drawn as charts, those listed as numbers, and what its steps count. */
export interface TrainingDisplay {
  charts: readonly ShownMetric[];
  stats: readonly ShownMetric[];
  /** What `envSteps` counts (`env steps`, `sequences`). */
  steps: string;
  /** The unit of its rate (`steps/s`, `sequences/s`). */
  rate: string;
}

/** Meta-reinforcement learning (src/rl/a2c.ts): reward and expected regret, entropy and losses. */
export const A2C_DISPLAY: TrainingDisplay = {
  charts: [
    { label: 'reward', key: 'train/episodeReward' },
    { label: 'regret', key: 'train/expectedRegret' },
  ],
  stats: [
    { label: 'entropy', key: 'train/entropy', digits: 3 },
    { label: 'value loss', key: 'train/valueLoss' },
    { label: 'policy loss', key: 'train/policyLoss' },
    { label: 'grad norm', key: 'train/gradNorm' },
  ],
  steps: 'env steps',
  rate: 'steps/s',
};

/** In-context regression (src/icl/train.ts): the training loss and the gradient norm. */
export const ICL_DISPLAY: TrainingDisplay = {
  charts: [{ label: 'loss', key: 'train/loss', digits: 4 }],
  stats: [{ label: 'grad norm', key: 'train/gradNorm' }],
  steps: 'sequences',
  rate: 'sequences/s',
};

/** Which agents of a run are trained, for how long, and how their training is shown. */
export interface TrainingPlan {
  agent: string;
  updates: number;
  /** The global gradient-norm clip: a reported norm far above it is worth a warning. */
  gradClip: number;
  logEvery: number;
  display: TrainingDisplay;
}

/** What the dashboard shows of a run before its first update. */
export interface RunHeader {
  name: string;
  task: string;
  seed: number;
  /** Held-out episodes (or sequences) of the evaluation. */
  episodes: number;
  plan: TrainingPlan[];
}

export type RunEvent =
  | { type: 'run-start'; runDir: string; run: RunHeader; resumed: boolean }
  | { type: 'train-start'; agent: string; updates: number; fromUpdate: number }
  | { type: 'update'; agent: string; metrics: MetricsRecord; updates: number; wallSeconds: number }
  | { type: 'checkpoint'; agent: string; update: number; file: string }
  | { type: 'train-end'; agent: string; stopped: boolean }
  | { type: 'eval-start'; agent: string }
  | { type: 'eval'; agent: string; result: AgentResult }
  | { type: 'note'; message: string }
  | { type: 'warning'; message: string }
  | { type: 'run-end'; runDir: string; stopped: boolean }
  /** From a suite (src/experiments/suite.ts): the part whose run events follow. */
  | { type: 'part-start'; part: string; index: number; parts: number };

/**
 * Set by the dashboard or a signal: `stop` checkpoints and ends the run (resumable); `paused` holds training between
 * updates.
 */
export interface RunControl {
  stop: boolean;
  paused: boolean;
}

/** Lets the event loop run (the dashboard draws, Ctrl-C arrives) between long synchronous pieces of work. */
export function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
