import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { generatedDocs, staleDocs } from '../../scripts/docs.ts';
import { describeOptions, option } from '../../src/core/options.ts';

describe('generated docs', () => {
  it('docs/tasks.md and docs/agents.md are what the registries say (npm run docs rewrites them)', () => {
    expect(staleDocs()).toEqual([]);
  });

  it('list every registered task and agent with its options', () => {
    const docs = generatedDocs();
    expect(docs.get('docs/tasks.md')).toContain('| `poolRadius` | number | `1` | (0, 10] | m |');
    expect(docs.get('docs/agents.md')).toContain('## `bayes-optimal`');
    expect(docs.get('docs/agents.md')).toContain('| `epsilon` | number | `0.1` | [0, 1] | — |');
  });
});

describe('describeOptions', () => {
  it('reads type, default, range and unit from the option record, in order', () => {
    const schema = z.strictObject({
      speed: option(z.number().gt(0).max(10).default(0.3), 'Swim speed', 'm/s'),
      mode: option(z.enum(['a', 'b']).default('a'), 'A or B'),
      seed: option(z.int().min(0).default(0), 'Seed'),
      third: option(
        z
          .number()
          .min(0)
          .lt(1)
          .default(1 / 3),
        'A third',
      ),
      length: option(z.int().min(1).optional(), 'Optional'),
    });
    expect(describeOptions(schema)).toEqual([
      { name: 'speed', type: 'number', default: '0.3', range: '(0, 10]', unit: 'm/s', description: 'Swim speed' },
      { name: 'mode', type: 'a | b', default: '"a"', range: null, unit: null, description: 'A or B' },
      { name: 'seed', type: 'integer', default: '0', range: '[0, ∞)', unit: null, description: 'Seed' },
      { name: 'third', type: 'number', default: '0.333333', range: '[0, 1)', unit: null, description: 'A third' },
      { name: 'length', type: 'integer', default: null, range: '[1, ∞)', unit: null, description: 'Optional' },
    ]);
  });
});
