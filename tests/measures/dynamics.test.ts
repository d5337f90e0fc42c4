// Analyses of recorded activity (src/measures/dynamics.ts) on synthetic data whose answer is known:
// linear latents, noise of known variance, episode-identifying features, rotated copies.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import {
  choiceAgreementByStep,
  ckaEstimate,
  type DecodeResult,
  type Groups,
  linearCka,
  meanOverSteps,
  pca,
  policyAgreementByStep,
  ridgeDecode,
  rsa,
  rsaEstimate,
  type Samples,
  windowScore,
} from '../../src/measures/dynamics.ts';

function gaussian(rows: number, cols: number, rng: Rng, std = 1): Samples {
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal(0, std)) };
}

/** Row-major product a (rows × inner) · b (inner × cols, row-major). */
function times(a: Samples, b: Float64Array, cols: number): Samples {
  const data = new Float64Array(a.rows * cols);
  for (let r = 0; r < a.rows; r++)
    for (let i = 0; i < a.cols; i++)
      for (let c = 0; c < cols; c++) data[r * cols + c] += a.data[r * a.cols + i] * b[i * cols + c];
  return { rows: a.rows, cols, data };
}

function plus(a: Samples, b: Samples): Samples {
  return { rows: a.rows, cols: a.cols, data: a.data.map((v, i) => v + b.data[i]) };
}

/** Rows ordered episode by episode, `steps` steps each. */
function groupsOf(episodes: number, steps: number): Groups {
  const episode = new Int32Array(episodes * steps);
  const step = new Int32Array(episodes * steps);
  for (let r = 0; r < episodes * steps; r++) {
    episode[r] = Math.floor(r / steps);
    step[r] = r % steps;
  }
  return { episode, step };
}

/** k orthonormal vectors of length d (rows of a k × d buffer), by Gram–Schmidt on Gaussian vectors. */
function orthonormal(d: number, k: number, rng: Rng): Float64Array {
  const out = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    for (let pass = 0; pass < 2; pass++)
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += v[j] * out[p * d + j];
        for (let j = 0; j < d; j++) v[j] -= dot * out[p * d + j];
      }
    const norm = Math.hypot(...v);
    for (let j = 0; j < d; j++) out[c * d + j] = v[j] / norm;
  }
  return out;
}

/**
 * Features that vary across episodes as much as within them: a per-episode random vector plus a
 * per-step one, so a latent that is linear in them is different in every episode.
 */
function episodicFeatures(episodes: number, steps: number, cols: number, rng: Rng): Samples {
  const perEpisode = gaussian(episodes, cols, rng);
  const x = gaussian(episodes * steps, cols, rng);
  for (let r = 0; r < x.rows; r++)
    for (let j = 0; j < cols; j++) x.data[r * cols + j] += perEpisode.data[Math.floor(r / steps) * cols + j];
  return x;
}

