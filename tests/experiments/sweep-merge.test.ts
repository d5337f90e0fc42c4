// Merging the parts of a sweep. The parts here are made by hand (sweep.json from the real
// expansion, run directories holding the files merge looks at), so the refusals are checked
// without training anything; tests/experiments/sweep-cli.test.ts merges real shards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeSweeps } from '../../src/experiments/merge.ts';
import { openSweepDir, readSweepDir } from '../../src/experiments/sweep-dir.ts';
import { expandSweep, type Shard } from '../../src/experiments/sweep-spec.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/sweep');
const sweep = expandSweep(
  { name: 'merge', base: 'tiny-bandit.json', vary: { seed: [0, 1, 2] } },
  path.join(fixtures, 'merge.json'),
);

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'engram-sweep-merge-'));
}

/** A sweep directory holding the given runs: finished ones (with eval.json) and stopped ones (config.json only). */
function part(shard: Shard | null, finished: string[], stopped: string[] = [], s = sweep): string {
  const dir = path.join(tmp(), 'part');
  openSweepDir(dir, s, shard);
  for (const id of [...finished, ...stopped]) {
    fs.mkdirSync(path.join(dir, 'runs', id, 'checkpoints'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'runs', id, 'config.json'), JSON.stringify({ id }));
    fs.writeFileSync(path.join(dir, 'runs', id, 'checkpoints/lstm.json'), `checkpoint of ${id}`);
    if (finished.includes(id))
      fs.writeFileSync(path.join(dir, 'runs', id, 'eval.json'), JSON.stringify({ id, regret: id.length }));
  }
  return dir;
}

const noDefault = () => {
  throw new Error('the tests always give --out');
};

describe('engram merge', () => {
  it('gathers the shards into one sweep directory and says what is missing', () => {
    const a = part({ index: 0, count: 2 }, ['seed=0', 'seed=2']);
    const b = part({ index: 1, count: 2 }, [], ['seed=1']);
    const out = path.join(tmp(), 'merged');
    const r = mergeSweeps([a, b], out, noDefault);
    expect(r.copied.sort()).toEqual(['seed=0', 'seed=1', 'seed=2']);
    expect(r.missing).toEqual(['seed=1']);
    expect(readSweepDir(out)).toMatchObject({ shard: null, sweep: { hash: sweep.hash } });
    expect(fs.readFileSync(path.join(out, 'runs/seed=2/checkpoints/lstm.json'), 'utf8')).toBe('checkpoint of seed=2');
    expect(fs.readdirSync(path.join(out, 'runs')).sort()).toEqual(['seed=0', 'seed=1', 'seed=2']);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'status.json'), 'utf8')).runs['seed=1']).toEqual({
      state: 'queued',
    });
    // The parts are left as they were.
    expect(fs.existsSync(path.join(a, 'runs/seed=0/eval.json'))).toBe(true);

    // Merging a part again copies nothing: its runs are there already, the same.
    const again = mergeSweeps([a], out, noDefault);
    expect(again.copied).toEqual([]);
    expect(again.present.sort()).toEqual(['seed=0', 'seed=2']);
  });

  it('refuses parts of another sweep, the same shard twice, a run in two parts, and a conflicting target', () => {
    const other = expandSweep(
      { name: 'other', base: 'tiny-bandit.json', vary: { seed: [0, 1, 2] }, overrides: { training: { updates: 31 } } },
      path.join(fixtures, 'other.json'),
    );
    const a = part({ index: 0, count: 2 }, ['seed=0']);
    const out = () => path.join(tmp(), 'merged');
    const cases: [() => unknown, RegExp][] = [
      [
        () => mergeSweeps([a, part({ index: 1, count: 2 }, [], [], other)], out(), noDefault),
        /is part of another sweep than .* \('other': other runs or settings\)/,
      ],
      [() => mergeSweeps([a, part({ index: 0, count: 2 }, ['seed=2'])], out(), noDefault), /are both shard 0\/2/],
      [
        () => mergeSweeps([a, part(null, ['seed=0', 'seed=1'])], out(), noDefault),
        /run seed=0 is in both .* and .*; merge only one of them/,
      ],
      [() => mergeSweeps([a, a], out(), noDefault), /is named twice/],
      [() => mergeSweeps([a], a, noDefault), /is both a part and the target/],
      [
        () => mergeSweeps([a], part({ index: 1, count: 2 }, []), noDefault),
        /holds shard 1\/2; merge into a directory of the whole sweep/,
      ],
      [() => mergeSweeps([a], part(null, [], [], other), noDefault), /holds another sweep \('other'/],
      [
        () => mergeSweeps([a], part(null, [], ['seed=0']), noDefault),
        /run seed=0 is already in .* and differs from the one in/,
      ],
      [() => mergeSweeps([tmp()], out(), noDefault), /not a sweep directory \(no sweep\.json\)/],
    ];
    for (const [merge, message] of cases) expect(merge).toThrow(message);
    const stray = part(null, ['seed=1']);
    fs.mkdirSync(path.join(stray, 'runs/seed=9'));
    expect(() => mergeSweeps([stray], out(), noDefault)).toThrow(/runs\/seed=9 is not a run of sweep 'merge'/);
  });

  it('changes nothing in the target when it refuses', () => {
    const target = path.join(tmp(), 'merged');
    mergeSweeps([part(null, ['seed=0'])], target, noDefault);
    const before = fs.readFileSync(path.join(target, 'status.json'), 'utf8');
    // seed=1 could be copied, but seed=0 conflicts: nothing is copied.
    expect(() => mergeSweeps([part(null, ['seed=1'], ['seed=0'])], target, noDefault)).toThrow(/seed=0 is already in/);
    expect(fs.readdirSync(path.join(target, 'runs'))).toEqual(['seed=0']);
    expect(fs.readFileSync(path.join(target, 'status.json'), 'utf8')).toBe(before);
  });
});
