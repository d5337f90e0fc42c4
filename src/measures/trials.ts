// Trial tables: one row per trial of every evaluation episode, for fitting choice models in pandas
// or R (docs/trials.md documents every column; src/experiments/trials-file.ts writes them). The
// columns come from what a task declares, never from its id:
// - the episode's instance parameters: the ground-truth fields its `instanceParameters` trait names
//   (all of them without one), as they were at the start of the episode (EpisodeRecord.instance);
// - the choice of a trial when every trial is one step (no `trialEnd` in `infoFields`), or the
//   trial's number of steps when trials span many (the navigation tasks);
// - the reward over the trial, and every `info` field the task declares, each reduced to one value
//   per trial by FIELD_RULES (its value at the trial's last step unless a rule says otherwise).
// A field whose value is an array becomes one column per element (`name_0`, `name_1`, …).
import type { EpisodeRecord, StepInfo, TaskFamily } from '../core/types.ts';

/** A column's type: what the Parquet file stores and what a CSV reader should make of the text. */
export type TrialColumnType = 'string' | 'integer' | 'number' | 'boolean';

/** A cell; null when the trial has no value there (written as an empty CSV field and a Parquet null). */
export type TrialValue = string | number | boolean | null;

export interface TrialColumn {
  name: string;
  type: TrialColumnType;
}

/** The trials of one agent under one lesion, column by column (`values[c][row]`). */
export interface TrialTable {
  columns: readonly TrialColumn[];
  rows: number;
  values: TrialValue[][];
}

/** One trial: steps `first` to `last` (inclusive) of episode `episode`. */
interface TrialSpan {
  record: EpisodeRecord;
  episode: number;
  first: number;
  last: number;
}

interface ColumnReader extends TrialColumn {
  /** The trial's value (made a cell of the column's type by `cell`). */
  read(span: TrialSpan): unknown;
}

/** The columns of a task's trial tables: `agent` and `lesion`, then one per reader. */
export interface TrialLayout {
  readonly columns: readonly TrialColumn[];
  readonly readers: readonly ColumnReader[];
}

type Aggregate = 'first' | 'last' | 'sum' | 'count' | 'all';

interface FieldRule {
  /** The column's name (default: the field's). */
  name?: string;
  /** How the trial's steps reduce to one value (default: the last step's). */
  aggregate?: Aggregate;
  /** Whole numbers (an index, a count), stored as integers. */
  integer?: boolean;
  /** Not a column of its own: what rows are keyed and split by. */
  skip?: boolean;
}

/**
 * The fields of engram's tasks that need more than their value at the trial's last step, another
 * name, or integer storage: expected rewards and regret add up over a trial's steps, the water
 * maze's time at the last step is the escape latency, indices are integers, and so on. A field not
 * listed becomes a column of its own name holding its value at the trial's last step.
 */
const FIELD_RULES: Readonly<Record<string, FieldRule>> = {
  trial: { skip: true },
  newTrial: { skip: true },
  trialEnd: { skip: true },
  expectedReward: { aggregate: 'sum' },
  bestExpectedReward: { aggregate: 'sum' },
  expectedRegret: { aggregate: 'sum' },
  correct: { aggregate: 'all' },
  optimalAction: { integer: true },
  chosenOption: { integer: true },
  secondState: { integer: true },
  secondChoice: { integer: true },
  stage: { skip: true },
  rewardedSide: { integer: true },
  day: { integer: true },
  trialOfDay: { integer: true },
  goal: { integer: true },
  // Instance parameters (only `integer` applies to them).
  rewardedObject: { integer: true },
  otherObject: { integer: true },
  platformIndex: { integer: true },
  start: { aggregate: 'first' },
  position: { name: 'end' },
  time: { name: 'escapeLatency' },
  swum: { name: 'pathLength', aggregate: 'sum' },
  hitWall: { name: 'wallHits', aggregate: 'count' },
};

/** `v` as a cell of a column of type `type`; anything else (NaN, ±∞, a value of another type) is null. */
function cell(v: unknown, type: TrialColumnType): TrialValue {
  switch (type) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    case 'integer':
      return typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'string':
      return typeof v === 'string' ? v : null;
  }
}

function isList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

/** The columns a value like `sample` makes, with how to pick each one out of such a value. */
function expand(
  name: string,
  sample: unknown,
  integer: boolean,
): { name: string; type: TrialColumnType; pick: (v: unknown) => unknown }[] {
  const scalar = (x: unknown): TrialColumnType | null => {
    if (typeof x === 'number') return integer ? 'integer' : 'number';
    if (typeof x === 'boolean') return 'boolean';
    if (typeof x === 'string') return 'string';
    return null;
  };
  if (isList(sample)) {
    return Array.from(sample).flatMap((x, i) => {
      const type = scalar(x);
      return type === null
        ? []
        : [{ name: `${name}_${i}`, type, pick: (v: unknown) => (isList(v) ? v[i] : undefined) }];
    });
  }
  const type = scalar(sample);
  return type === null ? [] : [{ name, type, pick: (v: unknown) => v }];
}

