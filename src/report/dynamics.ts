// What a recording says about the agents' insides (`engram analyze <record-dir>`, and the Dynamics
// section of a report whose run recorded): for every recorded agent, how well the task's latent
// variables decode from each kind of memory it has (activity, synapses, readout), against a decoder
// of shuffled targets and the same architecture with untrained weights; the principal components
// of its activity along single episodes; how alike the agents' states are (linear CKA, RSA), with
// each other and with the Bayes-optimal belief state; and how alike their choices are, with each
// other and with the reference policy. The measures are src/measures/dynamics.ts; this module picks
// what to compare, writes analysis.json, analysis.md and SVG figures into the recording directory.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import type { LatentVariable } from '../core/types.ts';
import { atomicWriteJson, atomicWriteText } from '../experiments/io.ts';
import type { RecordedAgent } from '../experiments/recording.ts';
import { type Block, type RecordedRun, readRecordedRun, readRecordingHeader } from '../experiments/recording-read.ts';
import {
  choiceAgreementByStep,
  ckaEstimate,
  type DecodeResult,
  meanOverSteps,
  pca,
  policyAgreementByStep,
  ridgeDecode,
  rsaEstimate,
  type Samples,
  windowScore,
} from '../measures/dynamics.ts';
import { ci95, type Estimate, formatEstimate, formatNumber } from '../measures/stats.ts';
import { COLORS, CONFIG, DASHES, HEIGHT, SCHEMA, SHAPES, titleOf, WIDTH } from './chart-style.ts';
import { type TopLevelSpec, writeVegaLiteSvg } from './svg.ts';

export const ANALYSIS_JSON = 'analysis.json';
export const ANALYSIS_MD = 'analysis.md';
export const ANALYSIS_FORMAT = 'engram-analysis/1';
/** Outer cross-validation folds of the analysis, unless told otherwise (a recording needs as many episodes). */
export const DEFAULT_FOLDS = 5;

/** Options of {@link analyzeRecording}. */
export interface DynamicsOptions {
  /** Outer cross-validation folds, by episode (default DEFAULT_FOLDS, 5). */
  folds?: number;
  /** The window of steps (0-based, inclusive) scores are averaged over (default ⌈T/10⌉ − 1 … T − 1). */
  window?: { from: number; to: number };
  /** Seeds the folds, the shuffles and the subsets (default 0). */
  seed?: number;
  /** Episodes drawn in the trajectory figures (default 3). */
  trajectories?: number;
  /** Write figures (default true). */
  figures?: boolean;
  /** Wider sources and states are first projected on this many principal components (default 128). */
  maxFeatures?: number;
}

/** A score split into rows before and after an event of the episode, paired by fold. */
export interface SplitScore {
  /** What splits the rows. */
  event: 'first trial' | 'first reward';
  before: Estimate;
  after: Estimate;
  /** after − before, per fold, with a 95% interval over folds. */
  difference: Estimate;
  beforeRows: number;
  afterRows: number;
}

/** How well one latent variable decodes from one source of one recorded agent. */
export interface DecodingRow {
  /** The recorded agent's label (name, and its lesion). */
  agent: string;
  lesion: string;
  /** `activity`, `synapses` or `readout`: the agent's variables of that memory, side by side. */
  source: string;
  variables: string[];
  features: number;
  /** The principal components the features were projected on first (null: decoded from the features themselves). */
  components: number | null;
  latent: string;
  metric: 'R²' | 'accuracy';
  /** Categorical: the fraction of the most frequent class (what a decoder that ignores the state reaches). */
  chance: number | null;
  /** Over all held-out rows, mean over folds. */
  overall: Estimate;
  /** The mean per-step score over the window's steps (R² per step is around that step's own mean). */
  window: Estimate;
  /** The same decoder fitted to targets of other episodes. */
  shuffled: Estimate;
  /** The same source of the same architecture with untrained weights (null: no twin recorded). */
  untrained: Estimate | null;
  byStep: { step: number; score: Estimate }[];
  splits: SplitScore[];
}

export interface SimilarityPair {
  a: string;
  b: string;
  cka: Estimate;
  rsa: Estimate;
}

export interface AgreementRow {
  a: string;
  b: string;
  /** Fraction of the window's steps at which the two chose alike, mean over episodes. */
  window: Estimate;
  byStep: { step: number; agreement: Estimate }[];
}

/** analysis.json. */
export interface DynamicsAnalysis {
  format: typeof ANALYSIS_FORMAT;
  task: string;
  taskOptions: Record<string, unknown>;
  seed: number;
  episodes: number;
  episodeLength: number;
  /** Whether a step is a trial (the bandits, Harlow): then steps are reported as trials. */
  stepIsTrial: boolean;
  window: { from: number; to: number };
  folds: number;
  latents: LatentVariable[];
  /** The belief state (latents that are a belief about another) compared with the agents, or null. */
  belief: string[] | null;
  decoding: DecodingRow[];
  geometry: { agent: string; source: string; explained: number[]; figure: string | null }[];
  /**
   * The state each agent is compared by (its activity and synapse variables, each column standardized):
   * every pair of `agents`, then each untrained twin (`<agent> (untrained)`) with the belief.
   */
  similarity: { agents: string[]; pairs: SimilarityPair[] };
  reference: string | null;
  /** Every pair of agents' choices; `reference` pairs: the reference policy's probability of the agent's choice. */
  agreement: AgreementRow[];
  withReference: AgreementRow[];
  figures: string[];
  seconds: number;
}

