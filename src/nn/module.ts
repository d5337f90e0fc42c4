// Parameter collections. A Module registers named parameters and child modules; its parameters
// are named by their path ("policy.weight"), serialize to plain JSON and load back bit-exactly,
// and hash to a stable digest that frozen evaluation compares before and after.
import { createHash } from 'node:crypto';
import type { Tensor } from './tensor.ts';

/** A serialized parameter. Values are JSON numbers, which round-trip JS doubles exactly; the few
 * values JSON numbers cannot hold (−0, NaN, ±Infinity) are written as the strings "-0", "NaN",
 * "Infinity" and "-Infinity". */
export interface SerializedTensor {
  rows: number;
  cols: number;
  data: (number | string)[];
}

/** Parameters by name, as plain JSON-safe data. */
export type SerializedParameters = Record<string, SerializedTensor>;

export abstract class Module {
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Registers a parameter under `name` (marking it as requiring gradients) and returns it. */
  protected registerParameter(name: string, tensor: Tensor): Tensor {
    checkName(name, this.ownParameters, this.children);
    tensor.requiresGrad = true;
    this.ownParameters.set(name, tensor);
    return tensor;
  }

  /** Registers a child module under `name` and returns it. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    checkName(name, this.ownParameters, this.children);
    this.children.set(name, module);
    return module;
  }

  /** Every parameter, named by its dotted path, in registration order. */
  parameters(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [name, t] of this.ownParameters) out.set(name, t);
    for (const [prefix, child] of this.children) {
      for (const [name, t] of child.parameters()) out.set(`${prefix}.${name}`, t);
    }
    return out;
  }

  /** Total number of scalar parameters. */
  parameterCount(): number {
    let n = 0;
    for (const t of this.parameters().values()) n += t.size;
    return n;
  }

  /** Sets every parameter gradient to zero. */
  zeroGrad(): void {
    zeroGrad(this.parameters());
  }

  /** The parameters as plain JSON-safe data. */
  toJSON(): SerializedParameters {
    return parametersToJSON(this.parameters());
  }

  /**
   * Overwrites the parameters in place from data written by `toJSON` (names and shapes must match
   * exactly; on error nothing is changed). Returns this module.
   */
  fromJSON(json: unknown): this {
    loadParameters(this.parameters(), json);
    return this;
  }

  /** SHA-256 of the parameters (see `hashParameters`). */
  hash(): string {
    return hashParameters(this.parameters());
  }
}

function checkName(name: string, parameters: Map<string, unknown>, children: Map<string, unknown>): void {
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new Error(`Module: parameter and module names are letters, digits and _, got '${name}'`);
  if (parameters.has(name) || children.has(name)) throw new Error(`Module: '${name}' is registered twice`);
}

/** Sets every gradient to zero. */
export function zeroGrad(parameters: Map<string, Tensor>): void {
  for (const t of parameters.values()) t.zeroGrad();
}

function encodeValue(x: number): number | string {
  if (Number.isFinite(x)) return Object.is(x, -0) ? '-0' : x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

function decodeValue(x: unknown, where: string): number {
  if (typeof x === 'number') return x;
  switch (x) {
    case '-0':
      return -0;
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      throw new Error(`${where} holds ${JSON.stringify(x)}, not a number`);
  }
}

/** Float64 values as JSON-safe data that decodes bit-exactly (see SerializedTensor). */
export function encodeValues(values: Float64Array): (number | string)[] {
  const data = new Array<number | string>(values.length);
  for (let i = 0; i < values.length; i++) data[i] = encodeValue(values[i]);
  return data;
}

/** The inverse of `encodeValues`; `where` names the data in error messages. */
export function decodeValues(data: unknown, length: number, where: string): Float64Array {
  if (!Array.isArray(data) || data.length !== length) throw new Error(`${where}: expected ${length} values`);
  const values = new Float64Array(length);
  for (let i = 0; i < length; i++) values[i] = decodeValue(data[i], `${where} [${i}]`);
  return values;
}

/** One tensor as plain JSON-safe data. */
export function tensorToJSON(t: Tensor): SerializedTensor {
  return { rows: t.rows, cols: t.cols, data: encodeValues(t.data) };
}

/** Parameters by name as plain JSON-safe data. */
export function parametersToJSON(parameters: Map<string, Tensor>): SerializedParameters {
  const out: SerializedParameters = {};
  for (const [name, t] of parameters) out[name] = tensorToJSON(t);
  return out;
}

/**
 * Overwrites `parameters` in place from serialized data. Every name must be present with the same
 * shape and no extra name may appear, so a checkpoint of another architecture fails loudly.
 */
export function loadParameters(parameters: Map<string, Tensor>, json: unknown): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error('loadParameters: expected an object of named parameters');
  const record = json as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (!parameters.has(name)) throw new Error(`loadParameters: unknown parameter '${name}'`);
  }
  const decoded = new Map<Tensor, Float64Array>();
  for (const [name, t] of parameters) {
    const entry = record[name] as Partial<SerializedTensor> | undefined;
    if (entry === undefined) throw new Error(`loadParameters: parameter '${name}' is missing`);
    if (typeof entry !== 'object' || entry === null || !Array.isArray(entry.data))
      throw new Error(`loadParameters: parameter '${name}' is malformed`);
    if (entry.rows !== t.rows || entry.cols !== t.cols || entry.data.length !== t.size) {
      throw new Error(`loadParameters: parameter '${name}' has shape ${entry.rows}x${entry.cols}, expected ${t.shape}`);
    }
    decoded.set(t, decodeValues(entry.data, t.size, `loadParameters: parameter '${name}'`));
  }
  // Validate everything before writing anything, so a bad checkpoint leaves the parameters intact.
  for (const [t, values] of decoded) t.data.set(values);
}

/**
 * SHA-256 (hex) over the parameters in sorted name order: each name, its shape, and its values as
 * little-endian float64 bytes. Equal hashes mean bit-identical parameters.
 */
export function hashParameters(parameters: Map<string, Tensor>): string {
  const hash = createHash('sha256');
  const names = [...parameters.keys()].sort();
  for (const name of names) {
    const t = parameters.get(name)!;
    hash.update(`${name}:${t.rows}x${t.cols};`);
    const buffer = Buffer.alloc(t.size * 8);
    for (let i = 0; i < t.size; i++) buffer.writeDoubleLE(t.data[i], i * 8);
    hash.update(buffer);
  }
  return hash.digest('hex');
}
