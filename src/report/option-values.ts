// Options as reports print them: resolved values, each physical quantity with its unit
// (`timeStep 0.1 s`), since the numbers are in SI units whatever units the spec wrote them in.
import { findAgent } from '../../agents/index.ts';
import { findTask } from '../../tasks/index.ts';
import { formatOptionValues, type OptionRecord } from '../core/options.ts';
import { agentKey, type ExperimentSpec } from '../experiments/spec.ts';

/** The option record of an id, or undefined when this build no longer has it (its values then print bare). */
function recordOf(find: (id: string) => { options: OptionRecord }, id: string): OptionRecord | undefined {
  try {
    return find(id).options;
  } catch {
    return undefined;
  }
}

/** A task's options: `protocol dmp, …, timeStep 1 s, timeout 40 s`. */
export function taskOptionsText(taskId: string, values: Record<string, unknown>): string {
  return formatOptionValues(recordOf(findTask, taskId), values);
}

/** The options a spec gives its agents, by agent: `lstm: hidden 48; gru-32: hidden 32`; null if it gives none. */
export function agentOptionsText(spec: ExperimentSpec): string | null {
  const given = spec.agents.filter((a) => Object.keys(a.options).length > 0);
  if (given.length === 0) return null;
  return given.map((a) => `${agentKey(a)}: ${formatOptionValues(recordOf(findAgent, a.id), a.options)}`).join('; ');
}
