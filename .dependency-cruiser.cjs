// The layers of engram (docs/architecture.md), from the bottom; an import may only go down:
//   src/core → src/nn → src/measures → tasks/kit, agents/kit → tasks/, agents/ (and their registries)
//   → src/rl, src/icl → src/experiments → src/report → src/dashboard → src/cli; src/index.ts, the
//   library's public API, above them all and imported by none
// One rule per forbidden direction, so a failure names the layer that was crossed, the file and the import.
// `npm run deps` checks src/, agents/, tasks/ and scripts/ with these rules (CI runs it).

/** Every path of a layer, as a regular expression over paths relative to the repository. */
const LAYERS = {
  core: '^src/core/',
  nn: '^src/nn/',
  measures: '^src/measures/',
  kits: '^(tasks|agents)/kit/',
  tasks: '^tasks/(?!kit/)',
  agents: '^agents/(?!kit/)',
  registries: '^(tasks|agents)/index\\.ts$',
  rl: '^src/rl/',
  icl: '^src/icl/',
  experiments: '^src/experiments/',
  report: '^src/report/',
  dashboard: '^src/dashboard/',
  cli: '^src/cli/',
  api: '^src/index\\.ts$',
};

/** A rule: files of `from` may not import any of `to`. */
function forbid(from, to, comment, pathNot) {
  const name = `${from}-not-to-${Array.isArray(to) ? to.join('-') : to}`;
  const targets = [].concat(to).map((layer) => LAYERS[layer]);
  return {
    name,
    severity: 'error',
    comment,
    from: { path: LAYERS[from], ...(pathNot ? { pathNot } : {}) },
    to: { path: targets.length === 1 ? targets[0] : `(${targets.join('|')})` },
  };
}

const ABOVE_RL = ['experiments', 'report', 'dashboard', 'cli'];

module.exports = {
  forbidden: [
    forbid('core', ['nn', 'measures', 'kits', 'tasks', 'agents', 'rl', 'icl', ...ABOVE_RL], 'src/core is the bottom layer: contracts, rng, errors, options.'),
    forbid('nn', ['measures', 'kits', 'tasks', 'agents', 'rl', 'icl', ...ABOVE_RL], 'The network engine knows nothing of tasks, agents or training.'),
    forbid('measures', ['kits', 'tasks', 'agents', 'rl', 'icl', ...ABOVE_RL], 'Measures are pure functions of episode records.'),
    forbid('kits', ['rl', 'icl', ...ABOVE_RL], 'The task and agent kits sit below every task and agent.'),
    {
      name: 'task-kit-not-to-agents',
      severity: 'error',
      comment: 'Tasks and agents do not import each other, kits included.',
      from: { path: '^tasks/' },
      to: { path: '^agents/' },
    },
    {
      name: 'agent-kit-not-to-tasks',
      severity: 'error',
      comment: 'Tasks and agents do not import each other, kits included.',
      from: { path: '^agents/' },
      to: { path: '^tasks/' },
    },
    forbid('tasks', ['rl', 'icl', ...ABOVE_RL], 'A task is a value handed to the layers above it.', LAYERS.registries),
    forbid('agents', ['rl', 'icl', ...ABOVE_RL], 'An agent is a value handed to the layers above it.', LAYERS.registries),
    {
      name: 'registries-only-above-rl',
      severity: 'error',
      comment: 'The registries (tasks/index.ts, agents/index.ts) are looked up only in src/experiments and above.',
      from: { path: '^(src/(core|nn|measures|rl|icl)/|tasks/|agents/)', pathNot: LAYERS.registries },
      to: { path: LAYERS.registries },
    },
    forbid('rl', ['tasks', 'agents', 'icl', ...ABOVE_RL], 'src/rl receives tasks and agents as values (kits are below it).'),
    forbid('icl', ['agents', 'rl', ...ABOVE_RL], 'src/icl trains supervised in-context learners; it receives tasks as values.', undefined),
    forbid('experiments', ['report', 'dashboard', 'cli'], 'src/experiments emits events and writes run directories; it never draws.'),
    forbid('report', ['dashboard', 'cli'], 'Reports read run directories.'),
    forbid('dashboard', ['cli'], 'The dashboard reads events and run directories.'),
    {
      name: 'api-not-imported',
      severity: 'error',
      comment: 'src/index.ts is the library\'s public face, for users and tests; engram itself imports its layers.',
      from: { path: '^(src|agents|tasks|scripts)/', pathNot: LAYERS.api },
      to: { path: LAYERS.api },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, within a layer or across.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    includeOnly: '^(src|agents|tasks|scripts)/',
    reporterOptions: { text: { highlightFocused: true } },
  },
};
