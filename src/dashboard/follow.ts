// Following a run directory written by another process (`engram dashboard <run-dir>`): turns
// config.json, the growing metrics.jsonl, the checkpoints and eval.json back into the run events
// the dashboard already understands. Polling rather than fs.watch: it behaves the same on every
// file system (network mounts, containers), and a run appends at most a few records a second.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { MetricsRecord, RunEvent, RunHeader, TrainingPlan } from '../experiments/events.ts';
import { runHeader } from '../experiments/plan.ts';
import { openRunDir } from '../experiments/run-dir.ts';
import { parseAnyExperiment } from '../experiments/spec.ts';
import type { AgentResult } from '../rl/frozen-eval.ts';

/**
 * The run in a directory, as the dashboard shows it; a missing directory, or one that holds no single run, is a
 * UsageError.
 */
export function openFollowedRun(runDir: string): { dir: string; run: RunHeader } {
  const { dir, config } = openRunDir(runDir);
  const spec = parseAnyExperiment(config, path.join(dir, 'config.json'));
  if (spec.kind === 'suite')
    throw new UsageError(`${runDir} holds a suite: follow one of its parts (${path.join(runDir, 'parts', '<part>')})`);
  return { dir, run: runHeader(spec) };
}

export class RunFollower {
  /** True once eval.json has been read: the run is over. */
  finished = false;
  private readonly plan: Map<string, TrainingPlan>;
  private readonly metricsFile: string;
  private offset = 0;
  private inode = -1;
  private partial = '';
  private started = new Set<string>();
  private ended = new Set<string>();
  private checkpointTimes = new Map<string, number>();
  private evalTime = -1;
  private begun = false;

  constructor(
    readonly dir: string,
    readonly run: RunHeader,
    private readonly emit: (event: RunEvent) => void,
  ) {
    this.plan = new Map(run.plan.map((p) => [p.agent, p]));
    this.metricsFile = path.join(dir, 'metrics.jsonl');
  }

  /** Reads whatever is new and emits it; returns whether the run has finished. */
  poll(): boolean {
    if (!this.begun) {
      this.begun = true;
      this.emit({ type: 'run-start', runDir: this.dir, run: this.run, resumed: false });
    }
    this.readMetrics();
    this.readCheckpoints();
    this.readEvaluation();
    return this.finished;
  }

  private readMetrics(): void {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.metricsFile);
    } catch {
      return; // training has not logged anything yet
    }
    if (stat.ino !== this.inode || stat.size < this.offset) {
      // A resumed run rewrites metrics.jsonl back to its checkpoints: start over from its top.
      const restarted = this.inode !== -1;
      this.inode = stat.ino;
      this.offset = 0;
      this.partial = '';
      if (restarted) {
        this.started.clear();
        this.ended.clear();
        this.checkpointTimes.clear();
        this.emit({ type: 'run-start', runDir: this.dir, run: this.run, resumed: true });
      }
    }
    if (stat.size <= this.offset) return;
    const fd = fs.openSync(this.metricsFile, 'r');
    try {
      const buffer = Buffer.alloc(stat.size - this.offset);
      const n = fs.readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += n;
      // Records are ASCII JSON, so a read never splits a character; it may split a line.
      const text = this.partial + buffer.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') this.record(line);
    } finally {
      fs.closeSync(fd);
    }
  }

  private record(line: string): void {
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.emit({ type: 'warning', message: `metrics.jsonl: skipped a line that is not JSON` });
      return;
    }
    const agent = String(r.agent);
    const update = Number(r.update);
    const updates = this.plan.get(agent)?.updates ?? update;
    if (!this.started.has(agent)) {
      this.started.add(agent);
      this.emit({ type: 'train-start', agent, updates, fromUpdate: 0 });
    }
    // JSON has no NaN: a non-finite metric was written as null.
    const metrics: Record<string, number> = {};
    const bad: string[] = [];
    for (const [key, value] of Object.entries(r)) {
      if (key === 'agent') continue;
      const x = typeof value === 'number' ? value : NaN;
      metrics[key] = x;
      if (key.startsWith('train/') && !Number.isFinite(x)) bad.push(key);
    }
    if (bad.length > 0)
      this.emit({ type: 'warning', message: `${agent}: non-finite ${bad.join(', ')} at update ${update}` });
    this.emit({
      type: 'update',
      agent,
      metrics: metrics as MetricsRecord,
      updates,
      wallSeconds: Number(r.wallSeconds) || 0,
    });
  }

  private readCheckpoints(): void {
    for (const agent of this.plan.keys()) {
      const file = path.join(this.dir, 'checkpoints', `${agent}.json`);
      let mtime: number;
      try {
        mtime = fs.statSync(file).mtimeMs;
      } catch {
        continue;
      }
      if (this.checkpointTimes.get(agent) === mtime) continue;
      this.checkpointTimes.set(agent, mtime);
      let ck: { update?: unknown; done?: unknown };
      try {
        ck = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof ck;
      } catch {
        continue; // replaced while we read it; the next poll sees the new one
      }
      this.emit({ type: 'checkpoint', agent, update: Number(ck.update), file });
      if (ck.done === true && !this.ended.has(agent)) {
        this.ended.add(agent);
        this.emit({ type: 'train-end', agent, stopped: false });
      }
    }
  }

  private readEvaluation(): void {
    const file = path.join(this.dir, 'eval.json');
    let mtime: number;
    try {
      mtime = fs.statSync(file).mtimeMs;
    } catch {
      return;
    }
    if (mtime === this.evalTime) return;
    this.evalTime = mtime;
    let evaluation: { agents?: Record<string, AgentResult> };
    try {
      evaluation = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof evaluation;
    } catch {
      this.evalTime = -1;
      return;
    }
    for (const [agent, result] of Object.entries(evaluation.agents ?? {})) this.emit({ type: 'eval', agent, result });
    if (!this.finished) this.emit({ type: 'run-end', runDir: this.dir, stopped: false });
    this.finished = true;
  }
}

export interface Following {
  /** Resolves when the run has finished (eval.json exists) or `stop` was called. */
  done: Promise<void>;
  stop(): void;
}

/** Polls `follower` every `pollMs` until the run finishes or `stop` is called. */
export function follow(follower: RunFollower, pollMs = 500): Following {
  let timer: NodeJS.Timeout | undefined;
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    resolve();
  };
  if (follower.poll()) stop();
  else
    timer = setInterval(() => {
      if (follower.poll()) stop();
    }, pollMs);
  return { done, stop };
}
