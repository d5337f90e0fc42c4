#!/usr/bin/env node
import path from 'node:path';
import { pathToFileURL } from 'node:url';
// Runs a TypeScript script (benchmarks, reproduction scripts) with tsx's loader: node bin/run-ts.js FILE [ARGS...]
import { register } from 'tsx/esm/api';

register();
const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bin/run-ts.js FILE.ts [ARGS...]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(file), ...rest];
await import(pathToFileURL(path.resolve(file)).href);
