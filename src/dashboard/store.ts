// The dashboard's state, built from run events. Events arrive as fast as training makes them
// (one per update); the store only accumulates them and bumps `version`, and the view redraws
// on its own timer when the version moved. So training never waits on rendering, and a burst of
// events (replaying a finished run's metrics.jsonl) costs one frame, not thousands.
import {
  A2C_DISPLAY,
  type MetricsRecord,
  type RunEvent,
  type RunHeader,
  type ShownMetric,
  type TrainingDisplay,
} from '../experiments/events.ts';
import { formatEstimate } from '../measures/stats.ts';
import type { AgentResult } from '../rl/frozen-eval.ts';
import { History } from './history.ts';

export type AgentStatus = 'waiting' | 'training' | 'done' | 'stopped';

/** A charted metric of one agent: its history and its bias-corrected moving average. */
export interface ChartSeries extends ShownMetric {
  history: History;
  smoothed: number;
}

export interface AgentProgress {
  agent: string;
  status: AgentStatus;
  /** Updates this agent trains for. */
  updates: number;
  /** The latest update reported. */
  update: number;
  envSteps: number;
  /** Training seconds so far (across resumes; pauses excluded). */
  wallSeconds: number;
  /** Seconds to the last update, from the rate since the first update this dashboard saw. */
  etaSeconds: number;
  /** Smoothed steps (environment steps, sequences) per second. */
  stepsPerSecond: number;
  latest: MetricsRecord | null;
  /** Which metrics are charted and listed, and what the steps count. */
  display: TrainingDisplay;
  charts: ChartSeries[];
  lastCheckpoint: number | null;
  /** The first update this dashboard saw (the charts start there). */
  firstUpdate: number | null;
  gradClip: number;
}

export interface LogEntry {
  level: 'info' | 'warn';
  text: string;
  /** How many consecutive entries this one stands for (repeats differing only in numbers collapse). */
  repeat: number;
}

export interface EvalRow {
  agent: string;
  /** Trained in this run and evaluated with frozen weights (as opposed to a classic comparison agent). */
  frozen: boolean;
  result: AgentResult;
}

export type Phase = 'starting' | 'training' | 'evaluating' | 'done' | 'stopped';

export interface StoreOptions {
  /** Log entries kept (the pane shows the newest that fit). */
  logCapacity?: number;
  /** History points kept per chart. */
  historyCapacity?: number;
}

/** Exponential moving average weight of the newest value (about the last 20 updates). */
const SMOOTHING = 0.05;
/** Gradient norms kept for the running median. */
const NORM_WINDOW = 101;
/** Norms needed before the median is trusted. */
const NORM_WARMUP = 20;
/** A norm this many times its running median counts as exploding. */
const NORM_FACTOR = 10;
/** A norm past the clip and this many times its running median counts as a spike. */
const SPIKE_FACTOR = 3;

interface AgentInternals {
  /** Moving sums of the charted metrics (in chart order) and their weight. */
  ema: number[];
  emaWeight: number;
  rateSteps: number;
  rateSeconds: number;
  anchor: { update: number; wallSeconds: number } | null;
  norms: number[];
}

export class DashboardStore {
  /** Bumped by every change; the view redraws when it differs from the last frame's. */
  version = 0;
  run: RunHeader | null = null;
  /** In a suite, the part being run (kept across the parts' run-start resets). */
  part: { name: string; index: number; parts: number } | null = null;
  runDir = '';
  resumed = false;
  phase: Phase = 'starting';
  agents: AgentProgress[] = [];
  log: LogEntry[] = [];
  evaluating: string | null = null;
  evaluation: EvalRow[] = [];
  private internals = new Map<string, AgentInternals>();
  private readonly logCapacity: number;
  private readonly historyCapacity: number;

  constructor(options: StoreOptions = {}) {
    this.logCapacity = options.logCapacity ?? 200;
    this.historyCapacity = options.historyCapacity ?? 1024;
  }