/** The agents of a recording that are analyzed as themselves (the untrained twins are their controls). */
const label = (a: RecordedAgent) => (a.lesion === 'none' ? a.name : `${a.name} (${a.lesion})`);
const MEMORIES = ['activity', 'synapses', 'readout'] as const;

/** Columns side by side, each standardized to mean 0 and variance 1 when `standardize` (constant ones: 0). */
function concat(blocks: Block[], standardize: boolean): Samples {
  const rows = blocks[0].rows;
  const cols = blocks.reduce((s, b) => s + b.cols, 0);
  const data = new Float64Array(rows * cols);
  let offset = 0;
  for (const b of blocks) {
    for (let j = 0; j < b.cols; j++) {
      let m = 0;
      let v = 0;
      if (standardize) {
        for (let r = 0; r < rows; r++) m += b.data[r * b.cols + j];
        m /= rows;
        for (let r = 0; r < rows; r++) v += (b.data[r * b.cols + j] - m) ** 2;
        v = Math.sqrt(v / rows);
      }
      const scale = standardize ? (v > 1e-12 ? 1 / v : 0) : 1;
      for (let r = 0; r < rows; r++) data[r * cols + offset + j] = (b.data[r * b.cols + j] - m) * scale;
    }
    offset += b.cols;
  }
  return { rows, cols, data };
}

/** Rows fitted by the principal components of wide sources (drawn at random when there are more). */
const PCA_ROWS = 4000;

/**
 * A wide source projected on its first `max` principal components, fitted on up to PCA_ROWS rows
 * (from the features alone, never the targets); a narrow one as it is.
 */
function reduced(x: Samples, max: number, rng: Rng): { x: Samples; components: number | null } {
  if (x.cols <= max) return { x, components: null };
  const rows =
    x.rows <= PCA_ROWS
      ? Int32Array.from({ length: x.rows }, (_, i) => i)
      : Int32Array.from(rng.shuffle(Array.from({ length: x.rows }, (_, i) => i)).slice(0, PCA_ROWS));
  const components = Math.min(max, rows.length - 1);
  return { x: pca(takeRows(x, rows), components).project(x), components };
}

function sourcesOf(agent: RecordedAgent): { source: string; variables: string[] }[] {
  return MEMORIES.map((memory) => ({
    source: memory,
    variables: agent.variables.filter((v) => v.memory === memory).map((v) => v.name),
  })).filter((s) => s.variables.length > 0);
}

/** The rows of two runs with the same (episode, step), as index lists into each. */
function alignRows(a: RecordedRun, b: RecordedRun): { ia: Int32Array; ib: Int32Array } {
  const key = (e: number, s: number) => e * 1_000_000 + s;
  const inB = new Map<number, number>();
  for (let r = 0; r < b.rows; r++) inB.set(key(b.episode[r], b.step[r]), r);
  const ia: number[] = [];
  const ib: number[] = [];
  for (let r = 0; r < a.rows; r++) {
    const other = inB.get(key(a.episode[r], a.step[r]));
    if (other !== undefined) {
      ia.push(r);
      ib.push(other);
    }
  }
  return { ia: Int32Array.from(ia), ib: Int32Array.from(ib) };
}

function takeRows(s: Samples, rows: Int32Array): Samples {
  const data = new Float64Array(rows.length * s.cols);
  rows.forEach((r, i) => {
    data.set(s.data.subarray(r * s.cols, (r + 1) * s.cols), i * s.cols);
  });
  return { rows: rows.length, cols: s.cols, data };
}

/** The rows of each episode at or after the event (the first trial's end; the first positive reward). */
function afterEvent(run: RecordedRun, event: SplitScore['event']): Uint8Array {
  const after = new Uint8Array(run.rows);
  const seen = new Map<number, boolean>();
  const order = Array.from({ length: run.rows }, (_, r) => r).sort(
    (x, y) => run.episode[x] - run.episode[y] || run.step[x] - run.step[y],
  );
  for (const r of order) {
    const e = run.episode[r];
    after[r] = event === 'first trial' ? (run.trial[r] > 0 ? 1 : 0) : seen.get(e) ? 1 : 0;
    if (run.reward[r] > 0) seen.set(e, true);
  }
  return after;
}

/**
 * The held-out score of a decoding on a subset of rows, fold by fold: accuracy, or R² with the
 * squares around the mean of the subset's held-out rows of the fold (NaN where the fold has no such
 * row, or its targets there do not vary).
 */
function subsetScores(result: DecodeResult, y: Samples, mask: Uint8Array, want: 0 | 1): number[] {
  const folds = result.perFold.length;
  const categorical = result.kind === 'categorical';
  const t = categorical ? 1 : y.cols;
  const scores: number[] = [];
  for (let k = 0; k < folds; k++) {
    const rows: number[] = [];
    for (let r = 0; r < y.rows; r++) if (result.fold[r] === k && mask[r] === want) rows.push(r);
    if (rows.length === 0) {
      scores.push(Number.NaN);
      continue;
    }
    if (categorical) {
      let right = 0;
      for (const r of rows) if (result.predictions[r] === y.data[r]) right++;
      scores.push(right / rows.length);
      continue;
    }
    const mean = new Float64Array(t);
    for (const r of rows) for (let j = 0; j < t; j++) mean[j] += y.data[r * t + j] / rows.length;
    let res = 0;
    let tot = 0;
    for (const r of rows)
      for (let j = 0; j < t; j++) {
        res += (y.data[r * t + j] - result.predictions[r * t + j]) ** 2;
        tot += (y.data[r * t + j] - mean[j]) ** 2;
      }
    // No variance on this side (the bandit's posterior on trial 1 is the prior): R² is undefined.
    scores.push(tot > 1e-9 * rows.length * t ? 1 - res / tot : Number.NaN);
  }
  return scores;
}

