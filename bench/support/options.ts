/** Command line of `npm run bench`, parsed once; `reproduceCommand` prints it back in full. */

export interface BenchOptions {
  /** Measured seconds per load point. */
  durationS: number;
  /** Open-loop rates (sagas/s), in order. */
  rates: number[];
  /** Closed-loop concurrencies (sagas in flight), in order. */
  concurrency: number[];
  /** Sends declined payments and out-of-stock orders too. */
  mixed: boolean;
  /** Output file; default bench-results/<timestamp>.json. */
  json: string | null;
  /** Use running services (ORCHESTRATOR_URL, TOPIC_PREFIX…) instead of starting them. */
  reuse: boolean;
  /**
   * Unrecorded open-loop warm-up before the first point (at min(100/s, the first rate)). 5 s left the
   * first point JIT-cold: at 100/s its first tenth had a p50 of 146 ms, its last 39 ms.
   */
  warmupS: number;
  /** After the last send of a point, how long outstanding sagas may take to finish. */
  drainS: number;
  /**
   * Partitions of the bench's own topics. 3: on one 2-core host that runs everything, 3 gave lower
   * p50 and p99 than 6 at 500 and 750/s and the same throughput at saturation (bench/README.md,
   * "Partitions"). The stack's topics keep 6 (TOPIC_PARTITIONS): partitions bound how many instances
   * of a service can share the work, and Kafka cannot lower them later.
   */
  partitions: number;
  /** Seconds per ceiling measurement; 0 skips the ceilings. */
  ceilingS: number;
  /** Echo ceiling: outstanding request windows to try (the best one is the ceiling). */
  echoWindows: number[];
  /** Database ceiling: orders per creation transaction (1 = one per HTTP request; >1 = group commit). */
  dbCreateBatch: number;
  /** Runs the orchestrator and the participants with `node --cpu-prof` and summarises the profiles. */
  profile: boolean;
  /** Samples where every service allocates (bench/support/heap-sampler.ts) and summarises it. */
  heapProfile: boolean;
  /** Extra environment for the services it starts (KEY=VALUE, repeatable), e.g. DB_POOL_MAX=20. */
  env: Record<string, string>;
  /**
   * Extra node flags for the services it starts (repeatable), e.g. V8's --single-threaded-gc, which
   * NODE_OPTIONS refuses.
   */
  nodeFlags: string[];
  /** Extra node flags for the orchestrator instances only (repeatable), after `nodeFlags`. */
  orchestratorNodeFlags: string[];
  /**
   * Niceness of the orchestrator instances it starts (0: the default, no change). Negative values
   * raise their CPU priority over everything else on the host and need root or CAP_SYS_NICE.
   */
  orchestratorNice: number;
  /** First port of the four services it starts (orchestrator, inventory, payment, shipping). */
  basePort: number;
  /** Keep-alive sockets of the HTTP client. */
  maxSockets: number;
  /** Also run the open-loop rates above one the system could not keep up with (by default skipped). */
  keepGoing: boolean;
  /**
   * After the open-loop rates, up to this many more points between the highest sustained rate and the
   * lowest unsustained one above it, each at their middle (support/refine.ts); 0 = none.
   */
  refine: number;
  /** Orchestrator instances it starts (one consumer group; POSTs spread round-robin over them). */
  orchestrators: number;
}

export const defaultOptions: BenchOptions = {
  durationS: 30,
  rates: [100, 250, 500, 1000],
  concurrency: [8, 32, 128],
  mixed: false,
  json: null,
  reuse: false,
  warmupS: 20,
  drainS: 20,
  partitions: 3,
  ceilingS: 10,
  echoWindows: [64, 1024],
  dbCreateBatch: 100,
  profile: false,
  heapProfile: false,
  env: {},
  nodeFlags: [],
  orchestratorNodeFlags: [],
  orchestratorNice: 0,
  basePort: 3400,
  maxSockets: 256,
  keepGoing: false,
  refine: 0,
  orchestrators: 1,
};

