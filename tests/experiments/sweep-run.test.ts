// Running sweeps on worker threads: the runs are exactly the runs runExperiment makes on its own,
// a stopped sweep resumes (finished runs untouched, a stopped run from its checkpoint), and a run
// that fails does not stop the others.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvalFile } from '../../src/experiments/evaluation.ts';
import { runExperiment } from '../../src/experiments/run.ts';
import { SharedRunControl } from '../../src/experiments/shared-control.ts';
import { runSweep, type SweepEvent } from '../../src/experiments/sweep.ts';
import { diskState, openSweepDir, readSweepDir } from '../../src/experiments/sweep-dir.ts';
import { expandSweep, loadSweep, type SweepRun } from '../../src/experiments/sweep-spec.ts';
import { readEventDir } from '../helpers/tfevents.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/sweep');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'engram-sweep-run-'));
}

/** eval.json without the training wall time, the one number that differs between identical runs. */
function evaluation(runDir: string): EvalFile {
  const ev = JSON.parse(fs.readFileSync(path.join(runDir, 'eval.json'), 'utf8'));
  for (const a of Object.values(ev.agents) as Record<string, unknown>[]) delete a.trainingSeconds;
  return ev;
}

/** The same run made by runExperiment in this thread. */
async function direct(run: SweepRun): Promise<EvalFile> {
  const out = path.join(tmp(), run.id);
  await runExperiment(run.spec, { out });
  return evaluation(out);
}