function splitScore(result: DecodeResult, y: Samples, run: RecordedRun, event: SplitScore['event']): SplitScore | null {
  const mask = afterEvent(run, event);
  const before = subsetScores(result, y, mask, 0);
  const after = subsetScores(result, y, mask, 1);
  let beforeRows = 0;
  for (const m of mask) if (m === 0) beforeRows++;
  if (beforeRows === 0 || beforeRows === mask.length) return null;
  const both = after.map((a, k) => a - before[k]).filter(Number.isFinite);
  return {
    event,
    before: ci95(before.filter(Number.isFinite)),
    after: ci95(after.filter(Number.isFinite)),
    difference: ci95(both),
    beforeRows,
    afterRows: mask.length - beforeRows,
  };
}

function majorityFraction(y: Samples): number {
  const counts = new Map<number, number>();
  for (const v of y.data) counts.set(v, (counts.get(v) ?? 0) + 1);
  return Math.max(...counts.values()) / y.rows;
}

function stepIsTrial(runs: RecordedRun[]): boolean {
  return runs.every((run) => {
    for (let r = 0; r < run.rows; r++) if (run.trial[r] !== run.step[r]) return false;
    return true;
  });
}

/** The latent whose first component colours the trajectory figures: a continuous belief, else the first latent. */
function colourLatent(latents: LatentVariable[]): LatentVariable | undefined {
  return (
    latents.find((l) => l.beliefOf !== undefined && l.kind === 'continuous') ??
    latents.find((l) => l.kind === 'continuous') ??
    latents[0]
  );
}

/** The belief state: every continuous latent that is a belief about another (the bandits' posterior). */
function beliefLatents(latents: LatentVariable[]): LatentVariable[] {
  return latents.filter((l) => l.beliefOf !== undefined && l.kind === 'continuous');
}

