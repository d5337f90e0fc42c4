// `engram check <id|module>`: the contract checks of src/rl/check.ts on a task or agent, built-in
// (by id) or of one's own (a module path). An agent is checked on the tasks it can play: the one
// given with --task, else the module's own tasks and every built-in task, each with its defaults.
import path from 'node:path';
import { AGENTS, agentRegistry } from '../../agents/index.ts';
import type { AgentEntry } from '../../agents/kit/entry.ts';
import { TASKS, taskRegistry } from '../../tasks/index.ts';
import { UsageError } from '../core/errors.ts';
import type { TaskEntry } from '../core/registry.ts';
import { importPlugin, isModulePath, registerAgent, registerTask } from '../experiments/plugins.ts';
import { type CheckReport, checkAgent, checkTask } from '../rl/check.ts';

export interface CheckCommandOptions {
  task?: string;
  taskOption?: Record<string, unknown>;
  agentOption?: Record<string, unknown>;
}

export interface CheckCommandResult {
  ok: boolean;
  reports: CheckReport[];
}

async function tasksNamed(name: string): Promise<TaskEntry[]> {
  if (isModulePath(name)) {
    const plugin = await importPlugin(path.resolve(name));
    if (plugin.tasks.length === 0) throw new UsageError(`module ${plugin.file} exports no task`);
    for (const t of plugin.tasks) registerTask(t);
    return plugin.tasks;
  }
  return [taskRegistry.find(name)];
}

/** Runs the checks on the task(s) or agent(s) `name` designates. */
export async function checkCommand(name: string, opts: CheckCommandOptions): Promise<CheckCommandResult> {
  let tasks: TaskEntry[] = [];
  let agents: AgentEntry[] = [];
  if (isModulePath(name)) {
    const plugin = await importPlugin(path.resolve(name));
    for (const t of plugin.tasks) registerTask(t);
    for (const a of plugin.agents) registerAgent(a);
    tasks = plugin.tasks;
    agents = plugin.agents;
  } else if (taskRegistry.has(name)) tasks = [taskRegistry.find(name)];
  else if (agentRegistry.has(name)) agents = [agentRegistry.find(name)];
  else {
    throw new UsageError(
      `unknown task or agent '${name}' (tasks: ${TASKS.map((t) => t.id).join(', ')}; ` +
        `agents: ${AGENTS.map((a) => a.id).join(', ')}; or give a module path)`,
    );
  }
  const reports: CheckReport[] = tasks.map((t) => checkTask(t, opts.taskOption));
  if (agents.length > 0) {
    const playable = opts.task !== undefined ? await tasksNamed(opts.task) : [...tasks, ...TASKS];
    for (const agent of agents) {
      const families = playable.map((t) => t.create(opts.task !== undefined ? opts.taskOption : undefined));
      const played = families.filter((f) => agent.cannotPlay(f) === null);
      if (played.length === 0) {
        throw new UsageError(
          `agent '${agent.id}' can play none of ${families.map((f) => f.id).join(', ')}` +
            (opts.task === undefined ? ' (name a task of its own with --task)' : ''),
        );
      }
      for (const family of played) reports.push(checkAgent(agent, family, opts.agentOption));
    }
  }
  return { ok: reports.every((r) => r.ok), reports };
}

/** The reports as lines: a heading per subject, a mark per check. */
export function formatCheck(result: CheckCommandResult): string[] {
  const lines: string[] = [];
  for (const r of result.reports) {
    lines.push(`${r.subject}: ${r.ok ? 'ok' : 'FAILED'}`);
    for (const c of r.checks) lines.push(`  ${c.ok ? '✓' : '✗'} ${c.name}${c.ok ? '' : `: ${c.problem}`}`);
  }
  return lines;
}