  /** The run-event listener (bound, so it can be handed to runExperiment as is). */
  readonly handle = (event: RunEvent): void => {
    this.version++;
    switch (event.type) {
      case 'run-start':
        this.reset();
        this.run = event.run;
        this.runDir = event.runDir;
        this.resumed = event.resumed;
        for (const p of event.run.plan) this.agent(p.agent, p.updates, p.gradClip, p.display);
        this.note(
          `${event.resumed ? 'resumed' : 'started'} ${event.run.name} (seed ${event.run.seed}) in ${event.runDir}`,
        );
        break;
      case 'train-start': {
        const a = this.agent(event.agent, event.updates);
        a.status = 'training';
        a.updates = event.updates;
        a.update = Math.max(a.update, event.fromUpdate);
        this.phase = 'training';
        this.note(
          `${event.agent}: training for ${event.updates} ` +
            `updates${event.fromUpdate > 0 ? ` from update ${event.fromUpdate}` : ''}`,
        );
        break;
      }
      case 'update':
        this.update(event.agent, event.metrics, event.updates, event.wallSeconds);
        break;
      case 'checkpoint': {
        const a = this.agent(event.agent);
        a.lastCheckpoint = event.update;
        this.note(`checkpoint written: ${event.agent} at update ${event.update}`);
        break;
      }
      case 'train-end': {
        const a = this.agent(event.agent);
        a.status = event.stopped ? 'stopped' : 'done';
        if (!event.stopped) a.etaSeconds = 0;
        this.note(
          `${event.agent}: ${event.stopped ? 'stopped at a checkpoint' : 'training done'} (update ${a.update})`,
        );
        break;
      }
      case 'eval-start':
        this.phase = 'evaluating';
        this.evaluating = event.agent;
        break;
      case 'eval': {
        // A network evaluated with frozen weights carries the hash of its parameters (trained here or shipped).
        const frozen =
          typeof event.result.paramsHashBefore === 'string' || this.agents.some((a) => a.agent === event.agent);
        const row: EvalRow = { agent: event.agent, frozen, result: event.result };
        const i = this.evaluation.findIndex((r) => r.agent === event.agent);
        if (i >= 0) this.evaluation[i] = row;
        else this.evaluation.push(row);
        if (this.evaluating === event.agent) this.evaluating = null;
        const headline = event.result.mainMeasure as
          | { name: string; unit: string; value: { mean: number; ci95: [number, number] } }
          | undefined;
        const shown = headline ?? { name: 'expected regret', unit: '', value: event.result.expectedRegret };
        const value = formatEstimate(shown.value);
        const ci = value !== '–' ? `, ${shown.name} ${value}${shown.unit ? ` ${shown.unit}` : ''}` : '';
        this.note(`evaluation done: ${event.agent}${frozen ? ' (frozen)' : ''}${ci}`);
        break;
      }
      case 'note':
        this.note(event.message);
        break;
      case 'warning':
        this.note(event.message, 'warn');
        break;
      case 'part-start':
        this.part = { name: event.part, index: event.index, parts: event.parts };
        break;
      case 'run-end':
        this.runDir = event.runDir;
        this.phase = event.stopped ? 'stopped' : 'done';
        this.evaluating = null;
        this.note(
          event.stopped
            ? `stopped; continue with: npx engram run --resume ${event.runDir}`
            : `run finished: ${event.runDir}`,
        );
        break;
    }
  };

  /** Adds a line to the log pane (the app uses it for what the keys did). */
  note(text: string, level: LogEntry['level'] = 'info'): void {
    this.version++;
    const last = this.log[this.log.length - 1];
    if (last && last.level === level && numberless(last.text) === numberless(text)) {
      last.text = text;
      last.repeat++;
      return;
    }
    this.log.push({ level, text, repeat: 1 });
    if (this.log.length > this.logCapacity) this.log.splice(0, this.log.length - this.logCapacity);
  }

  private reset(): void {
    this.agents = [];
    this.internals.clear();
    this.evaluation = [];
    this.evaluating = null;
    this.phase = 'starting';
  }

  private agent(
    id: string,
    updates = 0,
    gradClip = Number.POSITIVE_INFINITY,
    display: TrainingDisplay = A2C_DISPLAY,
  ): AgentProgress {
    let a = this.agents.find((x) => x.agent === id);
    if (a) return a;
    a = {
      agent: id,
      status: 'waiting',
      updates,
      update: 0,
      envSteps: 0,
      wallSeconds: 0,
      etaSeconds: Number.NaN,
      stepsPerSecond: Number.NaN,
      latest: null,
      display,
      charts: display.charts.map((c) => ({ ...c, history: new History(this.historyCapacity), smoothed: Number.NaN })),
      lastCheckpoint: null,
      firstUpdate: null,
      gradClip,
    };
    this.agents.push(a);
    this.internals.set(id, {
      ema: display.charts.map(() => 0),
      emaWeight: 0,
      rateSteps: 0,
      rateSeconds: 0,
      anchor: null,
      norms: [],
    });
    return a;
  }