export const usage = `usage: npm run bench -- [options]
  --duration-s N        measured seconds per point (${defaultOptions.durationS})
  --rates A,B,...       open-loop rates in sagas/s, or "none" (${defaultOptions.rates.join(',')})
  --concurrency A,B     closed-loop concurrencies, or "none" (${defaultOptions.concurrency.join(',')})
  --mixed               also send declined payments (tok_decline) and out-of-stock orders
  --json FILE           results file (bench-results/<timestamp>.json)
  --reuse               drive running services: ORCHESTRATOR_URL, TOPIC_PREFIX, DATABASE_URL from env
  --warmup-s N          unrecorded warm-up at the first rate, at most 100/s (${defaultOptions.warmupS})
  --drain-s N           grace for outstanding sagas after the last send (${defaultOptions.drainS})
  --partitions N        partitions of the bench's topics (${defaultOptions.partitions})
  --orchestrators N     orchestrator instances, one consumer group, POSTs round-robin (${defaultOptions.orchestrators});
                        instance i > 1 listens on base port + 2 + i
  --ceiling-s N         seconds per ceiling measurement, 0 = skip (${defaultOptions.ceilingS})
  --echo-windows A,B    outstanding round trips tried by the echo ceiling (${defaultOptions.echoWindows.join(',')})
  --db-create-batch N   database ceiling: orders per creation transaction: 100 = group commit as
                        orchestrator/orders/order-service.ts does, 1 = one per request (${defaultOptions.dbCreateBatch})
  --profile             node --cpu-prof on every service; summary in the results
  --heap-profile        bytes allocated by function in every service (sampled, freed objects
                        included, whole life of the process); summary in the results
  --env KEY=VALUE       extra environment for the started services (repeatable)
  --node-flag=FLAG      extra node flag for the started services (repeatable), e.g.
                        --node-flag=--single-threaded-gc (NODE_OPTIONS refuses most V8 flags)
  --orchestrator-node-flag=FLAG
                        the same for the orchestrator instances only (repeatable)
  --orchestrator-nice=N start the orchestrator instances at this niceness (-20..19; 0 = as the
                        bench runs); below the bench's own raises their priority (needs root)
  --base-port N         first of the four service ports (${defaultOptions.basePort})
  --max-sockets N       keep-alive sockets of the HTTP client (${defaultOptions.maxSockets})
  --keep-going          run every rate, also above one that completed < 70% of its offered rate
  --refine N            then up to N open-loop points halving the gap between the highest sustained
                        rate and the lowest unsustained one above it (${defaultOptions.refine})`;

export class UsageError extends Error {}

