// Option records for tasks and agents: a zod `.strict()` object schema with a default on every key
// is the single place where a component's options, their defaults and their ranges live. This
// module turns zod's issues into one UsageError line that names the component and the key, so the
// command line can print it as is (for example
// `bandit-bernoulli: option 'arms' must be between 2 and 50, got 1`). Physical options declare the
// SI unit their numbers are in, and take quantities in any unit of the same dimension, read by
// mathjs (`"timeStep": "100 ms"` is 0.1 s) before zod checks the SI value against the range.
import { createRequire } from 'node:module';
import type * as MathJs from 'mathjs';
import { z } from 'zod';
import { UsageError } from './errors.ts';

/** A component's option record: a strict zod object with a default (or `.optional()`) on every key. */
export type OptionRecord = z.ZodObject<z.ZodRawShape>;
type ObjectSchema = OptionRecord;

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}

/** The numeric bounds of a field, looking through `.default()` and `.optional()` wrappers. */
function boundsOf(field: unknown): { min: number | null; max: number | null } {
  let inner = field as { unwrap?: () => unknown; minValue?: number | null; maxValue?: number | null } | undefined;
  for (let depth = 0; inner && typeof inner.unwrap === 'function' && depth < 4; depth++) {
    inner = inner.unwrap() as typeof inner;
  }
  const min = inner?.minValue;
  const max = inner?.maxValue;
  return {
    min: typeof min === 'number' && Number.isFinite(min) ? min : null,
    max: typeof max === 'number' && Number.isFinite(max) ? max : null,
  };
}

let mathjs: typeof MathJs | undefined;

/**
 * mathjs, loaded the first time an option is given as a quantity: loading it takes about 0.4 s, which
 * every command and worker thread would otherwise pay at start, while most never read a quantity.
 */
function math(): typeof MathJs {
  mathjs ??= createRequire(import.meta.url)('mathjs') as typeof MathJs;
  return mathjs;
}

/** The SI unit of an option of the record, if it is a physical quantity. */
function unitOf(schema: ObjectSchema, key: string): string | undefined {
  return Object.hasOwn(schema.shape, key) ? optionMeta(schema.shape[key])?.unit : undefined;
}

/**
 * A quantity given as text (`'16 cm'`) as a number in the option's SI unit (`0.16`). Text that is no
 * quantity, or a quantity of another dimension, is a UsageError naming the option and its unit.
 */
function toSi(owner: string, schema: ObjectSchema, key: string, text: string, unit: string): number {
  const fallback = (schema.shape[key] as { def?: { defaultValue?: unknown } }).def?.defaultValue;
  const example = typeof fallback === 'number' ? fallback : 1;
  const expected =
    `${owner}: option '${key}' must be a number in ${unit} or a quantity convertible to ${unit} ` +
    `(e.g. ${example} or '${example} ${unit}')`;
  let quantity: MathJs.Unit;
  try {
    quantity = math().unit(text.trim());
  } catch (err) {
    throw new UsageError(`${expected}, got '${text}' (${(err as Error).message.replace(/\.$/, '')})`);
  }
  // A unit without a number ('ms', or '') parses, with a null value.
  if ((quantity.value as number | null) === null) throw new UsageError(`${expected}, got '${text}' (no number)`);
  if (!quantity.equalBase(math().unit(unit))) {
    const why = quantity.units.length === 0 ? 'no unit' : `${quantity.formatUnits()} does not convert to ${unit}`;
    throw new UsageError(`${expected}, got '${text}' (${why})`);
  }
  // Decimal quantities pick up binary noise in conversion (35 cm is 0.35000000000000003 m); 15
  // significant digits give back the number written, so '35 cm' and 0.35 are the same option.
  return Number(quantity.toNumber(unit).toPrecision(15));
}

/**
 * A quantity outside an option record (`--record-limit '500 MB'`) as a number in `unit`: a bare
 * number is already in it; text is converted by mathjs. Anything else, or another dimension, is a
 * UsageError naming `what`.
 */
