/** Command line of `npm run bench`, parsed once; `reproduceCommand` prints it back in full. */

export interface BenchOptions {
  /** Measured seconds per load point. */
  durationS: number;
  /** Open-loop rates (sagas/s) and closed-loop concurrencies (sagas in flight), in order. */
  rates: number[];
  concurrency: number[];
  /** Sends declined payments and out-of-stock orders too. */
  mixed: boolean;
  /** Output file; default bench-results/<timestamp>.json. */
  json: string | null;
  /**
   * Unrecorded open-loop warm-up before the first point (at min(100/s, the first rate)). 5 s left the
   * first point JIT-cold: at 100/s its first tenth had a p50 of 146 ms, its last 39 ms.
   */
  warmupS: number;
  /** After the last send of a point, how long outstanding sagas may take to finish. */
  drainS: number;
  /**
   * Partitions of the bench's own topics. 3: on one 2-core host, 3 gave lower p50 and p99 than 6 at
   * 500 and 750/s and the same saturation throughput. The stack's topics keep 6 (TOPIC_PARTITIONS):
   * partitions bound how many instances of a service can share the work, and cannot be lowered later.
   */
  partitions: number;
  /** Seconds per ceiling measurement (0 skips the ceilings); the echo's windows of round trips in flight. */
  ceilingS: number;
  echoWindows: number[];
  /** CPU profiles (`node --cpu-prof`) or sampled allocations (support/heap-sampler.ts) of every service. */
  profile: boolean;
  heapProfile: boolean;
  /** Extra environment for the services (KEY=VALUE, repeatable), e.g. DB_POOL_MAX=20. */
  env: Record<string, string>;
  /** Extra node flags for the services (repeatable), e.g. V8's --single-threaded-gc, which NODE_OPTIONS refuses. */
  nodeFlags: string[];
  /** Niceness of the orchestrator (0: as the bench runs); negative raises its priority and needs root. */
  orchestratorNice: number;
  /** First port of the four services (orchestrator, inventory, payment, shipping). */
  basePort: number;
  /** Also run the open-loop rates above one the system could not keep up with (by default skipped). */
  keepGoing: boolean;
  /** Up to this many more open-loop points narrowing down the highest sustained rate (support/goals.ts). */
  refine: number;
}

export const defaultOptions: BenchOptions = {
  durationS: 30,
  rates: [100, 250, 500, 1000],
  concurrency: [8, 32, 128],
  mixed: false,
  json: null,
  warmupS: 20,
  drainS: 20,
  partitions: 3,
  ceilingS: 10,
  echoWindows: [64, 1024],
  profile: false,
  heapProfile: false,
  env: {},
  nodeFlags: [],
  orchestratorNice: 0,
  basePort: 3400,
  keepGoing: false,
  refine: 0,
};

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

/** A number of `flag`: positive (or ≥ 0 with `zero`), or an integer within bounds. */
function numberOf(
  flag: string,
  raw: string | undefined,
  { zero = false, integer = false, min = 0, max = Infinity } = {},
): number {
  const value = Number(raw);
  const ok = raw !== undefined && raw !== '' && Number.isFinite(value) && value >= min && value <= max;
  if (integer) {
    if (ok && Number.isInteger(value)) return value;
    throw new UsageError(`${flag} needs an integer from ${min} to ${max}, got ${raw ?? 'nothing'}`);
  }
  if (!ok || value < 0 || (!zero && value === 0))
    throw new UsageError(
      `${flag} needs a ${zero ? 'non-negative' : 'positive'} number, got ${raw ?? 'nothing'}`,
    );
  return value;
}

const listOf = (flag: string, raw: string | undefined): number[] =>
  raw === 'none' ? [] : (raw ?? '').split(',').map((item) => Math.round(numberOf(flag, item.trim())));

export function parseOptions(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = { ...defaultOptions, env: {}, nodeFlags: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    const [name = '', inline] = flag.startsWith('--') && flag.includes('=') ? flag.split(/=(.*)/s) : [flag];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case '--rates':
        o.rates = listOf(name, value());
        break;
      case '--concurrency':
        o.concurrency = listOf(name, value());
        break;
      case '--duration-s':
        o.durationS = numberOf(name, value());
        break;
      case '--warmup-s':
        o.warmupS = numberOf(name, value(), { zero: true });
        break;
      case '--drain-s':
        o.drainS = numberOf(name, value());
        break;
      case '--keep-going':
        o.keepGoing = true;
        break;
      case '--refine':
        o.refine = numberOf(name, value(), { integer: true, max: 10 });
        break;
      case '--ceiling-s':
        o.ceilingS = numberOf(name, value(), { zero: true });
        break;
      case '--echo-windows':
        o.echoWindows = listOf(name, value());
        break;
      case '--mixed':
        o.mixed = true;
        break;
      case '--partitions':
        o.partitions = Math.round(numberOf(name, value()));
        break;
      case '--env': {
        const pair = /^([^=]+)=(.*)$/s.exec(value() ?? '');
        if (!pair?.[1]) throw new UsageError(`--env needs KEY=VALUE, got ${pair ?? 'nothing'}`);
        o.env[pair[1]] = pair[2] ?? '';
        break;
      }
      case '--node-flag': {
        const nodeFlag = value() ?? '';
        if (!nodeFlag.startsWith('--'))
          throw new UsageError(`--node-flag needs a flag starting with --, got ${nodeFlag || 'nothing'}`);
        o.nodeFlags.push(nodeFlag);
        break;
      }
      case '--orchestrator-nice':
        o.orchestratorNice = numberOf(name, value(), { integer: true, min: -20, max: 19 });
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--heap-profile':
        o.heapProfile = true;
        break;
      case '--base-port':
        o.basePort = numberOf(name, value(), { integer: true, min: 1, max: 65_532 });
        break;
      case '--json':
        o.json = value() ?? null;
        break;
      case '--help':
      case '-h':
        throw new UsageError(usage);
      default:
        throw new UsageError(`unknown option ${flag}\n${usage}`);
    }
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
  if (o.refine > 0) parts.push(`--refine ${o.refine}`);
  if (o.mixed) parts.push('--mixed');
  if (o.profile) parts.push('--profile');
  if (o.heapProfile) parts.push('--heap-profile');
  for (const [key, val] of Object.entries(o.env)) parts.push(`--env ${shellQuote(`${key}=${val}`)}`);
  for (const nodeFlag of o.nodeFlags) parts.push(shellQuote(`--node-flag=${nodeFlag}`));
  if (o.orchestratorNice !== 0) parts.push(`--orchestrator-nice=${o.orchestratorNice}`);
  parts.push(`--json ${shellQuote(json)}`);
  return parts.join(' ');
}
