// The README's "where learning lives" numbers from a run of the bandit-mechanisms experiment:
// the regret table of every agent, P(best arm) by trial (an SVG figure, and a markdown table at
// selected trials), and the lesion table: each learning agent under `reset-state` and
// `freeze-plasticity`, paired with itself intact on the same held-out instances (the same
// evaluations `engram eval --lesion` and `engram baseline --lesion` print).
//
//   node bin/run-ts.js scripts/bandit-mechanisms-report.ts runs/bandit-mechanisms-... [--figure docs/figures/bandit-mechanisms-pbest.svg] [--json]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseExperiment } from '../src/experiments/spec.ts';
import { checkpointFile, type EvalFile } from '../src/experiments/run.ts';
import { networkFromCheckpoint, readCheckpoint, SHIPPED_CHECKPOINT_DIR } from '../src/experiments/checkpoint.ts';
import { findTask } from '../tasks/index.ts';
import { findAgent } from '../agents/index.ts';
import { frozenEvaluation, type AgentResult } from '../src/rl/frozen-eval.ts';
import { runBaseline } from '../src/rl/baseline.ts';
import type { Estimate } from '../src/analysis/stats.ts';
import { writeVegaLiteSvg, type TopLevelSpec } from '../src/analysis/figures.ts';
import type { Lesion } from '../src/rl/policy.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    figure: { type: 'string', default: 'docs/figures/bandit-mechanisms-pbest.svg' },
    json: { type: 'boolean', default: false },
  },
});
const runDir = positionals[0];
if (!runDir) {
  console.error('usage: node bin/run-ts.js scripts/bandit-mechanisms-report.ts <run-dir> [--figure FILE] [--json]');
  process.exit(2);
}
const spec = parseExperiment(JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8')), runDir);
const evalFile = JSON.parse(fs.readFileSync(path.join(runDir, 'eval.json'), 'utf8')) as EvalFile;
const family = findTask(spec.task.id).create(spec.task.options);
const { episodes, batchSize } = spec.evaluation;

const pm = (e: Estimate, digits = 2) => `${e.mean.toFixed(digits)} ± ${((e.ci95[1] - e.ci95[0]) / 2).toFixed(digits)}`;

// The regret table.
const agents = Object.entries(evalFile.agents) as [string, AgentResult][];
const lines: string[] = [];
lines.push(`| agent | kind | expected regret (T = ${family.trialsPerEpisode}) | total reward | P(best), last trial | within-episode plasticity |`);
lines.push('|---|---|---|---|---|---|');
for (const [id, r] of agents) {
  const p = r.plasticity as { meanAbsTraceChange?: number; meanAbsWeightChange?: number } | undefined;
  const plastic = p?.meanAbsTraceChange !== undefined ? `mean abs(ΔHebb) ${p.meanAbsTraceChange.toFixed(3)}` : p?.meanAbsWeightChange !== undefined ? `mean abs(Δw) ${p.meanAbsWeightChange.toFixed(2)}` : '—';
  lines.push(`| ${id} | ${r.kind} | ${pm(r.expectedRegret)} | ${pm(r.totalReward, 1)} | ${pm(r.pBestByTrial[r.pBestByTrial.length - 1], 3)} | ${plastic} |`);
}

// P(best) at selected trials.
const trials = [1, 2, 3, 5, 10, 20, 50, 100].filter((t) => t <= family.trialsPerEpisode);
lines.push('', `| P(best arm) at trial | ${trials.join(' | ')} |`, `|---|${trials.map(() => '---').join('|')}|`);
for (const [id, r] of agents) lines.push(`| ${id} | ${trials.map((t) => r.pBestByTrial[t - 1].mean.toFixed(2)).join(' | ')} |`);

// Lesions, paired with the intact agent on the same instances.
const lesionRows: Record<string, Record<string, unknown>> = {};
lines.push('', '| agent | intact regret | reset-state: regret (Δ, paired) | freeze-plasticity: regret (Δ, paired) |', '|---|---|---|---|');
for (const agentSpec of spec.agents) {
  const entry = findAgent(agentSpec.id);
  const cells: string[] = [];
  let intact: Estimate | null = null;
  lesionRows[agentSpec.id] = {};
  for (const lesion of ['reset-state', 'freeze-plasticity'] as Lesion[]) {
    let result: { expectedRegret: Estimate; intact?: AgentResult; lesionEffect?: { applies: boolean; regretIncrease: Estimate } };
    if (entry.createNetwork) {
      const shipped = agentSpec.checkpoint === undefined ? null : path.join(SHIPPED_CHECKPOINT_DIR, `${agentSpec.checkpoint}.json`);
      const file = shipped !== null && fs.existsSync(shipped) ? shipped : checkpointFile(runDir, agentSpec.id);
      const { net } = networkFromCheckpoint(readCheckpoint(file), file, family);
      result = frozenEvaluation(family, net, { episodes, batchSize, seed: spec.seed, compare: [], lesion });
    } else {
      result = runBaseline({ agent: agentSpec.id, task: spec.task.id, taskOptions: spec.task.options, agentOptions: agentSpec.options, episodes, seed: spec.seed, batchSize, lesion }).report;
    }
    intact = result.intact!.expectedRegret;
    const effect = result.lesionEffect!;
    lesionRows[agentSpec.id][lesion] = { expectedRegret: result.expectedRegret, intact: intact, ...effect };
    cells.push(effect.applies ? `${pm(result.expectedRegret)} (${effect.regretIncrease.mean >= 0 ? '+' : ''}${pm(effect.regretIncrease)})` : 'no such memory');
  }
  lines.push(`| ${agentSpec.id} | ${pm(intact!)} | ${cells.join(' | ')} |`);
}

// The figure: P(best) by trial, one line per agent, told apart by dash and shape as well as colour.
const data = agents.flatMap(([id, r]) => r.pBestByTrial.map((e, t) => ({ agent: id, trial: t + 1, pBest: e.mean, low: e.ci95[0], high: e.ci95[1] })));
const figure: TopLevelSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title: `P(best arm) by trial: ${family.id} (${(family.options as { variant?: string }).variant ?? ''}), ${episodes} held-out episodes`,
  width: 560,
  height: 300,
  data: { values: data },
  encoding: {
    x: { field: 'trial', type: 'quantitative', title: 'trial' },
    color: { field: 'agent', type: 'nominal', title: 'agent' },
  },
  layer: [
    { mark: { type: 'errorband', opacity: 0.15 }, encoding: { y: { field: 'low', type: 'quantitative', title: 'P(best arm)', scale: { domain: [0.4, 1] } }, y2: { field: 'high' } } },
    {
      mark: { type: 'line', point: { size: 12, filled: true } },
      encoding: {
        y: { field: 'pBest', type: 'quantitative', title: 'P(best arm)', scale: { domain: [0.4, 1] } },
        strokeDash: { field: 'agent', type: 'nominal' },
        shape: { field: 'agent', type: 'nominal' },
      },
    },
  ],
};
await writeVegaLiteSvg(figure, values.figure!);

if (values.json) console.log(JSON.stringify({ runDir, figure: values.figure, lesions: lesionRows }));
else console.log(lines.join('\n') + `\n\nfigure: ${values.figure}`);
