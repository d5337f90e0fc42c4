// The `engram` command. Each subcommand parses its options here and calls into the framework;
// a UsageError (or a parse error) becomes one line on stderr and exit status 2.

import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../core/errors.ts';
import { packageVersion } from '../core/package.ts';
import { dashboardCommand } from '../dashboard/command.ts';
import { runBaseline } from '../experiments/baseline.ts';
import { readCheckpoint } from '../experiments/checkpoint.ts';
import { idOrModule, loadModules, loadRunModules, specModules } from '../experiments/plugins.ts';
import type { RecordRequest } from '../experiments/recording.ts';
import { formatGradchecks, runBuiltinGradchecks } from '../nn/checks.ts';
import { checkKernelsEnvironment } from '../nn/kernels.ts';
import { compareRuns, formatCompare } from '../report/compare.ts';
import { analyzeRecording, dynamicsSummary } from '../report/dynamics.ts';
import { reportCommand } from '../report/report.ts';
import { formatBaseline } from './baseline.ts';
import { type CheckCommandOptions, checkCommand, formatCheck } from './check-command.ts';
import { listJson, listText } from './list.ts';
import { evalCommand, formatEval, runCommand, runResultJson } from './run-commands.ts';
import {
  formatMerge,
  formatSlurm,
  formatSweepEnd,
  mergeCommand,
  type SweepCommandOptions,
  sweepCommand,
  sweepJson,
} from './sweep-commands.ts';