/** Reads a recording and computes every analysis; writes analysis.json, analysis.md and the figures. */
export async function analyzeRecording(dir: string, options: DynamicsOptions = {}): Promise<DynamicsAnalysis> {
  const started = performance.now();
  const header = readRecordingHeader(dir);
  const folds = options.folds ?? DEFAULT_FOLDS;
  if (!Number.isInteger(folds) || folds < 2)
    throw new UsageError(`analyze: folds must be an integer of at least 2, got ${folds}`);
  if (header.episodes < folds)
    throw new UsageError(`analyze: ${header.episodes} recorded episodes cannot be split into ${folds} folds`);
  const T = header.episodeLength;
  const window = options.window ?? { from: Math.max(0, Math.ceil(T / 10) - 1), to: T - 1 };
  if (!Number.isInteger(window.from) || !Number.isInteger(window.to) || window.from < 0 || window.to < window.from)
    throw new UsageError(`analyze: the window ${window.from}–${window.to} is not a range of steps`);
  if (window.from >= T)
    throw new UsageError(`analyze: the window starts at step ${window.from}, after the episode's ${T} steps`);
  const seed = options.seed ?? 0;
  const root = Rng.fromSeed(`analyze/${seed}`);
  const maxFeatures = options.maxFeatures ?? 128;
  if (!Number.isInteger(maxFeatures) || maxFeatures < 2)
    throw new UsageError(`analyze: max features must be an integer of at least 2, got ${maxFeatures}`);

  const runs = new Map<RecordedAgent, RecordedRun>();
  for (const agent of header.agents) runs.set(agent, await readRecordedRun(dir, header, agent));
  const studied = header.agents.filter((a) => a.control === null);
  const twinOf = (a: RecordedAgent) =>
    header.agents.find((b) => b.control === 'untrained' && b.name === a.name && b.lesion === a.lesion);
  const byStepIsTrial = stepIsTrial([...runs.values()]);

  // 1. Decoding. Each source's reduction is kept for the geometry below (a PCA of a wide source is slow).
  const decoding: DecodingRow[] = [];
  const reducedSources = new Map<string, Samples>();
  for (const agent of studied) {
    const run = runs.get(agent)!;
    const twin = twinOf(agent);
    for (const { source, variables } of sourcesOf(agent)) {
      const wide = concat(
        variables.map((v) => run.variable(v)),
        false,
      );
      const { x, components } = reduced(wide, maxFeatures, root.fork(`reduce/${label(agent)}/${source}`));
      reducedSources.set(`${label(agent)}/${source}`, x);
      const twinRun = twin ? runs.get(twin)! : null;
      const twinX = twinRun
        ? reduced(
            concat(
              variables.map((v) => twinRun.variable(v)),
              false,
            ),
            maxFeatures,
            root.fork(`reduce/${label(agent)}/${source}/untrained`),
          ).x
        : null;
      for (const latent of header.latents) {
        const rng = root.fork(`decode/${label(agent)}/${source}/${latent.name}`);
        const y = run.latent(latent.name);
        const groups = { episode: run.episode, step: run.step };
        const decodeOptions = { kind: latent.kind, classes: latent.classes, folds, rng };
        const result = ridgeDecode(x, y, groups, decodeOptions);
        const shuffled = ridgeDecode(x, y, groups, { ...decodeOptions, shuffle: true, rng: rng.fork('shuffled') });
        let untrained: Estimate | null = null;
        if (twinRun !== null && twinX !== null) {
          const twinResult = ridgeDecode(
            twinX,
            twinRun.latent(latent.name),
            { episode: twinRun.episode, step: twinRun.step },
            { ...decodeOptions, rng: rng.fork('untrained') },
          );
          untrained = windowScore(twinResult, window.from, window.to);
        }
        const splits = (['first trial', 'first reward'] as const)
          .map((event) => splitScore(result, y, run, event))
          .filter((s): s is SplitScore => s !== null);
        decoding.push({
          agent: label(agent),
          lesion: agent.lesion,
          source,
          variables,
          features: wide.cols,
          components,
          latent: latent.name,
          metric: latent.kind === 'categorical' ? 'accuracy' : 'R²',
          chance: latent.kind === 'categorical' ? majorityFraction(y) : null,
          overall: result.score,
          window: windowScore(result, window.from, window.to),
          shuffled: windowScore(shuffled, window.from, window.to),
          untrained,
          byStep: result.byStep.map((s) => ({ step: s.step, score: s.score })),
          splits,
        });
      }
    }
  }

  // The state each intact agent is compared by: its activity and synapse variables, standardized.
  const intact = studied.filter((a) => a.lesion === 'none');
  const states = new Map<string, { run: RecordedRun; x: Samples }>();
  for (const agent of intact) {
    const names = agent.variables.filter((v) => v.memory !== 'readout').map((v) => v.name);
    if (names.length === 0) continue;
    const run = runs.get(agent)!;
    const state = concat(
      names.map((n) => run.variable(n)),
      true,
    );
    states.set(label(agent), { run, x: reduced(state, maxFeatures, root.fork(`reduce/${label(agent)}/state`)).x });
  }
  const belief = beliefLatents(header.latents);

  // 2. Geometry.
  const figures: string[] = [];
  const figuresDir = path.join(dir, 'figures');
  const geometry: DynamicsAnalysis['geometry'] = [];
  const colour = colourLatent(header.latents);
  for (const [name, { run }] of states) {
    const agent = intact.find((a) => label(a) === name)!;
    const activity = agent.variables.filter((v) => v.memory === 'activity').map((v) => v.name);
    const source = activity.length > 0 ? 'activity' : 'synapses';
    const names =
      activity.length > 0 ? activity : agent.variables.filter((v) => v.memory === 'synapses').map((v) => v.name);
    const x =
      reducedSources.get(`${name}/${source}`) ??
      reduced(
        concat(
          names.map((n) => run.variable(n)),
          false,
        ),
        maxFeatures,
        root.fork(`reduce/${name}/geometry`),
      ).x;
    if (x.cols < 2 || x.rows < 3) continue;
    const p = pca(x, 2);
    let figure: string | null = null;
    if (options.figures !== false && colour !== undefined) {
      const scores = p.project(x);
      const c = run.latent(colour.name);
      const shown = Math.min(options.trajectories ?? 3, header.episodes);
      const points: Record<string, unknown>[] = [];
      for (let r = 0; r < run.rows; r++) {
        if (run.episode[r] >= shown) continue;
        points.push({
          episode: `episode ${run.episode[r] + 1}`,
          step: run.step[r] + 1,
          pc1: scores.data[r * 2],
          pc2: scores.data[r * 2 + 1],
          value: c.data[r * c.cols],
        });
      }
      const file = path.join(figuresDir, `pca-${slug(name)}.svg`);
      await writeVegaLiteSvg(trajectorySpec(name, colour, points, p.explained, byStepIsTrial), file);
      figures.push(path.relative(dir, file));
      figure = path.relative(dir, file);
    }
    geometry.push({ agent: name, source, explained: Array.from(p.explained), figure });
  }

  // Spike rasters of spiking agents that recorded their spikes: the first recorded episode.
  if (options.figures !== false)
    for (const agent of intact) {
      const raster = await writeRaster(agent, runs.get(agent)!, figuresDir);
      if (raster !== null) figures.push(path.relative(dir, raster.file));
    }

  // 3. Similarity, on the rows every compared agent has.
  const compared = [...states.keys()];
  const pairs: SimilarityPair[] = [];
  const similarityRng = root.fork('similarity');
  const withBelief = belief.length > 0 ? [...compared, 'belief'] : compared;
  const stateOf = (name: string, rows: Int32Array, own: RecordedRun): Samples => {
    if (name === 'belief')
      return takeRows(
        concat(
          belief.map((l) => own.latent(l.name)),
          false,
        ),
        rows,
      );
    return takeRows(states.get(name)!.x, rows);
  };
  for (let i = 0; i < withBelief.length; i++)
    for (let j = i + 1; j < withBelief.length; j++) {
      const a = withBelief[i];
      const b = withBelief[j];
      const runA = states.get(a)!.run;
      // The belief is that of the agent's own history: the same rows of its own run.
      const runB = b === 'belief' ? runA : states.get(b)!.run;
      const { ia, ib } = alignRows(runA, runB);
      const xa = stateOf(a, ia, runA);
      const xb = stateOf(b, ib, runB);
      const groups = { episode: takeEpisodes(runA, ia) };
      if (new Set(groups.episode).size < 5) continue;
      const rng = similarityRng.fork(`${a}|${b}`);
      pairs.push({
        a,
        b,
        cka: ckaEstimate(xa, xb, groups, { rng: rng.fork('cka') }),
        rsa: rsaEstimate(xa, xb, groups, { rng: rng.fork('rsa') }),
      });
    }
  // The untrained twins against the belief of their own histories: how much of it a random network holds.
  if (belief.length > 0)
    for (const agent of intact) {
      const twin = twinOf(agent);
      if (twin === undefined) continue;
      const names = twin.variables.filter((v) => v.memory !== 'readout').map((v) => v.name);
      if (names.length === 0) continue;
      const run = runs.get(twin)!;
      const x = reduced(
        concat(
          names.map((n) => run.variable(n)),
          true,
        ),
        maxFeatures,
        root.fork(`reduce/${label(agent)}/untrained-state`),
      ).x;
      const y = concat(
        belief.map((l) => run.latent(l.name)),
        false,
      );
      const groups = { episode: run.episode };
      const rng = similarityRng.fork(`${label(agent)} (untrained)|belief`);
      pairs.push({
        a: `${label(agent)} (untrained)`,
        b: 'belief',
        cka: ckaEstimate(x, y, groups, { rng: rng.fork('cka') }),
        rsa: rsaEstimate(x, y, groups, { rng: rng.fork('rsa') }),
      });
    }
  if (options.figures !== false && pairs.length > 0) {
    const file = path.join(figuresDir, 'similarity.svg');
    await writeVegaLiteSvg(heatmapSpec(withBelief, pairs), file);
    figures.push(path.relative(dir, file));
  }

  // 4. Behavior.
  const behaving = header.agents.filter((a) => a.control === null && a.lesion === 'none');
  const agreement: AgreementRow[] = [];
  for (let i = 0; i < behaving.length; i++)
    for (let j = i + 1; j < behaving.length; j++) {
      const steps = choiceAgreementByStep(runs.get(behaving[i])!, runs.get(behaving[j])!);
      agreement.push({
        a: label(behaving[i]),
        b: label(behaving[j]),
        window: meanOverSteps(steps, window.from, window.to),
        byStep: steps.map((s) => ({ step: s.step, agreement: s.agreement })),
      });
    }
  const withReference: AgreementRow[] = [];
  for (const agent of behaving) {
    const run = runs.get(agent)!;
    if (run.reference === null || header.reference === null) continue;
    const steps = policyAgreementByStep({ episode: run.episode, step: run.step, probabilityOfChosen: run.reference });
    withReference.push({
      a: label(agent),
      b: header.reference,
      window: meanOverSteps(steps, window.from, window.to),
      byStep: steps.map((s) => ({ step: s.step, agreement: s.agreement })),
    });
  }

  const analysis: DynamicsAnalysis = {
    format: ANALYSIS_FORMAT,
    task: header.task,
    taskOptions: header.taskOptions,
    seed,
    episodes: header.episodes,
    episodeLength: T,
    stepIsTrial: byStepIsTrial,
    window,
    folds,
    latents: header.latents,
    belief: belief.length > 0 ? belief.map((l) => l.name) : null,
    decoding,
    geometry,
    similarity: { agents: withBelief, pairs },
    reference: header.reference,
    agreement,
    withReference,
    figures,
    seconds: 0,
  };
  if (options.figures !== false) {
    const main = colour;
    if (main !== undefined && decoding.some((d) => d.latent === main.name)) {
      const file = path.join(figuresDir, 'decoding.svg');
      await writeVegaLiteSvg(decodingSpec(analysis, main.name), file);
      figures.push(path.relative(dir, file));
    }
    if (withReference.length > 0) {
      const file = path.join(figuresDir, 'agreement.svg');
      await writeVegaLiteSvg(agreementSpec(analysis), file);
      figures.push(path.relative(dir, file));
    }
  }
  analysis.seconds = (performance.now() - started) / 1000;
  atomicWriteJson(path.join(dir, ANALYSIS_JSON), analysis, 1);
  atomicWriteText(path.join(dir, ANALYSIS_MD), `${dynamicsMarkdown(analysis, '#').join('\n')}\n`);
  return analysis;
}

