import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { PlaceCells } from '../../src/core/place-cells.ts';
import { Rng } from '../../src/core/rng.ts';
import type { EpisodeRecord, StepResult } from '../../src/core/types.ts';
import { swimTrials, watermazeSummary } from '../../src/measures/spatial.ts';
import {
  cardinalStarts,
  createWatermaze,
  platformCandidates,
  segmentHitsCircle,
  swimWithReflections,
} from '../../tasks/watermaze.ts';

/** Plays one episode with actions from `policy`, recording it. */
function play(
  family: ReturnType<typeof createWatermaze>,
  seed: string,
  policy: (t: number) => number,
): EpisodeRecord & { results: StepResult[] } {
  const instance = family.sample(Rng.fromSeed(seed));
  instance.reset();
  const record = {
    actions: [] as number[],
    rewards: [] as number[],
    infos: [] as StepResult['info'][],
    results: [] as StepResult[],
  };
  for (let t = 0; t < family.episodeLength; t++) {
    const a = policy(t);
    const r = instance.step(a);
    record.actions.push(a);
    record.rewards.push(r.reward);
    record.infos.push(r.info);
    record.results.push(r);
    if (r.done) break;
  }
  return record;
}

describe('place cells', () => {
  it('fire exp(−d²/2σ²): 1 at the field centre, e^(−1/2) one σ away', () => {
    const cells = new PlaceCells({ count: 493, width: 0.16, radius: 1, layout: 'even' });
    const [cx, cy] = [cells.centres[20], cells.centres[21]];
    const f = cells.activity(cx + 0.16, cy);
    expect(f[10]).toBeCloseTo(Math.exp(-0.5), 12);
    expect(cells.activity(cx, cy)[10]).toBe(1);
    // Every centre lies in the pool.
    for (let i = 0; i < 493; i++)
      expect(Math.hypot(cells.centres[2 * i], cells.centres[2 * i + 1])).toBeLessThanOrEqual(1);
  });
});

