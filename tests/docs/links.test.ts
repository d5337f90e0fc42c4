import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers/engram.ts';

/** The files under `dir` whose name `accept`s, skipping installed packages, git and runs. */
function filesUnder(dir: string, accept: (name: string) => boolean, files: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', '.git', 'runs'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(full, accept, files);
    else if (accept(entry.name)) files.push(full);
  }
  return files;
}

/** README.md and every Markdown file under docs/. */
function markdownFiles(): string[] {
  return [path.join(root, 'README.md'), ...filesUnder(path.join(root, 'docs'), (name) => name.endsWith('.md'))];
}

describe('the docs', () => {
  it('link only to files that exist in the repository', () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      const text = fs.readFileSync(file, 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
        const resolved = path.resolve(path.dirname(file), target.split('#')[0]);
        const inside = !path.relative(root, resolved).startsWith('..');
        if (!inside || !fs.existsSync(resolved)) broken.push(`${path.relative(root, file)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('and no file of the repository points at the directory beside it', () => {
    const outside = ['..', 'shared'].join('/'); // spelt so that this file does not match itself
    const files = filesUnder(root, (name) => /\.(ts|js|cjs|md|json|sh|py)$/.test(name) || name === 'run');
    const offenders = files.filter(
      (f) => fs.statSync(f).size < 5_000_000 && fs.readFileSync(f, 'utf8').includes(outside),
    );
    expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
  });

  it('keep the README under 200 lines', () => {
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(200);
  });
});
