// The coordinate model of Foster, Morris & Dayan (2000; agents/fmd-coordinate.ts) beside the plain
// place-cell actor-critic and random, at the paper's resolution (R = 1 m, platform radius 0.05 m,
// 493 place cells with σ = 0.16 m, 0.3 m/s, Δt = 0.1 s, 120 s timeout, 4 trials a day from the
// cardinal starts), each animal's weights and goal memory kept across its days:
//   - reference memory (one platform): escape latency by day, and the paired difference of each
//     animal's mean latency, coordinate model − actor-critic (≤ 0: it learns at least as fast);
//   - delayed matching-to-place (a new platform each day, `--layout anywhere` or `candidates`; a
//     rat that times out is put on the platform, the task's `guide`, unless `--no-guide`):
//     trial 1 and trial 2 by day, and over days 5–9 each animal's mean trial-2 / trial-1 ratio of
//     means, with the paired difference trial 2 − trial 1; the coordinate model again under its
//     `freeze-plasticity` and `reset-goal` lesions on the same instances and action streams;
//   - how well each coordinate-model animal's X̂ and Ŷ fit x and y at the end (correlation and slope
//     over a 0.05 m grid of the pool).
// With --learned, frozen meta-trained checkpoints (comma-separated files) are played on their own
// task, intact and under reset-state, for --learned-episodes held-out days, and join the figure.
// Optionally writes the figures with --figures DIR: latency by trial and by day of the synaptic
// agents, and the rats'-style figure (trials 1 and 2 by day for them, by trial for the learned ones).
//   node bin/run-ts.js scripts/watermaze-coordinate.ts [--animals 40] [--days 9] [--seed 0] [--layout anywhere]
//                     [--no-guide] [--learned FILES] [--learned-episodes 500] [--json] [--figures DIR]
//                     [--agent-options JSON]
import path from 'node:path';
import { type FmdCoordinateAgent, fmdCoordinateOptions } from '../agents/fmd-coordinate.ts';
import { findAgent } from '../agents/index.ts';
import { NetworkAgent } from '../agents/kit/network-agent.ts';
import { parseOptions } from '../src/core/options.ts';
import { isLesionable, type Lesion } from '../src/core/policy.ts';
import type { EpisodeRecord } from '../src/core/types.ts';
import { networkFromCheckpoint, readCheckpoint } from '../src/experiments/checkpoint.ts';
import { swimTrials, watermazeSummary } from '../src/measures/spatial.ts';
import { ci95, type Estimate, mean, pairedBootstrap } from '../src/measures/stats.ts';
import { evaluationRng } from '../src/rl/frozen-eval.ts';
import { evaluate, STREAMS } from '../src/rl/rollout.ts';
import { createWatermaze, type WatermazeFamily } from '../tasks/watermaze.ts';
import { flags } from './args.ts';

const { values } = flags({
  animals: '40',
  days: '9',
  seed: '0',
  layout: 'anywhere',
  'no-guide': false,
  learned: undefined,
  'learned-episodes': '500',
  json: false,
  figures: undefined,
  'agent-options': undefined,
});
/** Bad input: one line naming it, exit status 2. */
function refuse(message: string): never {
  console.error(`watermaze-coordinate: ${message}`);
  process.exit(2);
}
const count = (flag: 'animals' | 'days' | 'seed' | 'learned-episodes', least: number) => {
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n < least)
    refuse(`--${flag} must be an integer of at least ${least}, got '${values[flag]}'`);
  return n;
};
const animals = count('animals', 2);
const days = count('days', 1);
const seed = count('seed', 0);
const layout = values.layout as 'anywhere' | 'candidates';
if (layout !== 'anywhere' && layout !== 'candidates') refuse(`--layout is anywhere or candidates, got '${layout}'`);
let agentOptions: Record<string, unknown> = {};
try {
  agentOptions = values['agent-options'] !== undefined ? JSON.parse(values['agent-options']) : {};
} catch (error) {
  refuse(`--agent-options is not JSON: ${(error as Error).message}`);
}
// The agent's options and the checkpoints are checked before anything is played.
const attempt = <T>(run: () => T): T => {
  try {
    return run();
  } catch (error) {
    return refuse((error as Error).message);
  }
};
attempt(() => parseOptions('fmd-coordinate', fmdCoordinateOptions, agentOptions));
const learnedEpisodes = count('learned-episodes', 2);
const checkpoints = (values.learned ?? '')
  .split(',')
  .filter((file) => file !== '')
  .map((file) => ({ file, ...attempt(() => networkFromCheckpoint(readCheckpoint(file), file)) }));
