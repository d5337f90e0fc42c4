// Tasks and agents of one's own: a module that exports a task entry (TaskEntry: id, description,
// options, create) or an agent entry (AgentEntry: id, kind, description, options, papers,
// cannotPlay, create, and createNetwork for a network A2C meta-trains), named in a spec instead of
// a built-in id (`"task": { "module": "./tasks/reversal.ts", "options": {…} }`, the same for an
// agent), or registered from code (registerTask, registerAgent). A spec's module paths are resolved
// against the spec's folder and recorded absolute in the run's config.json, its checkpoints and the
// recipe of its training threads, so resume, reports, sweeps, their worker threads and
// `engram eval` find the module again. Module, export and contract errors are UsageErrors naming
// the module.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { agentRegistry } from '../../agents/index.ts';
import type { AgentEntry } from '../../agents/kit/entry.ts';
import { taskRegistry } from '../../tasks/index.ts';
import { UsageError } from '../core/errors.ts';
import type { TaskEntry } from '../core/registry.ts';

/** What one module contributes. */
export interface PluginModule {
  /** The module's absolute path. */
  file: string;
  tasks: TaskEntry[];
  agents: AgentEntry[];
}

const AGENT_KINDS = ['learned', 'plastic', 'classic'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isOptionRecord(value: unknown): boolean {
  return isObject(value) && typeof (value as { safeParse?: unknown }).safeParse === 'function' && 'shape' in value;
}

/** An export that is shaped like an agent entry. */
function isAgentEntry(value: unknown): value is AgentEntry {
  return isObject(value) && typeof value.id === 'string' && AGENT_KINDS.includes(value.kind as string);
}

/** An export that is shaped like a task entry. */
function isTaskEntry(value: unknown): value is TaskEntry {
  return isObject(value) && typeof value.id === 'string' && typeof value.create === 'function' && !('kind' in value);
}

/** What is missing from an entry, or null. */
function entryProblem(entry: TaskEntry | AgentEntry): string | null {
  const what = isAgentEntry(entry) ? 'agent' : 'task';
  if (!/^[a-z0-9][a-z0-9-]*$/.test(entry.id))
    return `${what} id '${entry.id}' must be lower-case letters, digits and dashes`;
  if (typeof entry.description !== 'string') return `${what} '${entry.id}' has no description`;
  if (!isOptionRecord(entry.options)) return `${what} '${entry.id}' has no option record (options: a zod strictObject)`;
  if (typeof entry.create !== 'function') return `${what} '${entry.id}' has no create function`;
  if (isAgentEntry(entry)) {
    if (typeof entry.cannotPlay !== 'function') return `agent '${entry.id}' has no cannotPlay function`;
    if (!Array.isArray(entry.papers)) return `agent '${entry.id}' has no papers (an array, possibly empty)`;
  }
  return null;
}

const loaded = new Map<string, PluginModule>();

/** The absolute path of a module named in a spec (relative paths against `baseDir`). */
export function resolveModule(specifier: string, baseDir: string): string {
  return path.resolve(baseDir, specifier);
}

/** Imports a module of tasks and agents (once per path) and checks what it exports. */
export async function importPlugin(file: string): Promise<PluginModule> {
  const cached = loaded.get(file);
  if (cached !== undefined) return cached;
  if (!fs.existsSync(file)) throw new UsageError(`module ${file}: no such file`);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new UsageError(`module ${file} cannot be loaded: ${message}`);
  }
  const values = Object.values(exports).flatMap((v) => (Array.isArray(v) ? v : [v]));
  const unique = <T>(xs: T[]) => [...new Set(xs)];
  const plugin: PluginModule = {
    file,
    tasks: unique(values.filter(isTaskEntry)),
    agents: unique(values.filter(isAgentEntry)),
  };
  if (plugin.tasks.length === 0 && plugin.agents.length === 0) {
    throw new UsageError(
      `module ${file} exports no task or agent (a task: { id, description, options, create }; an agent: ` +
        '{ id, kind, description, options, papers, cannotPlay, create })',
    );
  }
  for (const entry of [...plugin.tasks, ...plugin.agents]) {
    const problem = entryProblem(entry);
    if (problem !== null) throw new UsageError(`module ${file}: ${problem}`);
  }
  loaded.set(file, plugin);
  return plugin;
}

/** Registers a task of one's own (again with the same entry is fine; another entry under a taken id is an error). */
export function registerTask(entry: TaskEntry): void {
  const problem = entryProblem(entry);
  if (problem !== null) throw new UsageError(problem);
  if (taskRegistry.has(entry.id) && taskRegistry.find(entry.id) === entry) return;
  taskRegistry.register(entry);
}

/** Registers an agent of one's own (as registerTask). */
export function registerAgent(entry: AgentEntry): void {
  const problem = entryProblem(entry);
  if (problem !== null) throw new UsageError(problem);
  if (agentRegistry.has(entry.id) && agentRegistry.find(entry.id) === entry) return;
  agentRegistry.register(entry);
}

/** Picks the entry a spec means from what a module exports: by id, or the only one. */
function pick<E extends { id: string }>(entries: E[], id: string | undefined, what: string, file: string): E {
  if (id !== undefined) {
    const found = entries.find((e) => e.id === id);
    if (found === undefined)
      throw new UsageError(
        `module ${file} has no ${what} '${id}' (it has: ${entries.map((e) => e.id).join(', ') || 'none'})`,
      );
    return found;
  }
  if (entries.length !== 1) {
    throw new UsageError(
      `module ${file} exports ${entries.length} ${what}s; say which with "id" (${entries.map((e) => e.id).join(', ')})`,
    );
  }
  return entries[0];
}

