// Activity recordings (`engram eval --record DIR`, `engram baseline --record DIR`, a spec's
// `evaluation.record`): every evaluated agent's internal state after every step of the held-out
// episodes, beside what it did and the task's latent variables, for decoding and comparing
// dynamics (`engram analyze`, src/report/dynamics.ts). A recording directory holds
//   record.json          the header: task, seed, episodes, latent variables, and per recorded
//                        agent its file, rows and variables with their shapes
//   <agent>.parquet      one row per (episode, step) of the intact agent, columns below
//   <agent>.<lesion>.parquet, <agent>.untrained.parquet   under a lesion; the untrained control
// Columns: episode, step, trial, action, reward (int32, int32, int32, int32, double); reference
// (double: the probability the reference policy, the Bayes-optimal agent where it can play, gives
// the action taken, on the agent's own history); latent.<name>_<i> (double; int32 for categorical
// variables); <variable>_<i> (float32: the variable's values flattened row-major, its shape in
// record.json). Files are written batch by batch under temporary names and renamed when complete;
// record.json is written last.
import fs from 'node:fs';
import path from 'node:path';
import { type BasicType, fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { findAgent } from '../../agents/index.ts';
import { NetworkAgent } from '../../agents/kit/network-agent.ts';
import { UsageError } from '../core/errors.ts';
import { quantityIn } from '../core/options.ts';
import type { Lesion, PolicyNetwork } from '../core/policy.ts';
import { Rng } from '../core/rng.ts';
import type {
  Agent,
  AgentInput,
  EpisodeRecord,
  LatentVariable,
  RecordableVariable,
  TaskFamily,
} from '../core/types.ts';
import type { Tensor } from '../nn/tensor.ts';
import { evaluationRng } from '../rl/frozen-eval.ts';
import { type BatchObserver, type EvaluateOptions, evaluate } from '../rl/rollout.ts';
import { atomicWriteJson } from './io.ts';

export const RECORDING_FORMAT = 'engram-recording/1';
export const RECORD_HEADER = 'record.json';
/** The default size limit of a recording, in bytes (before compression). */
export const DEFAULT_RECORD_LIMIT = 2e9;
/** The agent whose choices on an agent's own history are recorded beside it, where it can play the task. */
export const DEFAULT_REFERENCE = 'bayes-optimal';

/** What to record, as a spec or the command line gives it. */
export interface RecordRequest {
  /** Record the first `episodes` held-out episodes (default: all of the evaluation's). */
  episodes?: number;
  /** Variables to record, by name (default: every variable an agent records without being asked). */
  variables?: readonly string[];
  /** Refuse a recording larger than this (bytes, or a quantity such as '500 MB'). */
  limit?: number | string;
  /** Record each network's untrained twin (same architecture, initial weights) as a control (default true). */
  untrained?: boolean;
  /** The reference policy (an agent id), or null for none (default: bayes-optimal where it can play). */
  reference?: string | null;
  /** Record only these agents, by their names in the evaluation (default: every agent). */
  agents?: readonly string[];
}

/** A recording's settings, resolved. */
export interface RecordSettings {
  dir: string;
  episodes: number;
  variables: readonly string[] | null;
  limitBytes: number;
  untrained: boolean;
  reference: string | null;
  /** The agents recorded, by name; null: every one. */
  agents: readonly string[] | null;
}

export function recordSettings(dir: string, request: RecordRequest, evaluationEpisodes: number): RecordSettings {
  const episodes = request.episodes ?? evaluationEpisodes;
  if (!Number.isInteger(episodes) || episodes < 1)
    throw new UsageError(`record: episodes must be a positive integer, got ${request.episodes}`);
  const limitBytes = quantityIn(request.limit ?? DEFAULT_RECORD_LIMIT, 'B', 'record: limit');
  if (!(limitBytes > 0)) throw new UsageError(`record: limit must be positive, got ${request.limit}`);
  if (request.reference != null) findAgent(request.reference);
  return {
    dir,
    episodes: Math.min(episodes, evaluationEpisodes),
    variables: request.variables ?? null,
    limitBytes,
    untrained: request.untrained ?? true,
    reference: request.reference === undefined ? DEFAULT_REFERENCE : request.reference,
    agents: request.agents !== undefined && request.agents.length > 0 ? [...request.agents] : null,
  };
}

/** One recorded agent in record.json. */
export interface RecordedAgent {
  /** Its name in the evaluation (the spec's label, or its id). */
  name: string;
  /** The agent's id. */
  agent: string;
  kind: string;
  lesion: Lesion;
  /** `untrained`: the network's architecture with its initial weights, a control for decoders. */
  control: 'untrained' | null;
  file: string;
  rows: number;
  episodes: number;
  variables: (RecordableVariable & { size: number })[];
  /** Whether the file has the `reference` column. */
  reference: boolean;
}

/** record.json. */
export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  task: string;
  taskOptions: Record<string, unknown>;
  seed: number;
  /** Episodes recorded (the first ones of the evaluation: the same instances for every agent). */
  episodes: number;
  episodeLength: number;
  numActions: number;
  latents: LatentVariable[];
  /** The reference policy of the `reference` column, or null. */
  reference: string | null;
  /** Where it came from: the experiment, the checkpoint or the baseline. */
  source: Record<string, unknown>;
  agents: RecordedAgent[];
}