const LATE = [4, 5, 6, 7, 8].filter((d) => d < days);

interface Played {
  records: EpisodeRecord[];
  seconds: number;
  agent: unknown;
}

function play(family: WatermazeFamily, id: string, lesion: Lesion = 'none'): Played {
  const rng = evaluationRng(seed);
  const agent = findAgent(id).create(family, id === 'fmd-coordinate' ? agentOptions : {}, rng.fork(STREAMS.evalAgent));
  if (lesion !== 'none' && !(isLesionable(agent) && agent.setLesion(lesion)))
    throw new Error(`${id} has no ${lesion} lesion`);
  const started = performance.now();
  const records = evaluate(family, agent, { episodes: animals, batchSize: animals, rng });
  return { records, seconds: Math.round((performance.now() - started) / 100) / 10, agent };
}

/** Per animal, its mean latency on trial `k` of the late days. */
function lateTrial(records: EpisodeRecord[], k: number): number[] {
  return records.map((r) =>
    mean(
      swimTrials(r)
        .filter((t) => LATE.includes(t.day) && t.trialOfDay === k)
        .map((t) => t.escapeLatency),
    ),
  );
}

function dmpSummary(family: WatermazeFamily, p: Played) {
  const s = watermazeSummary(p.records, family.options.trialsPerDay, days);
  const perDay = family.options.trialsPerDay;
  const t1 = lateTrial(p.records, 0);
  const t2 = lateTrial(p.records, 1);
  return {
    seconds: p.seconds,
    escapeRate: s.escapeRate,
    trial1ByDay: Array.from({ length: days }, (_, d) => s.escapeLatencyByTrial[d * perDay]),
    trial2ByDay: Array.from({ length: days }, (_, d) => s.escapeLatencyByTrial[d * perDay + 1]),
    late: {
      days: LATE.map((d) => d + 1),
      trial1: ci95(t1),
      trial2: ci95(t2),
      ratio: mean(t2) / mean(t1),
      trial2MinusTrial1: pairedBootstrap(t2, t1, `${seed}/late`),
    },
    perTrial: t2,
  };
}

/** How well animal b's coordinates fit the true ones over a grid of the pool. */
function coordinateFit(agent: FmdCoordinateAgent, family: WatermazeFamily, b: number) {
  const against = (axis: 0 | 1) => {
    const xs: number[] = [];
    const est: number[] = [];
    for (let x = -0.95; x <= 0.95; x += 0.05)
      for (let y = -0.95; y <= 0.95; y += 0.05) {
        if (x * x + y * y > 0.95 * 0.95) continue;
        const f = family.placeCells.activity(x, y);
        xs.push(axis === 0 ? x : y);
        est.push(agent.coordinates(b, f, 0)[axis]);
      }
    const mx = mean(xs);
    const me = mean(est);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i] - mx) * (est[i] - me);
      sxx += (xs[i] - mx) ** 2;
      syy += (est[i] - me) ** 2;
    }
    return { correlation: sxy / Math.sqrt(sxx * syy), slope: sxy / sxx };
  };
  return { x: against(0), y: against(1) };
}

const reference = createWatermaze({ protocol: 'reference', days });
const guide = !values['no-guide'];
const dmp = createWatermaze({ protocol: 'dmp', days, platformLayout: layout, guide });

