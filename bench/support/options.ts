/** Command line of `npm run bench`, parsed once; `reproduceCommand` prints it back in full. */

export const defaultOptions = {
  /** Open-loop rates (sagas/s) and closed-loop concurrencies (sagas in flight), in order. */
  rates: [100, 250, 500, 1000],
  concurrency: [8, 32, 128],
  /** Measured seconds per point. */
  durationS: 30,
  /** Unrecorded warm-up at min(100/s, the first rate): 5 s left the first point JIT-cold (p50 146 → 39 ms). */
  warmupS: 20,
  /** After a point's last send, how long its outstanding sagas may take to finish. */
  drainS: 20,
  /** Also run the open-loop rates above one the system could not keep up with (by default skipped). */
  keepGoing: false,
  /** Up to this many more open-loop points narrowing down the highest sustained rate (support/goals.ts). */
  refine: 0,
  /** Seconds per ceiling (0 skips them); the round trips in flight the broker ceiling tries. */
  ceilingS: 10,
  echoWindows: [64, 1024],
  /** Declined payments and out-of-stock orders too. */
  mixed: false,
  /**
   * Partitions of the bench's topics. On one 2-core host 3 gave lower p50 and p99 than 6 at 500 and
   * 750/s and the same saturation throughput; the stack's topics keep 6 (TOPIC_PARTITIONS): they bound
   * how many instances of a service share the work, and cannot be lowered later.
   */
  partitions: 3,
  /** The services' extra environment (--env, e.g. DB_POOL_MAX=20) and node flags (which NODE_OPTIONS may refuse). */
  env: {} as Record<string, string>,
  nodeFlags: [] as string[],
  /** The orchestrator's niceness (0: the bench's own); below the bench's own needs root. */
  orchestratorNice: 0,
  /** CPU profiles (`node --cpu-prof`) or sampled allocations (support/heap-sampler.ts) of every service. */
  profile: false,
  heapProfile: false,
  /** First of the four service ports (orchestrator, inventory, payment, shipping). */
  basePort: 3400,
  /** Results file; default bench-results/<timestamp>.json. */
  json: null as string | null,
};
export type BenchOptions = typeof defaultOptions;

const d = defaultOptions;
export const usage = `usage: npm run bench -- [options]
  --rates A,B,...       open-loop rates in sagas/s, or "none" (${d.rates.join(',')})
  --concurrency A,B     closed-loop concurrencies, or "none" (${d.concurrency.join(',')})
  --duration-s N        measured seconds per point (${d.durationS})
  --warmup-s N          unrecorded warm-up at the first rate, at most 100/s (${d.warmupS})
  --drain-s N           grace for outstanding sagas after the last send (${d.drainS})
  --keep-going          also run the rates above one that completed < 70 % of its offered rate
  --refine N            then up to N open-loop points halving the gap between the highest sustained
                        rate and the lowest unsustained one above it (${d.refine}; at most 10)
  --ceiling-s N         seconds per ceiling measurement, 0 = skip (${d.ceilingS})
  --echo-windows A,B    round trips in flight tried by the broker ceiling (${d.echoWindows.join(',')})
  --mixed               also declined payments (tok_decline) and out-of-stock orders
  --partitions N        partitions of the bench's topics (${d.partitions})
  --env KEY=VALUE       environment of the services (repeatable)
  --node-flag=FLAG      node flag of the services (repeatable), e.g. --node-flag=--single-threaded-gc
  --orchestrator-nice=N the orchestrator at this niceness (-20..19); below the bench's own needs root
  --profile             node --cpu-prof on every service, summarised
  --heap-profile        where every service allocates (sampled, freed objects included), summarised
  --base-port N         first of the four service ports (${d.basePort})
  --json FILE           results file (bench-results/<timestamp>.json)`;

export class UsageError extends Error {}

