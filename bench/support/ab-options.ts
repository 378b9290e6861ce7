/** Command line of `npm run bench:ab`, parsed once; `abCommand` prints it back in full. */
import { UsageError } from './options.ts';

export interface ArmOptions {
  /** Checkout whose `bench/run-bench.ts` runs (with its own node_modules); null: this one. */
  dir: string | null;
  /** Environment of the arm's bench process, e.g. BENCH_DATABASE_URL. */
  env: Record<string, string>;
  /** Extra arguments of the arm's bench runs, e.g. `--env NODE_OPTIONS=--max-semi-space-size=64`. */
  args: string[];
}

export interface AbOptions {
  pairs: number;
  a: ArmOptions;
  b: ArmOptions;
  /** Directory of the runs' results and logs; default bench-results/ab-<timestamp>. */
  out: string | null;
  /** Arguments every run gets (after `--`). */
  benchArgs: string[];
}

export const defaultPairs = 3;

export const abUsage = `usage: npm run bench:ab -- [options] -- [bench options]
Runs the bench for A and B in interleaved pairs (A B, B A, A B…) and compares them point by point.
  --pairs N             pairs of runs (${defaultPairs}); a sign test needs 6 for p < 0.05
  --a-dir DIR, --b-dir DIR
                        checkout (with node_modules) whose bench the arm runs (this one)
  --a-env KEY=VALUE, --b-env KEY=VALUE
                        environment of the arm's bench process (repeatable), e.g.
                        BENCH_DATABASE_URL=...
  --a-args "ARGS", --b-args "ARGS"
                        extra bench options of the arm, split at spaces, e.g.
                        "--env NODE_OPTIONS=--max-semi-space-size=64"
  --out DIR             results, logs and summary (bench-results/ab-<timestamp>)
Everything after -- goes to every run (see npm run bench -- --help), except --json and --reuse.
Example: git worktree add ../base HEAD~1 && (cd ../base && npm ci) &&
  npm run bench:ab -- --a-dir ../base --pairs 6 -- --rates 500,1000 --concurrency none --ceiling-s 0`;

const emptyArm = (): ArmOptions => ({ dir: null, env: {}, args: [] });

const keyValue = (flag: string, raw: string | undefined): [string, string] => {
  const match = raw?.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s);
  if (!match) throw new UsageError(`${flag} needs KEY=VALUE, got ${raw}`);
  return [match[1] as string, match[2] as string];
};

/** Options the tool sets itself, or that would make the runs of a pair share services. */
const reserved = ['--json', '--reuse'];

const checkNotReserved = (where: string, args: readonly string[]): void => {
  for (const arg of args) {
    const name = arg.split('=')[0] ?? arg;
    if (reserved.includes(name))
      throw new UsageError(
        `${name} cannot be given to bench:ab (${where}): it sets --json itself, and --reuse would share services between runs`,
      );
  }
};

export function parseAbOptions(argv: readonly string[]): AbOptions {
  const separator = argv.indexOf('--');
  const own = separator === -1 ? argv : argv.slice(0, separator);
  const options: AbOptions = {
    pairs: defaultPairs,
    a: emptyArm(),
    b: emptyArm(),
    out: null,
    benchArgs: separator === -1 ? [] : argv.slice(separator + 1),
  };
  for (let i = 0; i < own.length; i++) {
    const flag = own[i] ?? '';
    const [name, inline] = flag.includes('=') && flag.startsWith('--') ? flag.split(/=(.*)/s) : [flag];
    const value = (): string | undefined => (inline !== undefined ? inline : own[++i]);
    const arm = name?.startsWith('--a-') ? options.a : name?.startsWith('--b-') ? options.b : null;
    switch (name) {
      case '--pairs': {
        const raw = value();
        const pairs = Number(raw);
        if (!Number.isInteger(pairs) || pairs < 1)
          throw new UsageError(`--pairs needs a whole number ≥ 1, got ${raw}`);
        options.pairs = pairs;
        break;
      }
      case '--a-dir':
      case '--b-dir': {
        const dir = value();
        if (!dir) throw new UsageError(`${name} needs a directory`);
        (arm as ArmOptions).dir = dir;
        break;
      }
      case '--a-env':
      case '--b-env': {
        const [key, val] = keyValue(name, value());
        (arm as ArmOptions).env[key] = val;
        break;
      }
      case '--a-args':
      case '--b-args': {
        const raw = value();
        if (raw === undefined) throw new UsageError(`${name} needs the arm's bench options in one argument`);
        (arm as ArmOptions).args.push(...raw.split(' ').filter((a) => a !== ''));
        break;
      }
      case '--out':
        options.out = value() ?? null;
        if (!options.out) throw new UsageError('--out needs a directory');
        break;
      case '--help':
      case '-h':
        throw new UsageError(abUsage);
      default:
        throw new UsageError(`unknown option ${flag} (bench options go after --)\n${abUsage}`);
    }
  }
  checkNotReserved('after --', options.benchArgs);
  checkNotReserved('--a-args', options.a.args);
  checkNotReserved('--b-args', options.b.args);
  if (JSON.stringify(options.a) === JSON.stringify(options.b))
    throw new UsageError(`A and B are the same: give one of them --a-/--b-dir, -env or -args\n${abUsage}`);
  return options;
}

const quote = (arg: string): string =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;

/** The command that reproduces a comparison (its --out included). */
export function abCommand(options: AbOptions, out: string): string {
  const parts = ['npm', 'run', 'bench:ab', '--', '--pairs', String(options.pairs)];
  for (const [letter, arm] of [
    ['a', options.a],
    ['b', options.b],
  ] as const) {
    if (arm.dir !== null) parts.push(`--${letter}-dir`, arm.dir);
    for (const [key, val] of Object.entries(arm.env)) parts.push(`--${letter}-env`, `${key}=${val}`);
    if (arm.args.length > 0) parts.push(`--${letter}-args`, arm.args.join(' '));
  }
  parts.push('--out', out, '--', ...options.benchArgs);
  return parts.map(quote).join(' ');
}
