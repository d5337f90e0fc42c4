// The command-line side of the mechanisms comparison: shipped checkpoints in experiment specs
// (`engram run` evaluates them unless --train), lesions in `engram baseline`, and bad options of
// the plastic agents rejected with one line and status 2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { networkFromCheckpoint, readCheckpoint, writeCheckpoint } from '../../src/experiments/checkpoint.ts';
import { runExperiment } from '../../src/experiments/run.ts';
import { parseExperiment } from '../../src/experiments/spec.ts';
import { hashParameters } from '../../src/nn/module.ts';
import { inProcess } from '../helpers/engram.ts';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'engram-mech-'));
}

const spec = (agent: Record<string, unknown>) =>
  parseExperiment(
    {
      name: 'tiny-shipped',
      seed: 3,
      task: { id: 'bandit-correlated', options: { variant: 'easy', trials: 10 } },
      agents: [agent, { id: 'hebbian' }],
      training: { updates: 6, batchSize: 4, learningRate: 0.01, checkpointEvery: 3, logEvery: 1, workers: 1 },
      evaluation: { episodes: 20, compare: ['random'] },
    },
    'test',
  );

describe('shipped checkpoints in experiments', () => {
  it('evaluates a shipped checkpoint instead of training, and retrains with train: true', async () => {
    const first = await runExperiment(spec({ id: 'plastic-rnn', options: { hidden: 4 } }), {
      out: path.join(tmp(), 'run'),
    });
    const shippedDir = tmp();
    const ck = readCheckpoint(path.join(first.runDir, 'checkpoints', 'plastic-rnn.json'));
    writeCheckpoint(path.join(shippedDir, 'tiny-plastic.json'), { ...ck, optimizer: null, rng: null });

    const withShipped = spec({ id: 'plastic-rnn', options: { hidden: 4 }, checkpoint: 'tiny-plastic' });
    const events: string[] = [];
    const evaluated = await runExperiment(withShipped, {
      out: path.join(tmp(), 'run'),
      checkpointDir: shippedDir,
      onEvent: (e) => events.push(e.type),
    });
    expect(events).not.toContain('train-start');
    expect(fs.existsSync(path.join(evaluated.runDir, 'checkpoints', 'plastic-rnn.json'))).toBe(false);
    const result = evaluated.eval!.agents['plastic-rnn'];
    expect(result.checkpoint).toMatch(/tiny-plastic\.json$/);
    expect(result.paramsHashBefore).toBe(hashParameters(networkFromCheckpoint(ck, 'test').net.parameters()));
    expect(result.expectedRegret).toEqual(first.eval!.agents['plastic-rnn'].expectedRegret);
    expect(evaluated.eval!.agents.hebbian.episodes).toBe(20);

    const retrained = await runExperiment(withShipped, {
      out: path.join(tmp(), 'run'),
      checkpointDir: shippedDir,
      train: true,
    });
    expect(readCheckpoint(path.join(retrained.runDir, 'checkpoints', 'plastic-rnn.json')).update).toBe(6);
    const config = JSON.parse(fs.readFileSync(path.join(retrained.runDir, 'config.json'), 'utf8'));
    expect(config.agents[0].checkpoint).toBeUndefined();

    // A spec whose options contradict the shipped checkpoint is refused before anything runs.
    await expect(
      runExperiment(spec({ id: 'plastic-rnn', options: { hidden: 5 }, checkpoint: 'tiny-plastic' }), {
        out: path.join(tmp(), 'run'),
        checkpointDir: shippedDir,
      }),
    ).rejects.toThrow(UsageError);
    // A name with no file behind it means: train.
    const missing = await runExperiment(
      spec({ id: 'plastic-rnn', options: { hidden: 4 }, checkpoint: 'not-shipped' }),
      { out: path.join(tmp(), 'run'), checkpointDir: shippedDir },
    );
    expect(fs.existsSync(path.join(missing.runDir, 'checkpoints', 'plastic-rnn.json'))).toBe(true);
  }, 30_000);

  it('compares options given as quantities with the shipped checkpoint in its units', async () => {
    const options = { lif: 2, adaptive: 2, stepDuration: '2 ms' };
    const first = await runExperiment(spec({ id: 'lsnn', options }), { out: path.join(tmp(), 'run') });
    const shippedDir = tmp();
    const ck = readCheckpoint(path.join(first.runDir, 'checkpoints', 'lsnn.json'));
    expect(ck.agent.options.stepDuration).toBe(0.002);
    writeCheckpoint(path.join(shippedDir, 'tiny-lsnn.json'), { ...ck, optimizer: null, rng: null });
    const same = await runExperiment(spec({ id: 'lsnn', options, checkpoint: 'tiny-lsnn' }), {
      out: path.join(tmp(), 'run'),
      checkpointDir: shippedDir,
    });
    expect(same.eval!.agents.lsnn.expectedRegret).toEqual(first.eval!.agents.lsnn.expectedRegret);
    await expect(
      runExperiment(spec({ id: 'lsnn', options: { ...options, stepDuration: '3 ms' }, checkpoint: 'tiny-lsnn' }), {
        out: path.join(tmp(), 'run'),
        checkpointDir: shippedDir,
      }),
    ).rejects.toThrow(/has lsnn option stepDuration = 0\.002, the spec "3 ms"/);
  }, 30_000);

  it('ships bandit-mechanisms as a built-in experiment naming the shipped checkpoints', () => {
    const file = path.resolve(import.meta.dirname, '../../scripts/experiments/bandit-mechanisms.json');
    const s = parseExperiment(JSON.parse(fs.readFileSync(file, 'utf8')), file);
    expect(s.agents.map((a) => a.id)).toEqual(['lstm', 'plastic-rnn', 'hebbian']);
    expect(s.agents.find((a) => a.id === 'plastic-rnn')!.checkpoint).toBe('bandit-wang2018-plastic-rnn');
    expect(s.agents.find((a) => a.id === 'plastic-rnn')!.options.plasticity).toBe('neuromodulated');
    expect(s.evaluation.compare).toEqual(['thompson', 'bayes-optimal']);
  });
});