/** analysis.json of a recording when it is newer than record.json, else null. */
export function cachedAnalysis(dir: string): DynamicsAnalysis | null {
  const file = path.join(dir, ANALYSIS_JSON);
  const recordFile = path.join(dir, 'record.json');
  if (!fs.existsSync(file) || !fs.existsSync(recordFile)) return null;
  if (fs.statSync(file).mtimeMs < fs.statSync(recordFile).mtimeMs) return null;
  try {
    const analysis = JSON.parse(fs.readFileSync(file, 'utf8')) as DynamicsAnalysis;
    return analysis.format === ANALYSIS_FORMAT ? analysis : null;
  } catch {
    return null;
  }
}

function takeEpisodes(run: RecordedRun, rows: Int32Array): Int32Array {
  return Int32Array.from(rows, (r) => run.episode[r]);
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-|-$/g, '');
const est = (e: Estimate | null | undefined, digits = 2) => (e ? formatEstimate(e, digits) : '–');

/** The analysis as Markdown: its tables, and its figures linked relative to the recording directory. */
export function dynamicsMarkdown(a: DynamicsAnalysis, heading = '##', figurePrefix = ''): string[] {
  const unit = a.stepIsTrial ? 'trial' : 'step';
  const lines: string[] = [];
  const w = `${unit}s ${a.window.from + 1}–${a.window.to + 1}`;
  lines.push(
    `${heading} Activity and belief: ${a.task}`,
    '',
    `${a.episodes} recorded held-out episodes of ${a.episodeLength} ${unit}s. Decoders are ridge regressions ` +
      `(classifiers for categorical variables) from an agent's recorded variables of one kind of memory to the ` +
      `task's latent variables, cross-validated with ${a.folds} folds by episode and the penalty chosen inside the ` +
      `training folds. Scores are R² (accuracy for categorical variables) per ${unit}, averaged over ${w}, mean ` +
      `± 95% interval over folds; R² per ${unit} is around that ${unit}'s own mean, so it counts only what the ` +
      `state tells beyond the ${unit} number. Controls: the same decoder fitted to another episode's targets ` +
      '(shuffled), and the same memory of the same architecture with untrained weights, playing its own ' +
      'episodes. Sources wider than their stated components are first projected on their principal components ' +
      '(fitted on the features alone).',
    '',
    `| agent | memory | features | latent | score, ${w} | shuffled | untrained | chance |`,
    '|---|---|---|---|---|---|---|---|',
  );
  for (const d of a.decoding)
    lines.push(
      `| ${d.agent} | ${d.source} | ${d.features}${d.components === null ? '' : ` → ${d.components} PCs`} | ` +
        `${d.latent} (${d.metric}) | **${est(d.window)}** | ` +
        `${est(d.shuffled)} | ${est(d.untrained)} | ${d.chance === null ? '–' : formatNumber(d.chance, 2)} |`,
    );
  lines.push('');
  // The task's own variables (not beliefs about them), from activity and synapses: analysis.json has every split.
  const beliefs = new Set(a.latents.filter((l) => l.beliefOf !== undefined).map((l) => l.name));
  const splits = a.decoding.filter((d) => d.splits.length > 0 && d.source !== 'readout' && !beliefs.has(d.latent));
  if (splits.length > 0) {
    lines.push(
      `Before and after an event of the episode (all ${unit}s; R² around the mean of the rows on each side; ` +
        'the difference paired by fold):',
      '',
      '| agent | memory | latent | split by | before | after | after − before |',
      '|---|---|---|---|---|---|---|',
    );
    for (const d of splits)
      for (const s of d.splits)
        lines.push(
          `| ${d.agent} | ${d.source} | ${d.latent} | ${s.event} | ${est(s.before)} (${s.beforeRows} rows) | ` +
            `${est(s.after)} (${s.afterRows} rows) | ${est(s.difference)} |`,
        );
    lines.push('');
  }
  if (a.geometry.length > 0) {
    lines.push(`${heading}# Geometry`, '');
    lines.push(
      "Principal components of each agent's activity (its synapses when it records no activity), and single " +
        'episodes drawn in the first two:',
      '',
      '| agent | memory | variance explained by PC1, PC2 |',
      '|---|---|---|',
    );
    for (const g of a.geometry)
      lines.push(`| ${g.agent} | ${g.source} | ${g.explained.map((v) => formatNumber(v, 2)).join(', ')} |`);
    lines.push('');
    for (const g of a.geometry)
      if (g.figure !== null) lines.push(`![${g.agent}: trajectories in PC1–PC2](${figurePrefix}${g.figure})`, '');
  }
  if (a.similarity.pairs.length > 0) {
    lines.push(`${heading}# Similarity`, '');
    lines.push(
      "Linear CKA and RSA (Spearman correlation of the Euclidean dissimilarities of 300 rows) between agents' " +
        'states (activity and synapse variables, each standardized) on the same held-out episodes and steps' +
        (a.belief ? `, and with the Bayes-optimal belief (${a.belief.join(', ')}) of each agent's own history` : '') +
        '; mean ± 95% interval over 5 disjoint sets of episodes.',
      '',
      '| a | b | CKA | RSA |',
      '|---|---|---|---|',
    );
    for (const p of a.similarity.pairs) lines.push(`| ${p.a} | ${p.b} | ${est(p.cka)} | ${est(p.rsa)} |`);
    lines.push('');
  }
  if (a.withReference.length > 0 || a.agreement.length > 0) {
    lines.push(`${heading}# Behavior`, '');
    if (a.withReference.length > 0) {
      lines.push(
        `Agreement with the ${a.reference} policy: its probability of the choice the agent made, on the ` +
          `agent's own history, mean over ${w} and episodes:`,
        '',
        '| agent | agreement |',
        '|---|---|',
      );
      for (const r of a.withReference) lines.push(`| ${r.a} | ${est(r.window, 3)} |`);
      lines.push('');
    }
    if (a.agreement.length > 0) {
      lines.push(
        `Choice agreement between agents on the same episodes (fraction of ${w} with the same choice):`,
        '',
        '| a | b | agreement |',
        '|---|---|---|',
      );
      for (const r of a.agreement) lines.push(`| ${r.a} | ${r.b} | ${est(r.window, 3)} |`);
      lines.push('');
    }
  }
  for (const f of a.figures.filter((f) => !a.geometry.some((g) => g.figure === f)))
    lines.push(`![${path.basename(f, '.svg')}](${figurePrefix}${f})`, '');
  lines.push(`Analysis: ${a.seconds.toFixed(1)} s (seed ${a.seed}).`, '');
  return lines;
}

