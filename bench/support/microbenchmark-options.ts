import { parseArgs } from 'node:util';

/**
 * A microbenchmark's command line: each option a positive integer with a default, e.g.
 * `{ rounds: 4 }` for `--rounds 4`. Throws naming the option that is not one.
 */
export function positiveIntegerOptions<Name extends string>(
  defaults: Record<Name, number>,
): Record<Name, number> {
  const names = Object.keys(defaults) as Name[];
  const { values } = parseArgs({
    options: Object.fromEntries(
      names.map((name) => [name, { type: 'string', default: String(defaults[name]) }]),
    ),
  });
  const parsed = {} as Record<Name, number>;
  for (const name of names) {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
    parsed[name] = value;
  }
  return parsed;
}