/** One agent to record: its name, lesion, control, and the variables it records. */
export interface RecordTarget {
  name: string;
  agent: string;
  lesion: Lesion;
  control?: 'untrained';
  variables: readonly RecordableVariable[];
}

const sizeOf = (v: RecordableVariable) => v.shape.reduce((a, b) => a * b, 1);

/**
 * The variables of `available` a request selects (`all`: every one; names no agent records are refused by
 * Recording).
 */
export function selectVariables(
  available: readonly RecordableVariable[],
  names: readonly string[] | null,
): RecordableVariable[] {
  if (names === null) return available.filter((v) => !v.onRequest);
  if (names.includes('all')) return [...available];
  return available.filter((v) => names.includes(v.name));
}

/** Check that every requested variable is recorded by at least one agent (a typo would record nothing). */
function checkRequested(
  targets: readonly RecordTarget[],
  all: readonly (readonly RecordableVariable[])[],
  names: readonly string[] | null,
) {
  if (names === null) return;
  const known = new Set(all.flat().map((v) => v.name));
  for (const name of names) {
    if (name !== 'all' && !known.has(name)) {
      const list = [...known].sort().join(', ') || 'none';
      throw new UsageError(
        `record: no agent records a variable '${name}' (${targets.map((t) => t.name).join(', ')} record: ${list})`,
      );
    }
  }
}

/** File name of a recorded agent: letters, digits, dots, dashes and underscores. */
function fileName(target: Pick<RecordTarget, 'name' | 'lesion' | 'control'>): string {
  const base = target.name.replace(/[^A-Za-z0-9._-]+/g, '_');
  const suffix = target.control === 'untrained' ? '.untrained' : target.lesion !== 'none' ? `.${target.lesion}` : '';
  return `${base}${suffix}.parquet`;
}