/** Loads and registers the task of a spec's module reference; returns its id. */
export async function loadTaskModule(file: string, id?: string): Promise<string> {
  const entry = pick((await importPlugin(file)).tasks, id, 'task', file);
  registerTask(entry);
  return entry.id;
}

/** Loads and registers the agent of a spec's module reference; returns its id. */
export async function loadAgentModule(file: string, id?: string): Promise<string> {
  const entry = pick((await importPlugin(file)).agents, id, 'agent', file);
  registerAgent(entry);
  return entry.id;
}

/** A task or agent reference of a spec, before or after its module is resolved. */
interface Reference {
  id?: unknown;
  module?: unknown;
  [key: string]: unknown;
}

async function resolveReference(ref: Reference, baseDir: string, what: 'task' | 'agent'): Promise<Reference> {
  if (ref.module === undefined) return ref;
  if (typeof ref.module !== 'string')
    throw new UsageError(`a ${what}'s "module" must be a path, got ${JSON.stringify(ref.module)}`);
  const file = resolveModule(ref.module, baseDir);
  const id = typeof ref.id === 'string' ? ref.id : undefined;
  const resolved = what === 'task' ? await loadTaskModule(file, id) : await loadAgentModule(file, id);
  return { ...ref, id: resolved, module: file };
}

/**
 * A raw spec (experiment or suite) with every module reference loaded, registered, given its id and
 * made absolute (paths relative to `baseDir`, the spec's folder); other specs come back unchanged.
 */
export async function resolveSpecModules(raw: unknown, baseDir: string): Promise<unknown> {
  if (!isObject(raw)) return raw;
  const out: Record<string, unknown> = { ...raw };
  if (Array.isArray(raw.parts)) out.parts = await Promise.all(raw.parts.map((p) => resolveSpecModules(p, baseDir)));
  if (isObject(raw.task)) out.task = await resolveReference(raw.task as Reference, baseDir, 'task');
  if (Array.isArray(raw.agents)) {
    out.agents = await Promise.all(
      raw.agents.map((a) => (isObject(a) ? resolveReference(a as Reference, baseDir, 'agent') : a)),
    );
  }
  return out;
}

/**
 * A raw spec with its module paths made absolute (relative ones against `baseDir`), and the id of
 * a reference that has none taken from its module when that module is already loaded.
 */
export function absoluteModules(raw: unknown, baseDir: string): unknown {
  if (!isObject(raw)) return raw;
  const absolute = (ref: unknown, what: 'task' | 'agent') => {
    if (!isObject(ref) || typeof ref.module !== 'string') return ref;
    const file = resolveModule(ref.module, baseDir);
    const plugin = loaded.get(file);
    const entries = plugin === undefined ? [] : what === 'task' ? plugin.tasks : plugin.agents;
    const id = typeof ref.id === 'string' ? ref.id : entries.length === 1 ? entries[0].id : ref.id;
    return { ...ref, id, module: file };
  };
  const out: Record<string, unknown> = { ...raw };
  if (Array.isArray(raw.parts)) out.parts = raw.parts.map((p) => absoluteModules(p, baseDir));
  if (raw.task !== undefined) out.task = absolute(raw.task, 'task');
  if (Array.isArray(raw.agents)) out.agents = raw.agents.map((a) => absolute(a, 'agent'));
  return out;
}

/** The absolute module paths a spec (or a checkpoint's task and agent) names. */
export function specModules(spec: {
  task?: { module?: string };
  agents?: readonly { module?: string }[];
  agent?: { module?: string };
  parts?: readonly unknown[];
}): string[] {
  const files = [spec.task?.module, spec.agent?.module, ...(spec.agents ?? []).map((a) => a.module)];
  for (const part of spec.parts ?? []) files.push(...specModules(part as Parameters<typeof specModules>[0]));
  return [...new Set(files.filter((f): f is string => typeof f === 'string'))];
}

/** Whether a command-line name is a module path rather than an id. */
export function isModulePath(name: string): boolean {
  return /[/\\]/.test(name) || /\.(m?[jt]s)$/.test(name);
}

/** A command-line task or agent name: an id as it is, a module path loaded and registered (its only entry's id). */
export async function idOrModule(name: string, what: 'task' | 'agent'): Promise<string> {
  if (!isModulePath(name)) return name;
  const file = path.resolve(name);
  return what === 'task' ? loadTaskModule(file) : loadAgentModule(file);
}

/** Loads the modules of one's own that a run directory's config.json names (a suite's parts too). */
export async function loadRunModules(dir: string): Promise<void> {
  const configs = [path.join(dir, 'config.json')];
  const parts = path.join(dir, 'parts');
  if (fs.existsSync(parts)) for (const p of fs.readdirSync(parts)) configs.push(path.join(parts, p, 'config.json'));
  for (const file of configs) {
    if (!fs.existsSync(file)) continue;
    try {
      await loadModules(specModules(JSON.parse(fs.readFileSync(file, 'utf8'))));
    } catch (err) {
      if (err instanceof SyntaxError) continue; // a broken config.json is reported by whoever reads it next
      throw err;
    }
  }
}

/** Loads and registers everything the given module files export (a run's, a checkpoint's, a worker's). */
export async function loadModules(files: readonly string[]): Promise<void> {
  for (const file of files) {
    const plugin = await importPlugin(file);
    for (const task of plugin.tasks) registerTask(task);
    for (const agent of plugin.agents) registerAgent(agent);
  }
}
