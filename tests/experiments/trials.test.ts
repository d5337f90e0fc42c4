// A run's trial tables: trials.csv.gz and trials.parquet in the run directory hold every trial of
// every agent under every lesion that applies, and their values are those of the episodes the
// agents played (replayed here from the same seed). metrics.csv has its header when nothing trained.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findAgent } from '../../agents/index.ts';
import { isLesionable, type Lesion } from '../../src/core/policy.ts';
import { runExperiment } from '../../src/experiments/run.ts';
import { parseExperiment } from '../../src/experiments/spec.ts';
import { TrialFiles } from '../../src/experiments/trials-file.ts';
import { trialLayout, trialTable } from '../../src/measures/trials.ts';
import { writeReport } from '../../src/report/report.ts';
import { knownMetricsColumns } from '../../src/report/run-records.ts';
import { evaluationRng } from '../../src/rl/frozen-eval.ts';
import { evaluate, STREAMS } from '../../src/rl/rollout.ts';
import { findTask } from '../../tasks/index.ts';
import { tmp } from '../helpers/engram.ts';
import { csvText, parquetInfo, readTrialsCsv, readTrialsParquet, tableRows } from '../helpers/trials.ts';

const EPISODES = 12;
const TRIALS = 10;

const spec = parseExperiment(
  {
    name: 'tiny-trials',
    seed: 4,
    task: { id: 'bandit-correlated', options: { variant: 'easy', trials: TRIALS } },
    agents: [{ id: 'hebbian' }],
    training: { updates: 1 },
    evaluation: { episodes: EPISODES, batchSize: 5, compare: ['random', 'thompson'] },
  },
  'test',
);

/** The episodes `id` plays in the run's evaluation under `lesion`, replayed from the seed. */
function replay(id: string, lesion: Lesion) {
  const family = findTask(spec.task.id).create(spec.task.options);
  const rng = evaluationRng(spec.seed);
  const agent = findAgent(id).create(family, {}, rng.fork(STREAMS.evalAgent));
  if (lesion !== 'none' && !(isLesionable(agent) && agent.setLesion(lesion))) throw new Error('no such lesion');
  return evaluate(family, agent, { episodes: EPISODES, batchSize: spec.evaluation.batchSize, rng });
}

describe('the trial tables of a run', () => {
  it('hold agents × lesions × episodes × trials rows, alike in CSV and Parquet, from the played episodes', async () => {
    const { runDir } = await runExperiment(spec, { out: path.join(tmp(), 'run') });
    const played: [string, Lesion][] = [
      ['hebbian', 'none'],
      ['random', 'none'],
      ['thompson', 'none'],
      ['hebbian', 'reset-state'],
      ['hebbian', 'freeze-plasticity'],
    ];
    const family = findTask(spec.task.id).create(spec.task.options);
    const replays = played.map(([id, lesion]) => [id, lesion, replay(id, lesion)] as const);
    const layout = trialLayout(family, replays[0][2]);
    const expected = tableRows(replays.map(([id, lesion, records]) => trialTable(layout, id, lesion, records)));
    expect(expected).toHaveLength(played.length * EPISODES * TRIALS);

    const csv = readTrialsCsv(path.join(runDir, 'trials.csv.gz'));
    const columns = layout.columns.map((c) => c.name);
    expect(csv.header).toEqual(columns);
    expect(csv.header).toEqual(
      expect.arrayContaining(['agent', 'lesion', 'episode', 'trial', 'expectedRewards_0', 'action', 'reward']),
    );
    expect(csv.rows).toHaveLength(expected.length);
    csv.rows.forEach((fields, r) => {
      expect(fields, `row ${r}`).toEqual(columns.map((c) => csvText(expected[r][c])));
    });
    // The replayed values are the records' own.
    const [, , hebbian] = replays[0];
    expect(expected.slice(0, TRIALS).map((x) => x.action)).toEqual(hebbian[0].actions);
    expect(expected.slice(0, TRIALS).map((x) => x.reward)).toEqual(hebbian[0].rewards);
    expect(expected[0].expectedRewards_0).toBe(
      (hebbian[0].instance as { expectedRewards: number[] }).expectedRewards[0],
    );

    const parquet = await readTrialsParquet(path.join(runDir, 'trials.parquet'));
    expect(parquet).toEqual(expected);
    const info = parquetInfo(path.join(runDir, 'trials.parquet'));
    expect(info.columns).toEqual(columns);
    expect(info.metadata).toMatchObject({ experiment: 'tiny-trials', seed: 4, task: 'bandit-correlated' });
    // Nothing temporary is left behind.
    expect(fs.readdirSync(runDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // Nothing trained: metrics.csv is its header alone.
    await writeReport(runDir);
    const metrics = fs.readFileSync(path.join(runDir, 'metrics.csv'), 'utf8');
    expect(metrics).toBe(
      'agent,update,envSteps,wallSeconds,perf/envStepsPerSecond,train/entropy,train/entropyCoef,' +
        'train/episodeReward,train/expectedRegret,train/gradNorm,train/policyLoss,train/valueLoss\n',
    );
    expect(metrics.trim().split(',').sort()).toEqual(knownMetricsColumns('meta-rl').sort());
  });

  it('a failed evaluation leaves neither a torn table nor temporary files', () => {
    const dir = tmp();
    const family = findTask('bandit-bernoulli').create({ arms: 2, trials: 3 });
    const files = new TrialFiles(dir, family, {});
    const agent = findAgent('random').create(family, {}, evaluationRng(0));
    files.add('random', 'none', evaluate(family, agent, { episodes: 2, rng: evaluationRng(0) }));
    files.discard();
    expect(fs.readdirSync(dir)).toEqual([]);
    // An empty table still has its header (and a Parquet file that reads as no rows).
    const empty = new TrialFiles(dir, family, {});
    empty.close();
    expect(readTrialsCsv(path.join(dir, 'trials.csv.gz'))).toEqual({
      header: ['agent', 'lesion', 'episode', 'trial', 'action', 'reward'],
      rows: [],
    });
  });
});
