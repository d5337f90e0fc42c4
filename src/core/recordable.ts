// What every agent that records its state (Agent.recordable, types.ts) needs alike: the size of a
// variable, the form of its name, and the error for a name it does not record.
import type { RecordableVariable } from './types.ts';

/** The form of a recordable variable's name: lower-case letters, digits, dashes and dots (`h`, `attention.0`). */
export const RECORDABLE_NAME = /^[a-z0-9][a-z0-9.-]*$/;

/** Values per batch element of a recordable variable: the product of its shape. */
export function recordableSize(variable: Pick<RecordableVariable, 'shape'>): number {
  return variable.shape.reduce((size, n) => size * n, 1);
}

/** The error for a variable an agent does not record, naming the agent, the variable and what it does record. */
export function unknownRecordable(agentId: string, name: string, variables: readonly RecordableVariable[]): Error {
  const known = variables.length === 0 ? 'nothing' : variables.map((v) => v.name).join(', ');
  return new Error(`${agentId}: no recordable variable '${name}' (it records ${known})`);
}
