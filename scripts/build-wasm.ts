// Builds the WebAssembly kernels (src/nn/wasm/assembly, AssemblyScript) into src/nn/wasm/kernels.wasm,
// which is committed so that a fresh clone runs without a build step.
//   npm run build:wasm           rebuild kernels.wasm
//   npm run build:wasm -- --check  exit 1 unless rebuilding from source gives the committed bytes (CI)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { flags } from './args.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SOURCE = path.join(ROOT, 'src/nn/wasm/assembly/index.ts');
const TARGET = path.join(ROOT, 'src/nn/wasm/kernels.wasm');
/** 128-bit SIMD; no garbage-collected runtime (the kernels allocate nothing); no traps on assertions. */
const OPTIONS = ['--enable', 'simd', '-O3', '--runtime', 'stub', '--noAssert', '--disableWarning', '112'];

/** Compiles the kernels into `out`. */
export function buildKernels(out: string): void {
  const asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
  execFileSync(process.execPath, [asc, SOURCE, ...OPTIONS, '-o', out], { stdio: ['ignore', 'inherit', 'inherit'] });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = flags({ check: false });
  if (values.check) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engram-wasm-'));
    const rebuilt = path.join(dir, 'kernels.wasm');
    buildKernels(rebuilt);
    const same = fs.readFileSync(rebuilt).equals(fs.readFileSync(TARGET));
    fs.rmSync(dir, { recursive: true, force: true });
    if (!same) {
      console.error('src/nn/wasm/kernels.wasm differs from its source: run npm run build:wasm and commit it');
      process.exit(1);
    }
    console.log('src/nn/wasm/kernels.wasm matches its source');
  } else {
    const temporary = `${TARGET}.tmp`;
    buildKernels(temporary);
    fs.renameSync(temporary, TARGET);
    console.log(`wrote ${path.relative(ROOT, TARGET)} (${fs.statSync(TARGET).size} bytes)`);
  }
}
