// Validation shared by the layers' option records: sizes are positive integers, and a misspelt
// option is an error rather than a silently ignored key.

export function positiveInteger(layer: string, key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${layer}: option '${key}' must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function rejectUnknownKeys(layer: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${layer}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}