const referencePlayed = Object.fromEntries(
  ['fmd-coordinate', 'actor-critic', 'random'].map((id) => [id, play(reference, id)]),
);
const animalMeans = (p: Played) => p.records.map((r) => mean(swimTrials(r).map((t) => t.escapeLatency)));
const referenceResult = {
  agents: Object.fromEntries(
    Object.entries(referencePlayed).map(([id, p]) => {
      const s = watermazeSummary(p.records, 4, days);
      return [id, { seconds: p.seconds, escapeLatencyByDay: s.escapeLatencyByDay, meanLatency: ci95(animalMeans(p)) }];
    }),
  ),
  coordinateMinusActorCritic: pairedBootstrap(
    animalMeans(referencePlayed['fmd-coordinate']),
    animalMeans(referencePlayed['actor-critic']),
    `${seed}/reference`,
  ),
};

const dmpPlayed: Record<string, Played> = {
  'fmd-coordinate': play(dmp, 'fmd-coordinate'),
  'fmd-coordinate (freeze-plasticity)': play(dmp, 'fmd-coordinate', 'freeze-plasticity'),
  'fmd-coordinate (reset-goal)': play(dmp, 'fmd-coordinate', 'reset-goal'),
  'actor-critic': play(dmp, 'actor-critic'),
  random: play(dmp, 'random'),
};
const dmpAgents = Object.fromEntries(Object.entries(dmpPlayed).map(([id, p]) => [id, dmpSummary(dmp, p)]));
const intactTrial2 = dmpAgents['fmd-coordinate'].perTrial;
const lesionEffects = Object.fromEntries(
  ['freeze-plasticity', 'reset-goal'].map((l) => [
    l,
    pairedBootstrap(dmpAgents[`fmd-coordinate (${l})`].perTrial, intactTrial2, `${seed}/${l}`),
  ]),
);
const model = dmpPlayed['fmd-coordinate'].agent as FmdCoordinateAgent;
const fits = Array.from({ length: animals }, (_, b) => coordinateFit(model, dmp, b));
const coordinates = {
  correlationX: ci95(fits.map((f) => f.x.correlation)),
  correlationY: ci95(fits.map((f) => f.y.correlation)),
  slopeX: ci95(fits.map((f) => f.x.slope)),
  slopeY: ci95(fits.map((f) => f.y.slope)),
};

/** Each frozen checkpoint on its own task: escape latency by trial, intact and under reset-state. */
const learned = Object.fromEntries(
  checkpoints.map(({ file, family, net }) => {
    const o = family.options as { trialsPerDay: number; days: number };
    const summary = (lesion: Lesion) => {
      const records = evaluate(family, new NetworkAgent(family, net, lesion), {
        episodes: learnedEpisodes,
        batchSize: 100,
        rng: evaluationRng(seed),
      });
      return { records, summary: watermazeSummary(records, o.trialsPerDay, o.days) };
    };
    const intact = summary('none');
    const reset = summary('reset-state');
    const trial = (records: EpisodeRecord[], k: number) =>
      records.map((r) => swimTrials(r).find((t) => t.trialOfDay === k && t.day === 0)?.escapeLatency ?? Number.NaN);
    return [
      path.basename(file, '.json'),
      {
        agent: net.agentId,
        taskOptions: family.options,
        escapeLatencyByTrial: intact.summary.escapeLatencyByTrial,
        escapeRate: intact.summary.escapeRate,
        ratio: mean(trial(intact.records, 1)) / mean(trial(intact.records, 0)),
        trial2MinusTrial1: pairedBootstrap(trial(intact.records, 1), trial(intact.records, 0), `${seed}/${file}`),
        resetState: {
          escapeLatencyByTrial: reset.summary.escapeLatencyByTrial,
          trial2Difference: pairedBootstrap(trial(reset.records, 1), trial(intact.records, 1), `${seed}/${file}/r`),
        },
      },
    ];
  }),
);

if (values.figures !== undefined) {
  const { latencyFigures } = await import('../src/report/spatial-figures.ts');
  const { writeVegaLiteSvg } = await import('../src/report/svg.ts');
  const byTrial = Object.fromEntries(
    ['fmd-coordinate', 'actor-critic', 'random'].map((id) => [
      id,
      watermazeSummary(dmpPlayed[id].records, 4, days).escapeLatencyByTrial,
    ]),
  );
  const { matchingToPlaceFigure } = await import('../src/report/spatial-figures.ts');
  const frozen = Object.fromEntries(Object.values(learned).map((l) => [`${l.agent}, frozen`, l.escapeLatencyByTrial]));
  const figures = [
    ...latencyFigures(byTrial, 4, `delayed matching-to-place, platform ${layout}`),
    matchingToPlaceFigure(byTrial, frozen, 4, `Delayed matching-to-place, platform ${layout}`),
  ];
  for (const f of figures) {
    const file = await writeVegaLiteSvg(f.spec, path.join(values.figures, `watermaze-coordinate-dmp-${f.name}.svg`));
    if (!values.json) console.log(`wrote ${file}`);
  }
}