/** The trial's value of `get`, reduced over its steps by `aggregate`. */
function reduce(span: TrialSpan, aggregate: Aggregate, get: (info: StepInfo) => unknown): unknown {
  const { infos } = span.record;
  if (aggregate === 'first') return get(infos[span.first]);
  if (aggregate === 'last') return get(infos[span.last]);
  if (aggregate === 'all') {
    // True when every step says true (a trial of several choices is correct when each one was).
    for (let s = span.first; s <= span.last; s++) if (get(infos[s]) !== true) return get(infos[s]);
    return true;
  }
  let total = 0;
  let seen = false;
  for (let s = span.first; s <= span.last; s++) {
    const v = get(infos[s]);
    if (aggregate === 'count') total += v === true ? 1 : 0;
    else if (typeof v === 'number') {
      total += v;
      seen = true;
    }
  }
  return aggregate === 'count' || seen ? total : undefined;
}

/** The first value of `field` in the steps of `sample`, to tell its shape. */
function firstValue(sample: readonly EpisodeRecord[], field: string): unknown {
  for (const r of sample) for (const info of r.infos) if (info[field] !== undefined) return info[field];
  return undefined;
}

/**
 * The columns of `family`'s trial tables. Their shapes (how many arms, how many coordinates) are
 * read off `sample`, episodes of the family; with no sample there are no instance-parameter
 * columns and no columns for array fields.
 */
export function trialLayout(family: TaskFamily, sample: readonly EpisodeRecord[]): TrialLayout {
  const multiStep = family.infoFields.includes('trialEnd');
  const readers: ColumnReader[] = [];
  // Names are unique: a later column with a name already taken is left out.
  const taken = new Set(['agent', 'lesion', 'episode', 'trial']);
  const add = (list: ColumnReader[], reader: ColumnReader) => {
    if (taken.has(reader.name)) return;
    taken.add(reader.name);
    list.push(reader);
  };
  const own: ColumnReader[] = [];
  if (!multiStep) add(own, { name: 'action', type: 'integer', read: (s) => s.record.actions[s.first] });
  add(own, {
    name: 'reward',
    type: 'number',
    read: (s) => {
      let total = 0;
      for (let t = s.first; t <= s.last; t++) total += s.record.rewards[t];
      return total;
    },
  });
  if (multiStep) add(own, { name: 'steps', type: 'integer', read: (s) => s.last - s.first + 1 });
  for (const field of family.infoFields) {
    const rule = FIELD_RULES[field] ?? {};
    if (rule.skip) continue;
    const aggregate = rule.aggregate ?? 'last';
    const value = firstValue(sample, field);
    if (aggregate === 'count') {
      add(own, { name: rule.name ?? field, type: 'integer', read: (s) => reduce(s, 'count', (i) => i[field]) });
      continue;
    }
    for (const c of expand(rule.name ?? field, value, rule.integer === true)) {
      const type = aggregate === 'sum' ? 'number' : c.type;
      add(own, { name: c.name, type, read: (s) => reduce(s, aggregate, (i) => c.pick(i[field])) });
    }
  }
  // Instance parameters last in the bookkeeping, so that a field the task also reports per trial (the water maze's
  // platform, which moves each day under delayed matching-to-place) keeps the trial's value.
  const instance: ColumnReader[] = [];
  const start = sample.find((r) => r.instance !== undefined)?.instance;
  if (start !== undefined) {
    for (const field of family.traits?.instanceParameters ?? Object.keys(start)) {
      for (const c of expand(field, start[field], FIELD_RULES[field]?.integer === true))
        add(instance, { name: c.name, type: c.type, read: (s) => c.pick(s.record.instance?.[field]) });
    }
  }
  readers.push(
    { name: 'episode', type: 'integer', read: (s) => s.episode },
    { name: 'trial', type: 'integer', read: (s) => s.record.infos[s.first].trial },
    ...instance,
    ...own,
  );
  const columns: TrialColumn[] = [
    { name: 'agent', type: 'string' },
    { name: 'lesion', type: 'string' },
    ...readers.map(({ name, type }) => ({ name, type })),
  ];
  return { columns, readers };
}

/** The trials of one episode, in order: runs of steps with the same `info.trial`. */
function trialSpans(record: EpisodeRecord, episode: number): TrialSpan[] {
  const spans: TrialSpan[] = [];
  const { infos } = record;
  let first = 0;
  for (let s = 0; s < infos.length; s++) {
    if (s === infos.length - 1 || infos[s + 1].trial !== infos[s].trial) {
      spans.push({ record, episode, first, last: s });
      first = s + 1;
    }
  }
  return spans;
}

/**
 * The trial table of `records` (episodes 0, 1, … of the evaluation, in order) played by `agent`
 * under `lesion` ('none' when intact).
 */
export function trialTable(
  layout: TrialLayout,
  agent: string,
  lesion: string,
  records: readonly EpisodeRecord[],
): TrialTable {
  const read: TrialValue[][] = layout.readers.map(() => []);
  let rows = 0;
  for (const [episode, record] of records.entries()) {
    for (const span of trialSpans(record, episode)) {
      layout.readers.forEach((reader, c) => {
        read[c].push(cell(reader.read(span), reader.type));
      });
      rows++;
    }
  }
  const values = [new Array<TrialValue>(rows).fill(agent), new Array<TrialValue>(rows).fill(lesion), ...read];
  return { columns: layout.columns, rows, values };
}
