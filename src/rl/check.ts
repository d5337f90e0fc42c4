// The contract of a task family and of an agent, checked by playing them (`engram check`, and the
// test suite on every built-in): what a task or an agent of one's own must satisfy before it runs
// in an experiment. Each check is a sentence and its verdict; the first failure says what is wrong.
import type { AgentEntry } from '../../agents/kit/entry.ts';
import { RECORDABLE_NAME, recordableSize } from '../core/recordable.ts';
import type { TaskEntry } from '../core/registry.ts';
import { Rng } from '../core/rng.ts';
import type { Agent, AgentInput, EpisodeRecord, StepResult, TaskFamily, TaskInstance } from '../core/types.ts';
import { hashParameters } from '../nn/module.ts';
import type { Tensor } from '../nn/tensor.ts';
import { evaluate } from './rollout.ts';

/** One check: what it says, whether it held, and what was wrong if it did not. */
export interface Check {
  name: string;
  ok: boolean;
  problem?: string;
}

/** The checks of one task or agent. */
export interface CheckReport {
  subject: string;
  checks: Check[];
  ok: boolean;
  /** The first problem, as one line naming the subject (null when every check held). */
  problem: string | null;
}

class CheckFailure extends Error {}

function fail(problem: string): never {
  throw new CheckFailure(problem);
}

function report(subject: string, checks: Check[]): CheckReport {
  const first = checks.find((c) => !c.ok);
  return { subject, checks, ok: first === undefined, problem: first ? `${subject}: ${first.problem}` : null };
}

/** Runs `body`; a thrown error (a contract failure or the component's own) fails the check. */
function run(checks: Check[], name: string, body: () => void): boolean {
  try {
    body();
    checks.push({ name, ok: true });
    return true;
  } catch (err) {
    checks.push({ name, ok: false, problem: err instanceof Error ? err.message : String(err) });
    return false;
  }
}

function positiveInteger(value: unknown, what: string): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1))
    fail(`${what} is ${value}, not a positive integer`);
}

/** An action for a family: an index for discrete actions, a number in [−1, 1) for a continuous one. */
function anyAction(family: TaskFamily, rng: Rng): number {
  return family.actionSpace.kind === 'discrete' ? rng.int(family.numActions) : rng.uniformRange(-1, 1);
}

function checkObservation(family: TaskFamily, obs: Float64Array, where: string): void {
  if (obs.length !== family.observationSize)
    fail(`the observation ${where} has ${obs.length} numbers, the family declares ${family.observationSize}`);
  const space = family.observationSpace;
  for (let i = 0; i < obs.length; i++) {
    const v = obs[i];
    if (Number.isNaN(v)) fail(`the observation ${where} has NaN at ${i}`);
    if (space.kind === 'box' && (v < space.low || v > space.high))
      fail(`the observation ${where} has ${v} at ${i}, outside its space [${space.low}, ${space.high}]`);
  }
}

/** A played episode: its trajectory (observations, rewards, infos) and its record. */
interface Played {
  trajectory: unknown[];
  record: EpisodeRecord;
}

/** One episode with actions from `rng`, every step checked. */
function playChecked(family: TaskFamily, instance: TaskInstance, rng: Rng): Played {
  const declared = new Set(family.infoFields);
  const trajectory: unknown[] = [];
  const first = instance.reset();
  const record: EpisodeRecord = { actions: [], rewards: [], infos: [], instance: instance.groundTruth() };
  checkObservation(family, first, 'after reset');
  trajectory.push(Array.from(first));
  let result: StepResult | null = null;
  let steps = 0;
  while (result === null || !result.done) {
    if (steps >= family.episodeLength) fail(`an episode went past its declared length ${family.episodeLength}`);
    const action = anyAction(family, rng);
    result = instance.step(action);
    steps++;
    checkObservation(family, result.observation, `at step ${steps}`);
    if (!Number.isFinite(result.reward)) fail(`the reward at step ${steps} is ${result.reward}`);
    for (const field of family.infoFields) {
      if (result.info[field] === undefined) fail(`info field '${field}' is declared but missing at step ${steps}`);
    }
    for (const key of Object.keys(result.info)) {
      if (!declared.has(key)) fail(`info field '${key}' at step ${steps} is not declared in infoFields`);
    }
    trajectory.push(Array.from(result.observation), result.reward, result.info);
    record.actions.push(action);
    record.rewards.push(result.reward);
    record.infos.push(result.info);
  }
  let refused = false;
  try {
    instance.step(anyAction(family, rng));
  } catch {
    refused = true;
  }
  if (!refused) fail('stepping after the episode ended is not refused');
  return { trajectory, record };
}

