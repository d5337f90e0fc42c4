// Sweep specs: one base experiment and the settings to vary. A sweep expands into the cartesian
// product of its `vary` lists, in a fixed order (the first key varies slowest), and every run
// gets an id made of its settings (`seed=1,hidden=48`), so that a resumed sweep, the shards of a
// cluster job and a merge all agree on which run is which without talking to each other.
//
//   {
//     "name": "wang-seeds",
//     "base": "bandit-wang2018",                       built-in experiment, or a spec.json path
//     "overrides": { "training": { "updates": 2000 } }, deep-merged into the base first
//     "vary": { "seed": [0, 1, 2], "agents.0.options.hidden": [32, 48] }
//   }
//
// The base is one experiment of any kind but a suite: meta-RL (agents), in-context regression or
// sequence models (models). Every expanded spec is validated before anything runs, so a bad value
// fails the whole sweep at once (exit 2) rather than hours into it. Built-in sweeps are sweep
// specs in scripts/sweeps/, named by their file.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { findTask } from '../../tasks/index.ts';
import { UsageError } from '../core/errors.ts';
import { packageRoot } from '../core/package.ts';
import { checkIclSpec } from './icl-run.ts';
import { checkSequenceSpec } from './icl-sequence-run.ts';
import { readJsonFile } from './io.ts';
import { absoluteModules, resolveSpecModules } from './plugins.ts';
import { checkAgents } from './run.ts';
import {
  builtinExperiments,
  describeIssues,
  ExperimentSchema,
  type ExperimentSpec,
  IclExperimentSchema,
  type IclExperimentSpec,
  IclSequenceExperimentSchema,
  type IclSequenceExperimentSpec,
  parseAnyExperiment,
} from './spec.ts';

/** A dotted path into an experiment spec: names and array indices (`agents.0.options.hidden`). */
const PATH = /^[A-Za-z_][\w-]*(\.([A-Za-z_][\w-]*|\d+))*$/;

/** More runs than this is almost certainly a mistake in the vary lists. */
const MAX_RUNS = 10_000;

export const SweepSchema = z.strictObject({
  /** Names the sweep and its default directory, runs/sweep-<name>-<time>. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  description: z.string().default(''),
  /** A built-in experiment (`engram list`), or a path to a spec.json, relative to the sweep file. */
  base: z.string().min(1),
  /** Deep-merged into the base spec before varying: objects merge key by key, arrays and values replace. */
  overrides: z.record(z.string(), z.unknown()).default({}),
  /** Dotted path into the spec → the values it takes; the sweep runs every combination. */
  vary: z
    .record(
      z.string().regex(PATH, 'a dotted path such as training.learningRate or agents.0.options.hidden'),
      z.array(z.unknown()).min(1),
    )
    .refine((v) => Object.keys(v).length > 0, 'name at least one setting to vary'),
});
export type SweepDefinition = z.infer<typeof SweepSchema>;

/** An experiment a sweep can vary: any kind but a suite. */
export type SweepExperimentSpec = ExperimentSpec | IclExperimentSpec | IclSequenceExperimentSpec;

/**
 * One run of a sweep. `S` is the kind of experiment the caller expects: meta-RL unless it says
 * (what sweeps held before they took other kinds); the command line and the runner take
 * SweepExperimentSpec, every kind.
 */
export interface SweepRun<S extends SweepExperimentSpec = ExperimentSpec> {
  /** Position in the expansion (shards are taken by index). */
  index: number;
  /** Directory name under runs/, made of the varied settings. */
  id: string;
  /** The varied settings of this run: path → value. */
  settings: Record<string, unknown>;
  /** The complete, validated experiment it runs. */
  spec: S;
}

export interface ExpandedSweep<S extends SweepExperimentSpec = ExperimentSpec> {
  name: string;
  description: string;
  /** Where the sweep spec came from. */
  source: string;
  /** The base experiment as the spec named it. */
  base: string;
  vary: Record<string, unknown[]>;
  runs: SweepRun<S>[];
  /** Identifies the expansion (ids and specs): shards and resumed sweeps must carry the same one. */
  hash: string;
}

