// What the shipped meta-trained LSTMs hold in their activity, measured on recordings of held-out
// episodes (docs/results/dynamics.md quotes its output):
//   - the bandit LSTM: the exact posterior mean of the arms' probabilities, decoded trial by trial
//     (R² averaged over trials 10–100), against its untrained twin and shuffled targets;
//   - the Harlow LSTM: which object is rewarded (as the side it is shown on at the trial), on trial
//     1 before any feedback and on trials 2–6 after it;
//   - the hidden-goal LSTM: the goal cell before and after the first goal hit of the episode.
//   node bin/run-ts.js scripts/dynamics-checks.ts [--episodes 300] [--out DIR] [--json]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evalCommand } from '../src/cli/run-commands.ts';
import { formatEstimate } from '../src/measures/stats.ts';
import { analyzeRecording, type DecodingRow, type DynamicsAnalysis } from '../src/report/dynamics.ts';
import { flags } from './args.ts';

const { values } = flags({ episodes: '300', out: undefined, json: false });
const episodes = Number.parseInt(values.episodes, 10);
const out = values.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'engram-dynamics-checks-'));
const json = values.json;
const root = path.resolve(import.meta.dirname, '..');

async function recordAndAnalyze(checkpoint: string, compare: string[]): Promise<DynamicsAnalysis> {
  const dir = path.join(out, checkpoint);
  fs.rmSync(dir, { recursive: true, force: true });
  evalCommand(path.join(root, 'checkpoints', `${checkpoint}.json`), {
    episodes,
    seed: 0,
    batchSize: 100,
    lesion: 'none',
    compare,
    record: dir,
  });
  return analyzeRecording(dir);
}

const row = (a: DynamicsAnalysis, latent: string): DecodingRow => {
  const r = a.decoding.find((d) => d.agent === 'lstm' && d.source === 'activity' && d.latent === latent);
  if (r === undefined) throw new Error(`no decoding of ${latent} in the analysis of ${a.task}`);
  return r;
};
const split = (r: DecodingRow, event: string) => {
  const s = r.splits.find((x) => x.event === event);
  if (s === undefined) throw new Error(`no '${event}' split for ${r.latent}`);
  return s;
};
const est = (e: { mean: number; ci95: [number, number] } | null) => (e === null ? '–' : formatEstimate(e, 3));

const started = performance.now();
const bandit = await recordAndAnalyze('bandit-wang2018-lstm', ['bayes-optimal', 'thompson']);
const harlow = await recordAndAnalyze('harlow-lstm', []);
const grid = await recordAndAnalyze('grid-goal-lstm', []);
const posterior = row(bandit, 'posteriorMean');
const side = row(harlow, 'rewardedSide');
const object = row(harlow, 'rewardedObject');
const goal = row(grid, 'goal');
const sideSplit = split(side, 'first trial');
const goalSplit = split(goal, 'first reward');
const result = {
  episodes,
  out,
  seconds: (performance.now() - started) / 1000,
  bandit: {
    posteriorMeanR2: posterior.window,
    untrained: posterior.untrained,
    shuffled: posterior.shuffled,
    window: bandit.window,
  },
  harlow: {
    rewardedSideFirstTrial: sideSplit.before,
    rewardedSideLaterTrials: sideSplit.after,
    chance: side.chance,
    rewardedObjectR2: { firstTrial: split(object, 'first trial').before, later: split(object, 'first trial').after },
  },
  gridGoal: { before: goalSplit.before, after: goalSplit.after, difference: goalSplit.difference },
};
if (json) console.log(JSON.stringify(result, null, 1));
else
  console.log(
    [
      `${episodes} held-out episodes (seed 0) per checkpoint; recordings and analyses in ${out}`,
      `bandit LSTM, posterior mean, R² over trials ${bandit.window.from + 1}–${bandit.window.to + 1}: ` +
        `${est(posterior.window)}; untrained twin ${est(posterior.untrained)}; shuffled ${est(posterior.shuffled)}`,
      `Harlow LSTM, rewarded object (its side), accuracy: trial 1 ${est(sideSplit.before)}, ` +
        `trials 2–6 ${est(sideSplit.after)} (majority class ${side.chance?.toFixed(3)})`,
      `Harlow LSTM, rewarded object's features, R²: trial 1 ${est(result.harlow.rewardedObjectR2.firstTrial)}, ` +
        `trials 2–6 ${est(result.harlow.rewardedObjectR2.later)}`,
      `grid-goal LSTM, goal cell R²: before the first hit ${est(goalSplit.before)}, after ${est(goalSplit.after)}, ` +
        `difference ${est(goalSplit.difference)}`,
      `${result.seconds.toFixed(0)} s`,
    ].join('\n'),
  );
