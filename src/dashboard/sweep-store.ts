// The state of a sweep for its dashboard and plain progress, built from sweep events: one row per
// run (its state, how far its agents have trained, its latest training numbers, then its
// evaluation headline) and the sweep's overall progress and ETA. Like the run dashboard's store,
// it only accumulates events and bumps `version`; views draw on their own timers.
import type { RunEvent } from '../experiments/events.ts';
import { runHeader } from '../experiments/plan.ts';
import type { Headline, SweepEvent } from '../experiments/sweep.ts';
import type { RunState } from '../experiments/sweep-dir.ts';
import type { Shard } from '../experiments/sweep-spec.ts';
import { fixed } from './format.ts';

interface AgentSteps {
  agent: string;
  updates: number;
  /** The latest update reported (0 until the agent's training starts). */
  update: number;
  /** The update where this process first saw it, to measure the sweep's rate. */
  seen: number | null;
}

export interface SweepRow {
  id: string;
  index: number;
  state: RunState;
  agents: AgentSteps[];
  stepsPerSecond: number;
  latestReward: number;
  latestRegret: number;
  /** The latest training loss, of a model of an in-context experiment (NaN for a meta-RL run). */
  latestLoss: number;
  headline: Headline | null;
  error: string | null;
}

/** `warn`: a run's warning; `error`: a run that failed. */
export type LogLevel = 'info' | 'warn' | 'error';

export type SweepPhase = 'starting' | 'running' | 'done' | 'stopped';

export interface SweepProgress {
  /** Updates done over updates in all, over every run of this directory. */
  fraction: number;
  done: number;
  running: number;
  queued: number;
  failed: number;
  /** Seconds since the sweep started in this process. */
  elapsedSeconds: number;
  /** Seconds to the last update, from the rate since the sweep started; NaN until there is one. */
  etaSeconds: number;
}

export class SweepStore {
  version = 0;
  name = '';
  out = '';
  workers = 0;
  shard: Shard | null = null;
  /** The runs are in-context experiments (models, a sweep report) rather than meta-RL ones (agents, engram compare). */
  inContext = false;
  phase: SweepPhase = 'starting';
  rows: SweepRow[] = [];
  log: { level: LogLevel; text: string }[] = [];
  /** Notes logged so far (the log keeps only the newest). */
  notes = 0;
  private startedAt = NaN;
  private byId = new Map<string, SweepRow>();