/** Parses an integer option, rejecting anything that is not one. */
export function intOption(name: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be an integer, got '${value}'`);
    return Number.parseInt(value, 10);
  };
}

/** Parses a numeric option, rejecting anything that is not a finite number. */
export function numberOption(name: string) {
  return (value: string): number => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x))
      throw new InvalidArgumentError(`${name} must be a number, got '${value}'`);
    return x;
  };
}

/**
 * Collects repeatable `key=value` options into a record; values that look like numbers or
 * booleans become numbers or booleans, so the component's own validation sees typed values.
 * Anything else stays text: `timeStep="100 ms"` arrives as the quantity '100 ms', which an option
 * with a unit converts (src/core/options.ts).
 */
export function keyValueOption(flag: string) {
  return (value: string, previous: Record<string, unknown> = {}): Record<string, unknown> => {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`${flag} must look like key=value, got '${value}'`);
    const key = value.slice(0, eq).trim();
    const text = value.slice(eq + 1).trim();
    let parsed: unknown = text;
    if (text !== '' && Number.isFinite(Number(text))) parsed = Number(text);
    else if (text === 'true' || text === 'false') parsed = text === 'true';
    return { ...previous, [key]: parsed };
  };
}

/** Prints exactly one JSON object on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Prints a command's result: one JSON object with --json, else its text (lines). */
function output(opts: { json?: boolean }, value: unknown, text: () => string | string[]): void {
  if (opts.json) printJson(value);
  else process.stdout.write(`${[text()].flat().join('\n')}\n`);
}

/** The recording options every evaluating command takes. */
function addRecordOptions(command: Command): Command {
  return command
    .option('--record <dir>', "record every agent's internal state after every step there (engram analyze reads it)")
    .option('--record-episodes <n>', 'record only the first n held-out episodes', intOption('--record-episodes'))
    .option(
      '--record-variables <names>',
      "comma-separated variables to record (default: each agent's own; all: every one)",
    )
    .option('--record-limit <size>', "refuse a recording larger than this (e.g. '500 MB'; default 2 GB)")
    .option('--record-agents <names>', 'comma-separated agents to record, by name (default: every agent)');
}

interface RecordFlags {
  record?: string;
  recordEpisodes?: number;
  recordVariables?: string;
  recordLimit?: string;
  recordAgents?: string;
}

function recordRequest(opts: RecordFlags): RecordRequest {
  if (opts.record === undefined) {
    for (const flag of ['recordEpisodes', 'recordVariables', 'recordLimit', 'recordAgents'] as const)
      if (opts[flag] !== undefined)
        throw new UsageError(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --record <dir>`);
  }
  const list = (value: string | undefined) =>
    value
      ?.split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  return {
    episodes: opts.recordEpisodes,
    variables: list(opts.recordVariables),
    limit: opts.recordLimit,
    agents: list(opts.recordAgents),
  };
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('engram')
    .description(
      'Where does learning live? In-context learning and synaptic plasticity on the same behavioral experiments.',
    )
    .version(packageVersion(), '-V, --version', 'print the version of engram')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('list')
    .description('list tasks, agents and built-in experiments; with --task or --agent, every option of one of them')
    .option('--task <id>', 'every option of a task: description, default, range and unit')
    .option('--agent <id>', 'every option of an agent: description, default, range and unit')
    .option('--json', 'print one JSON object (options as JSON Schema)')
    .action((opts: { task?: string; agent?: string; json?: boolean }) => {
      output(opts, listJson(opts), () => listText(opts));
      setExit(0);
    });

  const baselineCmd = program
    .command('baseline')
    .description('evaluate an agent that needs no training on seeded held-out instances of a task')
    .requiredOption('--agent <id>', 'agent id (see `engram list`)')
    .requiredOption('--task <id>', 'task id (see `engram list`)')
    .option('--arms <k>', 'task option arms (number of arms k)', intOption('--arms'))
    .option('--trials <T>', 'task option trials (trials per episode T)', intOption('--trials'))
    .option('--variant <name>', 'task option variant (bandit-correlated)')
    .option('--volatility <sigma>', 'task option volatility (bandit-restless)', numberOption('--volatility'))
    .option('--task-option <key=value>', 'any other task option (repeatable)', keyValueOption('--task-option'))
    .option(
      '--agent-option <key=value>',
      'an agent option, e.g. epsilon=0.1 or c=0.2 (repeatable)',
      keyValueOption('--agent-option'),
    )
    .option('--episodes <n>', 'held-out episodes', intOption('--episodes'), 1000)
    .option('--seed <s>', 'root seed', intOption('--seed'), 0)
    .option('--batch-size <n>', 'episodes played at once (speed only)', intOption('--batch-size'), 100)
    .option(
      '--lesion <kind>',
      'play under a lesion and report the intact agent beside it (plastic ' +
        'agents, e.g. hebbian): reset-state, freeze-plasticity, reset-adaptation or reset-goal',
    )
    .option('--out <dir>', 'also write every trial played (trials.csv.gz, trials.parquet) and summary.json there');
  addRecordOptions(baselineCmd)
    .option('--json', 'print one JSON object')
    .action(
      async (
        opts: RecordFlags & {
          out?: string;
          lesion?: string;
          agent: string;
          task: string;
          arms?: number;
          trials?: number;
          variant?: string;
          volatility?: number;
          taskOption?: Record<string, unknown>;
          agentOption?: Record<string, unknown>;
          episodes: number;
          seed: number;
          batchSize: number;
          json?: boolean;
        },
      ) => {
        // A module path names a task or agent of one's own.
        opts.task = await idOrModule(opts.task, 'task');
        opts.agent = await idOrModule(opts.agent, 'agent');
        // Only flags actually given become task options, so a task rejects the ones it does not take.
        const taskOptions: Record<string, unknown> = { ...(opts.taskOption ?? {}) };
        if (opts.arms !== undefined) taskOptions.arms = opts.arms;
        if (opts.trials !== undefined) taskOptions.trials = opts.trials;
        if (opts.variant !== undefined) taskOptions.variant = opts.variant;
        if (opts.volatility !== undefined) taskOptions.volatility = opts.volatility;
        const { report } = runBaseline({
          agent: opts.agent,
          task: opts.task,
          taskOptions,
          agentOptions: opts.agentOption ?? {},
          episodes: opts.episodes,
          seed: opts.seed,
          batchSize: opts.batchSize,
          lesion: opts.lesion,
          out: opts.out,
          record: opts.record,
          recordOptions: recordRequest(opts),
        });
        output(opts, report, () => formatBaseline(report));
        setExit(0);
      },
    );

  program
    .command('run')
    .description('meta-train the agents of an experiment, then evaluate them with frozen weights')
    .argument('[experiment]', 'a built-in experiment (see `engram list`) or a path to a spec.json')
    .option('--out <dir>', 'run directory (default runs/<experiment>-s<seed>-<time>)')
    .option('--seed <n>', 'root seed (overrides the spec)', intOption('--seed'))
    .option('--resume <dir>', 'continue a stopped run from its checkpoints')
    .option('--train', 'meta-train every learned agent from scratch, even where the spec names a shipped checkpoint')
    .option('--plain', 'plain progress lines instead of the dashboard')
    .option('--json', 'print one JSON object (the evaluation) on stdout; progress goes to stderr')
    .action(
      async (
        experiment: string | undefined,
        opts: { out?: string; seed?: number; resume?: string; plain?: boolean; json?: boolean; train?: boolean },
      ) => {
        const result = await runCommand(experiment, opts);
        if (opts.json) printJson(runResultJson(result));
        setExit(result.stopped ? 130 : 0);
      },
    );

  program
    .command('dashboard')
    .description('watch a run in progress, or a finished one, by following its run directory (q quits)')
    .argument('<run-dir>', 'a run directory (runs/<experiment>-...)')
    .option('--plain', 'plain progress lines instead of the dashboard')
    .action(async (runDir: string, opts: { plain?: boolean }) => {
      await dashboardCommand(runDir, opts);
      setExit(0);
    });

  const evalCmd = program
    .command('eval')
    .description(
      'evaluate a checkpoint with frozen weights on held-out instances, beside classic agents on the same instances',
    )
    .argument('<checkpoint>', 'a checkpoint file (runs/.../checkpoints/<agent>.json or checkpoints/*.json)')
    .option('--task <id>', 'evaluate on another task family')
    .option('--episodes <n>', 'held-out episodes', intOption('--episodes'), 2000)
    .option('--seed <s>', 'evaluation seed', intOption('--seed'), 0)
    .option('--batch-size <n>', 'episodes played at once (speed only; default 100)', intOption('--batch-size'))
    // The option's first name, kept for the scripts that use it.
    .addOption(new Option('--batch <n>', 'deprecated: --batch-size').argParser(intOption('--batch')).hideHelp())
    .option(
      '--lesion <kind>',
      'none, reset-state (wipe recurrent state / attention cache every trial), freeze-plasticity (hold ' +
        "plastic traces at their initial value), reset-adaptation (a spiking network's thresholds back to " +
        "baseline every trial) or reset-goal (the coordinate model's goal memory wiped every trial); the " +
        'intact network is reported beside it',
      'none',
    )
    .option('--compare <ids>', 'comma-separated comparison agents', 'thompson,bayes-optimal')
    .option('--out <dir>', 'also write every trial played (trials.csv.gz, trials.parquet) and summary.json there');
  addRecordOptions(evalCmd)
    .option('--json', 'print one JSON object')
    .action(
      async (
        file: string,
        opts: RecordFlags & {
          task?: string;
          episodes: number;
          seed: number;
          batchSize?: number;
          batch?: number;
          lesion: string;
          compare: string;
          out?: string;
          json?: boolean;
        },
      ) => {
        const compare = opts.compare
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        if (opts.batch !== undefined && opts.batchSize !== undefined)
          throw new UsageError('give --batch-size or --batch (its old name), not both');
        if (opts.batch !== undefined) process.stderr.write('engram: --batch is deprecated: use --batch-size\n');
        const batchSize = opts.batchSize ?? opts.batch ?? 100;
        await loadModules(specModules(readCheckpoint(file)));
        if (opts.task !== undefined) opts.task = await idOrModule(opts.task, 'task');
        const recordOptions = recordRequest(opts);
        const result = evalCommand(file, { ...opts, batchSize, compare, recordOptions });
        output(opts, result, () => formatEval(result));
        setExit(0);
      },
    );

  program
    .command('report')
    .description('write report.md (tables, lesions, SVG figures) and metrics.csv for a finished run or suite')
    .argument('<run-dir>', 'a run directory (runs/<experiment>-...)')
    .option('--json', 'print one JSON object')
    .action(async (runDir: string, opts: { json?: boolean }) => {
      await loadRunModules(path.resolve(runDir));
      const file = await reportCommand(runDir);
      output(opts, { report: file }, () => `report: ${file}`);
      setExit(0);
    });

  program
    .command('analyze')
    .description(
      "decode the task's latent variables from recorded activity, compare agents' states (CKA, RSA) and " +
        'choices; writes analysis.json, analysis.md and figures into the recording',
    )
    .argument('<record-dir>', "a recording (engram eval/baseline --record DIR, or a run's recording/)")
    .option('--folds <n>', 'cross-validation folds, by episode (default: 5)', intOption('--folds'))
    .option('--window <from-to>', 'steps (1-based, inclusive) scores are averaged over (default: T/10 to T)')
    .option('--seed <s>', 'seed of the folds, shuffles and subsets (default: 0)', intOption('--seed'))
    .option(
      '--max-features <n>',
      'project wider sources on this many principal components first (default: 128)',
      intOption('--max-features'),
    )
    .option('--no-figures', 'write no SVG figures')
    .option('--json', 'print one JSON object')
    .action(
      async (
        dir: string,
        opts: {
          folds?: number;
          window?: string;
          seed?: number;
          maxFeatures?: number;
          figures?: boolean;
          json?: boolean;
        },
      ) => {
        let window: { from: number; to: number } | undefined;
        if (opts.window !== undefined) {
          const m = /^\s*(\d+)\s*[-–]\s*(\d+)\s*$/.exec(opts.window);
          if (m === null) throw new UsageError(`--window must look like 10-100, got '${opts.window}'`);
          window = { from: Number(m[1]) - 1, to: Number(m[2]) - 1 };
        }
        const analysis = await analyzeRecording(dir, {
          folds: opts.folds,
          window,
          seed: opts.seed,
          maxFeatures: opts.maxFeatures,
          figures: opts.figures,
        });
        output(opts, analysis, () => `${dynamicsSummary(analysis)}\nanalysis: ${path.join(dir, 'analysis.md')}`);
        setExit(0);
      },
    );

  program
    .command('compare')
    .description(
      'the agent tables of several runs side by side; runs of one experiment ' +
        'with different seeds give seed-level intervals',
    )
    .argument('<run-dirs...>', 'run or suite directories')
    .option('--json', 'print one JSON object')
    .action(async (runDirs: string[], opts: { json?: boolean }) => {
      for (const dir of runDirs) await loadRunModules(path.resolve(dir));
      const result = compareRuns(runDirs);
      output(opts, result, () => formatCompare(result));
      setExit(0);
    });

  program
    .command('sweep')
    .description(
      'run an experiment over seeds and settings (a sweep spec), one run ' +
        'per worker thread; or write Slurm scripts for it',
    )
    .argument('[sweep]', 'a sweep spec: { name, base, overrides, vary } (see docs/sweeps.md)')
    .option('--workers <n>', 'runs at once, each on one thread (default: one per core)', intOption('--workers'))
    .option(
      '--out <dir>',
      'sweep directory (default runs/sweep-<name>-<time>); one of the same sweep continues where it stopped',
    )
    .option(
      '--resume <dir>',
      'continue a stopped sweep: finished runs are kept, the others continue from their checkpoints',
    )
    .option(
      '--shard <I/N>',
      'run only part I of N (0-based: the runs whose index mod N is I), one per task of a cluster job array',
    )
    .option('--plain', 'plain progress lines instead of the dashboard')
    .option('--json', 'print one JSON object (the runs and their states) on stdout; progress goes to stderr')
    .option(
      '--slurm',
      'write sweep.sbatch (a job array over the shards), merge.sbatch and ' +
        'submit.sh into the sweep directory; submits nothing',
    )
    .option('--shards <n>', 'with --slurm: array tasks (default: one per run)', intOption('--shards'))
    .option(
      '--cpus <c>',
      'with --slurm: CPUs per task, each task running that many runs at once (default 1)',
      intOption('--cpus'),
    )
    .option('--partition <p>', 'with --slurm: the Slurm partition')
    .option('--time <t>', 'with --slurm: the time limit of each task (e.g. 2:00:00)')
    .action(async (sweep: string | undefined, opts: SweepCommandOptions) => {
      const r = await sweepCommand(sweep, opts);
      if (r.kind === 'slurm') {
        output(opts, r.files, () => formatSlurm(r.files));
        setExit(0);
        return;
      }
      output(opts, sweepJson(r.result, r.report), () => formatSweepEnd(r.result, r.report));
      setExit(r.result.stopped ? 130 : r.result.runs.some((x) => x.state === 'failed') ? 1 : 0);
    });

  program
    .command('merge')
    .description(
      'gather the parts of a sweep (its shard directories) into one sweep directory (exit 1 if runs are missing)',
    )
    .argument('<dirs...>', 'sweep directories of one sweep, e.g. <out>/shards/*')
    .option('--out <dir>', 'the merged sweep directory (default runs/sweep-<name>-<time>)')
    .option('--json', 'print one JSON object')
    .action(async (dirs: string[], opts: { out?: string; json?: boolean }) => {
      const { merge: r, report } = await mergeCommand(dirs, opts.out);
      output(
        opts,
        {
          out: r.out,
          copied: r.copied,
          present: r.present,
          missing: r.missing,
          ...(report === undefined ? {} : { report: report.file }),
        },
        () => formatMerge(r, report),
      );
      setExit(r.missing.length > 0 ? 1 : 0);
    });

  program
    .command('check')
    .description(
      'check that a task or an agent keeps the contract (a built-in id, or the path of a module of your own)',
    )
    .argument('<id|module>', 'a task or agent id, or a module that exports tasks or agents')
    .option('--task <id|module>', 'check an agent on this task (default: every task it can play)')
    .option('--task-option <key=value>', 'a task option (repeatable)', keyValueOption('--task-option'))
    .option('--agent-option <key=value>', 'an agent option (repeatable)', keyValueOption('--agent-option'))
    .option('--json', 'print one JSON object')
    .action(async (name: string, opts: CheckCommandOptions & { json?: boolean }) => {
      const result = await checkCommand(name, opts);
      output(opts, result, () => formatCheck(result));
      const failed = result.reports.find((r) => !r.ok);
      if (failed?.problem) process.stderr.write(`engram: ${failed.problem}\n`);
      setExit(result.ok ? 0 : 2);
    });

  program
    .command('gradcheck')
    .description(
      'check every built-in operation and layer against finite differences (exit 1 if an error exceeds 1e-6)',
    )
    .option('--json', 'print one JSON object')
    .action((opts: { json?: boolean }) => {
      const result = runBuiltinGradchecks();
      output(opts, result, () => formatGradchecks(result));
      setExit(result.ok ? 0 : 1);
    });

  return program;
}

/** Runs the command line; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    checkKernelsEnvironment();
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; commander already printed its message.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`engram: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
