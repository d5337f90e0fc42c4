// Is an agent's first choice in Harlow's task a fixed preference over the objects? Reads the trial
// table of an evaluation (trials.csv.gz) and fits, for each agent and lesion, a logistic regression
// of its trial-1 choice on the difference of the two objects' features (which object of the pair is
// "a" is alternated, so the side and the draw order carry nothing); prints the fraction of trial-1
// choices the fitted rule predicts. About 0.5: a coin flip; near 1: the choice is a function of the
// pair, so the trial-1 reward alone says which object is rewarded.
//   npx engram eval checkpoints/harlow-lsnn.json --episodes 500 --compare random --out DIR
//   node bin/run-ts.js scripts/harlow-first-choice.ts DIR/trials.csv.gz
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { HarlowFamily } from '../tasks/harlow.ts';
import { findTask } from '../tasks/index.ts';

const [file] = process.argv.slice(2);
if (!file || !fs.existsSync(file)) {
  console.error('usage: node bin/run-ts.js scripts/harlow-first-choice.ts <trials.csv.gz of a harlow evaluation>');
  process.exit(2);
}
const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n');
const head = lines[0].split(',');
const col = (name: string) => {
  const i = head.indexOf(name);
  if (i < 0) {
    console.error(`${file}: no column '${name}' (is it a harlow evaluation's trial table?)`);
    process.exit(2);
  }
  return i;
};
const [agentCol, lesionCol, trialCol, rewardedCol, otherCol, chosenCol] = [
  'agent',
  'lesion',
  'trial',
  'rewardedObject',
  'otherObject',
  'chosenOption',
].map(col);
// The pool is part of the task (poolSeed); the table was written with the default task options.
const family = findTask('harlow').create({}) as HarlowFamily;
const F = family.options.features;

const groups = new Map<string, { x: Float64Array[]; y: number[] }>();
for (const line of lines.slice(1)) {
  const c = line.split(',');
  if (c[trialCol] !== '0') continue;
  const key = `${c[agentCol]}${c[lesionCol] === 'none' ? '' : ` (${c[lesionCol]})`}`;
  const g = groups.get(key) ?? { x: [], y: [] };
  groups.set(key, g);
  const [a, b] = g.y.length % 2 === 0 ? [+c[rewardedCol], +c[otherCol]] : [+c[otherCol], +c[rewardedCol]];
  g.x.push(Float64Array.from({ length: F }, (_, k) => family.pool[a * F + k] - family.pool[b * F + k]));
  g.y.push(+c[chosenCol] === a ? 1 : 0);
}

for (const [key, { x, y }] of groups) {
  // Logistic regression without intercept (swapping a and b flips the label), by gradient descent.
  const w = new Float64Array(F);
  for (let it = 0; it < 3000; it++) {
    const g = new Float64Array(F);
    x.forEach((xi, n) => {
      let z = 0;
      for (let k = 0; k < F; k++) z += xi[k] * w[k];
      const p = 1 / (1 + Math.exp(-z));
      for (let k = 0; k < F; k++) g[k] += (p - y[n]) * xi[k];
    });
    for (let k = 0; k < F; k++) w[k] -= (0.5 * g[k]) / x.length;
  }
  let hits = 0;
  x.forEach((xi, n) => {
    let z = 0;
    for (let k = 0; k < F; k++) z += xi[k] * w[k];
    if ((z > 0 ? 1 : 0) === y[n]) hits++;
  });
  console.log(
    `${key}: ${x.length} trial-1 choices, ${(hits / x.length).toFixed(3)} predicted by a linear rule on the objects`,
  );
}