/** The folder of built-in sweep specs. */
export const BUILTIN_SWEEP_DIR = path.join(packageRoot(), 'scripts/sweeps');

/** The built-in sweeps: name → file. */
export function builtinSweeps(): { id: string; description: string; file: string }[] {
  if (!fs.existsSync(BUILTIN_SWEEP_DIR)) return [];
  return fs
    .readdirSync(BUILTIN_SWEEP_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = path.join(BUILTIN_SWEEP_DIR, f);
      const raw = readJsonFile(file, 'built-in sweep') as { description?: string };
      return { id: f.replace(/\.json$/, ''), description: raw.description ?? '', file };
    });
}

/**
 * The file of `<sweep.json|name>`: an existing file, else a built-in sweep of that name. A path
 * that ends in .json is taken as a file (reading it says it is missing); any other unknown name
 * is a UsageError listing the built-in sweeps.
 */
export function sweepFile(ref: string): string {
  if (fs.existsSync(ref) || ref.endsWith('.json')) return ref;
  const builtin = builtinSweeps().find((s) => s.id === ref);
  if (builtin !== undefined) return builtin.file;
  const known = builtinSweeps().map((s) => s.id);
  throw new UsageError(
    `unknown sweep '${ref}' (built-in sweeps: ${known.join(', ') || 'none'}; or give a path to a sweep.json)`,
  );
}

/**
 * Reads and expands a sweep spec file (or a built-in sweep by name), loading the modules of one's
 * own its base and overrides name.
 */
export async function loadSweep<S extends SweepExperimentSpec = ExperimentSpec>(
  ref: string,
): Promise<ExpandedSweep<S>> {
  const file = sweepFile(ref);
  const raw = readJsonFile(file, 'sweep spec');
  const def = SweepSchema.safeParse(raw);
  if (def.success) {
    const base = deepMerge(
      readBase(def.data.base, file),
      absoluteModules(def.data.overrides, path.dirname(file)) as Record<string, unknown>,
    );
    await resolveSpecModules(base, path.dirname(path.resolve(file)));
  }
  return expandSweep<S>(raw, file);
}

/**
 * Validates a parsed sweep spec and expands it; `source` is its file (relative base paths start
 * there). Modules of one's own that the base names must be loaded first (loadSweep does it).
 */
export function expandSweep<S extends SweepExperimentSpec = ExperimentSpec>(
  raw: unknown,
  source: string,
): ExpandedSweep<S> {
  const parsed = SweepSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`invalid sweep spec ${source}: ${describeIssues(parsed.error)}`);
  const def = parsed.data;
  const where = `sweep ${source}`;
  const base = deepMerge(
    readBase(def.base, source),
    absoluteModules(def.overrides, path.dirname(source)) as Record<string, unknown>,
  );
  parseSweepExperiment(base, `${source} (base ${def.base} with the overrides)`);

  const keys = Object.keys(def.vary);
  for (const key of keys) checkVaryKey(base, key, def.vary[key][0], where);
  const total = keys.reduce((n, k) => n * def.vary[k].length, 1);
  if (total > MAX_RUNS)
    throw new UsageError(`${where}: ${total} runs is more than ${MAX_RUNS}; shorten the vary lists`);

  const labels = keyLabels(keys);
  const slugs = keys.map((k) => valueSlugs(k, def.vary[k], where));
  const names = experimentNames(String(base.name), keys, labels, slugs, def.vary);
  const runs: SweepRun<S>[] = [];
  const checked = new Set<string>();
  for (let index = 0; index < total; index++) {
    // Mixed radix, first key most significant: the first key varies slowest.
    const choice: number[] = [];
    let rest = index;
    for (let k = keys.length - 1; k >= 0; k--) {
      choice[k] = rest % def.vary[keys[k]].length;
      rest = Math.floor(rest / def.vary[keys[k]].length);
    }
    const id = keys.map((_k, i) => `${labels[i]}=${slugs[i][choice[i]]}`).join(',');
    const settings: Record<string, unknown> = {};
    const specRaw = structuredClone(base) as Record<string, unknown>;
    keys.forEach((k, i) => {
      settings[k] = def.vary[k][choice[i]];
      assign(specRaw, k, structuredClone(settings[k]), where);
    });
    specRaw.name = names(choice);
    const spec = parseSweepExperiment(forSweep(specRaw), `${source} (run ${id})`) as S;
    // Seeds alone do not change what a run can build; check each distinct task and agent set once.
    const shape = JSON.stringify(
      spec.kind === 'icl-regression' || spec.kind === 'icl-sequence'
        ? [spec.task, spec.models, spec.training, spec.evaluation]
        : [spec.task, spec.agents, spec.evaluation.compare],
    );
    if (!checked.has(shape)) {
      checkRunnable(spec, `${where}, run ${id}`);
      checked.add(shape);
    }
    runs.push({ index, id, settings, spec });
  }
  return {
    name: def.name,
    description: def.description,
    source,
    base: def.base,
    vary: def.vary,
    runs,
    hash: sweepHash(runs),
  };
}

