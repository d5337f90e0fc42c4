// Builds engram as a library: the TypeScript of src/, agents/ and tasks/ compiled to JavaScript
// with type declarations in dist/ (tsconfig.build.json; relative imports rewritten from .ts to
// .js), and the WebAssembly kernels copied beside their loader. `npm install` runs it (prepare).
//   npm run build
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

fs.rmSync(DIST, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
const wasm = 'src/nn/wasm/kernels.wasm';
fs.mkdirSync(path.dirname(path.join(DIST, wasm)), { recursive: true });
fs.copyFileSync(path.join(ROOT, wasm), path.join(DIST, wasm));
console.log(`built ${path.relative(process.cwd(), DIST) || DIST}`);
