/** Command line of `npm run chaos` (see chaos/README.md). */
import { type NetOptions, netOptions, netSpecs } from './net/net-options.ts';

export interface ChaosOptions extends NetOptions {
  seed: number;
  orders: number;
  kills: number;
  brokerRestarts: number;
  instances: number;
  /** Order workers: each places an order over HTTP and waits until it is terminal, then takes the next. */
  concurrency: number;
  /** The drive period: orders are paced evenly over it and every chaos event happens at a seeded moment in it. */
  durationS: number;
  /** Deadline for quiescence after the last order was placed (every order terminal, outboxes empty, no lag). */
  timeoutS: number;
  /** Periods in which one participant is silent for one command on every instance (see README). */
  silentWindows: number;
  /** Silent orders placed in each window. */
  silentOrders: number;
  partitions: number;
  basePort: number;
  stepTimeoutMs: number;
  backoffMultiplier: number;
  maxStepTimeoutMs: number;
  forwardAttempts: number;
  compensationAttempts: number;
  dbPoolMax: number;
  /** Keep the topics, the consumer groups and the database afterwards (they are always kept on violations: the database). */
  keep: boolean;
  // --- three brokers and more faults (issue 39; one block, see faults/) ---
  /** Kafka nodes: 1, or 3 (`npm run stack -- up --brokers 3`: replication factor 3, min.insync.replicas=2). */
  brokers: number;
  /** kill -9 of one broker of three, started again after a seeded down time (one broker down at a time). */
  brokerKills: number;
  /** Restarts of PostgreSQL: the run's private cluster (--private-pg), or with --allow-machine-pg-restart the machine's. */
  pgRestarts: number;
  /** Port of a PostgreSQL cluster of the run's own (initdb under the state dir; 0: the shared server). */
  privatePg: number;
  /** Lets --pg-restarts restart the machine's shared server (everyone's) when there is no --private-pg. */
  allowMachinePgRestart: boolean;
  /** The schema registry stopped for seconds, then started again. */
  registryOutages: number;
  /** SIGSTOP of a service instance past its consumer session timeout, then SIGCONT. */
  pauses: number;
  /** Past messages re-published (same key, value and headers) per topic, in seeded bursts. */
  duplicates: number;
  /** Windows with a `fail` fault on RefundPayment: their orders' sagas go FAILED, the run retries them as an operator. */
  compensationFaults: number;
}

interface Spec {
  flag: string;
  key: keyof ChaosOptions;
  min: number;
  max: number;
  help: string;
}