/** The hash of an expansion: its run ids and complete specs, in order. */
function sweepHash(runs: readonly SweepRun<SweepExperimentSpec>[]): string {
  const text = JSON.stringify(runs.map((r) => [r.id, r.spec]));
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

function readBase(ref: string, source: string): Record<string, unknown> {
  const builtin = builtinExperiments().find((e) => e.id === ref);
  const file = builtin ? builtin.file : path.resolve(path.dirname(source), ref);
  if (!builtin && !fs.existsSync(file)) {
    const known = builtinExperiments().map((e) => e.id);
    throw new UsageError(
      `sweep ${source}: base '${ref}' is neither a built-in experiment ` +
        `(${known.join(', ')}) nor a file (looked for ${file})`,
    );
  }
  const raw = absoluteModules(readJsonFile(file, 'base experiment'), path.dirname(path.resolve(file)));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new UsageError(`base experiment ${file} is not a JSON object`);
  const kind = (raw as { kind?: unknown }).kind;
  if (kind !== undefined && !SWEEP_KINDS.includes(kind as string))
    throw new UsageError(
      `sweep ${source}: base ${ref} is a ${String(kind)} experiment; a sweep varies one meta-RL experiment ` +
        'or one icl-regression or icl-sequence experiment',
    );
  return raw as Record<string, unknown>;
}

/** The kinds of experiment a sweep varies. */
const SWEEP_KINDS = ['meta-rl', 'icl-regression', 'icl-sequence'];

/** Validates one experiment of a sweep: any kind but a suite. */
export function parseSweepExperiment(raw: unknown, source: string): SweepExperimentSpec {
  const kind = typeof raw === 'object' && raw !== null ? (raw as { kind?: unknown }).kind : undefined;
  if (kind === 'suite') throw new UsageError(`${source} is a suite of experiments; a sweep varies one experiment`);
  return parseAnyExperiment(raw, source) as SweepExperimentSpec;
}

/** The schema of a spec of the kind `base` names (meta-RL when it names none). */
function schemaOf(base: Record<string, unknown>) {
  if (base.kind === 'icl-sequence') return IclSequenceExperimentSchema;
  return base.kind === 'icl-regression' ? IclExperimentSchema : ExperimentSchema;
}

/**
 * What a sweep changes in every run: each run trains on one thread (the sweep runs several at
 * once, one per core), and learned agents are always meta-trained (a shipped checkpoint would
 * make every seed the same run). Models of in-context experiments train on the thread of their
 * run anyway; they too are always trained.
 */
function forSweep(spec: Record<string, unknown>): Record<string, unknown> {
  if (spec.kind === 'icl-regression' || spec.kind === 'icl-sequence') {
    if (Array.isArray(spec.models)) {
      spec.models = spec.models.map((m: unknown) => {
        if (typeof m !== 'object' || m === null) return m;
        const { checkpoint: _shipped, ...model } = m as Record<string, unknown>;
        return model;
      });
    }
    return spec;
  }
  const training = (spec.training ?? {}) as Record<string, unknown>;
  spec.training = { ...training, workers: 1 };
  if (Array.isArray(spec.agents)) {
    spec.agents = spec.agents.map((a: unknown) => {
      if (typeof a !== 'object' || a === null) return a;
      const { checkpoint: _shipped, ...agent } = a as Record<string, unknown>;
      const t = agent.training;
      return typeof t === 'object' && t !== null && 'workers' in t
        ? { ...agent, training: { ...t, workers: 1 } }
        : agent;
    });
  }
  return spec;
}

/**
 * A varied path must exist in the base spec, or be a setting the experiment schema knows (a
 * training setting left at its default, say). Paths into free-form options (`task.options.x`,
 * `agents.0.options.x`) are checked by the task or agent itself when the runs are validated.
 */
function checkVaryKey(base: Record<string, unknown>, key: string, value: unknown, where: string): void {
  const metaRl = base.kind === undefined || base.kind === 'meta-rl';
  if (metaRl && /^(agents\.\d+\.)?training\.workers$/.test(key)) {
    throw new UsageError(
      `${where}: vary key '${key}': a sweep trains each run on one thread; set how many runs go at once with --workers`,
    );
  }
  const segments = key.split('.');
  if (has(base, segments)) return;
  const probe = structuredClone(base);
  assign(probe, key, value, where);
  const result = schemaOf(base).safeParse(probe);
  if (result.success) return;
  for (const issue of result.error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    for (const k of issue.keys) {
      const unknown = [...issue.path.map(String), k];
      if (unknown.every((s, i) => segments[i] === s)) {
        throw new UsageError(
          `${where}: vary key '${key}' is not in the base experiment and not an ` +
            `experiment setting (${describeIssues(result.error)})`,
        );
      }
    }
  }
}

function has(root: unknown, segments: string[]): boolean {
  let node = root;
  for (const s of segments) {
    if (typeof node !== 'object' || node === null || !(s in node)) return false;
    node = (node as Record<string, unknown>)[s];
  }
  return true;
}

/**
 * Sets the value at a dotted path, creating missing objects; an index past an array's end or a path through a value is
 * a UsageError.
 */
function assign(root: Record<string, unknown>, key: string, value: unknown, where: string): void {
  const segments = key.split('.');
  let node: unknown = root;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const at = segments.slice(0, i).join('.') || '(top level)';
    const last = i === segments.length - 1;
    if (Array.isArray(node)) {
      const index = Number(s);
      if (!/^\d+$/.test(s) || index >= node.length) {
        throw new UsageError(
          `${where}: vary key '${key}': '${at}' is a list of ${node.length}, so '${s}' is not one of its positions`,
        );
      }
      if (last) node[index] = value;
      else node = node[index];
      continue;
    }
    if (typeof node !== 'object' || node === null)
      throw new UsageError(`${where}: vary key '${key}': '${at}' is ${JSON.stringify(node)}, not an object`);
    const record = node as Record<string, unknown>;
    if (last) record[s] = value;
    else {
      if (record[s] === undefined) record[s] = {};
      node = record[s];
    }
  }
}