export function quantityIn(value: unknown, unit: string, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const expected = `${what} must be a number in ${unit} or a quantity convertible to ${unit}`;
  if (typeof value !== 'string') throw new UsageError(`${expected}, got ${show(value)}`);
  const bare = Number(value.trim());
  if (value.trim() !== '' && Number.isFinite(bare)) return bare;
  let quantity: MathJs.Unit;
  try {
    quantity = math().unit(value.trim());
  } catch (err) {
    throw new UsageError(`${expected}, got '${value}' (${(err as Error).message.replace(/\.$/, '')})`);
  }
  if ((quantity.value as number | null) === null) throw new UsageError(`${expected}, got '${value}' (no number)`);
  if (!quantity.equalBase(math().unit(unit)))
    throw new UsageError(`${expected}, got '${value}' (${quantity.formatUnits()} does not convert to ${unit})`);
  return quantity.toNumber(unit);
}

/** A value as an error message quotes it; a quantity given as text with its SI value (`'1100 cm' (11 m)`). */
function gotten(raw: unknown, converted: unknown, unit: string | undefined): string {
  return typeof raw === 'string' && typeof converted === 'number' && unit !== undefined
    ? `${show(raw)} (${converted} ${unit})`
    : show(raw);
}

/** One line describing the first problem zod found (`raw` as given, `input` with quantities in SI units). */
function describe(
  owner: string,
  schema: ObjectSchema,
  raw: Record<string, unknown>,
  input: Record<string, unknown>,
  issue: z.core.$ZodIssue,
): string {
  const known = Object.keys(schema.shape);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `'${k}'`).join(', ');
    const options = known.length > 0 ? `options: ${known.join(', ')}` : 'it takes no options';
    return `${owner}: unknown option ${keys} (${options})`;
  }
  const key = issue.path.length > 0 ? String(issue.path[0]) : '?';
  const unit = unitOf(schema, key);
  const got = gotten(raw[key], input[key], unit);
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      // Ranges are in the SI unit: say so, since the value may have been given in another.
      const u = unit === undefined ? '' : ` ${unit}`;
      const { min, max } = boundsOf(schema.shape[key]);
      if (min !== null && max !== null)
        return `${owner}: option '${key}' must be between ${min} and ${max}${u}, got ${got}`;
      if (issue.code === 'too_small')
        return `${owner}: option '${key}' must be at least ${min ?? issue.minimum}${u}, got ${got}`;
      return `${owner}: option '${key}' must be at most ${max ?? issue.maximum}${u}, got ${got}`;
    }
    case 'invalid_type': {
      const expected = issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`;
      return `${owner}: option '${key}' must be ${expected}, got ${got}`;
    }
    case 'invalid_value':
      return `${owner}: option '${key}' must be one of ${issue.values.map(String).join(', ')}, got ${got}`;
    default:
      return `${owner}: option '${key}' is invalid (${issue.message}), got ${got}`;
  }
}

/**
 * Validates `raw` against a strict object schema and returns the resolved options (defaults
 * filled in). Unknown keys and out-of-range values throw a UsageError naming `owner` and the key.
 * An option with a unit takes a number in that unit or a quantity as text (`'100 ms'`), which is
 * converted to the unit before its range is checked; other options take no text for numbers.
 */
export function parseOptions<S extends ObjectSchema>(
  owner: string,
  schema: S,
  raw: Record<string, unknown> | undefined,
): z.output<S> {
  const input = raw ?? {};
  // Keys explicitly set to undefined mean "not given" (the command line passes absent flags that way).
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) if (v !== undefined) given[k] = v;
  const si: Record<string, unknown> = { ...given };
  for (const [k, v] of Object.entries(given)) {
    const unit = unitOf(schema, k);
    if (typeof v === 'string' && unit !== undefined) si[k] = toSi(owner, schema, k, v, unit);
  }
  const result = schema.safeParse(si);
  if (!result.success) throw new UsageError(describe(owner, schema, given, si, result.error.issues[0]));
  return result.data;
}

/** What an option's metadata says of it (zod `.meta()`; `engram list` and docs/tasks.md print it). */
export interface OptionMeta {
  description: string;
  /** The unit a bare number is in (SI: `s`, `m`, `m/s`, …), for physical quantities. */
  unit?: string;
}

/**
 * Documents an option of a task or agent: what it is (the paper's symbol first, where it has one:
 * "R, the pool's radius"), and for a physical quantity the unit its numbers are in.
 */
export function option<T extends z.ZodType>(schema: T, description: string, unit?: string): T {
  return schema.meta(unit === undefined ? { description } : { description, unit }) as T;
}

/** The metadata of an option (looking through `.default()` and `.optional()`, which keep it). */
export function optionMeta(field: z.core.$ZodType): OptionMeta | undefined {
  return z.globalRegistry.get(field) as OptionMeta | undefined;
}

/** One option as documentation shows it (docs/tasks.md, docs/agents.md). */
export interface OptionDoc {
  name: string;
  /** `integer`, `number`, `boolean`, `string`, or the allowed values joined by ` | `. */
  type: string;
  /** The default as JSON, or null when the option has none (it is then computed or not used). */
  default: string | null;
  /** The allowed interval, `[min, max]` with `(` or `)` for an open end; null if unbounded or not a number. */
  range: string | null;
  unit: string | null;
  description: string;
}

interface JsonSchemaField {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
  unit?: string;
}

/** Numbers to six significant digits (a default of 1/3 reads 0.333333). */
function shortNumber(value: unknown): unknown {
  return typeof value === 'number' ? Number(value.toPrecision(6)) : value;
}

/**
 * The JSON Schema of what a record accepts (zod's, for its input: an option with a default need not
 * be given), each property carrying its option() metadata: `description`, and `unit` for quantities.
 */
export function optionsJsonSchema(schema: OptionRecord): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
}

/** The options of a record in declaration order, read from its JSON Schema (zod's, with the option() metadata). */
export function describeOptions(schema: OptionRecord): OptionDoc[] {
  const json = optionsJsonSchema(schema) as { properties?: Record<string, JsonSchemaField> };
  return Object.entries(json.properties ?? {}).map(([name, f]) => {
    // Bounds at the safe-integer limits are zod's way of saying "any integer".
    const bound = (v: number | undefined) =>
      v === undefined || Math.abs(v) >= Number.MAX_SAFE_INTEGER ? undefined : v;
    const low = bound(f.minimum ?? f.exclusiveMinimum);
    const high = bound(f.maximum ?? f.exclusiveMaximum);
    const open = low === undefined || f.exclusiveMinimum !== undefined ? '(' : '[';
    const close = high === undefined || f.exclusiveMaximum !== undefined ? ')' : ']';
    const range = low === undefined && high === undefined ? null : `${open}${low ?? '−∞'}, ${high ?? '∞'}${close}`;
    return {
      name,
      type: f.enum ? f.enum.map(String).join(' | ') : (f.type ?? 'any'),
      default: f.default === undefined ? null : JSON.stringify(shortNumber(f.default)),
      range,
      unit: f.unit ?? null,
      description: f.description ?? '',
    };
  });
}

/**
 * Option values as reports print them, each number with its option's unit where it has one:
 * `protocol reference, timeStep 0.1 s`. Keys the record does not know (a run made before an option
 * was removed) print without a unit; so does `schema` undefined.
 */
export function formatOptionValues(schema: OptionRecord | undefined, values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
      const unit = schema === undefined ? undefined : unitOf(schema, key);
      return typeof value === 'number' && unit !== undefined ? `${key} ${text} ${unit}` : `${key} ${text}`;
    })
    .join(', ');
}
