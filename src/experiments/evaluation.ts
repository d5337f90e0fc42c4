// The frozen evaluation of a run: every agent of the spec, and the comparison agents, on the same
// held-out instances. It writes
//   eval.json      every agent's behavioral summary, led by the task's headline measure
//   episodes.json  the headline measure of every held-out episode, for paired comparisons
//   paths.json     each agent's first held-out day (water maze)
//   lesions.json   each learning agent under every lesion of the spec, on the same instances
//   trials.csv.gz, trials.parquet   every trial of all of these, one row each (trials-file.ts)
// eval.json comes last: its presence marks a finished run (sweeps, suites and the dashboard read it so).
import fs from 'node:fs';
import path from 'node:path';
import { findAgent } from '../../agents/index.ts';
import { NetworkAgent } from '../../agents/kit/network-agent.ts';
import { isLesionable, type Lesion, lesionApplies } from '../core/policy.ts';
import { Rng } from '../core/rng.ts';
import type { Agent, EpisodeRecord, TaskFamily } from '../core/types.ts';
import { type MeasureInfo, mainMeasureOf, measureInfo } from '../measures/main-measure.ts';
import { type SwimTrial, swimTrials } from '../measures/spatial.ts';
import { type BootstrapEstimate, ci95, type Estimate, pairedBootstrap } from '../measures/stats.ts';
import { type AgentResult, agentResult, evaluationRng, frozenEvaluation } from '../rl/frozen-eval.ts';
import { evaluate, STREAMS } from '../rl/rollout.ts';
import { networkFromCheckpoint, readCheckpoint, shippedCheckpoint, untrainedNetwork } from './checkpoint.ts';
import { breathe, type RunEvent } from './events.ts';
import { atomicWriteJson } from './io.ts';
import {
  Recording,
  type RecordSettings,
  type RecordTarget,
  recordSettings,
  recordTarget,
  recordUntrained,
  untrainedRng,
} from './recording.ts';
import { checkpointFile } from './run-dir.ts';
import { type AgentSpec, agentKey, type ExperimentSpec } from './spec.ts';
import type { AgentScalars } from './tensorboard.ts';
import { TrialFiles } from './trials-file.ts';