/** Objects merge key by key; anything else in `over` replaces what is in `base`. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(v) && isPlainObject(b) ? deepMerge(b, v) : structuredClone(v);
  }
  return out;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Each run's experiment name: the base's, followed by its settings other than the seed
 * (`bandit-wang2018-hidden-32`). Runs that differ only in their seed share it, so `engram
 * compare` over a sweep makes one group per setting, with intervals over seeds. Names that would
 * be too long, or that two settings would share once lower-cased, become the base's name and a
 * short hash of the settings.
 */
function experimentNames(
  baseName: string,
  keys: string[],
  labels: string[],
  slugs: string[][],
  vary: Record<string, unknown[]>,
): (choice: number[]) => string {
  const kept = keys.map((_, i) => i).filter((i) => keys[i] !== 'seed');
  const readable = (choice: number[]) =>
    [baseName, ...kept.map((i) => `${labels[i]}-${slugs[i][choice[i]]}`)]
      .join('-')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/-+$/, '');
  const hashed = (choice: number[]) =>
    `${baseName}-${createHash('sha256')
      .update(JSON.stringify(kept.map((i) => vary[keys[i]][choice[i]])))
      .digest('hex')
      .slice(0, 8)}`;
  // Every combination of the settings other than the seed, to see whether readable names stay distinct and short.
  let combos: number[][] = [[]];
  for (const i of kept) {
    combos = combos.flatMap((c) =>
      vary[keys[i]].map((_, j) => {
        const next = [...c];
        next[i] = j;
        return next;
      }),
    );
  }
  const names = combos.map(readable);
  const fine = new Set(names).size === names.length && names.every((n) => n.length <= 80);
  return fine ? readable : hashed;
}