  private update(id: string, m: MetricsRecord, updates: number, wallSeconds: number): void {
    const a = this.agent(id, updates);
    const s = this.internals.get(id)!;
    if (a.status === 'waiting') a.status = 'training';
    this.phase = 'training';
    a.updates = updates;
    a.update = m.update;
    a.latest = m;
    a.firstUpdate ??= m.update;
    // Bias-corrected moving averages (as in Adam), so the first updates are not pulled to zero.
    const keep = 1 - SMOOTHING;
    s.emaWeight = keep * s.emaWeight + SMOOTHING;
    a.charts.forEach((c, i) => {
      const x = m[c.key];
      c.history.push(x);
      if (Number.isFinite(x)) s.ema[i] = keep * s.ema[i] + SMOOTHING * x;
      c.smoothed = s.ema[i] / s.emaWeight;
    });
    // Steps per second as a ratio of decayed sums of steps and seconds: an average of per-update
    // rates would overweight the fast updates when the machine is busy.
    const steps = m.envSteps - a.envSteps;
    const seconds = wallSeconds - a.wallSeconds;
    if (s.anchor !== null && steps > 0 && seconds > 0) {
      s.rateSteps = 0.8 * s.rateSteps + steps;
      s.rateSeconds = 0.8 * s.rateSeconds + seconds;
      a.stepsPerSecond = s.rateSteps / s.rateSeconds;
    } else if (!Number.isFinite(a.stepsPerSecond)) {
      a.stepsPerSecond = m['perf/envStepsPerSecond'] ?? Number.NaN;
    }
    a.envSteps = m.envSteps;
    a.wallSeconds = wallSeconds;
    // ETA from the rate since the first update seen, in the run's training seconds (pauses do not
    // count), which works the same for a run followed from its metrics.jsonl.
    if (s.anchor === null || m.update < s.anchor.update) s.anchor = { update: m.update, wallSeconds };
    const doneSince = m.update - s.anchor.update;
    const secondsSince = wallSeconds - s.anchor.wallSeconds;
    if (doneSince > 0 && secondsSince > 0) a.etaSeconds = ((updates - m.update) * secondsSince) / doneSince;
    if (m.update >= updates) a.etaSeconds = 0;
    this.watchGradNorm(a, s, m);
  }

  /**
   * Warns when the gradient norm explodes: far above its running median, or a spike past the clip
   * value. Norms sitting at the clip for a stretch (common early in meta-training) are not news.
   */
  private watchGradNorm(a: AgentProgress, s: AgentInternals, m: MetricsRecord): void {
    const g = m['train/gradNorm'];
    if (!Number.isFinite(g)) return; // run.ts (and follow.ts) already report non-finite values
    const median = s.norms.length >= NORM_WARMUP ? medianOf(s.norms) : NaN;
    s.norms.push(g);
    if (s.norms.length > NORM_WINDOW) s.norms.shift();
    // A jump from a tiny norm (a model whose learning takes off) is not an explosion: the norm must
    // also be within a factor NORM_FACTOR of the clip.
    if (median > 0 && g > NORM_FACTOR * median && g > a.gradClip / NORM_FACTOR) {
      this.note(
        `${a.agent}: exploding gradient norm ${short(g)} at update ${m.update} (${Math.round(g / median)}× ` +
          `its running median ${short(median)}; clip ${a.gradClip})`,
        'warn',
      );
    } else if (g > a.gradClip && (Number.isNaN(median) ? g > NORM_FACTOR * a.gradClip : g > SPIKE_FACTOR * median)) {
      this.note(
        `${a.agent}: gradient norm ${short(g)} at update ${m.update} is above the clip ${a.gradClip} ` +
          `(${Number.isNaN(median) ? 'early' : `running median ${short(median)}`})`,
        'warn',
      );
    }
  }
}

function medianOf(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function short(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

/** A log line with its numbers (not the digits of names such as attn-2) blanked, to recognise repeats. */
function numberless(text: string): string {
  return text.replace(/(?<![\w-])-?\d+(\.\d+)?(e[-+]?\d+)?/gi, '#');
}