const LATENT_NAME = /^[A-Za-z0-9-]+$/;

/** The latent variables a family declares: well-formed names, sizes, kinds and classes. */
function checkLatentDeclarations(family: TaskFamily): void {
  const variables = family.latentVariables;
  if (variables === undefined) fail('it has latents() but no latentVariables');
  if (!Array.isArray(variables)) fail('latentVariables is not an array');
  if (typeof family.latents !== 'function') fail('it declares latentVariables but has no latents()');
  const names = new Set<string>();
  for (const v of variables) {
    if (typeof v.name !== 'string' || !LATENT_NAME.test(v.name))
      fail(`latent variable name '${v.name}' is not letters, digits and dashes`);
    if (names.has(v.name)) fail(`latent variable '${v.name}' is declared twice`);
    names.add(v.name);
    positiveInteger(v.size, `the size of latent variable '${v.name}'`);
    if (v.kind === 'categorical') {
      if (v.size !== 1) fail(`categorical latent variable '${v.name}' has size ${v.size}, not 1`);
      if (!(typeof v.classes === 'number' && Number.isInteger(v.classes) && v.classes >= 2))
        fail(`categorical latent variable '${v.name}' has ${v.classes} classes, not an integer ≥ 2`);
    } else if (v.kind !== 'continuous') fail(`latent variable '${v.name}' is of kind '${v.kind}'`);
  }
  for (const v of variables) {
    if (v.beliefOf !== undefined && !names.has(v.beliefOf))
      fail(`latent variable '${v.name}' is a belief of '${v.beliefOf}', which is not declared`);
  }
}

/** The latents of a played episode: every declared variable, steps × size finite values, and nothing else. */
function checkLatentValues(family: TaskFamily, record: EpisodeRecord, episode: number): void {
  const variables = family.latentVariables ?? [];
  const latents = (family.latents as NonNullable<TaskFamily['latents']>)(record);
  const steps = record.actions.length;
  const where = `in episode ${episode}`;
  for (const name of Object.keys(latents)) {
    if (!variables.some((v) => v.name === name)) fail(`latents() ${where} gives '${name}', not declared`);
  }
  for (const v of variables) {
    const values = latents[v.name];
    if (values === undefined) fail(`latents() ${where} does not give '${v.name}'`);
    if (!(values instanceof Float64Array)) fail(`latents() ${where} gives '${v.name}' not as a Float64Array`);
    if (values.length !== steps * v.size)
      fail(`latents() ${where} gives ${values.length} values of '${v.name}', not ${steps} steps × ${v.size}`);
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      const at = `'${v.name}' at step ${Math.floor(i / v.size)}`;
      if (!Number.isFinite(x)) fail(`latents() ${where} gives ${x} for ${at}`);
      if (v.kind === 'categorical' && !(Number.isInteger(x) && x >= 0 && x < (v.classes as number)))
        fail(`latents() ${where} gives ${x} for ${at}, not a class in 0 … ${(v.classes as number) - 1}`);
    }
  }
}