/** Bytes a recording takes at most before compression (4 per recorded value, 8 per latent, 24 per row). */
export function recordingBytes(family: TaskFamily, episodes: number, targets: readonly RecordTarget[]): number {
  const latent = (family.latentVariables ?? []).reduce((a, v) => a + v.size, 0);
  const rowsPerAgent = episodes * family.episodeLength;
  return targets.reduce((total, t) => {
    const values = t.variables.reduce((a, v) => a + sizeOf(v), 0);
    return total + rowsPerAgent * (4 * values + 8 * latent + 24);
  }, 0);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** A column of a recording's Parquet file. */
interface Column {
  name: string;
  type: BasicType;
}

/** The Parquet file of one recorded agent, written a batch at a time. */
class AgentFile {
  rows = 0;
  episodes = 0;
  private writer: ParquetWriter | null = null;
  private columns: Column[] = [];
  readonly temp: string;

  constructor(
    readonly file: string,
    private readonly metadata: string,
  ) {
    this.temp = `${file}.${process.pid}.tmp`;
  }

  write(columns: Column[], data: ArrayLike<number>[]): void {
    if (this.writer === null) {
      this.columns = columns;
      this.writer = new ParquetWriter({
        writer: fileWriter(this.temp),
        schema: schemaFromColumnData({ columnData: columns.map((c) => ({ name: c.name, data: [], type: c.type })) }),
        kvMetadata: [{ key: 'engram', value: this.metadata }],
        createdBy: 'engram',
      });
    }
    const rows = data[0]?.length ?? 0;
    if (rows === 0) return;
    this.writer.write({
      columnData: this.columns.map((c, i) => ({ name: c.name, data: data[i] as Float64Array, type: c.type })),
      rowGroupSize: rows,
    });
    this.rows += rows;
  }

  close(columns: Column[]): void {
    if (this.writer === null)
      this.write(
        columns,
        columns.map(() => []),
      );
    (this.writer as ParquetWriter).finish();
    fs.renameSync(this.temp, this.file);
  }

  discard(): void {
    fs.rmSync(this.temp, { force: true });
  }
}

/**
 * A recording in progress: `observe` gives the observer of each evaluation batch of one agent (pass
 * it as EvaluateOptions.observe), `close` writes record.json.
 */
export class Recording {
  private readonly files = new Map<
    string,
    { target: RecordTarget; file: AgentFile; kind: string; reference: boolean }
  >();
  private closed = false;
  readonly bytes: number;
  /** What is recorded: the targets of the agents the settings name. */
  readonly targets: readonly RecordTarget[];

  constructor(
    readonly settings: RecordSettings,
    readonly family: TaskFamily,
    readonly seed: number,
    private readonly source: Record<string, unknown>,
    targets: readonly RecordTarget[],
  ) {
    this.targets = Recording.select(settings, targets);
    this.bytes = Recording.check(settings, family, targets);
    if (fs.existsSync(settings.dir) && !fs.statSync(settings.dir).isDirectory())
      throw new UsageError(`record: ${settings.dir} is not a directory`);
    if (fs.existsSync(path.join(settings.dir, 'config.json')))
      throw new UsageError(`record: ${settings.dir} holds a run (config.json): give another directory`);
    fs.mkdirSync(settings.dir, { recursive: true });
  }

  /**
   * Checks what a recording would be, before anything is played or written: every requested
   * variable recorded by some agent, and the size under the limit. Returns the size in bytes.
   */
  static check(settings: RecordSettings, family: TaskFamily, all: readonly RecordTarget[]): number {
    const targets = Recording.select(settings, all);
    checkRequested(
      targets,
      targets.map((t) => t.variables),
      settings.variables,
    );
    const bytes = recordingBytes(family, settings.episodes, targets);
    if (bytes > settings.limitBytes) {
      throw new UsageError(
        `record: ${targets.length} agent${targets.length === 1 ? '' : 's'} × ${settings.episodes} episodes would ` +
          `take up to ${formatBytes(bytes)}, over the limit of ${formatBytes(settings.limitBytes)}: record fewer ` +
          'episodes or variables, or raise the limit',
      );
    }
    return bytes;
  }

  /** The targets of the agents `settings.agents` names (every target when it names none); unknown names are refused. */
  static select(settings: RecordSettings, targets: readonly RecordTarget[]): readonly RecordTarget[] {
    if (settings.agents === null) return targets;
    const names = [...new Set(targets.map((t) => t.name))];
    for (const name of settings.agents)
      if (!names.includes(name))
        throw new UsageError(`record: no agent named '${name}' is evaluated (agents: ${names.join(', ') || 'none'})`);
    return targets.filter((t) => settings.agents!.includes(t.name));
  }

  /** The line a command prints before it plays: what is recorded, where, and how large it may get. */
  describe(): string {
    return (
      `recording ${this.targets.length} agent${this.targets.length === 1 ? '' : 's'} × ` +
      `${this.settings.episodes} episodes into ${this.settings.dir}: ` +
      `at most ${formatBytes(this.bytes)} before compression (limit ${formatBytes(this.settings.limitBytes)})`
    );
  }

  /** The target recorded under this name, lesion and control, if any. */
  private target(name: string, lesion: Lesion, control?: 'untrained'): RecordTarget | undefined {
    return this.targets.find((t) => t.name === name && t.lesion === lesion && t.control === control);
  }

  /**
   * The observers of `agent`'s evaluation batches, for EvaluateOptions.observe; undefined when that
   * agent and lesion are not recorded.
   */
  observe(name: string, lesion: Lesion, agent: Agent, control?: 'untrained'): EvaluateOptions['observe'] {
    if (this.closed) throw new Error('Recording.observe after close');
    const target = this.target(name, lesion, control);
    if (target === undefined) return undefined;
    const key = fileName(target);
    let entry = this.files.get(key);
    const reference = this.referenceAgent(control);
    if (entry === undefined) {
      const meta = JSON.stringify({
        task: this.family.id,
        seed: this.seed,
        agent: name,
        lesion,
        control: control ?? null,
      });
      entry = {
        target,
        file: new AgentFile(path.join(this.settings.dir, key), meta),
        kind: agent.kind,
        reference: reference !== null,
      };
      this.files.set(key, entry);
    }
    const { file } = entry;
    const cap = this.settings.episodes;
    return (first, count) =>
      first >= cap
        ? undefined
        : new BatchRecorder(this.family, agent, target.variables, reference, first, count, cap, file);
  }

  /** A fresh reference agent for a batch's factory (one per recorded agent), or null. */
  private referenceAgent(control?: 'untrained'): (() => Agent) | null {
    const id = this.settings.reference;
    if (id === null || control === 'untrained') return null;
    const entry = findAgent(id);
    if (entry.cannotPlay(this.family) !== null || entry.createNetwork) return null;
    return () => entry.create(this.family, {}, Rng.fromSeed(`reference/${this.seed}`));
  }

  /** Finishes every file and writes record.json. */
  close(): RecordingHeader {
    const agents: RecordedAgent[] = [];
    for (const [key, { target, file, kind, reference }] of this.files) {
      file.close(columnsOf(this.family, target.variables, reference));
      agents.push({
        name: target.name,
        agent: target.agent,
        kind,
        lesion: target.lesion,
        control: target.control ?? null,
        file: key,
        rows: file.rows,
        episodes: Math.min(this.settings.episodes, file.episodes),
        variables: target.variables.map((v) => ({ ...v, size: sizeOf(v) })),
        reference,
      });
    }
    const header: RecordingHeader = {
      format: RECORDING_FORMAT,
      task: this.family.id,
      taskOptions: this.family.options as Record<string, unknown>,
      seed: this.seed,
      episodes: this.settings.episodes,
      episodeLength: this.family.episodeLength,
      numActions: this.family.numActions,
      latents: [...(this.family.latentVariables ?? [])],
      reference: agents.some((a) => a.reference) ? this.settings.reference : null,
      source: this.source,
      agents,
    };
    atomicWriteJson(path.join(this.settings.dir, RECORD_HEADER), header, 2);
    this.closed = true;
    return header;
  }

  /** After a failure: the temporary files go; a complete recording of an earlier run stays. */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { file } of this.files.values()) file.discard();
  }
}

