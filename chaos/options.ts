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
];

export const usage = (): string =>
  [
    'usage: npm run chaos -- [options]   (node --import tsx chaos/run-chaos.ts [options])',
    ...specs.map((s) => `  ${`${s.flag} N`.padEnd(28)}${s.help}`),
    `  ${'--keep'.padEnd(28)}keep topics, consumer groups and the database afterwards`,
  ].join('\n');

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseOptions(argv: readonly string[], randomSeed: () => number): ChaosOptions {
  const given = new Map<keyof ChaosOptions, number>();
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--keep') {
      keep = true;
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
  };
  return options;
}

/** The exact command line that repeats this run's plan (every option spelled out). */
export function reproduceCommand(options: ChaosOptions): string {
  const parts = specs.map((s) => `${s.flag} ${options[s.key] as number}`);
  if (options.keep) parts.push('--keep');
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