/** A short text summary for the terminal. */
export function dynamicsSummary(a: DynamicsAnalysis): string {
  const lines = [`${a.task}: ${a.episodes} episodes, window ${a.window.from + 1}–${a.window.to + 1}`];
  for (const d of a.decoding)
    lines.push(
      `  ${d.agent.padEnd(16)} ${d.source.padEnd(9)} ${`${d.latent} ${d.metric}`.padEnd(26)} ` +
        `${est(d.window).padEnd(14)}` +
        ` shuffled ${est(d.shuffled).padEnd(14)} untrained ${est(d.untrained)}`,
    );
  for (const p of a.similarity.pairs) lines.push(`  CKA ${p.a} × ${p.b}: ${est(p.cka)}  RSA ${est(p.rsa)}`);
  for (const r of a.withReference) lines.push(`  ${r.a} agrees with ${r.b}: ${est(r.window, 3)}`);
  return lines.join('\n');
}

// --- Figures.

/** The raster of an agent that recorded its spikes (null for one that did not), in figuresDir. */
async function writeRaster(
  agent: RecordedAgent,
  run: RecordedRun,
  figuresDir: string,
): Promise<{ file: string; thresholds: boolean } | null> {
  const spikes = agent.variables.find((v) => v.name === 'spikes' && v.shape.length === 2);
  if (spikes === undefined) return null;
  const thresholds = agent.variables.some((v) => v.name === 'threshold') ? run.variable('threshold') : null;
  const file = path.join(figuresDir, `raster-${slug(label(agent))}.svg`);
  const spec = rasterSpec(label(agent), run, run.variable('spikes'), spikes.shape, thresholds);
  await writeVegaLiteSvg(spec, file);
  return { file, thresholds: (spec as { vconcat: unknown[] }).vconcat.length > 1 };
}