/** The columns of a recorded agent's file. */
function columnsOf(family: TaskFamily, variables: readonly RecordableVariable[], reference: boolean): Column[] {
  const columns: Column[] = [
    { name: 'episode', type: 'INT32' },
    { name: 'step', type: 'INT32' },
    { name: 'trial', type: 'INT32' },
    { name: 'action', type: 'INT32' },
    { name: 'reward', type: 'DOUBLE' },
  ];
  if (reference) columns.push({ name: 'reference', type: 'DOUBLE' });
  for (const v of family.latentVariables ?? [])
    for (let i = 0; i < v.size; i++)
      columns.push({ name: `latent.${v.name}_${i}`, type: v.kind === 'categorical' ? 'INT32' : 'DOUBLE' });
  for (const v of variables)
    for (let i = 0; i < sizeOf(v); i++) columns.push({ name: `${v.name}_${i}`, type: 'FLOAT' });
  return columns;
}

/** Records one batch of one agent: its variables after each act, the reference's probabilities, then the rows. */
class BatchRecorder implements BatchObserver {
  /** Per batch element, per step: each variable's values. */
  private readonly values: Float32Array[][][];
  private readonly referenceP: number[][];
  private readonly reference: Agent | null;
  private referenceProbs: Float64Array | null = null;
  private readonly numActions: number;

  constructor(
    private readonly family: TaskFamily,
    private readonly agent: Agent,
    private readonly variables: readonly RecordableVariable[],
    makeReference: (() => Agent) | null,
    private readonly first: number,
    private readonly count: number,
    private readonly cap: number,
    private readonly file: AgentFile,
  ) {
    this.values = Array.from({ length: count }, () => variables.map(() => []));
    this.referenceP = Array.from({ length: count }, () => []);
    this.reference = makeReference?.() ?? null;
    this.reference?.begin(count);
    this.numActions = family.numActions;
  }

