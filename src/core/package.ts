// Where engram itself is installed, and its version: the nearest package.json named "engram" above
// this module. The same code runs from the sources (src/core) and from the built library
// (dist/src/core), so paths to the package's data (shipped checkpoints, built-in experiment specs)
// are found from the package's root rather than relative to this file.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** The directory of engram's package.json. */
export function packageRoot(): string {
  if (root !== null) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name === 'engram') {
      root = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`engram's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** engram's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
