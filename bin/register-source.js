// engram run from its TypeScript sources (the engram command, and the worker threads it starts):
// tsx's loader for TypeScript, and the `engram-source` export condition, so that a module of one's
// own that imports 'engram' gets these same sources, not the built dist/ (one copy of the
// registries, classes and errors in the process).
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const HOOKS = `export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, 'engram-source'] });
}`;

export function registerSourceLoader() {
  registerTsx();
  // Registered after tsx, so it runs first and tsx resolves with the condition added.
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
}