const strip = (o: Record<string, ReturnType<typeof dmpSummary>>) =>
  Object.fromEntries(Object.entries(o).map(([k, { perTrial: _p, ...rest }]) => [k, rest]));
const fmt = (e: Estimate) => `${e.mean.toFixed(1)} ± ${((e.ci95[1] - e.ci95[0]) / 2).toFixed(1)}`;
const diff = (e: { mean: number; ci95: [number, number] }) =>
  `${e.mean >= 0 ? '+' : ''}${e.mean.toFixed(1)} [${e.ci95[0].toFixed(1)}, ${e.ci95[1].toFixed(1)}]`;
if (values.json) {
  console.log(
    JSON.stringify({
      animals,
      days,
      seed,
      layout,
      guide,
      agentOptions,
      reference: referenceResult,
      dmp: { agents: strip(dmpAgents), lesionEffectsOnLateTrial2: lesionEffects, coordinates },
      learned,
    }),
  );
} else {
  console.log(
    `${animals} animals, ${days} days × 4 trials, seed ${seed}; escape latency (s), mean ± 95% CI half-width`,
  );
  console.log('\nreference memory, latency by day:');
  for (const [id, a] of Object.entries(referenceResult.agents))
    console.log(`  ${id.padEnd(15)} ${a.escapeLatencyByDay.map(fmt).join(' | ')}  (${a.seconds} s)`);
  console.log(`  coordinate model − actor-critic, mean latency: ${diff(referenceResult.coordinateMinusActorCritic)}`);
  console.log(`\ndelayed matching-to-place, platform ${layout}${guide ? ', guided after a timeout' : ''}:`);
  for (const [id, a] of Object.entries(dmpAgents)) {
    console.log(`  ${id} (${a.seconds} s; escape rate ${fmt(a.escapeRate)})`);
    console.log(`    trial 1 by day: ${a.trial1ByDay.map(fmt).join(' | ')}`);
    console.log(`    trial 2 by day: ${a.trial2ByDay.map(fmt).join(' | ')}`);
    console.log(
      `    days ${a.late.days[0]}–${a.late.days.at(-1)}: trial 1 ${fmt(a.late.trial1)}, ` +
        `trial 2 ${fmt(a.late.trial2)}, ` +
        `ratio ${a.late.ratio.toFixed(2)}, trial 2 − trial 1 ${diff(a.late.trial2MinusTrial1)}`,
    );
  }
  for (const [l, e] of Object.entries(lesionEffects)) console.log(`  ${l}: late trial 2 Δ ${diff(e)}`);
  console.log(
    `  coordinates at the end: corr(X̂, x) ${coordinates.correlationX.mean.toFixed(3)}, ` +
      `corr(Ŷ, y) ${coordinates.correlationY.mean.toFixed(3)}, slopes ${coordinates.slopeX.mean.toFixed(2)}, ` +
      `${coordinates.slopeY.mean.toFixed(2)}`,
  );
  for (const [name, l] of Object.entries(learned)) {
    console.log(`\n${name} (${l.agent}, frozen, its own task; escape rate ${fmt(l.escapeRate)}):`);
    console.log(`  by trial: ${l.escapeLatencyByTrial.map(fmt).join(' | ')}`);
    console.log(`  trial 2 / trial 1 ${l.ratio.toFixed(2)}, trial 2 − trial 1 ${diff(l.trial2MinusTrial1)}`);
    console.log(`  reset-state: by trial ${l.resetState.escapeLatencyByTrial.map(fmt).join(' | ')}`);
    console.log(`  reset-state: trial 2 Δ ${diff(l.resetState.trial2Difference)}`);
  }
}