  /** `now` (milliseconds) is injectable so tests can drive the clock. */
  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly logCapacity = 200,
  ) {}

  /** The sweep-event listener (bound, so it can be handed to runSweep as is). */
  readonly handle = (event: SweepEvent): void => {
    this.version++;
    switch (event.type) {
      case 'sweep-start':
        this.name = event.name;
        this.out = event.out;
        this.workers = event.workers;
        this.shard = event.shard;
        this.phase = 'running';
        this.startedAt = this.now();
        this.inContext = event.runs.some((r) => r.spec.kind === 'icl-sequence' || r.spec.kind === 'icl-regression');
        this.rows = event.runs.map((r) => {
          const agents = runHeader(r.spec).plan.map((p) => ({
            agent: p.agent,
            updates: p.updates,
            update: r.state === 'done' ? p.updates : 0,
            seen: null,
          }));
          return {
            id: r.id,
            index: r.index,
            state: r.state,
            agents,
            stepsPerSecond: NaN,
            latestReward: NaN,
            latestRegret: NaN,
            latestLoss: NaN,
            headline: r.headline,
            error: null,
          };
        });
        this.byId = new Map(this.rows.map((r) => [r.id, r]));
        break;
      case 'run-event':
        this.runEvent(event.id, event.event);
        break;
      case 'run-end': {
        const row = this.row(event.id);
        if (row === undefined) break;
        row.state = event.state;
        row.headline = event.headline;
        row.error = event.error ?? null;
        if (event.state === 'done') {
          for (const a of row.agents) a.update = a.updates;
          this.note(`${row.id}: done${row.headline ? `, ${headlineText(row.headline)}` : ''}`);
        } else if (event.state === 'failed') this.note(`${row.id}: failed: ${row.error}`, 'error');
        else if (event.state === 'stopped') this.note(`${row.id}: stopped at a checkpoint`);
        break;
      }
      case 'sweep-end':
        this.phase = event.stopped ? 'stopped' : 'done';
        break;
    }
  };

  private runEvent(id: string, e: RunEvent): void {
    const row = this.row(id);
    if (row === undefined) return;
    switch (e.type) {
      case 'run-start':
        row.state = 'training';
        this.note(`${id}: ${e.resumed ? 'resumed' : 'started'}`);
        break;
      case 'train-start': {
        // Agents before this one in the plan have finished training (a resumed run skips them silently).
        const i = row.agents.findIndex((a) => a.agent === e.agent);
        for (let j = 0; j < i; j++) row.agents[j].update = row.agents[j].updates;
        if (i >= 0) {
          row.agents[i].update = e.fromUpdate;
          row.agents[i].seen = e.fromUpdate;
        }
        break;
      }
      case 'update': {
        const a = row.agents.find((x) => x.agent === e.agent);
        if (a === undefined) break;
        a.update = e.metrics.update;
        a.seen ??= e.metrics.update - 1;
        row.stepsPerSecond = e.metrics['perf/envStepsPerSecond'] ?? e.metrics['perf/sequencesPerSecond'];
        row.latestReward = e.metrics['train/episodeReward'];
        row.latestRegret = e.metrics['train/expectedRegret'];
        row.latestLoss = e.metrics['train/loss'] ?? NaN;
        break;
      }
      case 'eval-start':
        row.state = 'evaluating';
        for (const a of row.agents) a.update = a.updates;
        break;
      case 'warning':
        this.note(`${id}: ${e.message}`, 'warn');
        break;
      default:
        break;
    }
  }

  /** Adds a line to the log pane. */
  note(text: string, level: LogLevel = 'info'): void {
    this.version++;
    this.notes++;
    this.log.push({ level, text });
    if (this.log.length > this.logCapacity) this.log.splice(0, this.log.length - this.logCapacity);
  }

  progress(): SweepProgress {
    let all = 0;
    let doneUpdates = 0;
    let sessionUpdates = 0;
    const count = { done: 0, running: 0, queued: 0, failed: 0 };
    for (const r of this.rows) {
      for (const a of r.agents) {
        all += a.updates;
        doneUpdates += a.update;
        if (a.seen !== null) sessionUpdates += a.update - a.seen;
      }
      if (r.state === 'done') count.done++;
      else if (r.state === 'failed') count.failed++;
      else if (r.state === 'training' || r.state === 'evaluating') count.running++;
      else count.queued++;
    }
    const elapsedSeconds = Number.isFinite(this.startedAt) ? (this.now() - this.startedAt) / 1000 : 0;
    // Failed runs will not train further; their remaining updates are not waited for.
    const failedLeft = this.rows
      .filter((r) => r.state === 'failed')
      .reduce((n, r) => n + r.agents.reduce((m, a) => m + a.updates - a.update, 0), 0);
    const remaining = all - doneUpdates - failedLeft;
    const rate = sessionUpdates / elapsedSeconds;
    const etaSeconds = remaining <= 0 ? 0 : rate > 0 ? remaining / rate : NaN;
    return {
      fraction: all > 0 ? doneUpdates / all : this.rows.length > 0 ? count.done / this.rows.length : 0,
      ...count,
      elapsedSeconds,
      etaSeconds,
    };
  }

  private row(id: string): SweepRow | undefined {
    return this.byId.get(id);
  }
}

/** `lstm expected regret (T = 100) 1.47`. */
function headlineText(h: Headline): string {
  return `${h.agent} ${h.measure} ${fixed(h.value, 3)}`;
}

/** A row's training fraction (1 when it has no agent to train and is done). */
export function rowFraction(row: SweepRow): number {
  const all = row.agents.reduce((n, a) => n + a.updates, 0);
  if (all === 0) return row.state === 'done' ? 1 : 0;
  return row.agents.reduce((n, a) => n + a.update, 0) / all;
}