/** Parses a command line; a UsageError is printed and ends the process with exit code 2. */
export function parseOrExit<T>(parse: (argv: readonly string[]) => T, argv: readonly string[]): T {
  try {
    return parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}

/** An option's name and its value (read when asked: flags without one take none). */
interface Arg {
  flag: string;
  value(): string | undefined;
}

/** A positive number (≥ 0 with `zero`), or an integer within bounds. */
function numberOf(
  { flag, value }: Arg,
  { zero = false, integer = false, min = 0, max = Infinity } = {},
): number {
  const raw = value();
  const n = Number(raw);
  const ok = raw !== undefined && raw !== '' && Number.isFinite(n) && n >= min && n <= max;
  if (integer && !(ok && Number.isInteger(n)))
    throw new UsageError(`${flag} needs an integer from ${min} to ${max}, got ${raw ?? 'nothing'}`);
  if (!ok || (!integer && !zero && n === 0))
    throw new UsageError(
      `${flag} needs a ${zero ? 'non-negative' : 'positive'} number, got ${raw ?? 'nothing'}`,
    );
  return n;
}

const listOf = (arg: Arg): number[] => {
  const raw = arg.value();
  return raw === 'none'
    ? []
    : (raw ?? '').split(',').map((item) => Math.round(numberOf({ ...arg, value: () => item })));
};

const parsers: Record<string, (arg: Arg, o: BenchOptions) => Partial<BenchOptions>> = {
  '--rates': (arg) => ({ rates: listOf(arg) }),
  '--concurrency': (arg) => ({ concurrency: listOf(arg) }),
  '--duration-s': (arg) => ({ durationS: numberOf(arg) }),
  '--warmup-s': (arg) => ({ warmupS: numberOf(arg, { zero: true }) }),
  '--drain-s': (arg) => ({ drainS: numberOf(arg) }),
  '--keep-going': () => ({ keepGoing: true }),
  '--refine': (arg) => ({ refine: numberOf(arg, { integer: true, max: 10 }) }),
  '--ceiling-s': (arg) => ({ ceilingS: numberOf(arg, { zero: true }) }),
  '--echo-windows': (arg) => ({ echoWindows: listOf(arg) }),
  '--mixed': () => ({ mixed: true }),
  '--partitions': (arg) => ({ partitions: numberOf(arg, { integer: true, min: 1, max: 100 }) }),
  '--env': (arg, o) => {
    const pair = /^([^=]+)=(.*)$/s.exec(arg.value() ?? '');
    if (!pair?.[1]) throw new UsageError(`--env needs KEY=VALUE, got ${pair?.[0] ?? 'nothing'}`);
    return { env: { ...o.env, [pair[1]]: pair[2] ?? '' } };
  },
  '--node-flag': (arg, o) => {
    const flag = arg.value() ?? '';
    if (!flag.startsWith('--'))
      throw new UsageError(`--node-flag needs a flag starting with --, got ${flag || 'nothing'}`);
    return { nodeFlags: [...o.nodeFlags, flag] };
  },
  '--orchestrator-nice': (arg) => ({ orchestratorNice: numberOf(arg, { integer: true, min: -20, max: 19 }) }),
  '--profile': () => ({ profile: true }),
  '--heap-profile': () => ({ heapProfile: true }),
  '--base-port': (arg) => ({ basePort: numberOf(arg, { integer: true, min: 1, max: 65_532 }) }),
  '--json': (arg) => ({ json: arg.value() ?? null }),
};

export function parseOptions(argv: readonly string[]): BenchOptions {
  let o: BenchOptions = { ...defaultOptions };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    const [flag = '', inline] = word.startsWith('--') && word.includes('=') ? word.split(/=(.*)/s) : [word];
    if (flag === '--help' || flag === '-h') throw new UsageError(usage);
    const parse = parsers[flag];
    if (!parse) throw new UsageError(`unknown option ${word}\n${usage}`);
    o = { ...o, ...parse({ flag, value: () => inline ?? argv[++i] }, o) };
  }
  if (o.refine > 0 && o.rates.length === 0)
    throw new UsageError('--refine narrows down the open-loop rates: give --rates too');
  if (o.rates.length === 0 && o.concurrency.length === 0 && o.ceilingS === 0)
    throw new UsageError('nothing to measure: give --rates, --concurrency or --ceiling-s');
  return o;
}

/** A word as the shell reads it back. */
export const shellQuote = (word: string): string =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;

/** The full command line that reproduces a run (every option explicit). */
export function reproduceCommand(o: BenchOptions, json: string): string {
  const list = (values: number[]) => (values.length > 0 ? values.join(',') : 'none');
  const parts = [
    `npm run bench -- --rates ${list(o.rates)} --concurrency ${list(o.concurrency)} --duration-s ${o.durationS}`,
    `--warmup-s ${o.warmupS} --drain-s ${o.drainS} --ceiling-s ${o.ceilingS} --echo-windows ${list(o.echoWindows)}`,
    `--partitions ${o.partitions} --base-port ${o.basePort}`,
  ];
  if (o.keepGoing) parts.push('--keep-going');
  if (o.mixed) parts.push('--mixed');
  if (o.profile) parts.push('--profile');
  if (o.heapProfile) parts.push('--heap-profile');
  if (o.refine > 0) parts.push(`--refine ${o.refine}`);
  for (const [key, val] of Object.entries(o.env)) parts.push(`--env ${shellQuote(`${key}=${val}`)}`);
  for (const nodeFlag of o.nodeFlags) parts.push(shellQuote(`--node-flag=${nodeFlag}`));
  if (o.orchestratorNice !== 0) parts.push(`--orchestrator-nice=${o.orchestratorNice}`);
  parts.push(`--json ${shellQuote(json)}`);
  return parts.join(' ');
}