  afterAct(_step: number, input: AgentInput, _probs: Float64Array): void {
    this.variables.forEach((v, j) => {
      const size = sizeOf(v);
      const all = this.agent.readRecordable?.(v.name);
      if (all === undefined || all.length !== this.count * size)
        throw new Error(
          `${this.agent.id}: variable '${v.name}' gave ${all?.length} values, expected ${this.count} × ${size}`,
        );
      for (let b = 0; b < this.count; b++)
        this.values[b][j].push(Float32Array.from(all.subarray(b * size, (b + 1) * size)));
    });
    this.referenceProbs = this.reference !== null ? Float64Array.from(this.reference.act(input).probs) : null;
  }

  afterStep(_step: number, actions: Int32Array, active: Uint8Array): void {
    if (this.referenceProbs === null) return;
    for (let b = 0; b < this.count; b++)
      if (active[b]) this.referenceP[b].push(this.referenceProbs[b * this.numActions + actions[b]]);
  }

  end(records: readonly EpisodeRecord[]): void {
    const kept = Math.min(this.count, this.cap - this.first);
    let rows = 0;
    for (let b = 0; b < kept; b++) rows += records[b].actions.length;
    const columns = columnsOf(this.family, this.variables, this.reference !== null);
    const data: (Int32Array | Float64Array | Float32Array)[] = columns.map((c) =>
      c.type === 'INT32' ? new Int32Array(rows) : c.type === 'FLOAT' ? new Float32Array(rows) : new Float64Array(rows),
    );
    let row = 0;
    for (let b = 0; b < kept; b++) {
      const record = records[b];
      const steps = record.actions.length;
      const latents = this.family.latents?.(record) ?? {};
      for (let t = 0; t < steps; t++, row++) {
        let c = 0;
        data[c++][row] = this.first + b;
        data[c++][row] = t;
        data[c++][row] = record.infos[t].trial;
        data[c++][row] = record.actions[t];
        data[c++][row] = record.rewards[t];
        if (this.reference !== null) data[c++][row] = this.referenceP[b][t];
        for (const v of this.family.latentVariables ?? []) {
          const values = latents[v.name];
          for (let i = 0; i < v.size; i++) data[c++][row] = values !== undefined ? values[t * v.size + i] : Number.NaN;
        }
        this.variables.forEach((_v, j) => {
          const step = this.values[b][j][t];
          for (let i = 0; i < step.length; i++) data[c++][row] = step[i];
        });
      }
    }
    this.file.write(columns, data);
    this.file.episodes += kept;
  }
}

/** What `name` records when it plays as `agent` (its variables, as the settings select them). */
export function recordTarget(
  settings: RecordSettings,
  name: string,
  agent: Agent,
  lesion: Lesion,
  control?: 'untrained',
): RecordTarget {
  return {
    name,
    agent: agent.id,
    lesion,
    ...(control !== undefined ? { control } : {}),
    variables: selectVariables(agent.recordable?.() ?? [], settings.variables),
  };
}

/** The stream an untrained twin's initial weights come from (not the one its trained network started from). */
export function untrainedRng(seed: number, name: string): Rng {
  return Rng.fromSeed(`untrained/${seed}/${name}`);
}

/**
 * Plays a network's untrained twin (`net`: the same architecture, initial weights) on the recorded
 * episodes of the evaluation's seed, and records it as the `untrained` control of `name`.
 */
export function recordUntrained(
  recording: Recording,
  name: string,
  family: TaskFamily,
  net: PolicyNetwork<unknown, Tensor>,
  batchSize: number,
): void {
  const agent = new NetworkAgent(family, net);
  const observe = recording.observe(name, 'none', agent, 'untrained');
  if (observe === undefined) return; // not among the recorded agents
  evaluate(family, agent, {
    episodes: recording.settings.episodes,
    batchSize,
    rng: evaluationRng(recording.seed),
    observe,
  });
}

/**
 * Runs `play` with a recording open, if asked for (settings not undefined): `targets` says what is
 * recorded, `note` receives the size estimate before anything is played, and the recording is
 * completed when `play` returns (discarded if it throws).
 */
export function withRecording<R>(
  settings: RecordSettings | undefined,
  family: TaskFamily,
  seed: number,
  source: Record<string, unknown>,
  targets: () => RecordTarget[],
  note: (line: string) => void,
  play: (recording: Recording | undefined) => R,
): R {
  if (settings === undefined) return play(undefined);
  const recording = new Recording(settings, family, seed, source, targets());
  note(recording.describe());
  try {
    const result = play(recording);
    recording.close();
    return result;
  } finally {
    recording.discard();
  }
}