/**
 * Only the spike rasters of a recording (its intact agents that recorded `spikes`), into its
 * figures/ directory: for a recording too short to analyze (fewer episodes than folds). Returns
 * each raster's agent and path relative to the recording.
 */
export async function writeRasters(dir: string): Promise<{ agent: string; figure: string; thresholds: boolean }[]> {
  const header = readRecordingHeader(dir);
  const out: { agent: string; figure: string; thresholds: boolean }[] = [];
  for (const agent of header.agents) {
    if (agent.control !== null || agent.lesion !== 'none') continue;
    if (!agent.variables.some((v) => v.name === 'spikes')) continue;
    const raster = await writeRaster(agent, await readRecordedRun(dir, header, agent), path.join(dir, 'figures'));
    if (raster !== null)
      out.push({
        agent: agent.name,
        figure: path.relative(dir, raster.file).split(path.sep).join('/'),
        thresholds: raster.thresholds,
      });
  }
  return out;
}

/**
 * The spikes of every neuron over the first recorded episode (one row per neuron, adaptive ones
 * last), and below them the adaptive thresholds of the six neurons whose threshold varied most;
 * time in environment steps (trials on the bandits), each divided into its simulation steps.
 */
function rasterSpec(
  agent: string,
  run: RecordedRun,
  spikes: Block,
  shape: readonly number[],
  thresholds: Block | null,
): TopLevelSpec {
  const [K, N] = shape;
  const rows: number[] = [];
  for (let r = 0; r < run.rows; r++) if (run.episode[r] === run.episode[0]) rows.push(r);
  rows.sort((a, b) => run.step[a] - run.step[b]);
  const points: Record<string, unknown>[] = [];
  for (const r of rows)
    for (let k = 0; k < K; k++)
      for (let j = 0; j < N; j++)
        if (spikes.data[r * spikes.cols + k * N + j] > 0)
          points.push({ time: run.step[r] + (k + 0.5) / K, neuron: j + 1 });
  const lines: Record<string, unknown>[] = [];
  if (thresholds !== null) {
    const spread = Array.from({ length: N }, (_, j) => {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const r of rows) {
        lo = Math.min(lo, thresholds.data[r * N + j]);
        hi = Math.max(hi, thresholds.data[r * N + j]);
      }
      return { j, range: hi - lo };
    })
      .filter((x) => x.range > 0)
      .sort((a, b) => b.range - a.range)
      .slice(0, 6);
    for (const { j } of spread)
      for (const r of rows)
        lines.push({ time: run.step[r] + 1, threshold: thresholds.data[r * N + j], neuron: `neuron ${j + 1}` });
  }
  const x = { field: 'time', type: 'quantitative', title: 'time in the episode (environment steps)' };
  const raster = {
    width: WIDTH + 200,
    height: Math.max(160, 3 * N),
    mark: { type: 'tick', orient: 'vertical', thickness: 1, size: 3, color: '#000000' },
    encoding: {
      x: { ...x, scale: { domain: [0, rows.length] } },
      y: { field: 'neuron', type: 'quantitative', title: 'neuron', scale: { domain: [0, N + 1] } },
    },
    data: { values: points },
  };
  const panels: Record<string, unknown>[] = [raster];
  if (lines.length > 0)
    panels.push({
      width: WIDTH + 200,
      height: 140,
      data: { values: lines },
      mark: { type: 'line', strokeWidth: 1 },
      encoding: {
        x: { ...x, scale: { domain: [0, rows.length] } },
        y: { field: 'threshold', type: 'quantitative', title: 'threshold A (v_th = 1)', scale: { zero: false } },
        color: { field: 'neuron', type: 'nominal', scale: { range: COLORS }, title: null },
        strokeDash: { field: 'neuron', type: 'nominal', scale: { range: DASHES }, title: null },
      },
    });
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: titleOf(
      `${agent}: spikes over one held-out episode`,
      `${points.length} spikes of ${N} neurons in ${rows.length} environment steps of ${K} simulation steps each` +
        (lines.length > 0 ? '; below, the adaptive thresholds that varied most' : ''),
    ),
    vconcat: panels,
  } as unknown as TopLevelSpec;
}

