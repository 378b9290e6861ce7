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

/** The median of a microbenchmark's figures (the upper one of an even count); NaN for none. */
export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Figures per round, then their median: `0.97 / 0.94  (median 0.97)`. */
export const roundsAndMedian = (xs: readonly number[], digits: number): string =>
  `${xs.map((x) => x.toFixed(digits)).join(' / ')}  (median ${median(xs).toFixed(digits)})`;