/** Each key's shortest distinct tail: `hidden` for agents.0.options.hidden, unless another key ends the same way. */
function keyLabels(keys: string[]): string[] {
  const parts = keys.map((k) => k.split('.'));
  return parts.map((p, i) => {
    for (let n = 1; n < p.length; n++) {
      const tail = p.slice(-n).join('.');
      if (parts.every((q, j) => j === i || q.slice(-n).join('.') !== tail)) return tail;
    }
    return p.join('.');
  });
}

/** Values as they appear in run ids: numbers and words as written, anything long or structured as a short hash. */
function valueSlugs(key: string, values: unknown[], where: string): string[] {
  const slugs = values.map((v) => {
    const structured = typeof v === 'object' && v !== null;
    const slug = (typeof v === 'string' ? v : JSON.stringify(v)).replace(/[^A-Za-z0-9._+-]/g, '-');
    return !structured && slug.length > 0 && slug.length <= 24
      ? slug
      : createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 8);
  });
  const seen = new Map<string, number>();
  slugs.forEach((s, i) => {
    const j = seen.get(s);
    if (j !== undefined)
      throw new UsageError(
        `${where}: vary.${key} lists ${JSON.stringify(values[j])} and ` +
          `${JSON.stringify(values[i])}, which give the same run id '${s}'`,
      );
    seen.set(s, i);
  });
  return slugs;
}

/**
 * The checks a run makes before it trains (the task accepts its options, every agent can play it
 * and accepts its own, every model can be built from its options and its training settings fit),
 * made here for every distinct run so that a bad value fails the sweep before any run starts.
 */
function checkRunnable(spec: SweepExperimentSpec, where: string): void {
  try {
    if (spec.kind === 'icl-sequence') checkSequenceSpec(spec);
    else if (spec.kind === 'icl-regression') checkIclSpec(spec);
    else checkAgents(spec, findTask(spec.task.id).create(spec.task.options));
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${where}: ${err.message}`);
    throw err;
  }
}

/** A part of a sweep for one task of a cluster job array: the runs whose index mod `count` is `index` (0-based). */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `--shard I/N` (0 ≤ I < N, as Slurm numbers array tasks from 0). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard must look like I/N (0-based: 0/2 and 1/2 are the two halves), got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError(`--shard ${text}: N must be at least 1`);
  if (index >= count)
    throw new UsageError(`--shard ${text}: I counts from 0 and must be below N (${count}), got ${index}`);
  return { index, count };
}

/** The runs of a shard: every `count`-th run from `index`, so shards are about equally long. */
export function shardRuns<T extends { index: number }>(runs: readonly T[], shard: Shard | null): T[] {
  return shard === null ? [...runs] : runs.filter((r) => r.index % shard.count === shard.index);
}