describe('engram sweep on worker threads', () => {
  it('runs two runs on two workers, each exactly the run runExperiment makes', async () => {
    const sweep = await loadSweep(path.join(fixtures, 'tiny-sweep.json'));
    const out = path.join(tmp(), 'sweep');
    const events: SweepEvent[] = [];
    const result = await runSweep(sweep, { out, workers: 2, onEvent: (e) => events.push(e) });
    expect(result.stopped).toBe(false);
    expect(result.runs.map((r) => [r.id, r.state])).toEqual([
      ['seed=0', 'done'],
      ['seed=1', 'done'],
    ]);
    const start = events[0] as Extract<SweepEvent, { type: 'sweep-start' }>;
    expect(start).toMatchObject({ type: 'sweep-start', name: 'tiny', workers: 2, shard: null });
    expect(events.at(-1)).toEqual({ type: 'sweep-end', out, stopped: false });
    // Each run's events arrive, in order, before its end.
    for (const id of ['seed=0', 'seed=1']) {
      const mine = events.filter((e) => (e.type === 'run-event' || e.type === 'run-end') && e.id === id);
      expect(mine[0]).toMatchObject({ type: 'run-event', event: { type: 'run-start', resumed: false } });
      expect(mine.at(-2)).toMatchObject({ type: 'run-event', event: { type: 'run-end', stopped: false } });
      expect(mine.at(-1)).toMatchObject({ type: 'run-end', state: 'done', headline: { agent: 'lstm' } });
    }
    for (const run of sweep.runs) {
      const dir = path.join(out, 'runs', run.id);
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      expect(config.training.workers).toBe(1);
      expect(config.seed).toBe(run.spec.seed);
      expect(evaluation(dir)).toEqual(await direct(run));
      // Its TensorBoard file, written on the worker thread: every logged update, then the evaluation.
      const metrics = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
      const { files, events } = readEventDir(path.join(dir, 'tb', 'lstm'));
      expect(files).toHaveLength(1);
      const updates = metrics.map((l) => JSON.parse(l)).filter((r) => r.agent === 'lstm');
      expect(events[0].slice(1, -1).map((e) => e.step)).toEqual(updates.map((r) => r.update));
      expect(events[0].at(-1)!.values.every(([tag]) => tag.startsWith('eval/'))).toBe(true);
    }
    expect(evaluation(path.join(out, 'runs/seed=0'))).not.toEqual(evaluation(path.join(out, 'runs/seed=1')));
    expect(readSweepDir(out).sweep.hash).toBe(sweep.hash);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'status.json'), 'utf8'))).toEqual({
      runs: { 'seed=0': { state: 'done' }, 'seed=1': { state: 'done' } },
    });
  });

  it('resumes a stopped sweep: finished runs are kept, a stopped run continues from its checkpoint', async () => {
    const sweep = expandSweep(
      { name: 'resume', base: 'tiny-bandit.json', overrides: { training: { updates: 200 } }, vary: { seed: [3, 4] } },
      path.join(fixtures, 'resume.json'),
    );
    const out = path.join(tmp(), 'sweep');
    const control = new SharedRunControl();
    // One worker: seed=3 finishes, then seed=4 is stopped at its first update.
    const first = await runSweep(sweep, {
      out,
      workers: 1,
      control,
      onEvent: (e) => {
        if (e.type === 'run-event' && e.id === 'seed=4' && e.event.type === 'update') control.stop = true;
      },
    });
    expect(first.stopped).toBe(true);
    expect(first.runs.map((r) => r.state)).toEqual(['done', 'stopped']);
    expect(diskState(out, 'seed=4')).toBe('partial');
    const finished = fs.readFileSync(path.join(out, 'runs/seed=3/eval.json'));

    const events: SweepEvent[] = [];
    const second = await runSweep(sweep, { out, workers: 2, onEvent: (e) => events.push(e) });
    expect(second.stopped).toBe(false);
    expect(second.runs.map((r) => r.state)).toEqual(['done', 'done']);
    const start = events[0] as Extract<SweepEvent, { type: 'sweep-start' }>;
    expect(start.runs.map((r) => r.state)).toEqual(['done', 'queued']);
    expect(start.runs[0].headline?.agent).toBe('lstm');
    // The finished run was not run again.
    expect(events.some((e) => e.type === 'run-event' && e.id === 'seed=3')).toBe(false);
    expect(fs.readFileSync(path.join(out, 'runs/seed=3/eval.json')).equals(finished)).toBe(true);
    const trainStarts = events.flatMap((e) =>
      e.type === 'run-event' && e.id === 'seed=4' && e.event.type === 'train-start' ? [e.event] : [],
    );
    expect(trainStarts).toHaveLength(1);
    expect(trainStarts[0].fromUpdate).toBeGreaterThan(0);
    expect(evaluation(path.join(out, 'runs/seed=4'))).toEqual(await direct(sweep.runs[1]));
  });

  it('keeps going when a run fails, and records why', async () => {
    const sweep = await loadSweep(path.join(fixtures, 'tiny-sweep.json'));
    const out = path.join(tmp(), 'sweep');
    openSweepDir(out, sweep, null);
    // A file where seed=0's run directory should be: that run cannot start.
    fs.writeFileSync(path.join(out, 'runs/seed=0'), 'in the way');
    const result = await runSweep(sweep, { out, workers: 2 });
    expect(result.stopped).toBe(false);
    expect(result.runs.map((r) => r.state)).toEqual(['failed', 'done']);
    expect(result.runs[0].error).toMatch(/ENOTDIR|not a directory/);
    const status = JSON.parse(fs.readFileSync(path.join(out, 'status.json'), 'utf8'));
    expect(status.runs['seed=0']).toEqual({ state: 'failed', error: result.runs[0].error });
  });

  it('refuses a directory that holds another sweep or another shard of this one', async () => {
    const sweep = await loadSweep(path.join(fixtures, 'tiny-sweep.json'));
    const out = path.join(tmp(), 'sweep');
    openSweepDir(out, sweep, { index: 0, count: 2 });
    await expect(runSweep(sweep, { out })).rejects.toThrow(/holds shard 0\/2 of this sweep, not the whole sweep/);
    const other = expandSweep(
      { name: 'other', base: 'tiny-bandit.json', vary: { seed: [7] } },
      path.join(fixtures, 'other.json'),
    );
    await expect(runSweep(other, { out })).rejects.toThrow(/holds another sweep \('tiny'/);
    const busy = tmp();
    fs.writeFileSync(path.join(busy, 'notes.txt'), 'mine');
    await expect(runSweep(sweep, { out: busy })).rejects.toThrow(/exists and is not a sweep directory/);
  });
});