describe('ridgeDecode: continuous latents', () => {
  const episodes = 200;
  const steps = 20;
  const groups = groupsOf(episodes, steps);
  const x = episodicFeatures(episodes, steps, 10, Rng.fromSeed('x'));
  const weightsRng = Rng.fromSeed('weights');
  const weights = Float64Array.from({ length: 10 * 2 }, () => weightsRng.normal());
  const y = times(x, weights, 2);

  it('recovers an exact linear latent: R² ≈ 1 overall, at every step and over a window', () => {
    const result = ridgeDecode(x, y, groups, { kind: 'continuous', rng: Rng.fromSeed(1) });
    expect(result.score.mean).toBeGreaterThan(0.999);
    expect(result.score.n).toBe(5);
    expect(result.byStep.map((s) => s.step)).toEqual(Array.from({ length: steps }, (_, s) => s));
    for (const s of result.byStep) {
      expect(s.score.mean).toBeGreaterThan(0.999);
      expect(s.n).toBe(episodes);
    }
    expect(windowScore(result, 5, 9).mean).toBeGreaterThan(0.999);
    expect(result.lambdas).toHaveLength(5);
    for (let i = 0; i < y.data.length; i++) expect(result.predictions[i]).toBeCloseTo(y.data[i], 2);
  });

  it('with noise of variance σ², R² is near 1 − σ²/Var(y)', () => {
    const rng = Rng.fromSeed('noisy');
    const iid = gaussian(episodes * steps, 10, rng);
    // Unit-norm columns of B: each target's signal has variance 1; noise σ² = 1 gives R² = 1/2.
    const b = new Float64Array(10 * 2);
    b[0] = 0.6;
    b[2] = 0.8;
    b[3] = 1;
    const noisy = plus(times(iid, b, 2), gaussian(episodes * steps, 2, rng));
    const result = ridgeDecode(iid, noisy, groups, { kind: 'continuous', rng: Rng.fromSeed(2) });
    expect(Math.abs(result.score.mean - 0.5)).toBeLessThan(0.04);
    expect(Math.abs(windowScore(result, 0, steps - 1).mean - 0.5)).toBeLessThan(0.04);
  });

  it('a target independent of the activity decodes to R² ≈ 0', () => {
    const independent = gaussian(episodes * steps, 2, Rng.fromSeed('independent'));
    const result = ridgeDecode(x, independent, groups, { kind: 'continuous', rng: Rng.fromSeed(3) });
    expect(Math.abs(result.score.mean)).toBeLessThan(0.05);
  });

  it('the shuffled-target control breaks an exact linear latent that differs across episodes', () => {
    const result = ridgeDecode(x, y, groups, { kind: 'continuous', shuffle: true, rng: Rng.fromSeed(4) });
    expect(Math.abs(result.score.mean)).toBeLessThan(0.05);
    expect(Math.abs(windowScore(result, 0, steps - 1).mean)).toBeLessThan(0.05);
  });

  it('the shuffled control pairs rows by step and drops rows without a partner', () => {
    // Episode 0 is one step shorter: the episode whose targets it takes loses its last row's partner,
    // and the one that takes episode 0's targets has no target at the last step.
    const short = 3;
    const g = groupsOf(short, 4);
    const keep = Array.from({ length: 12 }, (_, r) => r).filter((r) => r !== 3);
    const sub = (s: Samples): Samples => ({
      rows: keep.length,
      cols: s.cols,
      data: Float64Array.from(keep.flatMap((r) => Array.from(s.data.subarray(r * s.cols, (r + 1) * s.cols)))),
    });
    const groups3 = {
      episode: Int32Array.from(keep.map((r) => g.episode[r])),
      step: Int32Array.from(keep.map((r) => g.step[r])),
    };
    const xs = sub(gaussian(12, 2, Rng.fromSeed('short')));
    const result = ridgeDecode(xs, sub(gaussian(12, 1, Rng.fromSeed('short-y'))), groups3, {
      kind: 'continuous',
      shuffle: true,
      folds: 3,
      lambdas: [1],
      rng: Rng.fromSeed(5),
    });
    const dropped = [...result.fold].filter((f) => f === -1).length;
    expect(dropped).toBe(1);
    expect([...result.fold].every((f, r) => (f === -1) === Number.isNaN(result.predictions[r]))).toBe(true);
  });

  it('per-step R² counts only what activity tells beyond the step index', () => {
    // y = 2·step + ε, and activity holds the step and nothing about ε: the overall R² is high (the
    // step explains most of y), the per-step R² is ≈ 0.
    const rng = Rng.fromSeed('step-only');
    const xs: Samples = { rows: episodes * steps, cols: 2, data: new Float64Array(episodes * steps * 2) };
    const ys: Samples = { rows: episodes * steps, cols: 1, data: new Float64Array(episodes * steps) };
    for (let r = 0; r < xs.rows; r++) {
      xs.data[r * 2] = groups.step[r];
      xs.data[r * 2 + 1] = rng.normal();
      ys.data[r] = 2 * groups.step[r] + rng.normal();
    }
    const result = ridgeDecode(xs, ys, groups, { kind: 'continuous', rng: Rng.fromSeed(5) });
    expect(result.score.mean).toBeGreaterThan(0.95);
    expect(Math.abs(windowScore(result, 0, steps - 1).mean)).toBeLessThan(0.05);
  });

  it('a column constant over the training episodes is dropped, not scaled up', () => {
    // Column 10 is 0.3 (± rounding-sized wiggles) everywhere but in episode 0, where it is huge: in the
    // fold that holds episode 0 out, its training SD is rounding, which standardizing would blow up.
    const wider: Samples = { rows: x.rows, cols: 11, data: new Float64Array(x.rows * 11) };
    for (let r = 0; r < x.rows; r++) {
      for (let j = 0; j < 10; j++) wider.data[r * 11 + j] = x.data[r * 10 + j];
      wider.data[r * 11 + 10] = groups.episode[r] === 0 ? 1000 : 0.3 + 1e-13 * (r % 2);
    }
    const result = ridgeDecode(wider, y, groups, { kind: 'continuous', rng: Rng.fromSeed(6) });
    expect(Math.min(...result.perFold)).toBeGreaterThan(0.99);
  });

  it('the same generator gives the same folds, penalties and predictions', () => {
    const a = ridgeDecode(x, y, groups, { kind: 'continuous', rng: Rng.fromSeed(6) });
    const b = ridgeDecode(x, y, groups, { kind: 'continuous', rng: Rng.fromSeed(6) });
    expect(b.fold).toEqual(a.fold);
    expect(b.lambdas).toEqual(a.lambdas);
    expect(b.predictions).toEqual(a.predictions);
  });
});

