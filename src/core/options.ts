// Option records for tasks and agents: a zod `.strict()` object schema with a default on every key
// is the single place where a component's options, their defaults and their ranges live. This
// module turns zod's issues into one UsageError line that names the component and the key, so the
// command line can print it as is (for example
// `bandit-bernoulli: option 'arms' must be between 2 and 50, got 1`).
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

/** One line describing the first problem zod found. */
function describe(owner: string, schema: ObjectSchema, raw: Record<string, unknown>, issue: z.core.$ZodIssue): string {
  const known = Object.keys(schema.shape);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `'${k}'`).join(', ');
    const options = known.length > 0 ? `options: ${known.join(', ')}` : 'it takes no options';
    return `${owner}: unknown option ${keys} (${options})`;
  }
  const key = issue.path.length > 0 ? String(issue.path[0]) : '?';
  const got = show(raw[key]);
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const { min, max } = boundsOf(schema.shape[key]);
      if (min !== null && max !== null)
        return `${owner}: option '${key}' must be between ${min} and ${max}, got ${got}`;
      if (issue.code === 'too_small')
        return `${owner}: option '${key}' must be at least ${min ?? issue.minimum}, got ${got}`;
      return `${owner}: option '${key}' must be at most ${max ?? issue.maximum}, got ${got}`;
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
  const result = schema.safeParse(given);
  if (!result.success) throw new UsageError(describe(owner, schema, given, result.error.issues[0]));
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
export function optionMeta(field: z.ZodType): OptionMeta | undefined {
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

/** The options of a record in declaration order, read from its JSON Schema (zod's, with the option() metadata). */
export function describeOptions(schema: OptionRecord): OptionDoc[] {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, JsonSchemaField> };
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