/** Checks a task family by playing `episodes` episodes with random actions (options: the family's). */
export function checkTask(entry: TaskEntry, options?: Record<string, unknown>, episodes = 3): CheckReport {
  const checks: Check[] = [];
  const subject = `task '${entry.id}'`;
  let family: TaskFamily | null = null;
  run(checks, 'creates a family with these options', () => {
    family = entry.create(options);
    if (family.id !== entry.id) fail(`the family's id is '${family.id}', the entry's '${entry.id}'`);
  });
  if (family === null) return report(subject, checks);
  const f = family as TaskFamily;
  const shaped = run(checks, 'declares its sizes and spaces', () => {
    positiveInteger(f.observationSize, 'observationSize');
    if (f.actionSpace.kind === 'discrete') positiveInteger(f.numActions, 'numActions');
    positiveInteger(f.episodeLength, 'episodeLength');
    positiveInteger(f.trialsPerEpisode, 'trialsPerEpisode');
    if (!Array.isArray(f.infoFields)) fail('infoFields is not an array of field names');
    if (f.actionSpace.kind === 'discrete' && f.actionSpace.n !== f.numActions)
      fail(`its action space has ${f.actionSpace.n} actions, numActions says ${f.numActions}`);
    const size = f.observationSpace.kind === 'box' ? f.observationSpace.shape.reduce((a, b) => a * b, 1) : 1;
    if (size !== f.observationSize)
      fail(`its observation space holds ${size} numbers, observationSize says ${f.observationSize}`);
  });
  if (!shaped) return report(subject, checks);
  const played: Played[] = [];
  const playable = run(
    checks,
    'observations inside their space, rewards finite, info as declared, episodes within their length, ' +
      'no step after the end',
    () => {
      for (let e = 0; e < episodes; e++) {
        played.push(playChecked(f, f.sample(Rng.fromSeed(`check/${e}`)), Rng.fromSeed(`check-actions/${e}`)));
      }
    },
  );
  run(checks, 'the same seed gives the same trajectory', () => {
    const again = playChecked(f, f.sample(Rng.fromSeed('check/0')), Rng.fromSeed('check-actions/0'));
    if (JSON.stringify(again.trajectory) !== JSON.stringify(played[0]?.trajectory))
      fail('two instances sampled from the same seed, played with the same actions, differ');
  });
  if (playable && (f.latentVariables !== undefined || f.latents !== undefined)) {
    run(
      checks,
      'its latent variables are well declared, and latents() of played episodes gives each of them, ' +
        'steps × size finite values (categorical ones classes), and nothing else',
      () => {
        checkLatentDeclarations(f);
        played.forEach(({ record }, e) => {
          checkLatentValues(f, record, e);
        });
      },
    );
  }
  return report(subject, checks);
}

/** The first step of a batch of two instances, for probing an agent: their first observations. */
function probeInput(family: TaskFamily): AgentInput {
  const instances = [family.sample(Rng.fromSeed('probe/0')), family.sample(Rng.fromSeed('probe/1'))];
  const observation = new Float64Array(2 * family.observationSize);
  instances.forEach((instance, b) => {
    observation.set(instance.reset(), b * family.observationSize);
  });
  return {
    observation,
    prevAction: Int32Array.from([-1, -1]),
    prevReward: new Float64Array(2),
    timeFraction: 0,
    step: 0,
    prevInfo: [],
    instances,
  };
}

const MEMORIES = new Set(['activity', 'synapses', 'readout']);

/** Checks what an agent declares it can record, and reads each variable after one step. */
function checkRecordable(entry: AgentEntry, family: TaskFamily, options: Record<string, unknown> | undefined): void {
  const agent = entry.create(family, options, Rng.fromSeed('check-agent'));
  if (agent.readRecordable === undefined) fail('it declares recordable variables but has no readRecordable');
  const variables = agent.recordable?.() ?? [];
  const names = new Set<string>();
  for (const v of variables) {
    if (typeof v.name !== 'string' || !RECORDABLE_NAME.test(v.name))
      fail(`recordable variable '${v.name}' is not named with lower-case letters, digits, dashes and dots`);
    if (names.has(v.name)) fail(`recordable variable '${v.name}' is declared twice`);
    names.add(v.name);
    if (!Array.isArray(v.shape) || v.shape.length === 0 || !v.shape.every((n) => Number.isInteger(n) && n >= 1))
      fail(`recordable variable '${v.name}' has shape [${v.shape}], not a list of positive integers`);
    if (!MEMORIES.has(v.memory)) fail(`recordable variable '${v.name}' has memory '${v.memory}'`);
    if (typeof v.description !== 'string' || v.description.trim() === '')
      fail(`recordable variable '${v.name}' has no description`);
  }
  agent.begin(2);
  agent.act(probeInput(family));
  for (const v of variables) {
    const values = agent.readRecordable(v.name);
    const expected = 2 * recordableSize(v);
    if (!(values instanceof Float64Array) || values.length !== expected)
      fail(
        `recordable variable '${v.name}' gave ${values?.length} values for 2 rows of shape [${v.shape}] (${expected})`,
      );
  }
  let refused = false;
  try {
    agent.readRecordable('no-such-variable');
  } catch {
    refused = true;
  }
  if (!refused) fail('reading a variable it does not declare is not refused');
}

