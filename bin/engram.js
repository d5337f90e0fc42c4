#!/usr/bin/env node
// The `engram` command: runs src/cli/main.ts from its TypeScript sources through tsx's loader, so
// no build step is needed.
import { registerSourceLoader } from './register-source.js';

registerSourceLoader();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
