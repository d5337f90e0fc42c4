// A run: meta-train every learned agent an experiment names, then evaluate all of them with
// frozen weights on the same held-out instances. Everything lands in the run directory:
//   config.json     the resolved spec
//   metrics.jsonl   one record per logged update ({ agent, update, envSteps, train/…, perf/… })
//   checkpoints/    <agent>.json: parameters, optimizer and generator state (atomic writes)
//   eval.json       the frozen evaluation of every agent
// A run stopped at any moment continues with `resume`: each agent restarts from its last
// checkpoint, metrics past it are dropped and replayed, and the run ends with the numbers of one
// that never stopped (episodes depend only on the seed and the update index; see rollout-train.ts).
import fs from 'node:fs';
import path from 'node:path';
import { Rng } from '../core/rng.ts';
import { UsageError } from '../core/errors.ts';
import type { Agent, EpisodeRecord, TaskFamily } from '../core/types.ts';
import { parametersToJSON } from '../nn/module.ts';
import { findTask } from '../../tasks/index.ts';
import { findAgent } from '../../agents/index.ts';
import { A2CTrainer, type UpdateMetrics } from '../rl/a2c.ts';
import { frozenEvaluation, agentResult, evaluationRng, type AgentResult } from '../rl/frozen-eval.ts';
import { evaluate, STREAMS } from '../rl/rollout.ts';
import { NetworkAgent } from '../rl/network-agent.ts';
import { isLesionable, type Lesion } from '../rl/policy.ts';
import { mainMeasureOf, measureInfo, type MeasureInfo } from '../analysis/main-measure.ts';
import { swimTrials, type SwimTrial } from '../analysis/spatial.ts';
import { ci95, pairedBootstrap, type BootstrapEstimate, type Estimate } from '../analysis/stats.ts';
import { agentKey, agentTraining, parseExperiment, type AgentSpec, type ExperimentSpec } from './spec.ts';
import {
  SHIPPED_CHECKPOINT_DIR,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  loadCheckpointParameters,
  readCheckpoint,
  trainerStateOf,
  writeCheckpoint,
  type Checkpoint,
} from './checkpoint.ts';
import { atomicWriteJson, atomicWriteText, JsonlWriter, readJsonFile, readJsonl } from './io.ts';
import { codeVersion, type RunInfo } from './run-info.ts';

/** What a run reports as it goes (the dashboard and the plain progress subscribe to these). */
export type RunEvent =
  | { type: 'run-start'; runDir: string; spec: ExperimentSpec; resumed: boolean }
  | { type: 'train-start'; agent: string; updates: number; fromUpdate: number }
  | { type: 'update'; agent: string; metrics: UpdateMetrics; updates: number; wallSeconds: number }
  | { type: 'checkpoint'; agent: string; update: number; file: string }
  | { type: 'train-end'; agent: string; stopped: boolean }
  | { type: 'eval-start'; agent: string }
  | { type: 'eval'; agent: string; result: AgentResult }
  | { type: 'warning'; message: string }
  | { type: 'run-end'; runDir: string; stopped: boolean }
  /** From a suite (src/experiments/suite.ts): the part whose run events follow. */
  | { type: 'part-start'; part: string; index: number; parts: number };

/** Set by the dashboard: `stop` checkpoints and ends the run (resumable); `paused` holds training between updates. */
export interface RunControl {
  stop: boolean;
  paused: boolean;
}

export interface RunOptions {
  /** The run directory; by default runs/<experiment>-<id>. */
  out?: string;
  /** Overrides the spec's seed. */
  seed?: number;
  onEvent?: (event: RunEvent) => void;
  control?: RunControl;
  /** Meta-train every learned agent, even those whose spec names a shipped checkpoint (`engram run --train`). */
  train?: boolean;
  /** Where shipped checkpoints live (default: the repository's checkpoints/). */
  checkpointDir?: string;
}

export interface RunResult {
  runDir: string;
  stopped: boolean;
  eval: EvalFile | null;
}