/** The agent, reading every recordable variable (on request or not) after every step. */
function readingEveryStep(agent: Agent): Agent {
  const names = (agent.recordable?.() ?? []).map((v) => v.name);
  return {
    id: agent.id,
    kind: agent.kind,
    numActions: agent.numActions,
    begin: (batchSize) => agent.begin(batchSize),
    act: (input) => {
      const out = agent.act(input);
      for (const name of names) agent.readRecordable?.(name);
      return out;
    },
  };
}

/**
 * Checks an agent on a family: it builds, its probabilities are valid, a frozen network stays
 * frozen, a seed repeats, and what it records has the declared sizes and changes nothing it does.
 */
export function checkAgent(entry: AgentEntry, family: TaskFamily, options?: Record<string, unknown>): CheckReport {
  const checks: Check[] = [];
  const subject = `agent '${entry.id}' on task '${family.id}'`;
  const reason = entry.cannotPlay(family);
  if (reason !== null) {
    checks.push({ name: 'can play the task', ok: false, problem: `it cannot play it: ${reason}` });
    return report(subject, checks);
  }
  const play = () => {
    const agent = entry.create(family, options, Rng.fromSeed('check-agent'));
    const records = evaluate(family, agent, { episodes: 3, batchSize: 2, rng: Rng.fromSeed('check') });
    return { agent, records };
  };
  let first: ReturnType<typeof play> | null = null;
  run(checks, 'builds and plays: its action probabilities are valid in every row, its values finite', () => {
    first = play();
    if (first.agent.id !== entry.id) fail(`the agent's id is '${first.agent.id}', the entry's '${entry.id}'`);
    const probe = entry.create(family, options, Rng.fromSeed('check-agent'));
    probe.begin(2);
    const out = probe.act(probeInput(family));
    if (out.probs.length !== 2 * family.numActions)
      fail(`it returned ${out.probs.length} probabilities for 2 rows of ${family.numActions} actions`);
    if (out.value !== undefined && !Array.from(out.value).every(Number.isFinite))
      fail('it returned a non-finite value');
  });
  const network = (first as ReturnType<typeof play> | null)?.agent as { net?: { parameters(): Map<string, Tensor> } };
  if (network?.net !== undefined) {
    run(checks, 'a network plays with its parameters frozen', () => {
      const agent = entry.create(family, options, Rng.fromSeed('check-net')) as unknown as typeof network;
      const params = (agent.net as { parameters(): Map<string, Tensor> }).parameters();
      const before = hashParameters(params);
      evaluate(family, agent as unknown as Agent, { episodes: 2, batchSize: 2, rng: Rng.fromSeed('check') });
      if (hashParameters(params) !== before) fail('playing changed its parameters');
    });
  }
  run(checks, 'the same seed gives the same episodes', () => {
    if (first === null) fail('it did not play');
    if (JSON.stringify(play().records) !== JSON.stringify((first as ReturnType<typeof play>).records))
      fail('two agents built and played from the same seeds acted differently');
  });
  if ((first as ReturnType<typeof play> | null)?.agent.recordable !== undefined) {
    run(checks, 'its recordable variables are well declared, and read after a step with their declared sizes', () =>
      checkRecordable(entry, family, options),
    );
    run(checks, 'reading every recordable variable after every step changes nothing it does', () => {
      const agent = readingEveryStep(entry.create(family, options, Rng.fromSeed('check-agent')));
      const records = evaluate(family, agent, { episodes: 3, batchSize: 2, rng: Rng.fromSeed('check') });
      if (JSON.stringify(records) !== JSON.stringify((first as ReturnType<typeof play>).records))
        fail('it acted differently when its recordable variables were read');
    });
  }
  return report(subject, checks);
}