/** eval.json: every agent's frozen evaluation on the run's held-out instances. */
export interface EvalFile {
  experiment: string;
  seed: number;
  /** The held-out instances' seed, when it is not the run's (a suite's part with training seeds). */
  evaluationSeed?: number;
  task: string;
  taskOptions: Record<string, unknown>;
  episodes: number;
  agents: Record<string, AgentResult>;
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

/** The seed of a run's held-out instances and evaluation streams: the evaluation's own, or the run's. */
export function evaluationSeed(spec: ExperimentSpec): number {
  return spec.evaluation.seed ?? spec.seed;
}

/** What episodes.json and lesions.json start with: the run and the headline measure. */
function measuredOn(spec: ExperimentSpec, family: TaskFamily) {
  return { experiment: spec.name, seed: spec.seed, task: family.id, measure: measureInfo(mainMeasureOf(family)) };
}

/** A network agent of a run: its checkpoint (shipped or the run's own), loaded. */
function loadRunNetwork(
  spec: ExperimentSpec,
  agentSpec: AgentSpec,
  family: TaskFamily,
  runDir: string,
  checkpointDir?: string,
) {
  const shipped = shippedCheckpoint(spec, agentSpec, family, checkpointDir);
  const file = shipped ?? checkpointFile(runDir, agentKey(agentSpec));
  const ck = readCheckpoint(file);
  return { ck, net: networkFromCheckpoint(ck, file, family).net, shipped };
}

/**
 * Frozen evaluation of every agent of the run on the same held-out instances. Writes eval.json
 * (every agent's behavioral summary), episodes.json (the headline measure of each episode, for
 * paired comparisons), paths.json on the water maze (each agent's first held-out day),
 * lesions.json (each learning agent under every lesion of the spec, on the same instances), and
 * the trial tables of all of them.
 */
export async function evaluateRun(
  spec: ExperimentSpec,
  family: TaskFamily,
  runDir: string,
  emit: (e: RunEvent) => void = () => {},
  checkpointDir?: string,
): Promise<EvalFile> {
  const meta = { experiment: spec.name, seed: spec.seed, task: family.id, taskOptions: family.options };
  const request = spec.evaluation.record;
  let recording: Recording | undefined;
  if (request !== undefined) {
    const settings = recordSettings(path.join(runDir, RECORDING_DIR), request, spec.evaluation.episodes);
    recording = new Recording(
      settings,
      family,
      evaluationSeed(spec),
      { experiment: spec.name },
      runTargets(spec, family, settings, runDir, checkpointDir),
    );
    emit({ type: 'note', message: recording.describe() });
  }
  const trials = new TrialFiles(runDir, family, meta);
  try {
    const out = await evaluateAgents(spec, family, runDir, emit, trials, recording, checkpointDir);
    trials.close();
    recording?.close();
    atomicWriteJson(path.join(runDir, 'eval.json'), out, 2);
    return out;
  } finally {
    trials.discard();
    recording?.discard();
  }
}

/**
 * Checks a run's recording before anything is trained: its settings, the variables it names and
 * its size against the limit (a UsageError otherwise). Nothing is written. `runDir` null: a new
 * run, with no checkpoints of its own yet.
 */
export function checkRecording(
  spec: ExperimentSpec,
  family: TaskFamily,
  runDir: string | null,
  checkpointDir?: string,
): void {
  const request = spec.evaluation.record;
  if (request === undefined) return;
  const settings = recordSettings(path.join(runDir ?? '.', RECORDING_DIR), request, spec.evaluation.episodes);
  Recording.check(settings, family, runTargets(spec, family, settings, runDir, checkpointDir));
}

/** The recording directory of a run whose spec asks for one (evaluation.record). */
export const RECORDING_DIR = 'recording';

/**
 * What a run records: every agent evaluated, intact; each learning agent under each lesion of the
 * spec that applies to it; and each network's untrained twin.
 */
function runTargets(
  spec: ExperimentSpec,
  family: TaskFamily,
  settings: RecordSettings,
  runDir: string | null,
  checkpointDir?: string,
): RecordTarget[] {
  const targets: RecordTarget[] = [];
  const probeRng = () => Rng.fromSeed('record-probe');
  for (const { key, agentSpec, id } of evaluatedAgents(spec)) {
    const entry = findAgent(id);
    if (entry.cannotPlay(family) !== null) continue;
    if (entry.createNetwork && agentSpec !== undefined) {
      // The checkpoint's network where there is one yet (a shipped one may have other options than
      // the spec's), otherwise the spec's architecture: the shapes are what counts.
      const shipped = shippedCheckpoint(spec, agentSpec, family, checkpointDir);
      const file = shipped ?? (runDir !== null ? checkpointFile(runDir, key) : null);
      const net =
        file !== null && fs.existsSync(file)
          ? networkFromCheckpoint(readCheckpoint(file), file, family).net
          : entry.createNetwork(family, agentSpec.options, probeRng());
      const probe = new NetworkAgent(family, net);
      targets.push(recordTarget(settings, key, probe, 'none'));
      if (entry.kind !== 'classic')
        for (const lesion of spec.evaluation.lesions)
          if (lesionApplies(net, lesion)) targets.push(recordTarget(settings, key, probe, lesion));
      if (settings.untrained) targets.push(recordTarget(settings, key, probe, 'none', 'untrained'));
    } else {
      const options = agentSpec?.options ?? {};
      targets.push(recordTarget(settings, key, entry.create(family, options, probeRng()), 'none'));
      if (agentSpec !== undefined && entry.kind !== 'classic') {
        for (const lesion of spec.evaluation.lesions) {
          const plain = entry.create(family, options, probeRng());
          if (isLesionable(plain) && plain.setLesion(lesion)) targets.push(recordTarget(settings, key, plain, lesion));
        }
      }
    }
  }
  return targets;
}

/** The agents a run evaluates: the spec's, then the comparison agents not among them. */
function evaluatedAgents(spec: ExperimentSpec): { key: string; agentSpec: AgentSpec | undefined; id: string }[] {
  return [
    ...spec.agents.map((a) => ({ key: agentKey(a), agentSpec: a as AgentSpec | undefined, id: a.id })),
    ...spec.evaluation.compare
      .filter((id) => !spec.agents.some((a) => agentKey(a) === id))
      .map((id) => ({ key: id, agentSpec: undefined, id })),
  ];
}

/** The intact agents, then the lesions; writes everything but eval.json, and returns what goes in it. */
async function evaluateAgents(
  spec: ExperimentSpec,
  family: TaskFamily,
  runDir: string,
  emit: (e: RunEvent) => void,
  trials: TrialFiles,
  recording: Recording | undefined,
  checkpointDir?: string,
): Promise<EvalFile> {
  const out: EvalFile = {
    experiment: spec.name,
    seed: spec.seed,
    ...(spec.evaluation.seed !== undefined ? { evaluationSeed: spec.evaluation.seed } : {}),
    task: family.id,
    taskOptions: family.options,
    episodes: spec.evaluation.episodes,
    agents: {},
  };
  const measure = mainMeasureOf(family);
  const episodesOut: EpisodesFile = { ...measuredOn(spec, family), agents: {} };
  const paths: Record<string, SwimTrial[]> = {};
  const spatial = family.infoFields.includes('position') && family.infoFields.includes('platform');
  const keep = (key: string, records: readonly EpisodeRecord[]) => {
    trials.add(key, 'none', records);
    episodesOut.agents[key] = Array.from(measure.perEpisode(records));
    measured = { ...measureInfo(measure), value: ci95(episodesOut.agents[key]) };
    if (spatial && records.length > 0) {
      const trials = swimTrials(records[0]);
      paths[key] = trials.filter((t) => t.day === trials[0].day);
    }
  };
  const { episodes, batchSize } = spec.evaluation;
  const named = evaluatedAgents(spec);
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
      const r = frozenEvaluation(family, net, {
        episodes,
        batchSize,
        seed: evaluationSeed(spec),
        onRecords: (records) => keep(key, records),
        observe: recording !== undefined ? (_name, lesion, agent) => recording.observe(key, lesion, agent) : undefined,
      });
      if (recording?.settings.untrained)
        recordUntrained(recording, key, family, untrainedNetwork(ck, family, untrainedRng(spec.seed, key)), batchSize);
      const { compare: _compare, ...rest } = r;
      result = {
        ...rest,
        trainedUpdates: ck.update,
        trainedEnvSteps: ck.envSteps,
        trainingSeconds: ck.wallSeconds,
        ...(shipped !== null ? { checkpoint: path.relative(process.cwd(), shipped) || shipped } : {}),
      };
    } else {
      const rng = evaluationRng(evaluationSeed(spec));
      const agent = entry.create(family, agentSpec?.options ?? {}, rng.fork(STREAMS.evalAgent));
      const records = evaluate(family, agent, {
        episodes,
        batchSize,
        rng,
        observe: recording?.observe(key, 'none', agent),
      });
      keep(key, records);
      result = agentResult(agent, records, family);
    }
    // The headline measure first, so that eval.json and the dashboard lead with it.
    result = { ...result, mainMeasure: measured };
    out.agents[key] = result;
    emit({ type: 'eval', agent: key, result });
  }
  atomicWriteJson(path.join(runDir, 'episodes.json'), episodesOut);
  if (spatial) atomicWriteJson(path.join(runDir, 'paths.json'), paths);
  const lesions = await lesionRun(spec, family, runDir, episodesOut, emit, trials, recording, checkpointDir);
  atomicWriteJson(path.join(runDir, 'lesions.json'), lesions, 2);
  return out;
}