function trajectorySpec(
  agent: string,
  colour: LatentVariable,
  points: Record<string, unknown>[],
  explained: Float64Array,
  stepIsTrial: boolean,
): TopLevelSpec {
  const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: titleOf(
      `${agent}: single episodes in the first two principal components`,
      `each point a ${stepIsTrial ? 'trial' : 'step'}, coloured by ${colour.name}` +
        `${colour.size > 1 ? ' (component 0)' : ''}; line style tells the episodes apart`,
    ),
    width: WIDTH,
    height: HEIGHT + 80,
    data: { values: points },
    layer: [
      {
        mark: { type: 'line', color: '#999999', strokeWidth: 1 },
        encoding: {
          x: { field: 'pc1', type: 'quantitative', title: `PC1 (${pct(explained[0])} of the variance)` },
          y: { field: 'pc2', type: 'quantitative', title: `PC2 (${pct(explained[1])} of the variance)` },
          detail: { field: 'episode' },
          order: { field: 'step', type: 'quantitative' },
          strokeDash: { field: 'episode', type: 'nominal', scale: { range: DASHES }, title: null },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 30 },
        encoding: {
          x: { field: 'pc1', type: 'quantitative' },
          y: { field: 'pc2', type: 'quantitative' },
          shape: { field: 'episode', type: 'nominal', scale: { range: SHAPES }, title: null },
          color: {
            field: 'value',
            type: colour.kind === 'categorical' ? 'nominal' : 'quantitative',
            scale: colour.kind === 'categorical' ? { range: COLORS } : { scheme: 'viridis' },
            title: colour.name,
          },
        },
      },
    ],
  } as TopLevelSpec;
}

function heatmapSpec(agents: string[], pairs: SimilarityPair[]): TopLevelSpec {
  const values: Record<string, unknown>[] = [];
  for (const a of agents) values.push({ a, b: a, cka: 1, label: '1' });
  for (const p of pairs.filter((q) => agents.includes(q.a) && agents.includes(q.b))) {
    const labelText = formatNumber(p.cka.mean, 2);
    values.push({ a: p.a, b: p.b, cka: p.cka.mean, label: labelText });
    values.push({ a: p.b, b: p.a, cka: p.cka.mean, label: labelText });
  }
  const side = Math.max(160, 60 * agents.length);
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: titleOf("Linear CKA between agents' states", 'same held-out episodes and steps; 1 = the same geometry'),
    width: side,
    height: side,
    data: { values },
    encoding: {
      x: { field: 'a', type: 'nominal', sort: agents, title: null },
      y: { field: 'b', type: 'nominal', sort: agents, title: null },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: { field: 'cka', type: 'quantitative', scale: { domain: [0, 1], scheme: 'greys' }, title: 'CKA' },
        },
      },
      {
        mark: { type: 'text', fontSize: 12 },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: 'datum.cka > 0.55', value: 'white' }, value: 'black' },
        },
      },
    ],
  } as TopLevelSpec;
}

function lineSpec(
  title: ReturnType<typeof titleOf>,
  series: string[],
  rows: { series: string; x: number; y: number; low: number | null; high: number | null }[],
  xTitle: string,
  yTitle: string,
  yDomain?: [number, number],
): TopLevelSpec {
  const scale = (range: unknown[]) => ({ domain: series, range: range.slice(0, series.length) });
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title,
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
    },
    layer: [
      {
        mark: { type: 'area', opacity: 0.15 },
        encoding: {
          y: { field: 'low', type: 'quantitative', scale: yDomain ? { domain: yDomain, clamp: true } : {} },
          y2: { field: 'high' },
          color: { field: 'series', type: 'nominal', scale: scale(COLORS), title: null },
        },
      },
      {
        mark: { type: 'line', point: true },
        encoding: {
          y: { field: 'y', type: 'quantitative', title: yTitle },
          color: { field: 'series', type: 'nominal', scale: scale(COLORS), title: null },
          strokeDash: { field: 'series', type: 'nominal', scale: scale(DASHES), title: null },
          shape: { field: 'series', type: 'nominal', scale: scale(SHAPES), title: null },
        },
      },
    ],
  } as TopLevelSpec;
}

function decodingSpec(a: DynamicsAnalysis, latent: string): TopLevelSpec {
  const unit = a.stepIsTrial ? 'trial' : 'step';
  const shown = a.decoding.filter((d) => d.latent === latent && d.lesion === 'none' && d.source !== 'readout');
  const series = shown.map((d) => `${d.agent} · ${d.source}`);
  const rows = shown.flatMap((d, i) =>
    d.byStep.map((s) => ({
      series: series[i],
      x: s.step + 1,
      y: s.score.mean,
      low: Number.isFinite(s.score.ci95[0]) ? s.score.ci95[0] : null,
      high: Number.isFinite(s.score.ci95[1]) ? s.score.ci95[1] : null,
    })),
  );
  const metric = shown[0]?.metric ?? 'R²';
  return lineSpec(
    titleOf(
      `How well ${latent} decodes from each agent's memory, ${unit} by ${unit}`,
      `cross-validated ${metric} (${a.folds} folds by episode, 95% interval over folds), ` +
        `${a.episodes} held-out episodes`,
    ),
    series,
    rows,
    unit,
    `${metric} of ${latent}`,
    metric === 'R²' ? [-0.2, 1] : [0, 1],
  );
}

function agreementSpec(a: DynamicsAnalysis): TopLevelSpec {
  const unit = a.stepIsTrial ? 'trial' : 'step';
  const series = a.withReference.map((r) => r.a);
  const rows = a.withReference.flatMap((r) =>
    r.byStep.map((s) => ({
      series: r.a,
      x: s.step + 1,
      y: s.agreement.mean,
      low: Number.isFinite(s.agreement.ci95[0]) ? s.agreement.ci95[0] : null,
      high: Number.isFinite(s.agreement.ci95[1]) ? s.agreement.ci95[1] : null,
    })),
  );
  return lineSpec(
    titleOf(
      `Agreement with the ${a.reference} policy, ${unit} by ${unit}`,
      `its probability of the agent's choice on the agent's own history; mean over ${a.episodes} episodes, ` +
        '95% interval',
    ),
    series,
    rows,
    unit,
    `P_${a.reference}(agent's choice)`,
    [0, 1],
  );
}