describe('watermaze geometry', () => {
  it('a segment that passes through the platform between two time steps is a hit; one that misses is not', () => {
    // From (−0.2, 0) to (0.2, 0): both ends 0.2 m from a platform of radius 0.05 at the origin.
    const t = segmentHitsCircle(-0.2, 0, 0.2, 0, 0, 0, 0.05);
    expect(t).toBeCloseTo(0.15 / 0.4, 12);
    expect(segmentHitsCircle(-0.2, 0.06, 0.2, 0.06, 0, 0, 0.05)).toBe(-1);
    // Stopping short of the platform is not a hit.
    expect(segmentHitsCircle(-0.2, 0, -0.1, 0, 0, 0, 0.05)).toBe(-1);
  });

  it('the task detects the crossing: a rat swimming through the platform within one step escapes', () => {
    // One coarse step of 0.6 m east from the east start (0.9, 0) would leave the pool; use a
    // pool-crossing straight swim west from the east start towards a platform on its path.
    const family = createWatermaze({
      protocol: 'reference',
      platform: 0,
      timeStep: 1,
      swimSpeed: 0.3,
      momentum: 0,
      candidateDistance: 0.5,
    });
    const [px, py] = family.candidates[0];
    const instance = family.sample(Rng.fromSeed('cross'));
    instance.reset();
    // Drive the rat along the line through the platform: swim towards it from wherever it starts.
    let found = false;
    for (let t = 0; t < 200 && !found; t++) {
      const { position } = instance.groundTruth() as { position: [number, number] };
      const angle = Math.atan2(py - position[1], px - position[0]);
      const action = ((Math.round(angle / (Math.PI / 4)) % 8) + 8) % 8;
      const r = instance.step(action);
      if (r.info.foundGoal) {
        found = true;
        // The step crossed the platform: its end point need not lie on it, but the time counts the contact.
        expect(r.info.time as number).toBeLessThanOrEqual((t + 1) * 1);
        expect(r.reward).toBe(1);
        expect(r.info.trialEnd).toBe(true);
      } else if (r.info.trialEnd) break;
    }
    expect(found).toBe(true);
  });

  it(
    'walls reflect: a swim into the wall ends inside the pool, mirrored ' + 'about the tangent, and keeps its length',
    () => {
      // From (0.9, 0) swim 0.3 east: hits the wall at (1, 0) after 0.1, comes back 0.2 to (0.8, 0).
      const s = swimWithReflections(0.9, 0, 0.3, 0, 1, 0, 1);
      const end = s.pieces[s.pieces.length - 1];
      expect(end.bx).toBeCloseTo(0.8, 12);
      expect(end.by).toBeCloseTo(0, 12);
      expect(s.ux).toBeCloseTo(-1, 12);
      // At an angle: the tangential part is kept, the normal part flips.
      const d = 0.3 / Math.SQRT2;
      const t = swimWithReflections(0.9, 0, d, d, Math.SQRT1_2, Math.SQRT1_2, 1);
      const last = t.pieces[t.pieces.length - 1];
      expect(Math.hypot(last.bx, last.by)).toBeLessThanOrEqual(1);
      const total = t.pieces.reduce((sum, p) => sum + Math.hypot(p.bx - p.ax, p.by - p.ay), 0);
      expect(total).toBeCloseTo(0.3, 12);
      expect(t.uy).toBeGreaterThan(0);
    },
  );

  it('a step that ends exactly on the wall stays there (no 0/0 from the swim left over)', () => {
    // (−0.5, −0.6) + (−0.3, 0) = (−0.8, −0.6) at radius 1, seen just past the wall by rounding (y one
    // ulp below −0.6, as a swim reached it), with nothing left to swim after the crossing.
    const s = swimWithReflections(-0.5, -0.6000000000000001, -0.3, 0, -1, 0, 1);
    for (const p of s.pieces) for (const v of [p.ax, p.ay, p.bx, p.by]) expect(Number.isFinite(v)).toBe(true);
    const end = s.pieces[s.pieces.length - 1];
    expect(end.bx).toBeCloseTo(-0.8, 12);
    expect(end.by).toBeCloseTo(-0.6, 12);
    expect(Math.hypot(end.bx, end.by)).toBeLessThanOrEqual(1);
    expect(Number.isFinite(s.ux) && Number.isFinite(s.uy)).toBe(true);
  });

  it('guide: a rat that times out is put on the platform for one step, then the trial ends unrewarded', () => {
    // Swimming east from every start against a platform far from that line: every trial times out.
    const options = { protocol: 'reference', platform: 2, timeStep: 1, timeout: 5, trialsPerDay: 2 } as const;
    const plain = createWatermaze(options);
    const guided = createWatermaze({ ...options, guide: true });
    expect(guided.episodeLength).toBe(plain.episodeLength + 2);
    const record = play(guided, 'g', () => 0);
    expect(record.infos).toHaveLength(12);
    const placed = record.infos[4];
    expect(placed.guided).toBe(true);
    expect(placed.trialEnd).toBe(false);
    expect(placed.timedOut).toBe(false);
    expect(placed.position).toEqual(placed.platform);
    // Its observation is the platform's place.
    const [px, py] = placed.platform as [number, number];
    expect(Array.from(record.results[4].observation)).toEqual(Array.from(guided.placeCells.activity(px, py)));
    const sat = record.infos[5];
    expect(sat).toMatchObject({ guided: true, trialEnd: true, timedOut: true, foundGoal: false, time: 5, swum: 0 });
    expect(sat.position).toEqual(placed.platform);
    expect(record.rewards.every((r) => r === 0)).toBe(true);
    expect(record.infos[6].newTrial).toBe(true);
    // Its swim path and latency are those of the swim: the placement draws nothing.
    const trials = swimTrials(record);
    expect(trials.map((t) => t.escapeLatency)).toEqual([5, 5]);
    expect(trials[0].path).toHaveLength(5);
    expect(trials[0].found).toBe(false);
    // Without `guide` the same swims end at the timeout.
    expect(play(plain, 'g', () => 0).infos.map((i) => i.guided)).toEqual(new Array(10).fill(false));
  });

  it('a random swimmer never leaves the pool', () => {
    const family = createWatermaze({ protocol: 'dmp', timeStep: 0.5, timeout: 60 });
    const rng = Rng.fromSeed('actions');
    const record = play(family, 'walls', () => rng.int(8));
    for (const info of record.infos) {
      const [x, y] = info.position as number[];
      expect(Math.hypot(x, y)).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('starts are the four cardinal points near the wall, each once a day in a random order', () => {
    expect(cardinalStarts(0.9)).toEqual([
      [0.9, 0],
      [0, 0.9],
      [-0.9, 0],
      [0, -0.9],
    ]);
    const family = createWatermaze({ protocol: 'dmp', days: 3, timeStep: 1, timeout: 5 });
    const record = play(family, 'starts', () => 0);
    const trials = swimTrials(record);
    expect(trials).toHaveLength(12);
    const orders = new Set<string>();
    for (let day = 0; day < 3; day++) {
      const starts = trials
        .filter((t) => t.day === day)
        .map((t) => t.path[0].map((v) => Math.round(v * 10) / 10).join(','));
      expect(new Set(starts)).toEqual(new Set(['0.9,0', '0,0.9', '-0.9,0', '0,-0.9']));
      orders.add(starts.join(';'));
    }
    expect(orders.size).toBeGreaterThan(1);
  });
});

describe('watermaze protocols and day structure', () => {
  it('there are 8 dmp candidates, 45° apart at the candidate distance', () => {
    const c = platformCandidates(0.5);
    expect(c).toHaveLength(8);
    for (const [x, y] of c) expect(Math.hypot(x, y)).toBeCloseTo(0.5, 12);
    const angles = c.map(([x, y]) => (Math.atan2(y, x) * 180) / Math.PI);
    expect(angles[1] - angles[0]).toBeCloseTo(45, 9);
  });

  it('two-rings: 4 candidates on the diagonals at the distance, 4 on the axes at 0.4 of it', () => {
    const c = platformCandidates(0.75, 'two-rings');
    expect(c).toHaveLength(8);
    const radii = c.map(([x, y]) => Math.hypot(x, y)).sort((a, b) => a - b);
    for (const r of radii.slice(0, 4)) expect(r).toBeCloseTo(0.3, 12);
    for (const r of radii.slice(4)) expect(r).toBeCloseTo(0.75, 12);
    const family = createWatermaze({ protocol: 'dmp', candidateLayout: 'two-rings', candidateDistance: 0.75 });
    expect(family.candidates).toEqual(c);
  });

  it('dmp: one platform per day, the same for its 4 trials, drawn anew each day; reference: the same every day', () => {
    const dmp = createWatermaze({ protocol: 'dmp', days: 6, timeStep: 1, timeout: 3 });
    const trials = swimTrials(play(dmp, 'days', () => 0));
    expect(trials).toHaveLength(24);
    const perDay = new Set<string>();
    for (let day = 0; day < 6; day++) {
      const platforms = new Set(trials.filter((t) => t.day === day).map((t) => t.platform.join(',')));
      expect(platforms.size).toBe(1);
      perDay.add([...platforms][0]);
      expect(trials.filter((t) => t.day === day).map((t) => t.trialOfDay)).toEqual([0, 1, 2, 3]);
    }
    expect(perDay.size).toBeGreaterThan(1);
    const reference = createWatermaze({ protocol: 'reference', platform: 3, days: 4, timeStep: 1, timeout: 3 });
    const refTrials = swimTrials(play(reference, 'days', () => 0));
    expect(new Set(refTrials.map((t) => t.platform.join(',')))).toEqual(new Set([reference.candidates[3].join(',')]));
  });

  it('anywhere: each dmp day a platform uniform over the pool, its edge within platformMargin of the wall', () => {
    const anywhere = createWatermaze({ protocol: 'dmp', platformLayout: 'anywhere', days: 1, timeStep: 1, timeout: 1 });
    expect(anywhere.platformRange).toBeCloseTo(1 - 0.1 - 0.05, 12);
    const radii: number[] = [];
    const angles: number[] = [];
    for (let s = 0; s < 2000; s++) {
      const [trial] = swimTrials(play(anywhere, `anywhere-${s}`, () => 0));
      const [x, y] = trial.platform;
      radii.push(Math.hypot(x, y));
      angles.push(Math.atan2(y, x));
    }
    expect(Math.max(...radii)).toBeLessThanOrEqual(anywhere.platformRange);
    // Uniform over the disc: P(r < r_max/2) = 1/4; every quadrant a quarter.
    expect(radii.filter((r) => r < anywhere.platformRange / 2).length / 2000).toBeCloseTo(0.25, 1);
    expect(angles.filter((a) => a > 0 && a < Math.PI / 2).length / 2000).toBeCloseTo(0.25, 1);
    // A new place each day under dmp, the same for every day under reference; no candidate index.
    const days = swimTrials(
      play(
        createWatermaze({ protocol: 'dmp', platformLayout: 'anywhere', days: 3, timeStep: 1, timeout: 1 }),
        'd',
        () => 0,
      ),
    );
    expect(new Set(days.map((t) => t.platform.join(','))).size).toBe(3);
    const fixed = createWatermaze({
      protocol: 'reference',
      platformLayout: 'anywhere',
      days: 3,
      timeStep: 1,
      timeout: 1,
    });
    expect(new Set(swimTrials(play(fixed, 'd', () => 0)).map((t) => t.platform.join(','))).size).toBe(1);
    const instance = fixed.sample(Rng.fromSeed('g'));
    instance.reset();
    expect(instance.groundTruth().platformIndex).toBe(-1);
    expect(() => createWatermaze({ platformLayout: 'anywhere', platformMargin: 0.96 })).toThrow(/no platform fits/);
  });

  it(
    'trial bookkeeping: newTrial on the first step, trialEnd only on ' +
      'the last, the episode ends after days × trials',
    () => {
      const family = createWatermaze({ protocol: 'dmp', days: 2, timeStep: 1, timeout: 4 });
      const record = play(family, 'book', () => 2);
      expect(record.results[record.results.length - 1].done).toBe(true);
      let trial = -1;
      for (let s = 0; s < record.infos.length; s++) {
        const info = record.infos[s];
        if (info.newTrial) trial++;
        expect(info.trial).toBe(trial);
        expect(info.trialEnd).toBe(s === record.infos.length - 1 || record.infos[s + 1].newTrial === true);
      }
      expect(trial).toBe(7);
      expect(record.infos.filter((i) => i.timedOut)).toHaveLength(8 - record.infos.filter((i) => i.foundGoal).length);
    },
  );

  it('the same stream gives the same episode; latency and path length are reported per trial', () => {
    const family = createWatermaze({ protocol: 'dmp', timeStep: 0.5, timeout: 30 });
    const a = play(family, 'same', (t) => (t * 3) % 8);
    const b = play(family, 'same', (t) => (t * 3) % 8);
    expect(b.infos).toEqual(a.infos);
    const s = watermazeSummary([a, b], 4, 1);
    expect(s.escapeLatencyByTrial).toHaveLength(4);
    for (const e of s.escapeLatencyByTrial) expect(e.mean).toBeLessThanOrEqual(30);
    const trials = swimTrials(a);
    for (const t of trials) expect(t.pathLength).toBeCloseTo(t.escapeLatency * 0.3, 9);
  });

  it('coordinates instead of place cells: a 2-number observation; bad options are UsageErrors naming the key', () => {
    expect(createWatermaze({ observation: 'coordinates' }).observationSize).toBe(2);
    expect(createWatermaze().observationSize).toBe(493);
    expect(() => createWatermaze({ protocol: 'probe' })).toThrow(UsageError);
    expect(() => createWatermaze({ timeStep: 0 })).toThrow(/option 'timeStep'/);
    expect(() => createWatermaze({ startDistance: 1.5 })).toThrow(/startDistance/);
    expect(() => createWatermaze({ platforms: 3 })).toThrow(/unknown option 'platforms'/);
  });
});
