// `engram list`: the tasks, agents, built-in experiments and sweeps; with --task or --agent, every option
// of one of them (description, default, range, unit), read from its option record as
// docs/tasks.md and docs/agents.md are, and a task's latent variables (those of its family with
// the default options). With --json, options are JSON Schema (zod's, with the option() metadata),
// so that scripts can build and check specs from it.
import { AGENTS, findAgent } from '../../agents/index.ts';
import type { AgentEntry } from '../../agents/kit/entry.ts';
import { findTask, TASKS } from '../../tasks/index.ts';
import { describeOptions, type OptionRecord, optionsJsonSchema } from '../core/options.ts';
import type { TaskEntry } from '../core/registry.ts';
import type { LatentVariable } from '../core/types.ts';
import { builtinExperiments } from '../experiments/spec.ts';
import { builtinSweeps } from '../experiments/sweep-spec.ts';

export interface ListRequest {
  task?: string;
  agent?: string;
}

function taskJson(t: TaskEntry) {
  return { id: t.id, description: t.description, options: optionsJsonSchema(t.options) };
}

function agentJson(a: AgentEntry) {
  return {
    id: a.id,
    kind: a.kind,
    description: a.description,
    papers: a.papers,
    options: optionsJsonSchema(a.options),
  };
}

/** The latent variables of a task's family with the default options (none declared: an empty list). */
function latentVariablesOf(t: TaskEntry): readonly LatentVariable[] {
  return t.create().latentVariables ?? [];
}

/** What `engram list --json` prints: the catalogue, or the entries --task and --agent name. */
export function listJson(request: ListRequest = {}): Record<string, unknown> {
  if (request.task !== undefined || request.agent !== undefined) {
    const task = request.task !== undefined ? findTask(request.task) : undefined;
    return {
      ...(task !== undefined ? { task: { ...taskJson(task), latentVariables: latentVariablesOf(task) } } : {}),
      ...(request.agent !== undefined ? { agent: agentJson(findAgent(request.agent)) } : {}),
    };
  }
  return {
    tasks: TASKS.map(taskJson),
    agents: AGENTS.map(agentJson),
    experiments: builtinExperiments().map((e) => ({ id: e.id, description: e.description })),
    sweeps: builtinSweeps().map((e) => ({ id: e.id, description: e.description })),
  };
}

/** The options of a record as an aligned table, one line each, with a header (the columns of docs/tasks.md). */
export function optionLines(schema: OptionRecord): string[] {
  const options = describeOptions(schema);
  if (options.length === 0) return ['  No options.'];
  const rows = [
    ['option', 'type', 'default', 'range', 'unit', 'what it is'],
    ...options.map((o) => [o.name, o.type, o.default ?? '—', o.range ?? '—', o.unit ?? '—', o.description]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map(
    (r) => `  ${r.map((cell, c) => (c < r.length - 1 ? cell.padEnd(widths[c]) : cell)).join('  ')}`,
  );
  const quantity = options.find((o) => o.unit !== null && o.default !== null);
  if (quantity !== undefined) {
    lines.push(
      '',
      'An option with a unit takes a number in that unit, or a quantity in any unit of the same dimension ' +
        `as text: "${quantity.name}": "${quantity.default} ${quantity.unit}" in a spec, ` +
        `${quantity.name}="${quantity.default} ${quantity.unit}" on the command line.`,
    );
  }
  return lines;
}

/** A task's latent variables as an aligned table with a header, or nothing when it declares none. */
function latentLines(variables: readonly LatentVariable[]): string[] {
  if (variables.length === 0) return [];
  const rows = [
    ['variable', 'size', 'kind', 'unit', 'what it is'],
    ...variables.map((v) => [
      v.name,
      String(v.size),
      v.kind === 'categorical' ? `categorical (${v.classes} classes)` : v.kind,
      v.unit || '—',
      v.beliefOf !== undefined ? `${v.description} (a belief of ${v.beliefOf})` : v.description,
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return [
    '',
    "Latent variables (default options; each step's value is taken when the agent chooses its action):",
    ...rows.map((r) => `  ${r.map((cell, c) => (c < r.length - 1 ? cell.padEnd(widths[c]) : cell)).join('  ')}`),
  ];
}

function taskText(t: TaskEntry): string[] {
  return [
    `${t.id}: ${t.description}`,
    '',
    `Options (a spec's "task": { "id": "${t.id}", "options": { … } }; engram baseline --task-option key=value):`,
    ...optionLines(t.options),
    ...latentLines(latentVariablesOf(t)),
  ];
}

function agentText(a: AgentEntry): string[] {
  // Learned agents are meta-trained by `engram run` from a spec; the others also play in `engram baseline`.
  const where = a.createNetwork ? '' : '; engram baseline --agent-option key=value';
  return [
    `${a.id} (${a.kind}${a.privileged ? ', privileged' : ''}): ${a.description}`,
    ...(a.papers.length > 0 ? ['', `Papers: ${a.papers.join('; ')}.`] : []),
    '',
    `Options (a spec's "agents": [{ "id": "${a.id}", "options": { … } }]${where}):`,
    ...optionLines(a.options),
  ];
}

/** What `engram list` prints without --json. */
export function listText(request: ListRequest = {}): string[] {
  if (request.task !== undefined || request.agent !== undefined) {
    const task = request.task !== undefined ? taskText(findTask(request.task)) : [];
    const agent = request.agent !== undefined ? agentText(findAgent(request.agent)) : [];
    return task.length > 0 && agent.length > 0 ? [...task, '', ...agent] : [...task, ...agent];
  }
  const experiments = builtinExperiments();
  return [
    'engram: where does learning live, in synapses or in activity?',
    '',
    'Tasks:',
    ...TASKS.map((t) => `  ${t.id.padEnd(20)} ${t.description}`),
    '',
    'Agents:',
    ...AGENTS.map((a) => `  ${a.id.padEnd(16)} ${a.kind.padEnd(8)} ${a.description}`),
    '',
    'Built-in experiments:',
    ...experiments.map((e) => `  ${e.id.padEnd(28)} ${e.description}`),
    '',
    'Built-in sweeps (npx engram sweep <name>):',
    ...builtinSweeps().map((e) => `  ${e.id.padEnd(28)} ${e.description}`),
    '',
    'Run `npx engram list --task <id>` or `--agent <id>` for their options, `npx engram --help` for the commands.',
  ];
}