/** A TensorBoard tag made of a measure's name: runs of anything but letters, digits, dots and dashes become `_`. */
export function measureTag(name: string): string {
  return name.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '');
}

function isEstimate(x: unknown): x is Estimate {
  return typeof x === 'object' && x !== null && typeof (x as Estimate).mean === 'number' && 'ci95' in x;
}

/**
 * The headline measures of eval.json as TensorBoard scalars (tb/<agent>/): the task's headline
 * measure under its name (`eval/expected_regret_T_100`) and every other estimate of the agent's
 * behavioral summary (`eval/totalReward`, `eval/expectedRegret`, `eval/stayAfterWin`, …), each as
 * its mean over the held-out episodes. A trained agent's are at its last update; an agent with no
 * training (the classic comparison agents) is placed at the run's last update, so that every point
 * of a chart stands at the same step.
 */
export function evalScalars(e: EvalFile): AgentScalars[] {
  const trained = (r: AgentResult) => (typeof r.trainedUpdates === 'number' ? r.trainedUpdates : null);
  const last = Math.max(0, ...Object.values(e.agents).map((r) => trained(r) ?? 0));
  return Object.entries(e.agents).map(([agent, r]) => {
    const scalars: Record<string, number> = {};
    const main = r.mainMeasure as MainMeasureResult | undefined;
    if (main !== undefined) scalars[`eval/${measureTag(main.name)}`] = main.value.mean;
    for (const [key, value] of Object.entries(r)) if (isEstimate(value)) scalars[`eval/${key}`] = value.mean;
    for (const [tag, value] of Object.entries(scalars)) if (!Number.isFinite(value)) delete scalars[tag];
    return { agent, step: trained(r) ?? last, scalars };
  });
}

