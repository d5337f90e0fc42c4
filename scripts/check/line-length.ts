// Fails when a line of the source tree is longer than 120 characters: Biome formats code to that
// width but leaves long strings and comments alone (npm run lint runs this after it).
//   node bin/run-ts.js scripts/check/line-length.ts
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const WIDTH = 120;
const files = execFileSync('git', [
  'ls-files',
  '--cached',
  '--others',
  '--exclude-standard',
  'src',
  'agents',
  'tasks',
  'tests',
  'scripts',
  'bin',
  'examples',
])
  .toString()
  .split('\n')
  .filter((f) => /\.(ts|tsx|js|mjs|cjs)$/.test(f) && fs.existsSync(f));
const long: string[] = [];
for (const file of files) {
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      // Characters, not UTF-16 units: σ and ≤ count once.
      const length = [...line].length;
      if (length > WIDTH) long.push(`${file}:${i + 1}: ${length} characters`);
    });
}
if (long.length > 0) {
  console.error(`${long.length} line(s) longer than ${WIDTH} characters:\n${long.join('\n')}`);
  process.exit(1);
}
console.log(`${files.length} files, no line longer than ${WIDTH} characters`);
