// Options with units: quantities given as text are read by mathjs and converted to the option's SI
// unit before zod checks the range; bare numbers are in that unit already.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AGENTS } from '../../agents/index.ts';
import { formatOptionValues, option, optionMeta, parseOptions } from '../../src/core/options.ts';
import { TASKS } from '../../tasks/index.ts';
import { watermazeOptions } from '../../tasks/watermaze.ts';
import { usageMessage } from '../helpers/engram.ts';

const maze = (raw: Record<string, unknown>) => parseOptions('watermaze', watermazeOptions, raw);

describe('options with units', () => {
  it('convert quantities of every physical option of the water maze to SI units', () => {
    const o = maze({
      poolRadius: '100 cm',
      platformRadius: '5 cm',
      candidateDistance: '500 mm',
      startDistance: '90 cm',
      swimSpeed: '1.08 km/h',
      timeStep: '100 ms',
      timeout: '2 min',
      placeFieldWidth: '16 cm',
    });
    expect(o).toMatchObject({
      poolRadius: 1,
      platformRadius: 0.05,
      candidateDistance: 0.5,
      startDistance: 0.9,
      swimSpeed: 0.3,
      timeStep: 0.1,
      timeout: 120,
      placeFieldWidth: 0.16,
    });
    // The same numbers as the defaults, so the same family.
    expect(o).toEqual(maze({}));
  });

  it('read the unit every option of every task and agent declares', () => {
    const records = [...TASKS, ...AGENTS].map((e) => [e.id, e.options] as const);
    let seen = 0;
    for (const [id, record] of records) {
      for (const [key, field] of Object.entries(record.shape)) {
        const unit = optionMeta(field)?.unit;
        if (unit === undefined) continue;
        seen++;
        // Its default, written with its unit, is its default.
        const value = parseOptions(id, record, {})[key];
        expect(parseOptions(id, record, { [key]: `${value} ${unit}` })[key], `${id}.${key}`).toBe(value);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(8);
  });

  it('take text the way a person writes it: spacing, prefixes, other systems of units', () => {
    expect(maze({ timeStep: ' 500ms ' }).timeStep).toBe(0.5);
    expect(maze({ poolRadius: '3 ft' }).poolRadius).toBeCloseTo(0.9144, 12);
    expect(maze({ swimSpeed: '30 cm/s' }).swimSpeed).toBe(0.3);
    // 35 cm is 0.35000000000000003 m in binary arithmetic; the option is the number written.
    expect(maze({ placeFieldWidth: '35 cm' }).placeFieldWidth).toBe(0.35);
  });

  it('leave bare numbers as they are (in the documented unit)', () => {
    const o = maze({ timeStep: 0.25, swimSpeed: 0.45, poolRadius: 2, placeFieldWidth: 0.2 });
    expect(o).toMatchObject({ timeStep: 0.25, swimSpeed: 0.45, poolRadius: 2, placeFieldWidth: 0.2 });
  });

  it('refuse a quantity of the wrong dimension, naming the option and the unit it expects', () => {
    expect(usageMessage(() => maze({ timeStep: '3 m' }))).toBe(
      "watermaze: option 'timeStep' must be a number in s or a quantity convertible to s " +
        "(e.g. 0.1 or '0.1 s'), got '3 m' (m does not convert to s)",
    );
    expect(usageMessage(() => maze({ swimSpeed: '3 m' }))).toMatch(
      /^watermaze: option 'swimSpeed' must be a number in m\/s .*got '3 m' \(m does not convert to m\/s\)$/,
    );
    expect(usageMessage(() => maze({ poolRadius: '1 kg' }))).toMatch(/option 'poolRadius' .* in m .*got '1 kg'/);
  });

  it('refuse text that is no quantity: unknown units, no number, no unit', () => {
    expect(usageMessage(() => maze({ timeStep: 'fast' }))).toBe(
      "watermaze: option 'timeStep' must be a number in s or a quantity convertible to s " +
        "(e.g. 0.1 or '0.1 s'), got 'fast' (Unit \"fast\" not found)",
    );
    expect(usageMessage(() => maze({ timeStep: 'ms' }))).toMatch(/option 'timeStep' .* in s .*got 'ms' \(no number\)$/);
    expect(usageMessage(() => maze({ timeStep: '' }))).toMatch(/option 'timeStep' .*got '' \(no number\)$/);
    expect(usageMessage(() => maze({ timeStep: '3' }))).toMatch(/option 'timeStep' .*got '3' \(no unit\)$/);
    expect(usageMessage(() => maze({ timeStep: '100 ms 3' }))).toMatch(/option 'timeStep' .*got '100 ms 3' \(/);
  });

  it('check ranges on the SI value, and say so', () => {
    expect(usageMessage(() => maze({ poolRadius: '1100 cm' }))).toBe(
      "watermaze: option 'poolRadius' must be between 0 and 10 m, got '1100 cm' (11 m)",
    );
    expect(usageMessage(() => maze({ poolRadius: 11 }))).toBe(
      "watermaze: option 'poolRadius' must be between 0 and 10 m, got 11",
    );
    expect(usageMessage(() => maze({ timeStep: '-5 ms' }))).toMatch(/'timeStep' must be between .* s, got '-5 ms' \(/);
    // 10 s is the largest time step: 10000 ms is allowed, 10001 ms is not.
    expect(maze({ timeStep: '10000 ms' }).timeStep).toBe(10);
    expect(usageMessage(() => maze({ timeStep: '10001 ms' }))).toMatch(/got '10001 ms' \(10\.001 s\)/);
  });

  it('keep text out of options without a unit', () => {
    expect(usageMessage(() => maze({ placeCells: '5 m' }))).toBe(
      "watermaze: option 'placeCells' must be a number, got '5 m'",
    );
    expect(usageMessage(() => maze({ momentum: '0.5' }))).toMatch(/option 'momentum' must be a number, got '0.5'/);
    expect(maze({ protocol: 'dmp' }).protocol).toBe('dmp');
  });

  it('convert in a record of any owner, by the unit its metadata declares', () => {
    const record = z.strictObject({
      delay: option(z.number().min(0).max(5).default(1), 'A delay', 's'),
      count: option(z.int().min(0).default(3), 'A count'),
    });
    expect(parseOptions('thing', record, { delay: '1500 ms' })).toEqual({ delay: 1.5, count: 3 });
    expect(usageMessage(() => parseOptions('thing', record, { delay: '2 m' }))).toMatch(
      /^thing: option 'delay' must be a number in s .*\(e\.g\. 1 or '1 s'\), got '2 m'/,
    );
  });
});

describe('formatOptionValues', () => {
  it('prints values with their units where the option has one', () => {
    const o = maze({ timeStep: '500 ms' });
    expect(formatOptionValues(watermazeOptions, { protocol: o.protocol, days: o.days, timeStep: o.timeStep })).toBe(
      'protocol reference, days 1, timeStep 0.5 s',
    );
    expect(formatOptionValues(watermazeOptions, { gone: 3, swimSpeed: 0.3, poolRadius: '1 m' })).toBe(
      'gone 3, swimSpeed 0.3 m/s, poolRadius 1 m',
    );
    expect(formatOptionValues(undefined, { timeStep: 0.5, list: [1, 2] })).toBe('timeStep 0.5, list [1,2]');
  });
});
