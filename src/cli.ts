// The `engram` command. Each subcommand parses its options here and calls into the framework;
// a UsageError (or a parse error) becomes one line on stderr and exit status 2.
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { UsageError } from './core/errors.ts';
import { TASKS } from '../tasks/index.ts';
import { AGENTS } from '../agents/index.ts';

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
    if (value.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`${name} must be a number, got '${value}'`);
    return x;
  };
}

/** Prints exactly one JSON object on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('engram')
    .description('Where does learning live? In-context learning and synaptic plasticity on the same behavioral experiments.')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('list')
    .description('list tasks, agents and built-in experiments')
    .option('--json', 'print one JSON object')
    .action((opts: { json?: boolean }) => {
      const tasks = TASKS.map((t) => ({ id: t.id, description: t.description }));
      const agents = AGENTS.map((a) => ({ id: a.id, kind: a.kind, description: a.description }));
      const experiments: { id: string; description: string }[] = [];
      if (opts.json) {
        printJson({ tasks, agents, experiments });
        return;
      }
      const lines: string[] = ['engram: where does learning live, in synapses or in activity?', ''];
      lines.push('Tasks:');
      for (const t of tasks) lines.push(`  ${t.id.padEnd(20)} ${t.description}`);
      lines.push('', 'Agents:');
      for (const a of agents) lines.push(`  ${a.id.padEnd(16)} ${a.kind.padEnd(8)} ${a.description}`);
      lines.push('', 'Built-in experiments:');
      for (const e of experiments) lines.push(`  ${e.id.padEnd(28)} ${e.description}`);
      lines.push('', 'Run `npx engram --help` for the commands.');
      process.stdout.write(lines.join('\n') + '\n');
      setExit(0);
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
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; commander already printed its message.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`engram: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