describe('ridgeDecode: folds are by episode', () => {
  // The target is a per-episode constant, and the only features are one-hot episode identities:
  // a decoder can only memorise it, which held-out episodes expose.
  const episodes = 100;
  const steps = 10;
  const groups = groupsOf(episodes, steps);
  const rows = episodes * steps;
  const x: Samples = { rows, cols: episodes, data: new Float64Array(rows * episodes) };
  for (let r = 0; r < rows; r++) x.data[r * episodes + groups.episode[r]] = 1;
  const perEpisode = gaussian(episodes, 1, Rng.fromSeed('constant'));
  const y: Samples = { rows, cols: 1, data: Float64Array.from(groups.episode, (e) => perEpisode.data[e]) };

  it('every episode is held out whole, and the folds hold the same number of episodes ±1', () => {
    const result = ridgeDecode(x, y, groups, { kind: 'continuous', rng: Rng.fromSeed(7) });
    const foldOf = new Map<number, number>();
    for (let r = 0; r < rows; r++) {
      const e = groups.episode[r];
      if (!foldOf.has(e)) foldOf.set(e, result.fold[r]);
      expect(result.fold[r]).toBe(foldOf.get(e));
    }
    const sizes = [0, 1, 2, 3, 4].map((k) => [...foldOf.values()].filter((f) => f === k).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('an episode-identity feature decodes nothing across episodes, but everything across rows', () => {
    const byEpisode = ridgeDecode(x, y, groups, { kind: 'continuous', rng: Rng.fromSeed(8) });
    expect(byEpisode.score.mean).toBeLessThan(0.05);
    expect(byEpisode.score.mean).toBeGreaterThan(-0.2);
    // Each row its own group: folds by row, and the rows of a held-out row's episode are in training.
    const byRow = { episode: Int32Array.from({ length: rows }, (_, r) => r), step: groups.step };
    const leaky = ridgeDecode(x, y, byRow, { kind: 'continuous', rng: Rng.fromSeed(8) });
    expect(leaky.score.mean).toBeGreaterThan(0.9);
  });
});

describe('ridgeDecode: categorical latents', () => {
  const episodes = 200;
  const steps = 10;
  const groups = groupsOf(episodes, steps);
  const rows = episodes * steps;

  it('two Gaussian classes 4 SD apart along one direction are decoded with accuracy > 0.95', () => {
    const rng = Rng.fromSeed('classes');
    const labels = Float64Array.from({ length: rows }, () => rng.int(2));
    const x = gaussian(rows, 5, rng);
    for (let r = 0; r < rows; r++) x.data[r * 5 + 2] += 4 * labels[r];
    const result = ridgeDecode(x, { rows, cols: 1, data: labels }, groups, {
      kind: 'categorical',
      classes: 2,
      rng: Rng.fromSeed(9),
    });
    // Bayes accuracy Φ(2) = 0.977.
    expect(result.score.mean).toBeGreaterThan(0.95);
    expect(result.score.mean).toBeLessThan(0.99);
    expect(new Set(result.predictions)).toEqual(new Set([0, 1]));
    for (const s of result.byStep) expect(s.score.mean).toBeGreaterThan(0.9);
  });

  it('three classes at the corners of a triangle; the number of classes defaults to the largest label + 1', () => {
    const rng = Rng.fromSeed('three');
    const corners = [
      [0, 0],
      [4, 0],
      [2, 3.5],
    ];
    const labels = Float64Array.from({ length: rows }, () => rng.int(3));
    const x = gaussian(rows, 3, rng);
    for (let r = 0; r < rows; r++) {
      x.data[r * 3] += corners[labels[r]][0];
      x.data[r * 3 + 1] += corners[labels[r]][1];
    }
    const result = ridgeDecode(x, { rows, cols: 1, data: labels }, groups, {
      kind: 'categorical',
      rng: Rng.fromSeed(10),
    });
    expect(result.score.mean).toBeGreaterThan(0.9);
    expect(new Set(result.predictions)).toEqual(new Set([0, 1, 2]));
  });

  it('random labels are decoded at chance', () => {
    const rng = Rng.fromSeed('random-labels');
    const labels = Float64Array.from({ length: rows }, () => rng.int(2));
    const result = ridgeDecode(gaussian(rows, 5, rng), { rows, cols: 1, data: labels }, groups, {
      kind: 'categorical',
      rng: Rng.fromSeed(11),
    });
    const se = Math.sqrt(0.25 / rows);
    expect(Math.abs(result.score.mean - 0.5)).toBeLessThan(4 * se);
  });

  it('rejects labels that are not class indices', () => {
    const labels = Float64Array.from({ length: rows }, (_, r) => (r % 2) + 0.5);
    expect(() =>
      ridgeDecode(gaussian(rows, 2, Rng.fromSeed(0)), { rows, cols: 1, data: labels }, groups, {
        kind: 'categorical',
        rng: Rng.fromSeed(0),
      }),
    ).toThrow(/integers/);
  });
});

describe('ridgeDecode: inputs wider than maxFeatures', () => {
  it('decodes a low-rank signal from 1000 columns through the top principal components', () => {
    const episodes = 30;
    const steps = 10;
    const rows = episodes * steps;
    const rng = Rng.fromSeed('wide');
    const latent = gaussian(rows, 3, rng);
    const loadings = Float64Array.from({ length: 3 * 1000 }, () => rng.normal());
    const x = plus(times(latent, loadings, 1000), gaussian(rows, 1000, rng, 2));
    const readout = Float64Array.from([1, 0, 0.5, -1, 0, 2]);
    const y = times(latent, readout, 2);
    const result = ridgeDecode(x, y, groupsOf(episodes, steps), {
      kind: 'continuous',
      maxFeatures: 20,
      rng: Rng.fromSeed(12),
    });
    expect(result.score.mean).toBeGreaterThan(0.9);
  });
});

describe('windowScore', () => {
  it('averages each fold over the window, then over folds', () => {
    const estimate = (m: number) => ({ mean: m, ci95: [m, m] as [number, number], sem: 0, n: 3 });
    const result: DecodeResult = {
      kind: 'continuous',
      score: estimate(0),
      perFold: [0, 0, 0],
      byStep: [
        { step: 0, score: estimate(0.3), n: 3, perFold: [0.2, 0.4, Number.NaN] },
        { step: 1, score: estimate(0.5), n: 3, perFold: [0.4, 0.6, 0.5] },
        { step: 5, score: estimate(1), n: 3, perFold: [1, 1, 1] },
      ],
      lambdas: [1, 1, 1],
      predictions: new Float64Array(0),
      fold: new Int32Array(0),
    };
    const w = windowScore(result, 0, 1);
    expect(w.n).toBe(3);
    expect(w.mean).toBeCloseTo((0.3 + 0.5 + 0.5) / 3, 12);
    expect(windowScore(result, 2, 5).mean).toBe(1);
  });
});

describe('pca', () => {
  // Rows ±c_i·r_i along orthonormal axes r_i: the covariance is exactly Σ c_i² r_i r_iᵀ, up to a factor.
  function starOf(axes: Float64Array, lengths: number[], d: number): Samples {
    const data: number[] = [];
    lengths.forEach((c, i) => {
      for (const sign of [1, -1]) for (let j = 0; j < d; j++) data.push(sign * c * axes[i * d + j]);
    });
    return { rows: 2 * lengths.length, cols: d, data: Float64Array.from(data) };
  }
  const unitRows = (m: Float64Array, k: number, d: number) => {
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += m[a * d + j] * m[b * d + j];
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 9);
      }
  };

  it('finds the axes of a rotated diagonal covariance and their variance fractions (more rows than columns)', () => {
    const d = 4;
    const axes = orthonormal(d, d, Rng.fromSeed('rotation'));
    const lengths = [3, 2, 1, 0.5];
    const result = pca(starOf(axes, lengths, d), 4);
    const total = lengths.reduce((s, c) => s + c * c, 0);
    for (let i = 0; i < d; i++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += result.components[i * d + j] * axes[i * d + j];
      expect(Math.abs(dot)).toBeCloseTo(1, 9);
      expect(result.explained[i]).toBeCloseTo(lengths[i] ** 2 / total, 9);
    }
    unitRows(result.components, d, d);
  });

  it('works with more columns than rows, completing the basis with components of no variance', () => {
    const d = 10;
    const axes = orthonormal(d, 3, Rng.fromSeed('wide-rotation'));
    const x = starOf(axes, [2, 1, 0.5], d);
    const result = pca(x, 5);
    for (let i = 0; i < 3; i++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += result.components[i * d + j] * axes[i * d + j];
      expect(Math.abs(dot)).toBeCloseTo(1, 9);
    }
    expect(result.explained[3]).toBeCloseTo(0, 12);
    expect(result.explained[4]).toBeCloseTo(0, 12);
    unitRows(result.components, 5, d);
    // The first row is +2·r_0: its score on the first component is ±2, on the others 0.
    const scores = result.project(x);
    expect(Math.abs(scores.data[0])).toBeCloseTo(2, 9);
    expect(scores.data[1]).toBeCloseTo(0, 9);
  });

  it('signs are fixed: the largest loading of every component is positive', () => {
    const x = gaussian(300, 6, Rng.fromSeed('signs'));
    const result = pca(x, 6);
    for (let c = 0; c < 6; c++) {
      const row = Array.from(result.components.subarray(c * 6, (c + 1) * 6));
      const largest = row.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
      expect(largest).toBeGreaterThan(0);
    }
    const negated = pca({ ...x, data: x.data.map((v) => -v) }, 6);
    for (let i = 0; i < 36; i++) expect(negated.components[i]).toBeCloseTo(result.components[i], 9);
  });
});

describe('linearCka', () => {
  const rng = Rng.fromSeed('cka');
  const rows = 3000;
  // A representation with unequal variances, so CKA is not trivially 1 under any linear map.
  const x = times(
    gaussian(rows, 20, rng),
    Float64Array.from({ length: 400 }, (_, i) => (i % 21 === 0 ? 1 + (i % 7) : 0)),
    20,
  );
  const rotation = orthonormal(20, 20, rng);

  it('is 1 for a rotated copy and for an isotropically scaled copy, and symmetric', () => {
    const rotated = times(x, rotation, 20);
    expect(linearCka(x, rotated)).toBeCloseTo(1, 9);
    expect(linearCka(x, { ...x, data: x.data.map((v) => 3.7 * v + 1) })).toBeCloseTo(1, 9);
    const other = gaussian(rows, 7, rng);
    const mixed = plus(
      times(
        x,
        Float64Array.from({ length: 140 }, () => rng.normal()),
        7,
      ),
      other,
    );
    expect(linearCka(x, mixed)).toBeCloseTo(linearCka(mixed, x), 12);
    expect(linearCka(x, mixed)).toBeGreaterThan(0.1);
    expect(linearCka(x, mixed)).toBeLessThan(0.99);
  });

  it('is near 0 for independent noise', () => {
    expect(linearCka(x, gaussian(rows, 20, rng))).toBeLessThan(0.05);
  });

  it('with an interval over disjoint sets of episodes', () => {
    const groups = groupsOf(300, 10);
    const same = ckaEstimate(x, times(x, rotation, 20), groups, { rng: Rng.fromSeed(13) });
    expect(same.mean).toBeCloseTo(1, 9);
    expect(same.n).toBe(5);
    const noise = ckaEstimate(x, gaussian(rows, 20, rng), groups, { rng: Rng.fromSeed(13), subsets: 3 });
    expect(noise.n).toBe(3);
    expect(noise.mean).toBeLessThan(0.05);
    expect(noise.ci95[0]).toBeLessThan(noise.mean);
  });
});

describe('rsa', () => {
  const rng = Rng.fromSeed('rsa');
  const rows = 1000;
  const x = gaussian(rows, 8, rng);

  it('is 1 for a rotated, scaled and translated copy', () => {
    const copy = times(x, orthonormal(8, 8, rng), 8);
    for (let i = 0; i < copy.data.length; i++) copy.data[i] = 2 * copy.data[i] + 5;
    expect(rsa(x, copy, { rng: Rng.fromSeed(14) })).toBeCloseTo(1, 12);
  });

  it('is near 0 for independent noise', () => {
    expect(Math.abs(rsa(x, gaussian(rows, 8, rng), { rng: Rng.fromSeed(15) }))).toBeLessThan(0.05);
  });

  it('ranks tied dissimilarities at their average rank', () => {
    // Squared distances of rows 0, 0, 1, 1 (ranks 1.5 ×2, 4.5 ×4) against rows 0, 1, 2, 3 (1, 4, 9, 1, 4, 1:
    // ranks 2, 4.5, 6, 2, 4.5, 2): Pearson of the ranks = 3/√20.
    const a: Samples = { rows: 4, cols: 1, data: Float64Array.from([0, 0, 1, 1]) };
    const b: Samples = { rows: 4, cols: 1, data: Float64Array.from([0, 1, 2, 3]) };
    expect(rsa(a, b, { rng: Rng.fromSeed(17), samples: 4 })).toBeCloseTo(3 / Math.sqrt(20), 12);
  });

  it('with an interval over disjoint sets of episodes', () => {
    const groups = groupsOf(100, 10);
    const noisy = plus(x, gaussian(rows, 8, rng, 0.5));
    const estimate = rsaEstimate(x, noisy, groups, { rng: Rng.fromSeed(16), samples: 100 });
    expect(estimate.n).toBe(5);
    expect(estimate.mean).toBeGreaterThan(0.5);
    expect(estimate.mean).toBeLessThan(1);
    expect(estimate.ci95[1]).toBeGreaterThan(estimate.ci95[0]);
  });
});

describe('choice and policy agreement', () => {
  const a = { episode: [0, 0, 0, 1, 1, 1], step: [0, 1, 2, 0, 1, 2], action: [1, 0, 1, 0, 0, 1] };
  const b = { episode: [0, 0, 1, 1, 1, 2], step: [0, 1, 0, 1, 2, 0], action: [1, 1, 0, 1, 1, 0] };

  it('compares the rows present in both, step by step, over episodes', () => {
    const byStep = choiceAgreementByStep(a, b);
    expect(byStep.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(byStep.map((s) => s.agreement.mean)).toEqual([1, 0, 1]);
    expect(byStep.map((s) => s.agreement.n)).toEqual([2, 2, 1]);
    expect([...byStep[2].episodes]).toEqual([1]);
    expect(meanOverSteps(byStep, 0, 1).mean).toBe(0.5);
    // Episode 0: (1 + 0)/2, episode 1: (1 + 0 + 1)/3.
    expect(meanOverSteps(byStep, 0, 2).mean).toBeCloseTo((0.5 + 2 / 3) / 2, 12);
    expect(meanOverSteps(byStep, 0, 2).n).toBe(2);
  });

  it('averages the reference policy’s probability of the chosen action, with a t interval', () => {
    const byStep = policyAgreementByStep({
      episode: [0, 0, 1, 1],
      step: [0, 1, 0, 1],
      probabilityOfChosen: Float64Array.from([0.5, 0.9, 0.7, 0.3]),
    });
    expect(byStep[0].agreement.mean).toBeCloseTo(0.6, 12);
    expect(byStep[1].agreement.mean).toBeCloseTo(0.6, 12);
    // Step 0: s = 0.1414, SEM = 0.1, t(0.975, 1) = 12.706.
    expect(byStep[0].agreement.ci95[1] - 0.6).toBeCloseTo(1.2706, 4);
    expect(meanOverSteps(byStep, 0, 1).mean).toBeCloseTo(0.6, 12);
  });

  it('rejects two rows for the same episode and step', () => {
    expect(() => choiceAgreementByStep({ episode: [0, 0], step: [1, 1], action: [0, 1] }, b)).toThrow(/two rows/);
  });
});