/** Parses a command line; a UsageError is printed and ends the process with exit code 2. */
export function parseOrExit<T>(parse: (argv: readonly string[]) => T, argv: readonly string[]): T {
  try {
    return parse(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

const positive = (flag: string, raw: string | undefined, { allowZero = false } = {}): number => {
  const value = Number(raw);
  if (raw === undefined || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0))
    throw new UsageError(`${flag} needs a ${allowZero ? 'non-negative' : 'positive'} number, got ${raw}`);
  return value;
};

const list = (flag: string, raw: string | undefined): number[] => {
  if (raw === 'none' || raw === '') return [];
  if (raw === undefined) throw new UsageError(`${flag} needs a comma-separated list`);
  return raw.split(',').map((item) => positive(flag, item.trim()));
};

export function parseOptions(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    ...defaultOptions,
    env: {},
    nodeFlags: [],
    orchestratorNodeFlags: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    const [name, inline] = flag.includes('=') && flag.startsWith('--') ? flag.split(/=(.*)/s) : [flag];
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (name) {
      case '--duration-s':
        options.durationS = positive(name, value());
        break;
      case '--rates':
        options.rates = list(name, value());
        break;
      case '--concurrency':
        options.concurrency = list(name, value()).map(Math.round);
        break;
      case '--mixed':
        options.mixed = true;
        break;
      case '--json':
        options.json = value() ?? null;
        break;
      case '--reuse':
        options.reuse = true;
        break;
      case '--warmup-s':
        options.warmupS = positive(name, value(), { allowZero: true });
        break;
      case '--drain-s':
        options.drainS = positive(name, value());
        break;
      case '--partitions':
        options.partitions = Math.round(positive(name, value()));
        break;
      case '--orchestrators':
        options.orchestrators = Math.round(positive(name, value()));
        if (options.orchestrators > 8) throw new UsageError('--orchestrators: at most 8');
        break;
      case '--ceiling-s':
        options.ceilingS = positive(name, value(), { allowZero: true });
        break;
      case '--echo-windows':
        options.echoWindows = list(name, value()).map(Math.round);
        break;
      case '--db-create-batch':
        options.dbCreateBatch = Math.round(positive(name, value()));
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--heap-profile':
        options.heapProfile = true;
        break;
      case '--env': {
        const pair = value() ?? '';
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UsageError(`--env needs KEY=VALUE, got ${pair}`);
        options.env[pair.slice(0, eq)] = pair.slice(eq + 1);
        break;
      }
      case '--node-flag':
      case '--orchestrator-node-flag': {
        const nodeFlag = value() ?? '';
        if (!nodeFlag.startsWith('--'))
          throw new UsageError(`${name} needs a flag starting with --, got ${nodeFlag || 'nothing'}`);
        (name === '--node-flag' ? options.nodeFlags : options.orchestratorNodeFlags).push(nodeFlag);
        break;
      }
      case '--orchestrator-nice': {
        const raw = value();
        const nice = Number(raw);
        if (raw === undefined || !Number.isInteger(nice) || nice < -20 || nice > 19)
          throw new UsageError(
            `--orchestrator-nice needs an integer from -20 to 19, got ${raw ?? 'nothing'}`,
          );
        options.orchestratorNice = nice;
        break;
      }
      case '--base-port':
        options.basePort = Math.round(positive(name, value()));
        break;
      case '--max-sockets':
        options.maxSockets = Math.round(positive(name, value()));
        break;
      case '--keep-going':
        options.keepGoing = true;
        break;
      case '--refine': {
        const raw = value();
        const points = Number(raw);
        if (raw === undefined || !Number.isInteger(points) || points < 0 || points > 10)
          throw new UsageError(`--refine needs an integer from 0 to 10, got ${raw ?? 'nothing'}`);
        options.refine = points;
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError(usage);
      default:
        throw new UsageError(`unknown option ${flag}\n${usage}`);
    }
  }
  if (options.reuse && options.orchestrators !== 1)
    throw new UsageError(
      '--orchestrators starts instances; with --reuse list them in ORCHESTRATOR_URL (comma-separated)',
    );
  if (options.reuse && options.orchestratorNice !== 0)
    throw new UsageError(
      '--orchestrator-nice applies to the services the bench starts; with --reuse start them with it',
    );
  if (options.reuse && options.nodeFlags.length > 0)
    throw new UsageError(
      '--node-flag applies to the services the bench starts; with --reuse start them with it',
    );
  if (options.reuse && options.orchestratorNodeFlags.length > 0)
    throw new UsageError(
      '--orchestrator-node-flag applies to the services the bench starts; with --reuse start them with it',
    );
  if (options.refine > 0 && options.rates.length === 0)
    throw new UsageError('--refine narrows down the open-loop rates: give --rates too');
  if (options.rates.length === 0 && options.concurrency.length === 0 && options.ceilingS === 0)
    throw new UsageError('nothing to measure: give --rates, --concurrency or --ceiling-s');
  return options;
}

const shellQuote = (value: string): string =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;

/** The full command line that reproduces a run (every option explicit). */
export function reproduceCommand(options: BenchOptions, json: string): string {
  const reused = options.reuse
    ? ['ORCHESTRATOR_URL', 'INVENTORY_URL', 'PAYMENT_URL', 'SHIPPING_URL', 'TOPIC_PREFIX', 'DATABASE_URL']
        .filter((name) => process.env[name] !== undefined)
        .map((name) => `${name}=${process.env[name]}`)
    : [];
  const parts = [
    ...reused,
    'npm run bench --',
    `--duration-s ${options.durationS}`,
    `--rates ${options.rates.length > 0 ? options.rates.join(',') : 'none'}`,
    `--concurrency ${options.concurrency.length > 0 ? options.concurrency.join(',') : 'none'}`,
    `--warmup-s ${options.warmupS}`,
    `--drain-s ${options.drainS}`,
    `--partitions ${options.partitions}`,
    `--ceiling-s ${options.ceilingS}`,
    `--echo-windows ${options.echoWindows.join(',')}`,
    `--db-create-batch ${options.dbCreateBatch}`,
    `--max-sockets ${options.maxSockets}`,
  ];
  if (options.mixed) parts.push('--mixed');
  if (options.reuse) parts.push('--reuse');
  if (options.profile) parts.push('--profile');
  if (options.heapProfile) parts.push('--heap-profile');
  if (options.keepGoing) parts.push('--keep-going');
  if (options.refine > 0) parts.push(`--refine ${options.refine}`);
  if (options.basePort !== defaultOptions.basePort) parts.push(`--base-port ${options.basePort}`);
  if (options.orchestrators !== 1) parts.push(`--orchestrators ${options.orchestrators}`);
  for (const [key, val] of Object.entries(options.env)) parts.push(`--env ${shellQuote(`${key}=${val}`)}`);
  for (const nodeFlag of options.nodeFlags) parts.push(shellQuote(`--node-flag=${nodeFlag}`));
  for (const nodeFlag of options.orchestratorNodeFlags)
    parts.push(shellQuote(`--orchestrator-node-flag=${nodeFlag}`));
  if (options.orchestratorNice !== 0) parts.push(`--orchestrator-nice=${options.orchestratorNice}`);
  parts.push(`--json ${shellQuote(json)}`);
  return parts.join(' ');
}