/**
 * Each learning agent of the run (learned and plastic, not classic) under every lesion of the
 * spec, on the instances and action streams of its intact evaluation: `reset-state` wipes the
 * within-episode state at every trial, `freeze-plasticity` holds plastic weights at their
 * initial values. An agent without that kind of memory is marked as such and not played.
 */
async function lesionRun(
  spec: ExperimentSpec,
  family: TaskFamily,
  runDir: string,
  intact: EpisodesFile,
  emit: (e: RunEvent) => void,
  trials: TrialFiles,
  recording: Recording | undefined,
  checkpointDir?: string,
): Promise<LesionsFile> {
  const measure = mainMeasureOf(family);
  const out: LesionsFile = { ...measuredOn(spec, family), agents: {} };
  const { episodes, batchSize } = spec.evaluation;
  for (const agentSpec of spec.agents) {
    const key = agentKey(agentSpec);
    const entry = findAgent(agentSpec.id);
    const base = intact.agents[key];
    if (entry.kind === 'classic' || base === undefined) continue;
    const row: LesionsFile['agents'][string] = { kind: entry.kind, intact: ci95(base) };
    for (const lesion of spec.evaluation.lesions) {
      const rng = evaluationRng(evaluationSeed(spec));
      let agent: Agent | null = null;
      if (entry.createNetwork) {
        const { net } = loadRunNetwork(spec, agentSpec, family, runDir, checkpointDir);
        if (lesionApplies(net, lesion)) agent = new NetworkAgent(family, net, lesion);
      } else {
        const plain = entry.create(family, agentSpec.options, rng.fork(STREAMS.evalAgent));
        if (isLesionable(plain) && plain.setLesion(lesion)) agent = plain;
      }
      if (agent === null) {
        row[lesion] = {
          applies: false,
          value: ci95(base),
          difference: pairedBootstrap(base, base, `${evaluationSeed(spec)}/${key}/${lesion}`),
        };
        continue;
      }
      emit({ type: 'eval-start', agent: `${key} (${lesion})` });
      await breathe();
      const records = evaluate(family, agent, {
        episodes,
        batchSize,
        rng,
        observe: recording?.observe(key, lesion, agent),
      });
      trials.add(key, lesion, records);
      const values = measure.perEpisode(records);
      row[lesion] = {
        applies: true,
        value: ci95(values),
        difference: pairedBootstrap(values, base, `${evaluationSeed(spec)}/${key}/${lesion}`),
      };
    }
    out.agents[key] = row;
  }
  return out;
}
