// A run's curves where researchers already look: tb/<agent>/ in the run directory holds the
// TensorBoard event files (tfevents.ts) of one agent or model, its `train/…` and `perf/…` scalars at
// every logged update and its `eval/…` headline measures at its last one. TensorBoard treats each
// subdirectory as a run of its own, so `tensorboard --logdir runs` overlays the agents of a run,
// the runs of a sweep and the parts of a suite on the same charts, next to PyTorch baselines
// (`wandb sync --sync-tensorboard` uploads them the same way).
//
// Every record is handed to the operating system as it is logged, so a run killed at any moment
// loses at most the record being written, which readers (ours and TensorBoard's) skip as torn.
// A resumed run rewrites each agent's events to hold exactly what the checkpoints cover, as
// metrics.jsonl is cut back (rewriteForResume), and then appends to that file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { atomicWriteText } from './io.ts';
import { encodeEvent, FILE_VERSION, readTfRecords, tfRecord } from './tfevents.ts';

/** TensorBoard reads every file whose name holds "tfevents"; this is TensorFlow's own convention. */
const EVENT_FILE = /^events\.out\.tfevents\.(\d+)\./;

/** The name of an event file begun at `seconds` (Unix time) on `host`: events.out.tfevents.<seconds>.<host>. */
export function eventFileName(seconds: number, host = os.hostname()): string {
  return `events.out.tfevents.${seconds}.${host}`;
}

/** The event files of one agent's directory, oldest first (by the time in their names). */
export function eventFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const seconds = (name: string) => Number(EVENT_FILE.exec(name)?.[1]);
  return fs
    .readdirSync(dir)
    .filter((name) => EVENT_FILE.test(name))
    .sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => path.join(dir, name));
}

/** The scalars of a metrics record TensorBoard shows: `train/…`, `perf/…` and any periodic `eval/…`. */
export function trainingScalars(m: Readonly<Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(m)) {
    if (!key.startsWith('train/') && !key.startsWith('perf/') && !key.startsWith('eval/')) continue;
    // metrics.jsonl stores a non-finite number as null; TensorBoard draws NaN as a gap.
    out[key] = typeof value === 'number' ? value : Number.NaN;
  }
  return out;
}

/** Scalars of one agent at one step (the evaluation's, in a run's `evalScalars`). */
export interface AgentScalars {
  agent: string;
  step: number;
  scalars: Record<string, number>;
}

const unixSeconds = () => Date.now() / 1000;

/** The event files of a run's agents under `dir` (the run's tb/), one directory per agent. */
export class ScalarLog {
  private readonly open = new Map<string, number>();
  /** The file each agent appends to in this invocation (set by a rewrite; otherwise a new file). */
  private readonly files = new Map<string, string>();

  constructor(readonly dir: string) {}

  /** Appends one Event with `scalars` at `step` to the agent's file. */
  write(agent: string, step: number, scalars: Readonly<Record<string, number>>): void {
    fs.writeSync(this.fd(agent), tfRecord(encodeEvent({ wallTime: unixSeconds(), step, scalars })));
  }

  private fd(agent: string): number {
    let fd = this.open.get(agent);
    if (fd === undefined) {
      const file = this.files.get(agent) ?? path.join(this.dir, agent, eventFileName(Math.floor(unixSeconds())));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fd = fs.openSync(file, 'a');
      if (fs.fstatSync(fd).size === 0) fs.writeSync(fd, versionRecord());
      this.open.set(agent, fd);
    }
    return fd;
  }

  /**
   * Before a resumed run trains: each agent's events become exactly its records in `kept` (the
   * metrics.jsonl records the checkpoints cover, by their `agent`), in order; the rest (records
   * logged after the last checkpoint of a killed run, a torn last record, the scalars of an
   * evaluation that will run again) go, as they go from metrics.jsonl. The events come from the
   * agent's newest event file, with the wall times they were logged at; an event the file lacks (a
   * run begun before engram wrote tb/, a deleted file) is encoded again from its metrics record, at
   * the present time.
   *
   * The events land in one new file, written atomically, named no earlier than the file it
   * replaces; the older files are then removed. Rewriting, rather than starting a file of events
   * past the checkpoint, keeps every reader right: whether TensorBoard drops the steps that come
   * back depends on its loader and its --purge_orphaned_data flag, and other readers (`wandb sync`)
   * would see them twice. A TensorBoard already watching the directory may need a reload to forget
   * what it read before the rewrite.
   */
  rewriteForResume(kept: readonly Record<string, unknown>[]): void {
    const byAgent = new Map<string, Record<string, unknown>[]>();
    for (const r of kept) {
      const agent = String(r.agent);
      if (!byAgent.has(agent)) byAgent.set(agent, []);
      byAgent.get(agent)!.push(r);
    }
    const agents = new Set(byAgent.keys());
    if (fs.existsSync(this.dir)) {
      for (const entry of fs.readdirSync(this.dir, { withFileTypes: true })) {
        if (entry.isDirectory()) agents.add(entry.name);
      }
    }
    for (const agent of agents) {
      const dir = path.join(this.dir, agent);
      const old = eventFiles(dir);
      const records = byAgent.get(agent) ?? [];
      if (records.length === 0) {
        for (const file of old) fs.rmSync(file);
        continue;
      }
      const newest = old.at(-1);
      const events = newest === undefined ? [] : readTfRecords(new Uint8Array(fs.readFileSync(newest)));
      const out: Uint8Array[] = [events[0] ?? versionRecord()];
      records.forEach((r, i) => {
        out.push(
          events[i + 1] ??
            tfRecord(encodeEvent({ wallTime: unixSeconds(), step: Number(r.update), scalars: trainingScalars(r) })),
        );
      });
      const seconds = Math.max(Math.floor(unixSeconds()), newest === undefined ? 0 : startOf(newest));
      const file = path.join(dir, eventFileName(seconds));
      // The temporary name lacks "tfevents", so that TensorBoard never reads a half-written file.
      atomicWriteText(file, Buffer.concat(out), path.join(dir, `.rewrite.${process.pid}.tmp`));
      for (const f of old) if (f !== file) fs.rmSync(f);
      this.files.set(agent, file);
    }
  }

  close(): void {
    for (const fd of this.open.values()) fs.closeSync(fd);
    this.open.clear();
  }
}

function versionRecord(): Uint8Array {
  return tfRecord(encodeEvent({ wallTime: unixSeconds(), fileVersion: FILE_VERSION }));
}

function startOf(file: string): number {
  return Number(EVENT_FILE.exec(path.basename(file))?.[1] ?? 0);
}