const specs: readonly Spec[] = [
  { flag: '--seed', key: 'seed', min: 0, max: 4_294_967_295, help: 'PRNG seed (default: random, printed)' },
  { flag: '--orders', key: 'orders', min: 1, max: 1_000_000, help: 'orders to place (default 1000)' },
  {
    flag: '--kills',
    key: 'kills',
    min: 0,
    max: 10_000,
    help: 'kill -9 of a random service instance (default 10)',
  },
  {
    flag: '--broker-restarts',
    key: 'brokerRestarts',
    min: 0,
    max: 100,
    help: 'Kafka broker restarts (default 1)',
  },
  { flag: '--instances', key: 'instances', min: 1, max: 5, help: 'instances of each service (default 2)' },
  { flag: '--concurrency', key: 'concurrency', min: 1, max: 1_000, help: 'order workers (default 32)' },
  {
    flag: '--duration-s',
    key: 'durationS',
    min: 5,
    max: 86_400,
    help: 'drive period in s: orders paced over it, chaos at seeded moments in it (default orders/10, at least 30)',
  },
  {
    flag: '--timeout-s',
    key: 'timeoutS',
    min: 10,
    max: 86_400,
    help: 'quiescence deadline in s (default 240)',
  },
  {
    flag: '--silent-windows',
    key: 'silentWindows',
    min: 0,
    max: 1_000,
    help: 'silent-participant windows (default 1 + orders/2500, at most 6)',
  },
  {
    flag: '--silent-orders',
    key: 'silentOrders',
    min: 1,
    max: 1_000,
    help: 'orders per silent window (default 6)',
  },
  { flag: '--partitions', key: 'partitions', min: 1, max: 64, help: 'partitions per topic (default 6)' },
  { flag: '--base-port', key: 'basePort', min: 1_024, max: 65_000, help: 'first HTTP port (default 3300)' },
  {
    flag: '--step-timeout-ms',
    key: 'stepTimeoutMs',
    min: 10,
    max: 3_600_000,
    help: 'SAGA_STEP_TIMEOUT_MS (default 1000)',
  },
  {
    flag: '--backoff',
    key: 'backoffMultiplier',
    min: 1,
    max: 10,
    help: 'SAGA_BACKOFF_MULTIPLIER (default 2)',
  },
  {
    flag: '--max-step-timeout-ms',
    key: 'maxStepTimeoutMs',
    min: 10,
    max: 86_400_000,
    help: 'SAGA_MAX_STEP_TIMEOUT_MS (default 16000)',
  },
  {
    flag: '--forward-attempts',
    key: 'forwardAttempts',
    min: 1,
    max: 100,
    help: 'SAGA_FORWARD_ATTEMPTS (default 6)',
  },
  {
    flag: '--compensation-attempts',
    key: 'compensationAttempts',
    min: 1,
    max: 1_000,
    help: 'SAGA_COMPENSATION_ATTEMPTS (default 12)',
  },
  { flag: '--db-pool', key: 'dbPoolMax', min: 1, max: 200, help: 'DB_POOL_MAX of each service (default 4)' },
  ...netSpecs,
  // --- three brokers and more faults (issue 39) ---
  { flag: '--brokers', key: 'brokers', min: 1, max: 3, help: 'Kafka nodes: 1 or 3 (default 1)' },
  {
    flag: '--broker-kills',
    key: 'brokerKills',
    min: 0,
    max: 100,
    help: 'kill -9 of one broker of three, restarted later (needs --brokers 3; default 0)',
  },
  {
    flag: '--pg-restarts',
    key: 'pgRestarts',
    min: 0,
    max: 100,
    help: "PostgreSQL restarts: --private-pg's cluster (else refused: it would be the machine's; default 0)",
  },
  {
    flag: '--private-pg',
    key: 'privatePg',
    min: 0,
    max: 65_000,
    help: 'port of a PostgreSQL cluster of the run (initdb in .stack/chaos-postgres; default 0: the shared server)',
  },
  {
    flag: '--registry-outages',
    key: 'registryOutages',
    min: 0,
    max: 100,
    help: 'schema registry stopped for 3-10 s, then started (default 0)',
  },
  {
    flag: '--pauses',
    key: 'pauses',
    min: 0,
    max: 100,
    help: 'SIGSTOP of an instance past its session timeout, then SIGCONT (default 0)',
  },
  {
    flag: '--duplicates',
    key: 'duplicates',
    min: 0,
    max: 100_000,
    help: 'past messages re-published per topic with their headers (default 0)',
  },
  {
    flag: '--compensation-faults',
    key: 'compensationFaults',
    min: 0,
    max: 20,
    help: 'windows failing RefundPayment: sagas FAILED, then retried by the run (default 0)',
  },
];

/** Flags without a value (besides --keep). */
const switches = { '--allow-machine-pg-restart': 'allowMachinePgRestart' } as const;

/** Options that only make sense together (UsageError otherwise). */
function checkFaultOptions(o: ChaosOptions): void {
  if (o.brokers !== 1 && o.brokers !== 3) throw new UsageError('--brokers takes 1 or 3');
  if (o.brokerKills > 0 && o.brokers < 3)
    throw new UsageError(
      '--broker-kills needs --brokers 3 (one broker down of one is an outage: --broker-restarts)',
    );
  if (o.pgRestarts > 0 && o.privatePg === 0 && !o.allowMachinePgRestart)
    throw new UsageError(
      "--pg-restarts without --private-pg PORT would restart the machine's PostgreSQL, which others use: add --private-pg PORT (a cluster of the run's own), or --allow-machine-pg-restart if the server is yours",
    );
}