describe('bad input for the plastic agents and lesions', () => {
  it('exits 2 with one line naming the problem', async () => {
    const dir = tmp();
    let specs = 0;
    const writeSpec = (options: Record<string, unknown>, id = 'plastic-rnn') => {
      const file = path.join(dir, `spec-${specs++}.json`);
      fs.writeFileSync(
        file,
        JSON.stringify({
          name: 'bad',
          task: { id: 'bandit-correlated', options: { trials: 10 } },
          agents: [{ id, options }],
          training: { updates: 1 },
        }),
      );
      return file;
    };
    const base = ['baseline', '--task', 'bandit-correlated', '--episodes', '2'];
    const cases: [string[], RegExp][] = [
      [[...base, '--agent', 'hebbian', '--agent-option', 'learningRate=-1'], /hebbian: option 'learningRate'/],
      [[...base, '--agent', 'hebbian', '--agent-option', 'tau=1'], /hebbian: unknown option 'tau'/],
      [[...base, '--agent', 'hebbian', '--lesion', 'sever'], /unknown lesion 'sever'/],
      [[...base, '--agent', 'thompson', '--lesion', 'freeze-plasticity'], /agent 'thompson' has no lesion/],
      [[...base, '--agent', 'plastic-rnn'], /meta-training/],
      [
        ['run', writeSpec({ plasticity: 'stdp' })],
        /plastic-rnn: option 'plasticity' must be one of hebbian, neuromodulated, retroactive/,
      ],
      [['run', writeSpec({ clip: 0 })], /plastic-rnn: option 'clip'/],
      [['run', writeSpec({ hidden: 8, size: 3 })], /plastic-rnn: unknown option 'size'/],
      [['run', writeSpec({ baselineRate: 2 }, 'hebbian')], /hebbian: option 'baselineRate'/],
    ];
    for (const [args, message] of cases) {
      const { status, stderr } = await inProcess(args);
      expect(status, args.join(' ')).toBe(2);
      expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(stderr, args.join(' ')).toMatch(message);
    }
  });

  it('documents the lesions and --train in --help', async () => {
    let help = '';
    for (const command of ['baseline', 'eval', 'run']) help += (await inProcess([command, '--help'])).stdout;
    expect(help).toMatch(/--lesion <kind>[\s\S]*freeze-plasticity/);
    expect(help).toMatch(/--train/);
  });
});
