// The flags of a script, from their defaults: a string flag (`--runs 4`), a switch (`--json`), or an
// optional value without a default (undefined).
import { parseArgs } from 'node:util';

type Default = string | boolean | undefined;
type Values<D extends Record<string, Default>> = {
  [K in keyof D]: D[K] extends boolean ? boolean : D[K] extends string ? string : string | undefined;
};

/** Parses process.argv with a flag per key of `defaults`; returns the values and the positional arguments. */
export function flags<D extends Record<string, Default>>(defaults: D): { values: Values<D>; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(defaults).map(([name, value]) => [
      name,
      typeof value === 'boolean'
        ? { type: 'boolean' as const, default: value }
        : { type: 'string' as const, default: value },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({ options, allowPositionals: true });
    return { values: values as Values<D>, positionals };
  } catch (error) {
    const flagsList = Object.keys(defaults)
      .map((name) => `--${name}`)
      .join(', ');
    console.error(`${(error as Error).message}\nflags: ${flagsList}`);
    process.exit(2);
  }
}