export const usage = (): string =>
  [
    'usage: npm run chaos -- [options]   (node --import tsx chaos/run-chaos.ts [options])',
    ...specs.map((s) => `  ${`${s.flag} N`.padEnd(28)}${s.help}`),
    `  ${'--keep'.padEnd(28)}keep topics, consumer groups and the database afterwards`,
    `  ${'--allow-machine-pg-restart'.padEnd(28)}let --pg-restarts restart the machine's PostgreSQL (no --private-pg)`,
  ].join('\n');

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseOptions(argv: readonly string[], randomSeed: () => number): ChaosOptions {
  const given = new Map<keyof ChaosOptions, number>();
  let keep = false;
  const switched = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--keep') {
      keep = true;
      continue;
    }
    if (arg in switches) {
      switched.add(arg);
      continue;
    }
    const [flag, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    const spec = specs.find((s) => s.flag === flag);
    if (!spec) throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (
      raw === undefined ||
      raw.trim() === '' ||
      !Number.isInteger(value) ||
      value < spec.min ||
      value > spec.max
    )
      throw new UsageError(
        `${spec.flag} needs an integer between ${spec.min} and ${spec.max}, got ${JSON.stringify(raw)}`,
      );
    given.set(spec.key, value);
  }
  const orders = given.get('orders') ?? 1000;
  const options: ChaosOptions = {
    seed: given.get('seed') ?? randomSeed(),
    orders,
    kills: given.get('kills') ?? 10,
    brokerRestarts: given.get('brokerRestarts') ?? 1,
    instances: given.get('instances') ?? 2,
    concurrency: given.get('concurrency') ?? 32,
    durationS: given.get('durationS') ?? Math.max(30, Math.round(orders / 10)),
    timeoutS: given.get('timeoutS') ?? 240,
    silentWindows: given.get('silentWindows') ?? Math.min(6, 1 + Math.floor(orders / 2500)),
    silentOrders: given.get('silentOrders') ?? 6,
    partitions: given.get('partitions') ?? 6,
    basePort: given.get('basePort') ?? 3300,
    stepTimeoutMs: given.get('stepTimeoutMs') ?? 1000,
    backoffMultiplier: given.get('backoffMultiplier') ?? 2,
    maxStepTimeoutMs: given.get('maxStepTimeoutMs') ?? 16_000,
    forwardAttempts: given.get('forwardAttempts') ?? 6,
    compensationAttempts: given.get('compensationAttempts') ?? 12,
    dbPoolMax: given.get('dbPoolMax') ?? 4,
    ...netOptions(given),
    keep,
    brokers: given.get('brokers') ?? 1,
    brokerKills: given.get('brokerKills') ?? 0,
    pgRestarts: given.get('pgRestarts') ?? 0,
    privatePg: given.get('privatePg') ?? 0,
    allowMachinePgRestart: switched.has('--allow-machine-pg-restart'),
    registryOutages: given.get('registryOutages') ?? 0,
    pauses: given.get('pauses') ?? 0,
    duplicates: given.get('duplicates') ?? 0,
    compensationFaults: given.get('compensationFaults') ?? 0,
  };
  checkFaultOptions(options);
  return options;
}

/** The exact command line that repeats this run's plan (every option spelled out). */
export function reproduceCommand(options: ChaosOptions): string {
  const parts = specs.map((s) => `${s.flag} ${options[s.key] as number}`);
  if (options.keep) parts.push('--keep');
  if (options.allowMachinePgRestart) parts.push('--allow-machine-pg-restart');
  return `npm run chaos -- ${parts.join(' ')}`;
}

/** The time every forward step may take before the saga gives up on it (all attempts, without jitter). */
export function forwardBudgetMs(o: ChaosOptions): number {
  let total = 0;
  for (let attempt = 1; attempt <= o.forwardAttempts; attempt++)
    total += Math.min(o.maxStepTimeoutMs, o.stepTimeoutMs * o.backoffMultiplier ** (attempt - 1));
  return total;
}

export function compensationBudgetMs(o: ChaosOptions): number {
  let total = 0;
  for (let attempt = 1; attempt <= o.compensationAttempts; attempt++)
    total += Math.min(o.maxStepTimeoutMs, o.stepTimeoutMs * o.backoffMultiplier ** (attempt - 1));
  return total;
}
