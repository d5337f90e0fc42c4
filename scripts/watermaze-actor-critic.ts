// The place-cell actor-critic (agents/actor-critic.ts) in the water maze with the paper's task
// defaults (Foster, Morris & Dayan 2000: R = 1 m, platform radius 0.05 m, 493 place cells with
// σ = 0.16 m, 0.3 m/s, Δt = 0.1 s, 120 s timeout, 4 trials a day from the cardinal starts):
// escape latency by day on the reference-memory protocol, and trial 1 vs trial 2 by day on
// delayed matching-to-place, each animal's weights persisting across its days. Beside it, the
// random agent on the same instances. Optionally writes the figures (latency by trial and day;
// swim paths of trial 1 and 2 of one day) with --figures DIR.
//   node bin/run-ts.js scripts/watermaze-actor-critic.ts [--animals 40] [--days 9] [--seed 0] [--json] [--figures DIR]
//                     [--agent-options JSON]
import path from 'node:path';
import { findAgent } from '../agents/index.ts';
import type { EpisodeRecord } from '../src/core/types.ts';
import { swimTrials, watermazeSummary } from '../src/measures/spatial.ts';
import type { Estimate } from '../src/measures/stats.ts';
import { evaluationRng } from '../src/rl/frozen-eval.ts';
import { evaluate, STREAMS } from '../src/rl/rollout.ts';
import { createWatermaze } from '../tasks/watermaze.ts';
import { flags } from './args.ts';

const { values } = flags({
  animals: '40',
  days: '9',
  seed: '0',
  json: false,
  figures: undefined,
  'agent-options': undefined,
});
const animals = Number(values.animals);
const days = Number(values.days);
const seed = Number(values.seed);
const agentOptions = values['agent-options'] !== undefined ? JSON.parse(values['agent-options']) : {};

interface ProtocolResult {
  protocol: string;
  taskOptions: Record<string, unknown>;
  agents: Record<
    string,
    {
      escapeLatencyByDay: Estimate[];
      escapeLatencyByTrialOfDay: Estimate[];
      escapeLatencyByTrial: Estimate[];
      trial1ByDay: Estimate[];
      trial2ByDay: Estimate[];
      escapeRate: Estimate;
      seconds: number;
    }
  >;
  records: Record<string, EpisodeRecord[]>;
}

async function run(protocol: 'reference' | 'dmp'): Promise<ProtocolResult> {
  const family = createWatermaze({ protocol, days });
  const rng = evaluationRng(seed);
  const result: ProtocolResult = {
    protocol,
    taskOptions: family.options as Record<string, unknown>,
    agents: {},
    records: {},
  };
  for (const id of ['actor-critic', 'random']) {
    const started = performance.now();
    const agent = findAgent(id).create(family, id === 'actor-critic' ? agentOptions : {}, rng.fork(STREAMS.evalAgent));
    const records = evaluate(family, agent, { episodes: animals, batchSize: animals, rng });
    const s = watermazeSummary(records, family.options.trialsPerDay, days);
    result.agents[id] = {
      escapeLatencyByDay: s.escapeLatencyByDay,
      escapeLatencyByTrialOfDay: s.escapeLatencyByTrialOfDay,
      trial1ByDay: Array.from({ length: days }, (_, day) => s.escapeLatencyByTrial[day * family.options.trialsPerDay]),
      trial2ByDay: Array.from(
        { length: days },
        (_, day) => s.escapeLatencyByTrial[day * family.options.trialsPerDay + 1],
      ),
      escapeLatencyByTrial: s.escapeLatencyByTrial,
      escapeRate: s.escapeRate,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    result.records[id] = records;
  }
  return result;
}

const results = [await run('reference'), await run('dmp')];
if (values.figures !== undefined) {
  const { latencyFigures, swimPathFigure } = await import('../src/report/spatial-figures.ts');
  const { writeVegaLiteSvg } = await import('../src/report/svg.ts');
  for (const r of results) {
    const task = `watermaze (${r.protocol})`;
    const byTrial = Object.fromEntries(Object.entries(r.agents).map(([id, a]) => [id, a.escapeLatencyByTrial]));
    // Trials 1 and 2 of the last day of the first animal.
    const paths = Object.fromEntries(
      Object.entries(r.records).map(([id, records]) => [
        id,
        swimTrials(records[0]).filter((t) => t.day === days - 1 && t.trialOfDay < 2),
      ]),
    );
    const figures = [
      ...latencyFigures(byTrial, 4, task),
      swimPathFigure(paths, { poolRadius: 1, platformRadius: 0.05 }, `Swim paths of animal 1 on day ${days}: ${task}`),
    ];
    for (const f of figures) {
      const file = await writeVegaLiteSvg(
        f.spec,
        path.join(values.figures, `watermaze-actor-critic-${r.protocol}-${f.name}.svg`),
      );
      if (!values.json) console.log(`wrote ${file}`);
    }
  }
}
const fmt = (e: Estimate) => `${e.mean.toFixed(1)} ± ${((e.ci95[1] - e.ci95[0]) / 2).toFixed(1)}`;
if (values.json) {
  console.log(
    JSON.stringify({ animals, days, seed, agentOptions, results: results.map(({ records: _r, ...rest }) => rest) }),
  );
} else {
  console.log(
    `actor-critic vs random, ${animals} animals, ${days} days × 4 trials, seed ` +
      `${seed}; escape latency (s), mean ± 95% CI half-width`,
  );
  for (const r of results) {
    console.log(`\n${r.protocol}:`);
    for (const [id, a] of Object.entries(r.agents)) {
      console.log(`  ${id} (${a.seconds} s; escape rate ${fmt(a.escapeRate)})`);
      console.log(`    by day:        ${a.escapeLatencyByDay.map(fmt).join(' | ')}`);
      if (r.protocol === 'dmp') {
        console.log(`    trial 1 by day: ${a.trial1ByDay.map(fmt).join(' | ')}`);
        console.log(`    trial 2 by day: ${a.trial2ByDay.map(fmt).join(' | ')}`);
      }
      console.log(`    by trial of day: ${a.escapeLatencyByTrialOfDay.map(fmt).join(' | ')}`);
    }
  }
}
