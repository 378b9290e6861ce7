/** Command line of `npm run bench:ab`, parsed once; `abCommand` prints it back in full. */
import { shellQuote, UsageError } from './options.ts';

export interface ArmOptions {
  /** Checkout whose `bench/run-bench.ts` runs (with its own node_modules); null: this one. */
  dir: string | null;
  /** Environment of the arm's bench process, e.g. BENCH_DATABASE_URL. */
  env: Record<string, string>;
  /** Extra options of the arm's bench runs, e.g. `--env NODE_OPTIONS=--max-semi-space-size=64`. */
  args: string[];
}

export interface AbOptions {
  pairs: number;
  a: ArmOptions;
  b: ArmOptions;
  /** Directory of the runs' results and logs; default bench-results/ab-<timestamp>. */
  out: string | null;
  /** Options every run gets (after `--`). */
  benchArgs: string[];
}

export const abUsage = `usage: npm run bench:ab -- [options] -- [bench options]
Runs the bench for A and B in interleaved pairs (A B, B A, A B…) and compares them point by point.
  --pairs N             pairs of runs (3); a sign test needs 6 agreeing pairs for p < 0.05
  --a-dir DIR, --b-dir DIR      checkout (with node_modules) whose bench the arm runs (this one)
  --a-env KEY=VALUE, --b-env …  environment of the arm's bench process (repeatable)
  --a-args "ARGS", --b-args …   extra bench options of the arm, split at spaces
  --out DIR             results, logs and summary (bench-results/ab-<timestamp>)
Everything after -- goes to every run (npm run bench -- --help), except --json.
Example: git worktree add ../base HEAD~1 && (cd ../base && npm ci) &&
  npm run bench:ab -- --a-dir ../base --pairs 6 -- --rates 500,1000 --concurrency none --ceiling-s 0`;

export function parseAbOptions(argv: readonly string[]): AbOptions {
  const separator = argv.indexOf('--');
  const own = separator === -1 ? argv : argv.slice(0, separator);
  const arm = (): ArmOptions => ({ dir: null, env: {}, args: [] });
  const o: AbOptions = {
    pairs: 3,
    a: arm(),
    b: arm(),
    out: null,
    benchArgs: separator === -1 ? [] : argv.slice(separator + 1),
  };
  for (let i = 0; i < own.length; i++) {
    const flag = own[i] ?? '';
    const [name = '', inline] = flag.startsWith('--') && flag.includes('=') ? flag.split(/=(.*)/s) : [flag];
    const raw = inline ?? own[i + 1];
    if (inline === undefined && name !== '--help' && name !== '-h') i++;
    const side = name.startsWith('--a-') ? o.a : o.b;
    switch (name) {
      case '--pairs':
        o.pairs = Number(raw);
        if (!Number.isInteger(o.pairs) || o.pairs < 1)
          throw new UsageError(`--pairs needs a whole number ≥ 1, got ${raw}`);
        break;
      case '--a-dir':
      case '--b-dir':
        if (!raw) throw new UsageError(`${name} needs a directory`);
        side.dir = raw;
        break;
      case '--a-env':
      case '--b-env': {
        const pair = raw?.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s);
        if (!pair?.[1]) throw new UsageError(`${name} needs KEY=VALUE, got ${raw}`);
        side.env[pair[1]] = pair[2] ?? '';
        break;
      }
      case '--a-args':
      case '--b-args':
        side.args.push(...(raw ?? '').split(' ').filter((word) => word !== ''));
        break;
      case '--out':
        if (!raw) throw new UsageError('--out needs a directory');
        o.out = raw;
        break;
      case '--help':
      case '-h':
        throw new UsageError(abUsage);
      default:
        throw new UsageError(`unknown option ${flag} (bench options go after --)\n${abUsage}`);
    }
  }
  for (const [where, args] of [
    ['after --', o.benchArgs],
    ['--a-args', o.a.args],
    ['--b-args', o.b.args],
  ] as const)
    if (args.some((arg) => arg.split('=')[0] === '--json'))
      throw new UsageError(
        `--json cannot be given to bench:ab (${where}): it names each run's results itself`,
      );
  if (JSON.stringify(o.a) === JSON.stringify(o.b))
    throw new UsageError(`A and B are the same: give one of them --a-/--b-dir, -env or -args\n${abUsage}`);
  return o;
}

/** The command that reproduces a comparison (its --out included). */
export function abCommand(o: AbOptions, out: string): string {
  const parts = ['npm', 'run', 'bench:ab', '--', '--pairs', String(o.pairs)];
  for (const [letter, arm] of [
    ['a', o.a],
    ['b', o.b],
  ] as const) {
    if (arm.dir !== null) parts.push(`--${letter}-dir`, arm.dir);
    for (const [key, val] of Object.entries(arm.env)) parts.push(`--${letter}-env`, `${key}=${val}`);
    if (arm.args.length > 0) parts.push(`--${letter}-args`, arm.args.join(' '));
  }
  return [...parts, '--out', out, '--', ...o.benchArgs].map(shellQuote).join(' ');
}