export interface EvalFile {
  experiment: string;
  seed: number;
  task: string;
  taskOptions: Record<string, unknown>;
  episodes: number;
  agents: Record<string, AgentResult>;
}

/** A run directory's time stamp: UTC, to the second (20261126-141502). */
export function timestampId(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** The checks made before anything trains: every agent (once per name) can play the task and accepts its options; comparison agents exist. */
export function checkAgents(spec: ExperimentSpec, family: TaskFamily<any>): void {
  const seen = new Set<string>();
  for (const a of spec.agents) {
    const key = agentKey(a);
    if (seen.has(key)) throw new UsageError(`experiment ${spec.name}: agent '${key}' is listed twice (give one a distinct "label")`);
    seen.add(key);
    const entry = findAgent(a.id);
    const reason = entry.cannotPlay(family);
    if (reason !== null) throw new UsageError(`experiment ${spec.name}: agent '${a.id}' cannot play ${family.id}: ${reason}`);
    // Bad agent options fail now, not after hours of training the agents listed before them.
    if (entry.createNetwork) entry.createNetwork(family, a.options, Rng.fromSeed('validate-options'));
    else entry.create(family, a.options, Rng.fromSeed('validate-options'));
  }
  for (const id of spec.evaluation.compare) findAgent(id);
}

/** Starts a new run of `spec`. */
export async function runExperiment(specIn: ExperimentSpec, options: RunOptions = {}): Promise<RunResult> {
  let spec: ExperimentSpec = options.seed === undefined ? specIn : { ...specIn, seed: options.seed };
  // With --train the run's config records that every agent was trained (so a resume trains too).
  if (options.train) spec = { ...spec, agents: spec.agents.map(({ checkpoint: _shipped, ...a }) => a) };
  const family = findTask(spec.task.id).create(spec.task.options);
  checkAgents(spec, family);
  const runDir = path.resolve(options.out ?? path.join('runs', `${spec.name}-s${spec.seed}-${timestampId()}`));
  if (fs.existsSync(path.join(runDir, 'config.json'))) {
    throw new UsageError(`${runDir} already holds a run; resume it with --resume ${runDir} or choose another --out`);
  }
  fs.mkdirSync(path.join(runDir, 'checkpoints'), { recursive: true });
  atomicWriteJson(path.join(runDir, 'config.json'), spec, 2);
  return execute(spec, family, runDir, false, options);
}

/** Continues the run in `runDir` from its checkpoints. */
export async function resumeRun(runDir: string, options: Omit<RunOptions, 'out' | 'seed'> = {}): Promise<RunResult> {
  const dir = path.resolve(runDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`no run directory at ${runDir}`);
  const spec = parseExperiment(readJsonFile(path.join(dir, 'config.json'), 'run configuration'), path.join(dir, 'config.json'));
  const family = findTask(spec.task.id).create(spec.task.options);
  checkAgents(spec, family);
  return execute(spec, family, dir, true, options);
}

export function checkpointFile(runDir: string, agentId: string): string {
  return path.join(runDir, 'checkpoints', `${agentId}.json`);
}

/**
 * The shipped checkpoint an agent of the spec is evaluated from instead of being trained: the file
 * `<checkpointDir>/<agent.checkpoint>.json`, when the spec names one and it exists (otherwise the
 * agent is trained). A shipped checkpoint of another agent, task or options is a UsageError.
 */
export function shippedCheckpoint(spec: ExperimentSpec, agent: AgentSpec, family: TaskFamily<any>, checkpointDir = SHIPPED_CHECKPOINT_DIR): string | null {
  if (agent.checkpoint === undefined) return null;
  const file = path.join(checkpointDir, `${agent.checkpoint}.json`);
  if (!fs.existsSync(file)) return null;
  const ck = readCheckpoint(file);
  const mismatch = (what: string) => new UsageError(`experiment ${spec.name}: shipped checkpoint ${file} ${what}`);
  if (ck.agent.id !== agent.id) throw mismatch(`holds agent '${ck.agent.id}', not '${agent.id}'`);
  // Resolved again with today's defaults, so an option added since the checkpoint was made (at its default) is no mismatch.
  const trainedOn = ck.task.id === family.id ? (findTask(ck.task.id).create(ck.task.options).options as Record<string, unknown>) : ck.task.options;
  if (ck.task.id !== family.id || JSON.stringify(sortKeys(trainedOn)) !== JSON.stringify(sortKeys(family.options as Record<string, unknown>))) {
    throw mismatch(`was trained on ${ck.task.id} ${JSON.stringify(ck.task.options)}, not ${family.id} ${JSON.stringify(family.options)}`);
  }
  for (const [key, value] of Object.entries(agent.options)) {
    if (JSON.stringify(ck.agent.options[key]) !== JSON.stringify(value)) throw mismatch(`has ${agent.id} option ${key} = ${JSON.stringify(ck.agent.options[key])}, the spec ${JSON.stringify(value)}`);
  }
  return file;
}

function sortKeys(record: Record<string, unknown>): [string, unknown][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

async function execute(spec: ExperimentSpec, family: TaskFamily<any>, runDir: string, resumed: boolean, options: RunOptions): Promise<RunResult> {
  const emit = options.onEvent ?? (() => {});
  const control = options.control ?? { stop: false, paused: false };
  const started = { at: new Date(), ms: performance.now() };
  emit({ type: 'run-start', runDir, spec, resumed });
  const metricsFile = path.join(runDir, 'metrics.jsonl');
  if (resumed) truncateMetrics(runDir, spec, metricsFile);
  const metrics = new JsonlWriter(metricsFile);
  try {
    for (const agentSpec of spec.agents) {
      if (!findAgent(agentSpec.id).createNetwork) continue;
      const shipped = shippedCheckpoint(spec, agentSpec, family, options.checkpointDir);
      if (shipped !== null) {
        emit({ type: 'warning', message: `${agentKey(agentSpec)}: evaluating the shipped checkpoint ${shipped} instead of training (engram run --train retrains)` });
        continue;
      }
      const stopped = await trainAgent(spec, agentSpec, family, runDir, metrics, emit, control);
      if (stopped) {
        writeRunInfo(runDir, started);
        emit({ type: 'run-end', runDir, stopped: true });
        return { runDir, stopped: true, eval: null };
      }
    }
  } finally {
    metrics.close();
  }
  const evalFile = await evaluateRun(spec, family, runDir, emit, options.checkpointDir);
  writeRunInfo(runDir, started);
  emit({ type: 'run-end', runDir, stopped: false });
  return { runDir, stopped: false, eval: evalFile };
}

/**
 * Records in run.json when the run ended, how long it took over all its invocations (a stopped
 * run's earlier time comes from its checkpoints and the previous run.json), and the code version.
 */
export function writeRunInfo(runDir: string, started: { at: Date; ms: number }, earlierSeconds?: number): RunInfo {
  const file = path.join(runDir, 'run.json');
  const previous = fs.existsSync(file) ? (readJsonFile(file, 'run information') as RunInfo) : null;
  const info: RunInfo = {
    startedAt: previous?.startedAt ?? started.at.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: Math.round(((earlierSeconds ?? previous?.wallSeconds ?? 0) + (performance.now() - started.ms) / 1000) * 10) / 10,
    gitCommit: codeVersion(),
    node: process.version,
  };
  atomicWriteJson(file, info, 2);
  return info;
}

/** Keeps, for each agent, only the metrics records its checkpoint covers. */
function truncateMetrics(runDir: string, spec: ExperimentSpec, metricsFile: string): void {
  const records = readJsonl(metricsFile);
  const keep = new Map<string, number>();
  for (const a of spec.agents) {
    const file = checkpointFile(runDir, agentKey(a));
    keep.set(agentKey(a), fs.existsSync(file) ? readCheckpoint(file).metricsRecords : 0);
  }
  const seen = new Map<string, number>();
  const kept = records.filter((r) => {
    const agent = String(r.agent);
    const n = (seen.get(agent) ?? 0) + 1;
    seen.set(agent, n);
    return n <= (keep.get(agent) ?? 0);
  });
  atomicWriteText(metricsFile, kept.map((r) => JSON.stringify(r) + '\n').join(''));
}

async function trainAgent(
  spec: ExperimentSpec,
  agentSpec: AgentSpec,
  family: TaskFamily<any>,
  runDir: string,
  metrics: JsonlWriter,
  emit: (e: RunEvent) => void,
  control: RunControl,
): Promise<boolean> {
  const entry = findAgent(agentSpec.id);
  const key = agentKey(agentSpec);
  const training = agentTraining(spec, agentSpec);
  // Each agent has its own stream, derived from the run's seed and the agent's name.
  const agentRng = Rng.fromSeed(spec.seed).fork(`agent/${key}`);
  const net = entry.createNetwork!(family, agentSpec.options, agentRng.fork('init'));
  const trainer = new A2CTrainer(family, net, training, agentRng, {
    taskId: spec.task.id,
    taskOptions: spec.task.options,
    agentId: agentSpec.id,
    agentOptions: agentSpec.options,
  });
  const file = checkpointFile(runDir, key);
  let wallSeconds = 0;
  let records = 0;
  if (fs.existsSync(file)) {
    const ck = readCheckpoint(file);
    if (ck.done) return false;
    loadCheckpointParameters(net.parameters(), ck.params, file);
    trainer.restore(trainerStateOf(ck, file));
    wallSeconds = ck.wallSeconds;
    records = ck.metricsRecords;
  }
  const save = (done: boolean) => {
    const ck: Checkpoint = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      experiment: spec.name,
      seed: spec.seed,
      task: { id: spec.task.id, options: family.options as Record<string, unknown> },
      agent: { id: agentSpec.id, options: net.options() },
      training: training as unknown as Record<string, unknown>,
      update: trainer.update,
      envSteps: trainer.envSteps,
      wallSeconds,
      done,
      metricsRecords: records,
      params: parametersToJSON(net.parameters()),
      optimizer: trainer.state().optimizer,
      rng: trainer.state().rng,
    };
    writeCheckpoint(file, ck);
    emit({ type: 'checkpoint', agent: key, update: trainer.update, file });
  };

  emit({ type: 'train-start', agent: key, updates: training.updates, fromUpdate: trainer.update });
  let stopped = false;
  try {
    while (trainer.update < training.updates) {
      if (control.stop) {
        stopped = true;
        break;
      }
      if (control.paused) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const started = performance.now();
      const m = await trainer.step();
      wallSeconds += (performance.now() - started) / 1000;
      if (!Number.isFinite(m['train/gradNorm']) || !Number.isFinite(m['train/policyLoss'])) {
        emit({ type: 'warning', message: `${key}: non-finite loss or gradient at update ${m.update}` });
      }
      if (m.update % training.logEvery === 0 || m.update === training.updates) {
        metrics.write({ agent: key, ...m, wallSeconds: round(wallSeconds, 3) });
        records++;
      }
      emit({ type: 'update', agent: key, metrics: m, updates: training.updates, wallSeconds });
      if (m.update % training.checkpointEvery === 0 && m.update < training.updates) save(false);
      // Let the event loop breathe (the dashboard renders, signals arrive) without slowing training.
      if (m.update % 4 === 0) await new Promise((r) => setImmediate(r));
    }
    save(!stopped);
  } finally {
    await trainer.close();
  }
  emit({ type: 'train-end', agent: key, stopped });
  return stopped;
}

/** Lets the event loop run (the dashboard draws, Ctrl-C arrives) between evaluations, which are synchronous. */
function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The task's headline measure of one agent (in eval.json as `mainMeasure`). */
export interface MainMeasureResult extends MeasureInfo {
  value: Estimate;
}

/** What evaluateRun writes beside eval.json, per agent: the headline measure of every held-out episode. */
export interface EpisodesFile {
  experiment: string;
  seed: number;
  task: string;
  measure: MeasureInfo;
  agents: Record<string, number[]>;
}

/** One lesion of one agent: its headline measure under the lesion, and the paired change from intact. */
export interface LesionEntry {
  /** False when the agent has no memory of that kind (then nothing was played: the lesion changes nothing). */
  applies: boolean;
  value: Estimate;
  /** Lesioned − intact, episode by episode, with a percentile bootstrap interval. */
  difference: BootstrapEstimate;
}

export interface LesionsFile {
  experiment: string;
  seed: number;
  task: string;
  measure: MeasureInfo;
  agents: Record<string, { kind: string; intact: Estimate } & Partial<Record<Exclude<Lesion, 'none'>, LesionEntry>>>;
}

/** A network agent of a run: its checkpoint (shipped or the run's own), loaded. */
function loadRunNetwork(spec: ExperimentSpec, agentSpec: AgentSpec, family: TaskFamily<any>, runDir: string, checkpointDir?: string) {
  const entry = findAgent(agentSpec.id);
  const shipped = shippedCheckpoint(spec, agentSpec, family, checkpointDir);
  const file = shipped ?? checkpointFile(runDir, agentKey(agentSpec));
  const ck = readCheckpoint(file);
  const net = entry.createNetwork!(family, ck.agent.options, Rng.fromSeed('checkpoint-load'));
  loadCheckpointParameters(net.parameters(), ck.params, file);
  return { ck, net, shipped };
}

/**
 * Frozen evaluation of every agent of the run on the same held-out instances. Writes eval.json
 * (every agent's behavioral summary), episodes.json (the headline measure of each episode, for
 * paired comparisons), paths.json on the water maze (each agent's first held-out day), and
 * lesions.json (each learning agent under every lesion of the spec, on the same instances).
 */
export async function evaluateRun(spec: ExperimentSpec, family: TaskFamily<any>, runDir: string, emit: (e: RunEvent) => void = () => {}, checkpointDir?: string): Promise<EvalFile> {
  const out: EvalFile = {
    experiment: spec.name,
    seed: spec.seed,
    task: family.id,
    taskOptions: family.options as Record<string, unknown>,
    episodes: spec.evaluation.episodes,
    agents: {},
  };
  const measure = mainMeasureOf(family);
  const episodesOut: EpisodesFile = { experiment: spec.name, seed: spec.seed, task: family.id, measure: measureInfo(measure), agents: {} };
  const paths: Record<string, SwimTrial[]> = {};
  const spatial = family.infoFields.includes('position') && family.infoFields.includes('platform');
  const keep = (key: string, records: readonly EpisodeRecord[]) => {
    episodesOut.agents[key] = Array.from(measure.perEpisode(records));
    measured = { ...measureInfo(measure), value: ci95(episodesOut.agents[key]) };
    if (spatial && records.length > 0) {
      const trials = swimTrials(records[0]);
      paths[key] = trials.filter((t) => t.day === trials[0].day);
    }
  };
  const { episodes, batchSize } = spec.evaluation;
  const named: { key: string; agentSpec: AgentSpec | undefined; id: string }[] = [
    ...spec.agents.map((a) => ({ key: agentKey(a), agentSpec: a as AgentSpec | undefined, id: a.id })),
    ...spec.evaluation.compare.filter((id) => !spec.agents.some((a) => agentKey(a) === id)).map((id) => ({ key: id, agentSpec: undefined, id })),
  ];
  let measured: MainMeasureResult | undefined;
  for (const { key, agentSpec, id } of named) {
    const entry = findAgent(id);
    if (entry.cannotPlay(family) !== null) continue;
    emit({ type: 'eval-start', agent: key });
    await breathe();
    let result: AgentResult;
    measured = undefined;
    if (entry.createNetwork && agentSpec !== undefined) {
      const { ck, net, shipped } = loadRunNetwork(spec, agentSpec, family, runDir, checkpointDir);
      const r = frozenEvaluation(family, net, { episodes, batchSize, seed: spec.seed, compare: [], onRecords: (records) => keep(key, records) });
      const { compare: _compare, ...rest } = r;
      result = { ...rest, trainedUpdates: ck.update, trainedEnvSteps: ck.envSteps, trainingSeconds: ck.wallSeconds, ...(shipped !== null ? { checkpoint: path.relative(process.cwd(), shipped) || shipped } : {}) };
    } else {
      const rng = evaluationRng(spec.seed);
      const agent = entry.create(family, agentSpec?.options ?? {}, rng.fork(STREAMS.evalAgent));
      const records = evaluate(family, agent, { episodes, batchSize, rng });
      keep(key, records);
      result = agentResult(agent, records, family);
    }
    // The headline measure first, so that eval.json and the dashboard lead with it.
    result = { ...result, mainMeasure: measured };
    out.agents[key] = result;
    emit({ type: 'eval', agent: key, result });
  }
  atomicWriteJson(path.join(runDir, 'eval.json'), out, 2);
  atomicWriteJson(path.join(runDir, 'episodes.json'), episodesOut);
  if (spatial) atomicWriteJson(path.join(runDir, 'paths.json'), paths);
  const lesions = await lesionRun(spec, family, runDir, episodesOut, emit, checkpointDir);
  atomicWriteJson(path.join(runDir, 'lesions.json'), lesions, 2);
  return out;
}

/**
 * Each learning agent of the run (learned and plastic, not classic) under every lesion of the
 * spec, on the instances and action streams of its intact evaluation: `reset-state` wipes the
 * within-episode state at every trial, `freeze-plasticity` holds plastic weights at their
 * initial values. An agent without that kind of memory is marked as such and not played.
 */
async function lesionRun(spec: ExperimentSpec, family: TaskFamily<any>, runDir: string, intact: EpisodesFile, emit: (e: RunEvent) => void, checkpointDir?: string): Promise<LesionsFile> {
  const measure = mainMeasureOf(family);
  const out: LesionsFile = { experiment: spec.name, seed: spec.seed, task: family.id, measure: measureInfo(measure), agents: {} };
  const { episodes, batchSize } = spec.evaluation;
  for (const agentSpec of spec.agents) {
    const key = agentKey(agentSpec);
    const entry = findAgent(agentSpec.id);
    const base = intact.agents[key];
    if (entry.kind === 'classic' || base === undefined) continue;
    const row: LesionsFile['agents'][string] = { kind: entry.kind, intact: ci95(base) };
    for (const lesion of spec.evaluation.lesions) {
      const rng = evaluationRng(spec.seed);
      let agent: Agent | null = null;
      if (entry.createNetwork) {
        const { net } = loadRunNetwork(spec, agentSpec, family, runDir, checkpointDir);
        if (net.lesion?.(lesion, net.initialState(1), 1) != null) agent = new NetworkAgent(family, net, entry.kind, lesion);
      } else {
        const plain = entry.create(family, agentSpec.options, rng.fork(STREAMS.evalAgent));
        if (isLesionable(plain) && plain.setLesion(lesion)) agent = plain;
      }
      if (agent === null) {
        row[lesion] = { applies: false, value: ci95(base), difference: pairedBootstrap(base, base, `${spec.seed}/${key}/${lesion}`) };
        continue;
      }
      emit({ type: 'eval-start', agent: `${key} (${lesion})` });
      await breathe();
      const values = measure.perEpisode(evaluate(family, agent, { episodes, batchSize, rng }));
      row[lesion] = { applies: true, value: ci95(values), difference: pairedBootstrap(values, base, `${spec.seed}/${key}/${lesion}`) };
    }
    out.agents[key] = row;
  }
  return out;
}
