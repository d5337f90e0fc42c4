// `npm start` gives the tables it gave before the layers were untangled: the mechanisms suite from
// the shipped checkpoints, reported, against the table rows of its report.md as main made them
// on 2026-11-30 (commit 87deebb), in tests/fixtures/mechanisms-tables.md; since then the spiking
// network's row and the reset-adaptation column joined (every earlier number unchanged), and the
// reset-state rows of the water maze and the hidden-goal maze changed when the lesion began to
// wipe each episode at its own trial boundaries (it had wiped the whole batch at the first
// episode's), and the water-maze part moved to platforms anywhere with the coordinate model; on
// 2026-12-01 the bandit's and Harlow's meta-trained agents moved to equal budgets with three
// training seeds (the tables over seeds joined; the classic agents' rows are unchanged), and the
// two-step part joined.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnyExperiment, type SuiteSpec } from '../../src/experiments/spec.ts';
import { runSuite } from '../../src/experiments/suite.ts';
import { writeReport } from '../../src/report/report.ts';

describe('the main job', () => {
  it('reports the same tables as before', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'engram-mechanisms-')), 'run');
    const result = await runSuite((await loadAnyExperiment('mechanisms')) as SuiteSpec, { out });
    expect(result.stopped).toBe(false);
    const report = fs.readFileSync(await writeReport(out), 'utf8');
    const rows = report.split('\n').filter((line) => line.startsWith('|'));
    const expected = fs
      .readFileSync(path.resolve(import.meta.dirname, '../fixtures/mechanisms-tables.md'), 'utf8')
      .trim()
      .split('\n');
    expect(rows).toEqual(expected);
  }, 180_000);
});
